"""The supervisor against real child processes (small Python one-liners)."""

import asyncio
import os
import signal
import sys
import time

import pytest

from tag.supervisor import Backoff, Supervisor

SLEEPER = [sys.executable, "-c", "import time; time.sleep(60)"]


@pytest.fixture
def stop():
    return asyncio.Event()


async def _run(supervisor: Supervisor, stop: asyncio.Event) -> asyncio.Task:
    return asyncio.create_task(supervisor.run(stop))


def test_backoff_doubles_while_dying_young_and_resets_after_a_stable_run():
    b = Backoff(initial=0.5, maximum=4, factor=2, stable_after=10)
    delays, previous = [], None
    for _ in range(6):
        previous = b.next(previous, ran_for=0.1)
        delays.append(previous)
    assert delays == [0.5, 1, 2, 4, 4, 4]
    assert b.next(4, ran_for=10) == 0.5


async def test_a_killed_worker_is_restarted_and_stop_ends_all(stop):
    supervisor = Supervisor(2, command=SLEEPER, backoff=Backoff(initial=0.01), grace=5)
    task = await _run(supervisor, stop)
    await supervisor.wait_for(lambda s: len(s.pids()) == 2, timeout=10)
    victim = supervisor.slots[0].pid
    os.kill(victim, signal.SIGKILL)
    await supervisor.wait_for(lambda s: s.slots[0].pid not in (None, victim), timeout=10)
    assert supervisor.slots[0].exit_codes == [-signal.SIGKILL]
    assert supervisor.restarts == 1 and supervisor.slots[1].starts == 1
    pids = supervisor.pids()
    stop.set()
    await asyncio.wait_for(task, 10)
    for pid in pids:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
    assert [slot.exit_codes[-1] for slot in supervisor.slots] == [-signal.SIGTERM] * 2


async def test_crash_loop_slows_down(stop):
    crasher = [sys.executable, "-c", "raise SystemExit(3)"]
    supervisor = Supervisor(1, command=crasher, backoff=Backoff(initial=0.05, factor=2, maximum=10, stable_after=30))
    started_at: list[float] = []
    task = await _run(supervisor, stop)
    for n in range(1, 5):
        await supervisor.wait_for(lambda s: s.slots[0].starts >= n, timeout=20)
        started_at.append(time.monotonic())
    stop.set()
    await asyncio.wait_for(task, 10)
    gaps = [b - a for a, b in zip(started_at, started_at[1:])]
    # Delays 0.05, 0.1, 0.2 (plus process start-up): each gap at least its delay.
    assert gaps[0] >= 0.05 and gaps[1] >= 0.1 and gaps[2] >= 0.2
    assert set(supervisor.slots[0].exit_codes[:3]) == {3}  # the last may be stopped


async def test_a_worker_ignoring_sigterm_is_killed_after_the_grace_period(stop):
    stubborn = [
        sys.executable, "-c",
        "import signal, sys, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
        "time.sleep(60)",
    ]
    supervisor = Supervisor(1, command=stubborn, grace=0.5)
    task = await _run(supervisor, stop)
    await supervisor.wait_for(lambda s: s.slots[0].pid is not None, timeout=10)
    # Stop only once the child really ignores SIGTERM (its mask in /proc says so).
    await _wait_sigterm_ignored(supervisor.slots[0].pid)
    stop.set()
    await asyncio.wait_for(task, 10)
    assert supervisor.slots[0].exit_codes == [-signal.SIGKILL]


async def test_workers_get_their_own_metrics_port(stop, tmp_path):
    dump = [sys.executable, "-c", f"import os, time; open(r'{tmp_path}/' + str(os.getpid()), 'w').write(os.environ['TAG_METRICS_PORT']); time.sleep(60)"]
    supervisor = Supervisor(3, command=dump, metrics_port=9700, env={"PATH": os.environ["PATH"]})
    task = await _run(supervisor, stop)
    await supervisor.wait_for(lambda s: len(s.pids()) == 3, timeout=10)
    expected = {str(slot.pid): str(9700 + slot.index) for slot in supervisor.slots}
    deadline = time.monotonic() + 10
    while len(list(tmp_path.iterdir())) < 3 and time.monotonic() < deadline:
        await asyncio.sleep(0.02)
    stop.set()
    await asyncio.wait_for(task, 10)
    assert {p.name: p.read_text() for p in tmp_path.iterdir()} == expected


async def _wait_sigterm_ignored(pid: int, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    bit = 1 << (signal.SIGTERM - 1)
    while time.monotonic() < deadline:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("SigIgn:") and int(line.split()[1], 16) & bit:
                    return
        await asyncio.sleep(0.01)
    raise TimeoutError("the child never ignored SIGTERM")


@pytest.mark.rabbitmq
async def test_tag_run_with_worker_processes(settings, tmp_path):
    """``tag run --workers 2``: two worker processes, one killed and replaced, all stopped on SIGTERM."""
    from support.processes import fault_env, free_port
    from tag.broker import create_broker
    from tag.frontend import WorkerWatch

    web_port = free_port()
    env = fault_env(settings, TAG_ENGINE="instant", TAG_DATA_DIR=str(tmp_path / "data"), TAG_WORKER_GRACE="2")
    async with create_broker(settings.broker()) as broker:
        watch = WorkerWatch(broker, settings, max_age=60)
        await watch.start()
        run = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "tag", "run", "--workers", "2", "--port", str(web_port), env=env, cwd=tmp_path,
        )
        try:
            def worker_pids() -> set[int]:
                return {int(w.worker_id.split("-")[-2]) for w in watch.alive()}

            await _until(lambda: len(worker_pids()) == 2, "two workers' heartbeats")
            first = worker_pids()
            victim = min(first)
            os.kill(victim, signal.SIGKILL)
            await _until(lambda: len(worker_pids() - first) == 1, "a replacement worker's heartbeat")
            everyone = worker_pids() - {victim}
            run.send_signal(signal.SIGTERM)
            assert await asyncio.wait_for(run.wait(), 60) == 0
            for pid in everyone:
                with pytest.raises(ProcessLookupError):
                    os.kill(pid, 0)
        finally:
            if run.returncode is None:
                run.kill()
                await run.wait()
            await watch.stop()
            for queue in (settings.request_queue, settings.response_queue, settings.response_queue + ".web"):
                await broker.delete_queue(queue)
            await broker.delete_exchange(settings.progress_exchange)


async def _until(predicate, what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)
