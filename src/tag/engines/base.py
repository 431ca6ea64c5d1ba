"""The engine protocol every text-to-audio model implements."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Literal, Protocol, runtime_checkable

import numpy as np

Stage = Literal["started", "sampling", "decoding", "done"]
ProgressCallback = Callable[[Stage, float], None]
"""Called as ``progress(stage, percent)`` with percent in 0..100; must be cheap."""


@dataclass
class Audio:
    """Generated sound: float32 samples in [-1, 1], shape (n,) mono or (n, channels).

    ``details`` is free-form per engine, except for three keys front ends read
    (``summary``; ``tag generate --json``, ``SoundResponse.sources``):

    - ``sources``: list of str, what the sound was made from (synth: the sources
      it recognised; neural engines leave it out: ``[]``);
    - ``not_understood``: list of str, prompt words the engine ignored;
    - ``fallback``: bool, True when nothing was recognised and a neutral sound
      was made instead.
    """

    samples: np.ndarray
    sample_rate: int
    engine: str
    notices: list[str] = field(default_factory=list)
    details: dict[str, object] = field(default_factory=dict)
    # The sound is not what was asked for (nothing or only part of the prompt understood): front ends
    # show these instead of plain success.  In the prompt's language, like ``suggestions`` (prompts to try).
    warnings: list[str] = field(default_factory=list)
    suggestions: list[str] = field(default_factory=list)

    @property
    def duration(self) -> float:
        return self.samples.shape[0] / self.sample_rate

    @property
    def channels(self) -> int:
        return 1 if self.samples.ndim == 1 else self.samples.shape[1]

    def summary(self) -> dict[str, object]:
        """The documented keys of ``details``, with their defaults when the engine is silent."""
        details = self.details
        return {
            "sources": [str(s) for s in details.get("sources", [])],  # type: ignore[attr-defined]
            "not_understood": [str(w) for w in details.get("not_understood", [])],  # type: ignore[attr-defined]
            "fallback": bool(details.get("fallback", False)),
        }


class EngineError(Exception):
    """A generation failed for a reason the user may be told.

    ``code`` is a short machine-readable reason carried in ``SoundResponse.error``.
    """

    def __init__(self, message: str, code: str = "engine_error") -> None:
        super().__init__(message)
        self.code = code


@runtime_checkable
class Engine(Protocol):
    name: str

    def generate(
        self,
        prompt: str,
        duration: float,
        *,
        seed: int | None = None,
        candidates: int | None = None,
        steps: int | None = None,
        guidance: float | None = None,
        stereo: bool = False,
        progress: ProgressCallback | None = None,
    ) -> Audio:
        """Render exactly ``duration`` seconds for ``prompt``.

        Blocking and CPU/GPU bound: callers run it off the event loop.  The same
        seed and arguments give the same samples.
        """
        ...
