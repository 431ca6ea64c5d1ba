"""Samplers: the parity DDIM against the reference formulas, windows, guidance."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from tag.engines.make_an_audio import windows as win
from tag.engines.make_an_audio.pipeline import SamplingOptions, reference_start_noise
from tag.engines.make_an_audio.schedulers import make_scheduler, reference_ddim_timesteps
from tag.engines.make_an_audio.architecture import ScheduleArch


def reference_ddim(unet, noise, cond, uncond, steps: int, scale: float) -> torch.Tensor:
    """DDIM (eta 0) step by step from the reference's formulas, in plain torch.

    Schedule: betas = linspace(sqrt(0.00085), sqrt(0.012), 1000)^2 in float64, cumulative
    product in float64, stored as float32.  Steps: range(0, 1000, 1000 // steps) + 1.
    alpha_prev of the i-th step is alphas[previous step], alphas[0] for the last.
    """
    betas = np.linspace(0.00085**0.5, 0.012**0.5, 1000, dtype=np.float64) ** 2
    alphas_cumprod = torch.tensor(np.cumprod(1.0 - betas), dtype=torch.float32)
    ts = np.arange(0, 1000, 1000 // steps) + 1
    a = alphas_cumprod[ts]
    a_prev = torch.cat([alphas_cumprod[:1], alphas_cumprod[ts[:-1]]])
    x = noise.clone()
    b = x.shape[0]
    for i, step in enumerate(np.flip(ts)):
        index = len(ts) - i - 1
        t = torch.full((2 * b,), int(step), dtype=torch.long)
        context = torch.cat([uncond.expand(b, -1, -1), cond.expand(b, -1, -1)])
        e_u, e_c = unet(torch.cat([x, x]), t, encoder_hidden_states=context).sample.chunk(2)
        e = e_u + scale * (e_c - e_u)
        x0 = (x - (1 - a[index]).sqrt() * e) / a[index].sqrt()
        x = a_prev[index].sqrt() * x0 + (1 - a_prev[index]).sqrt() * e
    return x


def test_reference_timesteps() -> None:
    assert list(reference_ddim_timesteps(100)[:3]) == [991, 981, 971]
    assert reference_ddim_timesteps(100)[-1] == 1 and len(reference_ddim_timesteps(100)) == 100
    # 1000 // 30 = 33: the reference walks 31 steps, 1 .. 991.
    ts = reference_ddim_timesteps(30)
    assert len(ts) == 31 and ts[0] == 991 and ts[-1] == 1
    scheduler = make_scheduler("ddim", 30, ScheduleArch())
    assert scheduler.timesteps.tolist() == ts.tolist()
    assert float(scheduler.final_alpha_cumprod) == pytest.approx(1 - 0.00085, rel=1e-6)


@pytest.mark.parametrize("steps", [10, 30])
def test_parity_sampler_equals_the_reference_ddim(tiny_pipeline, steps: int) -> None:
    pipe = tiny_pipeline
    noise = reference_start_noise(55, (2, 4, 10, 12))
    cond = pipe.encode_text(["a dog barking"])
    uncond = pipe.encode_text([""])
    with torch.inference_mode():
        expected = reference_ddim(pipe.c.unet, noise, cond, uncond, steps, 3.0)
    got, calls = pipe.sample(cond, noise, SamplingOptions(steps=steps, guidance=3.0, parity=True))
    assert calls == len(reference_ddim_timesteps(steps))
    scale = expected.abs().max().item()
    assert (got - expected).abs().max().item() <= 1e-5 * max(scale, 1.0)
    if steps == 10:  # the comparison can fail: another step count lands far away
        with torch.inference_mode():
            other = reference_ddim(pipe.c.unet, noise, cond, uncond, 8, 3.0)
        assert (other - expected).abs().max().item() > 1e-3


def test_reference_start_noise_is_the_demos_numpy_draw() -> None:
    got = reference_start_noise(55, (3, 4, 10, 8))
    expected = np.random.RandomState(55).randn(3, 4, 10, 8).astype(np.float32)
    assert got.dtype == torch.float32 and np.array_equal(got.numpy(), expected)


def test_guidance_changes_the_result_and_one_skips_the_unconditional_pass(tiny_pipeline) -> None:
    pipe = tiny_pipeline
    noise = reference_start_noise(1, (1, 4, 10, 8))
    cond = pipe.encode_text(["rain and thunder"])
    calls = []
    original = pipe.c.unet.forward

    def counting(x, *args, **kwargs):
        calls.append(x.shape[0])
        return original(x, *args, **kwargs)

    pipe.c.unet.forward = counting
    try:
        plain, _ = pipe.sample(cond, noise, SamplingOptions(steps=3, guidance=1.0))
        guided, _ = pipe.sample(cond, noise, SamplingOptions(steps=3, guidance=3.0))
    finally:
        del pipe.c.unet.forward
    assert calls == [1, 1, 1, 2, 2, 2]  # uncond and cond batched into one call per step
    assert (plain - guided).abs().max().item() > 1e-3


def test_window_plan_covers_everything_and_ends_at_the_edges() -> None:
    assert win.plan_windows(10, 16, 8) == [win.Window(0, 10)]
    plan = win.plan_windows(40, 16, 8)
    assert plan[0].start == 0 and plan[-1].stop == 40
    assert all(w.stop - w.start == 16 for w in plan)
    assert all(b.start <= a.stop - 8 for a, b in zip(plan, plan[1:]))
    weights = win.window_weights(plan, 40, 8)
    assert bool((weights.sum(0) > 0).all())


def test_merge_of_split_is_identity_and_blends_overlaps() -> None:
    x = torch.randn(2, 4, 10, 50)
    plan = win.plan_windows(50, 16, 8)
    weights = win.window_weights(plan, 50, 8)
    assert torch.allclose(win.merge(win.split(x, plan), plan, weights, 50), x, atol=1e-6)
    # Disagreeing windows are cross-faded: the blend moves gradually from one to the other.
    pieces = torch.cat([torch.full((1, 1, 1, 16), float(i)) for i in range(len(plan))])
    blended = win.merge(pieces, plan, weights, 50)[0, 0, 0]
    assert torch.all(blended[1:] - blended[:-1] >= -1e-6)
    assert (blended[1:] - blended[:-1]).max().item() < 0.3  # a hard seam would jump by 1


def test_latent_width_covers_the_duration_unlike_the_reference() -> None:
    from tag.engines.make_an_audio.pipeline import latent_width_for

    def reference_width(duration: float) -> int:  # gen_wav.py's dur_to_size
        width = int(duration * 7.8)
        return width if width % 4 == 0 else (width // 4 + 1) * 4

    assert latent_width_for(5) == reference_width(5) == 40
    assert latent_width_for(9) == reference_width(9) == 72
    assert latent_width_for(10) == reference_width(10) == 80
    # 7.8 latent frames per second is a little under the true 7.8125: at 41 s the
    # reference comes out short (and pads); ours covers it.
    assert reference_width(41) * 8 * 256 < 41 * 16000 <= latent_width_for(41) * 8 * 256
    # Parity runs take the reference's width wherever it is long enough.
    for duration in (1, 2.5, 5, 9, 10, 11, 17.3, 30):
        assert latent_width_for(duration, parity=True) == reference_width(duration)
    assert latent_width_for(41, parity=True) == 324 and latent_width_for(11) == 86


@pytest.mark.parametrize("width", [8, 40])  # one window, and windows (the tiny UNet trains on 16)
def test_one_conditioning_row_per_sample_batches_different_prompts(tiny_pipeline, width: int) -> None:
    pipe = tiny_pipeline
    prompts = ["rain on a roof", "a dog barking", "wind"]
    noise = reference_start_noise(3, (3, 4, 10, width))
    options = SamplingOptions(steps=4, guidance=3.0)
    cond = torch.cat([pipe.encode_text([p]) for p in prompts])
    together, calls = pipe.sample(cond, noise, options)
    alone = torch.cat([pipe.sample(cond[i : i + 1], noise[i : i + 1], options)[0] for i in range(3)])
    assert calls == 4
    assert (together - alone).abs().max().item() <= 1e-4 * max(alone.abs().max().item(), 1.0)
    swapped, _ = pipe.sample(cond.flip(0), noise, options)  # the rows really condition their own sample
    assert (swapped - together).abs().max().item() > 1e-3
    with pytest.raises(ValueError, match="2 rows for 3 samples"):
        pipe.sample(cond[:2], noise, options)
