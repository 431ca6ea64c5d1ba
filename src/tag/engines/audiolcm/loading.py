"""Loading ``audiolcm.ckpt`` and the text towers' folders into our modules.

The backbone and the mel decoder are built on the meta device (every tensor comes
from the file) and filled strictly.  The CLAP text tower is the shared
``ClapTextEncoder``; T5 is transformers' ``T5EncoderModel`` shaped by
``useful_ckpt/t5-v1_1-large/config.json``.  The reference loads its checkpoint
non-strictly over a T5 read from that folder, so T5 weights found in the
checkpoint win and, only when the file has none, the folder's own weights are used.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from tag.engines.audiolcm.architecture import LCMArch, load_architecture
from tag.engines.audiolcm.autoencoder import MelDecoder
from tag.engines.audiolcm.backbone import ConcatDiT
from tag.engines.audiolcm.convert import split_checkpoint
from tag.engines.audiolcm.layout import AudioLCMFiles
from tag.engines.make_an_audio.convert import ConversionError, check_against, text_state_for
from tag.engines.make_an_audio.loading import _build, _load_strict, default_text_encoder, read_checkpoint

log = logging.getLogger(__name__)

T5_WEIGHTS = ("model.safetensors", "pytorch_model.bin")


@dataclass
class LCMComponents:
    """The trained networks of one AudioLCM checkpoint, ready for inference."""

    arch: LCMArch
    backbone: ConcatDiT
    decoder: MelDecoder
    clap_text: torch.nn.Module
    clap_tokenizer: Any  # BertTokenizer
    t5: torch.nn.Module  # T5EncoderModel
    t5_tokenizer: Any  # T5Tokenizer
    scale_factor: float


def _t5_folder_state(folder: Path) -> dict[str, torch.Tensor]:
    for name in T5_WEIGHTS:
        path = folder / name
        if path.is_file():
            if path.suffix == ".safetensors":
                from safetensors.torch import load_file

                return load_file(str(path))
            return torch.load(path, map_location="cpu", weights_only=True)
    raise ConversionError(
        f"the checkpoint holds no cond_stage_model.t5_transformer.* keys and {folder} has no T5 weights "
        f"({' or '.join(T5_WEIGHTS)})"
    )


def load_t5(folder: Path, state: dict[str, torch.Tensor]) -> torch.nn.Module:
    from transformers import T5Config, T5EncoderModel

    config = T5Config.from_json_file(str(folder / "config.json"))
    model = T5EncoderModel(config)
    state = state or _t5_folder_state(folder)
    # Checkpoints of encoder-decoder T5 also hold the decoder; the encoder ignores it.
    state = {k: v for k, v in state.items() if not k.startswith(("decoder.", "lm_head."))}
    check_against(model, state, "T5 text encoder")
    model.load_state_dict(state, strict=True)
    return model.eval().requires_grad_(False)


def load_tokenizers(files: AudioLCMFiles) -> tuple[Any, Any]:
    from transformers import T5Tokenizer

    from tag.engines.clap.text import load_tokenizer

    return load_tokenizer(files.bert_dir), T5Tokenizer.from_pretrained(str(files.t5_dir))


def load_components(files: AudioLCMFiles) -> LCMComponents:
    files.check()
    arch = load_architecture(files.config)
    split = split_checkpoint(read_checkpoint(files.checkpoint), arch)
    backbone = _load_strict(_build(lambda: ConcatDiT(arch.dit)), split.backbone, "backbone")
    decoder = _load_strict(_build(lambda: MelDecoder(arch.autoencoder)), split.decoder, "autoencoder decoder")
    clap_text = default_text_encoder(files.bert_dir, arch.dit.context_dim)
    clap_state = text_state_for(clap_text, split.clap_text)
    check_against(clap_text, clap_state, "CLAP text encoder")
    clap_text.load_state_dict(clap_state, strict=True)
    clap_text.eval().requires_grad_(False)
    t5 = load_t5(files.t5_dir, split.t5)
    clap_tokenizer, t5_tokenizer = load_tokenizers(files)
    return LCMComponents(arch, backbone, decoder, clap_text, clap_tokenizer, t5, t5_tokenizer, split.scale_factor)
