"""Request batching: several requests' sampling steps in one model call.

An engine that can batch has ``generate_batch(jobs) -> list[BatchResult]``; the
worker groups queued requests by ``batch_key`` and hands each group over at once.
Every job keeps its own result: a bad or cancelled job never fails its batch mates.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Hashable, Protocol, runtime_checkable

from tag.engines.base import Audio, ProgressCallback


@dataclass
class BatchJob:
    prompt: str
    duration: float
    seed: int
    candidates: int | None = None
    steps: int | None = None
    guidance: float | None = None
    stereo: bool = False
    progress: ProgressCallback | None = None
    adapter: str | None = None  # a fine-tuned adapter's name (engines that take adapters)
    cancelled: Callable[[], bool] = lambda: False


@dataclass
class BatchResult:
    """Exactly one of ``audio`` and ``error`` is set."""

    audio: Audio | None = None
    error: BaseException | None = None


@runtime_checkable
class BatchingEngine(Protocol):
    name: str

    def generate_batch(self, jobs: list[BatchJob]) -> list[BatchResult]:
        """One result per job, in order; blocking (callers run it off the event loop)."""
        ...

    def batch_key(self, job: BatchJob) -> Hashable:
        """Jobs with equal keys may share a run (built with ``batch_key`` below)."""
        ...


def batch_key(
    engine: str, steps: int, guidance: float, sampler: str, latent_width: int, adapter: str | None = None
) -> Hashable:
    """Jobs with equal keys may share one sampling run.

    The latent width must be identical, not just close: padding a shorter clip's
    noise to a wider bucket would change its windows and its sound, whereas equal
    widths make every batched result equal the unbatched one up to float rounding.
    """
    return (engine, steps, float(guidance), sampler, latent_width, adapter)


class JobCancelled(Exception):
    """The result of a job whose ``cancelled()`` turned true: its work was not delivered."""
