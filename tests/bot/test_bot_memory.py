"""The ``tag run`` shape: bot and worker in one process on the in-process broker."""

from __future__ import annotations

import asyncio

from bot_engines import default_engine
from fake_telegram import FakeTelegram

from tag.audio import decode
from tag.bot import serve_bot
from tag.broker.memory import MemoryBroker
from tag.config import Settings
from tag.worker import serve_worker


async def test_bot_and_worker_on_the_memory_broker(bot_settings: Settings, fake: FakeTelegram) -> None:
    settings = bot_settings.model_copy(update={"telegram_api_url": fake.base_url, "broker_url": None})
    broker = MemoryBroker("memory://bot-test")
    stop = asyncio.Event()
    async with broker:
        mark = fake.mark()
        tasks = [
            asyncio.create_task(serve_bot(settings, broker, stop)),
            asyncio.create_task(serve_worker(settings, broker, stop, engine=default_engine(settings))),
        ]
        try:
            await fake.wait_for("deleteWebhook", since=mark)
            ann = fake.user(4001)
            keyboard = fake.message(await fake.wait_for("sendMessage", chat_id=ann.id, since=await ann.send("surf")))
            mark = await ann.press(keyboard, "5 s")
            audio = await fake.wait_for("sendAudio", chat_id=ann.id, since=mark, timeout=60)
            samples, rate = decode(audio.upload())
            assert abs(samples.shape[0] / rate - 5.0) < 0.1
            status = await fake.wait_for("sendMessage", chat_id=ann.id, since=mark, where=lambda c: "queue" in c.text)
            assert "position 1" in status.text
        finally:
            stop.set()
            await asyncio.wait_for(asyncio.gather(*tasks), 30)
