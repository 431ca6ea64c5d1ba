"""The operations HTTP endpoint of one process: ``/metrics``, ``/healthz``, ``/readyz``.

- ``/healthz`` (liveness) answers 200 while the event loop runs: a process whose
  loop is stuck stops answering, and the orchestrator restarts it.
- ``/readyz`` (readiness) answers 200 only while every readiness check passes;
  for TAG processes that means the broker answers (``BrokerProbe``), so a load
  balancer or operator sees at once that a worker cannot take requests.
- ``/metrics`` runs the refresh hooks (queue depth, workers alive) and renders the
  registry, so figures are fresh at scrape time without a polling loop.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Awaitable, Callable, Iterable

from aiohttp import web

from tag.broker import Broker
from tag.observability.metrics import CONTENT_TYPE_LATEST, Metrics

log = logging.getLogger(__name__)

ReadinessCheck = Callable[[], Awaitable[bool]]
RefreshHook = Callable[[], Awaitable[None]]


class BrokerProbe:
    """Readiness check: can the broker tell us the request queue's depth?

    Asking for the depth is a real round trip (a passive declare on RabbitMQ),
    so it fails while the connection is down or being re-established.  Results
    are reused for ``cache_for`` seconds so frequent probes cost one round trip.
    """

    def __init__(
        self, broker: Broker, queue: str, metrics: Metrics | None = None, *, timeout: float = 2.0, cache_for: float = 1.0
    ) -> None:
        self.broker = broker
        self.queue = queue
        self.metrics = metrics
        self.timeout = timeout
        self.cache_for = cache_for
        self._checked_at = float("-inf")
        self._up = False
        self._lock = asyncio.Lock()

    async def __call__(self) -> bool:
        async with self._lock:
            if time.monotonic() - self._checked_at < self.cache_for:
                return self._up
            try:
                depth = await asyncio.wait_for(self.broker.queue_depth(self.queue), self.timeout)
            except Exception as exc:  # any failure means "not ready", never a crashed probe
                log.debug("broker probe failed: %s", type(exc).__name__)
                self._up, depth = False, None
            else:
                self._up = True
            self._checked_at = time.monotonic()
            if self.metrics is not None:
                self.metrics.set_broker_up(self._up)
                if depth is not None:
                    self.metrics.set_queue_depth(self.queue, depth)
            return self._up

    async def refresh(self) -> None:
        await self()


class OpsServer:
    def __init__(
        self,
        metrics: Metrics,
        *,
        ready: Iterable[ReadinessCheck] = (),
        refresh: Iterable[RefreshHook] = (),
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.metrics = metrics
        self.ready_checks = list(ready)
        self.refresh_hooks = list(refresh)
        self.host = host
        self.port = port
        self._runner: web.AppRunner | None = None

    async def start(self) -> int:
        """Bind and serve; returns the port (useful when asked for port 0)."""
        app = web.Application()
        app.router.add_get("/metrics", self._metrics)
        app.router.add_get("/healthz", self._healthz)
        app.router.add_get("/readyz", self._readyz)
        runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await runner.setup()
        site = web.TCPSite(runner, self.host, self.port)
        try:
            await site.start()
        except OSError:
            await runner.cleanup()
            raise
        self._runner = runner
        if runner.addresses:  # the bound address, which tells the port picked for port 0
            self.port = runner.addresses[0][1]
        log.info("operations endpoint on http://%s:%d (/metrics /healthz /readyz)", self.host, self.port)
        return self.port

    async def stop(self) -> None:
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()

    async def is_ready(self) -> bool:
        for check in self.ready_checks:
            try:
                if not await check():
                    return False
            except Exception:
                log.exception("readiness check failed")
                return False
        return True

    async def _healthz(self, request: web.Request) -> web.Response:
        return web.Response(text="ok\n")

    async def _readyz(self, request: web.Request) -> web.Response:
        if await self.is_ready():
            return web.Response(text="ready\n")
        return web.Response(status=503, text="not ready\n")

    async def _metrics(self, request: web.Request) -> web.Response:
        for hook in self.refresh_hooks:
            try:
                await hook()
            except Exception:
                log.exception("metrics refresh hook failed")
        return web.Response(body=self.metrics.render(), headers={"Content-Type": CONTENT_TYPE_LATEST})


async def start_ops_server(
    port: int | None,
    host: str,
    metrics: Metrics,
    *,
    ready: Iterable[ReadinessCheck] = (),
    refresh: Iterable[RefreshHook] = (),
) -> OpsServer | None:
    """Start the endpoint if a port is configured; None when off or the port is taken.

    A busy port is logged, not fatal: a worker that generates without metrics is
    better than a worker that does not start.
    """
    if port is None:
        return None
    server = OpsServer(metrics, ready=ready, refresh=refresh, host=host, port=port)
    try:
        await server.start()
    except OSError as exc:
        log.error("operations endpoint not started on %s:%d: %s", host, port, exc.strerror or exc)
        return None
    return server
