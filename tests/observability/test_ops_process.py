import asyncio
import json
import time

import aiohttp

from tag.broker import create_broker
from tag.observability.metrics import Metrics
from tag.observability.process import operations_endpoint


async def _get(port: int, path: str) -> tuple[int, str]:
    async with aiohttp.ClientSession() as session:
        async with session.get(f"http://127.0.0.1:{port}{path}") as response:
            return response.status, await response.text()


async def test_front_end_endpoint_counts_live_workers(settings):
    settings = settings.model_copy(update={"metrics_port": 0})
    metrics = Metrics("bot")
    async with create_broker(settings.broker()) as broker:
        await broker.declare(settings.request_queue)
        try:
            async with operations_endpoint(settings, broker, metrics) as server:
                assert server is not None and server.port > 0
                assert await _get(server.port, "/readyz") == (200, "ready\n")
                beat = {"worker_id": "host-1234-abcd", "engines": ["x"], "in_flight": 0, "concurrency": 1,
                        "time": time.time()}
                await broker.publish_event(settings.progress_exchange, "heartbeat.host-1234-abcd",
                                           json.dumps(beat).encode())
                deadline = time.monotonic() + 10
                while True:
                    status, text = await _get(server.port, "/metrics")
                    if 'tag_workers_alive{component="bot"} 1.0' in text:
                        break
                    assert time.monotonic() < deadline, text
                    await asyncio.sleep(0.05)  # the heartbeat travels through RabbitMQ
                assert 'tag_broker_up{component="bot"} 1.0' in text
            # Off again after the block, and no endpoint at all without a port.
            async with operations_endpoint(settings.model_copy(update={"metrics_port": None}), broker, metrics) as off:
                assert off is None
        finally:
            await broker.delete_queue(settings.request_queue)
            await broker.delete_exchange(settings.progress_exchange)
