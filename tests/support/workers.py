"""``tag worker`` subprocesses for integration tests."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

from tag.config import Settings

from support.processes import tag_env

REPO = Path(__file__).resolve().parents[2]


def worker_env(settings: Settings, engine: str, **extra: str) -> dict[str, str]:
    return tag_env(
        settings,
        TAG_ENGINE=engine,
        TAG_ENGINE_PLUGINS=json.dumps(["tests.support.engines"]),
        TAG_LOG_LEVEL="INFO",
        PYTHONPATH=os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep),
        **extra,
    )


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
