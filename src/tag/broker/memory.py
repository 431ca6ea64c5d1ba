"""In-process broker (``memory://``): the RabbitMQ semantics TAG relies on, in one process.

Used by ``tag run`` on a single machine and by fast tests.  It mirrors what the
RabbitMQ implementation gives: manual ack, requeue counted toward a delivery
limit, dead-lettering to ``<queue>.dlq`` with a reason (also when the limit is
exceeded or a message expires), a prefetch limit per consumer, round-robin over
consumers, and topic-routed transient events.  Nothing survives the process.

All state is touched only from the event loop, so no locks are needed.
"""

from __future__ import annotations

import asyncio
import collections
import logging
import time
from dataclasses import dataclass, field, replace
from typing import Awaitable, Callable, ClassVar

from tag.broker.base import (
    REASON_HEADER,
    Broker,
    BrokerError,
    Delivery,
    EventHandler,
    Handler,
    Message,
    Subscription,
    UnroutableError,
    dead_letter_queue,
    reason_header,
)

log = logging.getLogger(__name__)


@dataclass
class _Entry:
    message: Message
    returns: int = 0  # deliveries that ended in requeue (RabbitMQ's x-delivery-count)
    expires_at: float | None = None


@dataclass
class _Consumer:
    handler: Handler
    prefetch: int
    unsettled: int = 0
    active: bool = True


@dataclass
class _Queue:
    name: str
    delivery_limit: int | None  # None: no limit (dead-letter queues)
    ready: collections.deque[_Entry] = field(default_factory=collections.deque)
    consumers: list[_Consumer] = field(default_factory=list)
    turn: int = 0  # round-robin position


class MemoryDelivery(Delivery):
    def __init__(self, broker: "MemoryBroker", queue: _Queue, entry: _Entry, consumer: _Consumer) -> None:
        self._broker = broker
        self._queue = queue
        self._entry = entry
        self._consumer = consumer
        self.message = replace(entry.message, headers=dict(entry.message.headers))
        if entry.returns:
            self.message.headers["x-delivery-count"] = entry.returns
        self.delivery_count = entry.returns + 1
        self.settled = False

    def _settle(self) -> None:
        if self.settled:
            raise BrokerError(f"delivery on {self._queue.name!r} was already settled")
        self.settled = True
        self._consumer.unsettled -= 1
        self._broker._outstanding.discard(self)

    async def ack(self) -> None:
        self._settle()
        self._broker._pump(self._queue)

    async def requeue(self) -> None:
        self._settle()
        self._broker._return(self._queue, self._entry)

    async def dead_letter(self, reason: str) -> None:
        self._settle()
        self._broker._dead_letter(self._queue, self._entry, reason)
        self._broker._pump(self._queue)


class _ConsumerSubscription(Subscription):
    def __init__(self, broker: "MemoryBroker", queue: _Queue, consumer: _Consumer) -> None:
        self._broker, self._queue, self._consumer = broker, queue, consumer

    async def cancel(self) -> None:
        self._consumer.active = False
        if self._consumer in self._queue.consumers:
            self._queue.consumers.remove(self._consumer)


@dataclass
class _EventSubscriber:
    exchange: str
    binding_key: str
    handler: EventHandler


class _EventSubscription(Subscription):
    def __init__(self, broker: "MemoryBroker", subscriber: _EventSubscriber) -> None:
        self._broker, self._subscriber = broker, subscriber

    async def cancel(self) -> None:
        if self._subscriber in self._broker._subscribers:
            self._broker._subscribers.remove(self._subscriber)


def topic_matches(binding_key: str, routing_key: str) -> bool:
    """AMQP topic matching: ``*`` is exactly one word, ``#`` zero or more words."""

    def match(pattern: list[str], words: list[str]) -> bool:
        if not pattern:
            return not words
        head, rest = pattern[0], pattern[1:]
        if head == "#":
            return any(match(rest, words[skip:]) for skip in range(len(words) + 1))
        return bool(words) and head in ("*", words[0]) and match(rest, words[1:])

    return match(binding_key.split("."), routing_key.split("."))


class MemoryBroker(Broker):
    _instances: ClassVar[dict[str, "MemoryBroker"]] = {}

    def __init__(self, url: str = "memory://", *, clock: Callable[[], float] = time.monotonic) -> None:
        self.url_for_logs = url
        self._clock = clock
        self._connected = False
        self._queues: dict[str, _Queue] = {}
        self._subscribers: list[_EventSubscriber] = []
        self._outstanding: set[MemoryDelivery] = set()
        self._tasks: set[asyncio.Task[None]] = set()

    @classmethod
    def shared(cls, url: str = "memory://") -> "MemoryBroker":
        """The one broker for ``url`` in this process, so components meet on it."""
        broker = cls._instances.get(url)
        if broker is None:
            broker = cls._instances[url] = cls(url)
        return broker

    async def connect(self) -> None:
        self._connected = True

    async def close(self) -> None:
        """Stop all consumers; unsettled deliveries go back to their queues (as on a lost connection)."""
        self._connected = False
        for queue in self._queues.values():
            for consumer in queue.consumers:
                consumer.active = False
            queue.consumers.clear()
        for delivery in list(self._outstanding):
            if not delivery.settled:
                await delivery.requeue()
        self._subscribers.clear()

    def _require(self) -> None:
        if not self._connected:
            raise BrokerError(f"the broker {self.url_for_logs} is not connected")

    def _get(self, name: str) -> _Queue:
        queue = self._queues.get(name)
        if queue is None:
            raise UnroutableError(f"no queue named {name!r} to take the message")
        return queue

    # -- work queues --------------------------------------------------------
    async def declare(self, queue: str, *, delivery_limit: int = 3) -> None:
        self._require()
        existing = self._queues.get(queue)
        if existing is not None and existing.delivery_limit != delivery_limit:
            raise BrokerError(
                f"queue {queue!r} already exists with delivery limit {existing.delivery_limit}, "
                f"not {delivery_limit}; use another name"
            )
        self._queues.setdefault(dead_letter_queue(queue), _Queue(dead_letter_queue(queue), None))
        self._queues.setdefault(queue, _Queue(queue, delivery_limit))

    async def publish(self, queue: str, message: Message) -> None:
        self._require()
        target = self._get(queue)
        expires = None if message.expiration_ms is None else self._clock() + message.expiration_ms / 1000
        copy = replace(message, headers=dict(message.headers))
        target.ready.append(_Entry(copy, expires_at=expires))
        self._pump(target)

    async def consume(self, queue: str, handler: Handler, *, prefetch: int = 1) -> Subscription:
        self._require()
        if queue not in self._queues:
            raise BrokerError(f"queue {queue!r} does not exist; declare it first")
        if prefetch < 1:
            raise BrokerError("prefetch must be at least 1")
        target = self._queues[queue]
        consumer = _Consumer(handler, prefetch)
        target.consumers.append(consumer)
        self._pump(target)
        return _ConsumerSubscription(self, target, consumer)

    async def queue_depth(self, queue: str) -> int | None:
        target = self._queues.get(queue)
        if target is None:
            return None
        self._drop_expired(target)
        return len(target.ready)

    async def delete_queue(self, queue: str) -> None:
        for name in (queue, dead_letter_queue(queue)):
            self._queues.pop(name, None)

    def messages(self, queue: str) -> list[Message]:
        """Copies of the messages ready in ``queue`` (inspection in tests and tools)."""
        target = self._queues.get(queue)
        return [] if target is None else [replace(e.message, headers=dict(e.message.headers)) for e in target.ready]

    # -- internals -------------------------------------------------------------
    def _drop_expired(self, queue: _Queue) -> None:
        now = self._clock()
        kept: collections.deque[_Entry] = collections.deque()
        expired = []
        for entry in queue.ready:
            (expired if entry.expires_at is not None and entry.expires_at <= now else kept).append(entry)
        if expired:
            queue.ready = kept
            for entry in expired:
                self._dead_letter(queue, entry, "expired before a consumer took it")

    def _return(self, queue: _Queue, entry: _Entry) -> None:
        entry.returns += 1
        if queue.delivery_limit is not None and entry.returns > queue.delivery_limit:
            self._dead_letter(
                queue, entry, f"delivery limit exceeded: delivered {entry.returns} times without success"
            )
        else:
            queue.ready.appendleft(entry)  # a returned message keeps its place at the head
        self._pump(queue)

    def _dead_letter(self, queue: _Queue, entry: _Entry, reason: str) -> None:
        dlq = self._queues.get(dead_letter_queue(queue.name))
        if dlq is None:  # a dead-letter queue's own dead letters are dropped, as in RabbitMQ
            log.warning("dropping a message from %r: %s", queue.name, reason)
            return
        headers = dict(entry.message.headers)
        headers[REASON_HEADER] = reason_header(reason)
        headers["x-tag-queue"] = queue.name
        dlq.ready.append(_Entry(replace(entry.message, headers=headers, expiration_ms=None)))
        self._pump(dlq)

    def _pump(self, queue: _Queue) -> None:
        """Hand ready messages to consumers with free prefetch slots, round robin."""
        if not self._connected:
            return
        self._drop_expired(queue)
        while queue.ready and queue.consumers:
            consumer = self._next_consumer(queue)
            if consumer is None:
                return
            entry = queue.ready.popleft()
            consumer.unsettled += 1
            delivery = MemoryDelivery(self, queue, entry, consumer)
            self._outstanding.add(delivery)
            self._spawn(self._run_handler(consumer.handler, delivery, queue.name))

    def _next_consumer(self, queue: _Queue) -> _Consumer | None:
        count = len(queue.consumers)
        for offset in range(count):
            consumer = queue.consumers[(queue.turn + offset) % count]
            if consumer.active and consumer.unsettled < consumer.prefetch:
                queue.turn = (queue.turn + offset + 1) % count
                return consumer
        return None

    async def _run_handler(self, handler: Handler, delivery: MemoryDelivery, name: str) -> None:
        try:
            await handler(delivery)
        except Exception:
            log.exception("handler for %r failed; the message goes back to the queue", name)
            if not delivery.settled:
                await delivery.requeue()

    def _spawn(self, coroutine: Awaitable[None]) -> None:
        task = asyncio.get_running_loop().create_task(coroutine)  # type: ignore[arg-type]
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # -- transient events -----------------------------------------------------
    async def publish_event(self, exchange: str, routing_key: str, body: bytes) -> None:
        self._require()
        for subscriber in list(self._subscribers):
            if subscriber.exchange == exchange and topic_matches(subscriber.binding_key, routing_key):
                self._spawn(self._deliver_event(subscriber, body))

    async def _deliver_event(self, subscriber: _EventSubscriber, body: bytes) -> None:
        try:
            await subscriber.handler(body)
        except Exception:
            log.exception("event handler for %r failed", subscriber.exchange)

    async def subscribe_events(self, exchange: str, routing_key: str, handler: EventHandler) -> Subscription:
        self._require()
        subscriber = _EventSubscriber(exchange, routing_key, handler)
        self._subscribers.append(subscriber)
        return _EventSubscription(self, subscriber)

