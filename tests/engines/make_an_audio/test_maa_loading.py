"""Loading the official layout: strict conversion, the cache, clear errors."""

from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path

import pytest
import torch
from maa_tiny import tiny_config, tiny_state_dict, write_tiny_model

from tag.config import Settings
from tag.engines import EngineError, create_engine, resolve_name
from tag.engines.make_an_audio.architecture import architecture_from_config
from tag.engines.make_an_audio.convert import ConversionError, split_checkpoint
from tag.engines.make_an_audio.layout import model_files
from tag.engines.make_an_audio.loading import CheckpointError, load_components


@pytest.fixture(scope="module")
def official_state(tmp_path_factory: pytest.TempPathFactory) -> dict[str, torch.Tensor]:
    return tiny_state_dict(tiny_config(), tmp_path_factory.mktemp("bert"))


@pytest.fixture
def model_copy(tiny_model_dir: Path, tmp_path: Path) -> Path:
    """A private copy of the tiny model folder that a test may damage."""
    target = tmp_path / "models"
    shutil.copytree(tiny_model_dir, target, ignore=shutil.ignore_patterns("converted"))
    return target


def test_every_official_key_is_used_and_every_parameter_filled(official_state) -> None:
    arch = architecture_from_config(tiny_config())
    split = split_checkpoint(official_state, arch)
    from diffusers import AutoencoderKL, UNet2DConditionModel

    from tag.engines.make_an_audio.architecture import autoencoder_config, unet_config

    unet = UNet2DConditionModel(**unet_config(arch.unet))
    vae = AutoencoderKL(**autoencoder_config(arch.autoencoder))
    assert set(split.unet) == set(unet.state_dict())
    assert set(split.autoencoder) == set(vae.state_dict())
    unet_prefix = "model.diffusion_model."
    assert len(split.unet) == sum(k.startswith(unet_prefix) for k in official_state)
    assert split.scale_factor == pytest.approx(1.3)
    # A renamed tensor arrives unchanged (a spot check through each rename family).
    assert torch.equal(split.unet["down_blocks.1.resnets.0.conv_shortcut.weight"],
                       official_state[unet_prefix + "input_blocks.4.0.skip_connection.weight"])
    assert torch.equal(split.unet["up_blocks.0.upsamplers.0.conv.weight"],
                       official_state[unet_prefix + "output_blocks.2.2.conv.weight"])
    assert torch.equal(split.autoencoder["decoder.up_blocks.0.attentions.1.to_q.weight"],
                       official_state["first_stage_model.decoder.up.3.attn.1.q.weight"][:, :, 0, 0])


def test_an_unknown_key_is_named(official_state) -> None:
    state = dict(official_state)
    state["model.diffusion_model.input_blocks.1.0.extra.weight"] = torch.zeros(1)
    with pytest.raises(ConversionError, match=r"input_blocks\.1\.0\.extra\.weight"):
        split_checkpoint(state, architecture_from_config(tiny_config()))


def test_a_stray_top_level_key_is_named(official_state) -> None:
    state = dict(official_state)
    state["cond_stage_model.something_else.weight"] = torch.zeros(1)
    with pytest.raises(ConversionError, match="cond_stage_model.something_else.weight"):
        split_checkpoint(state, architecture_from_config(tiny_config()))


def test_a_missing_key_is_named(model_copy: Path) -> None:
    path = model_files(model_copy).checkpoint
    blob = torch.load(path, weights_only=True)
    del blob["state_dict"]["model.diffusion_model.middle_block.1.proj_in.weight"]
    torch.save(blob, path)
    with pytest.raises(ConversionError, match=r"missing keys.*mid_block\.attentions\.0\.proj_in\.weight"):
        load_components(model_files(model_copy))


def test_a_wrong_shape_is_named(model_copy: Path) -> None:
    path = model_files(model_copy).checkpoint
    blob = torch.load(path, weights_only=True)
    blob["state_dict"]["model.diffusion_model.out.2.bias"] = torch.zeros(5)
    torch.save(blob, path)
    with pytest.raises(ConversionError, match=r"conv_out\.bias: checkpoint \(5,\) vs model \(4,\)"):
        load_components(model_files(model_copy))


def test_a_different_noise_schedule_is_refused(official_state) -> None:
    state = dict(official_state)
    state["alphas_cumprod"] = state["alphas_cumprod"] * 0.99
    with pytest.raises(ConversionError, match="noise schedule"):
        split_checkpoint(state, architecture_from_config(tiny_config()))


def test_a_truncated_checkpoint_gives_a_clear_error(model_copy: Path) -> None:
    path = model_files(model_copy).checkpoint
    path.write_bytes(path.read_bytes()[:5000])
    with pytest.raises(CheckpointError, match=r"cannot read .*maa1_full\.ckpt.*damaged"):
        load_components(model_files(model_copy))


def test_missing_files_are_listed_with_where_to_put_them(model_copy: Path) -> None:
    files = model_files(model_copy)
    files.checkpoint.unlink()
    (files.vocoder_dir / "best_netG.pt").unlink()
    with pytest.raises(EngineError) as caught:
        load_components(files)
    message = str(caught.value)
    assert "useful_ckpts/maa1_full.ckpt" in message and "bigvgan/best_netG.pt" in message
    assert "tag models download make-an-audio" in message


def test_converted_weights_are_cached_and_reused(model_copy: Path) -> None:
    files = model_files(model_copy)
    first = load_components(files)
    assert len(list(files.converted_dir.glob("*/unet.safetensors"))) == 1
    # Same size and modification time, contents destroyed: the cache alone serves.
    stat = files.checkpoint.stat()
    files.checkpoint.write_bytes(b"\0" * stat.st_size)
    os.utime(files.checkpoint, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    second = load_components(files)
    for (name, a), b in zip(first.unet.state_dict().items(), second.unet.state_dict().values()):
        assert torch.equal(a, b), name
    assert second.scale_factor == first.scale_factor
    # A changed file (new mtime) is converted again, and this one is damaged.
    os.utime(files.checkpoint, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    with pytest.raises(CheckpointError, match="damaged"):
        load_components(files)


def test_auto_chooses_make_an_audio_when_its_weights_are_present(tiny_model_dir: Path, tmp_path: Path) -> None:
    present = Settings(_env_file=None, model_dir=tiny_model_dir)
    assert resolve_name("auto", present) == "make-an-audio"
    absent = Settings(_env_file=None, model_dir=tmp_path / "empty")
    assert resolve_name("auto", absent) != "make-an-audio"
    with pytest.raises(EngineError, match="not available"):
        create_engine("make-an-audio", absent)


def test_download_offline_names_the_missing_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from huggingface_hub import constants

    from tag.engines.make_an_audio.download import download

    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", True)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hub"))
    with pytest.raises(EngineError, match=r"(?s)HF_HUB_OFFLINE is set.*maa1_full\.ckpt"):
        download(model_files(tmp_path / "models"))


def test_built_in_architecture_is_the_reference_config() -> None:
    """The defaults used without a txt2audio_args.yaml equal the reference file's values."""
    from tag.engines.make_an_audio.architecture import Architecture

    reference = {
        "model": {
            "params": {
                "linear_start": 0.00085, "linear_end": 0.012, "timesteps": 1000,
                "mel_dim": 10, "mel_length": 78, "channels": 4,
                "unet_config": {"params": {
                    "image_size": 32, "in_channels": 4, "out_channels": 4, "model_channels": 320,
                    "attention_resolutions": [1, 2], "num_res_blocks": 2, "channel_mult": [1, 2],
                    "num_heads": 8, "use_spatial_transformer": True, "transformer_depth": 1,
                    "context_dim": 1024, "use_checkpoint": True, "legacy": False,
                }},
                "first_stage_config": {"params": {"embed_dim": 4, "ddconfig": {
                    "double_z": True, "z_channels": 4, "resolution": 624, "in_channels": 1, "out_ch": 1,
                    "ch": 128, "ch_mult": [1, 2, 2, 4], "num_res_blocks": 2,
                    "attn_resolutions": [78, 156], "dropout": 0.0,
                }}},
            }
        }
    }
    assert architecture_from_config(reference) == Architecture()
    arch = Architecture()
    assert [arch.autoencoder.encoder_level_has_attention(i) for i in range(4)] == [False, False, True, True]
    assert [arch.autoencoder.decoder_level_has_attention(i) for i in range(4)] == [False, False, True, True]


def test_without_a_config_the_sizes_are_read_off_the_checkpoint(official_state, model_copy: Path) -> None:
    from dataclasses import replace

    from tag.engines.make_an_audio.architecture import Architecture, infer_architecture

    told = architecture_from_config(tiny_config())
    inferred = infer_architecture(official_state)
    # Shapes give everything but the head count and the training width (reference values).
    assert inferred.unet == replace(told.unet, num_heads=8)
    assert inferred.autoencoder == told.autoencoder
    assert inferred.schedule == Architecture().schedule
    files = model_files(model_copy)
    files.config.unlink()
    components = load_components(files)
    assert components.arch == inferred
    assert load_components(files).arch == inferred  # and again from the cache


def test_full_size_shapes_infer_the_reference_architecture() -> None:
    from maa_tiny import reference_unet_keys, reference_vae_keys

    from tag.engines.make_an_audio.architecture import Architecture, infer_architecture

    u = {"in_channels": 4, "out_channels": 4, "model_channels": 320, "num_res_blocks": 2,
         "channel_mult": [1, 2], "context_dim": 1024}
    dd = {"ch": 128, "ch_mult": [1, 2, 2, 4], "num_res_blocks": 2, "resolution": 624,
          "attn_resolutions": [78, 156], "z_channels": 4, "in_channels": 1, "out_ch": 1}
    state = {"model.diffusion_model." + k: torch.empty(s, device="meta") for k, s in reference_unet_keys(u)}
    state.update({"first_stage_model." + k: torch.empty(s, device="meta") for k, s in reference_vae_keys(4, dd)})
    assert infer_architecture(state) == Architecture()


ENGINES = ("make-an-audio", "make-an-audio-parity")


def truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


@pytest.mark.parametrize("name", ENGINES)
def test_a_config_that_does_not_parse_is_an_engine_error_naming_the_file(model_copy: Path, name: str) -> None:
    files = model_files(model_copy)
    files.config.write_text("model:\n  params: [1,\n", encoding="utf-8")
    with pytest.raises(EngineError) as caught:
        create_engine(name, Settings(_env_file=None, model_dir=model_copy))
    message = str(caught.value)
    assert message.startswith(f"engine {name!r}: cannot load the model in {files.root}: ")
    assert "txt2audio_args.yaml is not valid YAML" in message
    assert "tag models download make-an-audio" in message
    assert caught.value.code == "load_failed"


@pytest.mark.parametrize(
    ("path", "damage", "problem"),
    [
        pytest.param("useful_ckpts/maa1_full.ckpt", truncate, "damaged or not a PyTorch checkpoint", id="checkpoint"),
        pytest.param("useful_ckpts/bigvgan/best_netG.pt", truncate, "is not a readable PyTorch checkpoint", id="vocoder"),
        pytest.param("useful_ckpts/CLAP/CLAP_weights_2022.pth", lambda p: p.write_bytes(b"PK\x03\x04 not a zip"),
                     "is not a readable PyTorch checkpoint", id="clap"),
        pytest.param("useful_ckpts/bigvgan/args.yml", lambda p: p.write_text("num_mels: [80,", encoding="utf-8"),
                     "is not valid YAML", id="vocoder-settings"),
    ],
)
@pytest.mark.parametrize("name", ENGINES)
def test_damaged_weights_are_an_engine_error_naming_the_file(
    model_copy: Path, name: str, path: str, damage, problem: str
) -> None:
    files = model_files(model_copy)
    damage(files.root / path)
    with pytest.raises(EngineError) as caught:
        create_engine(name, Settings(_env_file=None, model_dir=model_copy))
    message = str(caught.value)
    assert str(files.root / path) in message and problem in message
    assert "\n" not in message  # one line, as the CLI prints it


def test_a_damaged_cache_of_converted_weights_is_converted_again(
    model_copy: Path, caplog: pytest.LogCaptureFixture
) -> None:
    files = model_files(model_copy)
    first = load_components(files)
    (cached,) = files.converted_dir.glob("*/unet.safetensors")
    truncate(cached)
    with caplog.at_level(logging.WARNING):
        second = load_components(files)
        load_components(files)  # from the cache written again
    assert caplog.text.count("are unreadable") == 1 and "converting again" in caplog.text
    for (key, a), b in zip(first.unet.state_dict().items(), second.unet.state_dict().values()):
        assert torch.equal(a, b), key


def test_a_library_failure_during_generation_is_an_engine_error_and_logged_with_its_traceback(
    model_copy: Path, caplog: pytest.LogCaptureFixture
) -> None:
    engine = create_engine("make-an-audio", Settings(_env_file=None, model_dir=model_copy))
    # A vocoder weight of the wrong shape: torch itself fails inside the pipeline.
    engine.pipeline.vocoder.conv_pre.weight.data = torch.zeros(1)
    with caplog.at_level(logging.ERROR, logger="tag.engines"), pytest.raises(EngineError) as caught:
        engine.generate("a dog barks", 1.0, seed=1, steps=2, candidates=1)
    assert caught.value.code == "engine_failed"
    assert str(caught.value).startswith("make-an-audio: the generation failed (RuntimeError: ")
    (record,) = [r for r in caplog.records if r.name == "tag.engines.failures"]
    assert record.exc_info is not None and record.exc_info[0] is RuntimeError
