"""Progress events from an engine thread to the progress exchange.

Engines call ``progress(stage, percent)`` from their own thread, often hundreds
of times per generation.  ``ProgressReporter`` forwards at most a few events per
second (always the first of each stage and the end), hops onto the event loop
thread-safely, and publishes in order.  Events are best effort: a failed publish
is logged and forgotten, never an error for the request.

The callback is also where a generation learns that its request was cancelled:
once ``cancelled`` is set, the engine's next progress call raises
``GenerationCancelled`` and the generation stops there.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
import uuid
from typing import Awaitable, Callable

from tag.messages import ProgressEvent

log = logging.getLogger(__name__)

PublishEvent = Callable[[ProgressEvent], Awaitable[None]]


class GenerationCancelled(BaseException):
    """Raised in the engine's thread by a progress call after the request was cancelled.

    A ``BaseException`` (like ``asyncio.CancelledError``) so that an engine's own
    ``except Exception`` error handling lets it through to the worker, which then
    acknowledges the request without answering.
    """


class ProgressReporter:
    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        publish: PublishEvent,
        request_id: uuid.UUID,
        *,
        min_interval: float = 0.25,
        clock: Callable[[], float] = time.monotonic,
        cancelled: threading.Event | None = None,
    ) -> None:
        self._loop = loop
        self._cancelled = cancelled
        self._publish = publish
        self._request_id = request_id
        self._min_interval = min_interval
        self._clock = clock
        self._lock = threading.Lock()
        self._last_stage: str | None = None
        self._last_time = float("-inf")
        self._closed = False
        self._tail: asyncio.Future[None] | None = None  # last scheduled publish, to keep order

    def __call__(self, stage: str, percent: float) -> None:
        """Engine-side callback; thread-safe, cheap; raises only ``GenerationCancelled``."""
        if self._cancelled is not None and self._cancelled.is_set():
            raise GenerationCancelled(str(self._request_id))
        try:
            now = self._clock()
            with self._lock:
                if self._closed:
                    return
                if stage == self._last_stage and now - self._last_time < self._min_interval:
                    return
                self._last_stage, self._last_time = stage, now
            event = ProgressEvent(request_id=self._request_id, stage=stage, percent=min(100.0, max(0.0, percent)))  # type: ignore[arg-type]
            self._loop.call_soon_threadsafe(self._enqueue, event)
        except Exception as exc:  # a closed loop or a bad stage name must not break generation
            log.debug("progress event dropped: %r", exc)

    async def emit(self, stage: str, percent: float) -> None:
        """Loop-side event (started, done); not throttled."""
        with self._lock:
            self._last_stage, self._last_time = stage, self._clock()
        self._enqueue(ProgressEvent(request_id=self._request_id, stage=stage, percent=percent))  # type: ignore[arg-type]

    def close(self) -> None:
        """Ignore whatever the engine reports from now on."""
        with self._lock:
            self._closed = True

    async def drain(self) -> None:
        """Wait until every scheduled event has been handed to the broker."""
        if self._tail is not None:
            await asyncio.shield(self._tail)

    def _enqueue(self, event: ProgressEvent) -> None:
        previous = self._tail
        self._tail = asyncio.ensure_future(self._send(event, previous), loop=self._loop)

    async def _send(self, event: ProgressEvent, previous: asyncio.Future[None] | None) -> None:
        if previous is not None:
            await asyncio.wait([previous])
        try:
            await self._publish(event)
        except Exception as exc:
            log.debug("progress event for %s not published: %r", self._request_id, exc)
