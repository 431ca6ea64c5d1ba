"""Generation end to end: fake Bot API <-> real aiogram bot <-> real RabbitMQ <-> real worker."""

from __future__ import annotations

import asyncio
import logging
import socket
import sqlite3
import uuid

import pytest
from bot_engines import FailingEngine, GatedEngine, default_engine
from fake_telegram import TEST_TOKEN as TOKEN, Call, FakeTelegram, SentMessage

from tag.audio import decode
from tag.bot.app import db_path
from tag.bot.store import BotStore
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
        bob.send("/generate wind in the trees, 4s"),
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
        # A second request meanwhile waits as the next one (here by /generate).
        reply = await fake.wait_for("sendMessage", chat_id=ann.id, since=await ann.send("/generate birds, 2s"))
        assert "I'll make <i>birds</i>, 2 s next" in reply.text
        # Cancel: the status says so, the waiting one is dropped too, and the user is free again.
        mark = await ann.send("/cancel")
        cancelled = await fake.wait_for("sendMessage", chat_id=ann.id, since=mark, where=lambda c: "Cancelled" in c.text)
        assert "<i>birds</i> will not be made next" in cancelled.text
        assert "Cancelled" in status.text
        engine.release()
        # The cancelled sound's late response is dropped; the next request is answered.
        mark = await ann.send("bells, 2s")
        audio = await fake.wait_for("sendAudio", chat_id=ann.id, since=mark, timeout=60)
        assert "bells" in audio.text
        assert len(fake.calls_of("sendAudio", ann.id)) == 1
        assert "Cancelled" in status.text
        assert [prompt for prompt, _ in _requests(stack)] == ["a door creaks", "bells"]  # birds was never sent
    finally:
        engine.release()


async def test_a_prompt_sent_while_generating_is_made_next_even_after_a_restart(stack, fake: FakeTelegram) -> None:
    engine = GatedEngine(delay=30)
    await stack.start_bot()
    await stack.start_worker(engine)
    ann = fake.user(2111)
    try:
        mark = await ann.send("a door creaks, 3s")
        await fake.wait_for("editMessageText", chat_id=ann.id, since=mark, where=lambda c: "%" in c.text, timeout=30)
        # Without a duration: the usual question, for the next request.
        question = await keyboard_for(fake, ann, "birds")
        assert "I'll make <i>birds</i> next, when the current sound is ready" in question.text
        assert "How long" in question.text
        mark = await ann.press(question, "3 s")
        reply = await fake.wait_for("sendMessage", chat_id=ann.id, since=mark)
        assert "I'll make <i>birds</i>, 3 s next" in reply.text
        # A newer description takes the waiting one's place, and the user is told.
        mark = await ann.send("owls hooting, 2s")
        reply = await fake.wait_for("sendMessage", chat_id=ann.id, since=mark)
        assert "I'll make <i>owls hooting</i>, 2 s next" in reply.text and "place of <i>birds</i>" in reply.text
        # Nothing more went to the workers while the first sound is being made.
        assert [prompt for prompt, _ in _requests(stack)] == ["a door creaks"]
        await stack.stop_bot()
        await stack.start_bot()
        engine.release()
        first = await fake.wait_for("sendAudio", chat_id=ann.id, since=mark, timeout=60)
        assert first.params["title"] == "a door creaks"
        # Then the waiting one starts by itself, only once the first was delivered.
        second = await fake.wait_for("sendAudio", chat_id=ann.id, since=first.index + 1, timeout=60)
        assert second.params["title"] == "owls hooting" and sound_length(second) == pytest.approx(2.0, abs=0.1)
        queued = status_of(fake, ann.id, first.index)
        assert "owls hooting" in queued.text and queued.message_id < fake.message(second).message_id
        assert [prompt for prompt, _ in _requests(stack)] == ["a door creaks", "owls hooting"]
    finally:
        engine.release()


async def test_the_waiting_prompt_starts_when_the_current_one_times_out(stack, fake: FakeTelegram) -> None:
    await stack.start_bot(request_timeout=3.0)  # long enough for the second prompt to arrive first
    ivan = fake.user(2121, "ru")
    mark = await ivan.send("тиканье часов, 2с")
    await fake.wait_for("sendMessage", chat_id=ivan.id, since=mark, where=lambda c: "очеред" in c.text)
    reply = await fake.wait_for("sendMessage", chat_id=ivan.id, since=await ivan.send("колокол, 1с"))
    assert "следующим сделаю <i>колокол</i>, 1 с" in reply.text
    timeout = await fake.wait_for("sendMessage", chat_id=ivan.id, since=mark, where=lambda c: "не пришёл" in c.text)
    queued = await fake.wait_for(
        "sendMessage", chat_id=ivan.id, since=timeout.index, where=lambda c: "колокол" in c.text and "очеред" in c.text
    )
    assert queued.index > timeout.index
    assert [prompt for prompt, _ in _requests(stack)] == ["тиканье часов", "колокол"]


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


def _requests(stack) -> list[tuple[str, int]]:
    """(prompt, seed) of every request the bot has sent, oldest first."""
    with sqlite3.connect(db_path(stack.settings)) as db:
        return list(db.execute("SELECT prompt, seed FROM requests ORDER BY created"))


def _request_ids(stack) -> list[str]:
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


async def test_a_caption_has_the_seed_and_each_warning_on_its_own_line_in_both_languages(
    stack, fake: FakeTelegram
) -> None:
    await stack.start_bot()
    await stack.start_worker(default_engine(stack.settings))
    cases = (
        (fake.user(3001, "en"), "qwzx blorp, 1s", "🎲 Seed: ", ["⚠️ Nothing in the prompt"]),
        (fake.user(3002, "ru"), "абырвалг, 1с", "🎲 Зерно (seed): ", ["⚠️ В запросе не нашлось"]),
        (fake.user(3003, "en"), "rain and qwzx, 1s", "🎲 Seed: ",
         ["⚠️ Only part of the prompt was understood: made rain; left out qwzx"]),
    )
    for user, prompt, seed_label, notes in cases:
        mark = await user.send(prompt)
        audio = await fake.wait_for("sendAudio", chat_id=user.id, since=mark, timeout=60)
        headline, seed_line, *note_lines = audio.params["caption"].split("\n")
        assert headline.startswith("🔊 ") and ".;" not in audio.params["caption"]
        # The seed the request was made with (the worker reported none, so the bot's own).
        assert seed_line == seed_label + str(_requests(stack)[-1][1])
        assert len(note_lines) == len(notes)
        for line, note in zip(note_lines, notes):
            assert line.startswith(note) and line.endswith("."), line


async def test_the_caption_shows_the_seed_the_worker_reports(stack, fake: FakeTelegram) -> None:
    await stack.start_bot()  # no worker: the test answers as one
    ann = fake.user(3003)
    mark = await ann.send("owl hooting, 1s")
    await fake.wait_for("sendMessage", chat_id=ann.id, since=mark, where=lambda c: "queue" in c.text)
    (request_id,) = _request_ids(stack)
    (_, sent_seed), = _requests(stack)
    reported = (sent_seed + 1) % 2**32
    answer = SoundResponse(
        request_id=uuid.UUID(request_id), chat_id=ann.id, user_id=ann.id, status="ok", audio=b"RIFF-test",
        format="wav", duration=1.0, seed=reported, notices=["first note", "second note without a stop"],
    )
    await stack.bot_broker.publish(stack.settings.response_queue, Message(body=answer.to_json()))
    document = await fake.wait_for("sendDocument", chat_id=ann.id, since=mark, timeout=30)
    assert document.params["caption"].split("\n")[1:] == [
        f"🎲 Seed: {reported}", "ℹ️ first note", "ℹ️ second note without a stop"
    ]


async def test_a_waiting_prompt_left_by_a_bot_stopped_as_its_turn_came_starts_on_restart(
    stack, fake: FakeTelegram
) -> None:
    await stack.start_bot()
    ann = fake.user(3004)
    mark = await ann.send("a clock ticking, 2s")
    await fake.wait_for("sendMessage", chat_id=ann.id, since=mark, where=lambda c: "queue" in c.text)
    reply = await fake.wait_for("sendMessage", chat_id=ann.id, since=await ann.send("a bell, 1s"))
    assert "a bell</i>, 1 s next" in reply.text
    await stack.stop_bot()
    # What a bot killed right after the first request ended leaves: a free user, a waiting prompt.
    store = BotStore(db_path(stack.settings))
    await store.open()
    try:
        (request_id,) = _request_ids(stack)
        await store.finish(request_id, "failed")
        assert await store.clear_session(ann.id, request_id=request_id)
    finally:
        await store.close()
    mark = fake.mark()
    await stack.start_bot()
    status = await fake.wait_for("sendMessage", chat_id=ann.id, since=mark, where=lambda c: "queue" in c.text)
    assert "a bell</i>, 1 s" in status.text
    assert [prompt for prompt, _ in _requests(stack)] == ["a clock ticking", "a bell"]


async def test_a_prompt_with_nothing_recognised_is_not_called_done_and_offers_suggestions(
    stack, fake: FakeTelegram
) -> None:
    await stack.start_bot()
    await stack.start_worker(default_engine(stack.settings))
    ann = fake.user(3101, "en")
    mark = await ann.send("qwzx blorf, 1s")
    audio = await fake.wait_for("sendAudio", chat_id=ann.id, since=mark, timeout=60)
    assert "⚠️ Nothing in the prompt was recognised as a sound" in audio.params["caption"]
    offer = await fake.wait_for("sendMessage", chat_id=ann.id, since=mark, where=lambda c: "Try one of these" in c.text)
    assert offer.text.startswith("⚠️ Nothing in the prompt was recognised as a sound")
    suggestions = fake.message(offer)
    labels = [b["text"] for b in suggestions.buttons()]
    assert len(labels) == 5 and "🔁 rain" in labels
    assert all(len(b["callback_data"].encode()) <= 64 for b in suggestions.buttons())
    status = status_of(fake, ann.id, mark)
    await fake.wait_for("editMessageText", chat_id=ann.id, since=mark, where=lambda c: "Not what you asked" in c.text)
    assert status.text.startswith("⚠️ ") and "✅" not in status.text and "Done" not in status.text

    # A suggestion makes that sound, at the same length: a plain success this time.
    mark = await ann.press(suggestions, "🔁 rain")
    again = await fake.wait_for("sendAudio", chat_id=ann.id, since=mark, timeout=60)
    assert again.params["title"] == "rain" and sound_length(again) == pytest.approx(1.0, abs=0.1)
    assert "⚠️" not in again.params["caption"]
    await fake.wait_for("editMessageText", chat_id=ann.id, since=mark, where=lambda c: c.text.startswith("✅"))
    assert not [c for c in fake.calls_of("sendMessage", ann.id, since=mark) if "Try one of these" in c.text]


async def test_suggestions_are_in_the_users_language(stack, fake: FakeTelegram) -> None:
    await stack.start_bot()
    await stack.start_worker(default_engine(stack.settings))
    ivan = fake.user(3102, "ru")
    mark = await ivan.send("абырвалг, 2с")
    offer = await fake.wait_for("sendMessage", chat_id=ivan.id, since=mark, where=lambda c: "Попробуйте" in c.text)
    assert offer.text.startswith("⚠️ В запросе не нашлось ни одного знакомого звука") and "2 с" in offer.text
    assert "🔁 дождь" in [b["text"] for b in fake.message(offer).buttons()]
    await fake.wait_for(
        "editMessageText", chat_id=ivan.id, since=mark, where=lambda c: "не то, что вы просили" in c.text
    )
