"""RabbitMQ closing every connection, and the broker app stopped and started, mid-run."""

import asyncio

import pytest

from harness import (
    Ledger,
    close_connections,
    ensure_broker_running,
    free_ports,
    http_get,
    make_requests,
    rabbitmqctl,
    wait_until,
)
from tag.observability.server import BrokerProbe

pytestmark = [pytest.mark.rabbitmq, pytest.mark.slow]


async def test_server_side_connection_closes_lose_nothing(stage):
    requests = make_requests(100)
    ledger = Ledger(requests)
    await stage.start_front_end(ledger)
    await stage.start_workers(2, TAG_TEST_FAULT_SECONDS="0.1")
    await stage.submit(requests)
    closes = 0
    for answered in (25, 50, 75):
        await ledger.wait_answered(answered, timeout=60)
        # Workers and front end alike lose their connections (this vhost only).
        close_connections("fault suite: connection close")
        closes += 1
    await ledger.wait_answered(100, timeout=120)
    assert ledger.problems() == []
    assert ledger.statuses() == {"ok": 100}
    assert stage.supervisor.restarts == 0  # workers reconnected; none had to be restarted
    regenerated = sum(1 for n in ledger.generation_starts.values() if n > 1)
    print(
        f"connection closes: {closes}, answered {ledger.answered}/100, duplicates dropped {ledger.duplicates()}, "
        f"generated twice {regenerated}"
    )


async def test_broker_stopped_and_started_loses_nothing(stage):
    requests = make_requests(100)
    ledger = Ledger(requests)
    await stage.start_front_end(ledger)
    base = free_ports(2)
    await stage.start_workers(2, metrics_port=base, TAG_TEST_FAULT_SECONDS="0.1")
    ports = [base, base + 1]

    async def workers_ready(expected: int) -> bool:
        statuses = [(await http_get(port, "/readyz"))[0] for port in ports]
        return all(status == expected for status in statuses)

    await wait_until(lambda: workers_ready(200), 30, "workers to report ready")
    probe = BrokerProbe(stage.broker, stage.settings.request_queue, cache_for=0, timeout=1)
    first, rest = requests[:60], requests[60:]
    await stage.submit(first)
    try:
        await ledger.wait_answered(20, timeout=60)
        await asyncio.to_thread(rabbitmqctl, "stop_app")
        assert not await probe()
        await wait_until(lambda: workers_ready(503), 30, "workers to report not ready")
        # Users keep asking during the outage; their submissions wait for the broker.
        submitting = asyncio.create_task(stage.submit(rest))
        await asyncio.to_thread(rabbitmqctl, "start_app")
        await asyncio.to_thread(rabbitmqctl, "await_startup")
        await asyncio.wait_for(submitting, 120)
    finally:
        await asyncio.to_thread(ensure_broker_running)
    await ledger.wait_answered(100, timeout=180)
    await wait_until(lambda: workers_ready(200), 60, "workers to report ready again")
    assert await probe()
    assert ledger.problems() == []
    assert ledger.statuses() == {"ok": 100}
    assert stage.supervisor.restarts == 0
    for port in ports:
        status, metrics = await http_get(port, "/metrics")
        assert status == 200 and _sample(metrics, 'tag_broker_reconnects_total{component="worker"}') >= 1
    print(f"broker restarts: 1, answered {ledger.answered}/100, duplicates dropped {ledger.duplicates()}")


def _sample(text: str, series: str) -> float:
    for line in text.splitlines():
        if line.startswith(series + " "):
            return float(line.split()[-1])
    raise AssertionError(f"{series} not in /metrics")
