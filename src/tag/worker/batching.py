"""Collecting requests into engine batches (TAG_WORKER_BATCH > 1).

Each request's ``GeneratorService._generate`` hands its job here and awaits its
own result, so acks, responses, progress and redelivery stay per request.  Jobs
that arrive within ``wait`` seconds (or until ``size`` are in) are grouped by the
engine's ``batch_key`` and each group runs as one ``generate_batch`` call on the
service's thread pool.  ``after`` (encoding) runs on that thread too, per job, so a
finished sound does not queue behind the next batch.

The wait is for batch mates that are on their way.  When ``more_coming`` (the
service's view: deliveries still in triage, messages ready in its queues) says
none are, the batch starts at once, so a lone request costs no more than with
batching off.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from typing import Any, Awaitable, Callable, TypeVar

from tag.engines.base import Audio
from tag.engines.batching import BatchingEngine, BatchJob, JobCancelled
from tag.worker.progress import GenerationCancelled
from tag.worker.threads import DaemonPool

log = logging.getLogger(__name__)

T = TypeVar("T")
_Entry = tuple[BatchJob, Callable[[Audio], Any], "asyncio.Future[Any]"]


class Batcher:
    def __init__(
        self,
        engine: BatchingEngine,
        pool: DaemonPool,
        size: int,
        wait: float,
        more_coming: Callable[[], Awaitable[bool]] | None = None,
        on_sizes: Callable[[int, int], None] | None = None,
    ) -> None:
        self.engine = engine
        self.pool = pool
        self.size = size
        self.wait = wait
        self.more_coming = more_coming  # None: always wait the full window
        self.sizes: list[int] = []  # of the batches run, for logs, tests and benches
        self.early: int = 0  # batches started before the window closed because nothing else was coming
        # Requests in the engine's hands now, and in the last batch it started (heartbeats, metrics);
        # ``on_sizes(running, last)`` is told of every change, from the pool's thread.
        self.running = 0
        self.last = 0
        self.on_sizes = on_sizes
        self._sizes_lock = threading.Lock()
        self._pending: list[_Entry] = []
        self._timer: asyncio.TimerHandle | None = None  # the open window's deadline
        self._probe: asyncio.Task[None] | None = None  # asking more_coming about the open window
        self._recheck = False  # something changed while the probe was asking
        self._tasks: set[asyncio.Task[None]] = set()

    async def generate(self, job: BatchJob, after: Callable[[Audio], T]) -> T:
        """``after(audio)`` of this job's sound; its own error or GenerationCancelled otherwise."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        self._pending.append((job, after, future))
        if len(self._pending) >= self.size:
            self._flush()
        else:
            if self._timer is None:
                self._timer = loop.call_later(self.wait, self._flush)
            self.reconsider()
        return await future

    def reconsider(self) -> None:
        """Ask (again) whether batch mates are coming for the open window; the
        service calls this whenever a delivery's triage ends."""
        if self.more_coming is None or self._timer is None or self.wait <= 0:
            return
        if self._probe is not None:
            self._recheck = True  # the probe in flight asks once more when it is answered
            return
        self._probe = asyncio.create_task(self._start_if_alone(), name="batch-probe")

    async def _start_if_alone(self) -> None:
        """Close the open window at once when no batch mate is on its way."""
        assert self.more_coming is not None
        try:
            while self._timer is not None:
                window, self._recheck = self._timer, False
                try:
                    coming = await self.more_coming()
                except Exception as exc:  # e.g. the broker cannot say: the window's timer decides
                    log.debug("cannot tell whether more requests are coming: %r", exc)
                    return
                if self._timer is window and not coming:
                    self.early += 1
                    self._flush()
                    return
                if not self._recheck:  # nothing changed: the timer, or the next arrival, decides
                    return
        finally:
            self._probe = None

    def _spawn(self, coroutine: Any, name: str) -> None:
        task = asyncio.create_task(coroutine, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _flush(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        pending, self._pending = self._pending, []
        groups: dict[Any, list[_Entry]] = {}
        for entry in pending:
            if not entry[2].done():  # its request task was cancelled meanwhile (worker stopping)
                groups.setdefault(self.engine.batch_key(entry[0]), []).append(entry)
        for group in groups.values():
            self._spawn(self._run(group), f"batch-{len(group)}")

    async def _run(self, group: list[_Entry]) -> None:
        self.sizes.append(len(group))
        log.info("running a batch of %d request(s)", len(group))
        try:
            outcomes = await asyncio.wrap_future(self.pool.submit(self._blocking, group))
        except BaseException as exc:  # the pool is gone: every job gets the failure
            outcomes = [exc] * len(group)
        for (_, _, future), outcome in zip(group, outcomes):
            if future.done():
                continue
            if isinstance(outcome, BaseException):
                future.set_exception(outcome)
            else:
                future.set_result(outcome)

    def _engine_has(self, change: int) -> None:
        with self._sizes_lock:
            self.running += change
            if change > 0:
                self.last = change
            running, last = self.running, self.last
        if self.on_sizes is not None:
            try:
                self.on_sizes(running, last)
            except Exception as exc:  # reporting must never fail a batch
                log.debug("batch sizes not reported: %r", exc)

    def _blocking(self, group: list[_Entry]) -> list[Any]:
        """On a pool thread: the batch, then each sound's ``after``; one outcome per job."""
        self._engine_has(len(group))
        try:
            results = self.engine.generate_batch([job for job, _, _ in group])
        finally:
            self._engine_has(-len(group))
        outcomes: list[Any] = []
        for (job, after, _), result in zip(group, results):
            if isinstance(result.error, JobCancelled):
                outcomes.append(GenerationCancelled(str(result.error)))
            elif result.error is not None:
                outcomes.append(result.error)
            else:
                assert result.audio is not None
                try:
                    outcomes.append(after(result.audio))
                except Exception as exc:
                    outcomes.append(exc)
        return outcomes
