"""``tag worker`` start-up failures: clear messages, distinct exit codes, no secrets."""

from __future__ import annotations

import subprocess
import sys

from support.workers import REPO, worker_env
from tag.config import Settings


def run(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tag", "worker"], cwd=REPO, env=env, capture_output=True, text=True, timeout=60
    )


def test_unreachable_broker_exits_1_without_showing_the_password(settings: Settings) -> None:
    env = worker_env(settings, "test-tone", TAG_BROKER_URL="amqp://tag:pa55-w0rd@127.0.0.1:1/")
    done = run(env)
    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    assert "cannot connect to RabbitMQ at amqp://tag:***@127.0.0.1:1/" in output
    assert "pa55-w0rd" not in output


def test_unknown_engine_exits_2_naming_it(settings: Settings) -> None:
    done = run(worker_env(settings, "no-such-engine"))
    assert done.returncode == 2
    assert "no-such-engine" in done.stdout + done.stderr
