"""Weights of the peer engines: presence, clear errors, offline mode, downloads'
file choice, and what ``tag models list`` reads from the registry."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Callable

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


def test_weights_without_their_config_and_tokenizers_without_a_vocabulary_are_missing(
    settings: Settings, tiny_model_dir: Path
) -> None:
    # Both load without complaint from the library: a default-sized vocoder that
    # fails on its first weight, an empty tokenizer that reads every prompt as nothing.
    folder = settings.model_dir / "audioldm"
    shutil.copytree(tiny_model_dir / "audioldm", folder)
    (folder / "vocoder" / "config.json").unlink()
    (folder / "tokenizer" / "tokenizer.json").unlink()
    with pytest.raises(EngineError, match=r"missing: tokenizer/tokenizer\.json, vocoder/config\.json"):
        load_engine("audioldm", settings)


def truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def spoil_json(path: Path) -> None:
    path.write_text('{"sampling_rate": 16000,', encoding="utf-8")


def declare(key: str, value: object) -> Callable[[Path], None]:
    """Set ``key`` in a JSON file (a component's class, a model type)."""

    def damage(path: Path) -> None:
        data = json.loads(path.read_text(encoding="utf-8"))
        data[key] = value
        path.write_text(json.dumps(data), encoding="utf-8")

    return damage


DAMAGES = [
    # Truncated weights: safetensors errors escaped, or came worded as the library's.
    pytest.param("audioldm", "vocoder/model.safetensors", truncate,
                 r"vocoder/model\.safetensors is truncated \(\d+ of \d+ bytes\)", id="audioldm-truncated-vocoder"),
    pytest.param("audioldm2", "language_model/model.safetensors", truncate,
                 r"language_model/model\.safetensors is truncated", id="audioldm2-truncated-language-model"),
    pytest.param("stable-audio", "transformer/diffusion_pytorch_model.safetensors", truncate,
                 r"transformer/diffusion_pytorch_model\.safetensors is truncated", id="stable-audio-truncated-transformer"),
    pytest.param("musicgen", "model.safetensors", truncate, r"model\.safetensors is truncated", id="musicgen-truncated"),
    # Configs that do not parse.
    pytest.param("audioldm", "unet/config.json", spoil_json, r"unet/config\.json is not valid JSON", id="audioldm-bad-json"),
    pytest.param("musicgen", "config.json", spoil_json, r"config\.json is not valid JSON", id="musicgen-bad-json"),
    # The wrong class: diffusers would load a GPT-2 as the vocoder and go on.
    pytest.param("audioldm", "model_index.json", declare("vocoder", ["transformers", "GPT2Model"]),
                 r"model_index\.json names GPT2Model for vocoder/, but AudioLDMPipeline needs SpeechT5HifiGan",
                 id="audioldm-wrong-class"),
    pytest.param("musicgen", "config.json", declare("model_type", "t5"),
                 r"config\.json describes a 't5' model, not MusicGen", id="musicgen-wrong-model-type"),
]


@pytest.mark.parametrize(("name", "path", "damage", "problem"), DAMAGES)
def test_a_damaged_folder_is_an_engine_error_naming_the_file_and_the_problem(
    settings: Settings, tiny_model_dir: Path, name: str, path: str, damage: Callable[[Path], None], problem: str
) -> None:
    folder = settings.model_dir / name
    shutil.copytree(tiny_model_dir / name, folder)
    damage(folder / path)
    with pytest.raises(EngineError) as caught:
        load_engine(name, settings)
    message = str(caught.value)
    assert caught.value.code == "load_failed"
    assert message.startswith(f"engine {name!r}: ") and str(folder) in message
    assert re.search(problem, message), message
    if damage is truncate:
        assert f"delete the damaged files and run `tag models download {name}`" in message


def test_the_published_language_model_is_refused_if_its_files_leave_a_weight_unset(
    settings: Settings, tiny_model_dir: Path
) -> None:
    # An untied output layer is not in a GPT2Model's files: transformers would
    # initialise it at random and only log it.
    folder = settings.model_dir / "audioldm2"
    shutil.copytree(tiny_model_dir / "audioldm2", folder)
    declare("tie_word_embeddings", False)(folder / "language_model" / "config.json")
    with pytest.raises(EngineError, match=r"language_model do not fit its GPT-2 language model \(not filled: lm_head\.weight\)"):
        load_engine("audioldm2", settings)


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
