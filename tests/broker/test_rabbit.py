"""RabbitBroker against the real RabbitMQ on 127.0.0.1."""

from __future__ import annotations

import asyncio

import pytest

from tag.broker import REASON_HEADER, BrokerError, Delivery, Message
from tag.broker.base import UnroutableError
from tag.broker.rabbit import RabbitBroker
from tag.config import Settings

pytestmark = pytest.mark.rabbitmq


class Inbox:
    def __init__(self) -> None:
        self.queue: asyncio.Queue[Delivery] = asyncio.Queue()

    async def __call__(self, delivery: Delivery) -> None:
        await self.queue.put(delivery)

    async def next(self, timeout: float = 5.0) -> Delivery:
        return await asyncio.wait_for(self.queue.get(), timeout)


async def test_publish_consume_ack_keeps_properties(rabbit: RabbitBroker, settings: Settings) -> None:
    q = settings.request_queue
    await rabbit.declare(q)
    await rabbit.declare(q)  # idempotent
    await rabbit.publish(
        q, Message(b'{"a": 1}', reply_to="R", correlation_id="C", message_id="M", headers={"h": "v"})
    )
    assert await rabbit.queue_depth(q) == 1
    inbox = Inbox()
    subscription = await rabbit.consume(q, inbox)
    delivery = await inbox.next()
    m = delivery.message
    assert (m.body, m.reply_to, m.correlation_id, m.message_id, m.headers["h"]) == (b'{"a": 1}', "R", "C", "M", "v")
    assert m.content_type == "application/json" and delivery.delivery_count == 1
    await delivery.ack()
    await subscription.cancel()
    assert await rabbit.queue_depth(q) == 0


async def test_requeue_counts_and_broker_dead_letters_past_the_limit(rabbit: RabbitBroker, settings: Settings) -> None:
    q = settings.request_queue
    await rabbit.declare(q, delivery_limit=1)
    await rabbit.publish(q, Message(b"x"))
    inbox = Inbox()
    await rabbit.consume(q, inbox)
    first = await inbox.next()
    assert first.delivery_count == 1
    await first.requeue()
    second = await inbox.next()
    assert second.delivery_count == 2
    await second.requeue()  # returned more often than the limit: RabbitMQ dead-letters it
    dlq = Inbox()
    await rabbit.consume(q + ".dlq", dlq)
    dead = await dlq.next()
    assert dead.message.body == b"x"
    assert dead.message.headers["x-death"][0]["reason"] == "delivery_limit"
    await dead.ack()
    assert inbox.queue.empty()


async def test_dead_letter_publishes_reason_then_acks(rabbit: RabbitBroker, settings: Settings) -> None:
    q = settings.request_queue
    await rabbit.declare(q)
    await rabbit.publish(q, Message(b"bad", correlation_id="c1", expiration_ms=60_000))
    inbox = Inbox()
    await rabbit.consume(q, inbox)
    await (await inbox.next()).dead_letter("invalid JSON: nope")
    dlq = Inbox()
    await rabbit.consume(q + ".dlq", dlq)
    dead = await dlq.next()
    assert dead.message.headers[REASON_HEADER] == "invalid JSON: nope"
    assert dead.message.headers["x-tag-queue"] == q
    assert (dead.message.body, dead.message.correlation_id, dead.message.expiration_ms) == (b"bad", "c1", None)
    await dead.ack()
    assert await rabbit.queue_depth(q) == 0


async def test_prefetch_bounds_unsettled_deliveries(rabbit: RabbitBroker, settings: Settings) -> None:
    q = settings.request_queue
    await rabbit.declare(q)
    for i in range(4):
        await rabbit.publish(q, Message(str(i).encode()))
    inbox = Inbox()
    await rabbit.consume(q, inbox, prefetch=2)
    first, second = await inbox.next(), await inbox.next()
    # Round trip through the server: had a third been sent, it would be here first.
    assert await rabbit.queue_depth(q) == 2 and inbox.queue.empty()
    await first.ack()
    third = await inbox.next()
    assert [d.message.body for d in (first, second, third)] == [b"0", b"1", b"2"]
    await second.ack()
    await third.ack()


async def test_expired_request_never_reaches_a_consumer(rabbit: RabbitBroker, settings: Settings) -> None:
    q = settings.request_queue
    await rabbit.declare(q)
    await rabbit.publish(q, Message(b"stale", expiration_ms=1))
    await rabbit.publish(q, Message(b"fresh"))
    inbox = Inbox()
    await rabbit.consume(q, inbox)
    delivery = await inbox.next()
    assert delivery.message.body == b"fresh"
    await delivery.ack()


async def test_redeclare_with_other_arguments_names_the_queue(rabbit: RabbitBroker, settings: Settings) -> None:
    q = settings.request_queue
    await rabbit.declare(q, delivery_limit=3)
    with pytest.raises(BrokerError, match=f"{q}.*x-delivery-limit"):
        await rabbit.declare(q, delivery_limit=5)
    await rabbit.publish(q, Message(b"still works"))  # the refused declaration broke nothing
    assert await rabbit.queue_depth(q) == 1


async def test_unroutable_publish_is_reported(rabbit: RabbitBroker, settings: Settings) -> None:
    with pytest.raises(UnroutableError, match="no queue named"):
        await rabbit.publish(settings.request_queue + ".missing", Message(b"x"))
    with pytest.raises(BrokerError, match="does not exist"):
        await rabbit.consume(settings.request_queue + ".missing", Inbox())


async def test_events_are_routed_by_topic(rabbit: RabbitBroker, settings: Settings) -> None:
    ex = settings.progress_exchange
    got: asyncio.Queue[bytes] = asyncio.Queue()

    async def handler(body: bytes) -> None:
        await got.put(body)

    subscription = await rabbit.subscribe_events(ex, "progress.Reply", handler)
    await rabbit.publish_event(ex, "progress.Other", b"not mine")
    await rabbit.publish_event(ex, "progress.Reply", b"mine")
    assert await asyncio.wait_for(got.get(), 5) == b"mine"
    await subscription.cancel()


async def test_connection_errors_never_show_the_password() -> None:
    broker = RabbitBroker("amqp://guest:s3cret-pw@127.0.0.1:1/", connect_timeout=3)
    with pytest.raises(BrokerError) as info:
        await broker.connect()
    assert "s3cret-pw" not in str(info.value) and "***" in str(info.value)
    wrong = RabbitBroker("amqp://guest:wrong-pw@127.0.0.1:5672/", connect_timeout=5)
    with pytest.raises(BrokerError) as info:
        await wrong.connect()
    assert "wrong-pw" not in str(info.value)
