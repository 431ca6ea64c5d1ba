"""``tag worker`` processes sharing one RabbitMQ queue: load sharing, crashes, poison, signals."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path
from typing import AsyncIterator, Callable

import pytest

from support.collect import Events, Responses, take_dead_letters
from support.workers import WorkerProcess, worker_env
from tag.broker import REASON_HEADER, Message
from tag.broker.rabbit import RabbitBroker
from tag.config import Settings
from tag.messages import SoundRequest

pytestmark = [pytest.mark.rabbitmq, pytest.mark.slow]

Spawn = Callable[..., WorkerProcess]


@pytest.fixture
async def spawn(settings: Settings, tmp_path: Path) -> AsyncIterator[Spawn]:
    started: list[WorkerProcess] = []

    def start(engine: str, **env: str) -> WorkerProcess:
        worker = WorkerProcess(worker_env(settings, engine, **env), tmp_path / f"worker-{len(started)}.log")
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.kill()


async def heartbeats(rabbit: RabbitBroker, settings: Settings) -> Events:
    return await Events().start(rabbit, settings.progress_exchange, "heartbeat.*")


async def until_workers(beats: Events, count: int, timeout: float = 60) -> None:
    """Each worker sends its first heartbeat once it is consuming."""
    await beats.wait_until(lambda items: len({i["worker_id"] for i in items}) >= count, timeout)


def request(prompt: str = "a beep", duration: float = 0.5) -> SoundRequest:
    return SoundRequest(chat_id=1, user_id=2, prompt=prompt, duration=duration)


def pid_of(notices: list[str]) -> int:
    return int(next(n for n in notices if n.startswith("pid=")).split("=")[1])


async def exit_code(worker: WorkerProcess, timeout: float = 30) -> int:
    return await asyncio.to_thread(worker.process.wait, timeout)


async def test_three_workers_share_thirty_requests(settings: Settings, rabbit: RabbitBroker, spawn: Spawn) -> None:
    beats = await heartbeats(rabbit, settings)
    workers = [spawn("test-tone") for _ in range(3)]
    await until_workers(beats, 3)
    responses = await Responses().start(rabbit, settings.response_queue)
    requests = [request(f"beep {i}") for i in range(30)]
    for req in requests:
        await rabbit.publish(settings.request_queue, Message(req.to_json()))
    got = await responses.wait_for(30, timeout=60)
    assert {str(r.request_id) for r in got} == {str(r.request_id) for r in requests}
    assert all(r.status == "ok" for r in got)
    assert {pid_of(r.notices) for r in got} == {w.pid for w in workers}  # everyone took a share
    assert [await asyncio.to_thread(w.terminate) for w in workers] == [0, 0, 0]
    assert await rabbit.queue_depth(settings.response_queue) == 0
    assert await rabbit.queue_depth(settings.request_queue) == 0
    assert max(responses.by_request().values()) == 1  # nothing answered twice


async def test_killed_worker_request_is_answered_by_another(
    settings: Settings, rabbit: RabbitBroker, spawn: Spawn, tmp_path: Path
) -> None:
    release = tmp_path / "release"
    beats = await heartbeats(rabbit, settings)
    progress = await Events().start(rabbit, settings.progress_exchange, "progress.#")
    first = spawn("test-slow", TAG_TEST_RELEASE_FILE=str(release))
    await until_workers(beats, 1)
    responses = await Responses().start(rabbit, settings.response_queue)
    req = request()
    await rabbit.publish(settings.request_queue, Message(req.to_json()))
    await progress.wait_until(lambda items: any(i.get("stage") == "sampling" for i in items))
    first.kill()  # SIGKILL in the middle of the job
    assert first.process.returncode == -signal.SIGKILL
    release.touch()
    second = spawn("test-slow", TAG_TEST_RELEASE_FILE=str(release))
    [response] = await responses.wait_for(1, timeout=60)
    assert response.request_id == req.request_id and response.status == "ok"
    assert pid_of(response.notices) == second.pid
    assert await asyncio.to_thread(second.terminate) == 0
    assert len(responses.items) == 1


async def test_poison_request_is_dead_lettered_and_the_user_told(
    settings: Settings, rabbit: RabbitBroker, spawn: Spawn
) -> None:
    settings.delivery_limit = 1
    beats = await heartbeats(rabbit, settings)
    victim = spawn("test-kill")
    await until_workers(beats, 1)
    responses = await Responses().start(rabbit, settings.response_queue)
    req = request("whatever kills the engine")
    await rabbit.publish(settings.request_queue, Message(req.to_json()))
    assert await exit_code(victim) == -signal.SIGKILL
    survivor = spawn("test-kill")  # the same deadly engine: must not run it again
    [response] = await responses.wait_for(1, timeout=60)
    assert response.request_id == req.request_id
    assert response.status == "error" and response.error.code == "poison"
    [letter] = await take_dead_letters(rabbit, settings.dead_letter_queue, 1)
    assert SoundRequest.from_json(letter.message.body).request_id == req.request_id
    assert "delivery limit" in letter.message.headers[REASON_HEADER]
    assert await asyncio.to_thread(survivor.terminate) == 0


async def test_the_last_allowed_delivery_is_set_aside_with_its_reason_even_beside_a_deadly_job(
    settings: Settings, rabbit: RabbitBroker, spawn: Spawn
) -> None:
    """A worker holding a request on its last delivery and another deadly one at once
    (concurrency 2) sets the first aside before the second can kill it, so the
    dead letter says why instead of being dropped there by the broker's limit."""
    settings.delivery_limit = 1
    beats = await heartbeats(rabbit, settings)
    first = spawn("test-kill")
    await until_workers(beats, 1)
    responses = await Responses().start(rabbit, settings.response_queue)
    spent = request("killed a worker once already")
    await rabbit.publish(settings.request_queue, Message(spent.to_json()))
    assert await exit_code(first) == -signal.SIGKILL  # its next delivery is the last one allowed
    deadly = request("kills whoever runs it")
    await rabbit.publish(settings.request_queue, Message(deadly.to_json()))
    second = spawn("test-kill", TAG_WORKER_CONCURRENCY="2")
    [letter] = await take_dead_letters(rabbit, settings.dead_letter_queue, 1, timeout=60)
    assert SoundRequest.from_json(letter.message.body).request_id == spent.request_id
    assert "delivery limit" in letter.message.headers.get(REASON_HEADER, "")
    [response] = await responses.wait_for(1, timeout=30)
    assert response.request_id == spent.request_id and response.error.code == "poison"
    assert await exit_code(second) == -signal.SIGKILL  # then the deadly one ran


async def test_sigterm_finishes_the_job_in_hand_then_exits_0(
    settings: Settings, rabbit: RabbitBroker, spawn: Spawn, tmp_path: Path
) -> None:
    release = tmp_path / "release"
    beats = await heartbeats(rabbit, settings)
    progress = await Events().start(rabbit, settings.progress_exchange, "progress.#")
    worker = spawn("test-slow", TAG_TEST_RELEASE_FILE=str(release))
    await until_workers(beats, 1)
    responses = await Responses().start(rabbit, settings.response_queue)
    await rabbit.publish(settings.request_queue, Message(request().to_json()))
    await progress.wait_until(lambda items: any(i.get("stage") == "sampling" for i in items))
    worker.process.send_signal(signal.SIGTERM)
    await beats.wait_until(lambda items: any(i["stopping"] for i in items))
    # A request sent once the worker stopped consuming stays queued for another worker.
    later = request("later")
    await rabbit.publish(settings.request_queue, Message(later.to_json()))
    release.touch()
    assert await exit_code(worker) == 0
    [response] = await responses.wait_for(1)
    assert response.status == "ok" and response.request_id != later.request_id
    assert await rabbit.queue_depth(settings.request_queue) == 1
    assert "exited cleanly" in worker.log()


async def test_sigterm_requeues_a_job_that_outlasts_the_grace(
    settings: Settings, rabbit: RabbitBroker, spawn: Spawn, tmp_path: Path
) -> None:
    beats = await heartbeats(rabbit, settings)
    progress = await Events().start(rabbit, settings.progress_exchange, "progress.#")
    worker = spawn("test-slow", TAG_TEST_RELEASE_FILE=str(tmp_path / "never"), TAG_WORKER_GRACE="0.2")
    await until_workers(beats, 1)
    req = request()
    await rabbit.publish(settings.request_queue, Message(req.to_json()))
    await progress.wait_until(lambda items: any(i.get("stage") == "sampling" for i in items))
    worker.process.send_signal(signal.SIGTERM)
    assert await exit_code(worker) == 0
    assert await rabbit.queue_depth(settings.request_queue) == 1
