"""Shared fixtures: real services on loopback, unique names per test."""

from __future__ import annotations

import logging
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tag.config import Settings

AMQP_URL = os.environ.get("TAG_TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/")


@pytest.fixture
def restore_root_logger() -> Iterator[None]:
    """``tag``'s ``main`` and ``setup_logging`` reconfigure the root logger: give the
    next tests theirs back."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    for handler in list(root.handlers):
        root.removeHandler(handler)
    for handler in handlers:
        root.addHandler(handler)
    root.setLevel(level)


@pytest.fixture
def amqp_url() -> str:
    return AMQP_URL


@pytest.fixture
def queue_names() -> dict[str, str]:
    """Queue and exchange names unique to one test, so tests never see each other."""
    tag = uuid.uuid4().hex[:10]
    return {
        "request_queue": f"test.{tag}.RequestQueue",
        "response_queue": f"test.{tag}.ResponseQueue",
        "progress_exchange": f"test.{tag}.progress",
    }


@pytest.fixture
def settings(
    tmp_path: Path, queue_names: dict[str, str], amqp_url: str, monkeypatch: pytest.MonkeyPatch
) -> Settings:
    """Settings isolated from the developer's environment and home folder."""
    for key in list(os.environ):
        if key.startswith("TAG_") and not key.startswith("TAG_TEST_"):
            monkeypatch.delenv(key)
    return Settings(
        _env_file=None,
        broker_url=amqp_url,
        model_dir=tmp_path / "models",
        data_dir=tmp_path / "data",
        **queue_names,
    )
