"""A bounded memory of recent request ids (answered ones, cancelled ones)."""

from __future__ import annotations

import time
from collections import OrderedDict
from typing import Callable


class RecentIds:
    """Least-recently-used set of at most ``capacity`` ids, each kept ``max_age`` seconds at most.

    RabbitMQ delivers at least once: a request whose ack was lost with the
    connection comes back.  Remembering what was answered lets the worker ack
    such a copy instead of generating (and sending) the sound twice.  Cancelled
    ids only matter while their request can still be queued, so that memory is
    given the request's time to live as ``max_age``.
    """

    def __init__(
        self, capacity: int = 10_000, *, max_age: float | None = None, clock: Callable[[], float] = time.monotonic
    ) -> None:
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        self.capacity = capacity
        self.max_age = max_age
        self._clock = clock
        self._ids: OrderedDict[str, float] = OrderedDict()  # id -> time added

    def add(self, key: str) -> None:
        self._ids[key] = self._clock()
        self._ids.move_to_end(key)
        while len(self._ids) > self.capacity:
            self._ids.popitem(last=False)

    def __contains__(self, key: object) -> bool:
        added = self._ids.get(key)  # type: ignore[call-overload]
        if added is None:
            return False
        if self.max_age is not None and self._clock() - added > self.max_age:
            del self._ids[key]  # type: ignore[arg-type]
            return False
        self._ids.move_to_end(key)  # type: ignore[arg-type]
        return True

    def __len__(self) -> int:
        return len(self._ids)
