"""One request traced by its id through real processes: user -> bot -> worker -> bot -> user."""

import asyncio
import json
import os
import signal
import sys
from pathlib import Path

import pytest

from support.processes import fault_env
from tag.broker import create_broker

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests" / "bot"))  # the bot's fake Telegram server
from fake_telegram import FakeTelegram  # noqa: E402

pytestmark = pytest.mark.rabbitmq

TOKEN = "123123:trace-test"


def json_lines(path: Path) -> list[dict]:
    # Not a terminal, so every line must be one JSON object.
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


async def test_the_request_id_is_in_every_process_log(settings, tmp_path):
    fake = FakeTelegram(TOKEN)
    await fake.start()
    env = fault_env(
        settings,
        TAG_DATA_DIR=str(tmp_path / "data"),
        TAG_ENGINE="instant",
        TAG_TELEGRAM_TOKEN=TOKEN,
        TAG_TELEGRAM_API_URL=fake.base_url,
        TAG_LOG_LEVEL="INFO",
    )
    logs = {name: tmp_path / f"{name}.log" for name in ("bot", "worker")}
    processes = {}
    for name in ("worker", "bot"):
        with open(logs[name], "wb") as out:
            processes[name] = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "tag", name, env=env, stdout=out, stderr=out
            )
    try:
        await fake.wait_for("deleteWebhook", timeout=60)
        ann = fake.user(4242)
        mark = await ann.send("/generate rain on a tent, 1s")
        await fake.wait_for("sendAudio", chat_id=ann.id, since=mark, timeout=60)
        await fake.wait_for("editMessageText", chat_id=ann.id, since=mark, where=lambda c: c.text.endswith("Done."))
    finally:
        for process in processes.values():
            if process.returncode is None:
                process.send_signal(signal.SIGTERM)
        codes = [await asyncio.wait_for(p.wait(), 30) for p in processes.values()]
        await fake.close()
        async with create_broker(settings.broker()) as broker:
            for queue in (settings.request_queue, settings.response_queue):
                await broker.delete_queue(queue)
            await broker.delete_exchange(settings.progress_exchange)
    assert codes == [0, 0]

    bot, worker = json_lines(logs["bot"]), json_lines(logs["worker"])
    queued = [line for line in bot if "queued" in line["message"] and "request_id" in line]
    assert len(queued) == 1, bot
    rid = queued[0]["request_id"]
    bot_trace = [line["message"] for line in bot if line.get("request_id") == rid]
    worker_trace = [line["message"] for line in worker if line.get("request_id") == rid]
    assert any("sound delivered" in m for m in bot_trace), bot_trace
    assert any("rain on a tent" in m for m in worker_trace), worker_trace
