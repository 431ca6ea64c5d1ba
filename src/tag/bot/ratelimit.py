"""Per-user sliding-window rate limit for generation requests (kept in memory)."""

from __future__ import annotations

import time
from collections import deque
from typing import Callable


class RateLimiter:
    """At most ``limit`` hits per ``window`` seconds per key; ``limit`` 0 disables it."""

    def __init__(self, limit: int, window: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self.window = window
        self._clock = clock
        self._hits: dict[int, deque[float]] = {}

    def retry_after(self, key: int) -> float:
        """Seconds until ``key`` may hit again (0 when it may now)."""
        if self.limit <= 0:
            return 0.0
        hits = self._hits.get(key)
        if not hits:
            return 0.0
        now = self._clock()
        while hits and now - hits[0] >= self.window:
            hits.popleft()
        if len(hits) < self.limit:
            return 0.0
        return self.window - (now - hits[0])

    def hit(self, key: int) -> None:
        if self.limit > 0:
            self._hits.setdefault(key, deque()).append(self._clock())
