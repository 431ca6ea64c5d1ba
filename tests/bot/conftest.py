"""The bot under test: fake Bot API server + real aiogram bot + real RabbitMQ (+ a real worker)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import aio_pika
import pytest
from pydantic import SecretStr

from tag.bot import serve_bot
from tag.broker import create_broker
from tag.broker.base import Broker
from tag.config import Settings
from tag.engines.peers.routing import engine_queue
from fake_telegram import TEST_TOKEN, FakeTelegram

TOKEN = TEST_TOKEN


class BotStack:
    """Starts and stops the pieces a test needs, and cleans up what they declared."""

    def __init__(self, settings: Settings, fake: FakeTelegram, amqp_url: str) -> None:
        self.settings = settings
        self.fake = fake
        self.amqp_url = amqp_url
        self.brokers: list[Broker] = []
        self._bot: tuple[asyncio.Task[None], asyncio.Event, Broker] | None = None
        self._workers: list[tuple[asyncio.Task[None], asyncio.Event]] = []
        self.engine_names: set[str] = set()

    async def _broker(self) -> Broker:
        broker = create_broker(self.amqp_url)
        await broker.connect()
        self.brokers.append(broker)
        return broker

    @property
    def bot_broker(self) -> Broker:
        assert self._bot is not None
        return self._bot[2]

    async def start_bot(self, **overrides: Any) -> None:
        if overrides:
            self.settings = self.settings.model_copy(update=overrides)
        broker = await self._broker()
        stop = asyncio.Event()
        mark = self.fake.mark()
        task = asyncio.create_task(serve_bot(self.settings, broker, stop))
        self._bot = (task, stop, broker)
        # Ready once it has told Telegram how it receives updates (or dead trying).
        ready = asyncio.create_task(self.fake.wait_for(("deleteWebhook", "setWebhook"), since=mark))
        await asyncio.wait({task, ready}, return_when=asyncio.FIRST_COMPLETED)
        if task.done():
            ready.cancel()
            task.result()
            raise AssertionError("the bot stopped right after starting")
        ready.result()

    async def stop_bot(self) -> None:
        assert self._bot is not None
        task, stop, broker = self._bot
        stop.set()
        await asyncio.wait_for(task, 20)
        self._bot = None
        await broker.close()
        self.brokers.remove(broker)

    async def start_worker(self, engine: object | None = None, **overrides: Any) -> None:
        worker = pytest.importorskip("tag.worker")
        settings = self.settings.model_copy(update=overrides)
        self.engine_names.add(getattr(engine, "name", settings.engine))
        broker = await self._broker()
        stop = asyncio.Event()
        alive = asyncio.Event()

        async def on_heartbeat(body: bytes) -> None:
            alive.set()

        watch = await broker.subscribe_events(settings.progress_exchange, "heartbeat.*", on_heartbeat)
        task = asyncio.create_task(worker.serve_worker(settings, broker, stop, engine=engine))
        self._workers.append((task, stop))
        # Ready at its first heartbeat (sent once it consumes), or dead trying.
        waiter = asyncio.create_task(alive.wait())
        await asyncio.wait({task, waiter}, timeout=30, return_when=asyncio.FIRST_COMPLETED)
        waiter.cancel()
        await watch.cancel()
        if task.done():
            task.result()
            raise AssertionError("the worker stopped right after starting")
        assert alive.is_set(), "no heartbeat from the worker"

    async def close(self) -> None:
        if self._bot is not None:
            with contextlib.suppress(Exception):
                await self.stop_bot()
        for task, stop in self._workers:
            stop.set()
        for task, _ in self._workers:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(task, 20)
        for broker in self.brokers:
            await broker.close()
        await _delete_declared(self.amqp_url, self.settings, self.engine_names)


async def _delete_declared(amqp_url: str, settings: Settings, engines: set[str]) -> None:
    # Workers also consume a queue of requests that name their engine.
    engine_queues = [engine_queue(settings, name) for name in engines]
    connection = await aio_pika.connect(amqp_url)
    async with connection:
        channel = await connection.channel()
        for queue in (settings.request_queue, settings.response_queue, *engine_queues):
            for name in (queue, queue + ".dlq"):
                await channel.queue_delete(name)
        await channel.exchange_delete(settings.progress_exchange)


@pytest.fixture
def bot_settings(settings: Settings) -> Settings:
    return settings.model_copy(
        update={
            "telegram_token": SecretStr(TOKEN),
            "request_timeout": 60.0,
            "bot_progress_interval": 0.5,
            "bot_rate_limit": 0,
            "engine": "synth",
        }
    )


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    server = FakeTelegram(TOKEN)
    await server.start()
    yield server
    await server.close()


@pytest.fixture
async def stack(bot_settings: Settings, fake: FakeTelegram, amqp_url: str) -> AsyncIterator[BotStack]:
    settings = bot_settings.model_copy(update={"telegram_api_url": fake.base_url})
    stack = BotStack(settings, fake, amqp_url)
    yield stack
    await stack.close()
