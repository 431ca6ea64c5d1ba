"""Load benchmark: simulated Telegram users -> bot process -> RabbitMQ -> N worker processes.

Everything real but Telegram: the users talk to the fake Bot API server of the
bot tests (in this process), the bot is a ``python -m tag bot`` process, the
workers are ``python -m tag worker`` processes under ``tag.supervisor`` with the
``instant`` engine, so the figures measure the plumbing, not a model.

Each simulated user sends ``/generate ..., 1s``, waits for the sound
(``sendAudio``), waits for the bot to mark the request done, and asks again.
Figures per worker count: sustained requests/s, end-to-end latency (user's
message -> sound sent) p50/p99, and resident memory of every process.

    .venv/bin/python bench/bench_load.py [--users 20] [--seconds 20] [--workers 1 2 4]

Needs RabbitMQ on 127.0.0.1 (TAG_TEST_AMQP_URL to change).  Uses unique queue
names and deletes them afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import socket
import statistics
import sys
import time
import uuid
from pathlib import Path
from tempfile import TemporaryDirectory

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(REPO / "tests" / "bot"))  # the fake Bot API server

from fake_telegram import FakeTelegram  # noqa: E402

from tag.broker import create_broker  # noqa: E402
from tag.frontend import WorkerWatch  # noqa: E402
from tag.config import Settings  # noqa: E402
from tag.supervisor import Backoff, Supervisor  # noqa: E402

AMQP_URL = os.environ.get("TAG_TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/")
TOKEN = "555000:bench-load"


def rss_mb(pid: int) -> tuple[float, float]:
    """Current and peak resident memory of ``pid`` in MiB."""
    values = {}
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                values[key] = int(rest.split()[0]) / 1024
    return values.get("VmRSS", 0.0), values.get("VmHWM", 0.0)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


class Run:
    def __init__(self, workers: int, users: int, seconds: float, warmup: float, tmp: Path) -> None:
        self.workers, self.users, self.seconds, self.warmup = workers, users, seconds, warmup
        self.tmp = tmp
        tag = uuid.uuid4().hex[:8]
        self.settings = Settings(
            _env_file=None,
            broker_url=AMQP_URL,
            request_queue=f"bench.{tag}.RequestQueue",
            response_queue=f"bench.{tag}.ResponseQueue",
            progress_exchange=f"bench.{tag}.progress",
        )
        self.latencies: list[float] = []
        self.busy_retries = 0

    def env(self, **extra: str) -> dict[str, str]:
        s = self.settings
        env = {k: v for k, v in os.environ.items() if not k.startswith("TAG_")}
        env.update(
            TAG_BROKER_URL=AMQP_URL,
            TAG_REQUEST_QUEUE=s.request_queue,
            TAG_RESPONSE_QUEUE=s.response_queue,
            TAG_PROGRESS_EXCHANGE=s.progress_exchange,
            TAG_ENGINE="instant",
            TAG_ENGINE_PLUGINS=json.dumps(["fault_engines"]),
            TAG_DATA_DIR=str(self.tmp / "data"),
            TAG_LOG_LEVEL="WARNING",
            PYTHONPATH=os.pathsep.join([str(REPO / "tests" / "faults"), str(REPO / "src")]),
        )
        env.update(extra)
        return env

    async def user(self, fake: FakeTelegram, index: int, measure_from: float, stop_at: float) -> None:
        loop = asyncio.get_running_loop()
        user = fake.user(900_000 + index)
        n = 0
        while loop.time() < stop_at:
            started = loop.time()
            mark = await user.send(f"/generate bench tone {index} {n}, 1s")
            reply = await fake.wait_for(
                ("sendAudio", "sendMessage"),
                chat_id=user.id,
                since=mark,
                timeout=120,
                where=lambda c: c.method == "sendAudio" or "still generating" in c.text,
            )
            if reply.method == "sendMessage":  # the previous request was not cleared yet
                self.busy_retries += 1
                continue
            if started >= measure_from and loop.time() <= stop_at:
                self.latencies.append(loop.time() - started)
            # Done once the status message says so; then the user may ask again.
            await fake.wait_for(
                "editMessageText", chat_id=user.id, since=reply.index, timeout=60,
                where=lambda c: c.text.endswith("Done."),
            )
            n += 1

    async def go(self) -> dict[str, object]:
        fake = FakeTelegram(TOKEN)
        await fake.start()
        broker = create_broker(AMQP_URL)
        await broker.connect()
        watch = WorkerWatch(broker, self.settings, max_age=60)
        await watch.start()
        stop_workers = asyncio.Event()
        supervisor = Supervisor(self.workers, env=self.env(), backoff=Backoff(initial=0.2), grace=10)
        supervising = asyncio.create_task(supervisor.run(stop_workers))
        bot_env = self.env(
            TAG_TELEGRAM_TOKEN=TOKEN, TAG_TELEGRAM_API_URL=fake.base_url, TAG_BOT_RATE_LIMIT="0"
        )
        log = open(self.tmp / f"bot-{self.workers}.log", "wb")
        bot = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "tag", "bot", env=bot_env, cwd=REPO, stdout=log, stderr=log
        )
        try:
            await fake.wait_for("deleteWebhook", timeout=60)
            deadline = time.monotonic() + 60
            while len(watch.alive()) < self.workers:
                if time.monotonic() > deadline:
                    raise TimeoutError("workers did not start")
                await asyncio.sleep(0.05)
            loop = asyncio.get_running_loop()
            begin = loop.time()
            measure_from, stop_at = begin + self.warmup, begin + self.warmup + self.seconds
            await asyncio.gather(*(self.user(fake, i, measure_from, stop_at) for i in range(self.users)))
            memory = {"bot": rss_mb(bot.pid), "bench (users + fake Telegram)": rss_mb(os.getpid())}
            for slot in supervisor.slots:
                if slot.pid is not None:
                    memory[f"worker {slot.index}"] = rss_mb(slot.pid)
        finally:
            if bot.returncode is None:
                bot.send_signal(signal.SIGTERM)
                await asyncio.wait_for(bot.wait(), 30)
            log.close()
            stop_workers.set()
            await supervising
            await watch.stop()
            for queue in (self.settings.request_queue, self.settings.response_queue):
                await broker.delete_queue(queue)
            await broker.delete_exchange(self.settings.progress_exchange)
            await broker.close()
            await fake.close()
        done = len(self.latencies)
        return {
            "workers": self.workers,
            "requests": done,
            "rate": done / self.seconds,
            "p50": statistics.median(self.latencies) if done else float("nan"),
            "p99": percentile(self.latencies, 0.99) if done else float("nan"),
            "memory": memory,
            "busy_retries": self.busy_retries,
        }


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=20, help="simulated users asking in a loop")
    parser.add_argument("--seconds", type=float, default=20.0, help="measured time per worker count")
    parser.add_argument("--warmup", type=float, default=3.0, help="unmeasured seconds first")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    args = parser.parse_args()
    print(
        f"load: {args.users} Telegram users (fake Bot API) -> tag bot -> RabbitMQ -> N tag workers "
        f"(instant engine, 1 s MP3); {args.seconds:g} s measured after {args.warmup:g} s warm-up; "
        f"{os.cpu_count()} CPU cores"
    )
    print(f"{'workers':>7} {'requests':>8} {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7}  RSS MiB now/peak per process")
    for workers in args.workers:
        with TemporaryDirectory() as tmp:
            result = await Run(workers, args.users, args.seconds, args.warmup, Path(tmp)).go()
        memory = ", ".join(f"{name} {now:.0f}/{peak:.0f}" for name, (now, peak) in result["memory"].items())
        print(
            f"{result['workers']:>7} {result['requests']:>8} {result['rate']:>7.1f} "
            f"{result['p50'] * 1000:>7.0f} {result['p99'] * 1000:>7.0f}  {memory}",
            flush=True,
        )
        if result["busy_retries"]:
            print(f"        ({result['busy_retries']} sends hit 'still generating' and were repeated)")


if __name__ == "__main__":
    asyncio.run(main())
