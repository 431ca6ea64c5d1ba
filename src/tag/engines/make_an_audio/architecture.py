"""The Make-An-Audio architecture, read from the reference config, as diffusers configs.

The official release ships only weights; the shapes of the networks live in the
reference training config (``configs/text_to_audio/txt2audio_args.yaml``).  Its
values are built in here; a YAML of that format in the model folder overrides them
(the tests describe their tiny models so), and without one the sizes are read off
the checkpoint's tensor shapes (``infer_architecture``).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
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


def reference_sections(config: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any], dict[str, Any]]:
    """A reference-format YAML's model params, network params, autoencoder ddconfig
    (with its embed_dim) and noise schedule values, each {} where absent."""
    params = config.get("model", {}).get("params", {})
    network = params.get("unet_config", {}).get("params", {})
    first = params.get("first_stage_config", {}).get("params", {})
    dd = dict(first.get("ddconfig", {}))
    if "embed_dim" in first:
        dd["embed_dim"] = first["embed_dim"]
    schedule = {k: params[k] for k in ("timesteps", "linear_start", "linear_end") if k in params}
    return params, network, dd, schedule


def architecture_from_config(config: dict[str, Any]) -> Architecture:
    """Read the parts of a reference ``txt2audio_args.yaml`` that shape the networks."""
    params, unet, dd, schedule = reference_sections(config)
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


def architecture_to_dict(arch: Architecture) -> dict[str, Any]:
    from dataclasses import asdict

    return asdict(arch)


def architecture_from_dict(data: dict[str, Any]) -> Architecture:
    return Architecture(
        _pick(UNetArch, data["unet"]), _pick(AutoencoderArch, data["autoencoder"]), _pick(ScheduleArch, data["schedule"])
    )


def infer_architecture(state: dict[str, Any], base: Architecture | None = None) -> Architecture:
    """Read the sizes of the networks off a checkpoint's tensor shapes.

    Used when no reference config sits beside the checkpoint.  What shapes cannot
    tell (head count, nominal autoencoder resolution, schedule) comes from ``base``
    (the reference config); the strict load afterwards still checks every shape.
    """
    import re

    base = base or Architecture()
    u, a = "model.diffusion_model.", "first_stage_model."
    if f"{u}input_blocks.0.0.weight" not in state or f"{a}encoder.conv_in.weight" not in state:
        return base  # not a Make-An-Audio checkpoint: the strict conversion will say what is wrong
    mc, in_ch = state[f"{u}input_blocks.0.0.weight"].shape[:2]
    resblocks: dict[int, int] = {}
    downs = []
    attention_blocks = set()
    for key in state:
        if m := re.fullmatch(rf"{re.escape(u)}input_blocks\.(\d+)\.0\.in_layers\.2\.weight", key):
            resblocks[int(m[1])] = state[key].shape[0]
        elif m := re.fullmatch(rf"{re.escape(u)}input_blocks\.(\d+)\.0\.op\.weight", key):
            downs.append(int(m[1]))
        elif m := re.fullmatch(rf"{re.escape(u)}input_blocks\.(\d+)\.1\.proj_in\.weight", key):
            attention_blocks.add(int(m[1]))
    levels = len(downs) + 1
    per_level = max(1, len(resblocks) // levels)
    order = sorted(resblocks)
    mult, attn = [], []
    for level in range(levels):
        first = order[level * per_level] if level * per_level < len(order) else order[-1]
        mult.append(resblocks[first] // mc)
        if first in attention_blocks:
            attn.append(2**level)
    context = next((v.shape[1] for k, v in state.items() if k.startswith(u) and k.endswith("attn2.to_k.weight")), None)
    depth = len({k.split(".")[5] for k in state if k.startswith(f"{u}input_blocks.1.1.transformer_blocks.")})
    unet = replace(
        base.unet,
        in_channels=int(in_ch),
        out_channels=int(state[f"{u}out.2.weight"].shape[0]),
        model_channels=int(mc),
        channel_mult=tuple(mult),
        num_res_blocks=per_level,
        attention_resolutions=tuple(attn),
        context_dim=int(context or base.unet.context_dim),
        transformer_depth=depth or base.unet.transformer_depth,
    )
    ch, vae_in = state[f"{a}encoder.conv_in.weight"].shape[:2]
    vae_levels = sorted({int(k.split(".")[3]) for k in state if k.startswith(f"{a}encoder.down.")})
    vae_mult = tuple(int(state[f"{a}encoder.down.{i}.block.0.conv1.weight"].shape[0]) // ch for i in vae_levels)
    vae_blocks = len({k.split(".")[5] for k in state if k.startswith(f"{a}encoder.down.0.block.")})
    res = base.autoencoder.resolution
    vae_attn = tuple(sorted(res // 2**i for i in vae_levels if f"{a}encoder.down.{i}.attn.0.q.weight" in state))
    autoencoder = replace(
        base.autoencoder,
        in_channels=int(vae_in),
        out_ch=int(state[f"{a}decoder.conv_out.weight"].shape[0]),
        ch=int(ch),
        ch_mult=vae_mult,
        num_res_blocks=vae_blocks,
        attn_resolutions=vae_attn,
        z_channels=int(state[f"{a}decoder.conv_in.weight"].shape[1]),
        embed_dim=int(state[f"{a}post_quant_conv.weight"].shape[1]),
    )
    return Architecture(unet, autoencoder, base.schedule)
