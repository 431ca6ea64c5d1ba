"""Engines for the fault suite and the load benchmark (``TAG_ENGINE_PLUGINS=["fault_engines"]``).

- ``fault``: works ``TAG_TEST_FAULT_SECONDS`` (default 0.1 s) per request, so a
  worker can be killed mid-generation; a prompt containing ``poison`` SIGKILLs
  the worker process every time, like a native crash in a model.
- ``instant``: answers at once (the load benchmark measures the plumbing).

Both return a short quiet tone whose notice names the process that made it.
"""

from __future__ import annotations

import os
import signal
import time

import numpy as np

from tag.engines import Audio, EngineSpec, ProgressCallback, register

RATE = 8_000
WORK_ENV = "TAG_TEST_FAULT_SECONDS"
POISON = "poison"


class FaultEngine:
    def __init__(self, name: str, work_seconds: float) -> None:
        self.name = name
        self.work_seconds = work_seconds

    def generate(
        self, prompt: str, duration: float, *, progress: ProgressCallback | None = None, **_: object
    ) -> Audio:
        if POISON in prompt:
            os.kill(os.getpid(), signal.SIGKILL)
        if progress:
            progress("sampling", 10)
        if self.work_seconds:
            time.sleep(self.work_seconds)  # stands in for model time; nothing waits on it
        t = np.arange(round(duration * RATE)) / RATE
        samples = (0.1 * np.sin(2 * np.pi * 330.0 * t)).astype(np.float32)
        return Audio(samples, RATE, self.name, notices=[f"pid={os.getpid()}"])


register(
    EngineSpec(
        name="fault",
        description="test engine: fixed work time; prompts with 'poison' kill the process",
        factory=lambda settings: FaultEngine("fault", float(os.environ.get(WORK_ENV, "0.1"))),
    )
)
register(
    EngineSpec(
        name="instant",
        description="test engine: answers at once",
        factory=lambda settings: FaultEngine("instant", 0.0),
    )
)
