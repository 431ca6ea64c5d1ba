"""The dialogue without generation: help, keyboards, validation, cancel, old buttons, languages."""

from __future__ import annotations

import logging

import pytest
from fake_telegram import FakeTelegram, SentMessage

from tag.bot.keyboards import SoundCb


async def ask(fake: FakeTelegram, user, text: str) -> SentMessage:
    """Send ``text`` and return the bot's reply message."""
    mark = await user.send(text)
    call = await fake.wait_for("sendMessage", chat_id=user.id, since=mark)
    return fake.message(call)


async def test_start_and_help_explain_with_examples_in_both_languages(stack, fake: FakeTelegram) -> None:
    await stack.start_bot()
    ann, ivan = fake.user(1001, "en"), fake.user(1002, "ru")
    start_en = await ask(fake, ann, "/start")
    start_ru = await ask(fake, ivan, "/start")
    assert "sound" in start_en.text and "/generate" in start_en.text
    assert "звук" in start_ru.text and "/generate" in start_ru.text
    help_en = await ask(fake, ann, "/help")
    assert "30 s" in help_en.text and "500" in help_en.text
    help_ru = await ask(fake, ivan, "/help")
    assert "30 с" in help_ru.text
    commands = fake.calls_of("setMyCommands")
    assert {c.params.get("language_code") for c in commands} >= {"en", "ru"}
    assert all("sounds" in [c["command"] for c in call.params["commands"]] for call in commands)
    assert "/sounds" in help_en.text and "/sounds" in help_ru.text


@pytest.mark.parametrize(
    ("lang", "family", "item"),
    [
        ("en", "<b>Natural sounds</b>", "• rain: <code>rain</code>"),
        ("ru", "<b>Природа</b>", "• дождь: <code>дождь</code>"),
    ],
)
async def test_sounds_lists_the_known_sounds_by_family(
    stack, fake: FakeTelegram, lang: str, family: str, item: str
) -> None:
    await stack.start_bot()
    user = fake.user(1003, lang)
    reply = await ask(fake, user, "/sounds")
    lines = reply.text.split("\n")
    assert family in lines and item in lines
    assert lines.index(family) < lines.index(item)
    assert len(reply.text) <= 4096


def test_a_long_listing_of_sounds_is_split_between_lines() -> None:
    from tag.bot.catalogue import Texts
    from tag.bot.routers.sounds import sound_pages

    whole = sound_pages(Texts("en"))
    pages = sound_pages(Texts("en"), limit=300)
    assert len(pages) > 3 and all(len(page) <= 300 for page in pages)
    assert [line for page in pages for line in page.split("\n") if line] == [
        line for page in whole for line in page.split("\n") if line
    ]


async def test_prompt_gets_a_duration_keyboard(stack, fake: FakeTelegram) -> None:
    await stack.start_bot()
    ann = fake.user(1001)
    reply = await ask(fake, ann, "rain on a tin roof")
    assert "rain on a tin roof" in reply.text
    labels = [b["text"] for b in reply.buttons()]
    for seconds in ("3", "5", "10", "20"):
        assert any(seconds in label for label in labels), labels
    assert any("Other" in label for label in labels) and any("Cancel" in label for label in labels)
    assert all(len(b["callback_data"].encode()) <= 64 for b in reply.buttons())


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("   ", "empty"),
        # Only zero-width and format characters: as empty as in the web API and the worker.
        ("\u200b\u2060 \ufeff", "empty"),
        ("\u200d, 3s", "empty"),
        # A lone surrogate (JSON "\ud800") cannot be stored or sent: refused, not crashed on.
        ("rain \ud800", "a character I cannot use"),
        ("a" * 5000, "5000 characters"),
        ("🎵🎶🥁", "in words"),
        ("rain, 0s", "between 0.5 and 30"),
        ("rain, -1s", "between 0.5 and 30"),
        ("rain, 1e9s", "between 0.5 and 30"),
        ("rain, 31s", "between 0.5 and 30"),
    ],
)
async def test_invalid_prompts_get_a_reason(stack, fake: FakeTelegram, text: str, expected: str) -> None:
    await stack.start_bot()
    ann = fake.user(1001)
    reply = await ask(fake, ann, text)
    assert expected in reply.text
    assert reply.buttons() == []
    assert fake.calls_of("sendAudio") == []


async def test_invalid_typed_durations_are_refused_then_a_valid_one_is_sent(
    stack, fake: FakeTelegram, caplog
) -> None:
    await stack.start_bot(request_timeout=60.0)
    ann = fake.user(1001)
    keyboard = await ask(fake, ann, "wind in pines")
    buttons = list(keyboard.buttons())
    for _ in range(2):  # a double press
        mark = await ann.press_data(keyboard, next(b for b in buttons if "Other" in b["text"])["callback_data"])
        edited = await fake.wait_for("editMessageText", chat_id=ann.id, since=mark)
        assert "seconds" in edited.text
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    for typed, reason in [
        ("0", "between"),
        ("-1", "between"),
        ("1e9", "between"),
        ("abc", "number of seconds"),
        ("31", "between 0.5 and 30"),
    ]:
        reply = await ask(fake, ann, typed)
        assert reason in reply.text, (typed, reply.text)
    mark = await ann.send("4.5")
    status = await fake.wait_for("sendMessage", chat_id=ann.id, since=mark)
    assert "queue" in status.text and "4.5 s" in status.text


async def test_non_text_messages_get_an_explanation(stack, fake: FakeTelegram) -> None:
    await stack.start_bot()
    ann = fake.user(1001)
    samples = {
        "photo": [{"file_id": "p1", "file_unique_id": "p1", "width": 10, "height": 10}],
        "sticker": {"file_id": "s1", "file_unique_id": "s1", "type": "regular", "width": 512, "height": 512,
                    "is_animated": False, "is_video": False},
        "voice": {"file_id": "v1", "file_unique_id": "v1", "duration": 2},
        "document": {"file_id": "d1", "file_unique_id": "d1", "file_name": "a.pdf"},
    }
    for kind, content in samples.items():
        mark = await ann.send_content(**{kind: content})
        call = await fake.wait_for("sendMessage", chat_id=ann.id, since=mark)
        assert "only text" in call.text, kind


async def test_cancel_before_sending_and_old_buttons_do_nothing(stack, fake: FakeTelegram) -> None:
    await stack.start_bot()
    ann = fake.user(1001)
    first = await ask(fake, ann, "thunder")
    # A new prompt replaces the dialogue: the first keyboard is now outdated.
    second = await ask(fake, ann, "seagulls")
    mark = await ann.press(first, "5")
    answer = await fake.wait_for("answerCallbackQuery", since=mark)
    assert "outdated" in answer.params["text"]
    await fake.wait_for("editMessageReplyMarkup", chat_id=ann.id, since=mark)
    assert first.buttons() == []
    assert fake.calls_of("sendMessage", ann.id, since=mark) == []  # nothing was queued
    # Cancel with the button; then the second keyboard is outdated too.
    mark = await ann.press(second, "Cancel")
    edited = await fake.wait_for("editMessageText", chat_id=ann.id, since=mark)
    assert "Cancelled" in edited.text
    mark = await ann.press_data(second, second.buttons()[0]["callback_data"] if second.buttons() else "dlg:x:go:5")
    answer = await fake.wait_for("answerCallbackQuery", since=mark)
    assert "outdated" in answer.params["text"]
    # /cancel with nothing going on.
    reply = await ask(fake, ann, "/cancel")
    assert "nothing to cancel" in reply.text
    # Garbage and foreign sound buttons are answered, not obeyed.
    for data in ("zzz", SoundCb(action="again", request="0" * 32).pack()):
        mark = await ann.press_data(second, data)
        answer = await fake.wait_for("answerCallbackQuery", since=mark)
        assert "outdated" in answer.params["text"]
    assert fake.calls_of("sendChatAction") == []


async def test_settings_switch_language(stack, fake: FakeTelegram, caplog) -> None:
    await stack.start_bot()
    ann = fake.user(1001, "en")
    panel = await ask(fake, ann, "/settings")
    assert "English" in panel.text
    for _ in range(2):  # choosing the current value again is harmless
        mark = await ann.press(panel, "WAV")
        await fake.wait_for("answerCallbackQuery", since=mark)
        await fake.wait_for("editMessageText", since=mark)
    assert "WAV file" in panel.text
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    mark = await ann.press(panel, "Русский")
    await fake.wait_for("editMessageText", chat_id=ann.id, since=mark)
    assert "русский" in panel.text
    reply = await ask(fake, ann, "/help")
    assert "Как это работает" in reply.text
    # A user whose client is Russian gets Russian without asking.
    ivan = fake.user(1002, "ru")
    reply = await ask(fake, ivan, "дождь")
    assert "Какой длительности" in reply.text and any("5 с" in b["text"] for b in reply.buttons())


async def test_allow_list(stack, fake: FakeTelegram) -> None:
    await stack.start_bot(allowed_users=[1001])
    reply = await ask(fake, fake.user(666), "rain")
    assert "private" in reply.text
    reply = await ask(fake, fake.user(1001), "rain")
    assert reply.buttons()


async def test_rate_limit(stack, fake: FakeTelegram) -> None:
    await stack.start_bot(bot_rate_limit=1, bot_rate_window=3600.0)
    ann = fake.user(1001)
    mark = await ann.send("rain, 3s")
    await fake.wait_for("sendMessage", chat_id=ann.id, since=mark, where=lambda c: "queue" in c.text)
    await ask(fake, ann, "/cancel")
    reply = await ask(fake, ann, "rain, 3s")
    assert "too fast" in reply.text


async def test_queue_limits_are_explained(stack, fake: FakeTelegram) -> None:
    await stack.start_bot(max_queue_per_user=1)
    ann = fake.user(1001)
    mark = await ann.send("rain, 3s")
    await fake.wait_for("sendMessage", chat_id=ann.id, since=mark, where=lambda c: "queue" in c.text)
    await ask(fake, ann, "/cancel")  # stops waiting, but the request is still queued
    mark = await ann.send("rain, 3s")
    refusal = await fake.wait_for("sendMessage", chat_id=ann.id, since=mark, where=lambda c: "already" in c.text)
    assert "wait for them" in refusal.text
    # Not stuck: the refused request ended and the user may still talk to the bot.
    keyboard = await ask(fake, ann, "wind")
    assert keyboard.buttons()


async def test_every_duration_shown_in_russian_has_the_russian_unit(stack, fake: FakeTelegram) -> None:
    await stack.start_bot()
    ivan = fake.user(1201, "ru")
    keyboard = await ask(fake, ivan, "гром")
    assert [b["text"] for b in keyboard.buttons()][:4] == ["3 с", "5 с", "10 с", "20 с"]
    mark = await ivan.send("дождь, 2,5с")
    status = await fake.wait_for("sendMessage", chat_id=ivan.id, since=mark, where=lambda c: "очеред" in c.text)
    assert "дождь</i>, 2,5 с" in status.text  # the Russian decimal comma too
    await ask(fake, ivan, "/cancel")
    panel = await ask(fake, ivan, "/history")
    assert [b["text"] for b in panel.buttons()] == ["дождь · 2,5 с"]
    assert "30 с" in (await ask(fake, ivan, "/help")).text
    # English keeps its own unit and decimal point.
    ann = fake.user(1202, "en")
    mark = await ann.send("rain, 2.5s")
    await fake.wait_for("sendMessage", chat_id=ann.id, since=mark, where=lambda c: "2.5 s" in c.text)
    await ask(fake, ann, "/cancel")
    assert [b["text"] for b in (await ask(fake, ann, "/history")).buttons()] == ["rain · 2.5 s"]


def ticked(panel: SentMessage) -> list[str]:
    return [b["text"].removeprefix("✓ ") for b in panel.buttons() if b["text"].startswith("✓ ")]


async def test_settings_tick_the_current_language_file_type_and_engine(stack, fake: FakeTelegram) -> None:
    await stack.start_bot()
    ann = fake.user(1203, "en")
    panel = await ask(fake, ann, "/settings")
    assert ticked(panel) == ["English", "audio (MP3)", "auto"]
    mark = await ann.press(panel, "WAV")
    await fake.wait_for("editMessageText", chat_id=ann.id, since=mark)
    assert ticked(panel) == ["English", "WAV file", "auto"]
    mark = await ann.press(panel, "Русский")
    await fake.wait_for("editMessageText", chat_id=ann.id, since=mark)
    assert ticked(panel) == ["Русский", "файл WAV", "авто"]
    # A fresh panel shows the same, and a Russian client starts ticked on Russian.
    assert ticked(await ask(fake, ann, "/settings")) == ["Русский", "файл WAV", "авто"]
    assert ticked(await ask(fake, fake.user(1204, "ru"), "/settings")) == ["Русский", "аудио (MP3)", "авто"]


async def test_the_next_prompts_duration_can_be_typed_and_its_question_cancelled(stack, fake: FakeTelegram) -> None:
    await stack.start_bot()  # no worker: the first request stays in flight
    ann = fake.user(1205, "en")
    mark = await ann.send("thunder, 3s")
    await fake.wait_for("sendMessage", chat_id=ann.id, since=mark, where=lambda c: "queue" in c.text)
    question = await ask(fake, ann, "seagulls")
    assert "make <i>seagulls</i> next" in question.text
    mark = await ann.press(question, "Other")
    await fake.wait_for("editMessageText", chat_id=ann.id, since=mark)
    assert "from 0.5 s to 30 s" in question.text
    assert "between 0.5 and 30" in (await ask(fake, ann, "99")).text
    assert "<i>seagulls</i>, 4.5 s next" in (await ask(fake, ann, "4.5")).text
    # A new question for the next request, then its own Cancel button drops it.
    question = await ask(fake, ann, "crows")
    assert "place of <i>seagulls</i>" in question.text
    mark = await ann.press(question, "Cancel")
    await fake.wait_for("editMessageText", chat_id=ann.id, since=mark)
    assert "Cancelled" in question.text
    # /cancel then ends the current request only: nothing waits after it any more.
    assert (await ask(fake, ann, "/cancel")).text.startswith("Cancelled. Send")
    assert "nothing to cancel" in (await ask(fake, ann, "/cancel")).text


@pytest.mark.parametrize("press_first", [True, False])
async def test_cancel_and_a_duration_press_in_one_batch_are_handled_in_order(
    stack, fake: FakeTelegram, press_first: bool
) -> None:
    """/cancel and the press of the next prompt's duration reach the bot in one
    getUpdates answer, which aiogram handles as parallel tasks.  Handled in
    order, whichever came first, the cancel drops the next prompt, and nothing
    is promised or left waiting once the user has been told "Cancelled"."""
    # No worker: a request stays in flight (and cancelled ones stay queued).
    await stack.start_bot(max_queue_per_user=100)
    ann = fake.user(1206, "en")
    for _ in range(3):
        mark = await ann.send("thunder, 3s")
        await fake.wait_for("sendMessage", chat_id=ann.id, since=mark, where=lambda c: "queue" in c.text)
        question = await ask(fake, ann, "seagulls")
        assert "make <i>seagulls</i> next" in question.text
        updates = [ann.press_update(question, "5"), ann.text_update("/cancel")]
        mark = await fake.push_updates(updates if press_first else updates[::-1])
        await fake.wait_for("answerCallbackQuery", since=mark)
        await fake.wait_for("sendMessage", chat_id=ann.id, since=mark, where=lambda c: "Cancelled" in c.text)
        # Nothing was left waiting (a stranded next prompt would be cancelled here).
        assert "nothing to cancel" in (await ask(fake, ann, "/cancel")).text
        said = [call.text for call in fake.calls_of("sendMessage", chat_id=ann.id, since=mark)]
        promises = [i for i, text in enumerate(said) if "when the current sound is ready" in text]
        cancelled = next(i for i, text in enumerate(said) if text.startswith("Cancelled"))
        assert said[cancelled].startswith("Cancelled, and <i>seagulls</i> will not be made next"), said
        assert promises == ([0] if press_first else []) and cancelled == len(promises), said
