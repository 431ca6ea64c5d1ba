"""GeneratorService in this process against the real RabbitMQ."""

from __future__ import annotations

import asyncio
import json
import threading
from typing import Callable

import aio_pika
import pytest

from support.collect import Events, Responses, take_dead_letters
from support.engines import SlowEngine, ToneEngine
from support.proxy import CuttableProxy
from support.rabbitctl import close_connections
from tag.broker import REASON_HEADER, BrokerError, Message
from tag.broker.rabbit import RabbitBroker
from tag.config import Settings
from tag.engines import Audio, ProgressCallback
from tag.frontend import RequestClient
from tag.messages import SoundRequest, SoundResponse
from tag.worker import GeneratorService

pytestmark = pytest.mark.rabbitmq


def request(prompt: str = "a beep", duration: float = 0.5) -> SoundRequest:
    return SoundRequest(chat_id=1, user_id=2, prompt=prompt, duration=duration)


async def test_request_worker_response(settings: Settings, rabbit: RabbitBroker, worker_broker: RabbitBroker) -> None:
    service = GeneratorService(settings, worker_broker, ToneEngine(), heartbeat_interval=60)
    await service.start()
    await rabbit.declare("Reply." + settings.response_queue)
    responses = await Responses().start(rabbit, "Reply." + settings.response_queue)
    req = request()
    await rabbit.publish(settings.request_queue, Message(req.to_json(), reply_to="Reply." + settings.response_queue))
    [response] = await responses.wait_for(1)
    assert response.status == "ok" and response.request_id == req.request_id
    assert responses.correlation_ids == [str(req.request_id)]
    assert await rabbit.queue_depth(settings.request_queue) == 0
    await service.stop()
    await rabbit.delete_queue("Reply." + settings.response_queue)


async def test_unusable_messages_go_to_the_dlq_and_the_worker_goes_on(
    settings: Settings, rabbit: RabbitBroker, worker_broker: RabbitBroker
) -> None:
    service = GeneratorService(settings, worker_broker, ToneEngine(), heartbeat_interval=60)
    await service.start()
    responses = await Responses().start(rabbit, settings.response_queue)
    bad = {
        b"{oops": "invalid JSON",
        b'{"version": 1, "chat_id": "x"}': "schema violation",
        b'{"version": 7, "request_id": "r"}': "unknown version",
        # The one prompt rule (tag.messages.check_prompt) holds on the queue too.
        b'{"version": 1, "chat_id": 1, "user_id": 1, "prompt": "\\u200b\\u2060 \\ufeff", "duration": 1}':
            "the prompt is empty",
        b'{"version": 1, "chat_id": 1, "user_id": 1, "prompt": "rain \\ud800", "duration": 1}':
            "the prompt holds an invalid character (U+D800, a lone surrogate)",
    }
    for body in bad:
        await rabbit.publish(settings.request_queue, Message(body))
    valid = request()
    await rabbit.publish(settings.request_queue, Message(valid.to_json()))
    [response] = await responses.wait_for(1)
    assert response.request_id == valid.request_id and response.status == "ok"

    letters = await take_dead_letters(rabbit, settings.dead_letter_queue, len(bad))
    reasons = {letter.message.body: letter.message.headers[REASON_HEADER] for letter in letters}
    assert set(reasons) == set(bad)
    for body, reason in bad.items():
        assert reason in reasons[body]
    await service.stop()


async def test_a_huge_request_gets_a_short_reason_in_the_answer_and_the_dlq(
    settings: Settings, rabbit: RabbitBroker, worker_broker: RabbitBroker
) -> None:
    service = GeneratorService(settings, worker_broker, ToneEngine(), heartbeat_interval=60)
    await service.start()
    responses = await Responses().start(rabbit, settings.response_queue)
    data = request().model_dump(mode="json")
    # About 1 MB of options: many unknown keys, one of them itself very long.
    data["options"] = {f"option-{i}": i for i in range(50_000)} | {"k" * 200_000: 1}
    body = json.dumps(data).encode()
    assert len(body) > 1_000_000
    await rabbit.publish(settings.request_queue, Message(body))
    [response] = await responses.wait_for(1)
    assert response.status == "error" and response.error.code == "invalid_request"
    assert "options.option-0" in response.error.message and len(response.error.message) <= 400
    [letter] = await take_dead_letters(rabbit, settings.dead_letter_queue, 1)
    assert letter.message.body == body  # the evidence is kept whole
    reason = letter.message.headers[REASON_HEADER]
    assert "schema violation" in reason and len(reason) <= 400
    await service.stop()


async def test_worker_reconnects_after_the_server_closes_its_connection(
    settings: Settings, rabbit: RabbitBroker, worker_broker: RabbitBroker
) -> None:
    service = GeneratorService(settings, worker_broker, ToneEngine(), heartbeat_interval=60)
    await service.start()
    responses = await Responses().start(rabbit, settings.response_queue)
    before = request("before")
    await rabbit.publish(settings.request_queue, Message(before.to_json()))
    await responses.wait_for(1)

    reconnected = asyncio.Event()
    worker_broker.reconnect_callbacks.append(reconnected.set)
    assert await close_connections(worker_broker.connection_name) == 1
    after = request("after")
    await rabbit.publish(settings.request_queue, Message(after.to_json()))
    got = await responses.wait_for(2, timeout=30)
    assert [r.request_id for r in got] == [before.request_id, after.request_id]
    await asyncio.wait_for(reconnected.wait(), 10)
    assert service.metrics.value("tag_broker_reconnects_total") == 1
    await service.stop()


async def test_job_in_hand_survives_a_dropped_connection(
    settings: Settings, rabbit: RabbitBroker, worker_broker: RabbitBroker
) -> None:
    """The response is published after the reconnect; the redelivered copy is not generated again."""
    release = threading.Event()
    engine = SlowEngine(release)
    service = GeneratorService(settings, worker_broker, engine, heartbeat_interval=60)
    await service.start()
    responses = await Responses().start(rabbit, settings.response_queue)
    events = await Events().start(rabbit, settings.progress_exchange, "progress.#")
    req = request()
    await rabbit.publish(settings.request_queue, Message(req.to_json()))
    await events.wait_until(lambda items: any(i["stage"] == "sampling" for i in items))
    assert await close_connections(worker_broker.connection_name) == 1
    release.set()
    [response] = await responses.wait_for(1, timeout=30)
    assert response.status == "ok"
    # The copy RabbitMQ redelivered is settled without a second generation.
    marker = request("marker")
    await rabbit.publish(settings.request_queue, Message(marker.to_json()))
    got = await responses.wait_for(2, timeout=30)
    assert [r.request_id for r in got] == [req.request_id, marker.request_id]
    assert engine.calls == 2  # the request once, the marker once
    await service.stop()


async def test_plain_amqp_client_with_direct_reply_to(
    settings: Settings, rabbit: RabbitBroker, worker_broker: RabbitBroker
) -> None:
    """Any AMQP client may ask: here with RabbitMQ's direct reply-to, no queue of its own."""
    service = GeneratorService(settings, worker_broker, ToneEngine(), heartbeat_interval=60)
    await service.start()
    connection = await aio_pika.connect(settings.broker())
    try:
        channel = await connection.channel()
        replies = await channel.get_queue("amq.rabbitmq.reply-to", ensure=False)
        got: asyncio.Future[aio_pika.abc.AbstractIncomingMessage] = asyncio.get_running_loop().create_future()

        async def on_reply(message: aio_pika.abc.AbstractIncomingMessage) -> None:
            if not got.done():
                got.set_result(message)

        await replies.consume(on_reply, no_ack=True)
        req = request()
        await channel.default_exchange.publish(
            aio_pika.Message(req.to_json(), reply_to="amq.rabbitmq.reply-to", correlation_id=str(req.request_id)),
            settings.request_queue,
        )
        reply = await asyncio.wait_for(got, 20)
        assert reply.correlation_id == str(req.request_id)
        assert SoundResponse.from_json(reply.body).status == "ok"
    finally:
        await connection.close()
    await service.stop()  # lets the job in hand finish its bookkeeping
    assert service.counts["ok"] == 1  # counted as delivered, not as unroutable


async def test_outage_of_the_workers_network_path(settings: Settings, rabbit: RabbitBroker) -> None:
    """While the worker cannot reach RabbitMQ, probes fail fast; after, it serves again."""
    proxy = await CuttableProxy().start()
    worker_broker = RabbitBroker(proxy.url(), connection_name="tag-test-worker-proxied")
    await worker_broker.connect()
    service = GeneratorService(settings, worker_broker, ToneEngine(), heartbeat_interval=60)
    await service.start()
    responses = await Responses().start(rabbit, settings.response_queue)
    try:
        proxy.cut()
        # Fails at once (no hanging until the reconnect): readiness probes rely on it.
        with pytest.raises(BrokerError):
            await asyncio.wait_for(worker_broker.queue_depth(settings.request_queue), 5)
        req = request("during the outage")
        await rabbit.publish(settings.request_queue, Message(req.to_json()))
        proxy.restore()
        [response] = await responses.wait_for(1, timeout=30)
        assert response.request_id == req.request_id and response.status == "ok"
        assert await worker_broker.queue_depth(settings.request_queue) == 0
        assert proxy.accepted >= 2
    finally:
        await service.stop()
        await worker_broker.close()
        await proxy.close()


class RecordingSlowEngine(SlowEngine):
    """``SlowEngine`` that records the prompts it generated and, while it waits,
    reports progress the way a diffusion engine does at every step."""

    def __init__(self, release: threading.Event) -> None:
        super().__init__(release)
        self.prompts: list[str] = []
        self.progress: ProgressCallback | None = None

    def generate(self, prompt: str, duration: float, *, progress: ProgressCallback | None = None, **options: object) -> Audio:
        self.prompts.append(prompt)
        self.progress = progress
        return super().generate(prompt, duration, progress=progress, **options)

    def _released(self) -> bool:
        if self.progress is not None:
            self.progress("sampling", 50)
        return super()._released()


async def until(predicate: Callable[[], bool], timeout: float = 10.0) -> None:
    """Wait for a condition of the worker's own state (checked every few ms), or fail."""
    async with asyncio.timeout(timeout):
        while not predicate():
            await asyncio.sleep(0.01)


async def answering_client(rabbit: RabbitBroker, settings: Settings) -> tuple[RequestClient, list[SoundResponse]]:
    answers: list[SoundResponse] = []

    async def keep(response: SoundResponse) -> None:
        answers.append(response)

    client = RequestClient(rabbit, settings, settings.response_queue)
    await client.start(keep)
    return client, answers


async def test_a_request_cancelled_while_queued_is_acked_and_never_generated(
    settings: Settings, rabbit: RabbitBroker, worker_broker: RabbitBroker
) -> None:
    engine = RecordingSlowEngine(threading.Event())
    service = GeneratorService(settings, worker_broker, engine, heartbeat_interval=60)
    await service.start()
    client, answers = await answering_client(rabbit, settings)
    busy, queued = request("busy"), request("queued")
    await client.submit(busy)
    await asyncio.to_thread(engine.entered.wait, 10)  # the worker's only slot is taken
    await client.submit(queued)
    await client.cancel(queued.request_id)
    await until(lambda: service.was_cancelled(queued.request_id))
    engine.release.set()
    await until(lambda: service.counts["cancelled"] == 1)
    await until(lambda: len(answers) == 2)
    assert engine.prompts == ["busy"]
    done, dropped = answers
    assert done.request_id == busy.request_id and done.status == "ok"
    # No sound for the cancelled one: a short answer that frees the user's place.
    assert dropped.request_id == queued.request_id and dropped.audio is None
    assert dropped.status == "error" and dropped.error.code == "cancelled"
    await service.stop()
    await worker_broker.close()  # an unacked request would now be back in the queue
    assert await rabbit.queue_depth(settings.request_queue) == 0
    await client.stop()


async def test_a_request_cancelled_while_generating_stops_at_the_next_progress_call(
    settings: Settings, rabbit: RabbitBroker, worker_broker: RabbitBroker
) -> None:
    engine = RecordingSlowEngine(threading.Event())  # never released: only the cancel ends it
    service = GeneratorService(settings, worker_broker, engine, heartbeat_interval=60)
    await service.start()
    client, answers = await answering_client(rabbit, settings)
    req = request("long")
    await client.submit(req)
    await asyncio.to_thread(engine.entered.wait, 10)
    await client.cancel(req.request_id)
    await until(lambda: len(answers) == 1)
    [stopped] = answers
    assert stopped.request_id == req.request_id and stopped.audio is None
    assert stopped.status == "error" and stopped.error.code == "cancelled"
    assert engine.release.is_set() is False  # the engine was stopped, not finished
    follow = request("after")
    engine.release.set()
    await client.submit(follow)
    await until(lambda: len(answers) == 2)
    assert answers[1].request_id == follow.request_id and answers[1].status == "ok"
    assert engine.prompts == ["long", "after"] and service.counts["cancelled"] == 1
    await service.stop()
    await worker_broker.close()
    assert await rabbit.queue_depth(settings.request_queue) == 0
    await client.stop()


@pytest.mark.parametrize(
    ("prompt", "warning", "suggested"),
    [
        ("qwzx blorf", "Nothing in the prompt was recognised as a sound", 5),
        ("rain and tundr", "Only part of the prompt was understood: made rain; left out tundr.", 1),
    ],
)
async def test_warnings_and_suggestions_of_the_synth_engine_reach_the_front_end(
    settings: Settings, rabbit: RabbitBroker, worker_broker: RabbitBroker, prompt: str, warning: str, suggested: int
) -> None:
    from tag.engines.synth import SynthEngine

    service = GeneratorService(settings, worker_broker, SynthEngine(), heartbeat_interval=60)
    await service.start()
    responses = await Responses().start(rabbit, settings.response_queue)
    await rabbit.publish(settings.request_queue, Message(request(prompt).to_json()))
    [response] = await responses.wait_for(1)
    # Still a delivered sound, but not called plain success.
    assert response.status == "ok" and response.audio
    assert len(response.warnings) == 1 and response.warnings[0].startswith(warning)
    assert len(response.suggestions) == suggested and all(response.suggestions)
    await service.stop()


async def test_a_publishers_own_delivery_count_does_not_make_a_fresh_request_poison(
    settings: Settings, rabbit: RabbitBroker, worker_broker: RabbitBroker
) -> None:
    """x-delivery-count is the broker's count of returns; a publisher that sets it
    on a message delivered for the first time (redelivered=False) is not believed."""
    settings.delivery_limit = 1
    service = GeneratorService(settings, worker_broker, ToneEngine(), heartbeat_interval=60)
    await service.start()
    responses = await Responses().start(rabbit, settings.response_queue)
    req = request()
    await rabbit.publish(settings.request_queue, Message(req.to_json(), headers={"x-delivery-count": 99}))
    [response] = await responses.wait_for(1)
    assert response.request_id == req.request_id and response.status == "ok", response.error
    assert await rabbit.queue_depth(settings.dead_letter_queue) == 0
    await service.stop()


@pytest.mark.parametrize("encoding", ["gzip", "br"])
async def test_a_request_in_a_content_encoding_is_dead_lettered_with_the_reason(
    settings: Settings, rabbit: RabbitBroker, worker_broker: RabbitBroker, encoding: str
) -> None:
    service = GeneratorService(settings, worker_broker, ToneEngine(), heartbeat_interval=60)
    await service.start()
    responses = await Responses().start(rabbit, settings.response_queue)
    refused, plain = request("a refused beep"), request()
    # The body is valid JSON: only the header says it is not to be read as such.
    await rabbit.publish(settings.request_queue, Message(refused.to_json(), content_encoding=encoding))
    await rabbit.publish(settings.request_queue, Message(plain.to_json(), content_encoding="identity"))
    [letter] = await take_dead_letters(rabbit, settings.dead_letter_queue, 1)
    assert letter.message.body == refused.to_json() and letter.message.content_encoding == encoding
    assert f"unsupported content encoding '{encoding}'" in letter.message.headers[REASON_HEADER]
    answered = {r.request_id: r for r in await responses.wait_for(2)}
    assert answered[plain.request_id].status == "ok"
    # Its user is told why (the id was readable), instead of waiting for nothing.
    told = answered[refused.request_id]
    assert told.status == "error" and told.error.code == "invalid_request"
    assert f"unsupported content encoding '{encoding}'" in told.error.message
    await service.stop()
