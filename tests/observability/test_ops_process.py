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


async def test_tag_serve_and_tag_worker_processes_expose_the_endpoint(settings, tmp_path):
    """Real ``tag serve`` and ``tag worker`` processes with TAG_METRICS_PORT set."""
    import signal
    import sys

    from support.processes import fault_env, free_port

    web_port, web_metrics, worker_metrics = free_port(), free_port(), free_port()
    env = fault_env(settings, TAG_DATA_DIR=str(tmp_path / "data"), TAG_ENGINE="instant")
    web = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tag", "serve", "--port", str(web_port), env={**env, "TAG_METRICS_PORT": str(web_metrics)}
    )
    worker = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tag", "worker", env={**env, "TAG_METRICS_PORT": str(worker_metrics)}
    )
    try:
        for port, component in ((web_metrics, "web"), (worker_metrics, "worker")):
            deadline = time.monotonic() + 60
            while True:
                try:
                    status, text = await _get(port, "/metrics")
                    if f'tag_broker_up{{component="{component}"}} 1.0' in text:
                        break
                except aiohttp.ClientError:
                    pass  # not listening yet
                assert time.monotonic() < deadline, f"{component} endpoint never came up"
                await asyncio.sleep(0.1)
            assert await _get(port, "/readyz") == (200, "ready\n")
            assert (await _get(port, "/healthz"))[0] == 200
        # The web server sees the worker through its heartbeat.
        deadline = time.monotonic() + 30
        while 'tag_workers_alive{component="web"} 1.0' not in (await _get(web_metrics, "/metrics"))[1]:
            assert time.monotonic() < deadline
            await asyncio.sleep(0.1)
    finally:
        for process in (web, worker):
            if process.returncode is None:
                process.send_signal(signal.SIGTERM)
        codes = [await asyncio.wait_for(p.wait(), 30) for p in (web, worker)]
        async with create_broker(settings.broker()) as broker:
            for queue in (settings.request_queue, settings.response_queue, settings.response_queue + ".web"):
                await broker.delete_queue(queue)
            await broker.delete_exchange(settings.progress_exchange)
    assert codes == [0, 0]
