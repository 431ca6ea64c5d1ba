"""``tag run --workers N``: N worker processes beside the front ends, kept alive.

Each worker is a separate ``python -m tag worker`` process so generations use
all cores and a crash (out of memory, a native fault in a model, SIGKILL) takes
down one worker, not the bot.  A worker that exits is started again after a
back-off that doubles while it keeps dying young and resets once it has run
for a while, so a broken model does not become a fork loop.  On stop every
worker gets SIGTERM (it finishes or returns the job in hand) and, after a grace
period, SIGKILL.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import sys
import time
from dataclasses import dataclass, field
from typing import Callable, Mapping, Sequence

log = logging.getLogger(__name__)

WORKER_COMMAND = (sys.executable, "-m", "tag", "worker")


@dataclass(frozen=True)
class Backoff:
    initial: float = 0.5
    maximum: float = 30.0
    factor: float = 2.0
    # A worker that ran at least this long before exiting starts again at ``initial``.
    stable_after: float = 30.0

    def next(self, previous: float | None, ran_for: float) -> float:
        if previous is None or ran_for >= self.stable_after:
            return self.initial
        return min(self.maximum, previous * self.factor)


@dataclass
class Slot:
    """One supervised worker position; its process changes on each restart."""

    index: int
    process: asyncio.subprocess.Process | None = None
    starts: int = 0
    exit_codes: list[int] = field(default_factory=list)
    delay: float | None = None

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process is not None and self.process.returncode is None else None


class Supervisor:
    def __init__(
        self,
        count: int,
        *,
        command: Sequence[str] = WORKER_COMMAND,
        env: Mapping[str, str] | None = None,
        metrics_port: int | None = None,
        backoff: Backoff = Backoff(),
        grace: float = 30.0,
    ) -> None:
        if count < 1:
            raise ValueError("at least one worker is needed")
        self.command = list(command)
        self.env = dict(os.environ if env is None else env)
        # Workers on one machine cannot share a port: worker i gets base + i.
        self.metrics_port = metrics_port
        self.backoff = backoff
        self.grace = grace
        self.slots = [Slot(i) for i in range(count)]
        self._changed = asyncio.Condition()

    @property
    def restarts(self) -> int:
        return sum(max(0, slot.starts - 1) for slot in self.slots)

    def pids(self) -> list[int]:
        return [slot.pid for slot in self.slots if slot.pid is not None]

    async def wait_for(self, predicate: Callable[["Supervisor"], bool], timeout: float) -> None:
        """Wait until ``predicate(self)`` holds (checked on every start/exit)."""
        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(lambda: predicate(self)), timeout)

    async def run(self, stop: asyncio.Event) -> None:
        """Supervise until ``stop`` is set, then stop every worker."""
        log.info("supervising %d worker processes: %s", len(self.slots), " ".join(self.command))
        try:
            await asyncio.gather(*(self._keep(slot, stop) for slot in self.slots))
        finally:
            # Cancelled rather than stopped: never leave orphans behind.
            for slot in self.slots:
                if slot.pid is not None:
                    with contextlib.suppress(ProcessLookupError):
                        slot.process.send_signal(signal.SIGTERM)  # type: ignore[union-attr]
        log.info("all workers stopped")

    async def _keep(self, slot: Slot, stop: asyncio.Event) -> None:
        while not stop.is_set():
            started = time.monotonic()
            try:
                await self._start(slot)
            except OSError as exc:
                log.error("worker %d could not start: %s", slot.index, exc)
                code = -1
            else:
                code = await self._wait_or_stop(slot, stop)
            if stop.is_set():
                return
            ran_for = time.monotonic() - started
            slot.delay = self.backoff.next(slot.delay, ran_for)
            log.warning(
                "worker %d exited with %s after %.1f s; restarting in %.1f s",
                slot.index, _describe(code), ran_for, slot.delay,
            )
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(stop.wait(), slot.delay)

    async def _start(self, slot: Slot) -> None:
        env = dict(self.env)
        if self.metrics_port is not None:
            env["TAG_METRICS_PORT"] = str(self.metrics_port + slot.index if self.metrics_port else 0)
        slot.process = await asyncio.create_subprocess_exec(*self.command, env=env)
        slot.starts += 1
        log.info("worker %d started (pid %d)", slot.index, slot.process.pid)
        await self._notify()

    async def _wait_or_stop(self, slot: Slot, stop: asyncio.Event) -> int:
        process = slot.process
        assert process is not None
        exited = asyncio.create_task(process.wait())
        stopping = asyncio.create_task(stop.wait())
        await asyncio.wait({exited, stopping}, return_when=asyncio.FIRST_COMPLETED)
        stopping.cancel()
        if not exited.done():
            await self._terminate(slot, exited)
        code = await exited
        slot.exit_codes.append(code)
        await self._notify()
        return code

    async def _terminate(self, slot: Slot, exited: asyncio.Task) -> None:
        process = slot.process
        assert process is not None
        with contextlib.suppress(ProcessLookupError):
            process.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(asyncio.shield(exited), self.grace)
        except asyncio.TimeoutError:
            log.warning("worker %d did not stop within %.0f s; killing it", slot.index, self.grace)
            with contextlib.suppress(ProcessLookupError):
                process.kill()

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()


def _describe(code: int) -> str:
    if code < 0:
        try:
            return f"signal {signal.Signals(-code).name}"
        except ValueError:
            return f"signal {-code}"
    return f"code {code}"
