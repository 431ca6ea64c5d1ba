"""The SQLite store of web generations: records, guarded transitions, retention."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pytest

from tag.web.store import _SCHEMA, Record, Store, new_id


def record(created_at: float, **changes: object) -> Record:
    data: dict[str, object] = dict(
        id=new_id(), request_id=new_id(), owner="", client="1.2.3.4", prompt="rain", duration=2.0,
        format="wav", status="queued", created_at=created_at,
    )
    data.update(changes)
    return Record(**data)  # type: ignore[arg-type]


@pytest.fixture
async def store(tmp_path: Path):
    store = Store(tmp_path / "web")
    await store.open()
    yield store
    await store.close()


def test_ids_are_unguessable() -> None:
    ids = {new_id() for _ in range(1000)}
    assert len(ids) == 1000
    assert all(len(i) >= 22 and i.replace("-", "").replace("_", "").isalnum() for i in ids)


async def test_round_trip_and_lookup_by_request(store: Store) -> None:
    made = record(time.time(), notices=["a word was replaced"], seed=5)
    await store.add(made)
    assert await store.get(made.id) == made
    assert await store.by_request(made.request_id) == made
    assert await store.get("missing") is None


async def test_transitions_only_from_the_given_states(store: Store) -> None:
    made = record(time.time())
    await store.add(made)
    assert await store.update(made.id, only_if_status=("queued",), status="cancelled")
    # A late "started" event must not resurrect a cancelled generation.
    assert not await store.update(made.id, only_if_status=("queued", "generating"), status="generating")
    assert (await store.get(made.id)).status == "cancelled"  # type: ignore[union-attr]
    with pytest.raises(ValueError):
        await store.update(made.id, evil="x")


async def test_active_count_per_client(store: Store) -> None:
    now = time.time()
    for status in ("queued", "generating", "done", "failed"):
        await store.add(record(now, status=status))
    await store.add(record(now, client="5.6.7.8"))
    assert await store.active_count("1.2.3.4") == 2
    assert await store.active_count("5.6.7.8") == 1
    assert [r.status for r in await store.unfinished()] == ["queued", "generating", "queued"]


async def test_retention_removes_old_rows_and_their_files(store: Store) -> None:
    now = time.time()
    old, fresh = record(now - 7200, status="done"), record(now, status="done")
    for made in (old, fresh):
        await store.add(made)
        for fmt in ("wav", "mp3"):
            store.audio_path(made.id, fmt).write_bytes(b"RIFF")
    assert await store.purge(older_than=now - 3600) == 1
    assert await store.get(old.id) is None
    assert not store.audio_path(old.id, "wav").exists() and not store.audio_path(old.id, "mp3").exists()
    assert await store.get(fresh.id) is not None and store.audio_path(fresh.id, "wav").exists()


async def test_data_survives_reopening(tmp_path: Path) -> None:
    first = Store(tmp_path / "web")
    await first.open()
    made = record(time.time())
    await first.add(made)
    await first.close()
    second = Store(tmp_path / "web")
    await second.open()
    assert await second.get(made.id) == made
    await second.close()


def test_audio_paths_refuse_odd_ids(tmp_path: Path) -> None:
    store = Store(tmp_path)
    with pytest.raises(ValueError):
        store.audio_path("../../etc/passwd", "wav")


async def test_a_store_from_before_result_seed_is_upgraded_in_place(tmp_path: Path) -> None:
    folder = tmp_path / "web"
    folder.mkdir()
    old_schema = _SCHEMA.replace(",\n    result_seed INTEGER", "")
    assert "result_seed" not in old_schema
    with sqlite3.connect(folder / "generations.sqlite3") as db:
        db.executescript(old_schema)
    store = Store(folder)
    await store.open()
    try:
        made = record(time.time(), result_seed=4242)
        await store.add(made)
        assert (await store.get(made.id)).result_seed == 4242  # type: ignore[union-attr]
    finally:
        await store.close()
    await store.open()  # opening again changes nothing
    await store.close()


async def test_a_store_from_before_warnings_is_upgraded_and_keeps_them(tmp_path: Path) -> None:
    folder = tmp_path / "web"
    folder.mkdir()
    old_schema = _SCHEMA.replace(
        ",\n    warnings TEXT NOT NULL DEFAULT '[]',\n    suggestions TEXT NOT NULL DEFAULT '[]'", ""
    )
    assert "warnings" not in old_schema and "suggestions" not in old_schema
    with sqlite3.connect(folder / "generations.sqlite3") as db:
        db.executescript(old_schema)
        db.execute(
            "INSERT INTO generations (id, request_id, owner, prompt, duration, format, status, created_at) "
            "VALUES ('old1', 'r1', '', 'rain', 1, 'wav', 'done', 1)"
        )
    store = Store(folder)
    await store.open()
    try:
        old = await store.get("old1")
        assert old is not None and (old.warnings, old.suggestions) == ([], [])
        made = record(time.time(), warnings=["Понята только часть запроса"], suggestions=["гром"])
        await store.add(made)
        assert await store.update(made.id, suggestions=["rain", "thunder"])
        got = await store.get(made.id)
        assert got is not None and got.warnings == ["Понята только часть запроса"]
        assert got.suggestions == ["rain", "thunder"]
    finally:
        await store.close()
