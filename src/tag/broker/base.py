"""The one small broker interface used by workers and front ends.

Two implementations: ``RabbitBroker`` (aio-pika, for any number of machines) and
``MemoryBroker`` (in-process, for ``tag run`` and fast tests).  Both give the same
semantics: durable work queues with manual acknowledgement, at-least-once
delivery, a bounded number of deliveries per message, and a dead-letter queue
``<queue>.dlq`` whose messages carry the reason in the ``x-tag-reason`` header.
"""

from __future__ import annotations

import abc
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable

from tag.messages import QUOTE_MAX_CHARS, excerpt

REASON_HEADER = "x-tag-reason"
DLQ_SUFFIX = ".dlq"


def reason_header(reason: str) -> str:
    """The ``x-tag-reason`` value for ``reason``: short, whatever the reason quotes."""
    return excerpt(reason)


def dead_letter_queue(queue: str) -> str:
    return queue + DLQ_SUFFIX


class BrokerError(Exception):
    """The broker could not be reached or refused an operation."""


class UnroutableError(BrokerError):
    """No queue exists to take a published message (e.g. a vanished reply queue)."""


@dataclass
class Message:
    """A message to publish (or as delivered, see ``Delivery``)."""

    body: bytes
    reply_to: str | None = None
    correlation_id: str | None = None
    message_id: str | None = None
    headers: dict[str, Any] = field(default_factory=dict)
    content_type: str = "application/json"
    # AMQP content-encoding: queue messages are plain UTF-8 JSON, so anything but
    # none or "identity" (gzip, ...) is refused (``encoding_problem``).
    content_encoding: str | None = None
    # Milliseconds after which an unconsumed message is discarded (None = never).
    expiration_ms: int | None = None


def encoding_problem(message: Message) -> str | None:
    """Why ``message``'s content encoding makes it unreadable here, or None.

    A consumer that ignored the encoding would read compressed bytes as JSON and
    report nonsense; the reason names the encoding instead.
    """
    encoding = (message.content_encoding or "").strip()
    if encoding.lower() in ("", "identity"):
        return None
    shown = excerpt(encoding, QUOTE_MAX_CHARS)
    return f"unsupported content encoding {shown!r}: queue messages are plain UTF-8 JSON (no content encoding)"


class Delivery(abc.ABC):
    """A consumed message.  Settle it exactly once: ack, requeue or dead_letter."""

    message: Message
    # 1 for the first delivery, 2 for the first redelivery, ...
    delivery_count: int

    @abc.abstractmethod
    async def ack(self) -> None: ...

    @abc.abstractmethod
    async def requeue(self) -> None:
        """Give the message back for another delivery (counts toward the limit)."""

    @abc.abstractmethod
    async def dead_letter(self, reason: str) -> None:
        """Move the message to ``<queue>.dlq`` with ``reason``, then remove it here."""


Handler = Callable[[Delivery], Awaitable[None]]
EventHandler = Callable[[bytes], Awaitable[None]]


class Subscription(abc.ABC):
    @abc.abstractmethod
    async def cancel(self) -> None:
        """Stop receiving; deliveries already handed out may still be settled."""


class Broker(abc.ABC):
    """Connection owner.  Use ``async with broker:`` or ``connect``/``close``."""

    url_for_logs: str = ""

    @abc.abstractmethod
    async def connect(self) -> None: ...

    @abc.abstractmethod
    async def close(self) -> None: ...

    @abc.abstractmethod
    async def declare(self, queue: str, *, delivery_limit: int = 3) -> None:
        """Declare a durable work queue and its dead-letter queue (idempotent)."""

    @abc.abstractmethod
    async def publish(self, queue: str, message: Message) -> None:
        """Persist ``message`` on ``queue``; returns once the broker confirmed it."""

    @abc.abstractmethod
    async def consume(self, queue: str, handler: Handler, *, prefetch: int = 1) -> Subscription:
        """Call ``handler`` for each delivery, at most ``prefetch`` unsettled at once.

        A handler that raises gets its delivery requeued (if still unsettled).
        """

    @abc.abstractmethod
    async def queue_depth(self, queue: str) -> int | None:
        """Messages ready in ``queue``, or None when unknown."""

    # Transient fan-out events (progress, heartbeats): best effort, never persisted.
    @abc.abstractmethod
    async def publish_event(self, exchange: str, routing_key: str, body: bytes) -> None: ...

    @abc.abstractmethod
    async def subscribe_events(self, exchange: str, routing_key: str, handler: EventHandler) -> Subscription:
        """Receive events published with ``routing_key`` ("#" for all)."""

    async def __aenter__(self) -> "Broker":
        await self.connect()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()
