"""`tag finetune` and `tag generate --adapter` on the tiny model."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from tag import audio
from tag.cli import main


@pytest.fixture
def model_dir(tiny_model_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, restore_root_logger: None) -> Path:
    models = tmp_path / "models"
    shutil.copytree(tiny_model_dir, models)
    for key in ("TAG_ENGINE", "TAG_DEVICE", "TAG_DTYPE", "TAG_ENGINE_PLUGINS", "TAG_QUANTIZE"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("TAG_MODEL_DIR", str(models))
    monkeypatch.setenv("TAG_COMPUTE_DTYPE", "float32")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    yield models


def generate(tmp_path: Path, name: str, *args: str) -> np.ndarray:
    out = tmp_path / f"{name}.wav"
    argv = ["generate", "a dog barks", "-d", "1", "--seed", "5", "--steps", "2", "-n", "1", "--engine", "make-an-audio"]
    assert main([*argv, *args, "--out", str(out)]) == 0
    return audio.decode(out.read_bytes())[0]


def test_finetune_then_generate_with_the_run_or_its_served_name(
    model_dir: Path, tiny_dataset: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = tmp_path / "run"
    common = ["finetune", str(tiny_dataset), "--out", str(run), "--frames", "32", "--batch-size", "2",
              "--lr", "0.05", "--validate-every", "0", "--checkpoint-every", "1", "--no-progress"]
    assert main([*common, "--steps", "2"]) == 0
    assert "2 steps" in capsys.readouterr().out
    assert main([*common, "--steps", "3", "--resume"]) == 0
    assert "3 steps (resumed at step 2)" in capsys.readouterr().out
    plain = generate(tmp_path, "plain")
    tuned = generate(tmp_path, "tuned", "--adapter", str(run))
    assert np.abs(tuned - plain).max() > 1e-3
    shutil.copytree(run / "adapter", model_dir / "adapters" / "dogs")
    assert np.array_equal(generate(tmp_path, "named", "--adapter", "dogs"), tuned)


def test_adapter_and_finetune_mistakes_are_refused_with_a_reason(
    model_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = str(tmp_path / "x.wav")
    assert main(["generate", "a beep", "--engine", "synth", "--adapter", "dogs", "--out", out]) == 2
    assert "--adapter is for the make-an-audio engine, not 'synth'" in capsys.readouterr().err
    assert main(["generate", "a beep", "--engine", "make-an-audio", "--adapter", "dogs", "--out", out]) == 2
    assert "unknown adapter 'dogs'" in capsys.readouterr().err
    assert main(["generate", "a beep", "--engine", "make-an-audio", "--adapter", str(tmp_path), "--out", out]) == 2
    assert "holds no adapter" in capsys.readouterr().err
    empty = tmp_path / "empty"
    empty.mkdir()
    assert main(["finetune", str(empty), "--out", str(tmp_path / "run"), "--no-progress"]) == 2
    assert "holds no clips" in capsys.readouterr().err
