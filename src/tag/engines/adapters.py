"""Fine-tuned adapters (``tag finetune``) as an engine option: where they live, what they are.

An adapter folder holds either a LoRA adapter in peft's ``save_pretrained`` format
(``adapter_config.json`` + ``adapter_model.safetensors``) or a fully fine-tuned
UNet (``unet.safetensors``), and always ``tag_adapter.json`` naming the engine and
UNet architecture it was trained on, so that a worker refuses an adapter made for
another model with a sentence instead of a shape error.

Requests name adapters (``options.adapter``): a folder of ``TAG_MODEL_DIR/adapters/``
and nothing else (see ``tag.messages.check_adapter_name``); only the command line's
``tag generate --adapter`` may also give a local path.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

from tag.engines.base import EngineError
from tag.messages import LimitError, check_adapter_name

ADAPTERS_FOLDER = "adapters"  # under TAG_MODEL_DIR
META_FILE = "tag_adapter.json"
LORA_WEIGHTS = "adapter_model.safetensors"
LORA_CONFIG = "adapter_config.json"
FULL_WEIGHTS = "unet.safetensors"
RUN_ADAPTER = "adapter"  # the final adapter's folder inside a ``tag finetune`` run
FORMAT_VERSION = 1

AdapterKind = Literal["lora", "full"]


class AdapterError(EngineError):
    def __init__(self, message: str) -> None:
        super().__init__(message, code="bad_options")


@dataclass(frozen=True)
class AdapterMeta:
    """``tag_adapter.json``: what the adapter was trained on and how."""

    kind: AdapterKind
    base_engine: str
    unet: dict[str, Any]  # the UNet architecture (architecture.UNetArch as a dict)
    steps: int = 0
    dataset: str = ""
    extra: dict[str, Any] = field(default_factory=dict)  # training options, for the record
    version: int = FORMAT_VERSION

    def write(self, folder: Path) -> None:
        (folder / META_FILE).write_text(json.dumps(asdict(self), indent=2), encoding="utf-8")

    @classmethod
    def read(cls, folder: Path) -> "AdapterMeta":
        path = folder / META_FILE
        if not path.is_file():
            raise AdapterError(f"{folder} is not an adapter folder: it has no {META_FILE} (made by `tag finetune`)")
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            meta = cls(**data)
        except (ValueError, TypeError) as exc:
            raise AdapterError(f"{path} is damaged: {exc}") from None
        if meta.kind not in ("lora", "full"):
            raise AdapterError(f"{path}: unknown adapter kind {meta.kind!r}")
        weights = folder / (LORA_WEIGHTS if meta.kind == "lora" else FULL_WEIGHTS)
        if not weights.is_file():
            raise AdapterError(f"the adapter in {folder} lacks its weights file {weights.name}")
        return meta

    @property
    def weights_name(self) -> str:
        return LORA_WEIGHTS if self.kind == "lora" else FULL_WEIGHTS


def adapters_root(model_dir: Path) -> Path:
    return Path(model_dir) / ADAPTERS_FOLDER


def named_adapter(model_dir: Path, name: str) -> Path:
    """The folder of the adapter ``name`` under ``model_dir/adapters``; AdapterError
    for a name that is a path or names no adapter there."""
    try:
        name = check_adapter_name(name)
    except LimitError as exc:
        raise AdapterError(str(exc)) from None
    root = adapters_root(model_dir)
    folder = root / name
    if not folder.is_dir():
        known = sorted(p.name for p in root.iterdir() if (p / META_FILE).is_file()) if root.is_dir() else []
        listed = ", ".join(known) if known else "none"
        raise AdapterError(f"unknown adapter {name!r}: there is no folder {folder} (adapters here: {listed})")
    return folder


def local_adapter(path: Path) -> Path:
    """A local adapter folder for the command line: the folder itself, or a
    ``tag finetune`` run folder (its final ``adapter/``)."""
    path = Path(path)
    if (path / META_FILE).is_file():
        return path
    if (path / RUN_ADAPTER / META_FILE).is_file():
        return path / RUN_ADAPTER
    if path.is_dir():
        raise AdapterError(
            f"{path} holds no adapter ({META_FILE}); give a `tag finetune` run folder that has finished, "
            f"or its {RUN_ADAPTER}/ folder"
        )
    raise AdapterError(f"no adapter at {path}: the folder does not exist")


def resolve_adapter(model_dir: Path, adapter: str | Path) -> Path:
    """A request's adapter name (str) or a command line's local folder (Path)."""
    if isinstance(adapter, Path):
        return local_adapter(adapter)
    return named_adapter(model_dir, adapter)


def takes_adapters(engine: object) -> bool:
    """Whether ``engine.generate`` accepts ``adapter=``."""
    return bool(getattr(engine, "takes_adapters", False))


def refuse_adapter(engine: str) -> AdapterError:
    return AdapterError(f"the engine {engine!r} takes no adapters; adapters are for make-an-audio")
