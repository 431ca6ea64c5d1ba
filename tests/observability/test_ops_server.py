import aiohttp
import pytest

from tag.broker import Message, create_broker
from tag.observability.metrics import Metrics
from tag.observability.server import BrokerProbe, OpsServer, start_ops_server


@pytest.fixture
async def broker(settings):
    broker = create_broker(settings.broker())
    await broker.connect()
    await broker.declare(settings.request_queue)
    yield broker
    await broker.close()  # tests may have closed it already; closing twice is fine
    async with create_broker(settings.broker()) as cleaner:
        await cleaner.delete_queue(settings.request_queue)


async def _get(port: int, path: str) -> tuple[int, str]:
    async with aiohttp.ClientSession() as session:
        async with session.get(f"http://127.0.0.1:{port}{path}") as response:
            return response.status, await response.text()


async def test_ready_while_the_broker_answers_and_not_after_it_is_gone(settings, broker):
    metrics = Metrics("worker")
    probe = BrokerProbe(broker, settings.request_queue, metrics, cache_for=0)
    server = OpsServer(metrics, ready=[probe], refresh=[probe.refresh])
    port = await server.start()
    try:
        assert await _get(port, "/healthz") == (200, "ok\n")
        assert await _get(port, "/readyz") == (200, "ready\n")
        await broker.publish(settings.request_queue, Message(body=b"{}"))
        status, text = await _get(port, "/metrics")
        assert status == 200
        assert f'tag_queue_depth{{component="worker",queue="{settings.request_queue}"}} 1.0' in text
        assert 'tag_broker_up{component="worker"} 1.0' in text

        await broker.close()
        assert (await _get(port, "/readyz"))[0] == 503
        assert (await _get(port, "/healthz"))[0] == 200  # alive, just not ready
        assert metrics.value("tag_broker_up") == 0
    finally:
        await server.stop()


async def test_probe_results_are_cached(settings, broker):
    probe = BrokerProbe(broker, settings.request_queue, cache_for=60)
    assert await probe() is True
    await broker.close()
    assert await probe() is True  # within cache_for: no new round trip
    probe.cache_for = 0
    assert await probe() is False


async def test_port_taken_is_reported_not_fatal(settings, broker, caplog):
    metrics = Metrics("bot")
    first = await start_ops_server(0, "127.0.0.1", metrics)
    assert first is not None
    try:
        second = await start_ops_server(first.port, "127.0.0.1", metrics)
        assert second is None
        assert "operations endpoint not started" in caplog.text
    finally:
        await first.stop()
    assert await start_ops_server(None, "127.0.0.1", metrics) is None
