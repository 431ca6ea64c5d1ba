"""Fine-tuning the tiny Make-An-Audio: the loss falls, adapters serve, runs resume exactly."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
from finetune_tiny import FRAMES

from tag.training.data import TrainingSet
from tag.training.finetune import FinetuneError, Trainer, checkpoints, run
from tag.training.options import ATTENTION_TARGETS, FEED_FORWARD_TARGETS, FinetuneOptions

QUICK = dict(batch_size=4, frames=FRAMES, validate_every=0, progress=False)


# LoRA on the convolutions too: the tiny UNet's attention alone moves its output too little to see in 8 steps.
EVERYWHERE = ATTENTION_TARGETS + FEED_FORWARD_TARGETS + ("proj_in", "proj_out", "conv1", "conv2", "conv_out")


@pytest.mark.parametrize("method, lr", [("lora", 3e-2), ("full", 1e-2)])
def test_a_few_steps_lower_the_loss_on_a_fixed_batch(fresh_pipeline, tiny_dataset: Path, tmp_path: Path,
                                                     method: str, lr: float) -> None:
    options = FinetuneOptions(steps=8, method=method, learning_rate=lr, caption_drop=0.0, targets=EVERYWHERE, **QUICK)
    trainer = Trainer(fresh_pipeline(), TrainingSet(tiny_dataset, FRAMES), options, tmp_path)
    batch = trainer.data.batch(0, 4, seed=0)  # all four clips, with the timesteps and noise of draw 7
    losses = [trainer.train_step(batch, draws=7) for _ in range(8)]
    with torch.no_grad():
        after = float(trainer.loss_on(batch, 7))
    assert after < losses[-1] < losses[0] and after < 0.9 * losses[0], losses + [after]
    assert trainer.step == 8


def read_rows(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()]


def test_a_run_leaves_checkpoints_metrics_validation_sounds_a_curve_and_an_adapter(
    fresh_pipeline, tiny_dataset: Path, tmp_path: Path
) -> None:
    import soundfile

    out = tmp_path / "run"
    options = FinetuneOptions(steps=4, checkpoint_every=2, keep_checkpoints=1,
                              validation_prompts=("a dog barking", "rain"), validation_steps=2,
                              validation_duration=0.5, **{**QUICK, "validate_every": 2})
    result = run(fresh_pipeline(), tiny_dataset, out, options)
    assert result.steps == 4 and len(result.losses) == 4
    assert [p.name for p in checkpoints(out)] == ["step-000004"]  # the older one pruned
    rows = read_rows(out)
    assert [r["step"] for r in rows] == [1, 2, 3, 4] and [r["loss"] for r in rows] == result.losses
    for step in ("step-000002", "step-000004"):
        wave, rate = soundfile.read(out / "validation" / step / "00-a-dog-barking.wav")
        assert rate == 16000 and wave.shape == (8000,) and wave.std() > 0
        assert (out / "validation" / step / "01-rain.wav").is_file()
    assert (out / "loss.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    meta = json.loads((result.adapter / "tag_adapter.json").read_text())
    assert (meta["kind"], meta["base_engine"], meta["steps"]) == ("lora", "make-an-audio", 4)
    config = json.loads((result.adapter / "adapter_config.json").read_text())
    assert set(config["target_modules"]) == set(ATTENTION_TARGETS) and config["r"] == 8


def test_a_resumed_run_reaches_the_state_of_an_uninterrupted_one(
    fresh_pipeline, tiny_dataset: Path, tmp_path: Path
) -> None:
    from safetensors.torch import load_file

    options = FinetuneOptions(steps=4, learning_rate=2e-2, checkpoint_every=2, warmup=3, **QUICK)
    straight = run(fresh_pipeline(), tiny_dataset, tmp_path / "straight", options)
    first = run(fresh_pipeline(), tiny_dataset, tmp_path / "split", FinetuneOptions(**{**options.__dict__, "steps": 2}))
    assert first.steps == 2
    second = run(fresh_pipeline(), tiny_dataset, tmp_path / "split", options, resume=True)
    assert (second.resumed_from, second.steps) == (2, 4)
    assert second.losses == straight.losses[2:]  # the same batches, draws, weights and learning rates
    assert read_rows(tmp_path / "split") == [
        {**r, "seconds": s["seconds"]} for r, s in zip(read_rows(tmp_path / "straight"), read_rows(tmp_path / "split"))
    ]
    a = load_file(str(straight.adapter / "adapter_model.safetensors"))
    b = load_file(str(second.adapter / "adapter_model.safetensors"))
    assert a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)
    assert any(float(v.abs().max()) > 0 for k, v in a.items() if "lora_B" in k)  # it did train


def test_a_run_folder_is_not_overwritten_and_a_resume_must_keep_the_options(
    fresh_pipeline, tiny_dataset: Path, tmp_path: Path
) -> None:
    out = tmp_path / "run"
    options = FinetuneOptions(steps=1, checkpoint_every=1, **QUICK)
    run(fresh_pipeline(), tiny_dataset, out, options)
    untouched = fresh_pipeline()  # each refusal comes before training would change it
    with pytest.raises(FinetuneError, match="already holds a run; give --resume"):
        run(untouched, tiny_dataset, out, options)
    with pytest.raises(FinetuneError, match="other options .*learning_rate"):
        run(untouched, tiny_dataset, out, FinetuneOptions(**{**options.__dict__, "learning_rate": 1.0}),
            resume=True)
    with pytest.raises(FinetuneError, match="nothing to resume"):
        run(untouched, tiny_dataset, tmp_path / "new", options, resume=True)
    with pytest.raises(FinetuneError, match="multiple of 16"):
        run(untouched, tiny_dataset, tmp_path / "odd", FinetuneOptions(**{**options.__dict__, "frames": 40}))


def test_bf16_mixed_precision_trains_and_fp16_on_a_cpu_is_refused(fresh_pipeline, tiny_dataset: Path,
                                                                  tmp_path: Path) -> None:
    data = TrainingSet(tiny_dataset, FRAMES)
    trainer = Trainer(fresh_pipeline(), data, FinetuneOptions(steps=2, mixed_precision="bf16", **QUICK), tmp_path)
    losses = [trainer.train_step() for _ in range(2)]
    assert all(0.0 < loss < 10.0 for loss in losses)
    assert all(p.dtype == torch.float32 for p in trainer.params)  # the weights stay float32 under autocast
    with pytest.raises(FinetuneError, match="fp16 mixed precision needs a GPU"):
        Trainer(fresh_pipeline(), data, FinetuneOptions(mixed_precision="fp16", **QUICK), tmp_path)


def test_caption_dropout_drops_the_given_share_of_captions_for_the_empty_one() -> None:
    from tag.training.objective import drop_captions

    cond, empty = torch.randn(4000, 77, 8), torch.randn(1, 77, 8)
    mixed, dropped = drop_captions(cond, empty, 0.1, torch.Generator().manual_seed(1))
    assert 0.085 < float(dropped.float().mean()) < 0.115
    assert torch.equal(mixed[dropped], empty.expand(int(dropped.sum()), -1, -1))
    assert torch.equal(mixed[~dropped], cond[~dropped])
    again, same = drop_captions(cond, empty, 0.1, torch.Generator().manual_seed(1))
    assert torch.equal(same, dropped) and torch.equal(again, mixed)  # seeded: the same rows
    assert not drop_captions(cond, empty, 0.0, torch.Generator())[1].any()
    assert drop_captions(cond, empty, 1.0, torch.Generator())[1].all()


def test_the_noise_schedule_is_the_references_and_batches_are_a_function_of_the_step(tiny_dataset: Path) -> None:
    import numpy as np

    from tag.engines.make_an_audio.architecture import ScheduleArch
    from tag.training.data import fixed_frames
    from tag.training.objective import NoiseSchedule

    schedule = NoiseSchedule.reference(ScheduleArch())
    betas = np.linspace(0.00085**0.5, 0.012**0.5, 1000, dtype=np.float64) ** 2
    alphas = np.cumprod(1 - betas)
    np.testing.assert_allclose(schedule.sqrt_alphas_cumprod.numpy(), np.sqrt(alphas), rtol=1e-6)
    x0, eps = torch.ones(2, 4, 10, 4), torch.full((2, 4, 10, 4), 2.0)
    noisy = schedule.add_noise(x0, eps, torch.tensor([0, 999]))
    assert torch.allclose(noisy[1], torch.full_like(noisy[1], float(np.sqrt(alphas[999]) + 2 * np.sqrt(1 - alphas[999]))))
    mel = np.arange(30, dtype=np.float32).reshape(3, 10)
    assert fixed_frames(mel, 4).tolist() == mel[:, :4].tolist()
    assert fixed_frames(mel, 25)[:, 20:].tolist() == mel[:, :5].tolist()  # tiled, as the reference does
    data = TrainingSet(tiny_dataset, FRAMES)
    assert data.indices(3, 2, seed=0) == TrainingSet(tiny_dataset, FRAMES).indices(3, 2, seed=0)
    assert sorted(data.indices(0, 2, 0) + data.indices(1, 2, 0)) == [0, 1, 2, 3]  # every clip once per pass
