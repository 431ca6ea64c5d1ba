"""AudioLCM on a tiny random checkpoint in the official layout."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from tag.config import Settings
from tag.engines import create_engine, get_spec
from tag.engines.audiolcm.convert import split_checkpoint
from tag.engines.audiolcm.layout import model_files
from tag.engines.audiolcm.loading import load_components
from tag.engines.audiolcm.scheduler import make_scheduler
from tag.engines.make_an_audio.architecture import ScheduleArch
from tag.engines.make_an_audio.convert import ConversionError
from tag.engines.make_an_audio.loading import read_checkpoint


def test_tiny_checkpoint_loads(lcm_model_dir: Path) -> None:
    c = load_components(model_files(lcm_model_dir))
    assert c.scale_factor == pytest.approx(0.8)
    out = c.backbone(torch.randn(2, 4, 40), torch.tensor([999, 999]), torch.randn(2, 154, 32), torch.zeros(2, 256))
    assert out.shape == (2, 4, 40)
    assert c.decoder(torch.randn(1, 4, 40)).shape == (1, 80, 80)


def test_strict_mapping_names_keys(lcm_model_dir: Path) -> None:
    files = model_files(lcm_model_dir)
    from tag.engines.audiolcm.architecture import load_architecture

    arch = load_architecture(files.config)
    state = read_checkpoint(files.checkpoint)
    bad = dict(state, **{"cond_stage_model.surprise.weight": torch.zeros(1)})
    with pytest.raises(ConversionError, match="cond_stage_model.surprise.weight"):
        split_checkpoint(bad, arch)
    from tag.engines.audiolcm.backbone import ConcatDiT
    from tag.engines.make_an_audio.loading import _build, _load_strict

    split = split_checkpoint(state, arch)
    del split.backbone["pos_emb.weight"]
    with pytest.raises(ConversionError, match="pos_emb.weight"):
        _load_strict(_build(lambda: ConcatDiT(arch.dit)), split.backbone, "backbone")


def test_sampler_step_rule_matches_formula() -> None:
    schedule = ScheduleArch()
    scheduler = make_scheduler(2, schedule, 50)
    assert scheduler.timesteps.tolist() == [999, 499]
    import numpy as np

    betas = np.linspace(0.00085**0.5, 0.012**0.5, 1000, dtype=np.float64) ** 2
    a = torch.tensor(np.cumprod(1 - betas), dtype=torch.float32)
    x = torch.randn(1, 4, 8, generator=torch.Generator().manual_seed(1))
    eps = [torch.randn(1, 4, 8, generator=torch.Generator().manual_seed(2 + i)) for i in range(2)]
    ours = x.clone()
    g = [torch.Generator().manual_seed(7)]
    for i, t in enumerate(scheduler.timesteps):
        ours = scheduler.step(eps[i], t, ours, generator=g).prev_sample
    # Formula-level: x0 from eps, boundary condition, re-noise to the next timestep.
    z = torch.randn(1, 4, 8, generator=torch.Generator().manual_seed(7))
    ref, ts = x.clone(), [999, 499]
    for i, t in enumerate(ts):
        x0 = (ref - (1 - a[t]).sqrt() * eps[i]) / a[t].sqrt()
        s = 10.0 * t
        c_skip, c_out = 0.25 / (s * s + 0.25), s / (s * s + 0.25) ** 0.5
        den = c_out * x0 + c_skip * ref
        ref = a[ts[1]].sqrt() * den + (1 - a[ts[1]]).sqrt() * z if i == 0 else den
    assert torch.allclose(ours, ref, atol=1e-5)


def test_engine_end_to_end_with_windows_and_ranking(lcm_model_dir: Path) -> None:
    settings = Settings(_env_file=None, model_dir=lcm_model_dir, engine="audiolcm")
    assert get_spec("audiolcm").is_available(settings)
    engine = create_engine("audiolcm", settings)
    audio = engine.generate("a dog barks", 1.3, seed=3, candidates=2)
    assert audio.samples.shape == (round(1.3 * 16000),)
    # 3 s = 47 latent frames > 1.3 x 32 trained frames: two windows.
    long = engine.generate("rain on a roof", 3.0, seed=3, candidates=2)
    assert long.samples.shape == (48000,)
    assert long.details["chosen"] == max(range(2), key=lambda i: long.details["scores"][i])
    assert len(set(long.details["scores"])) == 2


def test_download_refuses_offline(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from huggingface_hub import constants

    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", True)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hub"))
    with pytest.raises(Exception, match="HF_HUB_OFFLINE"):
        get_spec("audiolcm").download(Settings(_env_file=None, model_dir=tmp_path))  # type: ignore[misc]


def test_offered_by_the_bot_and_listed_once_its_files_are_there(lcm_model_dir: Path, tmp_path: Path) -> None:
    from tag.bot.routers.settings import offered_engines
    from tag.engines import registry

    spec = registry.get_spec("audiolcm")
    with_files = Settings(_env_file=None, model_dir=lcm_model_dir)
    without = Settings(_env_file=None, model_dir=tmp_path)
    assert "audiolcm" in offered_engines(with_files) and "audiolcm" not in offered_engines(without)
    # auto prefers AudioLCM: at equal candidates it measured faster here (README figures).
    assert spec.priority > registry.get_spec("make-an-audio").priority
    audio = registry.get_spec("audiolcm").factory(with_files).generate("rain", 1.0, seed=1, candidates=1, steps=2, stereo=True)
    assert audio.notices == ["AudioLCM generates mono sound"]


def test_batched_jobs_run_one_by_one_with_the_same_results(lcm_model_dir: Path) -> None:
    from tag.engines.batching import BatchJob

    engine = get_spec("audiolcm").factory(Settings(_env_file=None, model_dir=lcm_model_dir))
    jobs = [BatchJob(prompt=p, duration=1.0, seed=4, candidates=1, steps=2) for p in ("rain", "wind")]
    assert engine.batch_key(jobs[0]) != engine.batch_key(jobs[1])  # never grouped
    results = engine.generate_batch(jobs)
    alone = engine.generate("rain", 1.0, seed=4, candidates=1, steps=2)
    assert results[0].audio is not None and (results[0].audio.samples == alone.samples).all()
    assert results[1].audio is not None
