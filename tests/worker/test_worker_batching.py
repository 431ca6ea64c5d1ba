"""TAG_WORKER_BATCH against the real RabbitMQ: queued requests for the tiny
Make-An-Audio are sampled together and still answered one by one."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest

from support.collect import Responses
from tag import audio
from tag.broker import Message
from tag.broker.rabbit import RabbitBroker
from tag.config import Settings
from tag.engines.batching import BatchJob, BatchResult
from tag.engines.make_an_audio.engine import MakeAnAudioEngine, build_pipeline
from tag.engines.make_an_audio.pipeline import SamplingOptions
from tag.messages import SoundRequest
from tag.worker import GeneratorService

sys.path.insert(0, str(Path(__file__).parents[1] / "engines" / "make_an_audio"))
from maa_tiny import write_tiny_model  # noqa: E402

pytestmark = pytest.mark.rabbitmq

OPTIONS = SamplingOptions(steps=2, guidance=3.0, candidates=2, sampler="dpm")


class RecordingEngine(MakeAnAudioEngine):
    """The real engine, noting the size of every batch it is given."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.batches: list[int] = []

    def generate_batch(self, jobs: list[BatchJob]) -> list[BatchResult]:
        self.batches.append(len(jobs))
        return super().generate_batch(jobs)


@pytest.fixture(scope="module")
def tiny_pipeline(tmp_path_factory: pytest.TempPathFactory):
    models = tmp_path_factory.mktemp("models")
    write_tiny_model(models / "make-an-audio", seed=0)
    return build_pipeline(Settings(_env_file=None, model_dir=models, compute_dtype="float32", threads=1))


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
