"""`tag generate --engine NAME` for every peer engine, on a model folder in the
published layout, in-process through ``tag.cli.main`` (the process entry point is
tests/test_cli.py's business)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from support.processes import tag_env

from tag import audio
from tag.cli import main
from tag.config import Settings

# Stable Audio's Brownian-tree noise warns about float rounding at the ends of its
# time interval; harmless, and not ours to fix.
pytestmark = pytest.mark.filterwarnings("ignore:Should have:UserWarning")

RATES = {"audioldm": 16000, "audioldm2": 16000, "stable-audio": 8000, "musicgen": 8000}
ARGS = ["--duration", "1.5", "--seed", "7", "--steps", "2", "--candidates", "2"]


def check_clip(out: Path, name: str) -> None:
    samples, rate = audio.decode(out.read_bytes())
    assert rate == RATES[name]
    assert samples.shape[0] == round(1.5 * rate)
    assert samples.std() > 0


@pytest.mark.parametrize("name", list(RATES))
def test_tag_generate_with_each_peer_engine(
    peer_settings: Settings, tmp_path: Path, name: str, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str], restore_root_logger: None,
) -> None:
    monkeypatch.setenv("TAG_MODEL_DIR", str(peer_settings.model_dir))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    out = tmp_path / f"{name}.wav"
    assert main(["generate", "a dog barks in the rain", "--engine", name, *ARGS, "--out", str(out)]) == 0
    check_clip(out, name)
    captured = capsys.readouterr()
    assert f"engine {name}" in captured.out
    assert "candidates unranked" in captured.err  # no CLAP in this model folder: said, not hidden


def test_tag_generate_beyond_the_limit_fails_with_the_reason(
    peer_settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str], restore_root_logger: None,
) -> None:

    monkeypatch.setenv("TAG_MODEL_DIR", str(peer_settings.model_dir))
    out = tmp_path / "long.wav"
    assert main(["generate", "wind", "--engine", "stable-audio", "--duration", "3", "--out", str(out)]) != 0
    assert "at most 2 s" in capsys.readouterr().err
    assert not out.exists()


def test_a_damaged_model_folder_is_one_line_on_stderr_without_a_traceback(
    settings: Settings, tiny_model_dir: Path, tmp_path: Path
) -> None:
    folder = settings.model_dir / "audioldm"
    shutil.copytree(tiny_model_dir / "audioldm", folder)
    weights = folder / "vocoder" / "model.safetensors"
    whole = weights.read_bytes()
    weights.write_bytes(whole[: len(whole) // 2])
    out = tmp_path / "rain.wav"
    result = subprocess.run(
        [sys.executable, "-m", "tag", "generate", "rain", "--engine", "audioldm", "--steps", "2", "--out", str(out)],
        env=tag_env(settings, HF_HUB_OFFLINE="1", OMP_NUM_THREADS="1"), capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"tag: engine 'audioldm': cannot load the model in {folder}: ")
    assert f"vocoder/model.safetensors is truncated ({len(whole) // 2} of {len(whole)} bytes)" in line
    assert not out.exists()


def test_tag_generate_json_with_a_neural_engine(
    peer_settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str], restore_root_logger: None,
) -> None:
    import json

    monkeypatch.setenv("TAG_MODEL_DIR", str(peer_settings.model_dir))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    out = tmp_path / "dog.wav"
    assert main(["generate", "a dog barks", "--engine", "audioldm", "-d", "1", "--steps", "2", "--json", "-o", str(out)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["engine"] == "audioldm" and report["file"] == str(out) and report["sample_rate"] == 16000
    assert (report["sources"], report["not_understood"], report["fallback"]) == ([], [], False)
    assert isinstance(report["seed"], int)


def test_peer_engines_are_deterministic_per_seed(tiny_engines: dict[str, object]) -> None:
    engine = tiny_engines["audioldm"]
    first, again, other = (engine.generate("a dog barks", 1.0, seed=s, steps=2).samples for s in (3, 3, 4))  # type: ignore[attr-defined]
    assert np.array_equal(first, again) and not np.array_equal(first, other)
