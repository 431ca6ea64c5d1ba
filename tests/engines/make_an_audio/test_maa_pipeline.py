"""The pipeline end to end on the tiny model: lengths, seeds, re-ranking, seams, progress."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
import torch

from tag.config import Settings
from tag.engines import create_engine
from tag.engines.clap import ClapScorer
from tag.engines.make_an_audio import windows as win
from tag.engines.make_an_audio.layout import model_files
from tag.engines.make_an_audio.pipeline import (
    SamplingOptions,
    candidate_noise,
    latent_width_for,
    reference_start_noise,
)

FAST = SamplingOptions(steps=2, candidates=1)


@pytest.mark.parametrize("duration", [0.5, 1.0, 1.37, 2.02])
def test_output_is_exactly_the_asked_length(tiny_pipeline, duration: float) -> None:
    result = tiny_pipeline("a bird chirps", duration, seed=1, options=FAST)
    assert result.waveform.shape == (round(duration * 16000),)
    assert result.waveform.dtype == np.float32 and np.isfinite(result.waveform).all()
    # The latent is the narrowest even width whose mel frames cover the duration.
    width = result.latent_width
    assert width % 2 == 0 and width * 8 * 256 >= duration * 16000 > (width - 2) * 8 * 256
    assert width == latent_width_for(duration) == 2 * math.ceil(math.ceil(duration * 62.5) / 16)


def test_same_seed_same_sound_other_seed_other_sound(tiny_pipeline) -> None:
    a = tiny_pipeline("rain on a roof", 1.0, seed=7, options=FAST).waveform
    b = tiny_pipeline("rain on a roof", 1.0, seed=7, options=FAST).waveform
    c = tiny_pipeline("rain on a roof", 1.0, seed=8, options=FAST).waveform
    assert np.array_equal(a, b)
    assert np.abs(a - c).max() > 1e-3


def test_candidate_i_does_not_depend_on_how_many_are_drawn() -> None:
    three = candidate_noise(10, 3, (4, 10, 8))
    assert torch.equal(three[1], candidate_noise(11, 1, (4, 10, 8))[0])
    assert not torch.equal(three[0], three[1])


def test_the_kept_candidate_is_the_argmax_of_the_tiny_clap(tiny_pipeline, tiny_model_dir: Path) -> None:
    pipe, prompt = tiny_pipeline, "a dog barking"
    options = SamplingOptions(steps=2, candidates=4)
    result = pipe(prompt, 1.0, seed=21, options=options)
    # Rebuild all candidates and score them with an independently loaded CLAP.
    width = latent_width_for(1.0)
    latents, _ = pipe.sample(pipe.encode_text([prompt]), candidate_noise(21, 4, (4, 10, width)), options)
    waves = pipe.vocode(pipe.decode(latents))[:, :16000]
    files = model_files(tiny_model_dir)
    scores = ClapScorer.from_folder(files.clap_dir, files.bert_dir).score(prompt, waves.numpy(), 16000)
    assert np.ptp(scores) > 1e-4  # the tiny CLAP tells the candidates apart
    assert result.chosen == int(np.argmax(scores))
    assert np.allclose(result.scores, scores, atol=1e-5)
    assert np.array_equal(result.waveform, waves[result.chosen].numpy())


def test_parity_run_uses_the_demos_numpy_noise_and_the_reference_sampler(tiny_pipeline) -> None:
    pipe = tiny_pipeline
    options = SamplingOptions(steps=5, candidates=2, guidance=3.0, parity=True)
    result = pipe("wind", 1.0, seed=55, options=options)
    noise = reference_start_noise(55, (2, 4, 10, latent_width_for(1.0, parity=True)))
    latents, calls = pipe.sample(pipe.encode_text(["wind"]), noise, options)
    waves = pipe.vocode(pipe.decode(latents))
    assert calls == 5
    assert np.array_equal(result.waveform, waves[result.chosen, :16000].numpy())


class _Output:
    def __init__(self, sample: torch.Tensor) -> None:
        self.sample = sample


def _column_jumps(latents: torch.Tensor) -> torch.Tensor:
    return (latents[..., 1:] - latents[..., :-1]).abs().mean(dim=(0, 1, 2))


def test_long_sounds_have_no_seams_where_windows_meet(tiny_pipeline) -> None:
    """Windows of 16 latent frames (the tiny model's training width) over 40 frames.
    The tiny random UNet barely looks beyond its neighbourhood, so to make windows
    disagree the way a trained model's global attention does, a term depending on
    the whole window is added to its prediction.  Denoising windows separately and
    cutting them together then leaves steps at the cuts; the blended sampler must not."""
    pipe = tiny_pipeline
    options = SamplingOptions(steps=4, candidates=1, window_overlap=8)
    width = 40
    noise = candidate_noise(5, 1, (4, 10, width))
    cond = pipe.encode_text(["rain"])
    plan = win.plan_windows(width, 16, 8)
    assert len(plan) == 4
    cuts = [(a.stop + b.start) // 2 for a, b in zip(plan, plan[1:])]
    original = pipe.c.unet.forward

    def window_dependent(x, *args, **kwargs):
        return _Output(original(x, *args, **kwargs).sample + 20.0 * x.mean(dim=(-1, -2), keepdim=True))

    pipe.c.unet.forward = window_dependent
    try:
        blended, _ = pipe.sample(cond, noise, options)
        naive = torch.zeros_like(blended)
        bounds = [0, *cuts, width]
        for w, start, stop in zip(plan, bounds, bounds[1:]):
            alone, _ = pipe.sample(cond, noise[..., w.start : w.stop], options)
            naive[..., start:stop] = alone[..., start - w.start : stop - w.start]
    finally:
        del pipe.c.unet.forward
    jumps, naive_jumps = _column_jumps(blended), _column_jumps(naive)
    edges = sorted({w.start for w in plan[1:]} | {w.stop for w in plan[:-1]} | set(cuts))
    assert max(jumps[c - 1] for c in edges) <= 5 * jumps.median()
    assert max(naive_jumps[c - 1] for c in cuts) > 100 * naive_jumps.median()  # the measure can fail
    # And in the sound: no sample-to-sample step near a seam beyond the clip's own 99.9th percentile.
    wave = pipe.vocode(pipe.decode(blended))[0].numpy()
    step = np.abs(np.diff(wave))
    for c in edges:
        assert step[max(0, c * 2048 - 512) : c * 2048 + 512].max() <= np.percentile(step, 99.9)


def test_a_long_clip_end_to_end(tiny_pipeline) -> None:
    result = tiny_pipeline("a train passes", 12.0, seed=2, options=SamplingOptions(steps=2, candidates=1))
    assert result.waveform.shape == (192000,) and result.latent_width == 94
    assert np.abs(result.waveform[-16000:]).max() > 1e-3  # sound to the very end


def test_engine_reports_progress_and_details(tiny_model_dir: Path) -> None:
    settings = Settings(_env_file=None, model_dir=tiny_model_dir)
    engine = create_engine("make-an-audio", settings)
    events: list[tuple[str, float]] = []
    audio = engine.generate(
        "a cat meows", 0.75, seed=4, steps=3, candidates=2, stereo=True, progress=lambda s, p: events.append((s, p))
    )
    assert audio.engine == "make-an-audio" and audio.sample_rate == 16000
    assert audio.samples.shape == (12000,)
    assert [s for s, _ in events] == ["started", "sampling", "sampling", "sampling", "decoding", "done"]
    percents = [p for _, p in events]
    assert percents == sorted(percents) and percents[-1] == 100.0
    assert audio.details["seed"] == 4 and audio.details["steps"] == 3 and len(audio.details["scores"]) == 2
    assert audio.notices  # stereo was asked; the model is mono


def test_parity_engine_defaults_to_the_reference_settings(tiny_model_dir: Path) -> None:
    engine = create_engine("make-an-audio-parity", Settings(_env_file=None, model_dir=tiny_model_dir))
    assert engine.defaults.parity and engine.defaults.steps == 100 and engine.defaults.sampler == "ddim"
    audio = engine.generate("wind", 0.5, seed=1, steps=2, candidates=1)
    assert audio.details["sampler"] == "ddim (reference)" and audio.samples.shape == (8000,)


def test_long_candidates_are_vocoded_in_groups_with_the_same_result(tiny_pipeline, monkeypatch) -> None:
    from tag.engines.make_an_audio import finish

    monkeypatch.setattr(finish, "VOCODER_BATCH_FRAMES", 2 * 120)  # groups of two, then one
    mel = torch.randn(3, 80, 120, generator=torch.Generator().manual_seed(0)) - 4.0
    grouped = tiny_pipeline.vocode(mel)
    alone = torch.cat([tiny_pipeline.vocode(m[None]) for m in mel])
    assert grouped.shape == (3, 120 * 256)
    assert (grouped - alone).abs().max().item() < 1e-4  # batching only reorders float sums
