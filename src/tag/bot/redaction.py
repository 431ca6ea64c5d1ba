"""Keep secrets (the bot token, the webhook secret) out of every log line.

Our own code never formats the token into a message, but libraries may (a URL
in an exception text); this filter rewrites any record that contains one.
"""

from __future__ import annotations

import logging

from pydantic import SecretStr

MASK = "***"


class SecretFilter(logging.Filter):
    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        self.secrets = [s for s in secrets if s]
        self._handlers: list[logging.Handler] = []

    @classmethod
    def install(cls, secrets: list[SecretStr | None]) -> "SecretFilter":
        """Attach to every handler of the root logger (where all records end up)."""
        self = cls([s.get_secret_value() for s in secrets if s is not None])
        for handler in logging.getLogger().handlers:
            handler.addFilter(self)
            self._handlers.append(handler)
        return self

    def remove(self) -> None:
        for handler in self._handlers:
            handler.removeFilter(self)
        self._handlers.clear()

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        text = message
        for secret in self.secrets:
            text = text.replace(secret, MASK)
        if record.exc_info and record.exc_info[1] is not None:
            # Exception texts are formatted later; pre-render them redacted.
            exc_text = logging.Formatter().formatException(record.exc_info)
            for secret in self.secrets:
                exc_text = exc_text.replace(secret, MASK)
            record.exc_text, record.exc_info = exc_text, None
        if text != message:
            record.msg, record.args = text, None
        return True
