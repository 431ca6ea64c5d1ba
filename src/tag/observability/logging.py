"""Structured logs that carry the ``request_id`` of the request being handled.

The bot, web server and worker set ``request_id`` (a ``ContextVar``) while they
handle one request; asyncio tasks and ``asyncio.to_thread`` inherit it, so every
line logged on the way, in any module, names the request.  Operators follow one
request from the first user message to the delivered audio with
``grep <request_id>`` (or a JSON query) across the bot's and workers' logs.

On a terminal the lines stay human-readable; anywhere else (systemd, containers,
files) each line is one JSON object.
"""

from __future__ import annotations

import contextlib
import json
import logging
import sys
from contextvars import ContextVar
from datetime import datetime, timezone
from typing import IO, Iterator

request_id: ContextVar[str | None] = ContextVar("tag_request_id", default=None)

# Attributes every LogRecord has; anything else was passed with ``extra=`` and is
# worth keeping in the JSON line.
_STANDARD_ATTRS = frozenset(logging.makeLogRecord({}).__dict__) | {"message", "asctime", "request_id"}

# Libraries' chatter below WARNING is rarely what an operator wants.
_NOISY = ("aio_pika", "aiormq", "aiogram.event", "httpx", "urllib3", "filelock", "aiohttp.access")


@contextlib.contextmanager
def bound_request_id(value: object) -> Iterator[None]:
    """Log ``value`` as the request id of everything logged inside the block."""
    token = request_id.set(str(value) if value is not None else None)
    try:
        yield
    finally:
        request_id.reset(token)


class RequestIdFilter(logging.Filter):
    """Stamps ``record.request_id`` from the context (unless given with ``extra=``)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) is None:
            record.request_id = request_id.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request_id, extras."""

    def __init__(self, component: str | None = None) -> None:
        super().__init__()
        self.component = component

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if self.component:
            entry["component"] = self.component
        rid = getattr(record, "request_id", None)
        if rid is not None:
            entry["request_id"] = rid
        for key, value in record.__dict__.items():
            if key not in _STANDARD_ATTRS and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """The terminal format, with ``[request_id]`` when there is one."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s", datefmt="%H:%M:%S")

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        rid = getattr(record, "request_id", None)
        if rid is None:
            return line
        # Short ids keep terminal lines readable; JSON logs keep the full id.
        head, sep, tail = line.partition(": ")
        return f"{head} [{str(rid)[:8]}]{sep}{tail}"


def configure(
    level: str = "INFO", *, stream: IO[str] | None = None, json_lines: bool | None = None, component: str | None = None
) -> logging.Handler:
    """Replace the root handlers with one that writes to ``stream`` (stderr).

    ``json_lines=None`` chooses JSON unless ``stream`` is a terminal.
    """
    stream = stream if stream is not None else sys.stderr
    if json_lines is None:
        json_lines = not _is_terminal(stream)
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter(component) if json_lines else TextFormatter())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
        old.close()
    root.addHandler(handler)
    root.setLevel(level)
    for noisy in _NOISY:
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLevelName(level)))
    return handler


def _is_terminal(stream: IO[str]) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
