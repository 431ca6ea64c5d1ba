"""How fast the bot answers /start while 50 users wait on generation.

Everything real but Telegram: the aiogram bot talks HTTP to the fake Bot API
server of the test suite, a worker with a deliberately slow engine (progress
reports every 0.25 s, one thread per waiting user) serves the request queue on
RabbitMQ, so while we probe,
the bot is also editing status messages and sending chat actions for the
waiting users.  Latency is measured from the moment the update is handed to
getUpdates to the moment the bot's reply reaches the fake server.

    .venv/bin/python bench/bench_bot.py [--waiting 50] [--probes 200] [--broker amqp://...]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import numpy as np
from pydantic import SecretStr

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "bot"))

from fake_telegram import FakeTelegram  # noqa: E402

from tag.bot import serve_bot  # noqa: E402
from tag.broker import create_broker  # noqa: E402
from tag.config import Settings  # noqa: E402
from tag.engines import Audio, ProgressCallback  # noqa: E402
from tag.engines.peers.routing import engine_queue  # noqa: E402
from tag.worker import serve_worker  # noqa: E402

TOKEN = "42:bench-" + uuid.uuid4().hex


class SlowEngine:
    """Takes ``seconds`` per sound (or until released), reporting progress often."""

    name = "slow"

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.released = threading.Event()

    def generate(self, prompt: str, duration: float, *, progress: ProgressCallback | None = None,
                 **kwargs: object) -> Audio:
        start = time.monotonic()
        while not self.released.wait(0.25):
            done = (time.monotonic() - start) / self.seconds
            if done >= 1:
                break
            if progress:
                progress("sampling", 100 * done)
        return Audio(samples=np.zeros(int(duration * 16000), np.float32), sample_rate=16000, engine=self.name)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


async def probe(fake: FakeTelegram, count: int, first_user: int, pace: float) -> list[float]:
    """Latencies (ms) of /start from ``count`` distinct users, one every ``pace`` s at most."""
    latencies = []
    for i in range(count):
        await asyncio.sleep(pace)  # spread the probes over the load (this is a bench, not a test)
        user = fake.user(first_user + i)
        start = time.perf_counter()
        mark = await user.send("/start")
        await fake.wait_for("sendMessage", chat_id=user.id, since=mark, timeout=30)
        latencies.append((time.perf_counter() - start) * 1000)
    return latencies


def report(name: str, latencies: list[float]) -> None:
    print(
        f"{name:<28} n={len(latencies):<4} p50={statistics.median(latencies):7.1f} ms  "
        f"p99={percentile(latencies, 99):7.1f} ms  max={max(latencies):7.1f} ms"
    )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--waiting", type=int, default=50, help="users waiting on generation")
    parser.add_argument("--probes", type=int, default=200, help="/start messages to time")
    parser.add_argument("--pace", type=float, default=0.05, help="seconds between probes")
    parser.add_argument("--broker", default="amqp://guest:guest@127.0.0.1:5672/")
    args = parser.parse_args()

    tag = uuid.uuid4().hex[:8]
    fake = FakeTelegram(TOKEN)
    await fake.start()
    with tempfile.TemporaryDirectory() as data:
        settings = Settings(
            _env_file=None,
            telegram_token=SecretStr(TOKEN),
            telegram_api_url=fake.base_url,
            broker_url=args.broker,
            request_queue=f"bench.{tag}.RequestQueue",
            response_queue=f"bench.{tag}.ResponseQueue",
            progress_exchange=f"bench.{tag}.progress",
            data_dir=Path(data),
            bot_rate_limit=0,
            request_timeout=600,
        )
        bot_broker, worker_broker = create_broker(args.broker), create_broker(args.broker)
        await bot_broker.connect()
        await worker_broker.connect()
        engine = SlowEngine(seconds=3600)
        stop_bot, stop_worker = asyncio.Event(), asyncio.Event()
        # Every waiting user is being generated for at once, each reporting progress.
        worker_settings = settings.model_copy(update={"worker_concurrency": args.waiting})
        try:
            bot = asyncio.create_task(serve_bot(settings, bot_broker, stop_bot))
            await fake.wait_for("deleteWebhook", timeout=60)
            report("/start, idle bot", await probe(fake, args.probes, 1_000_000, args.pace))

            worker = asyncio.create_task(serve_worker(worker_settings, worker_broker, stop_worker, engine=engine))
            mark = fake.mark()
            users = [fake.user(2_000_000 + i) for i in range(args.waiting)]
            await asyncio.gather(*(u.send(f"rain number {i}, 3s") for i, u in enumerate(users)))
            for user in users:
                await fake.wait_for("sendMessage", chat_id=user.id, since=mark, timeout=60,
                                    where=lambda c: "queue" in c.text)
            await fake.wait_for("editMessageText", since=mark, where=lambda c: "Generating" in c.text, timeout=60)
            busy_mark, started = fake.mark(), time.perf_counter()
            latencies = await probe(fake, args.probes, 3_000_000, args.pace)
            elapsed = time.perf_counter() - started
            report(f"/start, {args.waiting} users waiting", latencies)
            calls = fake.calls[busy_mark:]
            edits = sum(1 for c in calls if c.method == "editMessageText")
            actions = sum(1 for c in calls if c.method == "sendChatAction")
            print(
                f"meanwhile ({elapsed:.1f} s): {edits} status edits ({edits / elapsed:.1f}/s), "
                f"{actions} chat actions ({actions / elapsed:.1f}/s)"
            )
        finally:
            engine.released.set()
            stop_worker.set()
            stop_bot.set()
            await asyncio.gather(*(t for t in (locals().get("worker"), locals().get("bot")) if t),
                                 return_exceptions=True)
            await bot_broker.close()
            await worker_broker.close()
            await fake.close()
            if args.broker.startswith("amqp"):
                await delete_declared(args.broker, settings, worker_settings)


async def delete_declared(url: str, *all_settings: Settings) -> None:
    import aio_pika

    async with await aio_pika.connect(url) as connection:
        channel = await connection.channel()
        for settings in all_settings:
            # The worker also consumes a queue of requests naming its engine.
            for queue in (settings.request_queue, settings.response_queue, engine_queue(settings, SlowEngine.name)):
                await channel.queue_delete(queue)
                await channel.queue_delete(queue + ".dlq")
        await channel.exchange_delete(all_settings[0].progress_exchange)


if __name__ == "__main__":
    asyncio.run(main())
