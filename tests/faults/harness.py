"""The fault suite's stage: real RabbitMQ, real ``tag worker`` processes, a real front end.

Every case runs in its own RabbitMQ virtual host (``tag-faults``) so that closing
"all connections" there leaves other test runs on the same broker alone.  The
workers are ``python -m tag worker`` processes kept alive by ``tag.supervisor``,
exactly as ``tag run --workers N`` runs them; the front end is the
``RequestClient``, its replies kept in a ``Ledger`` that knows which user each
request came from.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Awaitable, Callable

import aiohttp

from tag.broker import BrokerError, create_broker
from tag.config import Settings
from tag.frontend import RequestClient, WorkerWatch
from tag.messages import ProgressEvent, SoundRequest, SoundResponse

from support.processes import fault_env
from tag.supervisor import Backoff, Supervisor

REPO = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent

VHOST = "tag-faults"


# -- the broker's control tool ---------------------------------------------------
def rabbitmqctl(*args: str, timeout: float = 120.0) -> str:
    prefix = [] if os.geteuid() == 0 else ["sudo", "-n"]
    done = subprocess.run(
        [*prefix, "rabbitmqctl", "-q", *args], capture_output=True, text=True, timeout=timeout
    )
    if done.returncode != 0:
        raise RuntimeError(f"rabbitmqctl {' '.join(args)} failed: {done.stderr.strip() or done.stdout.strip()}")
    return done.stdout


def vhost_url(base_url: str) -> str:
    """``base_url`` pointed at the fault suite's virtual host (created if missing)."""
    if VHOST not in rabbitmqctl("list_vhosts", "name").split():
        with contextlib.suppress(RuntimeError):  # a parallel run may have created it
            rabbitmqctl("add_vhost", VHOST)
    rabbitmqctl("set_permissions", "-p", VHOST, "guest", ".*", ".*", ".*")
    return base_url.rstrip("/") + "/" + VHOST


def close_connections(reason: str) -> None:
    rabbitmqctl("close_all_connections", "--vhost", VHOST, reason)


def ensure_broker_running() -> None:
    """Start the RabbitMQ app if it is stopped, and wait until it serves."""
    with contextlib.suppress(RuntimeError):  # already running
        rabbitmqctl("start_app")
    rabbitmqctl("await_startup", timeout=180)


def free_ports(count: int) -> int:
    """A base port such that ``base .. base + count - 1`` are free right now."""
    for _ in range(100):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            base = probe.getsockname()[1]
        if base + count > 65535:
            continue
        try:
            with contextlib.ExitStack() as stack:
                for port in range(base, base + count):
                    sock = stack.enter_context(socket.socket())
                    sock.bind(("127.0.0.1", port))
            return base
        except OSError:
            continue
    raise RuntimeError("no run of free ports found")


async def http_get(port: int, path: str) -> tuple[int, str]:
    """Status and body of a GET on loopback; status 0 when nothing answers."""
    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as session:
            async with session.get(f"http://127.0.0.1:{port}{path}") as response:
                return response.status, await response.text()
    except (aiohttp.ClientError, asyncio.TimeoutError):
        return 0, ""


# -- waiting ---------------------------------------------------------------------
async def wait_until(predicate: Callable[[], bool | Awaitable[bool]], timeout: float, what: str) -> None:
    """Poll an external condition (process table, queue depth) until it holds."""
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if not isinstance(result, bool):
            result = await result
        if result:
            return
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout:.0f} s waiting for {what}")
        await asyncio.sleep(0.05)


# -- requests and who must get their answers -------------------------------------
def make_requests(count: int, *, poison: set[int] = frozenset(), duration: float = 0.5) -> list[SoundRequest]:
    """One request per simulated user; user i lives in chat 50_000 + i."""
    return [
        SoundRequest(
            chat_id=50_000 + i,
            user_id=10_000 + i,
            prompt=("poison pill" if i in poison else f"wind chime number {i}"),
            duration=duration,
        )
        for i in range(count)
    ]


class Ledger:
    """What the front end received, checked against what it sent."""

    def __init__(self, requests: list[SoundRequest]) -> None:
        self.sent = {str(r.request_id): r for r in requests}
        self.answers: dict[str, list[SoundResponse]] = {}
        self.unknown: list[SoundResponse] = []
        self.generation_starts: Counter[str] = Counter()
        self._changed = asyncio.Condition()

    async def on_response(self, response: SoundResponse) -> None:
        rid = str(response.request_id)
        async with self._changed:
            if rid in self.sent:
                self.answers.setdefault(rid, []).append(response)
            else:
                self.unknown.append(response)
            self._changed.notify_all()

    async def on_progress(self, event: ProgressEvent) -> None:
        if event.stage == "sampling":
            self.generation_starts[str(event.request_id)] += 1

    @property
    def answered(self) -> int:
        return len(self.answers)

    async def wait_answered(self, count: int, timeout: float) -> None:
        async def enough() -> None:
            async with self._changed:
                await self._changed.wait_for(lambda: self.answered >= count)

        try:
            await asyncio.wait_for(enough(), timeout)
        except asyncio.TimeoutError:
            raise AssertionError(
                f"only {self.answered} of {count} requests answered after {timeout:.0f} s"
            ) from None

    def duplicates(self) -> int:
        """Extra copies of answers, which a front end drops by request id.

        RabbitMQ delivers at least once: a worker killed between publishing an
        answer and its ack gets the request generated (and answered) again.
        """
        return sum(len(items) - 1 for items in self.answers.values())

    def problems(self) -> list[str]:
        """Everything that breaks 'every request answered exactly once, to its user'.

        The user sees the first answer per request id; later copies are dropped
        by the front end, so they only count here if they disagree with the first.
        """
        found = []
        for rid, request in self.sent.items():
            items = self.answers.get(rid, [])
            if not items:
                found.append(f"{rid} (user {request.user_id}) never answered")
            if len({item.status for item in items}) > 1:
                found.append(f"{rid} answered {len(items)} times with different statuses")
            for response in items:
                if (response.chat_id, response.user_id) != (request.chat_id, request.user_id):
                    found.append(f"{rid} answered to chat {response.chat_id} user {response.user_id}")
        found += [f"{r.request_id} was never sent" for r in self.unknown]
        return found

    def statuses(self) -> Counter[str]:
        return Counter(items[0].status for items in self.answers.values())


# -- the whole stage -------------------------------------------------------------
class Stage:
    """Workers under a supervisor, a front end, and the clean-up of both."""

    def __init__(self, settings: Settings, tmp: Path) -> None:
        self.settings = settings
        self.tmp = tmp
        self.broker = create_broker(settings.broker())
        self.client: RequestClient | None = None
        self.ledger: Ledger | None = None
        self.supervisor: Supervisor | None = None
        self._stop_workers = asyncio.Event()
        self._supervising: asyncio.Task[None] | None = None
        self.watch = WorkerWatch(self.broker, settings, max_age=60)
        # Workers declare settings.response_queue with the request delivery limit
        # and RequestClient declares its reply queue with another, so the two
        # cannot share a name; the web server avoids it the same way (".web").
        self.reply_queue = settings.response_queue + ".faults"

    async def __aenter__(self) -> "Stage":
        await self.broker.connect()
        await self.watch.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop_front_end()
        await self.stop_workers()
        await self.watch.stop()
        await self.broker.close()
        async with create_broker(self.settings.broker()) as cleaner:
            for queue in (self.settings.request_queue, self.settings.response_queue, self.reply_queue):
                await cleaner.delete_queue(queue)
            await cleaner.delete_exchange(self.settings.progress_exchange)

    # workers
    def worker_env(self, **extra: str) -> dict[str, str]:
        return fault_env(
            self.settings,
            TAG_ENGINE=self.settings.engine,
            TAG_WORKER_CONCURRENCY=str(self.settings.worker_concurrency),
            TAG_WORKER_GRACE="5",
            TAG_LOG_LEVEL="WARNING",
            **extra,
        )

    async def start_workers(self, count: int, *, metrics_port: int | None = None, **extra_env: str) -> None:
        self.supervisor = Supervisor(
            count,
            command=[sys.executable, "-m", "tag", "worker"],
            env=self.worker_env(**extra_env),
            metrics_port=metrics_port,
            backoff=Backoff(initial=0.1, maximum=2.0),
            grace=10,
        )
        self._supervising = asyncio.create_task(self.supervisor.run(self._stop_workers))
        await self.wait_workers_ready()

    async def wait_workers_ready(self, timeout: float = 60) -> None:
        """Every supervised process is running and has sent a heartbeat."""
        assert self.supervisor is not None
        supervisor = self.supervisor

        def ready() -> bool:
            pids = supervisor.pids()
            beating = {w.worker_id.split("-")[-2] for w in self.watch.alive()}
            return len(pids) == len(supervisor.slots) and all(str(pid) in beating for pid in pids)

        await wait_until(ready, timeout, "workers to start and send a heartbeat")

    async def stop_workers(self) -> None:
        if self._supervising is not None:
            self._stop_workers.set()
            await asyncio.wait_for(self._supervising, 60)
            self._supervising = None

    # front end
    async def start_front_end(self, ledger: Ledger) -> None:
        self.ledger = ledger
        self.client = RequestClient(self.broker, self.settings, self.reply_queue)
        await self.client.start(ledger.on_response, ledger.on_progress)

    async def stop_front_end(self) -> None:
        if self.client is not None:
            await self.client.stop()
            self.client = None

    async def submit(self, requests: list[SoundRequest], patience: float = 120) -> None:
        """Queue every request; a refused publish is retried like a user pressing again."""
        assert self.client is not None
        client = self.client

        async def one(request: SoundRequest) -> None:
            deadline = time.monotonic() + patience
            while True:
                try:
                    await client.submit(request)
                    return
                except BrokerError:
                    if time.monotonic() > deadline:
                        raise
                    await asyncio.sleep(0.5)  # retry pacing, not synchronisation

        await asyncio.gather(*(one(r) for r in requests))
