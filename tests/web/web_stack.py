"""A real web server and a real worker on the real RabbitMQ, in a background thread.

The stack runs its own event loop in a thread so tests can drive it with plain
blocking clients (httpx, Playwright's sync API) from the test thread.
"""

from __future__ import annotations

import asyncio
import threading
import time
from concurrent.futures import Future
from typing import Any, Callable, Coroutine, TypeVar

import httpx
from support.engines import RATE, tone

from tag import audio
from tag.broker import Delivery, Message, Subscription
from tag.broker.rabbit import RabbitBroker
from tag.config import Settings
from tag.engines import Engine
from tag.engines.peers.routing import worker_queues
from tag.messages import SoundRequest, SoundResponse
from tag.observability.metrics import Metrics
from tag.web import serve_web
from tag.web.service import reply_queue
from tag.worker import GeneratorService

T = TypeVar("T")
START_TIMEOUT = 30.0


class WebStack:
    """``serve_web`` on a free port, plus at most one worker, on their own loop."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name="web-stack", daemon=True)
        self._thread.start()
        self.web_broker: RabbitBroker | None = None
        self.worker: GeneratorService | None = None
        self._worker_broker: RabbitBroker | None = None
        self._stop: asyncio.Event | None = None
        self._server: Future[None] | None = None
        self.port = 0
        self.metrics = Metrics("web")
        # Engines of the workers started: each declared its own request queue.
        self._engines: set[str] = set()
        self._answering: Subscription | None = None

    def run(self, coro: Coroutine[Any, Any, T], timeout: float = START_TIMEOUT) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def client(self, **kwargs: Any) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=30.0, **kwargs)

    # -- web ------------------------------------------------------------------
    def start_web(self) -> None:
        ready: Future[int] = Future()

        async def start() -> None:
            self.web_broker = RabbitBroker(self.settings.broker(), connection_name="tag-test-web")
            await self.web_broker.connect()
            self._stop = asyncio.Event()

        self.run(start())
        assert self.web_broker is not None and self._stop is not None
        self._server = asyncio.run_coroutine_threadsafe(
            serve_web(
                self.settings, self.web_broker, self._stop, "127.0.0.1", 0,
                on_ready=ready.set_result, metrics=self.metrics,
            ),
            self.loop,
        )
        self._server.add_done_callback(lambda f: ready.done() or ready.set_exception(f.exception() or RuntimeError()))
        self.port = ready.result(START_TIMEOUT)

    # -- worker -----------------------------------------------------------------
    def start_worker(self, engine: Engine, heartbeat_interval: float = 0.5) -> GeneratorService:
        self._engines.add(engine.name)
        async def start() -> GeneratorService:
            self._worker_broker = RabbitBroker(self.settings.broker(), connection_name="tag-test-worker")
            await self._worker_broker.connect()
            worker = GeneratorService(
                self.settings, self._worker_broker, engine, heartbeat_interval=heartbeat_interval
            )
            await worker.start()
            return worker

        self.worker = self.run(start())
        return self.worker

    def answer_requests(self, seed: int) -> list[SoundRequest]:
        """Answer every request on the request queue as a worker would, with a
        tone made "with" ``seed``; returns the list the requests arrive in."""
        received: list[SoundRequest] = []
        assert self.web_broker is not None
        broker = self.web_broker

        async def answer(delivery: Delivery) -> None:
            request = SoundRequest.from_json(delivery.message.body, max_duration=self.settings.max_duration)
            received.append(request)
            response = SoundResponse(
                request_id=request.request_id, chat_id=request.chat_id, user_id=request.user_id, status="ok",
                audio=audio.encode(tone(request.duration), RATE, "wav"), format="wav", sample_rate=RATE,
                duration=request.duration, engine="test-tone", seed=seed,
            )
            assert delivery.message.reply_to is not None
            reply = Message(body=response.to_json(), correlation_id=str(request.request_id))
            await broker.publish(delivery.message.reply_to, reply)
            await delivery.ack()

        self._answering = self.run(broker.consume(self.settings.request_queue, answer))
        return received

    def stop_worker(self) -> None:
        worker, broker = self.worker, self._worker_broker
        self.worker = self._worker_broker = None

        async def stop() -> None:
            if worker is not None:
                await worker.stop(grace=5.0)
            if broker is not None:
                await broker.close()

        self.run(stop())

    # -- teardown ---------------------------------------------------------------
    def stop_web(self) -> None:
        """Stop the server (as a restart would); queues and the store stay."""
        server, self._server = self._server, None
        if server is not None and self._stop is not None:
            self.loop.call_soon_threadsafe(self._stop.set)
            server.result(START_TIMEOUT)
        broker, self.web_broker = self.web_broker, None
        if broker is not None:
            self.run(broker.close())

    def close(self) -> None:
        self.stop_worker()
        answering, self._answering = self._answering, None
        if answering is not None and self.web_broker is not None:
            self.run(answering.cancel())
        self.stop_web()

        async def cleanup() -> None:
            cleaner = RabbitBroker(self.settings.broker(), connection_name="tag-test-cleaner")
            await cleaner.connect()
            try:
                queues = worker_queues(self.settings, sorted(self._engines))
                queues += [self.settings.response_queue, reply_queue(self.settings)]
                for queue in queues:
                    await cleaner.delete_queue(queue)
                await cleaner.delete_exchange(self.settings.progress_exchange)
            finally:
                await cleaner.close()

        try:
            self.run(cleanup())
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self._thread.join(10)
            self.loop.close()


def wait_for(condition: Callable[[], T], timeout: float = 20.0, interval: float = 0.05) -> T:
    """Poll ``condition`` (a cheap query of a real service) until it is truthy."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout} s (last value {value!r})")
        time.sleep(interval)
