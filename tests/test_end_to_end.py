"""A front end and a worker meeting on one broker, as ``tag run`` wires them."""

import asyncio

import numpy as np
import pytest

from tag import audio
from tag.broker import create_broker
from tag.broker.memory import MemoryBroker
from tag.frontend import RequestClient
from tag.messages import ProgressEvent, SoundRequest, SoundResponse
from tag.worker import serve_worker


@pytest.fixture(params=["memory", "rabbitmq"])
def broker_url(request, amqp_url):
    return "memory://end-to-end" if request.param == "memory" else amqp_url


async def test_request_client_and_worker_round_trip(settings, broker_url):
    settings = settings.model_copy(update={"engine": "synth"})
    broker = create_broker(broker_url)
    responses: asyncio.Queue[SoundResponse] = asyncio.Queue()
    stages: list[str] = []
    finished = asyncio.Event()

    async def on_response(response: SoundResponse) -> None:
        await responses.put(response)

    async def on_progress(event: ProgressEvent) -> None:
        stages.append(event.stage)
        if event.stage == "done":
            finished.set()

    stop = asyncio.Event()
    async with broker:
        client = RequestClient(broker, settings, settings.response_queue)
        await client.start(on_response, on_progress)
        worker = asyncio.create_task(serve_worker(settings, broker, stop))
        try:
            request = SoundRequest(
                chat_id=5, user_id=6, prompt="a 440 Hz beep with light rain", duration=1.5,
                options={"format": "ogg", "seed": 1},
            )
            await client.submit(request)
            response = await asyncio.wait_for(responses.get(), 60)
            # Progress travels apart from the response; it may land a moment later.
            await asyncio.wait_for(finished.wait(), 10)
        finally:
            stop.set()
            await asyncio.wait_for(worker, 30)
            await client.stop()
            if isinstance(broker, MemoryBroker):
                MemoryBroker._instances.pop(broker_url, None)
            else:
                await _delete_queues(broker_url, settings)

    assert response.status == "ok", response.error
    assert (response.request_id, response.chat_id, response.user_id) == (request.request_id, 5, 6)
    assert response.engine == "synth" and response.format == "ogg"
    assert response.sources == ["beep", "rain"]
    samples, rate = audio.decode(response.audio)
    assert abs(samples.shape[0] / rate - 1.5) < 0.05
    assert np.max(np.abs(samples)) > 0.05
    assert stages[0] == "started" and stages[-1] == "done"


async def _delete_queues(url, settings):
    import aio_pika

    connection = await aio_pika.connect(url)
    async with connection:
        channel = await connection.channel()
        for name in (settings.request_queue, settings.request_queue + ".synth", settings.response_queue):
            for queue in (name, name + ".dlq"):
                await channel.queue_delete(queue)
        await channel.exchange_delete(settings.progress_exchange)
