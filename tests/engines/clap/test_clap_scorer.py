"""CLAP scorer on a tiny random CLAP saved in the official layout."""

from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F
import yaml
from scipy import signal

from tag.engines.base import EngineError
from tag.engines.clap.checkpoint import CheckpointError
from tag.engines.clap.model import load_clap
from tag.engines.clap.scorer import ClapScorer, fill_window, window_starts
from tag.engines.clap.testing import write_tiny_clap

RATE = 16000
PROMPT = "a dog barking in the rain"


@pytest.fixture(scope="module")
def clap_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_tiny_clap(tmp_path_factory.mktemp("clap") / "CLAP", seed=3, duration=1.0)


@pytest.fixture(scope="module")
def scorer(clap_dir: Path) -> ClapScorer:
    return ClapScorer.from_folder(clap_dir)


def candidates(length: int) -> np.ndarray:
    """Four clearly different sounds of ``length`` samples at 16 kHz."""
    t = np.arange(length) / RATE
    rng = np.random.default_rng(7)
    clicks = np.zeros(length)
    clicks[:: RATE // 10] = 0.9
    return np.stack(
        [
            0.5 * np.sin(2 * np.pi * 440 * t),
            0.3 * rng.standard_normal(length),
            0.4 * signal.chirp(t, 100, t[-1], 6000),
            clicks,
        ]
    ).astype(np.float32)


def independent_scores(clap_dir: Path, prompt: str, clips: np.ndarray) -> np.ndarray:
    """Cosines computed straight from the modules, windows chosen here."""
    model, config = load_clap(clap_dir)
    tokenizer = ClapScorer.from_folder(clap_dir).tokenizer
    window = int(config.duration * config.sampling_rate)
    with torch.no_grad():
        tokens = tokenizer([prompt], return_tensors="pt")
        hidden = model.caption_encoder.base(**tokens).last_hidden_state[:, 0]
        text = F.normalize(model.caption_encoder.projection(hidden), dim=-1)[0]
        scores = []
        for clip in clips:
            resampled = signal.resample_poly(clip, 441, 160).astype(np.float32)
            n = resampled.shape[0]
            if n <= window:
                pieces = [np.tile(resampled, -(-window // n))[:window]]
            else:
                pieces = [resampled[:window], resampled[n - window :]]  # two windows here: start and end
                assert -(-n // window) == 2
            audio = model.audio_encoder(torch.from_numpy(np.stack(pieces)))
            scores.append(float((F.normalize(audio, dim=-1) @ text).mean()))
    return np.asarray(scores)


def test_official_layout_round_trip(clap_dir: Path) -> None:
    saved = torch.load(clap_dir / "CLAP_weights_2022.pth", weights_only=True)["model"]
    model, config = load_clap(clap_dir)
    loaded = model.state_dict()
    assert config.duration == 1.0 and config.audio_widths == (4, 4, 8, 8, 8, 16)
    assert set(saved) - set(loaded) == {"caption_encoder.base.embeddings.position_ids"}
    assert set(loaded) == set(saved) - {"caption_encoder.base.embeddings.position_ids"}
    for key, value in loaded.items():
        assert torch.equal(value, saved[key]), key


def test_ranking_is_the_argmax_of_independent_similarities(clap_dir: Path, scorer: ClapScorer) -> None:
    clips = candidates(int(1.5 * RATE))  # 1.5 s: two 1-second windows each
    index, scores = scorer.best(PROMPT, clips, RATE)
    expected = independent_scores(clap_dir, PROMPT, clips)
    np.testing.assert_allclose(scores, expected, atol=1e-5)
    assert np.ptp(expected) > 1e-3, "candidates must score differently for the test to mean anything"
    assert index == int(np.argmax(expected))


def test_short_clips_are_repeated_to_fill_the_window(clap_dir: Path, scorer: ClapScorer) -> None:
    clips = candidates(int(0.3 * RATE))
    np.testing.assert_allclose(scorer.score(PROMPT, clips, RATE), independent_scores(clap_dir, PROMPT, clips), atol=1e-5)


def test_scores_are_deterministic(clap_dir: Path, scorer: ClapScorer) -> None:
    clips = candidates(int(1.6 * RATE))
    first = scorer.score(PROMPT, clips, RATE)
    again = scorer.score(PROMPT, clips, RATE)
    fresh = ClapScorer.from_folder(clap_dir, batch_size=3).score(PROMPT, clips, RATE)
    assert np.array_equal(first, again)
    np.testing.assert_allclose(first, fresh, atol=1e-6)  # other batch split, same windows
    single = [scorer.score(PROMPT, clip, RATE)[0] for clip in clips]
    np.testing.assert_allclose(first, single, atol=1e-6)


def test_inputs_of_other_shapes_and_lengths(scorer: ClapScorer) -> None:
    clips = candidates(RATE)
    as_tensor = scorer.score(PROMPT, torch.from_numpy(clips), RATE)
    as_list = scorer.score(PROMPT, [clips[0], clips[1][: RATE // 2]], RATE)
    assert as_tensor.shape == (4,) and as_list.shape == (2,)
    assert np.all(np.abs(as_tensor) <= 1.0 + 1e-6)
    with pytest.raises(ValueError, match="non-empty 1-D"):
        scorer.score(PROMPT, [np.zeros(0, np.float32)], RATE)


def test_windows_cover_the_clip_evenly() -> None:
    assert window_starts(100, 100) == [0]
    assert window_starts(250, 100) == [0, 75, 150]
    assert window_starts(201, 100) == [0, 50, 101]
    assert fill_window(np.arange(3), 7).tolist() == [0, 1, 2, 0, 1, 2, 0]


def test_whole_clip_mode_uses_one_window(clap_dir: Path) -> None:
    whole = ClapScorer.from_folder(clap_dir, crop="whole")
    clip = candidates(int(2.5 * RATE))[1]
    resampled = whole.clips(clip, RATE)[0]
    assert [w.shape[0] for w in whole.windows(resampled)] == [resampled.shape[0]]
    assert len(ClapScorer.from_folder(clap_dir).windows(resampled)) == 3


def copy_of(clap_dir: Path, tmp_path: Path) -> Path:
    target = tmp_path / "CLAP"
    shutil.copytree(clap_dir, target)
    return target


def test_missing_files_are_named(clap_dir: Path, tmp_path: Path) -> None:
    folder = copy_of(clap_dir, tmp_path)
    (folder / "CLAP_weights_2022.pth").unlink()
    with pytest.raises(CheckpointError, match=r"missing CLAP weights: expected the file .*CLAP_weights_2022\.pth"):
        ClapScorer.from_folder(folder)
    (folder / "config.yml").unlink()
    with pytest.raises(CheckpointError, match=r"missing CLAP config: .*config\.yml"):
        ClapScorer.from_folder(folder)
    shutil.rmtree(folder / "tokenizer")
    with pytest.raises(CheckpointError, match="missing BERT tokenizer"):
        ClapScorer.from_folder(folder)


def test_corrupt_or_foreign_files_are_clear_errors(clap_dir: Path, tmp_path: Path) -> None:
    folder = copy_of(clap_dir, tmp_path)
    weights = folder / "CLAP_weights_2022.pth"
    good = weights.read_bytes()
    weights.write_bytes(good[: len(good) // 2])
    with pytest.raises(CheckpointError, match="is not a readable PyTorch checkpoint"):
        ClapScorer.from_folder(folder)
    weights.write_bytes(b"not a checkpoint at all")
    with pytest.raises(CheckpointError, match="is not a readable PyTorch checkpoint"):
        ClapScorer.from_folder(folder)
    torch.save({"state_dict": {}}, weights)
    with pytest.raises(CheckpointError, match="has no 'model' entry \\(found: state_dict\\)"):
        ClapScorer.from_folder(folder)


def test_checkpoint_with_pickled_training_objects_still_loads(
    clap_dir: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    folder = copy_of(clap_dir, tmp_path)
    weights = folder / "CLAP_weights_2022.pth"
    state = torch.load(weights, weights_only=True)["model"]
    torch.save({"model": state, "args": argparse.Namespace(lr=1e-4), "epoch": 3}, weights)
    clips = candidates(RATE // 2)
    with caplog.at_level("WARNING"):
        scores = ClapScorer.from_folder(folder).score(PROMPT, clips, RATE)
    assert "holds more than tensors" in caplog.text
    np.testing.assert_allclose(scores, ClapScorer.from_folder(clap_dir).score(PROMPT, clips, RATE), atol=1e-6)


def test_key_mismatches_name_the_keys(clap_dir: Path, tmp_path: Path) -> None:
    folder = copy_of(clap_dir, tmp_path)
    weights = folder / "CLAP_weights_2022.pth"
    state = torch.load(weights, weights_only=True)["model"]
    del state["audio_encoder.base.logmel_extractor.melW"]
    state["audio_encoder.base.conv_block7.conv1.weight"] = torch.zeros(1)
    torch.save({"model": state}, weights)
    with pytest.raises(CheckpointError) as info:
        ClapScorer.from_folder(folder)
    assert "missing keys: audio_encoder.base.logmel_extractor.melW" in str(info.value)
    assert "unexpected keys: audio_encoder.base.conv_block7.conv1.weight" in str(info.value)


def test_config_errors(clap_dir: Path, tmp_path: Path) -> None:
    folder = copy_of(clap_dir, tmp_path)
    config = yaml.safe_load((folder / "config.yml").read_text())
    del config["hop_size"]
    (folder / "config.yml").write_text(yaml.safe_dump(config))
    with pytest.raises(CheckpointError, match="lacks the setting 'hop_size'"):
        ClapScorer.from_folder(folder)
    (folder / "config.yml").write_text("- just\n- a list\n")
    with pytest.raises(CheckpointError, match="should hold a mapping"):
        ClapScorer.from_folder(folder)


@pytest.mark.parametrize(
    ("file", "values", "problem"),
    [
        pytest.param("config.yml", {"audio_widths": ["wide"]}, "ValueError: invalid literal for int()", id="widths"),
        pytest.param("config.yml", {"mel_bins": "many"}, "TypeError: ", id="mel-bins"),
        pytest.param("tokenizer/config.json", {"hidden_size": "large"}, "hidden_size", id="bert-config"),
    ],
)
def test_settings_the_libraries_refuse_are_an_engine_error_naming_the_folder(
    clap_dir: Path, tmp_path: Path, file: str, values: dict, problem: str
) -> None:
    folder = copy_of(clap_dir, tmp_path)
    path = folder / file
    settings = yaml.safe_load(path.read_text())  # JSON is YAML too
    settings.update(values)
    path.write_text(yaml.safe_dump(settings) if path.suffix == ".yml" else json.dumps(settings))
    with pytest.raises(EngineError) as caught:
        ClapScorer.from_folder(folder)
    message = str(caught.value)
    assert message.startswith(f"CLAP scorer: cannot load the model in {folder}: ")
    assert problem in message
    assert caught.value.code == "load_failed"


def test_batched_text_embeddings_match_one_by_one(scorer: ClapScorer) -> None:
    # Prompts of different lengths, so the batch is padded: the mask must keep padding out.
    prompts = ["a dog", PROMPT, "thunder and rain on the roof of a car with a siren", "bell"]
    batched = scorer.text_embeddings(prompts, batch_size=3)
    assert batched.shape == (4, scorer.config.d_proj)
    for row, prompt in zip(batched, prompts):
        assert torch.allclose(row, scorer.text_embedding(prompt), atol=1e-5)
    assert torch.allclose(batched.norm(dim=-1), torch.ones(4), atol=1e-5)
