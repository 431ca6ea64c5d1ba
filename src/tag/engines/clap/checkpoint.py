"""Reading official checkpoint files and loading them strictly.

Shared by the CLAP towers and the BigVGAN vocoder: every file a user puts in the
model directory goes through here, so a missing file, a file that is not a
checkpoint, or a state dict that does not match the architecture key for key
all end in one :class:`CheckpointError` that names the file and the keys.
"""

from __future__ import annotations

import logging
import pickle
import zipfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import torch
import yaml
from torch import nn

from tag.engines.base import EngineError
from tag.engines.failures import describe

log = logging.getLogger(__name__)

# Error messages list at most this many keys; the rest are counted.
_SHOWN_KEYS = 12


class CheckpointError(EngineError):
    """An official model file is missing, unreadable or does not fit the model."""

    def __init__(self, message: str) -> None:
        super().__init__(message, code="model_files")


def require_file(path: Path, what: str, hint: str = "") -> Path:
    """``path`` if it is a file, else a CheckpointError saying what belongs there."""
    if not path.is_file():
        extra = f"; {hint}" if hint else ""
        raise CheckpointError(f"missing {what}: expected the file {path}{extra}")
    return path


def read_yaml(path: Path, what: str) -> dict[str, Any]:
    require_file(path, what)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise CheckpointError(f"{what} {path} is not valid YAML ({describe(exc)})") from None
    if not isinstance(data, dict):
        raise CheckpointError(f"{what} {path} should hold a mapping of settings, found {type(data).__name__}")
    return data


def _torch_load(path: Path, weights_only: bool) -> Any:
    # Zip-format files are memory-mapped: no second copy of the weights in RAM.
    mmap = zipfile.is_zipfile(path)
    return torch.load(path, map_location="cpu", weights_only=weights_only, mmap=mmap)


def read_torch_file(path: Path, what: str, entry: str | None = None) -> dict[str, torch.Tensor]:
    """The state dict stored in a ``torch.save`` file (optionally under ``entry``).

    Tensors and plain containers are unpickled safely (``weights_only``).  A file
    that also pickles other objects (training arguments, say) is read in full
    with a warning: it is the operator's own official file in the model folder.
    """
    require_file(path, what)
    try:
        try:
            data = _torch_load(path, weights_only=True)
        except pickle.UnpicklingError:
            log.warning("%s holds more than tensors; reading it with full unpickling", path.name)
            data = _torch_load(path, weights_only=False)
    except (pickle.UnpicklingError, zipfile.BadZipFile, EOFError, RuntimeError, ValueError, OSError) as exc:
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise CheckpointError(f"{what} {path} is not a readable PyTorch checkpoint ({first_line})") from None
    if entry is not None:
        if not isinstance(data, Mapping) or entry not in data:
            found = ", ".join(sorted(map(str, data))) if isinstance(data, Mapping) else type(data).__name__
            raise CheckpointError(f"{what} {path} has no {entry!r} entry (found: {found or 'nothing'})")
        data = data[entry]
    if not isinstance(data, Mapping) or not all(isinstance(v, torch.Tensor) for v in data.values()):
        raise CheckpointError(f"{what} {path} does not hold a state dict of tensors")
    return dict(data)


def strip_prefix(state: Mapping[str, torch.Tensor], prefix: str) -> dict[str, torch.Tensor]:
    """The entries under ``prefix``, with the prefix removed (other entries dropped)."""
    return {key[len(prefix) :]: value for key, value in state.items() if key.startswith(prefix)}


def _listing(keys: Iterable[str]) -> str:
    keys = sorted(keys)
    shown = ", ".join(keys[:_SHOWN_KEYS])
    more = len(keys) - _SHOWN_KEYS
    return shown + (f" and {more} more" if more > 0 else "")


def load_strict(module: nn.Module, state: Mapping[str, torch.Tensor], source: str, assign: bool = False) -> None:
    """Load ``state`` into ``module``: every key used, every shape equal, or a clear error.

    ``source`` names where the weights came from (file and prefix) for the message.
    ``assign`` adopts the given tensors instead of copying (for modules built on the
    meta device, which skips random initialisation); nothing may stay on meta.
    """
    expected = module.state_dict()
    missing = expected.keys() - state.keys()
    unexpected = state.keys() - expected.keys()
    wrong_shape = [
        f"{key} {tuple(state[key].shape)} (model wants {tuple(expected[key].shape)})"
        for key in expected.keys() & state.keys()
        if tuple(state[key].shape) != tuple(expected[key].shape)
    ]
    problems = []
    if missing:
        problems.append(f"missing keys: {_listing(missing)}")
    if unexpected:
        problems.append(f"unexpected keys: {_listing(unexpected)}")
    if wrong_shape:
        problems.append(f"shape mismatches: {_listing(wrong_shape)}")
    if problems:
        raise CheckpointError(f"{source} does not match the model architecture; " + "; ".join(problems))
    module.load_state_dict(state, strict=True, assign=assign)
    if assign:
        left = [name for name, t in [*module.named_parameters(), *module.named_buffers()] if t.is_meta]
        if left:
            raise CheckpointError(f"{source} leaves tensors without values: {_listing(left)}")
