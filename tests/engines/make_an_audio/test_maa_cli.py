"""`tag generate` with the make-an-audio engines on a model folder in the official layout."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from tag import audio
from tag.cli import main


@pytest.fixture
def model_dir(tiny_model_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, restore_root_logger: None) -> Path:
    # A copy: the engine writes its converted-weights cache beside the official files.
    models = tmp_path / "models"
    shutil.copytree(tiny_model_dir, models)
    for key in ("TAG_ENGINE", "TAG_DEVICE", "TAG_DTYPE", "TAG_ENGINE_PLUGINS"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("TAG_MODEL_DIR", str(models))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    yield models


def generate(tmp_path: Path, name: str, *args: str) -> np.ndarray:
    out = tmp_path / f"{name}.wav"
    assert main(["generate", "a dog barks", "--duration", "1.3", "--seed", "5", *args, "--out", str(out)]) == 0
    samples, rate = audio.decode(out.read_bytes())
    assert rate == 16000 and samples.shape[0] == round(1.3 * 16000)
    return samples


def test_auto_chooses_make_an_audio_and_parity_uses_the_reference_sampler(
    model_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fast = generate(tmp_path, "auto", "--steps", "3", "--candidates", "2")
    assert "engine make-an-audio," in capsys.readouterr().out
    parity = generate(tmp_path, "parity", "--parity", "--steps", "4", "--candidates", "2")
    assert "engine make-an-audio-parity," in capsys.readouterr().out
    assert fast.std() > 0 and parity.std() > 0
    # Different samplers (and start noise) give different sounds for the same seed.
    assert not np.allclose(fast, parity)
    # And the parity run is reproducible.
    assert np.array_equal(parity, generate(tmp_path, "again", "--parity", "--steps", "4", "--candidates", "2"))


def test_parity_refuses_other_engines(model_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["generate", "beep", "--parity", "--engine", "synth"]) == 2
    assert "--parity is for the make-an-audio engine" in capsys.readouterr().err
