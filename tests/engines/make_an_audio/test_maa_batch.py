"""Batched Make-An-Audio generation: the same sounds as alone, one UNet call per step."""

from __future__ import annotations

import numpy as np
import pytest

from tag.engines.base import EngineError
from tag.engines.batching import BatchJob, JobCancelled
from tag.engines.make_an_audio.engine import MakeAnAudioEngine
from tag.engines.make_an_audio.pipeline import SamplingOptions
from tag.messages import LimitError

OPTIONS = SamplingOptions(steps=3, guidance=3.0, candidates=2, sampler="dpm")


@pytest.fixture
def engine(tiny_pipeline) -> MakeAnAudioEngine:
    return MakeAnAudioEngine(tiny_pipeline, defaults=OPTIONS)


@pytest.fixture
def unet_calls(tiny_pipeline):
    calls: list[int] = []
    unet = tiny_pipeline.c.unet
    original = unet.forward

    def counted(x, *args, **kwargs):
        calls.append(x.shape[0])
        return original(x, *args, **kwargs)

    unet.forward = counted
    yield calls
    del unet.forward


def test_batched_sounds_equal_each_job_alone(engine: MakeAnAudioEngine, unet_calls: list[int]) -> None:
    jobs = [BatchJob("a dog barks", 1.0, seed=1), BatchJob("rain on a roof", 1.0, seed=2, candidates=3),
            BatchJob("a bell rings", 1.0, seed=3)]
    results = engine.generate_batch(jobs)
    batched_calls = list(unet_calls)
    # One UNet call per step for the whole batch: 2 + 3 + 2 candidates, guided (x2).
    assert batched_calls == [14] * OPTIONS.steps
    for job, result in zip(jobs, results):
        assert result.error is None and result.audio is not None
        alone = engine.generate(job.prompt, job.duration, seed=job.seed, candidates=job.candidates)
        np.testing.assert_allclose(result.audio.samples, alone.samples, rtol=1e-4, atol=1e-5)
        assert result.audio.details == alone.details


def test_a_bad_job_fails_alone(engine: MakeAnAudioEngine) -> None:
    jobs = [BatchJob("  ", 1.0, seed=1), BatchJob("a dog barks", 1.0, seed=1),
            BatchJob("wind", 1000.0, seed=2), BatchJob("wind", 1.0, seed=2, steps=0)]
    results = engine.generate_batch(jobs)
    assert isinstance(results[0].error, LimitError) and "empty" in str(results[0].error)
    assert results[1].error is None and results[1].audio is not None and results[1].audio.samples.shape == (16000,)
    assert isinstance(results[2].error, LimitError)
    assert isinstance(results[3].error, EngineError) and results[3].error.code == "bad_options"


def test_cancelled_jobs_are_answered_cancelled(engine: MakeAnAudioEngine, unet_calls: list[int]) -> None:
    steps_seen: list[str] = []

    def cancel_midway(stage: str, percent: float) -> None:
        steps_seen.append(stage)

    jobs = [BatchJob("a dog barks", 1.0, seed=1, cancelled=lambda: True),
            BatchJob("rain", 1.0, seed=2, progress=cancel_midway, cancelled=lambda: steps_seen.count("sampling") >= 2),
            BatchJob("a bell rings", 1.0, seed=3)]
    results = engine.generate_batch(jobs)
    assert isinstance(results[0].error, JobCancelled)
    assert isinstance(results[1].error, JobCancelled)
    assert results[2].audio is not None
    assert unet_calls == [8] * OPTIONS.steps  # the job cancelled before start took no part
    assert "decoding" not in steps_seen


def test_progress_reaches_every_job(engine: MakeAnAudioEngine) -> None:
    events: dict[int, list[tuple[str, float]]] = {0: [], 1: []}
    jobs = [BatchJob("a dog barks", 0.75, seed=i, progress=lambda s, p, i=i: events[i].append((s, p))) for i in events]
    assert all(r.audio is not None for r in engine.generate_batch(jobs))
    for seen in events.values():
        assert [s for s, _ in seen] == ["started", "sampling", "sampling", "sampling", "decoding", "done"]
        assert seen[-1][1] == 100.0


def test_widths_that_differ_run_in_separate_batches(engine: MakeAnAudioEngine, unet_calls: list[int]) -> None:
    jobs = [BatchJob("a dog barks", 1.0, seed=1), BatchJob("rain", 2.0, seed=2), BatchJob("wind", 1.0, seed=3)]
    assert engine.batch_key(jobs[0]) == engine.batch_key(jobs[2]) != engine.batch_key(jobs[1])
    results = engine.generate_batch(jobs)
    assert [r.audio.samples.shape[0] for r in results] == [16000, 32000, 16000]  # type: ignore[union-attr]
    assert sorted(set(unet_calls)) == [4, 8]


def test_a_failing_batched_run_falls_back_to_one_by_one(engine: MakeAnAudioEngine, tiny_pipeline, monkeypatch) -> None:
    original = tiny_pipeline.sample

    def refuse_batches(cond, noise, options, callback=None):
        if cond.shape[0] > 1:
            raise RuntimeError("out of memory")
        return original(cond, noise, options, callback)

    monkeypatch.setattr(tiny_pipeline, "sample", refuse_batches)
    jobs = [BatchJob("a dog barks", 1.0, seed=1), BatchJob("rain", 1.0, seed=2)]
    results = engine.generate_batch(jobs)
    for job, result in zip(jobs, results):
        assert result.audio is not None
        alone = engine.generate(job.prompt, job.duration, seed=job.seed)
        np.testing.assert_allclose(result.audio.samples, alone.samples, rtol=1e-4, atol=1e-5)
