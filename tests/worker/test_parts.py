"""The worker's small parts: progress throttling, the answered-ids memory, the thread pool."""

from __future__ import annotations

import asyncio
import contextvars
import threading
import uuid

import pytest

from tag.messages import ProgressEvent
from tag.worker.answered import RecentIds
from tag.worker.progress import ProgressReporter
from tag.worker.threads import DaemonPool


async def test_progress_is_throttled_per_stage_and_kept_in_order() -> None:
    now = [0.0]
    published: list[ProgressEvent] = []

    async def publish(event: ProgressEvent) -> None:
        await asyncio.sleep(0)  # interleave, as a real publish would
        published.append(event)

    reporter = ProgressReporter(asyncio.get_running_loop(), publish, uuid.uuid4(), min_interval=0.25, clock=lambda: now[0])
    await reporter.emit("started", 0)

    def engine() -> None:  # from a thread, as engines do
        for step in range(100):
            now[0] = step * 0.01  # 100 steps in one second
            reporter("sampling", step)
        reporter("decoding", 95)

    await asyncio.to_thread(engine)
    await asyncio.sleep(0)  # let call_soon_threadsafe callbacks run
    await reporter.drain()
    stages = [(e.stage, e.percent) for e in published]
    assert stages == [("started", 0), ("sampling", 0), ("sampling", 25), ("sampling", 50), ("sampling", 75), ("decoding", 95)]


async def test_progress_after_close_is_ignored_and_errors_never_reach_the_engine() -> None:
    async def failing(event: ProgressEvent) -> None:
        raise RuntimeError("broker down")

    reporter = ProgressReporter(asyncio.get_running_loop(), failing, uuid.uuid4())
    reporter("sampling", 10)  # publish fails: logged, not raised
    reporter("no-such-stage", 10)  # invalid: dropped, not raised
    await asyncio.sleep(0)
    await reporter.drain()
    reporter.close()
    reporter("decoding", 50)
    assert reporter._tail is not None and reporter._tail.done()


def test_recent_ids_forget_the_oldest() -> None:
    ids = RecentIds(capacity=2)
    ids.add("a")
    ids.add("b")
    assert "a" in ids  # touching "a" makes "b" the oldest
    ids.add("c")
    assert "a" in ids and "c" in ids and "b" not in ids and len(ids) == 2
    with pytest.raises(ValueError):
        RecentIds(0)


def test_recent_ids_with_a_max_age_forget_what_is_too_old() -> None:
    now = [100.0]
    ids = RecentIds(capacity=10, max_age=60.0, clock=lambda: now[0])
    ids.add("cancelled")
    now[0] += 59.0
    assert "cancelled" in ids
    now[0] += 2.0
    assert "cancelled" not in ids and len(ids) == 0


async def test_daemon_pool_runs_jobs_on_its_threads_with_results_and_errors() -> None:
    pool = DaemonPool(2, name="t")
    names = await asyncio.gather(*(asyncio.wrap_future(pool.submit(lambda: threading.current_thread().name)) for _ in range(4)))
    assert set(names) <= {"t-0", "t-1"}
    assert all(t.daemon for t in threading.enumerate() if t.name in ("t-0", "t-1"))
    with pytest.raises(ZeroDivisionError):
        await asyncio.wrap_future(pool.submit(lambda: 1 / 0))
    var: contextvars.ContextVar[str] = contextvars.ContextVar("v", default="unset")
    var.set("carried")
    assert await asyncio.wrap_future(pool.submit(contextvars.copy_context().run, var.get)) == "carried"
    pool.shutdown()
    with pytest.raises(RuntimeError):
        pool.submit(lambda: None)
