"""The four peer engines on tiny random-weight models: length, seeds, candidates,
re-ranking, progress, channels and limits."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch

from tag.config import Settings
from tag.engines.base import Audio, EngineError
from tag.engines.peers import load_engine
from tag.engines.peers.runtime import LazyScorer

# Stable Audio's Brownian-tree noise warns about float rounding at the ends of its
# time interval; harmless, and not ours to fix.
pytestmark = pytest.mark.filterwarnings("ignore:Should have:UserWarning")

ENGINES = ("audioldm", "audioldm2", "stable-audio", "musicgen")
# Fast settings for tiny models; musicgen ignores steps (it says so in a notice).
FAST = {"steps": 2}


def run(engine: Any, duration: float = 1.0, **options: Any) -> Audio:
    kwargs = {**FAST, **options} if engine.name != "musicgen" else options
    return engine.generate("rain on a roof", duration, **kwargs)


@pytest.mark.parametrize("name", ENGINES)
@pytest.mark.parametrize("duration", [0.5, 1.37, 2.0])
def test_output_has_exactly_the_requested_length(tiny_engines: dict[str, Any], name: str, duration: float) -> None:
    engine = tiny_engines[name]
    audio = run(engine, duration, seed=1)
    assert audio.samples.ndim == 1
    assert audio.samples.dtype == np.float32
    assert audio.samples.shape[0] == round(duration * engine.sample_rate)
    assert audio.sample_rate == engine.sample_rate
    assert audio.engine == name
    assert np.isfinite(audio.samples).all()
    assert np.max(np.abs(audio.samples)) <= 1.0
    assert np.std(audio.samples) > 0  # a sound, not padding only


@pytest.mark.parametrize("name", ENGINES)
def test_seeds_reproduce_and_differ(tiny_engines: dict[str, Any], name: str) -> None:
    engine = tiny_engines[name]
    fresh = run(engine, 0.5)  # no seed: a fresh one is drawn and reported
    seed = fresh.details["seed"]
    assert isinstance(seed, int)
    again = run(engine, 0.5, seed=seed)
    other = run(engine, 0.5, seed=(seed + 1) % 2**32)
    np.testing.assert_array_equal(fresh.samples, again.samples)
    assert not np.allclose(fresh.samples, other.samples)


@pytest.mark.parametrize("name", ENGINES)
def test_progress_runs_from_started_to_done(tiny_engines: dict[str, Any], name: str) -> None:
    events: list[tuple[str, float]] = []
    run(tiny_engines[name], 0.5, seed=3, progress=lambda stage, percent: events.append((stage, percent)))
    stages = [stage for stage, _ in events]
    assert stages[0] == "started" and stages[-1] == "done"
    assert stages.count("sampling") >= 2  # per step (per frame for musicgen)
    assert "decoding" in stages
    percents = [percent for _, percent in events]
    assert percents == sorted(percents) and percents[-1] == 100.0


@pytest.mark.parametrize("name", ENGINES)
def test_beyond_the_models_limit_is_a_clear_error(tiny_engines: dict[str, Any], name: str) -> None:
    engine = tiny_engines[name]
    limit = engine.max_duration
    with pytest.raises(EngineError, match=f"at most {limit:g} s") as caught:
        run(engine, limit + 0.5, seed=1)
    assert caught.value.code == "duration_too_long"


def test_limits_follow_the_catalogue_unless_the_network_is_shorter(tiny_engines: dict[str, Any]) -> None:
    assert tiny_engines["audioldm"].max_duration == 30.0
    assert tiny_engines["audioldm2"].max_duration == 30.0
    # The tiny Stable Audio window is 250 latent frames x 64 samples at 8 kHz.
    assert tiny_engines["stable-audio"].max_duration == pytest.approx(2.0)
    # The tiny MusicGen position table (512) at 50 frames/s, less the codebook delay.
    engine = tiny_engines["musicgen"]
    assert engine.max_duration == pytest.approx((512 - engine.codebooks) / 50)


def test_candidates_without_clap_keep_the_first_and_say_so(tiny_engines: dict[str, Any]) -> None:
    # Every engine's unranked path is also exercised by the CLI tests.
    audio = run(tiny_engines["stable-audio"], 0.5, seed=5, candidates=3)
    assert audio.details["candidate"] == 0 and audio.details["scores"] is None
    assert any("kept the first of 3 candidates" in notice for notice in audio.notices)


class RecordingScorer:
    """A scorer that prefers the candidate at ``favourite`` and keeps what it saw."""

    def __init__(self, favourite: int) -> None:
        self.favourite = favourite
        self.seen: list[np.ndarray] = []

    def score(self, prompt: str, waveforms: np.ndarray, sample_rate: int) -> np.ndarray:
        self.seen.append(np.array(waveforms))
        scores = np.zeros(len(waveforms))
        scores[self.favourite] = 1.0
        return scores


@pytest.mark.parametrize("name", ["audioldm", "musicgen"])
def test_the_best_scored_candidate_is_returned(peer_settings: Settings, name: str) -> None:
    recorder = RecordingScorer(favourite=2)
    engine = load_engine(name, peer_settings, scorer=LazyScorer(lambda: recorder, "test"))
    audio = run(engine, 0.5, seed=9, candidates=3)
    (batch,) = recorder.seen
    assert batch.shape == (3, round(0.5 * engine.sample_rate))  # exact-length mono candidates
    assert not np.allclose(batch[0], batch[2])
    np.testing.assert_array_equal(audio.samples, batch[2])
    assert audio.details["candidate"] == 2 and audio.details["scores"] == [0.0, 0.0, 1.0]


@pytest.mark.parametrize("name", ENGINES)
def test_candidates_are_reranked_by_the_shared_clap_scorer(peer_settings: Settings, name: str) -> None:
    testing = pytest.importorskip("tag.engines.clap.testing")
    from tag.engines.clap import ClapScorer

    testing.write_tiny_clap(peer_settings.model_dir / "clap", seed=1)
    engine = load_engine(name, peer_settings)
    audio = run(engine, 0.8, seed=11, candidates=3)
    scores = audio.details["scores"]
    assert isinstance(scores, list) and len(scores) == 3
    assert audio.details["candidate"] == int(np.argmax(scores))
    assert not any("unranked" in notice for notice in audio.notices)
    # The returned sound is the one that earned the winning score.
    reference = ClapScorer.from_folder(peer_settings.model_dir / "clap")
    again = reference.score("rain on a roof", audio.samples[None, :], audio.sample_rate)
    assert again[0] == pytest.approx(max(scores), abs=1e-4)


def test_stable_audio_gives_stereo_on_request(tiny_engines: dict[str, Any]) -> None:
    engine = tiny_engines["stable-audio"]
    stereo = run(engine, 1.0, seed=2, stereo=True)
    mono = run(engine, 1.0, seed=2)
    assert stereo.samples.shape == (8000, 2) and stereo.channels == 2
    assert not np.allclose(stereo.samples[:, 0], stereo.samples[:, 1])
    np.testing.assert_allclose(mono.samples, stereo.samples.mean(axis=1), atol=1e-6)


def test_mono_models_say_they_are_mono_when_stereo_is_asked(tiny_engines: dict[str, Any]) -> None:
    audio = run(tiny_engines["audioldm"], 0.5, seed=2, stereo=True)
    assert audio.samples.ndim == 1
    assert any("renders mono" in notice for notice in audio.notices)


def test_musicgen_says_steps_do_not_apply(tiny_engines: dict[str, Any]) -> None:
    audio = tiny_engines["musicgen"].generate("a drum beat", 0.5, seed=1, steps=10)
    assert any("steps option does not apply" in notice for notice in audio.notices)


def test_guidance_changes_the_sound(tiny_engines: dict[str, Any]) -> None:
    engine = tiny_engines["audioldm"]
    low = run(engine, 0.5, seed=4, guidance=1.0)
    high = run(engine, 0.5, seed=4, guidance=6.0)
    assert low.details["guidance"] == 1.0 and high.details["guidance"] == 6.0
    assert not np.allclose(low.samples, high.samples)


def test_steps_are_honoured(tiny_engines: dict[str, Any]) -> None:
    events: list[tuple[str, float]] = []
    run(tiny_engines["stable-audio"], 0.5, seed=4, steps=5, progress=lambda s, p: events.append((s, p)))
    assert [s for s, _ in events].count("sampling") == 5


def test_empty_prompt_is_refused(tiny_engines: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="prompt is empty"):
        tiny_engines["audioldm"].generate("   ", 1.0, steps=2)


def test_float16_on_cpu_falls_back_to_float32_with_a_notice(peer_settings: Settings) -> None:
    settings = peer_settings.model_copy(update={"dtype": "float16"})
    engine = load_engine("audioldm2", settings)
    audio = run(engine, 0.5, seed=1)
    assert any("float32" in notice for notice in audio.notices)
    assert next(engine.pipeline.unet.parameters()).dtype.__repr__() == "torch.float32"


def test_stable_audio_decodes_only_the_clip_yet_matches_the_full_window(tiny_engines: dict[str, Any]) -> None:
    from tag.engines.peers.runtime import generators

    engine = tiny_engines["stable-audio"]
    audio = run(engine, 1.0, seed=3, stereo=True)
    # The pipeline's own path: decode the whole 2 s window, then cut.
    full = engine.pipeline(
        "rain on a roof", audio_end_in_s=1.0, num_inference_steps=2, guidance_scale=engine.model.default_guidance,
        generator=generators(3, 1), output_type="np",
    ).audios[0].T
    assert full.shape == (8000, 2)
    np.testing.assert_allclose(audio.samples, full, atol=1e-5)


def test_audioldm2_runs_on_its_published_layout(tiny_model_dir: Path, tiny_engines: dict[str, Any]) -> None:
    from safetensors.torch import load_file

    folder = tiny_model_dir / "audioldm2" / "language_model"
    # The layout as published: a bare GPT2Model, named so and saved so.
    index = json.loads((folder.parent / "model_index.json").read_text())
    assert index["language_model"] == ["transformers", "GPT2Model"]
    assert json.loads((folder / "config.json").read_text())["architectures"] == ["GPT2Model"]
    saved = load_file(folder / "model.safetensors")
    assert "wte.weight" in saved and not any(key.startswith("transformer.") for key in saved)
    engine = tiny_engines["audioldm2"]
    network = engine.pipeline.language_model
    assert type(network).__name__ == "GPT2LMHeadModel"
    # Every weight is the file's, none left at random: the body one to one, the head tied to it.
    loaded = network.transformer.state_dict()
    assert set(loaded) == set(saved)
    for key, tensor in saved.items():
        assert torch.equal(loaded[key], tensor), key
    assert network.lm_head.weight.data_ptr() == network.transformer.wte.weight.data_ptr()
    audio = run(engine, 1.0, seed=6)
    assert audio.samples.shape == (16000,) and np.std(audio.samples) > 0


def break_first_layer(network: torch.nn.Module) -> None:
    """Give the first convolution or linear layer a weight of the wrong shape, so
    that torch itself fails inside the model's forward pass."""
    layer = next(m for m in network.modules() if isinstance(m, (torch.nn.Conv1d, torch.nn.Linear)))
    layer.weight.data = torch.zeros(1)


@pytest.mark.parametrize("name", ["audioldm", "musicgen"])
def test_a_library_failure_during_generation_is_an_engine_error_and_logged_with_its_traceback(
    peer_settings: Settings, name: str, caplog: pytest.LogCaptureFixture
) -> None:
    engine = load_engine(name, peer_settings)
    break_first_layer(engine.pipeline.vocoder if name == "audioldm" else engine.network.decoder)
    with caplog.at_level(logging.ERROR, logger="tag.engines"), pytest.raises(EngineError) as caught:
        run(engine, 0.5, seed=1)
    assert caught.value.code == "engine_failed"
    assert str(caught.value).startswith(f"{name}: the generation failed (RuntimeError: ")
    (record,) = [r for r in caplog.records if r.name == "tag.engines.failures"]
    assert record.exc_info is not None and record.exc_info[0] is RuntimeError


def test_a_damaged_shared_clap_is_an_engine_error_naming_its_folder(peer_settings: Settings) -> None:
    testing = pytest.importorskip("tag.engines.clap.testing")

    folder = testing.write_tiny_clap(peer_settings.model_dir / "clap", seed=1)
    config = folder / "config.yml"
    config.write_text(config.read_text().replace("mel_bins: 64", "mel_bins: many"))
    engine = load_engine("audioldm", peer_settings)
    # The re-ranker loads on the first multi-candidate request, during generation.
    with pytest.raises(EngineError, match=f"^CLAP scorer: cannot load the model in {folder}: TypeError: "):
        run(engine, 0.5, seed=1, candidates=2)
