"""RabbitMQ implementation of the broker interface (aio-pika).

Work queues are durable quorum queues: RabbitMQ counts deliveries itself
(``x-delivery-count``, believed only on a redelivery: see ``delivery_count``) and, past ``x-delivery-limit`` returns, dead-letters the
message to ``<queue>.dlq`` on its own, so a message that kills every consumer
cannot loop forever even when no consumer lives long enough to settle it.

One robust connection per broker object; it reconnects after a server-side
close and re-declares queues, exchanges, bindings and consumers.  Publishing
uses a channel with publisher confirms; each consumer gets its own channel so
its prefetch limit is its own.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import uuid
from typing import Any, Callable
from urllib.parse import urlsplit

import aio_pika
import aiormq
from aio_pika.abc import (
    AbstractIncomingMessage,
    AbstractRobustChannel,
    AbstractRobustConnection,
    AbstractRobustExchange,
    AbstractRobustQueue,
)

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
from tag.config import redact_url

log = logging.getLogger(__name__)

# How long a publish waits for a lost connection to come back before failing.
PUBLISH_PATIENCE = 30.0
OPERATION_TIMEOUT = 15.0
DIRECT_REPLY_TO = "amq.rabbitmq.reply-to"


def queue_arguments(queue: str, delivery_limit: int) -> dict[str, Any]:
    """Arguments of a work queue; every declarer must use exactly these."""
    return {
        "x-queue-type": "quorum",
        "x-delivery-limit": delivery_limit,
        "x-dead-letter-exchange": "",
        "x-dead-letter-routing-key": dead_letter_queue(queue),
    }


DLQ_ARGUMENTS: dict[str, Any] = {"x-queue-type": "quorum"}


def _to_amqp(message: Message, *, persistent: bool = True) -> aio_pika.Message:
    return aio_pika.Message(
        body=message.body,
        headers=dict(message.headers) or None,
        content_type=message.content_type,
        content_encoding=message.content_encoding,
        reply_to=message.reply_to,
        correlation_id=message.correlation_id,
        message_id=message.message_id,
        expiration=None if message.expiration_ms is None else message.expiration_ms / 1000,
        delivery_mode=aio_pika.DeliveryMode.PERSISTENT if persistent else aio_pika.DeliveryMode.NOT_PERSISTENT,
    )


def _from_amqp(incoming: AbstractIncomingMessage) -> Message:
    expiration = incoming.expiration
    return Message(
        body=incoming.body,
        reply_to=incoming.reply_to,
        correlation_id=incoming.correlation_id,
        message_id=incoming.message_id,
        headers=dict(incoming.headers or {}),
        content_type=incoming.content_type or "application/octet-stream",
        content_encoding=incoming.content_encoding or None,
        expiration_ms=None if expiration is None else int(expiration * 1000),
    )


def delivery_count(redelivered: bool | None, headers: dict[str, Any]) -> int:
    """Which delivery of a message this is: 1 for the first, 2 for the first redelivery, ...

    Quorum queues count earlier returns in ``x-delivery-count``, but only on a
    redelivery: on a first delivery the header is whatever the publisher wrote
    (any client may set it, and a message re-published from the dead-letter
    queue still carries the old count), so it is believed only when the broker
    flags the delivery as a redelivery.
    """
    if not redelivered:
        return 1
    previous = headers.get("x-delivery-count")
    if isinstance(previous, int) and not isinstance(previous, bool) and previous >= 1:
        return previous + 1
    return 2  # a redelivery the queue did not count (a classic queue, or a return that does not count)


class RabbitDelivery(Delivery):
    def __init__(self, broker: "RabbitBroker", queue: str, incoming: AbstractIncomingMessage) -> None:
        self._broker = broker
        self._queue = queue
        self._incoming = incoming
        self.message = _from_amqp(incoming)
        self.delivery_count = delivery_count(incoming.redelivered, self.message.headers)
        self.settled = False

    async def _settle(self, action: str, operation: Any) -> None:
        if self.settled:
            raise BrokerError(f"delivery on {self._queue!r} was already settled")
        try:
            await operation
        except (aiormq.exceptions.AMQPError, ConnectionError, RuntimeError) as exc:
            # The channel that carried the message is gone: RabbitMQ has already
            # put the message back and will deliver it again.
            raise BrokerError(
                f"could not {action} a delivery on {self._queue!r}: the channel closed "
                "(the message will be delivered again)"
            ) from exc
        finally:
            self.settled = True

    async def ack(self) -> None:
        await self._settle("ack", self._incoming.ack())

    async def requeue(self) -> None:
        # basic.reject, not basic.nack: from RabbitMQ 4.3 on only a reject (or a
        # closed channel) counts toward x-delivery-limit, and a requeue here is
        # always a failed attempt that must count.
        await self._settle("requeue", self._incoming.reject(requeue=True))

    async def dead_letter(self, reason: str) -> None:
        if self.settled:
            raise BrokerError(f"delivery on {self._queue!r} was already settled")
        copy = _from_amqp(self._incoming)
        copy.headers[REASON_HEADER] = reason_header(reason)
        copy.headers["x-tag-queue"] = self._queue
        copy.expiration_ms = None  # a dead letter waits for a human, however long
        await self._broker.publish(dead_letter_queue(self._queue), copy)
        await self.ack()


class _RabbitConsumer(Subscription):
    def __init__(self, channel: AbstractRobustChannel, queue: AbstractRobustQueue, tag: str) -> None:
        self._channel = channel
        self._queue = queue
        self._tag = tag
        self._cancelled = False

    async def cancel(self) -> None:
        if self._cancelled:
            return
        self._cancelled = True
        try:
            await asyncio.wait_for(self._queue.cancel(self._tag), OPERATION_TIMEOUT)
        except Exception as exc:  # the connection may already be gone; nothing to undo
            log.debug("cancelling consumer on %s: %r", self._queue.name, exc)


class _RabbitEventSubscription(Subscription):
    def __init__(self, channel: AbstractRobustChannel, queue: AbstractRobustQueue, tag: str) -> None:
        self._channel = channel
        self._queue = queue
        self._tag = tag

    async def cancel(self) -> None:
        try:
            await self._queue.cancel(self._tag)
            await self._queue.delete(if_unused=False, if_empty=False)
        except Exception as exc:
            log.debug("cancelling event subscription %s: %r", self._queue.name, exc)
        finally:
            await _close_quietly(self._channel)


async def _close_quietly(channel: AbstractRobustChannel) -> None:
    # Bounded: on a dead connection a close handshake would never complete.
    try:
        await asyncio.wait_for(channel.close(), 2.0)
    except Exception as exc:
        log.debug("closing channel: %r", exc)


class RabbitBroker(Broker):
    def __init__(
        self,
        url: str,
        *,
        connection_name: str | None = None,
        reconnect_interval: float = 1.0,
        connect_timeout: float = 10.0,
    ) -> None:
        self._url = url
        self.url_for_logs = redact_url(url)
        self.connection_name = connection_name or f"tag-{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
        self._reconnect_interval = reconnect_interval
        self._connect_timeout = connect_timeout
        self._connection: AbstractRobustConnection | None = None
        self._publish_channel: AbstractRobustChannel | None = None
        self._event_channel: AbstractRobustChannel | None = None
        self._queue_args: dict[str, dict[str, Any]] = {}
        self._exchanges: dict[str, AbstractRobustExchange] = {}
        self._consumer_channels: set[AbstractRobustChannel] = set()
        self._handler_tasks: set[asyncio.Task[None]] = set()
        # Called after each successful reconnect (metrics, logs of the owner).
        self.reconnect_callbacks: list[Callable[[], None]] = []

    # -- connection ---------------------------------------------------------
    def _safe(self, exc: BaseException) -> str:
        """An exception's text with the password removed."""
        text = f"{type(exc).__name__}: {exc}".replace(self._url, self.url_for_logs)
        password = urlsplit(self._url).password
        return text.replace(password, "***") if password else text

    async def connect(self) -> None:
        if self._connection is not None:
            return
        try:
            self._connection = await aio_pika.connect_robust(
                self._url,
                timeout=self._connect_timeout,
                reconnect_interval=self._reconnect_interval,
                client_properties={"connection_name": self.connection_name},
            )
            self._publish_channel = self._connection.channel(publisher_confirms=True, on_return_raises=True)
            await self._publish_channel.initialize()
            self._event_channel = self._connection.channel(publisher_confirms=False)
            await self._event_channel.initialize()
        except Exception as exc:
            connection, self._connection = self._connection, None
            if connection is not None:
                await asyncio.gather(connection.close(), return_exceptions=True)
            raise BrokerError(f"cannot connect to RabbitMQ at {self.url_for_logs}: {self._safe(exc)}") from None
        self._connection.reconnect_callbacks.add(self._on_reconnect)
        log.info("connected to RabbitMQ at %s as %s", self.url_for_logs, self.connection_name)

    def _on_reconnect(self, *_: object) -> None:
        log.warning("reconnected to RabbitMQ at %s; queues and consumers restored", self.url_for_logs)
        for callback in list(self.reconnect_callbacks):
            try:
                callback()
            except Exception:
                log.exception("reconnect callback failed")

    async def close(self) -> None:
        connection, self._connection = self._connection, None
        if connection is None:
            return
        self._exchanges.clear()
        self._consumer_channels.clear()
        try:
            await asyncio.wait_for(connection.close(), OPERATION_TIMEOUT)
        except Exception as exc:
            log.debug("closing connection: %s", self._safe(exc))
        for task in list(self._handler_tasks):
            task.cancel()  # their deliveries died with the connection
        log.info("disconnected from RabbitMQ at %s", self.url_for_logs)

    def _require(self) -> AbstractRobustConnection:
        if self._connection is None:
            raise BrokerError("the broker is not connected")
        return self._connection

    def _live(self) -> AbstractRobustConnection:
        """The connection if it is up right now: operations other than publishing
        fail fast during an outage instead of hanging until the reconnect."""
        connection = self._require()
        if not connection.connected.is_set():
            raise BrokerError(f"the connection to {self.url_for_logs} is down; reconnecting")
        return connection

    # -- work queues --------------------------------------------------------
    async def declare(self, queue: str, *, delivery_limit: int = 3) -> None:
        connection = self._live()
        arguments = queue_arguments(queue, delivery_limit)
        # A refused declaration closes its channel, so use a throw-away one.
        channel = connection.channel(publisher_confirms=False)
        try:
            await channel.initialize(timeout=OPERATION_TIMEOUT)
            for name, args in ((dead_letter_queue(queue), DLQ_ARGUMENTS), (queue, arguments)):
                try:
                    await channel.declare_queue(name, durable=True, arguments=args, robust=False)
                except aiormq.exceptions.ChannelPreconditionFailed as exc:
                    raise BrokerError(
                        f"queue {name!r} already exists with other arguments than {args} "
                        f"(server said: {exc}); delete it or use another name"
                    ) from None
        except BrokerError:
            raise
        except Exception as exc:
            raise BrokerError(f"cannot declare queue {queue!r}: {self._safe(exc)}") from None
        finally:
            await _close_quietly(channel)
        self._queue_args[queue] = arguments
        self._queue_args[dead_letter_queue(queue)] = DLQ_ARGUMENTS

    async def publish(self, queue: str, message: Message) -> None:
        await self._publish(queue, _to_amqp(message))

    async def _publish(self, routing_key: str, message: aio_pika.Message) -> None:
        self._require()
        channel = self._publish_channel
        assert channel is not None
        loop = asyncio.get_running_loop()
        deadline = loop.time() + PUBLISH_PATIENCE
        # Direct reply-to pseudo-queues report a delivered mandatory message as
        # returned, so unroutable replies cannot be detected there.
        mandatory = not routing_key.startswith(DIRECT_REPLY_TO)
        while True:
            try:
                # ready() waits while a lost connection is being restored.
                await asyncio.wait_for(channel.ready(), max(0.1, deadline - loop.time()))
                await asyncio.wait_for(
                    channel.default_exchange.publish(message, routing_key, mandatory=mandatory),
                    OPERATION_TIMEOUT,
                )
                return
            except aio_pika.exceptions.PublishError:
                raise UnroutableError(f"no queue named {routing_key!r} to take the message") from None
            except aio_pika.exceptions.DeliveryError as exc:
                raise BrokerError(f"RabbitMQ refused a message for {routing_key!r}: {exc}") from None
            except (aiormq.exceptions.AMQPError, ConnectionError, asyncio.TimeoutError, RuntimeError) as exc:
                if self._connection is None or loop.time() >= deadline:
                    raise BrokerError(
                        f"cannot publish to {routing_key!r} on {self.url_for_logs}: {self._safe(exc)}"
                    ) from None
                # Lost confirm or closed channel: retry once the connection is back.
                # A retry may duplicate the message; consumers deduplicate by request id.
                log.info("publish to %r interrupted (%s); retrying", routing_key, type(exc).__name__)
                await asyncio.sleep(0.2)

    async def consume(self, queue: str, handler: Handler, *, prefetch: int = 1) -> Subscription:
        connection = self._live()
        channel = connection.channel(publisher_confirms=False)
        try:
            await channel.initialize(timeout=OPERATION_TIMEOUT)
            await channel.set_qos(prefetch_count=prefetch)
            arguments = self._queue_args.get(queue)
            if arguments is None:
                # Not declared by us: it must exist already, whatever its arguments.
                amqp_queue = await channel.declare_queue(queue, passive=True)
            else:
                amqp_queue = await channel.declare_queue(queue, durable=True, arguments=arguments)
        except Exception as exc:
            await _close_quietly(channel)
            if isinstance(exc, aiormq.exceptions.ChannelNotFoundEntity):
                raise BrokerError(f"queue {queue!r} does not exist; declare it first") from None
            raise BrokerError(f"cannot consume from {queue!r}: {self._safe(exc)}") from None

        async def run_handler(delivery: RabbitDelivery) -> None:
            try:
                await handler(delivery)
            except Exception:
                log.exception("handler for %r failed; the message goes back to the queue", queue)
                if not delivery.settled:
                    try:
                        await delivery.requeue()
                    except BrokerError as exc:
                        log.warning("%s", exc)

        async def on_message(incoming: AbstractIncomingMessage) -> None:
            # The client library cancels its own callback tasks when a channel
            # closes; a job in hand must outlive a dropped connection (its
            # response is still worth publishing), so it runs in a task of ours.
            task = asyncio.create_task(run_handler(RabbitDelivery(self, queue, incoming)))
            self._handler_tasks.add(task)
            task.add_done_callback(self._handler_tasks.discard)

        tag = await amqp_queue.consume(on_message, no_ack=False)
        self._consumer_channels.add(channel)
        return _RabbitConsumer(channel, amqp_queue, tag)

    async def queue_depth(self, queue: str) -> int | None:
        connection = self._live()
        channel = connection.channel(publisher_confirms=False)
        try:
            await channel.initialize(timeout=OPERATION_TIMEOUT)
            declared = await channel.declare_queue(queue, passive=True, robust=False)
            return declared.declaration_result.message_count
        except aiormq.exceptions.ChannelNotFoundEntity:
            return None
        except Exception as exc:
            raise BrokerError(f"cannot ask for the depth of {queue!r}: {self._safe(exc)}") from None
        finally:
            await _close_quietly(channel)

    async def delete_queue(self, queue: str) -> None:
        """Delete ``queue`` and its dead-letter queue (tests, maintenance)."""
        connection = self._live()
        channel = connection.channel(publisher_confirms=False)
        try:
            await channel.initialize(timeout=OPERATION_TIMEOUT)
            for name in (queue, dead_letter_queue(queue)):
                await channel.queue_delete(name)
        finally:
            await _close_quietly(channel)
        self._queue_args.pop(queue, None)
        self._queue_args.pop(dead_letter_queue(queue), None)

    async def delete_exchange(self, exchange: str) -> None:
        """Delete an event exchange (tests, maintenance)."""
        connection = self._live()
        channel = connection.channel(publisher_confirms=False)
        try:
            await channel.initialize(timeout=OPERATION_TIMEOUT)
            await channel.exchange_delete(exchange)
        finally:
            await _close_quietly(channel)
        self._exchanges.pop(exchange, None)

    # -- transient events -----------------------------------------------------
    async def _exchange(self, channel: AbstractRobustChannel, name: str) -> AbstractRobustExchange:
        return await channel.declare_exchange(name, aio_pika.ExchangeType.TOPIC, durable=True)

    async def publish_event(self, exchange: str, routing_key: str, body: bytes) -> None:
        self._live()  # events are best effort: never wait for a reconnect
        channel = self._event_channel
        assert channel is not None
        try:
            target = self._exchanges.get(exchange)
            if target is None:
                target = self._exchanges[exchange] = await self._exchange(channel, exchange)
            message = aio_pika.Message(
                body, content_type="application/json", delivery_mode=aio_pika.DeliveryMode.NOT_PERSISTENT
            )
            await target.publish(message, routing_key, mandatory=False)
        except Exception as exc:
            self._exchanges.pop(exchange, None)
            raise BrokerError(f"cannot publish an event to {exchange!r}: {self._safe(exc)}") from None

    async def subscribe_events(self, exchange: str, routing_key: str, handler: EventHandler) -> Subscription:
        connection = self._live()
        channel = connection.channel(publisher_confirms=False)
        try:
            await channel.initialize(timeout=OPERATION_TIMEOUT)
            target = await self._exchange(channel, exchange)
            # Named by us so that a reconnect re-declares the same queue.
            queue = await channel.declare_queue(
                f"{exchange}.sub.{uuid.uuid4().hex[:12]}", exclusive=True, auto_delete=True
            )
            await queue.bind(target, routing_key)
        except Exception as exc:
            await _close_quietly(channel)
            raise BrokerError(f"cannot subscribe to {exchange!r}: {self._safe(exc)}") from None

        async def on_event(incoming: AbstractIncomingMessage) -> None:
            try:
                await handler(incoming.body)
            except Exception:
                log.exception("event handler for %r failed", exchange)

        tag = await queue.consume(on_event, no_ack=True)
        return _RabbitEventSubscription(channel, queue, tag)
