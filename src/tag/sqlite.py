"""The SQLite file behind a front end's state (bot sessions, web results)."""

from __future__ import annotations

from pathlib import Path

import aiosqlite


class SqliteDatabase:
    """One aiosqlite connection in WAL mode, created from ``schema`` on open.

    WAL keeps readers and the single writer from blocking each other; with
    synchronous=NORMAL a power cut can lose only the last few commits, never
    corrupt the file.
    """

    schema: str = ""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._db: aiosqlite.Connection | None = None

    async def open(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = await aiosqlite.connect(self.path)
        self._db.row_factory = aiosqlite.Row
        await self._db.execute("PRAGMA journal_mode=WAL")
        await self._db.execute("PRAGMA synchronous=NORMAL")
        await self._db.executescript(self.schema)
        await self._db.commit()

    async def close(self) -> None:
        if self._db is not None:
            await self._db.close()
            self._db = None

    @property
    def db(self) -> aiosqlite.Connection:
        if self._db is None:
            raise RuntimeError(f"{type(self).__name__} is not open")
        return self._db
