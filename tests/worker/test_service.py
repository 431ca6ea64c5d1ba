"""GeneratorService on the in-process broker: every path of one delivery."""

from __future__ import annotations

import asyncio
import json
import threading
import uuid

import numpy as np
import pytest

from support.collect import Events, Responses
from support.engines import FailingEngine, SlowEngine, ToneEngine
from tag import audio
from tag.broker import REASON_HEADER, Message
from tag.broker.memory import MemoryBroker
from tag.config import Settings
from tag.engines.base import Engine
from tag.messages import SoundRequest
from tag.worker import GeneratorService


async def start(settings: Settings, broker: MemoryBroker, engine: Engine) -> tuple[GeneratorService, Responses]:
    service = GeneratorService(settings, broker, engine, heartbeat_interval=60)
    await service.start()
    responses = await Responses().start(broker, settings.response_queue)
    return service, responses


def request(prompt: str = "a beep", duration: float = 1.0, **options: object) -> SoundRequest:
    return SoundRequest(chat_id=1, user_id=2, prompt=prompt, duration=duration, options=options)


async def send(broker: MemoryBroker, settings: Settings, req: SoundRequest | bytes, **kw: object) -> None:
    body = req if isinstance(req, bytes) else req.to_json()
    await broker.publish(settings.request_queue, Message(body, **kw))  # type: ignore[arg-type]


async def test_request_gets_an_encoded_normalised_response(settings: Settings, broker: MemoryBroker) -> None:
    service, responses = await start(settings, broker, ToneEngine())
    events = await Events().start(broker, settings.progress_exchange, f"progress.{settings.response_queue}")
    req = request(duration=1.5, format="ogg")
    await send(broker, settings, req)
    [response] = await responses.wait_for(1)
    assert response.status == "ok" and response.request_id == req.request_id
    assert responses.correlation_ids == [str(req.request_id)]
    assert (response.engine, response.format, response.duration) == ("test-tone", "ogg", 1.5)
    samples, rate = audio.decode(response.audio)
    assert rate == response.sample_rate == 16_000
    assert abs(len(samples) / rate - 1.5) < 0.03
    assert abs(audio.loudness_lufs(samples, rate) + 16) < 1.5  # normalised to -16 LUFS
    assert any(n.startswith("pid=") for n in response.notices)
    await events.wait_until(lambda items: any(i["stage"] == "done" for i in items))
    stages = [e.stage for e in events.progress()]
    assert stages[0] == "started" and stages[-1] == "done" and "sampling" in stages
    assert all(e.request_id == req.request_id for e in events.progress())
    await service.stop()


async def test_reply_to_is_honoured_and_progress_follows_it(settings: Settings, broker: MemoryBroker) -> None:
    service = GeneratorService(settings, broker, ToneEngine(), heartbeat_interval=60)
    await service.start()
    await broker.declare("Web")
    web = await Responses().start(broker, "Web")
    events = await Events().start(broker, settings.progress_exchange, "progress.Web")
    req = request(format="mp3")
    await send(broker, settings, req, reply_to="Web")
    [response] = await web.wait_for(1)
    assert response.format == "mp3" and audio.decode(response.audio)[1] == 16_000
    await events.wait_until(lambda items: len(items) >= 2)
    await service.stop()


async def test_engine_errors_answer_the_user_and_the_worker_goes_on(settings: Settings, broker: MemoryBroker) -> None:
    service, responses = await start(settings, broker, FailingEngine())
    failing, crashing = request("a beep"), request("crash please")
    await send(broker, settings, failing)
    await send(broker, settings, crashing)
    got = {str(r.request_id): r for r in await responses.wait_for(2)}
    assert got[str(failing.request_id)].error.code == "test_failure"
    assert got[str(failing.request_id)].error.message == "simulated engine failure"
    crash = got[str(crashing.request_id)]
    assert crash.status == "error" and crash.error.code == "engine_failed"
    assert "simulated bug" not in crash.error.message  # internals stay in the log
    assert await broker.queue_depth(settings.request_queue) == 0
    assert broker.messages(settings.dead_letter_queue) == []
    assert service.metrics.value("tag_requests_failed_total", code="test_failure") == 1
    assert service.metrics.value("tag_requests_failed_total", code="engine_failed") == 1
    await service.stop()


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"{not json", "invalid JSON"),
        (b'{"version": 1, "prompt": "x"}', "schema violation"),
        (b'{"version": 2, "request_id": "x"}', "unknown version"),
        (b"[1, 2]", "JSON object"),
    ],
)
async def test_unusable_messages_are_dead_lettered_with_the_reason(
    settings: Settings, broker: MemoryBroker, body: bytes, reason: str
) -> None:
    service, responses = await start(settings, broker, ToneEngine())
    await send(broker, settings, body)
    valid = request()
    await send(broker, settings, valid)
    [response] = await responses.wait_for(1)
    assert response.request_id == valid.request_id and response.status == "ok"
    [dead] = broker.messages(settings.dead_letter_queue)
    assert dead.body == body and reason in dead.headers[REASON_HEADER]
    assert service.metrics.value("tag_requests_received_total") == 2
    assert service.metrics.value("tag_requests_answered_total", status="ok") == 1
    assert sum(f.samples[0].value for f in service.metrics.registry.collect() if f.name == "tag_requests_dead_lettered") == 1
    await service.stop()


async def test_invalid_request_with_a_known_sender_is_answered(settings: Settings, broker: MemoryBroker) -> None:
    service, responses = await start(settings, broker, ToneEngine())
    rid = str(uuid.uuid4())
    body = json.dumps({"version": 1, "request_id": rid, "chat_id": 5, "user_id": 6, "prompt": "x", "duration": 999})
    await send(broker, settings, body.encode())
    [response] = await responses.wait_for(1)
    assert (str(response.request_id), response.chat_id, response.status) == (rid, 5, "error")
    assert response.error.code == "invalid_request" and "duration" in response.error.message
    assert "duration" in broker.messages(settings.dead_letter_queue)[0].headers[REASON_HEADER]
    await service.stop()


async def test_poison_request_is_answered_and_dead_lettered(settings: Settings, broker: MemoryBroker) -> None:
    await broker.declare(settings.request_queue, delivery_limit=settings.delivery_limit)
    req = request()
    await send(broker, settings, req)
    # Simulate workers dying on it: return it delivery_limit times.
    returned = asyncio.Event()

    async def die(delivery) -> None:  # type: ignore[no-untyped-def]
        if delivery.delivery_count == settings.delivery_limit:
            await subscription.cancel()
            returned.set()
        await delivery.requeue()

    subscription = await broker.consume(settings.request_queue, die)
    await asyncio.wait_for(returned.wait(), 2)
    engine = ToneEngine()
    service, responses = await start(settings, broker, engine)
    [response] = await responses.wait_for(1)
    assert response.status == "error" and response.error.code == "poison"
    [dead] = broker.messages(settings.dead_letter_queue)
    assert "delivery limit" in dead.headers[REASON_HEADER]
    await service.stop()


async def test_redelivery_of_an_answered_request_is_only_acked(settings: Settings, broker: MemoryBroker) -> None:
    service, responses = await start(settings, broker, ToneEngine())
    req = request()
    await send(broker, settings, req)
    await responses.wait_for(1)
    await send(broker, settings, req)  # the same request again, as after a lost ack
    marker = request("after")
    await send(broker, settings, marker)
    got = await responses.wait_for(2)
    assert [r.request_id for r in got] == [req.request_id, marker.request_id]
    assert service.counts["duplicate"] == 1
    await service.stop()


async def test_concurrency_runs_jobs_in_parallel(settings: Settings, broker: MemoryBroker) -> None:
    settings = settings.model_copy(update={"worker_concurrency": 2})
    release = threading.Event()
    engine = SlowEngine(release)
    service, responses = await start(settings, broker, engine)
    events = await Events().start(broker, settings.progress_exchange, "progress.#")
    first, second, third = request("1"), request("2"), request("3")
    for r in (first, second, third):
        await send(broker, settings, r)
    # Two engine calls report "sampling" while both are blocked; the third waits.
    await events.wait_until(lambda items: sum(i["stage"] == "sampling" for i in items) == 2)
    assert service.in_flight == 2 and await broker.queue_depth(settings.request_queue) == 1
    release.set()
    assert len(await responses.wait_for(3)) == 3
    await service.stop()


async def test_stop_lets_the_job_in_hand_finish(settings: Settings, broker: MemoryBroker) -> None:
    release = threading.Event()
    engine = SlowEngine(release)
    service, responses = await start(settings, broker, engine)
    await send(broker, settings, request())
    await asyncio.wait_for(asyncio.to_thread(engine.entered.wait, 5), 6)
    stopping = asyncio.create_task(service.stop(grace=10))
    await asyncio.sleep(0)
    assert not stopping.done()
    release.set()
    await asyncio.wait_for(stopping, 10)
    [response] = await responses.wait_for(1)
    assert response.status == "ok"
    assert await broker.queue_depth(settings.request_queue) == 0


async def test_stop_requeues_a_job_that_outlasts_the_grace(settings: Settings, broker: MemoryBroker) -> None:
    engine = SlowEngine(threading.Event())
    service, responses = await start(settings, broker, engine)
    req = request()
    await send(broker, settings, req)
    await asyncio.wait_for(asyncio.to_thread(engine.entered.wait, 5), 6)
    await service.stop(grace=0.05)
    [requeued] = broker.messages(settings.request_queue)
    assert SoundRequest.from_json(requeued.body).request_id == req.request_id
    # The next worker gets it, as a second delivery.
    service2, _ = await start(settings, broker, ToneEngine())
    [response] = await responses.wait_for(1)
    assert response.engine == "test-tone"
    await service2.stop()
    engine.release.set()


async def test_heartbeats_describe_the_worker(settings: Settings, broker: MemoryBroker) -> None:
    events = await Events().start(broker, settings.progress_exchange, "heartbeat.*")
    service = GeneratorService(settings, broker, ToneEngine(), heartbeat_interval=0.05)
    await service.start()
    await events.wait_until(lambda items: len(items) >= 2)
    beat = events.items[0]
    assert beat["worker_id"] == service.worker_id and "." not in service.worker_id
    assert beat["engines"] == ["test-tone"] and beat["concurrency"] == 1 and beat["in_flight"] == 0
    assert isinstance(beat["time"], float) and beat["stopping"] is False
    await service.stop()


async def test_exact_length_even_if_the_engine_is_off_by_a_few_samples(
    settings: Settings, broker: MemoryBroker
) -> None:
    class Sloppy(ToneEngine):
        def generate(self, prompt, duration, **kw):  # type: ignore[no-untyped-def]
            sound = super().generate(prompt, duration, **kw)
            sound.samples = np.concatenate([sound.samples, np.zeros(37, np.float32)])
            return sound

    service, responses = await start(settings, broker, Sloppy())
    await send(broker, settings, request(duration=2.0))
    [response] = await responses.wait_for(1)
    samples, rate = audio.decode(response.audio)
    assert len(samples) == 2 * rate
    await service.stop()


async def test_requests_for_another_engine_are_forwarded_to_its_queue(
    settings: Settings, broker: MemoryBroker
) -> None:
    service, responses = await start(settings, broker, ToneEngine())
    assert service.queues == [settings.request_queue, settings.request_queue + ".test-tone"]
    other = settings.request_queue + ".other"
    await broker.declare(other)
    elsewhere, missing, mine = request(engine="other"), request(engine="nosuch"), request(engine="test-tone")
    for r in (elsewhere, missing, mine):
        await send(broker, settings, r, reply_to=settings.response_queue, correlation_id=str(r.request_id))
    got = {str(r.request_id): r for r in await responses.wait_for(2)}
    assert got[str(mine.request_id)].status == "ok"
    assert got[str(missing.request_id)].error.code == "engine_unavailable"
    [forwarded] = broker.messages(other)
    assert SoundRequest.from_json(forwarded.body).request_id == elsewhere.request_id
    assert (forwarded.reply_to, forwarded.correlation_id) == (settings.response_queue, str(elsewhere.request_id))
    await service.stop()


async def test_the_engine_queue_is_served_too(settings: Settings, broker: MemoryBroker) -> None:
    service, responses = await start(settings, broker, ToneEngine())
    req = request(engine="test-tone")
    await broker.publish(settings.request_queue + ".test-tone", Message(req.to_json()))
    [response] = await responses.wait_for(1)
    assert response.request_id == req.request_id and response.status == "ok"
    await service.stop()


async def test_an_existing_reply_queue_is_left_as_its_owner_declared_it(
    settings: Settings, broker: MemoryBroker
) -> None:
    await broker.declare(settings.response_queue, delivery_limit=7)  # the bot's own arguments
    service = GeneratorService(settings, broker, ToneEngine(), heartbeat_interval=60)
    await service.start()  # would raise on a conflicting declaration
    await service.stop()
