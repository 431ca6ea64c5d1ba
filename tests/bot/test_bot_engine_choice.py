"""Choosing the engine in /settings: shown, saved, sent with requests, explained when missing."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import aio_pika
from bot_engines import ToneEngine
from fake_telegram import FakeTelegram, SentMessage

from tag.bot.app import db_path
from tag.bot.store import BotStore
from tag.messages import SoundRequest


async def ask(fake: FakeTelegram, user, text: str) -> SentMessage:
    mark = await user.send(text)
    call = await fake.wait_for("sendMessage", chat_id=user.id, since=mark)
    return fake.message(call)


@asynccontextmanager
async def queued_requests(amqp_url: str, queue: str) -> AsyncIterator[asyncio.Queue[SoundRequest]]:
    """What the bot publishes to ``queue``, as a worker would receive it (no worker runs)."""
    received: asyncio.Queue[SoundRequest] = asyncio.Queue()
    connection = await aio_pika.connect(amqp_url)
    async with connection:
        channel = await connection.channel()
        # Passive: the bot declared it with its own arguments.
        declared = await channel.declare_queue(queue, passive=True)

        async def on_message(message: aio_pika.abc.AbstractIncomingMessage) -> None:
            async with message.process():
                received.put_nowait(SoundRequest.from_json(message.body))

        tag = await declared.consume(on_message)
        try:
            yield received
        finally:
            await declared.cancel(tag)


async def choose(fake: FakeTelegram, user, panel: SentMessage, label: str) -> None:
    mark = await user.press(panel, label)
    answer = await fake.wait_for("answerCallbackQuery", since=mark)
    assert "Saved" in answer.params.get("text", "")
    await fake.wait_for("editMessageText", chat_id=user.id, since=mark)


async def send_and_take(fake: FakeTelegram, user, requests: asyncio.Queue[SoundRequest]) -> SoundRequest:
    mark = await user.send("rain, 3s")
    await fake.wait_for("sendMessage", chat_id=user.id, since=mark, where=lambda c: "queue" in c.text)
    request = await asyncio.wait_for(requests.get(), 20)
    assert request.user_id == user.id and request.prompt == "rain"
    await ask(fake, user, "/cancel")  # frees the user's single slot for the next request
    return request


async def test_chosen_engine_is_saved_and_sent_and_auto_sends_none(stack, fake: FakeTelegram, amqp_url) -> None:
    await stack.start_bot()
    ann = fake.user(1101, "en")
    panel = await ask(fake, ann, "/settings")
    assert "Engine: auto" in panel.text
    labels = [b["text"] for b in panel.buttons()]
    assert "✓ auto" in labels and "synth" in labels  # synth needs no weights: always offered
    assert "make-an-audio" not in labels  # its weights are not in this test's model_dir
    assert all(len(b["callback_data"].encode()) <= 64 for b in panel.buttons())

    await choose(fake, ann, panel, "synth")
    assert "Engine: synth" in panel.text
    assert "✓ synth" in [b["text"] for b in panel.buttons()]

    # The choice is in the file, not only in the running bot.
    await stack.stop_bot()
    store = BotStore(db_path(stack.settings))
    await store.open()
    try:
        assert (await store.prefs(ann.id)).engine == "synth"
    finally:
        await store.close()

    await stack.start_bot()
    async with queued_requests(amqp_url, stack.settings.request_queue) as requests:
        assert (await send_and_take(fake, ann, requests)).options.engine == "synth"
        panel = await ask(fake, ann, "/settings")
        assert "Engine: synth" in panel.text
        await choose(fake, ann, panel, "auto")
        assert "Engine: auto" in panel.text
        assert (await send_and_take(fake, ann, requests)).options.engine is None
        # Someone who never chose sends no engine either.
        bob = fake.user(1102, "en")
        assert (await send_and_take(fake, bob, requests)).options.engine is None


async def test_forged_engine_names_are_ignored(stack, fake: FakeTelegram) -> None:
    await stack.start_bot()
    ann = fake.user(1103, "en")
    panel = await ask(fake, ann, "/settings")
    mark = await ann.press_data(panel, "set:engine:no-such-engine")
    answer = await fake.wait_for("answerCallbackQuery", since=mark)
    assert "Saved" not in answer.params.get("text", "")
    panel = await ask(fake, ann, "/settings")
    assert "Engine: auto" in panel.text


async def test_engine_no_worker_serves_points_to_settings_in_both_languages(stack, fake: FakeTelegram) -> None:
    await stack.start_bot()
    await stack.start_worker(ToneEngine())
    for user_id, lang, failed in ((1104, "en", "cannot make sounds"), (1105, "ru", "не может создавать")):
        user = fake.user(user_id, lang)
        panel = await ask(fake, user, "/settings")
        # A registered engine no worker here serves (the panel would not offer it).
        mark = await user.press_data(panel, "set:engine:musicgen")
        await fake.wait_for("editMessageText", chat_id=user.id, since=mark)
        assert "musicgen" in panel.text
        mark = await user.send("rain, 3s")
        error = await fake.wait_for(
            "sendMessage", chat_id=user.id, since=mark, where=lambda c, f=failed: f in c.text, timeout=30
        )
        assert "/settings" in error.text and "musicgen" in error.text
