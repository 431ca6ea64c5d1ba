"""Tiny random CLAP models in the official file layout, for tests (ours and colleagues').

``write_tiny_clap(folder)`` produces what a user would put in the CLAP folder,
shrunk: ``config.yml``, ``CLAP_weights_2022.pth`` (``{"model": state_dict}``,
including the legacy ``position_ids`` buffer older files carry) and
``tokenizer/`` (WordPiece vocabulary + the tiny BERT's ``config.json``).
"""

from __future__ import annotations

import string
from pathlib import Path

import torch
import yaml
from transformers import BertConfig, BertTokenizer

from tag.engines.clap.model import CONFIG_FILE, WEIGHTS_FILE, ClapConfig, ClapModel

_SPECIAL = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
_WORDS = (
    "a an the of and with in on dog dogs barking bark cat meow rain thunder wind birds bird chirping "
    "car engine siren music piano guitar drum people talking speech water stream waves ocean fire "
    "crackling footsteps door knocking clock ticking baby crying laughing train horn bell"
).split()


def tiny_vocabulary() -> list[str]:
    """Special tokens, some words, and every letter/digit (plain and ``##``) so any text tokenizes."""
    characters = list(string.ascii_lowercase + string.digits + string.punctuation)
    return _SPECIAL + _WORDS + characters + ["##" + c for c in string.ascii_lowercase + string.digits]


def tiny_bert_config(vocab_size: int | None = None) -> BertConfig:
    return BertConfig(
        vocab_size=vocab_size or len(tiny_vocabulary()),
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=128,
        type_vocab_size=2,
        pad_token_id=0,
    )


def write_tiny_tokenizer(folder: Path, with_config: bool = True) -> Path:
    """A lower-casing BERT WordPiece tokenizer (and the tiny BERT's config.json) in ``folder``."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    vocabulary = tiny_vocabulary()
    (folder / "vocab.txt").write_text("\n".join(vocabulary) + "\n", encoding="utf-8")
    tokenizer = BertTokenizer(vocab={token: i for i, token in enumerate(vocabulary)}, do_lower_case=True)
    tokenizer.save_pretrained(str(folder))
    if with_config:
        tiny_bert_config(len(vocabulary)).to_json_file(str(folder / "config.json"))
    return folder


def tiny_clap_config(duration: float = 1.0) -> ClapConfig:
    """The official front end (44.1 kHz, 1024/320, 64 mels) with tiny widths."""
    return ClapConfig(
        transformer_embed_dim=32,
        out_emb=24,
        duration=duration,
        d_proj=16,
        num_classes=5,
        audio_widths=(4, 4, 8, 8, 8, 16),
    )


def _randomise(model: torch.nn.Module, generator: torch.Generator) -> None:
    # Default inits leave norms at identity and BatchNorm statistics at 0/1; random
    # values everywhere make a round trip that drops or swaps a tensor detectable.
    with torch.no_grad():
        for name, tensor in model.state_dict().items():
            if "num_batches_tracked" in name or "spectrogram_extractor" in name or "logmel_extractor" in name:
                continue
            if name.endswith("running_var"):
                tensor.copy_(0.5 + torch.rand(tensor.shape, generator=generator))
            elif tensor.is_floating_point():
                tensor.copy_(0.2 * torch.randn(tensor.shape, generator=generator))


def write_tiny_clap(folder: Path, seed: int = 0, duration: float = 1.0) -> Path:
    """A random tiny CLAP in the official layout under ``folder``; returns ``folder``."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    tokenizer_dir = write_tiny_tokenizer(folder / "tokenizer")
    config = tiny_clap_config(duration)
    generator = torch.Generator().manual_seed(seed)
    model = ClapModel(config, BertConfig.from_json_file(str(tokenizer_dir / "config.json")))
    _randomise(model, generator)
    state = dict(model.state_dict())
    positions = model.caption_encoder.base.config.max_position_embeddings
    state["caption_encoder.base.embeddings.position_ids"] = torch.arange(positions)[None, :]
    torch.save({"model": state}, folder / WEIGHTS_FILE)
    (folder / CONFIG_FILE).write_text(yaml.safe_dump(config.to_mapping(), sort_keys=False), encoding="utf-8")
    return folder
