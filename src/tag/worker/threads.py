"""A fixed pool of daemon threads for blocking engine work.

``concurrent.futures.ThreadPoolExecutor`` joins its threads at interpreter exit,
so a generation that ignores shutdown would keep a stopped worker alive.  Here
the threads are daemons: once the job in hand has been requeued, the process
may exit while an engine call is still running.
"""

from __future__ import annotations

import queue
import threading
from concurrent.futures import Future
from typing import Any, Callable, TypeVar

T = TypeVar("T")

_Job = tuple[Future[Any], Callable[..., Any], tuple[Any, ...], dict[str, Any]]


class DaemonPool:
    def __init__(self, size: int, name: str = "engine") -> None:
        if size < 1:
            raise ValueError("size must be at least 1")
        self._jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._threads = [
            threading.Thread(target=self._run, name=f"{name}-{index}", daemon=True) for index in range(size)
        ]
        for thread in self._threads:
            thread.start()
        self._closed = False

    def submit(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> Future[T]:
        if self._closed:
            raise RuntimeError("the pool is shut down")
        future: Future[T] = Future()
        self._jobs.put((future, fn, args, kwargs))
        return future

    def shutdown(self) -> None:
        """Let idle threads end; a thread busy with a job ends when the job does."""
        if self._closed:
            return
        self._closed = True
        for _ in self._threads:
            self._jobs.put(None)

    def _run(self) -> None:
        while True:
            job = self._jobs.get()
            if job is None:
                return
            future, fn, args, kwargs = job
            if not future.set_running_or_notify_cancel():
                continue
            try:
                result = fn(*args, **kwargs)
            except BaseException as exc:  # handed to the awaiting coroutine
                future.set_exception(exc)
            else:
                future.set_result(result)
