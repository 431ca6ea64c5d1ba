"""The Make-An-Audio architecture, read from the reference config, as diffusers configs.

The official release ships only weights; the shapes of the networks live in the
reference training config (``configs/text_to_audio/txt2audio_args.yaml``).  Its
defaults are built in here, and a copy of that YAML in the model folder (same
format) overrides them, which is how the tests describe their tiny models.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

LATENT_HEIGHT_DOWN = 8  # the autoencoder halves both axes three times


@dataclass(frozen=True)
class UNetArch:
    in_channels: int = 4
    out_channels: int = 4
    model_channels: int = 320
    attention_resolutions: tuple[int, ...] = (1, 2)
    num_res_blocks: int = 2
    channel_mult: tuple[int, ...] = (1, 2)
    num_heads: int = 8
    num_head_channels: int = -1
    transformer_depth: int = 1
    context_dim: int = 1024

    def level_has_attention(self, level: int) -> bool:
        return 2**level in self.attention_resolutions

    def heads_at(self, channels: int) -> int:
        # The reference: a fixed head count, or a fixed head width when given.
        return self.num_heads if self.num_head_channels == -1 else channels // self.num_head_channels


@dataclass(frozen=True)
class AutoencoderArch:
    embed_dim: int = 4
    z_channels: int = 4
    resolution: int = 624
    in_channels: int = 1
    out_ch: int = 1
    ch: int = 128
    ch_mult: tuple[int, ...] = (1, 2, 2, 4)
    num_res_blocks: int = 2
    attn_resolutions: tuple[int, ...] = (78, 156)

    def encoder_level_has_attention(self, level: int) -> bool:
        # The reference encoder tracks a nominal resolution halved per level ...
        return self.resolution // 2**level in self.attn_resolutions

    def decoder_level_has_attention(self, level: int) -> bool:
        # ... and the decoder one doubled per level from the deepest.
        deepest = self.resolution // 2 ** (len(self.ch_mult) - 1)
        return deepest * 2 ** (len(self.ch_mult) - 1 - level) in self.attn_resolutions


@dataclass(frozen=True)
class ScheduleArch:
    timesteps: int = 1000
    linear_start: float = 0.00085
    linear_end: float = 0.0120
    mel_bins: int = 80
    train_latent_width: int = 78  # mel_length in the reference config: 624 mel frames / 8


@dataclass(frozen=True)
class Architecture:
    unet: UNetArch = field(default_factory=UNetArch)
    autoencoder: AutoencoderArch = field(default_factory=AutoencoderArch)
    schedule: ScheduleArch = field(default_factory=ScheduleArch)

    @property
    def latent_height(self) -> int:
        return self.schedule.mel_bins // LATENT_HEIGHT_DOWN


def _pick(cls: type, values: dict[str, Any]) -> Any:
    known = {name for name in cls.__dataclass_fields__}  # type: ignore[attr-defined]
    kwargs = {}
    for name, value in values.items():
        if name in known:
            kwargs[name] = tuple(value) if isinstance(value, list) else value
    return cls(**kwargs)


def architecture_from_config(config: dict[str, Any]) -> Architecture:
    """Read the parts of a reference ``txt2audio_args.yaml`` that shape the networks."""
    params = config.get("model", {}).get("params", {})
    unet = params.get("unet_config", {}).get("params", {})
    first = params.get("first_stage_config", {}).get("params", {})
    dd = dict(first.get("ddconfig", {}))
    if "embed_dim" in first:
        dd["embed_dim"] = first["embed_dim"]
    schedule = {k: params[k] for k in ("timesteps", "linear_start", "linear_end") if k in params}
    if "mel_dim" in params:
        schedule["mel_bins"] = int(params["mel_dim"]) * LATENT_HEIGHT_DOWN
    if "mel_length" in params:
        schedule["train_latent_width"] = int(params["mel_length"])
    return Architecture(_pick(UNetArch, unet), _pick(AutoencoderArch, dd), _pick(ScheduleArch, schedule))


def load_architecture(path: Path | None) -> Architecture:
    """The architecture from a reference YAML if ``path`` exists, else the built-in one."""
    if path is None or not path.is_file():
        return Architecture()
    import yaml

    with open(path, encoding="utf-8") as handle:
        return architecture_from_config(yaml.safe_load(handle) or {})


def unet_config(arch: UNetArch) -> dict[str, Any]:
    """``UNet2DConditionModel`` keyword arguments equal to the reference ``UNetModel``."""
    levels = range(len(arch.channel_mult))
    channels = [arch.model_channels * m for m in arch.channel_mult]
    down = ["CrossAttnDownBlock2D" if arch.level_has_attention(i) else "DownBlock2D" for i in levels]
    up = [
        "CrossAttnUpBlock2D" if arch.level_has_attention(i) else "UpBlock2D" for i in reversed(levels)
    ]
    return {
        "sample_size": 64,  # unused by the forward pass
        "in_channels": arch.in_channels,
        "out_channels": arch.out_channels,
        "down_block_types": tuple(down),
        "up_block_types": tuple(up),
        "mid_block_type": "UNetMidBlock2DCrossAttn",
        "block_out_channels": tuple(channels),
        "layers_per_block": arch.num_res_blocks,
        "transformer_layers_per_block": arch.transformer_depth,
        "cross_attention_dim": arch.context_dim,
        # diffusers' legacy name: this is the number of heads per block.
        "attention_head_dim": tuple(arch.heads_at(c) for c in channels),
        "norm_num_groups": 32,
        "norm_eps": 1e-5,
        "flip_sin_to_cos": True,  # the reference embedding is [cos, sin]
        "freq_shift": 0,
        "downsample_padding": 1,
        "use_linear_projection": False,  # 1x1 convolutions around the transformer
        "act_fn": "silu",
    }


def autoencoder_config(arch: AutoencoderArch) -> dict[str, Any]:
    """``AutoencoderKL`` keyword arguments equal to the reference KL autoencoder."""
    levels = range(len(arch.ch_mult))
    if arch.z_channels != arch.embed_dim:
        raise ValueError("z_channels different from embed_dim has no diffusers equivalent")
    down = [
        "AttnDownEncoderBlock2D" if arch.encoder_level_has_attention(i) else "DownEncoderBlock2D" for i in levels
    ]
    up = [
        "AttnUpDecoderBlock2D" if arch.decoder_level_has_attention(i) else "UpDecoderBlock2D"
        for i in reversed(levels)
    ]
    return {
        "in_channels": arch.in_channels,
        "out_channels": arch.out_ch,
        "down_block_types": tuple(down),
        "up_block_types": tuple(up),
        "block_out_channels": tuple(arch.ch * m for m in arch.ch_mult),
        "layers_per_block": arch.num_res_blocks,
        "latent_channels": arch.embed_dim,
        "norm_num_groups": 32,
        "sample_size": arch.resolution,
        "scaling_factor": 1.0,  # the checkpoint's own scale_factor is applied by the pipeline
        "force_upcast": False,
        "mid_block_add_attention": True,
    }
