"""One typed settings object for every TAG process.

Every field is read from an environment variable named ``TAG_<FIELD>`` (or a
``.env`` file).  Secrets are ``SecretStr`` so they never appear in reprs, logs or
validation errors.
"""

from __future__ import annotations

import ipaddress
import json
import os
from functools import cached_property
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit, urlunsplit

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

ENV_PREFIX = "TAG_"
DEFAULT_AMQP_URL = "amqp://guest:guest@127.0.0.1:5672/"
MEMORY_URL = "memory://"
PUBLIC_TELEGRAM_API = "https://api.telegram.org"


def _user_dir(kind: str, fallback: str) -> Path:
    """XDG-style per-user folder (``kind`` is CACHE or DATA)."""
    base = os.environ.get(f"XDG_{kind}_HOME")
    return (Path(base) if base else Path.home() / fallback) / "tag"


def redact_url(url: str) -> str:
    """The URL with any password replaced, safe to log."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = f"{parts.username}:***@{parts.hostname}"
    if parts.port:
        netloc += f":{parts.port}"
    return urlunsplit(parts._replace(netloc=netloc))


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX, env_file=".env", extra="ignore", validate_default=True
    )

    # Broker
    broker_url: SecretStr | None = Field(
        None, description="amqp://user:pass@host:port/vhost or memory://; unset = per command default"
    )
    request_queue: str = Field("RequestQueue", min_length=1, max_length=200)
    response_queue: str = Field("ResponseQueue", min_length=1, max_length=200)
    progress_exchange: str = Field("tag.progress", min_length=1, max_length=200)
    delivery_limit: int = Field(3, ge=1, le=100, description="deliveries before a request is dead-lettered")
    request_ttl: float = Field(600.0, gt=0, description="seconds a queued request stays worth generating")

    # Limits (enforced in tag.messages)
    max_duration: float = Field(30.0, ge=0.5, le=600.0, description="longest duration a user may ask for, s")

    # Worker
    worker_concurrency: int = Field(1, ge=1, le=64)
    # On SIGTERM a worker lets the job in hand finish this long, then requeues it.
    worker_grace: float = Field(30.0, ge=0, le=3600, description="seconds a stopping worker waits for the job in hand")
    engine: str = Field("auto", min_length=1)
    # Extra modules to import at start-up; each registers engines (plugins, tests).
    engine_plugins: list[str] = Field(default_factory=list)
    model_dir: Path = Field(default_factory=lambda: _user_dir("CACHE", ".cache") / "models")
    device: Literal["cpu", "cuda", "mps", "auto"] = "cpu"
    dtype: Literal["float32", "float16", "bfloat16"] = "float32"

    # Telegram bot
    telegram_token: SecretStr | None = None
    telegram_api_url: str = PUBLIC_TELEGRAM_API
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    allowed_users: list[int] = Field(default_factory=list)
    request_timeout: float = Field(300.0, gt=0, description="seconds the bot waits for a response")
    bot_db_path: Path | None = Field(None, description="bot state SQLite file; unset = <data_dir>/bot.sqlite3")
    bot_rate_limit: int = Field(10, ge=0, description="requests a user may send per bot_rate_window; 0 = no limit")
    bot_rate_window: float = Field(60.0, gt=0, description="seconds of the per-user rate limit window")
    bot_progress_interval: float = Field(2.0, ge=0, description="least seconds between status message edits")
    webhook_host: str = Field("127.0.0.1", description="address the webhook server listens on")
    webhook_port: int = Field(8081, ge=0, le=65535, description="port the webhook server listens on")

    # Storage and web
    data_dir: Path = Field(default_factory=lambda: _user_dir("DATA", ".local/share"))
    web_host: str = "127.0.0.1"
    web_port: int = Field(8000, ge=0, le=65535)
    api_keys: list[SecretStr] = Field(default_factory=list)
    web_retention_hours: float = Field(24.0, gt=0, description="hours a web generation and its audio are kept")
    web_rate_per_minute: float = Field(20.0, gt=0, description="generations a web client may start per minute")
    web_rate_burst: int = Field(10, ge=1, description="generations a web client may start at once")
    web_max_body_bytes: int = Field(16384, ge=1024, description="largest accepted HTTP request body")
    web_worker_max_age: float = Field(15.0, gt=0, description="seconds after its last heartbeat a worker counts as gone")
    # Reverse proxies whose X-Forwarded-For the web server believes; read as a
    # comma-separated list or a JSON list (NoDecode: the validator parses both).
    trusted_proxies: Annotated[list[ipaddress.IPv4Network | ipaddress.IPv6Network], NoDecode] = Field(
        default_factory=list, description="addresses or CIDR networks of reverse proxies; empty = trust none"
    )

    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"

    # Operations: metrics/health endpoint of this process and back-pressure.
    metrics_host: str = "127.0.0.1"
    metrics_port: int | None = Field(
        None, ge=0, le=65535, description="port for /metrics, /healthz, /readyz of this process; unset = off, 0 = any"
    )
    max_queue_per_user: int = Field(3, ge=1, description="requests one user may have waiting or generating")
    max_queue_total: int = Field(1000, ge=1, description="requests waiting in the queue beyond which users are told the service is busy")

    @field_validator("telegram_api_url")
    @classmethod
    def _strip_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @field_validator("broker_url")
    @classmethod
    def _known_scheme(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None:
            scheme = urlsplit(value.get_secret_value()).scheme
            if scheme not in ("amqp", "amqps", "memory"):
                raise ValueError("must start with amqp://, amqps:// or memory://")
        return value

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _proxy_networks(cls, value: object) -> object:
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("["):
                try:
                    value = json.loads(text)
                except json.JSONDecodeError:
                    raise ValueError("must be a JSON list or a comma-separated list of addresses") from None
            else:
                value = [part for part in (p.strip() for p in text.split(",")) if part]
        if not isinstance(value, (list, tuple)):
            raise ValueError("must be a list of addresses or CIDR networks such as 10.0.0.0/8")
        networks = []
        for item in value:
            try:
                networks.append(ipaddress.ip_network(str(item).strip(), strict=False))
            except ValueError:
                raise ValueError(f"{str(item)[:60]!r} is not an address or CIDR network such as 10.0.0.0/8") from None
        return networks

    def broker(self, default: str = DEFAULT_AMQP_URL) -> str:
        """The broker URL to use, with the command's default when unset."""
        return self.broker_url.get_secret_value() if self.broker_url else default

    @cached_property
    def dead_letter_queue(self) -> str:
        return f"{self.request_queue}.dlq"


class SettingsError(Exception):
    """Start-up configuration problem, phrased in terms of environment variables."""


def load_settings(**overrides: object) -> Settings:
    """Read and validate settings; errors name the offending ``TAG_`` variable."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        lines = []
        for error in exc.errors(include_input=False, include_url=False):
            field = str(error["loc"][0]) if error["loc"] else "?"
            lines.append(f"{ENV_PREFIX}{field.upper()}: {error['msg']}")
        raise SettingsError("invalid configuration:\n  " + "\n  ".join(lines)) from None
