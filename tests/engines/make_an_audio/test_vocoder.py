"""BigVGAN v1 vocoder: official-layout loading, lengths, anti-aliasing against numpy/scipy."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
import torch
import yaml
from scipy import signal

from tag.engines.clap.checkpoint import CheckpointError
from tag.engines.make_an_audio.vocoder import (
    AntiAliasedActivation,
    BigVGAN,
    SnakeBeta,
    VocoderConfig,
    kaiser_sinc_lowpass,
    load_vocoder,
    write_tiny_vocoder,
)


@pytest.fixture(scope="module")
def vocoder_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_tiny_vocoder(tmp_path_factory.mktemp("voc") / "bigvgan", seed=5)


@pytest.fixture(scope="module")
def vocoder(vocoder_dir: Path) -> BigVGAN:
    return load_vocoder(vocoder_dir)


def official_state(folder: Path) -> dict[str, torch.Tensor]:
    return torch.load(folder / "best_netG.pt", weights_only=True)["generator"]


def test_weight_norm_pairs_fold_into_plain_weights(vocoder_dir: Path, vocoder: BigVGAN) -> None:
    state = official_state(vocoder_dir)
    assert "conv_pre.weight_g" in state and "ups.0.0.weight_v" in state and "conv_pre.weight" not in state
    loaded = vocoder.state_dict()
    for stem in ("conv_pre", "ups.0.0", "resblocks.4.convs1.2", "conv_post"):
        g = state[f"{stem}.weight_g"].double().numpy()
        v = state[f"{stem}.weight_v"].double().numpy()
        norms = np.sqrt((v.reshape(v.shape[0], -1) ** 2).sum(axis=1)).reshape(g.shape)
        np.testing.assert_allclose(loaded[f"{stem}.weight"].numpy(), g * v / norms, rtol=1e-5, atol=1e-7)
    for key in ("conv_pre.bias", "resblocks.0.activations.3.act.beta", "activation_post.downsample.lowpass.filter"):
        assert torch.equal(loaded[key], state[key]), key


def test_every_official_key_is_used(vocoder_dir: Path, vocoder: BigVGAN) -> None:
    stems = {k.rsplit(".", 1)[0] for k in official_state(vocoder_dir) if k.endswith((".weight_g", ".weight_v"))}
    plain = {k for k in official_state(vocoder_dir) if not k.endswith((".weight_g", ".weight_v"))}
    assert set(vocoder.state_dict()) == {f"{s}.weight" for s in stems} | plain


def test_matches_torch_weight_norm_parametrization(vocoder_dir: Path, vocoder: BigVGAN) -> None:
    """The same generator with torch's own weight-norm layers gives the same sound."""
    state = official_state(vocoder_dir)
    config = VocoderConfig.from_mapping(yaml.safe_load((vocoder_dir / "args.yml").read_text()), "args")
    reference = BigVGAN(config)
    for name, module in reference.named_modules():
        if isinstance(module, (torch.nn.Conv1d, torch.nn.ConvTranspose1d)):
            torch.nn.utils.parametrizations.weight_norm(module)
    renamed = {
        k.replace(".weight_g", ".parametrizations.weight.original0").replace(
            ".weight_v", ".parametrizations.weight.original1"
        ): v
        for k, v in state.items()
    }
    reference.load_state_dict(renamed, strict=True)
    mel = torch.randn(1, 80, 9, generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        expected = reference.eval()(mel)
        ours = vocoder(mel)
    torch.testing.assert_close(ours, expected, rtol=1e-4, atol=1e-5)


def test_parametrization_form_keys_also_load(vocoder_dir: Path, vocoder: BigVGAN, tmp_path: Path) -> None:
    folder = tmp_path / "bigvgan"
    shutil.copytree(vocoder_dir, folder)
    renamed = {
        k.replace(".weight_g", ".parametrizations.weight.original0").replace(
            ".weight_v", ".parametrizations.weight.original1"
        ): v
        for k, v in official_state(vocoder_dir).items()
    }
    torch.save({"generator": renamed}, folder / "best_netG.pt")
    for key, value in load_vocoder(folder).state_dict().items():
        assert torch.equal(value, vocoder.state_dict()[key]), key


@pytest.mark.parametrize("frames", [1, 7, 40])
def test_output_is_256_samples_per_frame(vocoder: BigVGAN, frames: int) -> None:
    mel = torch.randn(2, 80, frames, generator=torch.Generator().manual_seed(frames))
    with torch.inference_mode():
        audio = vocoder(mel)
    assert audio.shape == (2, 256 * frames)
    assert audio.dtype == torch.float32
    assert torch.all(audio.abs() <= 1.0)  # tanh at the end
    assert audio.std() > 1e-3


def test_deterministic_and_batch_independent(vocoder: BigVGAN) -> None:
    mel = torch.randn(3, 80, 12, generator=torch.Generator().manual_seed(2))
    with torch.inference_mode():
        first, again = vocoder(mel), vocoder(mel)
        alone = vocoder(mel[1:2])
    assert torch.equal(first, again)
    torch.testing.assert_close(first[1:2], alone, rtol=1e-4, atol=1e-5)


def test_snake_and_amp_block_2_variant(tmp_path: Path) -> None:
    config = VocoderConfig(upsample_initial_channel=64, resblock="2", activation="snake", snake_logscale=False)
    folder = write_tiny_vocoder(tmp_path / "v2", seed=1, config=config)
    model = load_vocoder(folder)
    assert len(model.resblocks[0].convs) == 2  # as the reference: two convolutions per block
    assert model.resblocks[0].activations[0].act.beta is None
    with torch.inference_mode():
        assert model(torch.randn(1, 80, 3)).shape == (1, 768)


def test_kaiser_filter_equals_scipy_firwin() -> None:
    # The reference's attenuation uses half the tap count; scipy's formulas take it directly.
    taps, cutoff, half_width = 12, 0.25, 0.3
    beta = signal.kaiser_beta(signal.kaiser_atten(taps // 2, 4 * half_width))
    expected = signal.firwin(taps, 2 * cutoff, window=("kaiser", beta))
    ours = kaiser_sinc_lowpass(cutoff, half_width, taps).flatten().double().numpy()
    np.testing.assert_allclose(ours, expected, atol=1e-6)


def numpy_anti_aliased_snakebeta(x: np.ndarray, alpha: np.ndarray, beta: np.ndarray) -> np.ndarray:
    """2x zero-stuff + interpolate, SnakeBeta, low-pass + decimate; replicate-padded edges."""
    taps = 12
    h = signal.firwin(taps, 0.5, window=("kaiser", signal.kaiser_beta(signal.kaiser_atten(6, 1.2))))
    out = []
    for row, a, b in zip(x, np.exp(alpha), np.exp(beta)):
        padded = np.pad(row, 5, mode="edge")
        stuffed = np.zeros(2 * padded.shape[0] - 1)
        stuffed[::2] = padded
        up = 2 * np.convolve(stuffed, h)[15:-15]
        act = up + np.sin(a * up) ** 2 / (b + 1e-9)
        down = np.convolve(np.pad(act, (5, 6), mode="edge"), h[::-1], mode="valid")[::2]
        out.append(down)
    return np.stack(out)


def test_anti_aliased_activation_matches_numpy() -> None:
    rng = np.random.default_rng(0)
    x = rng.standard_normal((3, 50))
    activation = AntiAliasedActivation(SnakeBeta(3, logscale=True))
    with torch.no_grad():
        activation.act.alpha.copy_(torch.tensor([0.0, 0.5, -0.3]))
        activation.act.beta.copy_(torch.tensor([0.2, -0.1, 0.0]))
        ours = activation(torch.from_numpy(x).float()[None])[0].double().numpy()
    expected = numpy_anti_aliased_snakebeta(x, np.array([0.0, 0.5, -0.3]), np.array([0.2, -0.1, 0.0]))
    assert ours.shape == (3, 50)
    np.testing.assert_allclose(ours, expected, atol=1e-5)


def test_full_size_architecture_from_the_official_settings() -> None:
    official = VocoderConfig()
    assert official.hop_length == 256
    with torch.device("meta"):
        model = BigVGAN(official)
    assert model.conv_pre.out_channels == 1536 and model.conv_post.in_channels == 1536 // 64
    assert len(model.resblocks) == 6 * 3
    assert 100e6 < sum(p.numel() for p in model.parameters()) < 125e6


def copy_of(vocoder_dir: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "bigvgan"
    shutil.copytree(vocoder_dir, folder)
    return folder


def test_missing_files_are_named(vocoder_dir: Path, tmp_path: Path) -> None:
    folder = copy_of(vocoder_dir, tmp_path)
    (folder / "best_netG.pt").unlink()
    with pytest.raises(CheckpointError, match=r"missing vocoder weights: expected the file .*best_netG\.pt"):
        load_vocoder(folder)
    (folder / "args.yml").unlink()
    with pytest.raises(CheckpointError, match=r"missing vocoder settings: expected the file .*args\.yml"):
        load_vocoder(folder)


def test_corrupt_weights_and_wrong_layout(vocoder_dir: Path, tmp_path: Path) -> None:
    folder = copy_of(vocoder_dir, tmp_path)
    weights = folder / "best_netG.pt"
    weights.write_bytes(weights.read_bytes()[:1000])
    with pytest.raises(CheckpointError, match="is not a readable PyTorch checkpoint"):
        load_vocoder(folder)
    torch.save(official_state(vocoder_dir), weights)  # state dict without the "generator" wrapper
    with pytest.raises(CheckpointError, match="has no 'generator' entry"):
        load_vocoder(folder)


def test_incomplete_pairs_and_key_mismatches(vocoder_dir: Path, tmp_path: Path) -> None:
    folder = copy_of(vocoder_dir, tmp_path)
    state = official_state(vocoder_dir)
    broken = {k: v for k, v in state.items() if k != "conv_post.weight_v"}
    torch.save({"generator": broken}, folder / "best_netG.pt")
    with pytest.raises(CheckpointError, match=r"conv_post\.weight_v is missing"):
        load_vocoder(folder)
    extra = {**state, "ups.6.0.bias": torch.zeros(1)}
    del extra["resblocks.0.activations.0.act.alpha"]
    torch.save({"generator": extra}, folder / "best_netG.pt")
    with pytest.raises(CheckpointError) as info:
        load_vocoder(folder)
    assert "missing keys: resblocks.0.activations.0.act.alpha" in str(info.value)
    assert "unexpected keys: ups.6.0.bias" in str(info.value)


def test_settings_errors(vocoder_dir: Path, tmp_path: Path) -> None:
    folder = copy_of(vocoder_dir, tmp_path)
    settings = yaml.safe_load((folder / "args.yml").read_text())
    (folder / "args.yml").write_text(yaml.safe_dump({k: v for k, v in settings.items() if k != "upsample_rates"}))
    with pytest.raises(CheckpointError, match="lacks the setting 'upsample_rates'"):
        load_vocoder(folder)
    (folder / "args.yml").write_text(yaml.safe_dump({**settings, "activation": "relu", "hop_size": 300}))
    with pytest.raises(CheckpointError) as info:
        load_vocoder(folder)
    assert "activation must be snake or snakebeta" in str(info.value)
    assert "hop_size 300 differs from the product of upsample_rates 256" in str(info.value)
    (folder / "args.yml").write_text(yaml.safe_dump({**settings, "upsample_initial_channel": 128}))
    with pytest.raises(CheckpointError, match="shape mismatches"):
        load_vocoder(folder)
