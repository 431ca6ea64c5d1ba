"""Generation end to end: fake Bot API <-> real aiogram bot <-> real RabbitMQ <-> real worker."""

from __future__ import annotations

import asyncio
import logging
import socket
import uuid

import pytest
from bot_engines import FailingEngine, GatedEngine, default_engine
from fake_telegram import TEST_TOKEN as TOKEN, Call, FakeTelegram, SentMessage

from tag.audio import decode
from tag.broker import Message
from tag.messages import SoundResponse

pytestmark = pytest.mark.rabbitmq


def sound_length(call: Call) -> float:
    samples, rate = decode(call.upload())
    return samples.shape[0] / rate


async def keyboard_for(fake: FakeTelegram, user, prompt: str) -> SentMessage:
    mark = await user.send(prompt)
    call = await fake.wait_for("sendMessage", chat_id=user.id, since=mark, where=lambda c: "_message_id" in c.params)
    return fake.message(call)


def status_of(fake: FakeTelegram, user_id: int, since: int) -> SentMessage:
    """The status message the bot posted for the request sent after ``since``."""
    for call in fake.calls_of("sendMessage", user_id, since=since):
        if "queue" in call.text or "очеред" in call.text:
            return fake.message(call)
    raise AssertionError("no status message")


async def test_several_users_at_once_each_get_their_sound(stack, fake: FakeTelegram, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    await stack.start_bot()
    await stack.start_worker(default_engine(stack.settings), worker_concurrency=2)
    ann, ivan, bob = fake.user(2001, "en"), fake.user(2002, "ru"), fake.user(2003, "en")

    # Bob wants WAV files, Ivan voice notes; Ann keeps the default (audio).
    panel = fake.message(await fake.wait_for("sendMessage", chat_id=bob.id, since=await bob.send("/settings")))
    mark = await bob.press(panel, "WAV")
    await fake.wait_for("answerCallbackQuery", since=mark)
    panel = fake.message(await fake.wait_for("sendMessage", chat_id=ivan.id, since=await ivan.send("/settings")))
    mark = await ivan.press(panel, "голосов")
    await fake.wait_for("answerCallbackQuery", since=mark)

    keyboard = await keyboard_for(fake, ann, "rain on a tin roof")
    start = fake.mark()
    await asyncio.gather(
        ann.press(keyboard, "3 s"),
        ivan.send("шум моря, 2с"),
        bob.send("/generate wind in the pines, 4s"),
    )
    audio = await fake.wait_for("sendAudio", chat_id=ann.id, since=start, timeout=60)
    voice = await fake.wait_for("sendVoice", chat_id=ivan.id, since=start, timeout=60)
    document = await fake.wait_for("sendDocument", chat_id=bob.id, since=start, timeout=60)

    assert sound_length(audio) == pytest.approx(3.0, abs=0.1)
    assert sound_length(voice) == pytest.approx(2.0, abs=0.05)
    assert sound_length(document) == pytest.approx(4.0, abs=0.01)
    assert audio.params["title"] == "rain on a tin roof"
    assert audio.params["performer"] == "TAG" and audio.params["duration"] == "3"
    assert voice.params["duration"] == "2" and "шум моря" in voice.text
    assert document.params["_filename"].endswith(".wav")
    sent = fake.message(audio)
    assert [b["text"] for b in sent.buttons()] == ["🔁 Again", "➕ Longer (6 s)", "➖ Shorter (1.5 s)"]
    assert "Ещё раз" in fake.message(voice).buttons()[0]["text"]
    # Each status message ends as "done".
    await fake.wait_for("editMessageText", chat_id=ann.id, since=start, where=lambda c: c.text.endswith("Done."))
    await fake.wait_for("editMessageText", chat_id=ivan.id, since=start, where=lambda c: "Готово" in c.text)
    await fake.wait_for("editMessageText", chat_id=bob.id, since=start, where=lambda c: c.text.endswith("Done."))

    # The context is cleared: Ann may ask again, here with "Longer".
    mark = await ann.press(sent, "Longer")
    longer = await fake.wait_for("sendAudio", chat_id=ann.id, since=mark, timeout=60)
    assert sound_length(longer) == pytest.approx(6.0, abs=0.1)
    assert longer.params["title"] == "rain on a tin roof"
    assert TOKEN not in caplog.text


async def test_one_request_per_user_progress_and_cancel(stack, fake: FakeTelegram) -> None:
    engine = GatedEngine(delay=30)
    await stack.start_bot()
    await stack.start_worker(engine)
    ann = fake.user(2101)
    try:
        mark = await ann.send("a door creaks, 3s")
        progress = await fake.wait_for(
            "editMessageText", chat_id=ann.id, since=mark, where=lambda c: "Generating… 10%" in c.text, timeout=30
        )
        await fake.wait_for("sendChatAction", chat_id=ann.id, since=mark, where=lambda c: c.params["action"] == "upload_voice")
        status = fake.message(progress)
        # A second request meanwhile is refused politely, by text and by button.
        busy = await fake.wait_for("sendMessage", chat_id=ann.id, since=await ann.send("birds"))
        assert "/cancel" in busy.text
        busy = await fake.wait_for("sendMessage", chat_id=ann.id, since=await ann.send("/generate birds"))
        assert "still generating" in busy.text
        # Cancel: the status says so and the user is free again.
        mark = await ann.send("/cancel")
        await fake.wait_for("sendMessage", chat_id=ann.id, since=mark, where=lambda c: "Cancelled" in c.text)
        assert "Cancelled" in status.text
        engine.release()
        # The cancelled sound's late response is dropped; the next request is answered.
        mark = await ann.send("birds, 2s")
        audio = await fake.wait_for("sendAudio", chat_id=ann.id, since=mark, timeout=60)
        assert "birds" in audio.text
        assert len(fake.calls_of("sendAudio", ann.id)) == 1
        assert "Cancelled" in status.text
    finally:
        engine.release()


async def test_bot_restart_while_generating_still_delivers(stack, fake: FakeTelegram) -> None:
    engine = GatedEngine(delay=30)
    await stack.start_bot()
    await stack.start_worker(engine)
    ann = fake.user(2201)
    try:
        mark = await ann.send("distant thunder, 2s")
        await fake.wait_for("editMessageText", chat_id=ann.id, since=mark, where=lambda c: "%" in c.text, timeout=30)
        status = status_of(fake, ann.id, mark)
        await stack.stop_bot()
        engine.release()  # the response waits in the durable response queue
        await stack.start_bot()
        audio = await fake.wait_for("sendAudio", chat_id=ann.id, since=mark, timeout=60)
        assert sound_length(audio) == pytest.approx(2.0, abs=0.1)
        await fake.wait_for("editMessageText", chat_id=ann.id, since=mark, where=lambda c: c.text.endswith("Done."))
        assert status.text.endswith("Done.")
        # And the user may ask again.
        keyboard = await keyboard_for(fake, ann, "more thunder")
        assert keyboard.buttons()
    finally:
        engine.release()


async def test_worker_error_reaches_the_user(stack, fake: FakeTelegram) -> None:
    await stack.start_bot()
    await stack.start_worker(FailingEngine())
    ivan = fake.user(2301, "ru")
    mark = await ivan.send("скрип двери, 2с")
    error = await fake.wait_for(
        "sendMessage", chat_id=ivan.id, since=mark, where=lambda c: "не удалось" in c.text, timeout=30
    )
    assert "the test engine refuses to play" in error.text
    assert status_of(fake, ivan.id, mark).text.endswith("Не получилось.")
    keyboard = await keyboard_for(fake, ivan, "скрип двери")
    assert keyboard.buttons()


async def test_timeout_reaches_the_user_and_a_late_answer_is_dropped(stack, fake: FakeTelegram) -> None:
    await stack.start_bot(request_timeout=1.0)
    ann = fake.user(2401)
    mark = await ann.send("a clock ticking, 2s")
    timeout = await fake.wait_for("sendMessage", chat_id=ann.id, since=mark, where=lambda c: "no answer" in c.text)
    assert "1 s" in timeout.text
    assert status_of(fake, ann.id, mark).text.endswith("No answer in time.")
    # A worker turns up late: the stale answer is dropped, new requests are served.
    await stack.stop_bot()
    await stack.start_bot(request_timeout=60.0)
    await stack.start_worker(default_engine(stack.settings))
    mark = await ann.send("a clock ticking, 1s")
    audio = await fake.wait_for("sendAudio", chat_id=ann.id, since=mark, timeout=60)
    assert sound_length(audio) == pytest.approx(1.0, abs=0.1)
    assert len(fake.calls_of("sendAudio", ann.id)) == 1


async def test_duplicate_response_is_dropped(stack, fake: FakeTelegram) -> None:
    await stack.start_bot()
    await stack.start_worker(default_engine(stack.settings))
    ann = fake.user(2501)
    mark = await ann.send("owl hooting, 1s")
    await fake.wait_for("sendAudio", chat_id=ann.id, since=mark, timeout=60)
    request_id = _request_ids(stack)[-1]
    duplicate = SoundResponse(
        request_id=uuid.UUID(request_id), chat_id=ann.id, user_id=ann.id, status="error",
        error={"code": "x", "message": "duplicate"},
    )
    await stack.bot_broker.publish(stack.settings.response_queue, Message(body=duplicate.to_json()))
    mark = await ann.send("owl hooting, 2s")
    await fake.wait_for("sendAudio", chat_id=ann.id, since=mark, timeout=60)
    assert not [c for c in fake.calls_of("sendMessage", ann.id) if "duplicate" in c.text]


def _request_ids(stack) -> list[str]:
    import sqlite3

    from tag.bot.app import db_path

    with sqlite3.connect(db_path(stack.settings)) as db:
        return [row[0] for row in db.execute("SELECT request_id FROM requests ORDER BY created")]


async def test_broker_outage_at_send_time(stack, fake: FakeTelegram) -> None:
    await stack.start_bot()
    ann = fake.user(2601)
    await stack.bot_broker.close()  # the connection is gone when the user asks
    mark = await ann.send("waves, 2s")
    error = await fake.wait_for("sendMessage", chat_id=ann.id, since=mark, where=lambda c: "unavailable" in c.text)
    assert error is not None
    assert status_of(fake, ann.id, mark).text.endswith("Failed.")
    keyboard = await keyboard_for(fake, ann, "waves")  # not stuck in "generating"
    assert keyboard.buttons()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def test_webhook_mode_checks_the_secret(stack, fake: FakeTelegram) -> None:
    port = _free_port()
    await stack.start_bot(webhook_url=f"http://127.0.0.1:{port}/tg/hook", webhook_port=port)
    hook = fake.calls_of("setWebhook")[-1]
    assert hook.params["url"].endswith("/tg/hook") and len(hook.params["secret_token"]) >= 32
    ann = fake.user(2701)
    mark = await ann.send("/start")  # the fake now POSTs updates to the webhook
    reply = await fake.wait_for("sendMessage", chat_id=ann.id, since=mark)
    assert "sound" in reply.text
    assert fake.webhook_responses[-1] == 200
    forged = {"message": ann._message(text="/help")}
    assert await fake.post_webhook(forged, "wrong-secret") == 401
    assert await fake.post_webhook(forged, None) == 401
    keyboard = await keyboard_for(fake, ann, "church bells")
    assert keyboard.buttons()
    # The forged /help updates were refused before reaching any handler.
    assert all("How it works" not in c.text for c in fake.calls_of("sendMessage", ann.id))


async def test_history_lists_last_prompts_and_regenerates(stack, fake: FakeTelegram) -> None:
    await stack.start_bot()
    await stack.start_worker(default_engine(stack.settings))
    ann = fake.user(2801)
    empty = await fake.wait_for("sendMessage", chat_id=ann.id, since=await ann.send("/history"))
    assert "No prompts yet" in empty.text
    for prompt in ("a cat purrs, 1s", "a kettle whistles, 1s"):
        mark = await ann.send(prompt)
        await fake.wait_for("sendAudio", chat_id=ann.id, since=mark, timeout=60)
        await fake.wait_for("editMessageText", chat_id=ann.id, since=mark, where=lambda c: c.text.endswith("Done."))
    panel = fake.message(await fake.wait_for("sendMessage", chat_id=ann.id, since=await ann.send("/history")))
    assert [b["text"] for b in panel.buttons()] == ["a kettle whistles · 1 s", "a cat purrs · 1 s"]
    mark = await ann.press(panel, "a cat purrs")
    again = await fake.wait_for("sendAudio", chat_id=ann.id, since=mark, timeout=60)
    assert again.params["title"] == "a cat purrs"
    # Another user cannot replay Ann's history buttons.
    bob = fake.user(2802)
    mark = await bob.press_data(panel, panel.buttons()[0]["callback_data"])
    answer = await fake.wait_for("answerCallbackQuery", since=mark)
    assert "outdated" in answer.params["text"]


async def test_telegram_hiccup_while_sending_is_retried(stack, fake: FakeTelegram) -> None:
    await stack.start_bot()
    await stack.start_worker(default_engine(stack.settings))
    ann = fake.user(2901)
    fake.fail("sendAudio", 502, "Bad Gateway")  # the first upload fails: the response is redelivered
    fake.fail("sendAudio", 429, "Too Many Requests: retry after 1", retry_after=1)  # then: flood control
    mark = await ann.send("a train passes, 2s")
    audio = await fake.wait_for("sendAudio", chat_id=ann.id, since=mark, where=lambda c: c.params["_status"] == 200,
                                timeout=60)
    assert sound_length(audio) == pytest.approx(2.0, abs=0.1)
    assert [c.params["_status"] for c in fake.calls_of("sendAudio", ann.id)] == [502, 429, 200]
    await fake.wait_for("editMessageText", chat_id=ann.id, since=mark, where=lambda c: c.text.endswith("Done."))
