"""What goes wrong inside the model libraries, as ``EngineError``s a user can act on.

torch, safetensors, diffusers, transformers and yaml report the same few causes
(a missing or truncated file, a config that does not parse, a class that does not
fit) with many exception types, and they are not ours to change.  So each engine
family wraps its loading in :func:`loading` and its generation in
:func:`generating`, instead of catching at each call: whatever escapes becomes one
``EngineError`` that names the folder and, when the files show it, the damaged file.
"""

from __future__ import annotations

import importlib
import json
import logging
import struct
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tag.engines.base import EngineError

log = logging.getLogger(__name__)

# Longest library message quoted in an error; the full one is in the log.
QUOTE_LIMIT = 300
_TORCH_SUFFIXES = (".bin", ".pt", ".pth", ".ckpt")
_YAML_SUFFIXES = (".yml", ".yaml")


def quote(text: str) -> str:
    """``text`` on one line, shortened to ``QUOTE_LIMIT`` characters."""
    text = " ".join(text.split())
    return text if len(text) <= QUOTE_LIMIT else text[: QUOTE_LIMIT - 1] + "…"


def describe(exc: BaseException) -> str:
    """The exception's type and message, quoted."""
    text = quote(str(exc))
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _safetensors_problem(path: Path) -> str | None:
    # Layout: an 8-byte little-endian header length, a JSON header giving each
    # tensor's byte range, then the data; a complete file ends at the last range.
    size = path.stat().st_size
    with path.open("rb") as handle:
        prefix = handle.read(8)
        if len(prefix) < 8:
            return f"is truncated ({size} bytes, too short for a safetensors file)"
        (header_size,) = struct.unpack("<Q", prefix)
        if header_size > size - 8:
            return f"is truncated or not a safetensors file ({size} bytes, shorter than the header it announces)"
        try:
            header = json.loads(handle.read(header_size))
            ends = [entry["data_offsets"][1] for key, entry in header.items() if key != "__metadata__"]
        except (ValueError, TypeError, KeyError, IndexError, AttributeError):
            return "is corrupted (its safetensors header does not parse)"
    expected = 8 + header_size + max(ends, default=0)
    if size < expected:
        return f"is truncated ({size} of {expected} bytes)"
    return None


def _file_problem(path: Path) -> str | None:
    """Why ``path`` cannot be what its name says, or None when nothing shows."""
    suffix = path.suffix.lower()
    if suffix == ".json":
        try:
            json.loads(path.read_bytes())
        except ValueError as exc:
            return f"is not valid JSON ({describe(exc)})"
    elif suffix in _YAML_SUFFIXES:
        import yaml

        try:
            yaml.safe_load(path.read_bytes())
        except yaml.YAMLError as exc:
            return f"is not valid YAML ({describe(exc)})"
    elif suffix == ".safetensors":
        return _safetensors_problem(path)
    elif suffix in _TORCH_SUFFIXES:
        if path.stat().st_size == 0:
            return "is empty"
        with path.open("rb") as handle:
            is_zip_start = handle.read(4) == b"PK\x03\x04"
        # torch.save writes zip archives; one that starts as a zip but has no
        # central directory at its end was cut short.
        if is_zip_start and not zipfile.is_zipfile(path):
            return "is truncated or corrupted (an incomplete zip archive)"
    return None


def damaged_files(folder: Path) -> list[str]:
    """``"<file> <problem>"`` for each config or weights file under ``folder`` that is
    visibly broken (JSON or YAML that does not parse, cut-short weights)."""
    found = []
    for path in sorted(folder.rglob("*")):
        try:
            problem = _file_problem(path) if path.is_file() else None
        except OSError as exc:
            problem = f"cannot be read ({describe(exc)})"
        if problem:
            found.append(f"{path.relative_to(folder)} {problem}")
    return found


def load_failure(what: str, folder: Path, exc: BaseException, download: str | None = None) -> EngineError:
    """The error for ``exc``, raised while loading ``what`` from ``folder``."""
    # The library's traceback helps only to debug the library; the message keeps
    # its type and text, and the traceback is there at log level DEBUG.
    log.debug("loading %s from %s failed", what, folder, exc_info=exc)
    damaged = damaged_files(folder) if folder.is_dir() else []
    if damaged:
        fix = f"; delete the damaged files and run `tag models download {download}`" if download else ""
        problem = "; ".join(damaged) + fix
    else:
        problem = describe(exc)
    return EngineError(f"{what}: cannot load the model in {folder}: {problem}", code="load_failed")


# The model libraries log through their own stderr handlers, not ours.
_LIBRARY_LOGGERS = ("diffusers", "transformers")


class _Held(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def _library_loggers() -> list[logging.Logger]:
    loggers = []
    for name in _LIBRARY_LOGGERS:
        try:
            library_logging = importlib.import_module(f"{name}.utils.logging")
        except ImportError:  # the ML extras are not installed
            continue
        # The library installs its stderr handler on first use: now, not mid-load.
        library_logging.get_logger(name)
        loggers.append(logging.getLogger(name))
    return loggers


@contextmanager
def _library_logs_held() -> Iterator[_Held]:
    """The libraries' log records, held back while inside and then given back to
    their loggers (the caller empties ``records`` to drop them)."""
    held = _Held()
    saved = []
    for logger in _library_loggers():
        saved.append((logger, logger.handlers[:], logger.propagate))
        logger.handlers, logger.propagate = [held], False
    try:
        yield held
    finally:
        for logger, handlers, propagate in saved:
            logger.handlers, logger.propagate = handlers, propagate
        for record in held.records:
            logging.getLogger(record.name).handle(record)


@contextmanager
def loading(what: str, folder: Path, download: str | None = None) -> Iterator[None]:
    """Any failure inside becomes an ``EngineError`` naming ``folder`` and the problem.

    ``what`` starts the message (``engine 'audioldm'``).  ``EngineError``s raised
    inside pass unchanged: they already say what is wrong.  ``download`` is the
    engine name for ``tag models download``, when there is one.  What the
    libraries log meanwhile is shown after a successful load, as they would show
    it; after a failure it goes to DEBUG, so the error stands alone.
    """
    with _library_logs_held() as held:
        try:
            yield
        except Exception as exc:
            for record in held.records:
                log.debug("while loading %s: %s: %s", what, record.name, record.getMessage())
            held.records.clear()
            if isinstance(exc, EngineError):
                raise
            raise load_failure(what, Path(folder), exc, download) from exc


@contextmanager
def generating(engine: str) -> Iterator[None]:
    """Failures of the model libraries during generation, as ``EngineError``s.

    ``ValueError`` is what the pipelines raise for arguments they refuse, so it is
    a bad request; anything else is logged with its traceback (it may be a bug,
    ours or a library's) and reported without one.
    """
    try:
        yield
    except EngineError:
        raise
    except ValueError as exc:
        raise EngineError(f"{engine}: {quote(str(exc))}", code="bad_request") from None
    except Exception as exc:
        log.exception("%s: generation failed", engine)
        raise EngineError(f"{engine}: the generation failed ({describe(exc)})", code="engine_failed") from exc
