"""Starting ``tag`` subprocesses that share a test's settings."""

from __future__ import annotations

import json
import os
import socket
from pathlib import Path

from tag.config import Settings

REPO = Path(__file__).resolve().parents[2]
FAULT_ENGINES = REPO / "tests" / "faults"  # fault_engines.py: the "instant" and "fault" engines


def tag_env(settings: Settings, **overrides: str) -> dict[str, str]:
    """This process's environment minus any ``TAG_`` setting (test knobs ``TAG_TEST_*``
    stay), plus ``settings``' broker, queue names and folders, then ``overrides``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TAG_") or k.startswith("TAG_TEST_")}
    env.update(
        TAG_BROKER_URL=settings.broker(),
        TAG_REQUEST_QUEUE=settings.request_queue,
        TAG_RESPONSE_QUEUE=settings.response_queue,
        TAG_PROGRESS_EXCHANGE=settings.progress_exchange,
        TAG_DELIVERY_LIMIT=str(settings.delivery_limit),
        TAG_MODEL_DIR=str(settings.model_dir),
        TAG_DATA_DIR=str(settings.data_dir),
    )
    env.update(overrides)
    return env


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fault_env(settings: Settings, **overrides: str) -> dict[str, str]:
    """``tag_env`` for a process that can load the fault suite's test engines."""
    path = filter(None, [str(FAULT_ENGINES), str(REPO / "src"), os.environ.get("PYTHONPATH")])
    return tag_env(
        settings,
        TAG_ENGINE_PLUGINS=json.dumps(["fault_engines"]),
        PYTHONPATH=os.pathsep.join(path),
        **overrides,
    )
