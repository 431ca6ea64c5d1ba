"""The whole CLAP (2022) model as its checkpoint lays it out, and its config.yml.

``CLAP_weights_2022.pth`` holds ``{"model": state_dict}`` with keys
``audio_encoder.{base,projection}.*``, ``caption_encoder.{base,projection}.*`` and
``logit_scale``; :class:`ClapModel` has exactly those attributes.

Why not the ``msclap`` package: it requires torchaudio (and transformers < 5,
numpy < 2) and crops audio at random; this project never installs torchaudio.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import torch
from torch import nn
from transformers import BertConfig

from tag.engines.clap.audio import CNN14_WIDTHS, ClapAudioEncoder, Cnn14
from tag.engines.clap.checkpoint import CheckpointError, load_strict, read_torch_file, read_yaml
from tag.engines.clap.text import ClapTextEncoder, bert_config, text_encoder_state

CONFIG_FILE = "config.yml"
WEIGHTS_FILE = "CLAP_weights_2022.pth"


@dataclass(frozen=True)
class ClapConfig:
    """The settings of ``config.yml`` this code uses (others, for training, are ignored).

    Note: the file's ``n_fft`` (1028) is unused by the reference too; the STFT size
    is ``window_size``.  ``audio_widths`` is our optional extension (Cnn14 channel
    widths) for tiny test models; absent in the official file.
    """

    text_model: str = "bert-base-uncased"
    text_len: int = 100
    transformer_embed_dim: int = 768
    audioenc_name: str = "Cnn14"
    out_emb: int = 2048
    sampling_rate: int = 44100
    duration: float = 5
    fmin: float = 50
    fmax: float = 14000
    hop_size: int = 320
    mel_bins: int = 64
    window_size: int = 1024
    d_proj: int = 1024
    num_classes: int = 527
    audio_widths: tuple[int, ...] = CNN14_WIDTHS

    @classmethod
    def from_mapping(cls, data: dict[str, Any], source: str) -> "ClapConfig":
        values: dict[str, Any] = {}
        for field in fields(cls):
            if field.name in data:
                values[field.name] = data[field.name]
            elif field.name != "audio_widths":
                raise CheckpointError(f"{source} lacks the setting {field.name!r}")
        if "audio_widths" in values:
            values["audio_widths"] = tuple(int(w) for w in values["audio_widths"])
        if values["audioenc_name"] != "Cnn14":
            raise CheckpointError(f"{source}: audio encoder {values['audioenc_name']!r} unsupported (only Cnn14)")
        try:
            return cls(**values)
        except TypeError as exc:
            raise CheckpointError(f"{source}: {exc}") from None

    @classmethod
    def from_file(cls, path: Path) -> "ClapConfig":
        return cls.from_mapping(read_yaml(path, "CLAP config"), str(path))

    def to_mapping(self) -> dict[str, Any]:
        data = {field.name: getattr(self, field.name) for field in fields(self)}
        data["audio_widths"] = list(self.audio_widths)
        return data


class ClapModel(nn.Module):
    def __init__(self, config: ClapConfig, text_config: BertConfig, audio_device: str | None = None) -> None:
        """``audio_device="meta"`` builds the audio tower without random init (to be loaded)."""
        super().__init__()
        if text_config.hidden_size != config.transformer_embed_dim:
            raise CheckpointError(
                f"BERT hidden size {text_config.hidden_size} differs from the CLAP config's "
                f"transformer_embed_dim {config.transformer_embed_dim}"
            )
        with torch.device(audio_device) if audio_device else contextlib.nullcontext():
            base = Cnn14(
                sample_rate=config.sampling_rate,
                window_size=config.window_size,
                hop_size=config.hop_size,
                mel_bins=config.mel_bins,
                fmin=config.fmin,
                fmax=config.fmax,
                classes_num=config.num_classes,
                out_emb=config.out_emb,
                widths=config.audio_widths,
            )
            self.audio_encoder = ClapAudioEncoder(base, config.out_emb, config.d_proj)
        self.caption_encoder = ClapTextEncoder(text_config, config.d_proj)
        # Learned temperature of training; similarities here are plain cosines.
        self.logit_scale = nn.Parameter(torch.zeros([]))


def clap_state(state: dict[str, torch.Tensor], source: str) -> dict[str, torch.Tensor]:
    """The official state dict keyed as ClapModel's (legacy position ids consumed)."""
    if state and all(key.startswith("module.") for key in state):  # saved from a DataParallel wrapper
        state = {key[len("module.") :]: value for key, value in state.items()}
    text_prefix = "caption_encoder."
    converted = {key: value for key, value in state.items() if not key.startswith(text_prefix)}
    converted.update({text_prefix + k: v for k, v in text_encoder_state(state, text_prefix, source).items()})
    return converted


def load_clap(folder: Path, tokenizer_dir: Path | None = None) -> tuple[ClapModel, ClapConfig]:
    """ClapModel in eval mode from ``folder/{config.yml, CLAP_weights_2022.pth}``.

    ``tokenizer_dir`` (default ``folder/tokenizer``) may hold the BERT ``config.json``;
    without it the built-in bert-base-uncased architecture is used.
    """
    config = ClapConfig.from_file(folder / CONFIG_FILE)
    weights = folder / WEIGHTS_FILE
    state = read_torch_file(weights, "CLAP weights", entry="model")
    text_config = bert_config(config.text_model, tokenizer_dir if tokenizer_dir is not None else folder / "tokenizer")
    # BERT is built for real (it keeps index buffers outside its state dict); the
    # audio tower is all in the file, so it skips random initialisation.
    model = ClapModel(config, text_config, audio_device="meta")
    load_strict(model, clap_state(state, str(weights)), str(weights), assign=True)
    return model.float().eval(), config
