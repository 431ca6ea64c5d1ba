"""Make-An-Audio request batching: the candidates of several requests sampled together.

Each job's start noise comes from its own seed and each job's text encoding is
repeated once per candidate, so one ``sample`` call denoises every candidate of
every job; decoding, vocoding and ranking then run per job (``finish``), each in
its own try, so that one failure stays that job's.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

import torch

from tag.engines.base import EngineError
from tag.engines.batching import BatchJob, BatchResult, JobCancelled
from tag.engines.failures import generating
from tag.engines.make_an_audio.pipeline import MakeAnAudioPipeline, SamplingOptions
from tag.messages import LimitError, check_duration, check_prompt

if TYPE_CHECKING:
    from tag.engines.make_an_audio.engine import MakeAnAudioEngine

log = logging.getLogger(__name__)


class _Ready:
    """A validated job: its index in the batch, cleaned inputs and options."""

    def __init__(
        self, index: int, job: BatchJob, prompt: str, duration: float, options: SamplingOptions, adapter: Path | None
    ) -> None:
        self.index, self.job, self.prompt, self.duration, self.options = index, job, prompt, duration, options
        self.adapter = adapter  # the adapter's folder, equal for the jobs of one group (by the key)
        self.stopped: BaseException | None = None  # set when cancelled during the run

    def report(self, stage: str, percent: float) -> None:
        """The job's progress; a callback that raises (its request was cancelled) stops only this job."""
        if self.stopped is not None:
            return
        if self.job.cancelled():
            self.stopped = JobCancelled("the request was cancelled")
            return
        if self.job.progress is not None:
            try:
                self.job.progress(stage, percent)  # type: ignore[arg-type]
            except BaseException as exc:  # GenerationCancelled from the worker's reporter
                self.stopped = exc


def generate_batch(engine: "MakeAnAudioEngine", jobs: list[BatchJob]) -> list[BatchResult]:
    results: list[BatchResult | None] = [None] * len(jobs)
    groups: dict[object, list[_Ready]] = {}
    for i, job in enumerate(jobs):
        if job.cancelled():
            results[i] = BatchResult(error=JobCancelled("the request was cancelled before it started"))
            continue
        try:
            ready = _Ready(i, job, check_prompt(job.prompt), check_duration(job.duration, _max_duration()),
                           engine.options(job.candidates, job.steps, job.guidance), engine.adapter_folder(job.adapter))
        except (EngineError, LimitError) as exc:
            results[i] = BatchResult(error=exc)
            continue
        groups.setdefault(engine.batch_key(job), []).append(ready)
    for group in groups.values():
        for ready, result in zip(group, _run_group(engine, group)):
            results[ready.index] = result
    return [r if r is not None else BatchResult(error=EngineError("no result")) for r in results]


def _max_duration() -> float:
    from tag.engines.make_an_audio.engine import MAX_DURATION

    return MAX_DURATION


def _run_group(engine: "MakeAnAudioEngine", group: list[_Ready]) -> list[BatchResult]:
    """One sampling run for jobs with equal batch keys; one by one if it fails."""
    pipeline = engine.pipeline
    if not isinstance(pipeline, MakeAnAudioPipeline):  # AudioLCM shares the engine class, not this path
        return [_alone(engine, r) for r in group]
    options = group[0].options  # steps, guidance, sampler are equal by the key
    with engine._lock:
        try:
            with engine.using_adapter(group[0].adapter), generating(engine.name):
                for ready in group:
                    ready.report("started", 0.0)
                noise = torch.cat([pipeline.start_noise(r.job.seed, r.duration, r.options) for r in group])
                texts = pipeline.encode_text([r.prompt for r in group])
                counts = torch.tensor([r.options.candidates for r in group], device=texts.device)
                cond = texts.repeat_interleave(counts, dim=0)  # each job's encoding once per candidate

                def on_step(done: int, total: int) -> None:
                    for ready in group:
                        ready.report("sampling", 90.0 * done / total)

                latents, calls = pipeline.sample(cond, noise, options, on_step)
        except EngineError as exc:
            log.warning("batched sampling of %d jobs failed (%s); running them one by one", len(group), exc)
        else:
            parts = latents.split([r.options.candidates for r in group])
            return [_finish(engine, ready, part, calls) for ready, part in zip(group, parts)]
    return [_alone(engine, r) for r in group]  # outside the lock: generate() takes it


def _finish(engine: "MakeAnAudioEngine", ready: _Ready, latents: torch.Tensor, calls: int) -> BatchResult:
    if ready.stopped is not None or ready.job.cancelled():
        return BatchResult(error=ready.stopped or JobCancelled("the request was cancelled"))
    try:
        with generating(engine.name):
            result = engine.pipeline.finish(ready.prompt, latents, ready.duration, seed=ready.job.seed, calls=calls,
                                            options=ready.options, on_decode=lambda: ready.report("decoding", 90.0))
        ready.report("done", 100.0)
    except Exception as exc:
        return BatchResult(error=exc)
    if ready.stopped is not None:
        return BatchResult(error=ready.stopped)
    return BatchResult(audio=engine.audio(result, ready.options, ready.job.stereo, ready.job.adapter))


def _alone(engine: "MakeAnAudioEngine", ready: _Ready) -> BatchResult:
    """The unbatched path for one job, after a failed batched run."""
    if ready.stopped is not None or ready.job.cancelled():
        return BatchResult(error=ready.stopped or JobCancelled("the request was cancelled"))
    job = ready.job
    try:
        audio = engine.generate(ready.prompt, ready.duration, seed=job.seed, candidates=job.candidates,
                                steps=job.steps, guidance=job.guidance, stereo=job.stereo, progress=ready.report,
                                adapter=job.adapter)
    except Exception as exc:
        return BatchResult(error=exc)
    if ready.stopped is not None or job.cancelled():
        return BatchResult(error=ready.stopped or JobCancelled("the request was cancelled"))
    return BatchResult(audio=audio)
