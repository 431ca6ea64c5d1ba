"""The operations endpoint of a front-end process (bot, web), in one ``async with``.

Readiness follows the broker (``BrokerProbe``); each scrape also refreshes the
request queue's depth and the number of workers whose heartbeat was seen
recently, and broker reconnects are counted as they happen.  Workers wire the
same pieces themselves (``tag.worker.main``).
"""

from __future__ import annotations

import contextlib
from typing import AsyncIterator

from tag.broker import Broker
from tag.config import Settings
from tag.frontend import WorkerWatch
from tag.observability.metrics import Metrics
from tag.observability.server import BrokerProbe, OpsServer, start_ops_server


@contextlib.asynccontextmanager
async def operations_endpoint(settings: Settings, broker: Broker, metrics: Metrics) -> AsyncIterator[OpsServer | None]:
    """Serve /metrics, /healthz and /readyz while the block runs (if ``TAG_METRICS_PORT`` is set)."""
    if settings.metrics_port is None:
        yield None
        return
    probe = BrokerProbe(broker, settings.request_queue, metrics)
    watch = WorkerWatch(broker, settings, max_age=settings.web_worker_max_age)
    await watch.start()

    async def count_workers() -> None:
        metrics.set_workers_alive(len(watch.alive()))

    callbacks = getattr(broker, "reconnect_callbacks", None)  # RabbitMQ only
    if callbacks is not None:
        callbacks.append(metrics.reconnected)
    server = await start_ops_server(
        settings.metrics_port, settings.metrics_host, metrics, ready=[probe], refresh=[probe.refresh, count_workers]
    )
    try:
        yield server
    finally:
        if server is not None:
            await server.stop()
        if callbacks is not None and metrics.reconnected in callbacks:
            callbacks.remove(metrics.reconnected)
        await watch.stop()
