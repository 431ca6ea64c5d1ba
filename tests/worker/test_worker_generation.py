"""What a worker makes of a request, compared with ``tag generate``: the seed
drawn and reported, the same conditioned bytes, ignored options and limits said."""

from __future__ import annotations

import subprocess
import sys
import uuid
from pathlib import Path
from typing import AsyncIterator

import numpy as np
import pytest

from support.collect import Responses
from support.processes import tag_env
from tag import audio
from tag.broker import Message
from tag.broker.memory import MemoryBroker
from tag.config import Settings
from tag.engines.synth import SynthEngine
from tag.messages import SoundRequest, SoundResponse
from tag.worker import GeneratorService


@pytest.fixture
async def synth_worker(settings: Settings) -> AsyncIterator[tuple[MemoryBroker, Responses]]:
    broker = MemoryBroker(f"memory://{uuid.uuid4().hex}")
    await broker.connect()
    service = GeneratorService(settings, broker, SynthEngine(), heartbeat_interval=60)
    await service.start()
    responses = await Responses().start(broker, settings.response_queue)
    yield broker, responses
    await service.stop()
    await broker.close()


async def ask(settings: Settings, worker: tuple[MemoryBroker, Responses], count: int, **fields: object) -> SoundResponse:
    broker, responses = worker
    data = {"chat_id": 1, "user_id": 2, "prompt": "rain on a tin roof", "duration": 1.0} | fields
    request = SoundRequest.model_validate(data, context={"max_duration": settings.max_duration})
    await broker.publish(settings.request_queue, Message(request.to_json()))
    return (await responses.wait_for(count))[-1]


async def test_a_request_without_a_seed_gets_a_fresh_one_and_reports_it(settings: Settings, synth_worker) -> None:
    first = await ask(settings, synth_worker, 1)
    second = await ask(settings, synth_worker, 2)
    assert first.status == second.status == "ok"
    assert first.seed is not None and second.seed is not None and first.seed != second.seed
    assert first.audio != second.audio
    again = await ask(settings, synth_worker, 3, options={"seed": first.seed})
    assert again.seed == first.seed and again.audio == first.audio


async def test_options_the_engine_ignores_are_a_notice(settings: Settings, synth_worker) -> None:
    response = await ask(settings, synth_worker, 1, options={"steps": 5, "guidance": 2.0})
    assert response.status == "ok"
    assert "synth ignores steps, guidance" in response.notices


async def test_the_engine_limit_and_the_service_limit_are_one_check(settings: Settings) -> None:
    broker = MemoryBroker(f"memory://{uuid.uuid4().hex}")
    await broker.connect()
    roomy = settings.model_copy(update={"max_duration": 600.0})
    service = GeneratorService(roomy, broker, _ShortSynth(), heartbeat_interval=60)
    await service.start()
    responses = await Responses().start(broker, settings.response_queue)
    response = await ask(roomy, (broker, responses), 1, duration=45.0)
    assert response.status == "error" and response.error.code == "bad_duration"
    assert response.error.message == (
        "the duration must be between 0.5 and 10 seconds, not 45 "
        "(test-short's own limit; this service allows up to 600 s)"
    )
    await service.stop()
    await broker.close()


class _ShortSynth(SynthEngine):
    name = "test-short"  # registered below with a 10 s limit


from tag.engines import EngineSpec, register  # noqa: E402

register(EngineSpec(name="test-short", description="synth with a 10 s limit", factory=lambda s: _ShortSynth(),
                    priority=-100, max_duration=10.0))


@pytest.mark.parametrize("fmt", ["wav", "ogg"])
async def test_the_cli_and_a_worker_give_the_same_bytes(settings: Settings, synth_worker, tmp_path: Path, fmt: str) -> None:
    response = await ask(settings, synth_worker, 1, prompt="rain and distant thunder", duration=1.5,
                         options={"seed": 42, "format": fmt})
    out = tmp_path / f"cli.{fmt}"
    done = subprocess.run(
        [sys.executable, "-m", "tag", "generate", "rain and distant thunder", "-d", "1.5", "--seed", "42",
         "--engine", "synth", "-o", str(out)],
        env=tag_env(settings), capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stderr
    if fmt == "wav":
        assert out.read_bytes() == response.audio
    else:  # an Ogg stream's serial number is random; the encoded sound is not
        assert np.array_equal(audio.decode(out.read_bytes())[0], audio.decode(response.audio)[0])
