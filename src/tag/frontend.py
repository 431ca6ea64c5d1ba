"""What every front end (bot, web, CLI over a broker) needs to talk to workers.

``RequestClient`` publishes ``SoundRequest``s to the request queue with this front
end's reply queue in ``reply_to``, consumes the ``SoundResponse``s that come back,
and (optionally) the transient progress events workers publish for that queue.
``RequestClient.cancel`` tells every worker that a request is no longer wanted
(a ``CancelEvent`` on the progress exchange): a worker that has not started it
acknowledges it without generating, one that is generating it stops where the
engine lets it; either answers with the error code ``cancelled``, never a sound.  ``WorkerWatch`` follows worker heartbeats
so front ends can tell whether anybody is there to answer.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Awaitable, Callable, Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from tag.broker import Broker, BrokerError, Delivery, Message, Subscription
from tag.broker.base import encoding_problem
from tag.config import Settings
from tag.messages import ProgressEvent, SoundRequest, SoundResponse, describe_errors
from tag.observability.logging import bound_request_id

if TYPE_CHECKING:
    from tag.backpressure import Admission
    from tag.observability.metrics import Metrics

log = logging.getLogger(__name__)

ResponseHandler = Callable[[SoundResponse], Awaitable[None]]
ProgressHandler = Callable[[ProgressEvent], Awaitable[None]]

# A reply that cannot be handed to the user (say, Telegram is down) is retried a
# few more times than a request before it is parked in the dead-letter queue.
REPLY_DELIVERY_LIMIT = 10
# Replies handed to the front end at once (uploads to users run in parallel).
REPLY_PREFETCH = 16


def progress_routing_key(reply_queue: str) -> str:
    return f"progress.{reply_queue}"


def heartbeat_routing_key(worker_id: str) -> str:
    return f"heartbeat.{worker_id}"


def cancel_routing_key(request_id: uuid.UUID | str) -> str:
    return f"cancel.{request_id}"


# What every worker subscribes to: the cancellations of all requests.
CANCEL_BINDING = cancel_routing_key("*")


class CancelEvent(BaseModel):
    """"The user no longer wants this request" (transient, best effort: the
    request's own time to live is the backstop when an event is lost)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    version: Literal[1] = 1
    request_id: uuid.UUID


class RequestClient:
    def __init__(self, broker: Broker, settings: Settings, reply_queue: str) -> None:
        self.broker = broker
        self.settings = settings
        self.reply_queue = reply_queue
        self._on_response: ResponseHandler | None = None
        self._on_progress: ProgressHandler | None = None
        self._subscriptions: list[Subscription] = []
        # Optional back-pressure (tag.backpressure): set by front ends that want
        # queue limits; submit then raises ServiceBusy (a BrokerError) when full.
        self.admission: Admission | None = None
        # Optional counters (requests sent, answers received) for /metrics.
        self.metrics: Metrics | None = None

    async def start(self, on_response: ResponseHandler, on_progress: ProgressHandler | None = None) -> None:
        self._on_response, self._on_progress = on_response, on_progress
        await self.broker.declare(self.settings.request_queue, delivery_limit=self.settings.delivery_limit)
        await self.broker.declare(self.reply_queue, delivery_limit=REPLY_DELIVERY_LIMIT)
        self._subscriptions.append(await self.broker.consume(self.reply_queue, self._handle_response, prefetch=REPLY_PREFETCH))
        if on_progress is not None:
            self._subscriptions.append(
                await self.broker.subscribe_events(
                    self.settings.progress_exchange, progress_routing_key(self.reply_queue), self._handle_progress
                )
            )

    async def stop(self) -> None:
        subscriptions, self._subscriptions = self._subscriptions, []
        for subscription in subscriptions:
            await subscription.cancel()

    async def submit(self, request: SoundRequest) -> None:
        """Queue ``request``; raises ``BrokerError`` if the broker does not confirm it."""
        if self.admission is not None:
            await self.admission.admit(request)
        try:
            await self.broker.publish(
                self.settings.request_queue,
                Message(
                    body=request.to_json(),
                    reply_to=self.reply_queue,
                    correlation_id=str(request.request_id),
                    message_id=str(request.request_id),
                    expiration_ms=int(self.settings.request_ttl * 1000),
                ),
            )
        except BrokerError:
            if self.admission is not None:
                self.admission.settle(request.request_id)  # nothing was queued
            raise
        if self.metrics is not None:
            self.metrics.received()

    async def cancel(self, request_id: uuid.UUID | str) -> None:
        """Tell the workers that ``request_id`` is not wanted any more (best effort).

        The worker that drops it answers with the error code ``cancelled`` (no
        sound); that answer, like any other, frees the user's place in the queue,
        so a user cannot cancel and resend past the per-user limit.
        """
        event = CancelEvent(request_id=uuid.UUID(str(request_id)))
        try:
            await self.broker.publish_event(
                self.settings.progress_exchange, cancel_routing_key(event.request_id), event.model_dump_json().encode()
            )
        except BrokerError as exc:
            # The request's time to live still ends it; its answer, if any, is dropped.
            log.info("cancellation of %s not announced to workers: %s", request_id, exc)

    async def _handle_response(self, delivery: Delivery) -> None:
        unreadable = encoding_problem(delivery.message)
        if unreadable is not None:
            await delivery.dead_letter("invalid response: " + unreadable)
            return
        try:
            response = SoundResponse.from_json(delivery.message.body)
        except ValidationError as exc:
            await delivery.dead_letter("invalid response: " + describe_errors(exc))
            return
        assert self._on_response is not None
        if self.admission is not None:
            self.admission.settle(response.request_id)
        if self.metrics is not None:
            self.metrics.answered(response.status, response.error.code if response.error else None)
        # If the handler raises, the broker requeues the delivery for another try.
        # The handler's log lines name the request (tag.observability.logging).
        with bound_request_id(response.request_id):
            await self._on_response(response)
        await delivery.ack()

    async def _handle_progress(self, body: bytes) -> None:
        try:
            event = ProgressEvent.model_validate_json(body)
        except ValidationError:
            log.debug("ignoring malformed progress event")
            return
        if self._on_progress is not None:
            await self._on_progress(event)


@dataclass
class WorkerInfo:
    worker_id: str
    engines: list[str]
    in_flight: int
    concurrency: int
    seen: float  # time.monotonic() of the last heartbeat
    batch: int = 1  # the most requests one engine batch takes (TAG_WORKER_BATCH)
    batch_running: int = 0  # requests in the batch the engine runs now
    batch_last: int = 0  # requests in the last batch started


class WorkerWatch:
    """Workers alive according to their heartbeats on the progress exchange."""

    def __init__(self, broker: Broker, settings: Settings, max_age: float = 15.0) -> None:
        self.broker = broker
        self.settings = settings
        self.max_age = max_age
        self._workers: dict[str, WorkerInfo] = {}
        self._subscription: Subscription | None = None

    async def start(self) -> None:
        self._subscription = await self.broker.subscribe_events(
            self.settings.progress_exchange, heartbeat_routing_key("*"), self._handle
        )

    async def stop(self) -> None:
        if self._subscription is not None:
            await self._subscription.cancel()
            self._subscription = None

    def alive(self) -> list[WorkerInfo]:
        now = time.monotonic()
        return [w for w in self._workers.values() if now - w.seen <= self.max_age]

    async def _handle(self, body: bytes) -> None:
        try:
            data = json.loads(body)
            info = WorkerInfo(
                worker_id=str(data["worker_id"]),
                engines=[str(e) for e in data.get("engines", [])],
                in_flight=int(data.get("in_flight", 0)),
                concurrency=int(data.get("concurrency", 1)),
                seen=time.monotonic(),
                # Absent from the heartbeats of workers older than batching.
                batch=int(data.get("batch", 1)),
                batch_running=int(data.get("batch_running", 0)),
                batch_last=int(data.get("batch_last", 0)),
            )
        except (ValueError, KeyError, TypeError):
            log.debug("ignoring malformed heartbeat")
            return
        if data.get("stopping"):
            # A worker saying goodbye is gone now, not when its heartbeat ages out.
            self._workers.pop(info.worker_id, None)
            return
        self._workers[info.worker_id] = info
