"""The bot's SQLite state: one in-flight request per user, requests end once, history."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from dataclasses import replace
from pathlib import Path

import pytest

from tag.bot.store import BotStore


@pytest.fixture
async def store(tmp_path: Path):
    store = BotStore(tmp_path / "bot.sqlite3")
    await store.open()
    yield store
    await store.close()


async def add(store: BotStore, request_id: str, user_id: int = 1, prompt: str = "rain") -> None:
    await store.add_request(request_id=request_id, user_id=user_id, chat_id=user_id, prompt=prompt,
                            duration=3.0, seed=1, delivery="audio", lang="en")


async def test_one_in_flight_request_per_user_even_when_racing(store: BotStore) -> None:
    dialogue = await store.start_dialogue(1, 1, "rain")
    assert dialogue is not None
    results = await asyncio.gather(*(store.begin_request(1, 1, f"r{i}", dialogue=dialogue) for i in range(5)))
    assert results.count(True) == 1
    assert await store.start_dialogue(1, 1, "other") is None  # busy
    assert not await store.begin_request(1, 1, "r9")  # not even without a dialogue
    session = await store.session(1)
    assert session is not None and session.state == "in_flight"
    assert not await store.clear_session(1, request_id="someone-else")
    assert await store.clear_session(1, request_id=session.request_id)
    assert await store.begin_request(1, 1, "r10")


async def test_a_request_ends_exactly_once(store: BotStore) -> None:
    await add(store, "a")
    ended = await asyncio.gather(store.finish("a", "done"), store.finish("a", "timeout"), store.finish("a", "done"))
    assert [r.state for r in ended if r is not None] == ["done"]
    assert await store.finish("unknown", "done") is None
    await store.reopen("a")
    assert [r.request_id for r in await store.pending()] == ["a"]


async def test_state_survives_reopening(tmp_path: Path) -> None:
    first = BotStore(tmp_path / "bot.sqlite3")
    await first.open()
    await add(first, "a")
    await first.begin_request(1, 1, "a")
    await first.set_status_message("a", 42)
    await first.set_lang(1, "ru")
    await first.close()
    second = BotStore(tmp_path / "bot.sqlite3")
    await second.open()
    try:
        (record,) = await second.pending()
        assert record.status_message_id == 42 and record.lang == "en"
        assert (await second.prefs(1)).lang == "ru"
        assert (await second.session(1)).request_id == "a"  # type: ignore[union-attr]
    finally:
        await second.close()


async def test_history_is_distinct_prompts_newest_first_and_pruned(store: BotStore) -> None:
    for i, prompt in enumerate(["rain", "wind", "rain", "sea"] + [f"p{n}" for n in range(10)]):
        await add(store, f"r{i}", prompt=prompt)
        await store.finish(f"r{i}", "done")
    await add(store, "other-user", user_id=2)
    history = await store.history(1, 10)
    assert [r.prompt for r in history] == [f"p{n}" for n in range(9, -1, -1)]
    history = await store.history(1, 14)
    assert [r.prompt for r in history][-3:] == ["sea", "rain", "wind"]
    assert await store.prune(time.time() + 1) == 14  # ended ones only; the pending one stays
    assert [r.request_id for r in await store.pending()] == ["other-user"]


async def test_a_database_from_before_the_engine_choice_is_upgraded(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    old = sqlite3.connect(path)
    old.executescript(
        "CREATE TABLE users (user_id INTEGER PRIMARY KEY, lang TEXT, delivery TEXT NOT NULL DEFAULT 'audio');"
        "INSERT INTO users (user_id, lang, delivery) VALUES (7, 'ru', 'voice');"
    )
    old.commit()
    old.close()
    store = BotStore(path)
    await store.open()
    try:
        prefs = await store.prefs(7)
        assert (prefs.lang, prefs.delivery, prefs.engine) == ("ru", "voice", "auto")
        await store.set_engine(7, "synth")
    finally:
        await store.close()
    store = BotStore(path)
    await store.open()  # a second open finds the column and leaves it be
    try:
        assert (await store.prefs(7)).engine == "synth"
        assert (await store.prefs(8)).engine == "auto"
    finally:
        await store.close()


async def test_one_next_prompt_per_user_only_while_one_is_in_flight(store: BotStore) -> None:
    assert await store.queue_next(1, 1, "rain", 3.0, "en") is None  # nothing in flight: no need to wait
    assert await store.begin_request(1, 1, "a")
    first = await store.queue_next(1, 1, "rain", None, "en")
    assert first is not None and first.duration is None
    assert await store.await_next_custom_duration(1, first.dialogue)
    # A newer one takes its place; the same dialogue keeps its id (a duration chosen for it).
    second = await store.queue_next(1, 1, "wind", None, "ru")
    assert second is not None and second.dialogue != first.dialogue and not second.custom
    chosen = await store.queue_next(1, 1, "wind", 4.0, "ru", dialogue=second.dialogue)
    assert chosen is not None and (chosen.dialogue, chosen.duration, chosen.lang) == (second.dialogue, 4.0, "ru")
    assert await store.unblocked_next() == []  # it waits on request "a"
    assert await store.clear_session(1, request_id="a")
    assert await store.unblocked_next() == [1]
    taken = await asyncio.gather(store.take_next(1), store.take_next(1))
    assert [t.prompt for t in taken if t is not None] == ["wind"]  # claimed once
    assert await store.next_prompt(1) is None and await store.session(1) is None


async def test_a_next_prompt_without_a_duration_becomes_the_dialogue(store: BotStore) -> None:
    assert await store.begin_request(1, 1, "a")
    waiting = await store.queue_next(1, 1, "rain", None, "en")
    assert waiting is not None
    assert await store.await_next_custom_duration(1, waiting.dialogue)
    assert await store.clear_session(1, request_id="a")
    assert await store.take_next(1) == replace(waiting, custom=True)
    session = await store.session(1)
    assert session is not None
    assert (session.state, session.dialogue, session.prompt) == ("awaiting_custom", waiting.dialogue, "rain")
    assert await store.drop_next(1) is None
