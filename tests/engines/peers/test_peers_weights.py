"""Weights of the peer engines: presence, clear errors, offline mode, downloads'
file choice, and what ``tag models list`` reads from the registry."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tag.config import Settings
from tag.engines import EngineError, available, create_engine, get_spec
from tag.engines.peers import load_engine, weights
from tag.engines.peers.catalog import PEER_MODELS, STABLE_AUDIO

ENGINES = ("audioldm", "audioldm2", "stable-audio", "musicgen")


@pytest.mark.parametrize("name", ENGINES)
def test_missing_folder_names_the_folder_and_the_download_command(settings: Settings, name: str) -> None:
    assert not get_spec(name).is_available(settings)
    with pytest.raises(EngineError) as caught:
        load_engine(name, settings)
    message = str(caught.value)
    assert str(settings.model_dir / name) in message
    assert f"tag models download {name}" in message
    assert caught.value.code == "engine_unavailable"


def test_incomplete_folder_names_the_missing_files(settings: Settings, tiny_model_dir: Path) -> None:
    folder = settings.model_dir / "audioldm"
    shutil.copytree(tiny_model_dir / "audioldm", folder)
    assert get_spec("audioldm").is_available(settings)
    (folder / "unet" / "diffusion_pytorch_model.safetensors").unlink()
    shutil.rmtree(folder / "vocoder")
    assert not get_spec("audioldm").is_available(settings)
    with pytest.raises(EngineError, match=r"missing: unet/\*\.safetensors, vocoder/"):
        load_engine("audioldm", settings)


def test_incomplete_musicgen_folder_names_the_missing_files(settings: Settings, tiny_model_dir: Path) -> None:
    folder = settings.model_dir / "musicgen"
    shutil.copytree(tiny_model_dir / "musicgen", folder)
    (folder / "model.safetensors").unlink()
    (folder / "tokenizer.json").unlink()
    assert weights.missing_files(PEER_MODELS["musicgen"], folder) == ["model*.safetensors", "tokenizer.json"]


def test_gated_model_error_explains_the_licence_and_the_token(settings: Settings) -> None:
    with pytest.raises(EngineError) as caught:
        load_engine("stable-audio", settings)
    message = str(caught.value)
    assert "gated" in message and "Stability AI Community License" in message and "HF_TOKEN" in message


@pytest.mark.parametrize("name", ENGINES)
def test_offline_download_says_where_to_put_the_files(
    settings: Settings, name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(EngineError) as caught:
        get_spec(name).download(settings)  # type: ignore[misc]
    message = str(caught.value)
    assert caught.value.code == "offline"
    assert "HF_HUB_OFFLINE" in message
    assert str(settings.model_dir / name) in message
    assert f"tag models download {name}" in message
    assert PEER_MODELS[name].model_id in message
    assert not (settings.model_dir / name).exists()  # nothing half-written


def test_download_of_present_weights_is_a_no_op_even_offline(
    peer_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    get_spec("musicgen").download(peer_settings)  # type: ignore[misc]


def test_download_picks_one_weight_format_and_only_the_pipeline_folders() -> None:
    files = [
        "README.md",
        "model.ckpt",  # original single-file checkpoint, not the diffusers layout
        "model.safetensors",
        "model_config.json",
        "model_index.json",
        "scheduler/scheduler_config.json",
        "text_encoder/config.json",
        "text_encoder/model.safetensors",
        "text_encoder/pytorch_model.bin",
        "tokenizer/tokenizer.json",
        "tokenizer/spiece.model",
        "transformer/config.json",
        "transformer/diffusion_pytorch_model.safetensors",
        "transformer/diffusion_pytorch_model.fp16.safetensors",
        "vae/config.json",
        "vae/diffusion_pytorch_model.bin",
        "vae/flax_model.msgpack",
    ]
    assert weights.choose_files(STABLE_AUDIO, files) == [
        "model_index.json",
        "scheduler/scheduler_config.json",
        "text_encoder/config.json",
        "text_encoder/model.safetensors",
        "tokenizer/spiece.model",
        "tokenizer/tokenizer.json",
        "transformer/config.json",
        "transformer/diffusion_pytorch_model.safetensors",
        "vae/config.json",
        "vae/diffusion_pytorch_model.bin",
    ]


def test_musicgen_download_takes_the_root_files() -> None:
    files = ["config.json", "model.safetensors", "pytorch_model.bin", "spiece.model", "tokenizer.json",
             "preprocessor_config.json", "generation_config.json", "assets/demo.png"]
    assert weights.choose_files(PEER_MODELS["musicgen"], files) == [
        "config.json", "generation_config.json", "model.safetensors", "preprocessor_config.json",
        "spiece.model", "tokenizer.json",
    ]


def test_registry_lists_the_peers_with_what_models_list_needs(peer_settings: Settings) -> None:
    specs = {spec.name: spec for spec in available()}
    expected = {"audioldm": (16000, 30.0), "audioldm2": (16000, 30.0), "stable-audio": (44100, 47.0), "musicgen": (32000, 30.0)}
    for name, (rate, limit) in expected.items():
        spec = specs[name]
        assert (spec.sample_rate, spec.max_duration) == (rate, limit)
        assert spec.licence and spec.download is not None
        assert 0 < spec.priority < 100  # below make-an-audio, above the offline synth
        assert spec.is_available(peer_settings)
        assert spec.weights_size(peer_settings) > 10_000
        assert spec.weights_location(peer_settings) == str(peer_settings.model_dir / name)
    assert "CC BY-NC" in specs["musicgen"].licence


def test_create_engine_by_name_loads_from_the_model_folder(peer_settings: Settings) -> None:
    engine = create_engine("audioldm2", peer_settings)
    assert engine.name == "audioldm2"
    audio = engine.generate("birds sing", 0.5, seed=1, steps=2)
    assert audio.samples.shape == (8000,)
