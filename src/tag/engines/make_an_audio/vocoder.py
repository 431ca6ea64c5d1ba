"""BigVGAN v1 vocoder as Make-An-Audio ships it: 80-bin mel (B, 80, T) -> waveform (B, 256 T).

Architecture (``useful_ckpts/bigvgan/args.yml`` sets the sizes): ``conv_pre``
(7-tap) -> for each upsampling rate a transposed convolution (``ups.i.0``) then
the mean of AMP residual blocks (one per resblock kernel size) -> anti-aliased
SnakeBeta (``activation_post``) -> ``conv_post`` (7-tap, one channel) -> tanh.

Every activation is "anti-aliased": upsample 2x with a Kaiser-windowed sinc
low-pass, apply Snake/SnakeBeta, low-pass and decimate 2x, so the periodic
nonlinearity's harmonics do not fold back.  The filters are buffers (in the
official file too) and load with the weights.

The official generator was saved with weight normalisation, as ``weight_g`` /
``weight_v`` pairs; :func:`generator_state` folds each pair into the plain
``weight = g * v / |v|`` at load time, so inference pays nothing for it.

Why not the ``bigvgan`` package: it is BigVGAN v2 with training dependencies
(librosa, nnAudio, pesq, auraloss, tensorboard, a CUDA extension build) and a
different checkpoint format; the v1 generator is small enough to keep here.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F
import yaml
from torch import nn

from tag.engines.clap.checkpoint import CheckpointError, load_strict, read_torch_file, read_yaml

ARGS_FILE = "args.yml"
WEIGHTS_FILE = "best_netG.pt"
_EPSILON = 1e-9  # keeps 1/beta finite, as the reference


# ---------------------------------------------------------------- configuration


@dataclass(frozen=True)
class VocoderConfig:
    """The generator's settings in ``args.yml`` (training settings there are ignored)."""

    num_mels: int = 80
    upsample_rates: tuple[int, ...] = (4, 4, 2, 2, 2, 2)
    upsample_kernel_sizes: tuple[int, ...] = (8, 8, 4, 4, 4, 4)
    upsample_initial_channel: int = 1536
    resblock: str = "1"
    resblock_kernel_sizes: tuple[int, ...] = (3, 7, 11)
    resblock_dilation_sizes: tuple[tuple[int, ...], ...] = ((1, 3, 5), (1, 3, 5), (1, 3, 5))
    activation: str = "snakebeta"
    snake_logscale: bool = True

    @property
    def hop_length(self) -> int:
        return math.prod(self.upsample_rates)

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], source: str) -> "VocoderConfig":
        values: dict[str, Any] = {}
        for field in fields(cls):
            if field.name not in data:
                raise CheckpointError(f"{source} lacks the setting {field.name!r}")
            values[field.name] = data[field.name]
        try:
            config = cls(
                num_mels=int(values["num_mels"]),
                upsample_rates=tuple(int(v) for v in values["upsample_rates"]),
                upsample_kernel_sizes=tuple(int(v) for v in values["upsample_kernel_sizes"]),
                upsample_initial_channel=int(values["upsample_initial_channel"]),
                resblock=str(values["resblock"]),
                resblock_kernel_sizes=tuple(int(v) for v in values["resblock_kernel_sizes"]),
                resblock_dilation_sizes=tuple(tuple(int(d) for d in ds) for ds in values["resblock_dilation_sizes"]),
                activation=str(values["activation"]),
                snake_logscale=bool(values["snake_logscale"]),
            )
        except (TypeError, ValueError) as exc:
            raise CheckpointError(f"{source}: malformed setting ({exc})") from None
        problems = []
        if config.resblock not in ("1", "2"):
            problems.append(f"resblock must be '1' or '2', not {config.resblock!r}")
        if config.activation not in ("snake", "snakebeta"):
            problems.append(f"activation must be snake or snakebeta, not {config.activation!r}")
        if len(config.upsample_rates) != len(config.upsample_kernel_sizes):
            problems.append("upsample_rates and upsample_kernel_sizes differ in length")
        if len(config.resblock_kernel_sizes) != len(config.resblock_dilation_sizes):
            problems.append("resblock_kernel_sizes and resblock_dilation_sizes differ in length")
        hop = data.get("hop_size")
        if hop is not None and int(hop) != config.hop_length:
            problems.append(f"hop_size {hop} differs from the product of upsample_rates {config.hop_length}")
        if problems:
            raise CheckpointError(f"{source}: " + "; ".join(problems))
        return config

    def to_mapping(self) -> dict[str, Any]:
        data: dict[str, Any] = {field.name: getattr(self, field.name) for field in fields(self)}
        for key, value in data.items():
            if isinstance(value, tuple):
                data[key] = [list(v) if isinstance(v, tuple) else v for v in value]
        return data


# ------------------------------------------------------ anti-aliased activations


def kaiser_sinc_lowpass(cutoff: float, half_width: float, taps: int) -> torch.Tensor:
    """Kaiser-windowed sinc low-pass (1, 1, taps), unit DC gain.

    ``cutoff`` and ``half_width`` are in cycles per sample.  The Kaiser beta comes
    from the attenuation formula evaluated, as in the reference, with half the
    tap count; even tap counts sample the sinc between integers.
    """
    half = taps // 2
    attenuation = 2.285 * (half - 1) * math.pi * (4 * half_width) + 7.95
    if attenuation > 50.0:
        beta = 0.1102 * (attenuation - 8.7)
    elif attenuation >= 21.0:
        beta = 0.5842 * (attenuation - 21) ** 0.4 + 0.07886 * (attenuation - 21.0)
    else:
        beta = 0.0
    window = torch.kaiser_window(taps, periodic=False, beta=beta)
    time = torch.arange(-half, half) + 0.5 if taps % 2 == 0 else torch.arange(taps) - half
    lowpass = 2 * cutoff * window * torch.sinc(2 * cutoff * time)
    return (lowpass / lowpass.sum()).view(1, 1, taps)


class _LowPass(nn.Module):
    """Depthwise low-pass with replicate padding, then keep every ``stride``-th sample."""

    def __init__(self, cutoff: float, half_width: float, stride: int, taps: int) -> None:
        super().__init__()
        self.stride = stride
        self.pad_left = taps // 2 - int(taps % 2 == 0)
        self.pad_right = taps // 2
        self.register_buffer("filter", kaiser_sinc_lowpass(cutoff, half_width, taps))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = F.pad(x, (self.pad_left, self.pad_right), mode="replicate")
        return F.conv1d(x, self.filter.expand(x.shape[1], -1, -1), stride=self.stride, groups=x.shape[1])


class UpSample(nn.Module):
    """Zero-stuffing by ``ratio`` and interpolation with the Kaiser sinc (gain ``ratio``)."""

    def __init__(self, ratio: int = 2, taps: int = 12) -> None:
        super().__init__()
        self.ratio = ratio
        self.pad = taps // ratio - 1
        self.crop_left = self.pad * ratio + (taps - ratio) // 2
        self.crop_right = self.pad * ratio + (taps - ratio + 1) // 2
        self.register_buffer("filter", kaiser_sinc_lowpass(0.5 / ratio, 0.6 / ratio, taps))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = F.pad(x, (self.pad, self.pad), mode="replicate")
        x = self.ratio * F.conv_transpose1d(x, self.filter.expand(x.shape[1], -1, -1), stride=self.ratio, groups=x.shape[1])
        return x[..., self.crop_left : x.shape[-1] - self.crop_right]


class DownSample(nn.Module):
    def __init__(self, ratio: int = 2, taps: int = 12) -> None:
        super().__init__()
        self.lowpass = _LowPass(0.5 / ratio, 0.6 / ratio, ratio, taps)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.lowpass(x)


class SnakeBeta(nn.Module):
    """x + sin^2(alpha x) / beta per channel; alpha, beta stored as logs when ``logscale``.

    With ``separate_beta=False`` it is Snake (beta = alpha, no ``beta`` parameter).
    """

    def __init__(self, channels: int, logscale: bool = True, separate_beta: bool = True) -> None:
        super().__init__()
        self.logscale = logscale
        start = torch.zeros(channels) if logscale else torch.ones(channels)
        self.alpha = nn.Parameter(start.clone())
        self.beta = nn.Parameter(start.clone()) if separate_beta else None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        alpha = self.alpha[None, :, None]
        beta = alpha if self.beta is None else self.beta[None, :, None]
        if self.logscale:
            alpha, beta = alpha.exp(), beta.exp()
        # Same operations and order as the reference (reciprocal, then product).
        inverse = 1.0 / (beta + _EPSILON)
        if torch.is_grad_enabled():
            return x + inverse * torch.sin(x * alpha).pow(2)
        # Inference: one temporary updated in place (these tensors are the vocoder's
        # largest, so allocations and passes over memory dominate).
        out = torch.mul(x, alpha).sin_()
        return out.mul_(out).mul_(inverse).add_(x)


class AntiAliasedActivation(nn.Module):
    """upsample 2x -> activation (``act``) -> downsample 2x (state keys as the reference)."""

    def __init__(self, activation: nn.Module, ratio: int = 2, taps: int = 12) -> None:
        super().__init__()
        self.act = activation
        self.upsample = UpSample(ratio, taps)
        self.downsample = DownSample(ratio, taps)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.downsample(self.act(self.upsample(x)))


# ----------------------------------------------------------------- the generator


def _same_padding(kernel: int, dilation: int = 1) -> int:
    return (kernel * dilation - dilation) // 2


def _activation(config: VocoderConfig, channels: int) -> AntiAliasedActivation:
    snake = SnakeBeta(channels, config.snake_logscale, separate_beta=config.activation == "snakebeta")
    return AntiAliasedActivation(snake)


class AMPBlock1(nn.Module):
    """Per dilation: x += conv2(act(conv1_dilated(act(x))))."""

    def __init__(self, config: VocoderConfig, channels: int, kernel: int, dilations: Sequence[int]) -> None:
        super().__init__()
        self.convs1 = nn.ModuleList(
            nn.Conv1d(channels, channels, kernel, dilation=d, padding=_same_padding(kernel, d)) for d in dilations
        )
        self.convs2 = nn.ModuleList(
            nn.Conv1d(channels, channels, kernel, padding=_same_padding(kernel)) for _ in dilations
        )
        # Reference order: activations alternate (before convs1[i], before convs2[i]).
        self.activations = nn.ModuleList(_activation(config, channels) for _ in range(2 * len(dilations)))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for i, (conv1, conv2) in enumerate(zip(self.convs1, self.convs2)):
            x = x + conv2(self.activations[2 * i + 1](conv1(self.activations[2 * i](x))))
        return x


class AMPBlock2(nn.Module):
    """For the first two dilations: x += conv_dilated(act(x)).

    The reference builds exactly two convolutions whatever the length of the
    dilation list in args.yml, so later entries are ignored here too.
    """

    def __init__(self, config: VocoderConfig, channels: int, kernel: int, dilations: Sequence[int]) -> None:
        super().__init__()
        used = list(dilations)[:2]
        self.convs = nn.ModuleList(
            nn.Conv1d(channels, channels, kernel, dilation=d, padding=_same_padding(kernel, d)) for d in used
        )
        self.activations = nn.ModuleList(_activation(config, channels) for _ in used)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for conv, activation in zip(self.convs, self.activations):
            x = x + conv(activation(x))
        return x


class BigVGAN(nn.Module):
    def __init__(self, config: VocoderConfig) -> None:
        super().__init__()
        self.config = config
        width = config.upsample_initial_channel
        self.conv_pre = nn.Conv1d(config.num_mels, width, 7, padding=3)
        self.ups = nn.ModuleList()
        self.resblocks = nn.ModuleList()
        block = AMPBlock1 if config.resblock == "1" else AMPBlock2
        for i, (rate, kernel) in enumerate(zip(config.upsample_rates, config.upsample_kernel_sizes)):
            channels = width // 2 ** (i + 1)
            # A one-element list per stage: that nesting is in the checkpoint's keys (ups.i.0.*).
            self.ups.append(
                nn.ModuleList([nn.ConvTranspose1d(width // 2**i, channels, kernel, rate, padding=(kernel - rate) // 2)])
            )
            for res_kernel, dilations in zip(config.resblock_kernel_sizes, config.resblock_dilation_sizes):
                self.resblocks.append(block(config, channels, res_kernel, dilations))
        self.activation_post = _activation(config, channels)
        self.conv_post = nn.Conv1d(channels, 1, 7, padding=3)

    def forward(self, mel: torch.Tensor) -> torch.Tensor:
        """(B, num_mels, T) -> (B, T * hop_length) in [-1, 1]."""
        x = self.conv_pre(mel)
        per_stage = len(self.config.resblock_kernel_sizes)
        for i, up in enumerate(self.ups):
            x = up[0](x)
            blocks = self.resblocks[i * per_stage : (i + 1) * per_stage]
            total = blocks[0](x)
            for block in blocks[1:]:
                total = total + block(x)
            x = total / per_stage
        x = self.conv_post(self.activation_post(x))
        return torch.tanh(x)[:, 0, :]


# --------------------------------------------------------------------- loading


def _fold_weight_norm(g: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
    # weight_norm(dim=0): one norm per slice along the first axis (also for
    # ConvTranspose1d, whose first axis is the *input* channel).
    norm = v.flatten(1).norm(dim=1).view(-1, *([1] * (v.dim() - 1)))
    return (g * (v / norm)).to(v.dtype)


def generator_state(state: Mapping[str, torch.Tensor], source: str = "checkpoint") -> dict[str, torch.Tensor]:
    """The official generator state with weight-norm pairs folded into plain weights.

    Accepts ``X.weight_g``/``X.weight_v`` (torch.nn.utils.weight_norm) and
    ``X.parametrizations.weight.original0/1`` (the parametrization form); a half
    pair is an error.
    """
    pairs: dict[str, dict[str, torch.Tensor]] = {}
    plain: dict[str, torch.Tensor] = {}
    for key, value in state.items():
        for suffix, part in ((".weight_g", "g"), (".weight_v", "v"),
                             (".parametrizations.weight.original0", "g"),
                             (".parametrizations.weight.original1", "v")):
            if key.endswith(suffix):
                pairs.setdefault(key[: -len(suffix)], {})[part] = value
                break
        else:
            plain[key] = value
    for stem, pair in pairs.items():
        if set(pair) != {"g", "v"}:
            lacking = "weight_v" if "v" not in pair else "weight_g"
            raise CheckpointError(f"{source}: {stem}.{lacking} is missing (weight-norm pair incomplete)")
        if f"{stem}.weight" in plain:
            raise CheckpointError(f"{source}: {stem} has both a plain weight and a weight-norm pair")
        plain[f"{stem}.weight"] = _fold_weight_norm(pair["g"].float(), pair["v"].float())
    return plain


def load_vocoder(folder: Path, device: str | torch.device = "cpu", dtype: torch.dtype = torch.float32) -> BigVGAN:
    """BigVGAN in eval mode from ``folder/{args.yml, best_netG.pt}`` (``{"generator": state}``)."""
    folder = Path(folder)
    config = VocoderConfig.from_mapping(read_yaml(folder / ARGS_FILE, "vocoder settings"), str(folder / ARGS_FILE))
    weights = folder / WEIGHTS_FILE
    state = read_torch_file(weights, "vocoder weights", entry="generator")
    with torch.device("meta"):  # every tensor comes from the file: skip random init
        model = BigVGAN(config)
    load_strict(model, generator_state(state, str(weights)), str(weights), assign=True)
    return model.to(device, dtype).eval()


# ------------------------------------------------------------------ test helper


def tiny_vocoder_config() -> VocoderConfig:
    """The official shape (80 mels, 256x, three AMP blocks per stage) with 64 initial channels."""
    return VocoderConfig(upsample_initial_channel=64)


def write_tiny_vocoder(folder: Path, seed: int = 0, config: VocoderConfig | None = None) -> Path:
    """A random generator saved as the official files: args.yml + best_netG.pt with weight_g/weight_v."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    config = config or tiny_vocoder_config()
    generator = torch.Generator().manual_seed(seed)
    model = BigVGAN(config)
    state: dict[str, torch.Tensor] = {}
    for key, value in model.state_dict().items():
        if key.endswith(".filter"):
            state[key] = value.clone()
        elif key.endswith(".weight"):
            # Split a random weight w into (g, v) with w = g v / |v| and v a rescaled w,
            # so loading must really fold the pair to get w back.
            weight = 0.1 * torch.randn(value.shape, generator=generator)
            scale = 0.5 + torch.rand((value.shape[0],) + (1,) * (value.dim() - 1), generator=generator)
            stem = key[: -len(".weight")]
            state[f"{stem}.weight_g"] = weight.flatten(1).norm(dim=1).view(scale.shape)
            state[f"{stem}.weight_v"] = weight * scale
        else:
            state[key] = 0.1 * torch.randn(value.shape, generator=generator)
    torch.save({"generator": state}, folder / WEIGHTS_FILE)
    extra = {"sampling_rate": 16000, "hop_size": config.hop_length, "num_gpus": 0}
    (folder / ARGS_FILE).write_text(yaml.safe_dump({**config.to_mapping(), **extra}, sort_keys=False), encoding="utf-8")
    return folder
