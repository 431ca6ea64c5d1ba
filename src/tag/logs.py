"""Logging set-up shared by every command."""

from __future__ import annotations

from tag.observability.logging import configure


def setup_logging(level: str = "INFO") -> None:
    # JSON lines with the request id when stderr is not a terminal, plain text on
    # one; see tag.observability.logging.
    configure(level)
