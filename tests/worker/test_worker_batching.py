"""TAG_WORKER_BATCH against the real RabbitMQ: queued requests for the tiny
Make-An-Audio are sampled together and still answered one by one."""

from __future__ import annotations

import asyncio
import json

import numpy as np
import pytest

from support.batching import PausingEngine, RecordingEngine
from support.batching import tiny_pipeline as make_tiny_pipeline
from support.collect import Events, Responses
from tag import audio
from tag.broker import Message, dead_letter_queue
from tag.broker.rabbit import RabbitBroker
from tag.config import Settings
from tag.engines.make_an_audio.pipeline import MakeAnAudioPipeline, SamplingOptions
from tag.frontend import RequestClient
from tag.messages import SoundRequest, SoundResponse
from tag.worker import GeneratorService

pytestmark = pytest.mark.rabbitmq

OPTIONS = SamplingOptions(steps=2, guidance=3.0, candidates=2, sampler="dpm")


@pytest.fixture(scope="module")
def tiny_pipeline(tmp_path_factory: pytest.TempPathFactory) -> MakeAnAudioPipeline:
    return make_tiny_pipeline(tmp_path_factory.mktemp("models"))


PROMPTS = ["a dog barks", "rain on a roof", "", "a bell rings"]  # the empty one is refused alone


def bodies() -> dict[str, tuple[str, bytes]]:
    """prompt -> (request id, message body); the empty prompt's body is built by hand."""
    out = {}
    for i, prompt in enumerate(PROMPTS):
        req = SoundRequest(chat_id=1, user_id=i, prompt=prompt or "x", duration=1.0, options={"seed": 10 + i})
        data = json.loads(req.to_json())
        data["prompt"] = prompt
        out[prompt] = (str(req.request_id), json.dumps(data).encode())
    return out


async def run_queued(settings: Settings, rabbit: RabbitBroker, broker: RabbitBroker, engine: RecordingEngine) -> dict:
    queued = bodies()
    service = GeneratorService(settings, broker, engine, heartbeat_interval=60)
    for queue in (settings.request_queue, settings.response_queue):
        await rabbit.declare(queue, delivery_limit=settings.delivery_limit)
    for _, body in queued.values():  # all queued before the worker starts
        await rabbit.publish(settings.request_queue, Message(body))
    responses = await Responses().start(rabbit, settings.response_queue)
    await service.start()
    answers = await responses.wait_for(len(queued), timeout=120)
    await service.stop()
    assert await rabbit.queue_depth(settings.request_queue) == 0  # every request settled
    by_id = {str(a.request_id): a for a in answers}
    return {prompt: by_id[rid] for prompt, (rid, _) in queued.items()}


async def test_queued_requests_are_sampled_in_one_batch_and_answered_each(
    settings: Settings, rabbit: RabbitBroker, worker_broker: RabbitBroker, tiny_pipeline
) -> None:
    engine = RecordingEngine(tiny_pipeline, defaults=OPTIONS)
    batched = settings.model_copy(update={"worker_batch": 4, "worker_batch_wait": 0.5})
    answers = await run_queued(batched, rabbit, worker_broker, engine)
    assert engine.batches == [3]  # the unusable message was dead-lettered before batching
    assert answers[""].status == "error" and answers[""].error.code == "invalid_request"
    for prompt, answer in answers.items():
        if not prompt:
            continue
        assert answer.status == "ok", answer.error
        alone = engine.generate(prompt, 1.0, seed=answer.seed)
        expected, _ = audio.condition(alone.samples, alone.sample_rate, 1.0, answer.format)
        got, reference = audio.decode(answer.audio)[0], audio.decode(expected)[0]
        np.testing.assert_allclose(got, reference, atol=2e-3)


async def test_batching_off_runs_requests_one_by_one(
    settings: Settings, rabbit: RabbitBroker, worker_broker: RabbitBroker, tiny_pipeline
) -> None:
    engine = RecordingEngine(tiny_pipeline, defaults=OPTIONS)
    answers = await run_queued(settings, rabbit, worker_broker, engine)
    assert engine.batches == []
    assert answers[""].status == "error"
    assert all(a.status == "ok" for p, a in answers.items() if p)



async def test_a_request_cancelled_mid_batch_is_answered_cancelled_and_its_batch_mates_still_get_their_sound(
    settings: Settings, rabbit: RabbitBroker, worker_broker: RabbitBroker, tiny_pipeline
) -> None:
    engine = PausingEngine(tiny_pipeline, defaults=OPTIONS)
    batched = settings.model_copy(update={"worker_batch": 3, "worker_batch_wait": 5.0})
    answers: list[SoundResponse] = []
    all_answered = asyncio.Event()

    async def keep(response: SoundResponse) -> None:
        answers.append(response)
        if len(answers) == 3:
            all_answered.set()

    client = RequestClient(rabbit, batched, batched.response_queue)
    await client.start(keep)
    requests = [SoundRequest(chat_id=1, user_id=i, prompt=p, duration=1.0, options={"seed": 20 + i})
                for i, p in enumerate(["a dog barks", "rain on a roof", "a bell rings"])]
    victim = requests[1]
    for req in requests:  # queued before the worker starts: one batch of three
        await client.submit(req)
    events = await Events().start(rabbit, batched.progress_exchange, f"progress.{batched.response_queue}")
    service = GeneratorService(batched, worker_broker, engine, heartbeat_interval=60)
    await service.start()
    try:
        # The batch is running: every request has reported a sampling step, and the engine holds there.
        ids = {str(r.request_id) for r in requests}
        await events.wait_until(lambda items: ids <= {i["request_id"] for i in items if i.get("stage") == "sampling"})
        assert await asyncio.to_thread(engine.paused.wait, 30)
        await client.cancel(victim.request_id)
        # The worker has seen the cancel (its flag for the request is set) before the batch goes on.
        assert await asyncio.to_thread(service._cancel_flags[str(victim.request_id)].wait, 10)
        engine.resume.set()
        await asyncio.wait_for(all_answered.wait(), 60)
    finally:
        engine.resume.set()
        await service.stop()
        await client.stop()
        await events.stop()
    assert engine.batches == [3]
    by_id = {a.request_id: a for a in answers}
    stopped = by_id[victim.request_id]
    assert stopped.status == "error" and stopped.error is not None and stopped.error.code == "cancelled"
    assert stopped.audio is None
    for req in requests:
        if req is victim:
            continue
        answer = by_id[req.request_id]
        assert answer.status == "ok" and answer.audio, answer.error
        alone = engine.generate(req.prompt, 1.0, seed=answer.seed)  # the sound it would have had unbatched
        expected, _ = audio.condition(alone.samples, alone.sample_rate, 1.0, answer.format)
        np.testing.assert_allclose(audio.decode(answer.audio)[0], audio.decode(expected)[0], atol=2e-3)
    assert service.counts["ok"] == 2 and service.counts["cancelled"] == 1 and service.counts["dead_lettered"] == 0
    await worker_broker.close()  # an unacked request would now be back in the queue
    assert await rabbit.queue_depth(batched.request_queue) == 0
    assert not await rabbit.queue_depth(dead_letter_queue(batched.request_queue))
