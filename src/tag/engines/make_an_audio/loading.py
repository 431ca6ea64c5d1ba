"""Loading the official checkpoint into diffusers modules, with a converted cache.

The first start reads ``maa1_full.ckpt`` (a pickled Lightning checkpoint), converts
it strictly (see ``convert``) and writes the three parts as safetensors under
``converted/``; later starts read those directly (memory-mapped, no pickle).  The
cache is keyed by the checkpoint's size and modification time, the architecture
and the converter version, so a replaced file or config is converted again.
"""

from __future__ import annotations

import hashlib
import json
import logging
import pickle
import shutil
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import torch

from tag.engines.base import EngineError
from tag.engines.failures import describe
from tag.engines.make_an_audio.architecture import (
    Architecture,
    architecture_from_dict,
    architecture_to_dict,
    autoencoder_config,
    infer_architecture,
    load_architecture,
    unet_config,
)
from tag.engines.make_an_audio.convert import ConversionError, check_against, split_checkpoint, text_state_for
from tag.engines.make_an_audio.layout import ModelFiles

log = logging.getLogger(__name__)

CONVERTER_VERSION = 1
TEXT_LENGTH = 77  # the reference tokenizer pads/truncates every prompt to 77 tokens

TextEncoderFactory = Callable[[Path, int], torch.nn.Module]
"""Builds the (untrained) CLAP text tower from the BERT folder and the projection width."""


class CheckpointError(EngineError):
    def __init__(self, message: str) -> None:
        super().__init__(message, code="bad_weights")


@dataclass
class Components:
    """The trained networks of one Make-An-Audio checkpoint, ready for inference."""

    arch: Architecture
    unet: Any  # diffusers UNet2DConditionModel
    autoencoder: Any  # diffusers AutoencoderKL
    text_encoder: torch.nn.Module
    tokenizer: Any  # transformers BertTokenizer
    scale_factor: float


def default_text_encoder(bert_dir: Path, d_proj: int) -> torch.nn.Module:
    """The shared CLAP text tower (BERT + projection); BERT shaped by
    ``bert_dir/config.json`` when present, else bert-base-uncased."""
    from tag.engines.clap.text import BERT_BASE_UNCASED, ClapTextEncoder, bert_config

    return ClapTextEncoder(bert_config(BERT_BASE_UNCASED, bert_dir), d_proj)


def _torch_load(path: Path, weights_only: bool) -> Any:
    if zipfile.is_zipfile(path):  # memory-mapped: no copy of the 2 GB file in RAM
        return torch.load(path, map_location="cpu", weights_only=weights_only, mmap=True)
    return torch.load(path, map_location="cpu", weights_only=weights_only)


def read_checkpoint(path: Path) -> dict[str, torch.Tensor]:
    """The ``state_dict`` of a Lightning checkpoint, with errors that name the file."""
    try:
        try:
            blob = _torch_load(path, weights_only=True)
        except pickle.UnpicklingError:
            # Lightning checkpoints may pickle their hyper-parameters (config objects);
            # this is the user's own official file, read once and then cached as safetensors.
            log.warning("%s holds more than tensors; reading it with full unpickling", path.name)
            blob = _torch_load(path, weights_only=False)
    except (RuntimeError, EOFError, zipfile.BadZipFile, pickle.UnpicklingError, OSError, ValueError) as exc:
        raise CheckpointError(
            f"cannot read {path}: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}; "
            "the file is damaged or not a PyTorch checkpoint (download it again)"
        ) from None
    state = blob.get("state_dict", blob) if isinstance(blob, dict) else None
    if not isinstance(state, dict) or not all(isinstance(v, torch.Tensor) for v in state.values()):
        raise CheckpointError(f"{path} holds no state_dict of tensors: it is not an official checkpoint")
    return state


def _cache_key(files: ModelFiles) -> str:
    stat = files.checkpoint.stat()
    config = files.config.read_text(encoding="utf-8") if files.config.is_file() else ""
    text = json.dumps([CONVERTER_VERSION, stat.st_size, stat.st_mtime_ns, config])
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _build(factory: Callable[[], torch.nn.Module]) -> torch.nn.Module:
    # Skipping random initialisation: every parameter is overwritten by the load.
    with torch.device("meta"):
        return factory()


def _load_strict(model: torch.nn.Module, state: dict[str, torch.Tensor], what: str) -> torch.nn.Module:
    check_against(model, state, what)
    # Own copies: tensors read with mmap stay backed by the file, which may be
    # replaced while we run.
    state = {k: v.detach().clone(memory_format=torch.contiguous_format) for k, v in state.items()}
    model.load_state_dict(state, strict=True, assign=True)
    leftover = [name for name, t in [*model.named_parameters(), *model.named_buffers()] if t.is_meta]
    if leftover:
        raise ConversionError(f"{what}: tensors not filled by the checkpoint: {', '.join(leftover[:8])}")
    return model.eval().requires_grad_(False)


def _read_cache(cache: Path, parts: dict[str, Path]) -> tuple[dict[str, dict[str, torch.Tensor]], float, Architecture] | None:
    """The converted weights, scale factor and architecture kept in ``cache``; None
    when there are none, or when they cannot be read: the cache is ours, so a
    damaged one is removed and converted again rather than reported."""
    from safetensors.torch import load_file

    meta_path = cache / "meta.json"
    if not meta_path.is_file() or not all(p.is_file() for p in parts.values()):
        return None
    try:
        states = {name: load_file(str(path)) for name, path in parts.items()}
        meta = json.loads(meta_path.read_text())
        return states, float(meta["scale_factor"]), architecture_from_dict(meta["architecture"])
    except Exception as exc:  # safetensors, JSON and key errors alike: any damage
        log.warning("the converted weights in %s are unreadable (%s); converting again", cache, describe(exc))
        shutil.rmtree(cache, ignore_errors=True)
        return None


def load_components(
    files: ModelFiles,
    *,
    text_encoder_factory: TextEncoderFactory = default_text_encoder,
    use_cache: bool = True,
) -> Components:
    """Read (or convert once and cache) the official weights into diffusers modules."""
    from diffusers import AutoencoderKL, UNet2DConditionModel
    from safetensors.torch import save_file

    from tag.engines.clap.text import load_tokenizer

    files.check()
    cache = files.converted_dir / _cache_key(files)
    parts = {name: cache / f"{name}.safetensors" for name in ("unet", "autoencoder", "text")}
    meta_path = cache / "meta.json"

    cached = _read_cache(cache, parts) if use_cache else None
    if cached is not None:
        states, scale_factor, arch = cached
    else:
        state = read_checkpoint(files.checkpoint)
        # The reference config beside the checkpoint if there is one, else the
        # sizes read off the checkpoint (head count etc. from the reference config).
        arch = load_architecture(files.config) if files.config.is_file() else infer_architecture(state)
        split = split_checkpoint(state, arch)
        states = {"unet": split.unet, "autoencoder": split.autoencoder, "text": split.text}
        scale_factor = split.scale_factor
    # Built for real (not on the meta device): BERT keeps non-persistent index buffers.
    text_encoder = text_encoder_factory(files.bert_dir, arch.unet.context_dim)
    text_state = text_state_for(text_encoder, states["text"])
    check_against(text_encoder, text_state, "text encoder")
    text_encoder.load_state_dict(text_state, strict=True)
    text_encoder.eval().requires_grad_(False)
    unet = _load_strict(_build(lambda: UNet2DConditionModel(**unet_config(arch.unet))), states["unet"], "UNet")
    vae = _load_strict(
        _build(lambda: AutoencoderKL(**autoencoder_config(arch.autoencoder))), states["autoencoder"], "autoencoder"
    )
    if use_cache and not meta_path.is_file():
        try:
            cache.mkdir(parents=True, exist_ok=True)
            for name, path in parts.items():
                tensors = {k: v.contiguous() for k, v in states[name].items()}
                save_file(tensors, str(path.with_suffix(".tmp")))
                path.with_suffix(".tmp").replace(path)
            meta = {"scale_factor": scale_factor, "converter": CONVERTER_VERSION}
            meta_path.write_text(json.dumps({**meta, "architecture": architecture_to_dict(arch)}))
        except OSError as exc:  # a read-only model folder only costs start-up time
            log.warning("could not cache converted weights in %s: %s", cache, exc)
    tokenizer = load_tokenizer(files.bert_dir)
    return Components(arch, unet, vae, text_encoder, tokenizer, scale_factor)
