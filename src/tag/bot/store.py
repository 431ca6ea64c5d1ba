"""Persistent bot state in SQLite: users, sessions (the spec's context), requests.

Everything a restart must not lose lives here: the dialogue step each user is
at, the request each user waits for (with its status message), the description
waiting to be made after it, and the history.
State changes that race (two button presses, a duplicate response) are single
conditional UPDATEs, so exactly one of the racers wins.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import aiosqlite

from tag.sqlite import SqliteDatabase

Delivery = Literal["audio", "voice", "document"]
DELIVERIES: tuple[Delivery, ...] = ("audio", "voice", "document")
SessionState = Literal["idle", "awaiting_duration", "awaiting_custom", "in_flight"]
# "delivering": the sound is being uploaded; a bot killed meanwhile finds the
# response redelivered and the request still claimable, so the user never loses it.
RequestState = Literal["pending", "delivering", "done", "failed", "timeout", "cancelled"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    user_id INTEGER PRIMARY KEY,
    lang TEXT,
    delivery TEXT NOT NULL DEFAULT 'audio',
    engine TEXT NOT NULL DEFAULT 'auto'
);
CREATE TABLE IF NOT EXISTS sessions (
    user_id INTEGER PRIMARY KEY,
    chat_id INTEGER NOT NULL,
    state TEXT NOT NULL,
    dialogue TEXT NOT NULL,
    prompt TEXT,
    request_id TEXT,
    updated REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS requests (
    request_id TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL,
    chat_id INTEGER NOT NULL,
    prompt TEXT NOT NULL,
    duration REAL NOT NULL,
    seed INTEGER NOT NULL,
    delivery TEXT NOT NULL,
    lang TEXT NOT NULL,
    status_message_id INTEGER,
    state TEXT NOT NULL,
    created REAL NOT NULL,
    finished REAL
);
-- A description sent while the user's sound is being made: their next request,
-- sent to the workers once the current one has ended (one per user; a newer one
-- takes its place). duration NULL: the user is still choosing it (custom = 1
-- once asked to type it).
CREATE TABLE IF NOT EXISTS next_prompts (
    user_id INTEGER PRIMARY KEY,
    chat_id INTEGER NOT NULL,
    dialogue TEXT NOT NULL,
    prompt TEXT NOT NULL,
    duration REAL,
    custom INTEGER NOT NULL DEFAULT 0,
    lang TEXT NOT NULL,
    created REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS requests_by_user ON requests (user_id, created);
CREATE INDEX IF NOT EXISTS requests_by_state ON requests (state, created);
"""


# The engine preference meaning "let the workers choose" (no engine in the request).
AUTO_ENGINE = "auto"

# Columns added after the first release: (table, column, definition). Files made
# before them get the column on open, so an upgraded bot keeps its users.
_ADDED_COLUMNS = (("users", "engine", "TEXT NOT NULL DEFAULT 'auto'"),)


@dataclass(frozen=True)
class UserPrefs:
    lang: str | None
    delivery: Delivery
    engine: str = AUTO_ENGINE


@dataclass(frozen=True)
class Session:
    user_id: int
    chat_id: int
    state: SessionState
    dialogue: str
    prompt: str | None
    request_id: str | None


@dataclass(frozen=True)
class RequestRecord:
    request_id: str
    user_id: int
    chat_id: int
    prompt: str
    duration: float
    seed: int
    delivery: Delivery
    lang: str
    status_message_id: int | None
    state: RequestState
    created: float


@dataclass(frozen=True)
class NextPrompt:
    """The user's next request, waiting for the current one to end."""

    user_id: int
    chat_id: int
    dialogue: str
    prompt: str
    duration: float | None  # None: still to be chosen
    custom: bool  # asked to type the duration
    lang: str


def new_dialogue_id() -> str:
    # Short: it travels in callback_data (64 bytes at most).
    return uuid.uuid4().hex[:8]


class BotStore(SqliteDatabase):
    schema = _SCHEMA

    async def open(self) -> None:
        await super().open()
        for table, column, definition in _ADDED_COLUMNS:
            async with self.db.execute(f"PRAGMA table_info({table})") as cur:
                present = {row["name"] for row in await cur.fetchall()}
            if column not in present:
                await self.db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {definition}")
        await self.db.commit()

    async def _write(self, sql: str, args: tuple[object, ...]) -> int:
        cursor = await self.db.execute(sql, args)
        await self.db.commit()
        return cursor.rowcount

    # Users
    async def prefs(self, user_id: int) -> UserPrefs:
        async with self.db.execute(
            "SELECT lang, delivery, engine FROM users WHERE user_id = ?", (user_id,)
        ) as cur:
            row = await cur.fetchone()
        if row is None:
            return UserPrefs(lang=None, delivery="audio")
        return UserPrefs(lang=row["lang"], delivery=row["delivery"], engine=row["engine"])

    async def set_lang(self, user_id: int, lang: str) -> None:
        await self._write(
            "INSERT INTO users (user_id, lang) VALUES (?, ?) "
            "ON CONFLICT(user_id) DO UPDATE SET lang = excluded.lang",
            (user_id, lang),
        )

    async def set_delivery(self, user_id: int, delivery: Delivery) -> None:
        await self._write(
            "INSERT INTO users (user_id, delivery) VALUES (?, ?) "
            "ON CONFLICT(user_id) DO UPDATE SET delivery = excluded.delivery",
            (user_id, delivery),
        )

    async def set_engine(self, user_id: int, engine: str) -> None:
        await self._write(
            "INSERT INTO users (user_id, engine) VALUES (?, ?) "
            "ON CONFLICT(user_id) DO UPDATE SET engine = excluded.engine",
            (user_id, engine),
        )

    # Sessions
    async def session(self, user_id: int) -> Session | None:
        async with self.db.execute("SELECT * FROM sessions WHERE user_id = ?", (user_id,)) as cur:
            row = await cur.fetchone()
        if row is None:
            return None
        return Session(
            user_id=row["user_id"],
            chat_id=row["chat_id"],
            state=row["state"],
            dialogue=row["dialogue"],
            prompt=row["prompt"],
            request_id=row["request_id"],
        )

    async def start_dialogue(self, user_id: int, chat_id: int, prompt: str) -> str | None:
        """Remember ``prompt`` awaiting a duration; None while a request is in flight."""
        dialogue = new_dialogue_id()
        changed = await self._write(
            "INSERT INTO sessions (user_id, chat_id, state, dialogue, prompt, request_id, updated) "
            "VALUES (?, ?, 'awaiting_duration', ?, ?, NULL, ?) "
            "ON CONFLICT(user_id) DO UPDATE SET chat_id = excluded.chat_id, state = excluded.state, "
            "dialogue = excluded.dialogue, prompt = excluded.prompt, request_id = NULL, "
            "updated = excluded.updated WHERE sessions.state != 'in_flight'",
            (user_id, chat_id, dialogue, prompt, time.time()),
        )
        return dialogue if changed else None

    async def await_custom_duration(self, user_id: int, dialogue: str) -> bool:
        changed = await self._write(
            "UPDATE sessions SET state = 'awaiting_custom', updated = ? "
            "WHERE user_id = ? AND dialogue = ? AND state IN ('awaiting_duration', 'awaiting_custom')",
            (time.time(), user_id, dialogue),
        )
        return bool(changed)

    async def begin_request(
        self, user_id: int, chat_id: int, request_id: str, *, dialogue: str | None = None
    ) -> bool:
        """Claim the user's single in-flight slot (for ``dialogue`` if given)."""
        now = time.time()
        if dialogue is not None:
            changed = await self._write(
                "UPDATE sessions SET state = 'in_flight', request_id = ?, updated = ? "
                "WHERE user_id = ? AND dialogue = ? AND state IN ('awaiting_duration', 'awaiting_custom')",
                (request_id, now, user_id, dialogue),
            )
        else:
            changed = await self._write(
                "INSERT INTO sessions (user_id, chat_id, state, dialogue, prompt, request_id, updated) "
                "VALUES (?, ?, 'in_flight', ?, NULL, ?, ?) "
                "ON CONFLICT(user_id) DO UPDATE SET chat_id = excluded.chat_id, state = 'in_flight', "
                "dialogue = excluded.dialogue, prompt = NULL, request_id = excluded.request_id, "
                "updated = excluded.updated WHERE sessions.state != 'in_flight'",
                (user_id, chat_id, new_dialogue_id(), request_id, now),
            )
        return bool(changed)

    async def clear_session(self, user_id: int, *, request_id: str | None = None) -> bool:
        """Back to idle (only if still on ``request_id`` when given): start_after_audio_sent."""
        if request_id is None:
            return bool(await self._write("DELETE FROM sessions WHERE user_id = ?", (user_id,)))
        return bool(
            await self._write("DELETE FROM sessions WHERE user_id = ? AND request_id = ?", (user_id, request_id))
        )

    # The next request (a description sent while a sound is being made)
    async def queue_next(
        self,
        user_id: int,
        chat_id: int,
        prompt: str,
        duration: float | None,
        lang: str,
        *,
        dialogue: str | None = None,
    ) -> NextPrompt | None:
        """Keep ``prompt`` as the user's next request, in place of any earlier one.

        None when no request is in flight any more (it ended meanwhile): then the
        prompt need not wait.  Conditional in one statement, so a request ending
        at the same moment either sees this prompt or makes it be refused here.
        """
        changed = await self._write(
            "INSERT INTO next_prompts (user_id, chat_id, dialogue, prompt, duration, custom, lang, created) "
            "SELECT ?, ?, ?, ?, ?, 0, ?, ? WHERE EXISTS "
            "(SELECT 1 FROM sessions WHERE user_id = ? AND state = 'in_flight') "
            "ON CONFLICT(user_id) DO UPDATE SET chat_id = excluded.chat_id, dialogue = excluded.dialogue, "
            "prompt = excluded.prompt, duration = excluded.duration, custom = 0, lang = excluded.lang, "
            "created = excluded.created",
            (user_id, chat_id, dialogue or new_dialogue_id(), prompt, duration, lang, time.time(), user_id),
        )
        return await self.next_prompt(user_id) if changed else None

    async def next_prompt(self, user_id: int) -> NextPrompt | None:
        async with self.db.execute("SELECT * FROM next_prompts WHERE user_id = ?", (user_id,)) as cur:
            row = await cur.fetchone()
        return _next_prompt(row) if row else None

    async def await_next_custom_duration(self, user_id: int, dialogue: str) -> bool:
        changed = await self._write(
            "UPDATE next_prompts SET custom = 1 WHERE user_id = ? AND dialogue = ? AND duration IS NULL",
            (user_id, dialogue),
        )
        return bool(changed)

    async def drop_next(self, user_id: int, *, dialogue: str | None = None) -> NextPrompt | None:
        """Forget the user's next request (only ``dialogue``'s when given); what was dropped."""
        sql, args = "DELETE FROM next_prompts WHERE user_id = ?", (user_id,)
        if dialogue is not None:
            sql, args = sql + " AND dialogue = ?", (user_id, dialogue)
        return await self._take(sql + " RETURNING *", args)

    async def take_next(self, user_id: int) -> NextPrompt | None:
        """Claim the user's next request once their current one has ended.

        One whose duration is still to be chosen becomes the user's ordinary
        dialogue (its duration keyboard keeps working), unless the user has
        started another one meanwhile.
        """
        waiting = await self.drop_next(user_id)
        if waiting is not None and waiting.duration is None:
            await self._write(
                "INSERT INTO sessions (user_id, chat_id, state, dialogue, prompt, request_id, updated) "
                "VALUES (?, ?, ?, ?, ?, NULL, ?) ON CONFLICT(user_id) DO NOTHING",
                (
                    user_id,
                    waiting.chat_id,
                    "awaiting_custom" if waiting.custom else "awaiting_duration",
                    waiting.dialogue,
                    waiting.prompt,
                    time.time(),
                ),
            )
        return waiting

    async def unblocked_next(self) -> list[int]:
        """Users whose next request waits on nothing (the bot stopped as the current one ended)."""
        async with self.db.execute(
            "SELECT user_id FROM next_prompts WHERE user_id NOT IN "
            "(SELECT user_id FROM sessions WHERE state = 'in_flight') ORDER BY created"
        ) as cur:
            return [row["user_id"] for row in await cur.fetchall()]

    async def _take(self, sql: str, args: tuple[object, ...]) -> NextPrompt | None:
        async with self.db.execute(sql, args) as cur:
            row = await cur.fetchone()
        await self.db.commit()
        return _next_prompt(row) if row else None

    # Requests
    async def add_request(
        self,
        *,
        request_id: str,
        user_id: int,
        chat_id: int,
        prompt: str,
        duration: float,
        seed: int,
        delivery: Delivery,
        lang: str,
    ) -> None:
        await self._write(
            "INSERT INTO requests (request_id, user_id, chat_id, prompt, duration, seed, delivery, lang, "
            "status_message_id, state, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, 'pending', ?)",
            (request_id, user_id, chat_id, prompt, duration, seed, delivery, lang, time.time()),
        )

    async def set_status_message(self, request_id: str, message_id: int) -> None:
        await self._write(
            "UPDATE requests SET status_message_id = ? WHERE request_id = ?", (message_id, request_id)
        )

    async def request(self, request_id: str) -> RequestRecord | None:
        async with self.db.execute("SELECT * FROM requests WHERE request_id = ?", (request_id,)) as cur:
            row = await cur.fetchone()
        return _record(row) if row else None

    async def finish(
        self, request_id: str, state: RequestState, *, unless_ended: bool = False
    ) -> RequestRecord | None:
        """Move a pending request to ``state``; None if it was not pending (duplicate, stale).

        With ``unless_ended`` a request caught mid-delivery (``delivering``) moves too.
        """
        from_states = "('pending', 'delivering')" if unless_ended else "('pending')"
        changed = await self._write(
            f"UPDATE requests SET state = ?, finished = ? WHERE request_id = ? AND state IN {from_states}",
            (state, time.time(), request_id),
        )
        return await self.request(request_id) if changed else None

    async def reopen(self, request_id: str) -> None:
        """Undo ``finish`` when handing the result to the user failed and will be retried."""
        await self._write(
            "UPDATE requests SET state = 'pending', finished = NULL WHERE request_id = ?", (request_id,)
        )

    async def pending(self) -> list[RequestRecord]:
        async with self.db.execute("SELECT * FROM requests WHERE state = 'pending' ORDER BY created") as cur:
            rows = await cur.fetchall()
        return [_record(row) for row in rows]

    async def prune(self, older_than: float) -> int:
        """Forget ended requests created before ``older_than`` (epoch seconds)."""
        return await self._write(
            "DELETE FROM requests WHERE state != 'pending' AND created < ?", (older_than,)
        )

    async def history(self, user_id: int, limit: int = 10) -> list[RequestRecord]:
        """The user's last ``limit`` distinct prompts, newest first."""
        async with self.db.execute(
            "SELECT * FROM requests WHERE rowid IN ("
            " SELECT MAX(rowid) FROM requests WHERE user_id = ? GROUP BY prompt"
            ") ORDER BY created DESC, rowid DESC LIMIT ?",
            (user_id, limit),
        ) as cur:
            rows = await cur.fetchall()
        return [_record(row) for row in rows]


def _next_prompt(row: aiosqlite.Row) -> NextPrompt:
    return NextPrompt(
        user_id=row["user_id"],
        chat_id=row["chat_id"],
        dialogue=row["dialogue"],
        prompt=row["prompt"],
        duration=row["duration"],
        custom=bool(row["custom"]),
        lang=row["lang"],
    )


def _record(row: aiosqlite.Row) -> RequestRecord:
    return RequestRecord(
        request_id=row["request_id"],
        user_id=row["user_id"],
        chat_id=row["chat_id"],
        prompt=row["prompt"],
        duration=row["duration"],
        seed=row["seed"],
        delivery=row["delivery"],
        lang=row["lang"],
        status_message_id=row["status_message_id"],
        state=row["state"],
        created=row["created"],
    )
