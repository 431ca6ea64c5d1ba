"""TAG_WORKER_BATCH on the in-process broker with the real tiny Make-An-Audio.

The batch window (TAG_WORKER_BATCH_WAIT) closes as soon as no batch mate is on
its way: windows here are 10 s long, and ``Batcher.early`` counts the batches
that started before their window's end, which is what is asserted.  Heartbeats
and metrics tell the batch sizes.
"""

from __future__ import annotations

import asyncio

import pytest

from support.batching import PausingEngine, tiny_pipeline
from support.collect import Events, Responses
from tag.broker import Message
from tag.broker.memory import MemoryBroker
from tag.config import Settings
from tag.engines.batching import BatchJob
from tag.engines.make_an_audio.engine import MakeAnAudioEngine
from tag.engines.make_an_audio.pipeline import MakeAnAudioPipeline, SamplingOptions
from tag.frontend import WorkerWatch
from tag.messages import SoundRequest
from tag.worker import GeneratorService
from tag.worker.batching import Batcher
from tag.worker.threads import DaemonPool

OPTIONS = SamplingOptions(steps=2, guidance=3.0, candidates=1, sampler="dpm")
LONG_WAIT = 10.0  # the longest window the settings allow


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory: pytest.TempPathFactory) -> MakeAnAudioPipeline:
    return tiny_pipeline(tmp_path_factory.mktemp("models"))


@pytest.fixture
def engine(pipeline: MakeAnAudioPipeline) -> MakeAnAudioEngine:
    return MakeAnAudioEngine(pipeline, defaults=OPTIONS)


def message(i: int) -> Message:
    return Message(SoundRequest(chat_id=1, user_id=i, prompt=f"sound {i}", duration=1.0, options={"seed": i}).to_json())


async def serve(settings: Settings, broker: MemoryBroker, engine: MakeAnAudioEngine, queued: int, sent: int) -> Batcher:
    """``queued`` requests published before the worker starts, ``sent`` after; all answered."""
    batched = settings.model_copy(update={"worker_batch": 8, "worker_batch_wait": LONG_WAIT})
    service = GeneratorService(batched, broker, engine, heartbeat_interval=60)
    for queue in (batched.request_queue, batched.response_queue):
        await broker.declare(queue, delivery_limit=batched.delivery_limit)
    for i in range(queued):
        await broker.publish(batched.request_queue, message(i))
    responses = await Responses().start(broker, batched.response_queue)
    await service.start()
    try:
        for i in range(sent):
            await broker.publish(batched.request_queue, message(queued + i))
        answers = await responses.wait_for(queued + sent, timeout=60)
    finally:
        await service.stop()
    assert [a.status for a in answers] == ["ok"] * (queued + sent)
    assert service.batcher is not None
    return service.batcher


async def test_a_lone_request_starts_without_waiting_for_the_window(
    settings: Settings, broker: MemoryBroker, engine: MakeAnAudioEngine
) -> None:
    batcher = await serve(settings, broker, engine, queued=0, sent=1)
    assert batcher.sizes == [1] and batcher.early == 1


async def test_requests_queued_together_still_share_one_batch(
    settings: Settings, broker: MemoryBroker, engine: MakeAnAudioEngine
) -> None:
    batcher = await serve(settings, broker, engine, queued=3, sent=0)  # delivered together at start
    assert batcher.sizes == [3] and batcher.early == 1


async def test_the_window_stays_open_while_a_batch_mate_is_coming(engine: MakeAnAudioEngine) -> None:
    coming = [True]  # the service's answer, as the test sets it
    asked = asyncio.Event()

    async def more_coming() -> bool:
        asked.set()
        return coming[0]

    pool = DaemonPool(1)
    batcher = Batcher(engine, pool, size=8, wait=LONG_WAIT, more_coming=more_coming)
    try:
        first = asyncio.create_task(batcher.generate(BatchJob("rain", 1.0, seed=1), lambda audio: audio))
        await asyncio.wait_for(asked.wait(), 10)  # asked, told "more coming": the window stays open
        coming[0] = False
        second = await asyncio.wait_for(batcher.generate(BatchJob("wind", 1.0, seed=2), lambda audio: audio), 60)
        await asyncio.wait_for(first, 60)
    finally:
        pool.shutdown()
    assert batcher.sizes == [2] and batcher.early == 1  # the mate joined; then nothing else was coming
    assert second.samples.shape == (16000,)


async def test_when_nobody_can_say_the_window_runs_its_course(engine: MakeAnAudioEngine) -> None:
    async def broken() -> bool:
        raise ConnectionError("the broker cannot be asked")

    pool = DaemonPool(1)
    batcher = Batcher(engine, pool, size=8, wait=0.05, more_coming=broken)
    try:
        await asyncio.wait_for(batcher.generate(BatchJob("rain", 1.0, seed=1), lambda audio: audio), 60)
    finally:
        pool.shutdown()
    assert batcher.sizes == [1] and batcher.early == 0


async def test_heartbeats_and_metrics_tell_the_batch_running_and_the_last_one(
    settings: Settings, broker: MemoryBroker, pipeline: MakeAnAudioPipeline
) -> None:
    engine = PausingEngine(pipeline, defaults=OPTIONS)
    batched = settings.model_copy(update={"worker_batch": 4, "worker_batch_wait": LONG_WAIT})
    for queue in (batched.request_queue, batched.response_queue):
        await broker.declare(queue, delivery_limit=batched.delivery_limit)
    for i in range(3):
        await broker.publish(batched.request_queue, message(i))
    beats = await Events().start(broker, batched.progress_exchange, "heartbeat.*")
    watch = WorkerWatch(broker, batched, max_age=60)
    await watch.start()
    responses = await Responses().start(broker, batched.response_queue)
    service = GeneratorService(batched, broker, engine, heartbeat_interval=0.05)
    await service.start()
    try:
        await beats.wait_until(lambda items: len(items) >= 1)
        assert beats.items[0]["batch"] == 4  # the most a batch takes, told from the first heartbeat on
        assert await asyncio.to_thread(engine.paused.wait, 30)  # the batch of three is in the engine's hands
        await beats.wait_until(lambda items: items[-1]["batch_running"] == 3)
        assert beats.items[-1]["batch_last"] == 3 and beats.items[-1]["in_flight"] == 3
        assert service.metrics.value("tag_batch_running", worker_id=service.worker_id) == 3
        assert service.metrics.value("tag_batch_last_size", worker_id=service.worker_id) == 3
        [seen] = watch.alive()
        assert (seen.batch, seen.batch_last) == (4, 3)
        engine.resume.set()
        await responses.wait_for(3, timeout=60)
        # Done: nothing running, the last batch still told.
        await beats.wait_until(lambda items: items[-1]["batch_running"] == 0 and items[-1]["in_flight"] == 0)
        assert beats.items[-1]["batch_last"] == 3
        assert service.metrics.value("tag_batch_running", worker_id=service.worker_id) == 0
        assert service.metrics.value("tag_batch_last_size", worker_id=service.worker_id) == 3
    finally:
        engine.resume.set()
        await service.stop()
        await watch.stop()
        await beats.stop()
    assert engine.batches == [3]


async def test_a_worker_without_batching_reports_batches_of_one(settings: Settings, broker: MemoryBroker,
                                                                engine: MakeAnAudioEngine) -> None:
    beats = await Events().start(broker, settings.progress_exchange, "heartbeat.*")
    service = GeneratorService(settings, broker, engine, heartbeat_interval=60)
    await service.start()
    await beats.wait_until(lambda items: len(items) >= 1)
    await service.stop()
    assert (beats.items[0]["batch"], beats.items[0]["batch_running"], beats.items[0]["batch_last"]) == (1, 0, 0)
