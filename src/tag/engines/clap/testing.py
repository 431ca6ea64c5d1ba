"""Tiny random CLAP models in the official file layout, for the tests of every engine that uses CLAP.

``write_tiny_clap(folder)`` produces what a user would put in the CLAP folder,
shrunk: ``config.yml``, ``CLAP_weights_2022.pth`` (``{"model": state_dict}``,
including the legacy ``position_ids`` buffer older files carry) and
``tokenizer/`` (WordPiece vocabulary + the tiny BERT's ``config.json``).
"""

from __future__ import annotations

import dataclasses
import os
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
    pieces = ["##" + c for c in string.ascii_lowercase + string.digits]
    return list(dict.fromkeys(_SPECIAL + _WORDS + characters + pieces))  # unique, order kept


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


def _calibrate_batch_norms(model: ClapModel, generator: torch.Generator, rate: int) -> None:
    # Random weights with BatchNorm statistics at 0/1 shrink every input to the
    # same embedding; statistics measured on a few random sounds keep activations
    # near unit scale, so different sounds embed (and rank) differently.
    t = torch.arange(rate) / rate
    sounds = [0.3 * torch.randn(rate, generator=generator) * torch.rand(1, generator=generator)
              for _ in range(4)]
    sounds += [0.5 * torch.sin(2 * torch.pi * f * t) for f in (220.0, 1000.0, 5000.0)]
    norms = [m for m in model.audio_encoder.modules() if isinstance(m, torch.nn.BatchNorm2d)]
    for norm in norms:
        norm.reset_running_stats()
        norm.momentum = None  # cumulative average over the calibration pass
    model.audio_encoder.base.train()
    with torch.no_grad():
        model.audio_encoder.base(torch.stack(sounds))
    model.eval()
    for norm in norms:
        norm.momentum = 0.1


def _randomise_norms(model: torch.nn.Module, generator: torch.Generator) -> None:
    # Norm parameters and biases off their identity defaults, so a round trip that
    # drops or swaps one of them is detectable.
    with torch.no_grad():
        for name, tensor in model.state_dict().items():
            if name.endswith(("running_mean", "running_var", "num_batches_tracked")):
                continue
            if name.endswith(".bias") or "layer_norm" in name or "LayerNorm" in name or ".bn" in name:
                tensor.add_(0.1 * torch.randn(tensor.shape, generator=generator))


def write_tiny_clap(folder: Path, seed: int = 0, duration: float = 1.0, bert: BertConfig | None = None) -> Path:
    """A random tiny CLAP in the official layout under ``folder``; returns ``folder``.

    ``bert``: the text tower's BERT instead of the tiny one (benchmarks: full size)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    tokenizer_dir = write_tiny_tokenizer(folder / "tokenizer")
    if bert is not None:
        bert.to_json_file(str(tokenizer_dir / "config.json"))
    config = tiny_clap_config(duration)
    if bert is not None:  # the projection reads the BERT's width
        config = dataclasses.replace(config, transformer_embed_dim=bert.hidden_size)
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        model = ClapModel(config, BertConfig.from_json_file(str(tokenizer_dir / "config.json")))
    generator = torch.Generator().manual_seed(seed)
    _randomise_norms(model, generator)
    _calibrate_batch_norms(model, generator, config.sampling_rate)
    save_clap(model, config, folder)
    return folder


def save_clap(model: ClapModel, config: ClapConfig, folder: Path) -> None:
    """``model`` as the official files (weights and config.yml) in ``folder``, e.g.
    after a test has trained it; its tokenizer folder is left as it is."""
    folder = Path(folder)
    state = dict(model.state_dict())
    positions = model.caption_encoder.base.config.max_position_embeddings
    state["caption_encoder.base.embeddings.position_ids"] = torch.arange(positions)[None, :]
    # Written beside and renamed over: a model loaded from this folder may still map
    # the old file into memory, and overwriting it in place would pull pages from under it.
    partial = folder / (WEIGHTS_FILE + ".partial")
    torch.save({"model": state}, partial)
    os.replace(partial, folder / WEIGHTS_FILE)
    (folder / CONFIG_FILE).write_text(yaml.safe_dump(config.to_mapping(), sort_keys=False), encoding="utf-8")
