"""One typed settings object for every TAG process.

Every field is read from an environment variable named ``TAG_<FIELD>`` (or a
``.env`` file).  Secrets are ``SecretStr`` so they never appear in reprs, logs or
validation errors.
"""

from __future__ import annotations

import ipaddress
import json
import os
import re
from functools import cached_property
from pathlib import Path
from typing import Annotated, Literal, TypeVar
from urllib.parse import urlsplit, urlunsplit

from pydantic import BeforeValidator, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from pydantic_settings import SettingsError as SourceError

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


LIST_FORM = "comma-separated values (a,b) or a JSON list ([\"a\", \"b\"])"


def split_list(value: object) -> object:
    """A list setting as written in the environment: comma-separated or a JSON list.

    Strings starting with ``[`` must be JSON; anything else is split on commas
    (blanks dropped), so ``TAG_API_KEYS=k1,k2`` and ``TAG_API_KEYS='["k1","k2"]'``
    mean the same.  Values that are not strings (overrides in code) pass through.
    """
    if not isinstance(value, str):
        return value
    text = value.strip()
    if text.startswith("["):
        try:
            return json.loads(text)
        except json.JSONDecodeError:
            raise ValueError("starts with [ but is not a valid JSON list") from None
    return [item.strip() for item in text.split(",") if item.strip()]


T = TypeVar("T")
# A list field read from one environment variable (``EnvList[int]``, ``EnvList[str]``):
# pydantic-settings' own JSON decoding is off so that ``split_list`` sees the raw text.
EnvList = Annotated[list[T], NoDecode, BeforeValidator(split_list)]


def check_broker_url(url: str) -> None:
    """Raise ``ValueError`` unless ``url`` is a usable broker URL (never quoting it: it holds a password)."""
    parts = urlsplit(url)
    if parts.scheme == "memory":
        return
    if parts.scheme not in ("amqp", "amqps"):
        raise ValueError("must start with amqp://, amqps:// or memory://")
    if not parts.hostname:
        raise ValueError("names no host")
    try:
        port = parts.port
    except ValueError:
        port = 0
    if port is not None and not 1 <= port <= 65535:
        raise ValueError("has a port that is not a number from 1 to 65535")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX, env_file=".env", extra="ignore", validate_default=True
    )

    # Broker
    broker_url: SecretStr | None = Field(
        None, description="amqp://user:password@host:port/vhost or memory://; unset = per command default"
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
    # Requests for the same engine sampled together (engines with generate_batch); the
    # worker then holds up to this many unacked requests and waits briefly for batch mates.
    worker_batch: int = Field(1, ge=1, le=64, description="requests sampled in one batch")
    worker_batch_wait: float = Field(0.05, ge=0, le=10, description="seconds a worker waits to fill a batch")
    # On SIGTERM a worker lets the job in hand finish this long, then requeues it.
    worker_grace: float = Field(30.0, ge=0, le=3600, description="seconds a stopping worker waits for the job in hand")
    engine: str = Field("auto", min_length=1)
    # Extra modules to import at start-up; each registers engines (plugins, tests).
    engine_plugins: EnvList[str] = Field(default_factory=list, description=f"module names as {LIST_FORM}")
    model_dir: Path = Field(default_factory=lambda: _user_dir("CACHE", ".cache") / "models")
    device: Literal["cpu", "cuda", "mps", "auto"] = "cpu"
    dtype: Literal["float32", "float16", "bfloat16"] = "float32"
    # Speed levers of Make-An-Audio (compute_dtype and threads also AudioLCM): tag.engines.make_an_audio.speed.
    compute_dtype: Literal["auto", "float32", "bfloat16"] = Field(
        "auto", description="arithmetic precision: auto = bfloat16 autocast where the device has it natively"
    )
    quantize: Literal["none", "int8"] = Field("none", description="int8 = dynamic int8 linear layers (CPU only)")
    threads: int | None = Field(None, ge=1, le=1024, description="torch threads; unset = the cores available")

    # Telegram bot
    telegram_token: SecretStr | None = None
    telegram_api_url: str = PUBLIC_TELEGRAM_API
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    allowed_users: EnvList[int] = Field(default_factory=list, description=f"Telegram user ids as {LIST_FORM}")
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
    api_keys: EnvList[SecretStr] = Field(default_factory=list, description=f"API keys as {LIST_FORM}")
    web_retention_hours: float = Field(24.0, gt=0, description="hours a web generation and its audio are kept")
    web_rate_per_minute: float = Field(20.0, gt=0, description="generations a web client may start per minute")
    web_rate_burst: int = Field(10, ge=1, description="generations a web client may start at once")
    web_max_body_bytes: int = Field(16384, ge=1024, description="largest accepted HTTP request body")
    # Slow clients: a connection that has not sent its request headers, or its
    # body, this long after it began is closed (a reverse proxy in front is still
    # the better shield), and one address holds at most this many connections.
    web_header_timeout: float = Field(10.0, gt=0, le=300, description="seconds a client may take to send its request headers")
    web_body_timeout: float = Field(20.0, gt=0, le=600, description="seconds a client may take to send a request body")
    web_connections_per_client: int = Field(
        32, ge=1, description="open connections one client address may hold (trusted proxies are exempt)"
    )
    # Looking up ids that do not exist is how one would guess them: misses are limited per client.
    web_unknown_id_per_minute: float = Field(
        30.0, gt=0, description="lookups of unknown generation ids a web client may make per minute"
    )
    web_unknown_id_burst: int = Field(20, ge=1, description="lookups of unknown generation ids a web client may make at once")
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
    def _usable_url(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None:
            check_broker_url(value.get_secret_value())
        return value

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _proxy_networks(cls, value: object) -> object:
        value = split_list(value)
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
    """Read and validate settings; the error is one line naming each offending ``TAG_`` variable.

    Inputs are never quoted: several settings are secrets.
    """
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        problems = [_describe(error) for error in exc.errors(include_input=False, include_url=False)]
    except SourceError as exc:
        # A value the settings source itself could not decode (before validation).
        field = re.search(r'field "(\w+)"', str(exc))
        name = field.group(1) if field else "?"
        problems = [f"{ENV_PREFIX}{name.upper()}: cannot be read{_expected(name)}"]
    raise SettingsError("invalid configuration: " + "; ".join(dict.fromkeys(problems)))


def _describe(error: object) -> str:
    loc = error["loc"]  # type: ignore[index]
    field = str(loc[0]) if loc else "?"
    item = f" (item {loc[1] + 1})" if len(loc) > 1 and isinstance(loc[1], int) else ""
    message = str(error["msg"]).removeprefix("Value error, ")  # type: ignore[index]
    return f"{ENV_PREFIX}{field.upper()}{item}: {message}{_expected(field)}"


def _expected(field: str) -> str:
    info = Settings.model_fields.get(field)
    return f" (expected {info.description})" if info is not None and info.description else ""
