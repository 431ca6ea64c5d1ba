"""Engines for tests; importing this module registers them (``TAG_ENGINE_PLUGINS``).

- ``test-tone``: an instant 440 Hz tone; notices carry the process id, so a test
  can tell which worker process answered.
- ``test-slow``: reports progress, then blocks until released (a ``threading.Event``
  in-process, or the file named by ``TAG_TEST_RELEASE_FILE`` across processes).
- ``test-fail``: raises ``EngineError`` (or ``RuntimeError`` for prompts with "crash").
- ``test-kill``: SIGKILLs its own process, like a native crash or the OOM killer.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

import numpy as np

from tag.engines import Audio, EngineError, EngineSpec, ProgressCallback, register

RATE = 16_000
RELEASE_ENV = "TAG_TEST_RELEASE_FILE"


def tone(duration: float, frequency: float = 440.0) -> np.ndarray:
    t = np.arange(round(duration * RATE)) / RATE
    return (0.5 * np.sin(2 * np.pi * frequency * t)).astype(np.float32)


class ToneEngine:
    name = "test-tone"

    def __init__(self, name: str | None = None) -> None:
        if name:
            self.name = name

    def generate(self, prompt: str, duration: float, *, progress: ProgressCallback | None = None, **_: object) -> Audio:
        if progress:
            progress("sampling", 50)
            progress("decoding", 90)
        return Audio(tone(duration), RATE, self.name, notices=[f"pid={os.getpid()}"])


class SlowEngine:
    """Blocks in ``generate`` until released; ``entered`` is set once it is running."""

    name = "test-slow"

    def __init__(self, release: threading.Event | None = None, timeout: float = 60.0) -> None:
        self.release = release
        self.timeout = timeout
        self.entered = threading.Event()
        self.calls = 0

    def _released(self) -> bool:
        if self.release is not None:
            return self.release.wait(0.02)
        path = os.environ.get(RELEASE_ENV)
        if path and Path(path).exists():
            return True
        time.sleep(0.02)  # polling a file: no cross-process event is simpler
        return False

    def generate(self, prompt: str, duration: float, *, progress: ProgressCallback | None = None, **_: object) -> Audio:
        self.calls += 1
        if progress:
            progress("sampling", 10)
        self.entered.set()
        deadline = time.monotonic() + self.timeout
        while not self._released():
            if time.monotonic() > deadline:
                raise EngineError("test-slow was never released", code="test_timeout")
        return Audio(tone(duration), RATE, self.name, notices=[f"pid={os.getpid()}"])


class FailingEngine:
    name = "test-fail"

    def generate(self, prompt: str, duration: float, **_: object) -> Audio:
        if "crash" in prompt:
            raise RuntimeError("simulated bug inside the engine")
        raise EngineError("simulated engine failure", code="test_failure")


class KillerEngine:
    name = "test-kill"

    def generate(self, prompt: str, duration: float, **_: object) -> Audio:
        os.kill(os.getpid(), signal.SIGKILL)
        raise AssertionError("unreachable")


for _engine in (ToneEngine, SlowEngine, FailingEngine, KillerEngine):
    register(
        EngineSpec(
            name=_engine.name,
            description=f"test engine ({_engine.__doc__ or _engine.name})".split("\n")[0],
            factory=lambda settings, cls=_engine: cls(),
            priority=-100,  # never chosen by ``auto``
        )
    )
