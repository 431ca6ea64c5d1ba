"""Routing by engine: the queue naming rules, and real workers serving different
peer engines on the real RabbitMQ."""

from __future__ import annotations

from typing import Any, AsyncIterator

import pytest

from support.collect import Responses
from tag.broker import Message
from tag.broker.rabbit import RabbitBroker
from tag.config import Settings
from tag.engines.peers.routing import (
    declare_routes,
    engine_is_served,
    engine_queue,
    forward_queue,
    queue_for_request,
    worker_queues,
)
from tag.messages import RequestOptions, SoundRequest
from tag.worker import GeneratorService

# Stable Audio's Brownian-tree noise warns about float rounding at the ends of its
# time interval; harmless, and not ours to fix.
pytestmark = pytest.mark.filterwarnings("ignore:Should have:UserWarning")


def request(engine: str | None = None, **options: Any) -> SoundRequest:
    return SoundRequest(
        chat_id=1, user_id=2, prompt="a drum beat", duration=0.5,
        options=RequestOptions(engine=engine, seed=1, steps=2, **options),
    )


def test_requests_go_to_their_engines_queue(settings: Settings) -> None:
    shared = settings.request_queue
    assert queue_for_request(settings, request("musicgen")) == f"{shared}.musicgen"
    assert queue_for_request(settings, request(None)) == shared
    assert queue_for_request(settings, request("auto")) == shared
    assert engine_queue(settings, "stable-audio") == f"{shared}.stable-audio"


def test_a_worker_consumes_the_shared_queue_and_one_per_engine(settings: Settings) -> None:
    shared = settings.request_queue
    assert worker_queues(settings, ["audioldm", "musicgen", "audioldm", "auto"]) == [
        shared, f"{shared}.audioldm", f"{shared}.musicgen",
    ]


def test_forwarding_moves_only_requests_for_engines_elsewhere_and_never_loops(settings: Settings) -> None:
    shared = settings.request_queue
    mine = ["audioldm"]
    assert forward_queue(settings, request("musicgen"), mine, shared) == f"{shared}.musicgen"
    assert forward_queue(settings, request("audioldm"), mine, shared) is None
    assert forward_queue(settings, request(None), mine, shared) is None
    # Already on its engine's queue (a misconfigured consumer): render, don't bounce.
    assert forward_queue(settings, request("musicgen"), mine, f"{shared}.musicgen") is None


def test_engine_is_served_reads_worker_heartbeats() -> None:
    workers = [["audioldm"], ["musicgen", "synth"]]
    assert engine_is_served("musicgen", workers)
    assert not engine_is_served("stable-audio", workers)
    assert engine_is_served(None, workers) and engine_is_served("auto", workers)
    assert not engine_is_served(None, [])


@pytest.fixture
async def broker(settings: Settings) -> AsyncIterator[RabbitBroker]:
    broker = RabbitBroker(settings.broker(), connection_name="tag-test-peers-routing")
    await broker.connect()
    yield broker
    for queue in worker_queues(settings, ["audioldm", "musicgen"]) + [settings.response_queue]:
        await broker.delete_queue(queue)
    await broker.delete_exchange(settings.progress_exchange)
    await broker.close()


@pytest.mark.rabbitmq
async def test_workers_answer_only_for_their_engine_over_rabbitmq(
    settings: Settings, broker: RabbitBroker, tiny_engines: dict[str, Any]
) -> None:
    workers = [
        GeneratorService(settings, broker, tiny_engines[name], worker_id=f"w-{name}", heartbeat_interval=60)
        for name in ("audioldm", "musicgen")
    ]
    for worker in workers:
        await worker.start()
    responses = await Responses().start(broker, settings.response_queue)
    try:
        await declare_routes(broker, settings, ["audioldm", "musicgen"])
        expected: dict[str, set[str]] = {}

        async def send(req: SoundRequest, queue: str, engines: set[str]) -> None:
            expected[str(req.request_id)] = engines
            await broker.publish(queue, Message(
                body=req.to_json(), reply_to=settings.response_queue,
                correlation_id=str(req.request_id), message_id=str(req.request_id),
            ))

        for engine in ("audioldm", "musicgen", "musicgen", "audioldm"):
            req = request(engine)
            await send(req, queue_for_request(settings, req), {engine})
        # An older front end publishing everything to the shared queue: the worker
        # that picks a request up forwards it unless it has the engine asked for.
        for engine in ("musicgen", "audioldm", "musicgen", "audioldm"):
            await send(request(engine), settings.request_queue, {engine})
        # No engine named: any worker will do.
        await send(request(None), settings.request_queue, {"audioldm", "musicgen"})

        answers = await responses.wait_for(len(expected), timeout=60)
        assert sorted(str(a.request_id) for a in answers) == sorted(expected)
        for answer in answers:
            assert answer.status == "ok", answer.error
            assert answer.engine in expected[str(answer.request_id)]
        assert {await broker.queue_depth(q) for q in worker_queues(settings, ["audioldm", "musicgen"])} == {0}
    finally:
        await responses.stop()
        for worker in workers:
            await worker.stop(grace=5)
