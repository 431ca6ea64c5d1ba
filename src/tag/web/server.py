"""Running the web front end: ``serve_web`` inside a process, ``run_web`` as one.

``serve_web`` is given a connected broker and a stop event by whoever owns the
process (``tag serve`` through ``run_web``, or ``tag run`` next to a worker and
the bot); it never installs signal handlers itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import socket
from typing import Callable, Iterator

import uvicorn

from tag.broker import Broker, BrokerError, create_broker
from tag.config import DEFAULT_AMQP_URL, Settings, redact_url
from tag.engines import registry
from tag.frontend import WorkerWatch
from tag.backpressure import Admission
from tag.observability.metrics import Metrics
from tag.observability.process import operations_endpoint
from tag.web.app import create_app
from tag.web.guard import guarded_protocol
from tag.web.service import GenerationService
from tag.web.store import Store

log = logging.getLogger(__name__)

# Open event streams end on shutdown; this bounds the wait for slow clients.
GRACEFUL_SHUTDOWN_SECONDS = 3.0
UNSUBSCRIBE_SECONDS = 3.0


class _Server(uvicorn.Server):
    """uvicorn without its own signal handling: the process owner decides."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def listen(host: str, port: int) -> socket.socket:
    """A bound TCP socket for ``host:port``; raises ``OSError`` (port taken, bad host).

    Bound here rather than by uvicorn, which exits the process when it cannot bind.
    """
    family, kind, proto, _, address = socket.getaddrinfo(
        host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
    )[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.set_inheritable(True)
    except OSError:
        sock.close()
        raise
    return sock


async def serve_web(
    settings: Settings,
    broker: Broker,
    stop: asyncio.Event,
    host: str,
    port: int,
    *,
    on_ready: Callable[[int], None] | None = None,
    metrics: Metrics | None = None,
) -> None:
    """Serve the page and the API on ``host:port`` until ``stop`` is set.

    ``port`` 0 picks a free port; ``on_ready`` is called with the bound port once
    requests are accepted.
    """
    sock = listen(host, port)
    try:
        await _serve(settings, broker, stop, sock, on_ready, metrics)
    finally:
        sock.close()


async def _serve(
    settings: Settings,
    broker: Broker,
    stop: asyncio.Event,
    sock: socket.socket,
    on_ready: Callable[[int], None] | None,
    metrics: Metrics | None,
) -> None:
    registry.load_plugins(settings.engine_plugins)
    # Importing the engine packages can take a moment; do it before serving.
    await asyncio.to_thread(registry.available)

    store = Store(settings.data_dir / "web")
    await store.open()
    watch = WorkerWatch(broker, settings, max_age=settings.web_worker_max_age)
    service = GenerationService(settings, broker, store, watch)
    service.client.metrics = metrics  # requests sent / answers received, for /metrics
    # The total queue limit (TAG_MAX_QUEUE_TOTAL); clients are limited by the API itself.
    service.client.admission = Admission(broker, settings, metrics, per_user=False)
    try:
        await watch.start()
        await service.start()
        app = create_app(settings, service, watch, broker, metrics)
        config = uvicorn.Config(
            app,
            lifespan="off",
            access_log=False,  # URLs carry generation ids, which are capabilities
            # uvicorn would otherwise take X-Forwarded-For from 127.0.0.1 as the
            # client; the API applies TAG_TRUSTED_PROXIES itself (web.access).
            proxy_headers=False,
            forwarded_allow_ips=[],
            log_level=settings.log_level.lower(),
            timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS,
            # Deadlines for slow clients and a cap per address (web.guard).
            http=guarded_protocol(
                header_timeout=settings.web_header_timeout,
                body_timeout=settings.web_body_timeout,
                per_client=settings.web_connections_per_client,
                exempt=settings.trusted_proxies,
            ),
        )
        server = _Server(config)
        serving = asyncio.create_task(server.serve(sockets=[sock]), name="web-server")
        stopping = asyncio.create_task(stop.wait())
        # Wait for either start-up or a stop request.
        while not server.started and not serving.done() and not stop.is_set():
            await asyncio.wait({serving, stopping}, timeout=0.05)
        if server.started:
            host, bound = sock.getsockname()[:2]
            shown = f"[{host}]" if ":" in host else host
            log.info("web page and API on http://%s:%d/", shown, bound)
            if on_ready is not None:
                on_ready(bound)
        await asyncio.wait({serving, stopping}, return_when=asyncio.FIRST_COMPLETED)
        stopping.cancel()
        service.closing.set()  # lets open event streams finish
        server.should_exit = True
        await serving
    finally:
        # Unsubscribing needs the broker; if it is gone, do not hang on it.
        try:
            await asyncio.wait_for(asyncio.gather(service.stop(), watch.stop()), UNSUBSCRIBE_SECONDS)
        except (BrokerError, TimeoutError, OSError) as exc:
            log.warning("web shutdown: could not unsubscribe cleanly (%s)", type(exc).__name__)
        await store.close()


def run_web(settings: Settings, host: str, port: int) -> int:
    """``tag serve``: connect the broker, serve until SIGTERM/SIGINT, return an exit code."""
    url = settings.broker(DEFAULT_AMQP_URL)

    async def main() -> int:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        broker = create_broker(url)
        try:
            await broker.connect()
        except BrokerError as exc:
            # The URL may carry a password; never let it reach the log.
            reason = str(exc).replace(url, redact_url(url))
            log.error("cannot connect to the broker at %s: %s", redact_url(url), reason)
            return 2
        metrics = Metrics("web")
        try:
            # /metrics /healthz /readyz on TAG_METRICS_PORT, beside the API's own probes.
            async with operations_endpoint(settings, broker, metrics):
                await serve_web(settings, broker, stop, host, port, metrics=metrics)
        except OSError as exc:
            log.error("the web server cannot start on %s:%d: %s (TAG_WEB_HOST/TAG_WEB_PORT, TAG_DATA_DIR)",
                      host, port, exc.strerror or exc)
            return 1
        finally:
            await broker.close()
        return 0

    return asyncio.run(main())
