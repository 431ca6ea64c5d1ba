"""``tag worker`` subprocesses for integration tests."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

from tag.config import Settings

REPO = Path(__file__).resolve().parents[2]


def worker_env(settings: Settings, engine: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TAG_") or k.startswith("TAG_TEST_")}
    env.update(
        TAG_BROKER_URL=settings.broker(),
        TAG_REQUEST_QUEUE=settings.request_queue,
        TAG_RESPONSE_QUEUE=settings.response_queue,
        TAG_PROGRESS_EXCHANGE=settings.progress_exchange,
        TAG_DELIVERY_LIMIT=str(settings.delivery_limit),
        TAG_ENGINE=engine,
        TAG_ENGINE_PLUGINS=json.dumps(["tests.support.engines"]),
        TAG_MODEL_DIR=str(settings.model_dir),
        TAG_DATA_DIR=str(settings.data_dir),
        TAG_LOG_LEVEL="INFO",
        PYTHONPATH=os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep),
    )
    env.update(extra)
    return env


class WorkerProcess:
    """One ``python -m tag worker``; its log goes to a file for post-mortems."""

    def __init__(self, env: dict[str, str], log_path: Path) -> None:
        self.log_path = log_path
        self._log = open(log_path, "wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tag", "worker"], cwd=REPO, env=env, stdout=self._log, stderr=subprocess.STDOUT
        )

    @property
    def pid(self) -> int:
        return self.process.pid

    def log(self) -> str:
        self._log.flush()
        return self.log_path.read_text(errors="replace")

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def terminate(self, timeout: float = 20.0) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout)
        finally:
            self.kill()
            self._log.close()
