"""A fine-tuned adapter as an engine option: loaded, applied per request, never leaking."""

from __future__ import annotations

import json
import shutil
import uuid
from pathlib import Path

import numpy as np
import pytest
import torch
from finetune_tiny import training_settings, unet_output, unet_probe

from tag.engines.adapters import AdapterError, named_adapter
from tag.engines.batching import BatchJob
from tag.engines.make_an_audio.engine import MakeAnAudioEngine, build_pipeline


@pytest.fixture(scope="module")
def served(tiny_model_dir: Path, lora_run, full_run, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A model folder whose adapters/ holds the LoRA run as "dogs" and the full one as "whole"."""
    models = tmp_path_factory.mktemp("served")
    shutil.copytree(tiny_model_dir / "make-an-audio", models / "make-an-audio")
    shutil.copytree(lora_run[0].adapter, models / "adapters" / "dogs")
    shutil.copytree(full_run[0].adapter, models / "adapters" / "whole")
    return models


@pytest.fixture(scope="module")
def engine(served: Path) -> MakeAnAudioEngine:
    pipeline = build_pipeline(training_settings(served))
    return MakeAnAudioEngine(pipeline, adapter_dir=served)


def generate(engine: MakeAnAudioEngine, adapter=None, seed: int = 3) -> np.ndarray:
    return engine.generate("a dog barks", 1.0, seed=seed, steps=3, candidates=1, adapter=adapter).samples


@pytest.mark.parametrize("name, run", [("dogs", "lora_run"), ("whole", "full_run")])
def test_a_saved_adapter_reloads_as_trained_and_leaves_the_base_unet_alone(
    engine: MakeAnAudioEngine, served: Path, name: str, run: str, request: pytest.FixtureRequest
) -> None:
    _, trained = request.getfixturevalue(run)
    probe = unet_probe()
    base = unet_output(engine.pipeline.c.unet, probe)
    with engine._lock, engine.using_adapter(named_adapter(served, name)):
        adapted = unet_output(engine.pipeline.c.unet, probe)
    after = unet_output(engine.pipeline.c.unet, probe)
    assert not torch.allclose(adapted, base, atol=1e-4)  # the adapter changes the UNet's output ...
    torch.testing.assert_close(adapted, trained, rtol=1e-5, atol=1e-5)  # ... exactly as training left it
    assert torch.equal(after, base)  # and requests without it get the base UNet again


def test_generations_with_an_adapter_differ_and_do_not_leak_into_the_next_request(engine: MakeAnAudioEngine) -> None:
    plain = generate(engine)
    dogs = generate(engine, "dogs")
    whole = generate(engine, "whole")
    again = generate(engine)
    assert np.abs(dogs - plain).max() > 1e-3 and np.abs(whole - plain).max() > 1e-3
    assert np.array_equal(again, plain)
    assert np.array_equal(generate(engine, "dogs"), dogs)  # served from the cache, the same sound
    audio = engine.generate("a dog barks", 1.0, seed=3, steps=3, candidates=1, adapter="dogs")
    assert audio.details["adapter"] == "dogs"


def test_requests_with_different_adapters_never_share_a_batch(engine: MakeAnAudioEngine) -> None:
    jobs = [BatchJob("a dog barks", 1.0, 3, candidates=1, steps=3, adapter=a) for a in (None, "dogs", None, "whole")]
    keys = [engine.batch_key(job) for job in jobs]
    assert keys[0] == keys[2] and len({keys[0], keys[1], keys[3]}) == 3
    results = engine.generate_batch(jobs)
    assert all(r.error is None for r in results)
    got = [r.audio.samples for r in results]
    np.testing.assert_allclose(got[1], generate(engine, "dogs"), atol=1e-5)
    np.testing.assert_allclose(got[3], generate(engine, "whole"), atol=1e-5)
    np.testing.assert_allclose(got[0], generate(engine), atol=1e-5)


def test_unknown_adapters_paths_and_foreign_adapters_are_refused_clearly(
    engine: MakeAnAudioEngine, served: Path, tmp_path: Path
) -> None:
    with pytest.raises(AdapterError, match=r"unknown adapter 'cats'.*adapters here: dogs, whole") as unknown:
        generate(engine, "cats")
    assert unknown.value.code == "bad_options"
    for name in ("../make-an-audio", "dogs/../../x", "/etc"):
        with pytest.raises(AdapterError, match="is a path; name a folder") as traversal:
            generate(engine, name)
        assert traversal.value.code == "bad_options"
    foreign = served / "adapters" / "foreign"
    shutil.copytree(served / "adapters" / "dogs", foreign)
    meta = json.loads((foreign / "tag_adapter.json").read_text())
    meta["unet"]["model_channels"] = 320
    (foreign / "tag_adapter.json").write_text(json.dumps(meta))
    with pytest.raises(AdapterError, match="another Make-An-Audio UNet .*model_channels"):
        generate(engine, "foreign")
    (served / "adapters" / "empty").mkdir()
    with pytest.raises(AdapterError, match="not an adapter folder"):
        generate(engine, "empty")
    assert np.array_equal(generate(engine), generate(engine))  # failures leave the engine usable


# -- the worker ------------------------------------------------------------------


@pytest.fixture
async def broker():
    from tag.broker.memory import MemoryBroker

    broker = MemoryBroker(f"memory://{uuid.uuid4().hex}")
    await broker.connect()
    yield broker
    await broker.close()


async def ask(settings, broker, engine, *requests):
    from support.collect import Responses

    from tag.broker import Message
    from tag.worker import GeneratorService

    service = GeneratorService(settings, broker, engine, heartbeat_interval=60)
    await service.start()
    responses = await Responses().start(broker, settings.response_queue)
    try:
        for req in requests:
            await broker.publish(settings.request_queue, Message(req.to_json()))
        answers = await responses.wait_for(len(requests), timeout=120)
    finally:
        await service.stop()
    by_id = {a.request_id: a for a in answers}
    return [by_id[r.request_id] for r in requests]


def sound_request(adapter: str | None, prompt: str = "a dog barks"):
    from tag.messages import SoundRequest

    options = {"seed": 4, "steps": 3, "candidates": 1, **({"adapter": adapter} if adapter else {})}
    return SoundRequest(chat_id=1, user_id=2, prompt=prompt, duration=1.0, options=options)


@pytest.mark.parametrize("batch", [1, 4])
async def test_a_worker_serves_an_adapter_from_its_model_folder(
    settings, broker, engine: MakeAnAudioEngine, served: Path, batch: int
) -> None:
    from tag import audio

    settings = settings.model_copy(update={"model_dir": served, "worker_batch": batch})
    plain, dogs, unknown, plain_again = await ask(
        settings, broker, engine, sound_request(None), sound_request("dogs"), sound_request("cats"), sound_request(None)
    )
    assert plain.status == dogs.status == plain_again.status == "ok"
    a, b, c = (audio.decode(r.audio)[0] for r in (plain, dogs, plain_again))
    assert np.abs(a - b).max() > 1e-3 and np.allclose(a, c, atol=1e-4)
    assert unknown.status == "error" and unknown.error.code == "bad_options"
    assert "unknown adapter 'cats'" in unknown.error.message


async def test_a_worker_whose_engine_takes_no_adapters_refuses_them(settings, broker) -> None:
    from support.engines import ToneEngine

    [answer] = await ask(settings, broker, ToneEngine(), sound_request("dogs"))
    assert answer.status == "error" and answer.error.code == "bad_options"
    assert "takes no adapters" in answer.error.message
