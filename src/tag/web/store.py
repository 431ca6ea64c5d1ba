"""Generations of the web front end: rows in SQLite, audio files beside it.

The folder (``settings.data_dir / "web"``) holds ``generations.sqlite3`` and
``audio/<id>.<format>``.  Only WAV is stored as it arrives from the worker; other
formats are converted on first download and cached next to it, and all of a
generation's files go when retention removes the row.
"""

from __future__ import annotations

import json
import secrets
import time
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

import aiosqlite

from tag.sqlite import SqliteDatabase

_SCHEMA = """
CREATE TABLE IF NOT EXISTS generations (
    id TEXT PRIMARY KEY,
    request_id TEXT NOT NULL UNIQUE,
    owner TEXT NOT NULL,
    client TEXT NOT NULL DEFAULT '',
    prompt TEXT NOT NULL,
    duration REAL NOT NULL,
    engine TEXT,
    seed INTEGER,
    steps INTEGER,
    candidates INTEGER,
    format TEXT NOT NULL,
    status TEXT NOT NULL,
    stage TEXT,
    percent REAL,
    created_at REAL NOT NULL,
    started_at REAL,
    finished_at REAL,
    error_code TEXT,
    error_message TEXT,
    result_engine TEXT,
    sample_rate INTEGER,
    audio_duration REAL,
    notices TEXT NOT NULL DEFAULT '[]',
    result_seed INTEGER,
    warnings TEXT NOT NULL DEFAULT '[]',
    suggestions TEXT NOT NULL DEFAULT '[]',
    adapter TEXT
);
CREATE INDEX IF NOT EXISTS generations_created ON generations (created_at);
CREATE INDEX IF NOT EXISTS generations_status ON generations (status);
CREATE INDEX IF NOT EXISTS generations_client ON generations (client, status);
"""
# Columns added after the first release: ``open`` adds them to older files.
_ADDED_COLUMNS = {
    "result_seed": "INTEGER",
    "warnings": "TEXT NOT NULL DEFAULT '[]'",
    "suggestions": "TEXT NOT NULL DEFAULT '[]'",
    "adapter": "TEXT",
}
# Lists of strings, stored as JSON text.
_LISTS = ("notices", "warnings", "suggestions")


def new_id() -> str:
    """An unguessable public id (about 128 random bits, URL-safe)."""
    return secrets.token_urlsafe(16)


@dataclass
class Record:
    id: str
    request_id: str
    owner: str
    prompt: str
    duration: float
    format: str
    status: str
    created_at: float
    # Who asked (API key fingerprint or address), for the per-client queue limit.
    client: str = ""
    engine: str | None = None
    seed: int | None = None
    steps: int | None = None
    candidates: int | None = None
    stage: str | None = None
    percent: float | None = None
    started_at: float | None = None
    finished_at: float | None = None
    error_code: str | None = None
    error_message: str | None = None
    result_engine: str | None = None
    sample_rate: int | None = None
    audio_duration: float | None = None
    notices: list[str] = field(default_factory=list)
    # The seed the worker made the sound with (SoundResponse.seed).
    result_seed: int | None = None
    # SoundResponse.warnings / .suggestions: the sound is not (all) what was asked for, and what to try.
    warnings: list[str] = field(default_factory=list)
    suggestions: list[str] = field(default_factory=list)
    # A fine-tuned adapter's name under the workers' TAG_MODEL_DIR/adapters/.
    adapter: str | None = None


_COLUMNS = [f.name for f in fields(Record)]


def _row_to_record(row: aiosqlite.Row) -> Record:
    data = dict(zip(_COLUMNS, (row[c] for c in _COLUMNS)))
    for column in _LISTS:
        data[column] = json.loads(data[column] or "[]")
    return Record(**data)


class Store(SqliteDatabase):
    schema = _SCHEMA

    def __init__(self, folder: Path) -> None:
        super().__init__(folder / "generations.sqlite3")
        self.folder = folder
        self.audio_dir = folder / "audio"

    async def open(self) -> None:
        self.audio_dir.mkdir(parents=True, exist_ok=True)
        await super().open()
        async with self.db.execute("PRAGMA table_info(generations)") as cursor:
            present = {row["name"] for row in await cursor.fetchall()}
        for column, kind in _ADDED_COLUMNS.items():
            if column not in present:
                await self.db.execute(f"ALTER TABLE generations ADD COLUMN {column} {kind}")
        await self.db.commit()

    async def add(self, record: Record) -> None:
        data = asdict(record)
        for column in _LISTS:
            data[column] = json.dumps(data[column])
        marks = ", ".join(f":{c}" for c in _COLUMNS)
        await self.db.execute(f"INSERT INTO generations ({', '.join(_COLUMNS)}) VALUES ({marks})", data)
        await self.db.commit()

    async def get(self, generation_id: str) -> Record | None:
        async with self.db.execute("SELECT * FROM generations WHERE id = ?", (generation_id,)) as cursor:
            row = await cursor.fetchone()
        return _row_to_record(row) if row else None

    async def by_request(self, request_id: str) -> Record | None:
        async with self.db.execute("SELECT * FROM generations WHERE request_id = ?", (request_id,)) as cursor:
            row = await cursor.fetchone()
        return _row_to_record(row) if row else None

    async def update(self, generation_id: str, *, only_if_status: tuple[str, ...] = (), **changes: Any) -> bool:
        """Set columns; with ``only_if_status`` only while the row is in one of those states.

        Returns whether a row changed, which makes state transitions race-free.
        """
        for column in _LISTS:
            if column in changes:
                changes[column] = json.dumps(changes[column])
        unknown = set(changes) - set(_COLUMNS)
        if unknown:
            raise ValueError(f"unknown columns: {sorted(unknown)}")
        sets = ", ".join(f"{c} = :{c}" for c in changes)
        sql = f"UPDATE generations SET {sets} WHERE id = :_id"
        params: dict[str, Any] = {**changes, "_id": generation_id}
        if only_if_status:
            marks = ", ".join(f":_s{i}" for i in range(len(only_if_status)))
            sql += f" AND status IN ({marks})"
            params.update({f"_s{i}": s for i, s in enumerate(only_if_status)})
        cursor = await self.db.execute(sql, params)
        await self.db.commit()
        return cursor.rowcount > 0

    async def unfinished(self) -> list[Record]:
        async with self.db.execute(
            "SELECT * FROM generations WHERE status IN ('queued', 'generating') ORDER BY created_at, rowid"
        ) as cursor:
            return [_row_to_record(row) for row in await cursor.fetchall()]

    async def active_count(self, client: str) -> int:
        """Generations of ``client`` still queued or generating."""
        async with self.db.execute(
            "SELECT COUNT(*) FROM generations WHERE client = ? AND status IN ('queued', 'generating')", (client,)
        ) as cursor:
            row = await cursor.fetchone()
        return int(row[0]) if row else 0

    def audio_path(self, generation_id: str, fmt: str) -> Path:
        # Ids come from new_id() or were looked up in the table, so they are safe
        # file names; the check guards against a future caller passing user input.
        if not generation_id.replace("-", "").replace("_", "").isalnum():
            raise ValueError("bad generation id")
        return self.audio_dir / f"{generation_id}.{fmt}"

    async def purge(self, older_than: float) -> int:
        """Delete generations created before ``older_than`` (Unix time) and their files."""
        async with self.db.execute("SELECT id FROM generations WHERE created_at < ?", (older_than,)) as cursor:
            ids = [row["id"] for row in await cursor.fetchall()]
        for generation_id in ids:
            for path in self.audio_dir.glob(f"{generation_id}.*"):
                path.unlink(missing_ok=True)
        if ids:
            await self.db.executemany("DELETE FROM generations WHERE id = ?", [(i,) for i in ids])
            await self.db.commit()
        return len(ids)


def now() -> float:
    return time.time()
