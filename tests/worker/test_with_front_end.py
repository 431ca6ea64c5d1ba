"""The worker behind the front ends' ``RequestClient``, with the real offline engine."""

from __future__ import annotations

import asyncio
from typing import AsyncIterator

import numpy as np
import pytest

from tag import audio
from tag.broker.base import Broker
from tag.broker.memory import MemoryBroker
from tag.broker.rabbit import RabbitBroker
from tag.config import Settings
from tag.engines import create_engine
from tag.frontend import RequestClient
from tag.messages import ProgressEvent, SoundRequest, SoundResponse
from tag.worker import serve_worker


@pytest.fixture(params=["memory", "rabbitmq"])
async def broker(request: pytest.FixtureRequest, settings: Settings) -> AsyncIterator[Broker]:
    if request.param == "memory":
        broker: Broker = MemoryBroker(f"memory://{settings.request_queue}")
        await broker.connect()
        yield broker
        await broker.close()
        return
    rabbit = RabbitBroker(settings.broker(), connection_name="tag-test-front-end")
    await rabbit.connect()
    yield rabbit
    for queue in (settings.request_queue, settings.response_queue, settings.response_queue + ".web",
                  settings.request_queue + ".synth"):
        await rabbit.delete_queue(queue)
    await rabbit.delete_exchange(settings.progress_exchange)
    await rabbit.close()


async def test_request_client_gets_a_synth_sound_with_progress(settings: Settings, broker: Broker) -> None:
    stop = asyncio.Event()
    engine = create_engine("synth", settings)
    worker = asyncio.create_task(serve_worker(settings, broker, stop, engine=engine))
    responses: asyncio.Queue[SoundResponse] = asyncio.Queue()
    stages: list[str] = []
    done = asyncio.Event()

    async def on_response(response: SoundResponse) -> None:
        await responses.put(response)

    async def on_progress(event: ProgressEvent) -> None:
        stages.append(event.stage)
        if event.stage == "done":
            done.set()

    client = RequestClient(broker, settings, settings.response_queue + ".web")
    await client.start(on_response, on_progress)
    request = SoundRequest(chat_id=1, user_id=2, prompt="a 440 Hz beep", duration=1.0, options={"format": "ogg"})
    await client.submit(request)
    response = await asyncio.wait_for(responses.get(), 30)
    assert response.request_id == request.request_id and response.status == "ok"
    assert response.engine == "synth" and response.format == "ogg"
    samples, rate = audio.decode(response.audio)
    assert rate == response.sample_rate and abs(len(samples) / rate - 1.0) < 0.03
    spectrum = np.abs(np.fft.rfft(samples))
    assert abs(spectrum.argmax() * rate / len(samples) - 440) < 5
    await asyncio.wait_for(done.wait(), 10)
    assert stages[0] == "started" and stages[-1] == "done"
    await client.stop()
    stop.set()
    await asyncio.wait_for(worker, 30)
