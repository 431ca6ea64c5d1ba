"""The real tiny Make-An-Audio engine for the worker's batching tests, with notes.

``RecordingEngine`` notes the size of every batch it is given; ``PausingEngine``
also holds its batch after the first sampling step has been reported for every
job, until ``resume`` is set, so a test can act while a batch is running.
"""

from __future__ import annotations

import sys
import threading
from pathlib import Path

from tag.config import Settings
from tag.engines.batching import BatchJob, BatchResult
from tag.engines.make_an_audio.engine import MakeAnAudioEngine, build_pipeline
from tag.engines.make_an_audio.pipeline import MakeAnAudioPipeline

sys.path.insert(0, str(Path(__file__).parents[1] / "engines" / "make_an_audio"))
from maa_tiny import write_tiny_model  # noqa: E402


def tiny_pipeline(models: Path) -> MakeAnAudioPipeline:
    """The tests' tiny random Make-An-Audio, written to ``models`` and loaded as users' files are."""
    write_tiny_model(models / "make-an-audio", seed=0)
    return build_pipeline(Settings(_env_file=None, model_dir=models, compute_dtype="float32", threads=1))


class RecordingEngine(MakeAnAudioEngine):
    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.batches: list[int] = []

    def generate_batch(self, jobs: list[BatchJob]) -> list[BatchResult]:
        self.batches.append(len(jobs))
        return super().generate_batch(jobs)


class PausingEngine(RecordingEngine):
    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.paused = threading.Event()
        self.resume = threading.Event()

    def generate_batch(self, jobs: list[BatchJob]) -> list[BatchResult]:
        last = jobs[-1]  # its step is reported after every other job's
        report = last.progress

        def hold_after_first_step(stage: str, percent: float) -> None:
            if report is not None:
                report(stage, percent)  # type: ignore[arg-type]
            if stage == "sampling" and not self.paused.is_set():
                self.paused.set()
                assert self.resume.wait(30), "the test never resumed the batch"

        last.progress = hold_after_first_step  # type: ignore[assignment]
        return super().generate_batch(jobs)
