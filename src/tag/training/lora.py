"""What fine-tuning trains, and the adapter folder it leaves.

The Make-An-Audio UNet (diffusers ``UNet2DConditionModel``) has, per transformer
block, ``attn1`` (self-attention) and ``attn2`` (cross-attention on the CLAP text
tokens), each with ``to_q``, ``to_k``, ``to_v`` (Linear, no bias) and ``to_out.0``
(Linear); the feed-forward ``ff.net.0.proj`` (GEGLU, Linear) and ``ff.net.2``
(Linear); ``proj_in``/``proj_out`` (1x1 Conv2d) around each transformer; and the
ResNet convolutions (``conv1``, ``conv2``, ``time_emb_proj``...).  LoRA goes on the
four attention projections by default, as diffusers' text-to-image LoRA recipe
does: the cross-attention ones are where the text steers the sound.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

import torch

from tag.engines.adapters import FULL_WEIGHTS, AdapterMeta
from tag.engines.make_an_audio.architecture import UNetArch
from tag.engines.make_an_audio.layout import ENGINE_NAME
from tag.training.options import Method



def add_lora(unet: Any, rank: int, alpha: float, targets: tuple[str, ...], dropout: float = 0.0) -> Any:
    """``unet`` wrapped in a peft model whose only trainable weights are new LoRA
    factors (B initialised to zero: the adapted UNet starts equal to the base)."""
    from peft import LoraConfig, get_peft_model

    unet.requires_grad_(False)
    config = LoraConfig(r=rank, lora_alpha=alpha, target_modules=list(targets), lora_dropout=dropout, bias="none")
    model = get_peft_model(unet, config)
    if not any(p.requires_grad for p in model.parameters()):
        raise ValueError(f"no UNet module matches the LoRA targets {', '.join(targets)}")
    return model


def trainable_state(model: torch.nn.Module) -> dict[str, torch.Tensor]:
    """The trained weights by name: what a checkpoint must keep."""
    return {name: p.detach().cpu().contiguous() for name, p in model.named_parameters() if p.requires_grad}


def load_trainable_state(model: torch.nn.Module, state: dict[str, torch.Tensor]) -> None:
    params = dict(model.named_parameters())
    missing = [name for name, p in params.items() if p.requires_grad and name not in state]
    unknown = [name for name in state if name not in params]
    if missing or unknown:
        raise ValueError(
            f"the checkpoint does not fit this run: {len(missing)} weights missing, {len(unknown)} unknown "
            f"(e.g. {(missing + unknown)[0]})"
        )
    with torch.no_grad():
        for name, value in state.items():
            params[name].copy_(value.to(params[name].device, params[name].dtype))


def save_adapter(model: Any, method: Method, folder: Path, arch: UNetArch, steps: int, dataset: str,
                 extra: dict[str, Any]) -> Path:
    """The serving folder: peft's save_pretrained format for LoRA, the whole UNet's
    safetensors for full fine-tuning, with ``tag_adapter.json`` either way."""
    from safetensors.torch import save_file

    folder.mkdir(parents=True, exist_ok=True)
    if method == "lora":
        model.save_pretrained(str(folder))
    else:
        state = {k: v.detach().cpu().contiguous() for k, v in model.state_dict().items()}
        save_file(state, str(folder / FULL_WEIGHTS))
    meta = AdapterMeta(kind=method, base_engine=ENGINE_NAME, unet=json.loads(json.dumps(asdict(arch))),
                       steps=steps, dataset=dataset, extra=extra)
    meta.write(folder)
    return folder
