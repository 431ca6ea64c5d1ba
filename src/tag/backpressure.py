"""Back-pressure: tell users the service is busy instead of letting them wait forever.

Two limits, checked by a front end before it queues a request:

- per user (``TAG_MAX_QUEUE_PER_USER``): requests this front end sent for the
  user that are not answered yet.  The front end that sent them is the one that
  receives their answers, so its own ledger is exact; entries are forgotten once
  no answer can come any more (request TTL plus the front end's wait);
- in total (``TAG_MAX_QUEUE_TOTAL``): requests waiting in the request queue, as
  the broker counts them (shared by every front end), read at most every
  ``depth_every`` seconds so a burst of users costs one round trip.

Staleness is handled by the request TTL (``TAG_REQUEST_TTL``): ``RequestClient``
publishes with that expiration, so a request nobody started in time is dropped
by the broker rather than generated for a user who gave up.

``ServiceBusy`` subclasses ``BrokerError`` on purpose: every front end already
tells the user "try again later" when a submit fails, so the limit works even
where nobody catches it specially; ``reason`` and ``message`` allow a better text.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from dataclasses import dataclass
from typing import Callable

from tag.broker import Broker, BrokerError
from tag.config import Settings
from tag.messages import SoundRequest
from tag.observability.metrics import Metrics

log = logging.getLogger(__name__)

USER_LIMIT = "user_queue_full"
TOTAL_LIMIT = "queue_full"


class ServiceBusy(BrokerError):
    """A limit is reached; ``message`` is fit to show to the user."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


@dataclass
class _Pending:
    user_id: int
    forget_at: float


class Admission:
    def __init__(
        self,
        broker: Broker,
        settings: Settings,
        metrics: Metrics | None = None,
        *,
        depth_every: float = 0.5,
        clock: Callable[[], float] = time.monotonic,
        per_user: bool = True,
    ) -> None:
        self.broker = broker
        # Off for front ends whose requests do not carry real user ids (the web
        # page sends every request as one user and limits clients itself).
        self.per_user = per_user
        self.settings = settings
        self.metrics = metrics
        self.depth_every = depth_every
        self.clock = clock
        # After this long an unanswered request can no longer be answered: it
        # expired in the queue, or the front end stopped waiting for it.
        self.horizon = settings.request_ttl + settings.request_timeout
        self._pending: dict[str, _Pending] = {}
        self._depth: int | None = None
        self._depth_at = float("-inf")
        self._lock = asyncio.Lock()

    def pending(self, user_id: int | None = None) -> int:
        self._forget_expired()
        if user_id is None:
            return len(self._pending)
        return sum(1 for p in self._pending.values() if p.user_id == user_id)

    async def admit(self, request: SoundRequest) -> None:
        """Reserve a place for ``request`` or raise ``ServiceBusy``."""
        rid = str(request.request_id)
        if rid in self._pending:
            return  # a retry of a request already admitted
        mine = self.pending(request.user_id)
        if self.per_user and mine >= self.settings.max_queue_per_user:
            self._reject(USER_LIMIT)
            raise ServiceBusy(
                USER_LIMIT,
                f"you already have {mine} request(s) being made; "
                "please wait for them before asking for more",
            )
        depth = await self._queue_depth()
        if depth is not None and depth >= self.settings.max_queue_total:
            self._reject(TOTAL_LIMIT)
            raise ServiceBusy(
                TOTAL_LIMIT,
                f"the service is busy right now ({depth} requests are waiting); please try again in a few minutes",
            )
        self._pending[rid] = _Pending(request.user_id, self.clock() + self.horizon)

    def settle(self, request_id: uuid.UUID | str) -> bool:
        """The request was answered (or will not be sent): free its place.

        Returns False when it was not pending (a duplicate or a stale answer).
        """
        return self._pending.pop(str(request_id), None) is not None

    def _forget_expired(self) -> None:
        now = self.clock()
        for rid in [rid for rid, p in self._pending.items() if p.forget_at <= now]:
            del self._pending[rid]

    def _reject(self, reason: str) -> None:
        log.info("request refused: %s", reason)
        if self.metrics is not None:
            self.metrics.rejected(reason)

    async def _queue_depth(self) -> int | None:
        async with self._lock:
            if self.clock() - self._depth_at >= self.depth_every:
                try:
                    self._depth = await self.broker.queue_depth(self.settings.request_queue)
                except BrokerError as exc:
                    # The publish that follows will fail and say so; do not guess here.
                    log.debug("queue depth unknown: %s", exc)
                    self._depth = None
                self._depth_at = self.clock()
                if self.metrics is not None and self._depth is not None:
                    self.metrics.set_queue_depth(self.settings.request_queue, self._depth)
            return self._depth
