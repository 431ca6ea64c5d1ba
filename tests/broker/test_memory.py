"""MemoryBroker semantics: the same contract the RabbitMQ broker keeps."""

from __future__ import annotations

import asyncio

import pytest

from tag.broker import REASON_HEADER, BrokerError, Delivery, Message, create_broker
from tag.broker.base import UnroutableError
from tag.broker.memory import MemoryBroker, topic_matches


class Inbox:
    """A consumer that keeps deliveries unsettled until the test settles them."""

    def __init__(self) -> None:
        self.queue: asyncio.Queue[Delivery] = asyncio.Queue()

    async def __call__(self, delivery: Delivery) -> None:
        await self.queue.put(delivery)

    async def next(self, timeout: float = 2.0) -> Delivery:
        return await asyncio.wait_for(self.queue.get(), timeout)


async def test_shared_returns_one_instance_per_url() -> None:
    assert MemoryBroker.shared("memory://a") is MemoryBroker.shared("memory://a")
    assert MemoryBroker.shared("memory://a") is not MemoryBroker.shared("memory://b")
    assert create_broker("memory://a") is MemoryBroker.shared("memory://a")


async def test_ack_removes_the_message(memory: MemoryBroker) -> None:
    await memory.declare("q")
    await memory.publish("q", Message(b"one", reply_to="r", correlation_id="c"))
    assert await memory.queue_depth("q") == 1
    inbox = Inbox()
    await memory.consume("q", inbox)
    delivery = await inbox.next()
    assert (delivery.message.body, delivery.message.reply_to, delivery.message.correlation_id) == (b"one", "r", "c")
    assert delivery.delivery_count == 1
    await delivery.ack()
    assert await memory.queue_depth("q") == 0
    with pytest.raises(BrokerError, match="already settled"):
        await delivery.ack()


async def test_requeue_counts_deliveries_then_dead_letters_past_the_limit(memory: MemoryBroker) -> None:
    await memory.declare("q", delivery_limit=2)
    await memory.publish("q", Message(b"x"))
    inbox = Inbox()
    await memory.consume("q", inbox)
    counts = []
    for _ in range(3):
        delivery = await inbox.next()
        counts.append(delivery.delivery_count)
        await delivery.requeue()
    assert counts == [1, 2, 3]
    assert await memory.queue_depth("q") == 0
    [dead] = memory.messages("q.dlq")
    assert dead.body == b"x"
    assert "delivery limit" in dead.headers[REASON_HEADER]
    assert inbox.queue.empty()


async def test_dead_letter_keeps_the_reason(memory: MemoryBroker) -> None:
    await memory.declare("q")
    await memory.publish("q", Message(b"bad", headers={"k": "v"}))
    inbox = Inbox()
    await memory.consume("q", inbox)
    await (await inbox.next()).dead_letter("invalid JSON: nope")
    [dead] = memory.messages("q.dlq")
    assert dead.headers[REASON_HEADER] == "invalid JSON: nope"
    assert dead.headers["k"] == "v"
    assert await memory.queue_depth("q") == 0


async def test_prefetch_bounds_unsettled_deliveries(memory: MemoryBroker) -> None:
    await memory.declare("q")
    for i in range(5):
        await memory.publish("q", Message(str(i).encode()))
    inbox = Inbox()
    await memory.consume("q", inbox, prefetch=2)
    first, second = await inbox.next(), await inbox.next()
    await asyncio.sleep(0)  # let any wrongly dispatched handler run
    assert inbox.queue.empty() and await memory.queue_depth("q") == 3
    await first.ack()
    third = await inbox.next()
    assert [d.message.body for d in (first, second, third)] == [b"0", b"1", b"2"]


async def test_round_robin_over_consumers(memory: MemoryBroker) -> None:
    await memory.declare("q")
    a, b = Inbox(), Inbox()
    await memory.consume("q", a)
    await memory.consume("q", b)
    await memory.publish("q", Message(b"1"))
    await memory.publish("q", Message(b"2"))
    assert {(await a.next()).message.body, (await b.next()).message.body} == {b"1", b"2"}


async def test_handler_exception_requeues(memory: MemoryBroker) -> None:
    await memory.declare("q")
    seen: asyncio.Queue[int] = asyncio.Queue()

    async def flaky(delivery: Delivery) -> None:
        await seen.put(delivery.delivery_count)
        if delivery.delivery_count == 1:
            raise RuntimeError("boom")
        await delivery.ack()

    await memory.consume("q", flaky)
    await memory.publish("q", Message(b"x"))
    assert [await asyncio.wait_for(seen.get(), 2) for _ in range(2)] == [1, 2]


async def test_cancelled_consumer_gets_nothing_and_returns_go_to_others(memory: MemoryBroker) -> None:
    await memory.declare("q")
    a = Inbox()
    subscription = await memory.consume("q", a)
    await memory.publish("q", Message(b"x"))
    held = await a.next()
    await subscription.cancel()
    b = Inbox()
    await memory.consume("q", b)
    await held.requeue()
    again = await b.next()
    assert again.delivery_count == 2 and again.message.headers["x-delivery-count"] == 1


async def test_close_returns_unsettled_deliveries(memory: MemoryBroker) -> None:
    await memory.declare("q")
    inbox = Inbox()
    await memory.consume("q", inbox)
    await memory.publish("q", Message(b"x"))
    await inbox.next()
    await memory.close()
    assert await memory.queue_depth("q") == 1
    with pytest.raises(BrokerError, match="not connected"):
        await memory.publish("q", Message(b"y"))


async def test_expired_messages_are_dead_lettered_not_delivered() -> None:
    now = [100.0]
    broker = MemoryBroker("memory://clock", clock=lambda: now[0])
    await broker.connect()
    await broker.declare("q")
    await broker.publish("q", Message(b"old", expiration_ms=1000))
    await broker.publish("q", Message(b"fresh", expiration_ms=5000))
    now[0] += 2
    inbox = Inbox()
    await broker.consume("q", inbox)
    assert (await inbox.next()).message.body == b"fresh"
    [dead] = broker.messages("q.dlq")
    assert dead.body == b"old" and "expired" in dead.headers[REASON_HEADER]


async def test_publish_to_unknown_queue_is_unroutable(memory: MemoryBroker) -> None:
    with pytest.raises(UnroutableError, match="nowhere"):
        await memory.publish("nowhere", Message(b"x"))
    with pytest.raises(BrokerError, match="declare it first"):
        await memory.consume("nowhere", Inbox())


async def test_redeclare_with_other_limit_is_refused(memory: MemoryBroker) -> None:
    await memory.declare("q", delivery_limit=3)
    await memory.declare("q", delivery_limit=3)
    with pytest.raises(BrokerError, match="'q'"):
        await memory.declare("q", delivery_limit=5)


async def test_events_are_routed_by_topic(memory: MemoryBroker) -> None:
    got: asyncio.Queue[tuple[str, bytes]] = asyncio.Queue()

    def sink(name: str):
        async def handler(body: bytes) -> None:
            await got.put((name, body))

        return handler

    progress = await memory.subscribe_events("ex", "progress.Reply", sink("progress"))
    await memory.subscribe_events("ex", "heartbeat.*", sink("heartbeat"))
    await memory.subscribe_events("other", "#", sink("other"))
    await memory.publish_event("ex", "progress.Reply", b"1")
    await memory.publish_event("ex", "heartbeat.w1", b"2")
    await memory.publish_event("ex", "progress.Else", b"3")
    received = {await asyncio.wait_for(got.get(), 2) for _ in range(2)}
    assert received == {("progress", b"1"), ("heartbeat", b"2")}
    await progress.cancel()
    await memory.publish_event("ex", "progress.Reply", b"4")
    await memory.publish_event("other", "x", b"5")
    assert await asyncio.wait_for(got.get(), 2) == ("other", b"5")


@pytest.mark.parametrize(
    ("binding", "key", "matches"),
    [
        ("a.b", "a.b", True),
        ("a.*", "a.b", True),
        ("a.*", "a.b.c", False),
        ("a.#", "a", True),
        ("a.#", "a.b.c", True),
        ("#", "anything.at.all", True),
        ("#.c", "a.b.c", True),
        ("a.#.c", "a.c", True),
        ("a.#.c", "a.b.d", False),
    ],
)
def test_topic_matching(binding: str, key: str, matches: bool) -> None:
    assert topic_matches(binding, key) is matches
