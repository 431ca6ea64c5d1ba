"""Where peer weights live, whether they are complete, and how to fetch them.

Each engine reads ``settings.model_dir/<engine name>`` laid out exactly as the
model is published (a diffusers pipeline folder with ``model_index.json``, or a
transformers folder with ``config.json``), so a folder copied from anywhere works.
Downloads go through ``huggingface_hub.snapshot_download`` and honour
``HF_HUB_OFFLINE``; gated models need their licence accepted and a token.
"""

from __future__ import annotations

import json
import os
from pathlib import Path, PurePosixPath

from tag.engines.base import EngineError
from tag.engines.peers.catalog import PeerModel

_WEIGHT_SUFFIXES = (".safetensors", ".bin")
_TOKENIZER_FILES = ("tokenizer.json", "spiece.model", "vocab.json")
_TRUE = ("1", "true", "yes", "on")


def model_folder(model: PeerModel, model_dir: Path) -> Path:
    return model_dir / model.name


def _has_weights(folder: Path) -> bool:
    return any(p.suffix in _WEIGHT_SUFFIXES for p in folder.iterdir() if p.is_file())


def missing_files(model: PeerModel, folder: Path) -> list[str]:
    """What is absent from ``folder`` for ``model`` to load; empty when complete."""
    if not folder.is_dir():
        return [f"{folder}/ (the folder itself)"]
    if model.family == "diffusers":
        index = folder / "model_index.json"
        if not index.is_file():
            return ["model_index.json"]
        try:
            components = json.loads(index.read_text())
        except (OSError, ValueError):
            return ["model_index.json (unreadable)"]
        missing = []
        for name, value in components.items():
            if name.startswith("_") or not isinstance(value, list) or value[0] is None:
                continue
            sub = folder / name
            if not sub.is_dir() or not any(sub.iterdir()):
                missing.append(f"{name}/")
            # A component with a model config must also have its weights, and
            # weights their config (without one the library builds a default-sized
            # network and fails on the first mismatch).
            elif (sub / "config.json").is_file() and not _has_weights(sub):
                missing.append(f"{name}/*.safetensors")
            elif _has_weights(sub) and not (sub / "config.json").is_file():
                missing.append(f"{name}/config.json")
            # Without its vocabulary a tokenizer loads empty, and every prompt with it.
            elif name.startswith("tokenizer") and not any((sub / f).is_file() for f in _TOKENIZER_FILES):
                missing.append(f"{name}/tokenizer.json")
        return missing
    missing = [] if (folder / "config.json").is_file() else ["config.json"]
    # Published folders carry preprocessor_config.json; newer transformers save processor_config.json.
    if not any((folder / f).is_file() for f in ("preprocessor_config.json", "processor_config.json")):
        missing.append("preprocessor_config.json")
    if (folder / "config.json").is_file() and not _has_weights(folder):
        missing.append("model*.safetensors")
    if not any((folder / f).is_file() for f in _TOKENIZER_FILES):
        missing.append("tokenizer.json")
    return missing


def is_present(model: PeerModel, model_dir: Path) -> bool:
    return not missing_files(model, model_folder(model, model_dir))


def folder_size(folder: Path) -> int:
    """Bytes used by the files under ``folder`` (0 when absent)."""
    if not folder.is_dir():
        return 0
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def offline() -> bool:
    return os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in _TRUE


def require_present(model: PeerModel, model_dir: Path) -> Path:
    """The model's folder, or an ``EngineError`` naming what is missing and the fix."""
    folder = model_folder(model, model_dir)
    missing = missing_files(model, folder)
    if missing:
        raise EngineError(
            f"engine {model.name!r}: the weights in {folder} are incomplete (missing: {', '.join(missing)}); "
            f"run `tag models download {model.name}`" + _licence_hint(model),
            code="engine_unavailable",
        )
    return folder


def _licence_hint(model: PeerModel) -> str:
    if not model.gated:
        return f" (licence: {model.licence})"
    return (
        f". {model.model_id} is gated: accept its licence on the model's page on the Hugging Face Hub "
        f"({model.licence}) and provide an access token (HF_TOKEN or `hf auth login`)"
    )


def choose_files(model: PeerModel, files: list[str]) -> list[str]:
    """The repository files an engine needs: configs, tokenisers and one weight format.

    Repositories often carry the same weights several times (``.bin`` and
    ``.safetensors``, fp16 variants, original single-file checkpoints); we fetch
    safetensors where a folder has them and nothing else twice.
    """
    chosen: list[str] = []
    by_folder: dict[str, list[str]] = {}
    for name in files:
        path = PurePosixPath(name)
        folder = str(path.parent)
        nested = folder != "."
        # Diffusers pipelines keep every component in a sub-folder; root-level
        # checkpoints there are the original (non-diffusers) format.
        if model.family == "diffusers" and not nested and name != "model_index.json":
            continue
        if model.family == "musicgen" and nested:
            continue
        if ".fp16." in name or path.suffix in (".msgpack", ".h5", ".onnx", ".ckpt", ".pt", ".pth"):
            continue
        if path.suffix in _WEIGHT_SUFFIXES:
            by_folder.setdefault(folder, []).append(name)
        elif path.suffix in (".json", ".txt", ".model"):
            chosen.append(name)
    for names in by_folder.values():
        safe = [n for n in names if n.endswith(".safetensors")]
        chosen.extend(safe or names)
    return sorted(chosen)


def download(model: PeerModel, model_dir: Path) -> Path:
    """Fetch ``model`` into ``model_dir/<name>``; idempotent, resumes partial downloads."""
    folder = model_folder(model, model_dir)
    if is_present(model, model_dir):
        return folder
    if offline():
        raise EngineError(
            f"engine {model.name!r}: weights are missing from {folder} and HF_HUB_OFFLINE is set, so nothing "
            f"can be downloaded. Unset HF_HUB_OFFLINE and run `tag models download {model.name}`, or copy the "
            f"{model.model_id} folder (its published layout) to {folder}",
            code="offline",
        )
    try:
        from huggingface_hub import HfApi, snapshot_download
        from huggingface_hub.errors import GatedRepoError, HfHubHTTPError, RepositoryNotFoundError
    except ImportError as exc:  # the ML extras are not installed
        raise EngineError(f"downloading needs huggingface_hub ({exc}); install tag[ml]", code="missing_dependency")
    try:
        files = HfApi().list_repo_files(model.model_id)
        snapshot_download(model.model_id, local_dir=folder, allow_patterns=choose_files(model, files))
    except GatedRepoError:
        raise EngineError(f"engine {model.name!r}: download refused" + _licence_hint(model), code="gated") from None
    except RepositoryNotFoundError:
        raise EngineError(
            f"engine {model.name!r}: {model.model_id} was not found (or needs a token)" + _licence_hint(model),
            code="not_found",
        ) from None
    except (HfHubHTTPError, OSError) as exc:
        raise EngineError(f"engine {model.name!r}: download of {model.model_id} failed: {exc}", code="download_failed") from None
    except Exception as exc:  # connection errors come from the HTTP client, whose types vary
        raise EngineError(f"engine {model.name!r}: download of {model.model_id} failed: {type(exc).__name__}: {exc}", code="download_failed") from None
    return require_present(model, model_dir)
