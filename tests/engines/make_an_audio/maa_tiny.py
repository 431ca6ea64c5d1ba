"""A tiny random Make-An-Audio in the official file layout, for tests and benches.

The checkpoint's key names and shapes are enumerated here from the reference
modules (openaimodel.UNetModel, attention.SpatialTransformer, model.Encoder and
Decoder, the CLAP text tower), independently of the engine's rename tables, so
a naming or shape slip in the converter fails the strict load.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import numpy as np
import torch
import yaml

from tag.engines.clap.testing import tiny_bert_config, write_tiny_clap, write_tiny_tokenizer
from tag.engines.clap.text import ClapTextEncoder

Shape = tuple[int, ...]


def tiny_config(
    model_channels: int = 32,
    context_dim: int = 32,
    vae_ch: int = 32,
    num_heads: int = 2,
    unet_res_blocks: int = 2,
    vae_res_blocks: int = 1,
    train_width: int = 16,
) -> dict:
    """A reference-format ``txt2audio_args.yaml`` of the same architecture, shrunk."""
    return {
        "model": {
            "target": "ldm.models.diffusion.ddpm_audio.LatentDiffusion_audio",
            "params": {
                "linear_start": 0.00085,
                "linear_end": 0.012,
                "timesteps": 1000,
                "mel_dim": 10,
                "mel_length": train_width,
                "channels": 4,
                "unet_config": {
                    "params": {
                        "in_channels": 4,
                        "out_channels": 4,
                        "model_channels": model_channels,
                        "attention_resolutions": [1, 2],
                        "num_res_blocks": unet_res_blocks,
                        "channel_mult": [1, 2],
                        "num_heads": num_heads,
                        "use_spatial_transformer": True,
                        "transformer_depth": 1,
                        "context_dim": context_dim,
                        "legacy": False,
                    }
                },
                "first_stage_config": {
                    "params": {
                        "embed_dim": 4,
                        "ddconfig": {
                            "double_z": True,
                            "z_channels": 4,
                            "resolution": 624,
                            "in_channels": 1,
                            "out_ch": 1,
                            "ch": vae_ch,
                            "ch_mult": [1, 2, 2, 4],
                            "num_res_blocks": vae_res_blocks,
                            "attn_resolutions": [78, 156],
                        }
                    }
                },
            },
        }
    }


def _norm(name: str, c: int) -> Iterator[tuple[str, Shape]]:
    yield f"{name}.weight", (c,)
    yield f"{name}.bias", (c,)


def _conv(name: str, cin: int, cout: int, k: int, bias: bool = True) -> Iterator[tuple[str, Shape]]:
    yield f"{name}.weight", (cout, cin, k, k)
    if bias:
        yield f"{name}.bias", (cout,)


def _linear(name: str, cin: int, cout: int, bias: bool = True) -> Iterator[tuple[str, Shape]]:
    yield f"{name}.weight", (cout, cin)
    if bias:
        yield f"{name}.bias", (cout,)


def _unet_resblock(p: str, cin: int, cout: int, emb: int) -> Iterator[tuple[str, Shape]]:
    yield from _norm(f"{p}.in_layers.0", cin)
    yield from _conv(f"{p}.in_layers.2", cin, cout, 3)
    yield from _linear(f"{p}.emb_layers.1", emb, cout)
    yield from _norm(f"{p}.out_layers.0", cout)
    yield from _conv(f"{p}.out_layers.3", cout, cout, 3)
    if cin != cout:
        yield from _conv(f"{p}.skip_connection", cin, cout, 1)


def _spatial_transformer(p: str, ch: int, context: int) -> Iterator[tuple[str, Shape]]:
    yield from _norm(f"{p}.norm", ch)
    yield from _conv(f"{p}.proj_in", ch, ch, 1)
    b = f"{p}.transformer_blocks.0"
    for attn, kv_dim in (("attn1", ch), ("attn2", context)):
        yield from _linear(f"{b}.{attn}.to_q", ch, ch, bias=False)
        yield from _linear(f"{b}.{attn}.to_k", kv_dim, ch, bias=False)
        yield from _linear(f"{b}.{attn}.to_v", kv_dim, ch, bias=False)
        yield from _linear(f"{b}.{attn}.to_out.0", ch, ch)
    yield from _linear(f"{b}.ff.net.0.proj", ch, ch * 4 * 2)  # GEGLU
    yield from _linear(f"{b}.ff.net.2", ch * 4, ch)
    for n in (1, 2, 3):
        yield from _norm(f"{b}.norm{n}", ch)
    yield from _conv(f"{p}.proj_out", ch, ch, 1)


def reference_unet_keys(u: dict) -> Iterator[tuple[str, Shape]]:
    """openaimodel.UNetModel's state dict (spatial transformer at every level)."""
    mc, emb, ctx = u["model_channels"], u["model_channels"] * 4, u["context_dim"]
    yield from _linear("time_embed.0", mc, emb)
    yield from _linear("time_embed.2", emb, emb)
    yield from _conv("input_blocks.0.0", u["in_channels"], mc, 3)
    chans, ch, i = [mc], mc, 1
    mults = u["channel_mult"]
    for level, mult in enumerate(mults):
        for _ in range(u["num_res_blocks"]):
            yield from _unet_resblock(f"input_blocks.{i}.0", ch, mult * mc, emb)
            ch = mult * mc
            yield from _spatial_transformer(f"input_blocks.{i}.1", ch, ctx)
            chans.append(ch)
            i += 1
        if level != len(mults) - 1:
            yield from _conv(f"input_blocks.{i}.0.op", ch, ch, 3)
            chans.append(ch)
            i += 1
    yield from _unet_resblock("middle_block.0", ch, ch, emb)
    yield from _spatial_transformer("middle_block.1", ch, ctx)
    yield from _unet_resblock("middle_block.2", ch, ch, emb)
    i = 0
    for level, mult in list(enumerate(mults))[::-1]:
        for j in range(u["num_res_blocks"] + 1):
            yield from _unet_resblock(f"output_blocks.{i}.0", ch + chans.pop(), mc * mult, emb)
            ch = mc * mult
            yield from _spatial_transformer(f"output_blocks.{i}.1", ch, ctx)
            if level and j == u["num_res_blocks"]:
                yield from _conv(f"output_blocks.{i}.2.conv", ch, ch, 3)
            i += 1
    yield from _norm("out.0", ch)
    yield from _conv("out.2", mc, u["out_channels"], 3)


def _vae_resblock(p: str, cin: int, cout: int) -> Iterator[tuple[str, Shape]]:
    yield from _norm(f"{p}.norm1", cin)
    yield from _conv(f"{p}.conv1", cin, cout, 3)
    yield from _norm(f"{p}.norm2", cout)
    yield from _conv(f"{p}.conv2", cout, cout, 3)
    if cin != cout:
        yield from _conv(f"{p}.nin_shortcut", cin, cout, 1)


def _vae_attn(p: str, c: int) -> Iterator[tuple[str, Shape]]:
    yield from _norm(f"{p}.norm", c)
    for name in ("q", "k", "v", "proj_out"):
        yield from _conv(f"{p}.{name}", c, c, 1)


def reference_vae_keys(embed_dim: int, dd: dict) -> Iterator[tuple[str, Shape]]:
    """ldm AutoencoderKL (Encoder, Decoder, quant convs)."""
    ch, mult, nrb, res = dd["ch"], dd["ch_mult"], dd["num_res_blocks"], dd["resolution"]
    attn_res, z = dd["attn_resolutions"], dd["z_channels"]
    yield from _conv("encoder.conv_in", dd["in_channels"], ch, 3)
    in_mult = (1, *mult)
    curr = res
    for level in range(len(mult)):
        block_in, block_out = ch * in_mult[level], ch * mult[level]
        for j in range(nrb):
            yield from _vae_resblock(f"encoder.down.{level}.block.{j}", block_in, block_out)
            block_in = block_out
            if curr in attn_res:
                yield from _vae_attn(f"encoder.down.{level}.attn.{j}", block_in)
        if level != len(mult) - 1:
            yield from _conv(f"encoder.down.{level}.downsample.conv", block_in, block_in, 3)
            curr //= 2
    for side, c in (("encoder", block_in), ("decoder", ch * mult[-1])):
        yield from _vae_resblock(f"{side}.mid.block_1", c, c)
        yield from _vae_attn(f"{side}.mid.attn_1", c)
        yield from _vae_resblock(f"{side}.mid.block_2", c, c)
    yield from _norm("encoder.norm_out", block_in)
    yield from _conv("encoder.conv_out", block_in, 2 * z, 3)
    block_in = ch * mult[-1]
    curr = res // 2 ** (len(mult) - 1)
    yield from _conv("decoder.conv_in", z, block_in, 3)
    for level in reversed(range(len(mult))):
        block_out = ch * mult[level]
        for j in range(nrb + 1):
            yield from _vae_resblock(f"decoder.up.{level}.block.{j}", block_in, block_out)
            block_in = block_out
            if curr in attn_res:
                yield from _vae_attn(f"decoder.up.{level}.attn.{j}", block_in)
        if level != 0:
            yield from _conv(f"decoder.up.{level}.upsample.conv", block_in, block_in, 3)
            curr *= 2
    yield from _norm("decoder.norm_out", block_in)
    yield from _conv("decoder.conv_out", block_in, dd["out_ch"], 3)
    yield from _conv("quant_conv", 2 * z, 2 * embed_dim, 1)
    yield from _conv("post_quant_conv", embed_dim, z, 1)


def _random(shape: Shape, name: str, g: torch.Generator) -> torch.Tensor:
    fan_in = int(np.prod(shape[1:])) if len(shape) > 1 else 1
    if len(shape) == 1 and ("norm" in name and name.endswith("weight")):
        return 1.0 + 0.1 * torch.randn(shape, generator=g)
    if len(shape) == 1:
        return 0.05 * torch.randn(shape, generator=g)
    return torch.randn(shape, generator=g) / fan_in**0.5


def reference_alphas_cumprod() -> torch.Tensor:
    betas = np.linspace(0.00085**0.5, 0.012**0.5, 1000, dtype=np.float64) ** 2
    return torch.tensor(np.cumprod(1 - betas), dtype=torch.float32)


def tiny_state_dict(config: dict, bert_dir: Path, seed: int = 0, scale_factor: float = 1.3) -> dict[str, torch.Tensor]:
    """Random weights under the official key names of ``maa1_full.ckpt``."""
    g = torch.Generator().manual_seed(seed)
    params = config["model"]["params"]
    unet = params["unet_config"]["params"]
    first = params["first_stage_config"]["params"]
    state: dict[str, torch.Tensor] = {}
    for name, shape in reference_unet_keys(unet):
        state["model.diffusion_model." + name] = _random(shape, name, g)
    for name, shape in reference_vae_keys(first["embed_dim"], first["ddconfig"]):
        state["first_stage_model." + name] = _random(shape, name, g)
    text = ClapTextEncoder(tiny_bert_config(), unet["context_dim"])
    for name, tensor in text.state_dict().items():
        state["cond_stage_model.caption_encoder." + name] = (
            _random(tuple(tensor.shape), name, g) if tensor.is_floating_point() else tensor
        )
    # What older transformers versions wrote, as the official file has it.
    positions = tiny_bert_config().max_position_embeddings
    state["cond_stage_model.caption_encoder.base.embeddings.position_ids"] = torch.arange(positions)[None]
    alphas = reference_alphas_cumprod()
    state["alphas_cumprod"] = alphas
    state["betas"] = torch.tensor(np.linspace(0.00085**0.5, 0.012**0.5, 1000) ** 2, dtype=torch.float32)
    state["scale_factor"] = torch.tensor(scale_factor)
    state["model_ema.decay"] = torch.tensor(0.999)  # training-only, ignored by the reference too
    return state


def write_tiny_model(
    root: Path, *, seed: int = 0, config: dict | None = None, vocoder: bool = True
) -> Path:
    """``root`` (= <model_dir>/make-an-audio) in the official layout with tiny random weights."""
    root = Path(root)
    config = config or tiny_config()
    bert_dir = write_tiny_tokenizer(root / "bert-base-uncased")
    ckpts = root / "useful_ckpts"
    ckpts.mkdir(parents=True, exist_ok=True)
    torch.save({"state_dict": tiny_state_dict(config, bert_dir, seed)}, ckpts / "maa1_full.ckpt")
    (root / "txt2audio_args.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    condition_clap(write_tiny_clap(ckpts / "CLAP", seed=seed), seed)
    if vocoder:
        write_vocoder(ckpts / "bigvgan", seed)
    return root


def condition_clap(folder: Path, seed: int) -> None:
    """Give the tiny CLAP's audio tower variance-preserving random weights.

    With the generic random values, six conv blocks shrink the signal to nothing
    and every sound gets the same embedding, so no ranking could be tested; here
    convolutions get He-scaled weights, batch norms are identities and the input
    norm maps typical decibel levels (-40 +- 20 dB) to unit scale."""
    path = folder / "CLAP_weights_2022.pth"
    blob = torch.load(path, weights_only=True)
    g = torch.Generator().manual_seed(seed + 1)
    for key, value in blob["model"].items():
        if not key.startswith("audio_encoder.base.conv_block") and not key.startswith("audio_encoder.base.bn0"):
            continue
        if key.endswith("num_batches_tracked"):
            continue
        if key.split(".")[-2].startswith("conv"):
            value.copy_(torch.randn(value.shape, generator=g) * (2.0 / value[0].numel()) ** 0.5)
        elif key.endswith(("weight", "running_var")):
            value.fill_(1.0)
        else:
            value.fill_(0.0)
    blob["model"]["audio_encoder.base.bn0.running_mean"].fill_(-40.0)
    blob["model"]["audio_encoder.base.bn0.running_var"].fill_(400.0)
    torch.save(blob, path)


def write_vocoder(folder: Path, seed: int) -> None:
    from tag.engines.make_an_audio.vocoder import write_tiny_vocoder

    write_tiny_vocoder(folder, seed=seed)
