"""Process entry points: ``tag worker`` (``run_worker``) and ``tag run`` (``serve_worker``)."""

from __future__ import annotations

import asyncio
import logging
import signal

from tag.broker import BrokerError, create_broker
from tag.broker.base import Broker
from tag.config import Settings, redact_url
from tag.engines import Engine, EngineError, create_engine, load_plugins
from tag.observability.metrics import Metrics
from tag.observability.server import BrokerProbe, start_ops_server
from tag.worker.service import GeneratorService

log = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_BROKER = 1
EXIT_ENGINE = 2


def load_engine(settings: Settings) -> Engine:
    """Import engine plugins, then create the configured engine (once per worker)."""
    load_plugins(settings.engine_plugins)
    engine = create_engine(settings.engine, settings)
    log.info("engine %r will serve requests (TAG_ENGINE=%s)", engine.name, settings.engine)
    return engine


async def serve_worker(
    settings: Settings, broker: Broker, stop: asyncio.Event, *, engine: Engine | None = None
) -> None:
    """Run a GeneratorService on a connected ``broker`` until ``stop`` is set."""
    if engine is None:
        # Loading weights can take a while; keep the loop (and signals) responsive.
        engine = await asyncio.to_thread(load_engine, settings)
    metrics = Metrics("worker")
    service = GeneratorService(settings, broker, engine, metrics=metrics)
    await service.start()
    probe = BrokerProbe(broker, settings.request_queue, metrics)
    ops = await start_ops_server(settings.metrics_port, settings.metrics_host, metrics, ready=[probe], refresh=[probe.refresh])
    try:
        await stop.wait()
    finally:
        await service.stop()
        if ops is not None:
            await ops.stop()


def run_worker(settings: Settings) -> int:
    """``tag worker``: own the broker connection, serve until SIGTERM/SIGINT, exit 0."""
    if not logging.getLogger().handlers:
        logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        engine = load_engine(settings)
    except (EngineError, ImportError) as exc:
        log.error("cannot start the engine: %s", exc)
        return EXIT_ENGINE
    except KeyboardInterrupt:
        return EXIT_OK
    try:
        return asyncio.run(_main(settings, engine))
    except KeyboardInterrupt:  # a signal before the handlers were installed
        return EXIT_OK


async def _main(settings: Settings, engine: Engine) -> int:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, _on_signal, sig, stop)
    url = settings.broker()
    if url.startswith("memory://"):
        log.warning("TAG_BROKER_URL is memory://: this worker only serves requests made in its own process")
    broker = create_broker(url)
    try:
        await broker.connect()
    except BrokerError as exc:
        log.error("%s", exc)
        return EXIT_BROKER
    try:
        await serve_worker(settings, broker, stop, engine=engine)
    except BrokerError as exc:
        log.error("worker stopped: %s", exc)
        return EXIT_BROKER
    finally:
        await broker.close()
    log.info("worker on %s exited cleanly", redact_url(url))
    return EXIT_OK


def _on_signal(sig: signal.Signals, stop: asyncio.Event) -> None:
    log.info("%s received: finishing the job in hand, then exiting", sig.name)
    stop.set()
