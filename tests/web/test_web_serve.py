"""``tag serve`` as a real process: starts, answers, stops cleanly on SIGTERM."""

from __future__ import annotations

import re
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path

import httpx
import pytest

from support.processes import tag_env
from tag.broker.rabbit import RabbitBroker
from tag.config import Settings
from tag.web.service import reply_queue

pytestmark = pytest.mark.rabbitmq

REPO = Path(__file__).resolve().parents[2]
LISTENING = re.compile(r"web page and API on http://127\.0\.0\.1:(\d+)/")


def serve_env(settings: Settings, tmp_path: Path) -> dict[str, str]:
    return tag_env(
        settings, TAG_DATA_DIR=str(tmp_path / "data"), TAG_MODEL_DIR=str(tmp_path / "models"), TAG_LOG_LEVEL="INFO"
    )


async def test_tag_serve_process(settings: Settings, tmp_path: Path) -> None:
    env = serve_env(settings, tmp_path)
    process = subprocess.Popen(
        [sys.executable, "-m", "tag", "serve", "--host", "127.0.0.1", "--port", "0"],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    output: list[str] = []
    port: list[int] = []
    listening = threading.Event()

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            output.append(line)
            if match := LISTENING.search(line):
                port.append(int(match.group(1)))
                listening.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        assert listening.wait(60), "tag serve did not start:\n" + "".join(output)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port[0]}", timeout=10) as client:
            assert (await client.get("/healthz")).json() == {"ok": True}
            made = await client.post("/v1/generations", json={"prompt": "a kettle", "duration": 1})
            assert made.status_code == 202
            generation_id = made.json()["id"]
            assert (await client.get(f"/v1/generations/{generation_id}")).json()["status"] == "queued"
            assert (await client.get("/readyz")).status_code == 503  # no worker runs
        process.send_signal(signal.SIGTERM)
        assert process.wait(30) == 0, "".join(output)
        reader.join(10)
        # The store outlives the process.
        assert (tmp_path / "data" / "web" / "generations.sqlite3").exists()
        text = "".join(output)
        password = settings.broker().split("://", 1)[1].split("@", 1)[0].split(":", 1)[-1]
        assert f":{password}@" not in text
        assert generation_id not in text  # ids are capabilities: not in the log
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(10)
        async with RabbitBroker(settings.broker(), connection_name="tag-test-cleaner") as cleaner:
            for queue in (settings.request_queue, reply_queue(settings)):
                await cleaner.delete_queue(queue)
            await cleaner.delete_exchange(settings.progress_exchange)


def test_tag_serve_on_a_taken_port_exits_with_a_reason(settings: Settings, tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = serve_env(settings, tmp_path)
        result = subprocess.run(
            [sys.executable, "-m", "tag", "serve", "--host", "127.0.0.1", "--port", str(port)],
            cwd=REPO, env=env, capture_output=True, text=True, timeout=60,
        )
    assert result.returncode == 1, result.stderr
    assert f"cannot start on 127.0.0.1:{port}" in result.stderr + result.stdout
