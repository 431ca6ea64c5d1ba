"""The batch window (TAG_WORKER_BATCH_WAIT) closes as soon as no batch mate is on its way.

The real tiny Make-An-Audio and the in-process broker.  Windows are 10 s long, so
a batch that starts at all before the test's timeout could only have started
early; ``Batcher.early`` counts those starts, which is what is asserted.
"""

from __future__ import annotations

import asyncio
import sys
import uuid
from pathlib import Path
from typing import AsyncIterator

import pytest

from support.collect import Responses
from tag.broker import Message
from tag.broker.memory import MemoryBroker
from tag.config import Settings
from tag.engines.batching import BatchJob
from tag.engines.make_an_audio.engine import MakeAnAudioEngine, build_pipeline
from tag.engines.make_an_audio.pipeline import SamplingOptions
from tag.messages import SoundRequest
from tag.worker import GeneratorService
from tag.worker.batching import Batcher
from tag.worker.threads import DaemonPool

sys.path.insert(0, str(Path(__file__).parents[1] / "engines" / "make_an_audio"))
from maa_tiny import write_tiny_model  # noqa: E402

OPTIONS = SamplingOptions(steps=2, guidance=3.0, candidates=1, sampler="dpm")
LONG_WAIT = 10.0  # the longest window the settings allow


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> MakeAnAudioEngine:
    models = tmp_path_factory.mktemp("models")
    write_tiny_model(models / "make-an-audio", seed=0)
    pipeline = build_pipeline(Settings(_env_file=None, model_dir=models, compute_dtype="float32", threads=1))
    return MakeAnAudioEngine(pipeline, defaults=OPTIONS)


@pytest.fixture
async def broker() -> AsyncIterator[MemoryBroker]:
    broker = MemoryBroker(f"memory://{uuid.uuid4().hex}")
    await broker.connect()
    yield broker
    await broker.close()


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
