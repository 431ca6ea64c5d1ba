"""``tag bot`` as a real process: starts, answers, stops on SIGTERM, never logs the token."""

from __future__ import annotations

import asyncio
import os
import signal
import sys

import pytest
from fake_telegram import TEST_TOKEN as TOKEN, FakeTelegram

pytestmark = pytest.mark.rabbitmq


async def test_tag_bot_process(stack, fake: FakeTelegram, tmp_path) -> None:
    settings = stack.settings
    env = {k: v for k, v in os.environ.items() if not k.startswith("TAG_")}
    env.update(
        TAG_TELEGRAM_TOKEN=TOKEN,
        TAG_TELEGRAM_API_URL=fake.base_url,
        TAG_BROKER_URL=stack.amqp_url,
        TAG_REQUEST_QUEUE=settings.request_queue,
        TAG_RESPONSE_QUEUE=settings.response_queue,
        TAG_PROGRESS_EXCHANGE=settings.progress_exchange,
        TAG_DATA_DIR=str(tmp_path / "process-data"),
        TAG_LOG_LEVEL="DEBUG",
    )
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tag", "bot", env=env, cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    try:
        await fake.wait_for("deleteWebhook", timeout=60)
        ann = fake.user(3001)
        reply = await fake.wait_for("sendMessage", chat_id=ann.id, since=await ann.send("/start"))
        assert "sound" in reply.text
        # An API error that quotes the request must not leak the token either.
        fake.fail("sendMessage", 400, f"Bad Request: something about /bot{TOKEN}/sendMessage")
        mark = await ann.send("/help")
        await fake.wait_for("sendMessage", chat_id=ann.id, since=mark)
        process.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(process.wait(), 30)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    stdout, stderr = await process.communicate()
    logs = (stdout + stderr).decode()
    assert code == 0, logs[-2000:]
    assert "bot @tag_test_bot started" in logs
    assert TOKEN not in logs
    assert "/bot***/sendMessage" in logs  # the error was logged, redacted
    assert (tmp_path / "process-data" / "bot.sqlite3").exists()
