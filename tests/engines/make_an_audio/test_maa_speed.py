"""The fast path's levers: threads, bfloat16 autocast, int8, UniPC, preview ranking."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from tag.config import Settings
from tag.engines.base import EngineError
from tag.engines.make_an_audio import speed
from tag.engines.make_an_audio.engine import FAST_DEFAULTS, build_pipeline
from tag.engines.make_an_audio.mel import griffin_lim_preview, log_mel
from tag.engines.make_an_audio.pipeline import SamplingOptions, candidate_noise, latent_width_for

CPUINFO = "processor\t: 0\nflags\t\t: fpu sse avx2 avx512f {extra}\nbogomips\t: 1\n"


def test_native_bf16_is_read_from_the_cpu_flags(tmp_path: Path) -> None:
    info = tmp_path / "cpuinfo"
    info.write_text(CPUINFO.format(extra="avx512_bf16 avx512_vnni"))
    assert speed.cpu_has_native_bf16(info)
    info.write_text(CPUINFO.format(extra="avx512_vnni"))
    assert not speed.cpu_has_native_bf16(info)
    assert not speed.cpu_has_native_bf16(tmp_path / "missing")
    assert speed.compute_dtype("float32", torch.device("cpu")) == torch.float32
    assert speed.compute_dtype("bfloat16", torch.device("cpu")) == torch.bfloat16


@pytest.mark.parametrize(("text", "limit"), [("max 100000", None), ("150000 100000", 1.5), ("50000 100000", 0.5)])
def test_threads_follow_a_container_cpu_quota(tmp_path: Path, text: str, limit: float | None) -> None:
    cpu_max = tmp_path / "cpu.max"
    cpu_max.write_text(text + "\n")
    assert speed.cgroup_cpu_limit(cpu_max) == limit
    cores = speed.available_cores(cpu_max)
    affinity = len(__import__("os").sched_getaffinity(0))
    assert cores == (affinity if limit is None else min(affinity, max(1, -(-limit // 1))))
    assert speed.available_cores(tmp_path / "none") == affinity


def test_bfloat16_autocast_reaches_the_unet_and_moves_the_result_by_rounding_only(tiny_model_dir: Path) -> None:
    exact = build_pipeline(Settings(_env_file=None, model_dir=tiny_model_dir, compute_dtype="float32", threads=1))
    fast = build_pipeline(Settings(_env_file=None, model_dir=tiny_model_dir, compute_dtype="bfloat16", threads=1))
    seen: list[torch.dtype] = []
    hook = fast.c.unet.conv_in.register_forward_hook(lambda module, args, out: seen.append(out.dtype))
    options = SamplingOptions(steps=3, candidates=2)
    noise = candidate_noise(4, 2, (4, 10, latent_width_for(1.0)))
    try:
        got, _ = fast.sample(fast.encode_text(["rain"]), noise, options)
    finally:
        hook.remove()
    want, _ = exact.sample(exact.encode_text(["rain"]), noise, options)
    assert seen and set(seen) == {torch.bfloat16}
    assert next(fast.c.unet.parameters()).dtype == torch.float32  # weights untouched
    relative = ((got - want).norm() / want.norm()).item()
    assert 0 < relative < 0.05
    # Parity work stays float32 even on a bfloat16 pipeline.
    seen.clear()
    hook = fast.c.unet.conv_in.register_forward_hook(lambda module, args, out: seen.append(out.dtype))
    try:
        fast.sample(fast.encode_text(["rain"]), noise, SamplingOptions(steps=2, candidates=2, parity=True))
    finally:
        hook.remove()
    assert set(seen) == {torch.float32}


def test_int8_quantises_the_linear_layers_and_stays_close(tiny_model_dir: Path) -> None:
    exact = build_pipeline(Settings(_env_file=None, model_dir=tiny_model_dir, compute_dtype="float32", threads=1))
    int8 = build_pipeline(
        Settings(_env_file=None, model_dir=tiny_model_dir, compute_dtype="float32", quantize="int8", threads=1)
    )
    kinds = {type(m).__name__ for m in int8.c.unet.modules()}
    assert "Linear" in kinds and not any(type(m) is torch.nn.Linear for m in int8.c.unet.modules())
    noise = candidate_noise(4, 1, (4, 10, 8))
    options = SamplingOptions(steps=2, candidates=1)
    got, _ = int8.sample(int8.encode_text(["wind"]), noise, options)
    want, _ = exact.sample(exact.encode_text(["wind"]), noise, options)
    relative = ((got - want).norm() / want.norm()).item()
    assert 0 < relative < 0.1


def test_int8_is_refused_for_a_gpu(tiny_model_dir: Path) -> None:
    settings = Settings(_env_file=None, model_dir=tiny_model_dir, quantize="int8", device="cuda")
    with pytest.raises(EngineError, match="TAG_QUANTIZE=int8 is for the CPU"):
        build_pipeline(settings)


@pytest.mark.parametrize("sampler", ["dpm", "unipc"])
def test_few_step_solvers_approach_the_many_step_solution(tiny_pipeline, sampler: str) -> None:
    pipe = tiny_pipeline
    cond = pipe.encode_text(["thunder"])
    noise = candidate_noise(9, 1, (4, 10, 8))
    fine, _ = pipe.sample(cond, noise, SamplingOptions(steps=100, sampler="ddim"))
    errors = []
    for steps in (3, 12):
        coarse, calls = pipe.sample(cond, noise, SamplingOptions(steps=steps, sampler=sampler))
        assert calls == steps
        errors.append(((coarse - fine).norm() / fine.norm()).item())
    assert errors[1] < errors[0]  # more steps: closer to the converged sample


def test_a_griffin_lim_preview_has_the_mel_it_came_from() -> None:
    t = torch.arange(16000) / 16000
    wave = (0.5 * torch.sin(2 * torch.pi * 440 * t) + 0.2 * torch.sin(2 * torch.pi * 2500 * t))[None]
    mel = log_mel(wave)[..., :62]
    preview = griffin_lim_preview(mel)
    assert preview.shape == (1, 62 * 256)
    again = log_mel(preview)[..., 2:60]
    target = mel[..., 2:60]
    loud = target > target.max() - 6  # bins within about 6 nepers of the peak
    assert (again - target)[loud].abs().mean() < 0.5
    other = log_mel(torch.sin(2 * torch.pi * 1000 * t)[None])[..., 2:60]  # the check can fail
    assert (other - target)[loud].abs().mean() > 1.0
    assert torch.equal(preview, griffin_lim_preview(mel))  # deterministic


def test_preview_ranking_vocodes_only_the_winner(tiny_pipeline) -> None:
    pipe, prompt = tiny_pipeline, "a dog barking"
    options = SamplingOptions(steps=2, candidates=3, preview_rank=True)
    batches: list[int] = []
    original = pipe.vocoder.forward
    pipe.vocoder.forward = lambda mel: (batches.append(mel.shape[0]), original(mel))[1]
    try:
        result = pipe(prompt, 1.0, seed=3, options=options)
    finally:
        del pipe.vocoder.forward
    assert batches == [1] and result.preview_ranked
    latents, _ = pipe.sample(pipe.encode_text([prompt]), candidate_noise(3, 3, (4, 10, latent_width_for(1.0))), options)
    mel = pipe.decode(latents)
    scores = pipe.rank(prompt, griffin_lim_preview(mel)[:, :16000])
    assert result.chosen == int(np.argmax(scores)) and np.allclose(result.scores, scores, atol=1e-5)
    assert np.array_equal(result.waveform, pipe.vocode(mel[result.chosen : result.chosen + 1])[0, :16000].numpy())
    full = pipe(prompt, 1.0, seed=3, options=SamplingOptions(steps=2, candidates=3))
    assert not full.preview_ranked


def test_the_fast_default_ranks_on_previews_and_parity_does_not() -> None:
    from tag.engines.make_an_audio.engine import PARITY_DEFAULTS

    assert FAST_DEFAULTS.preview_rank and FAST_DEFAULTS.steps <= 12
    assert not PARITY_DEFAULTS.preview_rank and PARITY_DEFAULTS.parity
