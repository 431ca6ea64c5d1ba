"""Small engines for the bot tests and bench, handed straight to ``serve_worker``.

``synth`` (the real offline engine) is used when it is registered; these cover
what it cannot: a deterministic failure and a controllable slowness.
"""

from __future__ import annotations

import threading

import numpy as np

from tag.engines import Audio, EngineError, ProgressCallback

RATE = 16000


def _tone(duration: float, seed: int | None) -> np.ndarray:
    t = np.arange(int(round(duration * RATE))) / RATE
    freq = 220.0 + (seed or 0) % 440
    return (0.3 * np.sin(2 * np.pi * freq * t)).astype(np.float32)


class ToneEngine:
    """A sine tone of exactly the asked length, with progress reports."""

    name = "tone"

    def generate(self, prompt: str, duration: float, *, seed: int | None = None, candidates: int | None = None,
                 steps: int | None = None, guidance: float | None = None, stereo: bool = False,
                 progress: ProgressCallback | None = None) -> Audio:
        if progress:
            progress("sampling", 50.0)
            progress("decoding", 90.0)
        return Audio(samples=_tone(duration, seed), sample_rate=RATE, engine=self.name)


class FailingEngine(ToneEngine):
    name = "failing"

    def generate(self, prompt: str, duration: float, **kwargs: object) -> Audio:
        raise EngineError("the test engine refuses to play", code="engine_error")


class GatedEngine(ToneEngine):
    """Blocks each generation until ``release`` is called (or ``delay`` passes)."""

    name = "gated"

    def __init__(self, delay: float | None = None) -> None:
        self.delay = delay
        self.started = threading.Event()
        self._gate = threading.Event()

    def release(self) -> None:
        self._gate.set()

    def generate(self, prompt: str, duration: float, *, progress: ProgressCallback | None = None,
                 **kwargs: object) -> Audio:
        self.started.set()
        if progress:
            progress("sampling", 10.0)
        self._gate.wait(self.delay)
        if progress:
            progress("sampling", 60.0)
        return Audio(samples=_tone(duration, None), sample_rate=RATE, engine=self.name)


def default_engine(settings: object) -> object:
    """The real synth engine when available, else the tone engine."""
    try:
        from tag.engines import create_engine

        return create_engine("synth", settings)  # type: ignore[arg-type]
    except Exception:
        return ToneEngine()
