"""Round trip through RabbitMQ: GeneratorService with an instant engine vs bare aio-pika.

Both paths use the same server, a quorum queue, persistent messages, publisher
confirms and replies of the same size (the bare echo answers with a canned
response), so the difference is what TAG adds on top of AMQP: request parsing and
validation, the thread hop to the engine, loudness normalisation and WAV encoding
of the (silent, instant) sound, progress events and the response envelope.

Two measures per path:
- latency: one request at a time, round-trip p50/p99 (publish -> reply consumed);
- throughput: ``--window`` requests kept in flight, requests per second.

Run:  .venv/bin/python bench/bench_broker.py [--requests 300] [--window 16]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
import uuid

import aio_pika
import numpy as np

from tag.broker.base import Delivery, Message
from tag.broker.rabbit import RabbitBroker, queue_arguments
from tag.config import DEFAULT_AMQP_URL, Settings
from tag.engines.base import Audio
from tag.messages import SoundRequest, SoundResponse
from tag.worker import GeneratorService
from tag.worker.service import encode_audio


class InstantEngine:
    name = "instant"

    def generate(self, prompt: str, duration: float, **_: object) -> Audio:
        rate = 16_000
        t = np.arange(round(duration * rate)) / rate
        return Audio((0.3 * np.sin(2 * np.pi * 440 * t)).astype(np.float32), rate, self.name)


class RoundTrips:
    """Publishes requests and times each one until its reply arrives."""

    def __init__(self) -> None:
        self.pending: dict[str, tuple[float, asyncio.Future[float]]] = {}

    def expect(self, key: str) -> asyncio.Future[float]:
        future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self.pending[key] = (time.perf_counter(), future)
        return future

    def arrived(self, key: str | None) -> None:
        entry = self.pending.pop(key or "", None)
        if entry is not None and not entry[1].done():
            entry[1].set_result(time.perf_counter() - entry[0])


async def measure(send, trips: RoundTrips, count: int, window: int) -> tuple[list[float], float]:  # type: ignore[no-untyped-def]
    """Round-trip times of ``count`` requests with at most ``window`` in flight; and the wall time."""
    semaphore = asyncio.Semaphore(window)
    times: list[float] = []

    async def one() -> None:
        async with semaphore:
            key = str(uuid.uuid4())
            future = trips.expect(key)
            await send(key)
            times.append(await asyncio.wait_for(future, 60))

    start = time.perf_counter()
    await asyncio.gather(*(one() for _ in range(count)))
    return times, time.perf_counter() - start


Figures = tuple[float, float, float]  # requests/s, p50 s, p99 s


def figures(times: list[float], wall: float) -> Figures:
    ordered = sorted(times)
    p99 = ordered[min(len(ordered) - 1, int(round(0.99 * (len(ordered) - 1))))]
    return len(times) / wall, statistics.median(ordered), p99


def canned_response(duration: float) -> bytes:
    sound = InstantEngine().generate("a beep", duration)
    data, rate = encode_audio(sound, duration, "wav")
    request = SoundRequest(chat_id=1, user_id=1, prompt="a beep", duration=duration)
    return SoundResponse(
        request_id=request.request_id, chat_id=1, user_id=1, status="ok", audio=data, format="wav",
        sample_rate=rate, duration=duration, engine="instant",
    ).to_json()


async def bench_tag(url: str, count: int, window: int, duration: float) -> dict[str, Figures]:
    tag = uuid.uuid4().hex[:8]
    settings = Settings(
        _env_file=None, broker_url=url, request_queue=f"bench.{tag}.req", response_queue=f"bench.{tag}.resp",
        progress_exchange=f"bench.{tag}.progress",
    )
    worker_broker = RabbitBroker(url, connection_name=f"bench-worker-{tag}")
    client = RabbitBroker(url, connection_name=f"bench-client-{tag}")
    await worker_broker.connect()
    await client.connect()
    service = GeneratorService(settings, worker_broker, InstantEngine(), heartbeat_interval=60)
    await service.start()
    trips = RoundTrips()

    async def on_reply(delivery: Delivery) -> None:
        SoundResponse.from_json(delivery.message.body)  # a front end parses what it gets
        await delivery.ack()
        trips.arrived(delivery.message.correlation_id)

    subscription = await client.consume(settings.response_queue, on_reply, prefetch=100)

    async def send(key: str) -> None:
        request = SoundRequest(request_id=uuid.UUID(key), chat_id=1, user_id=1, prompt="a beep", duration=duration)
        message = Message(request.to_json(), reply_to=settings.response_queue, correlation_id=key,
                          expiration_ms=int(settings.request_ttl * 1000))
        await client.publish(settings.request_queue, message)

    try:
        await measure(send, trips, 20, 1)  # warm-up
        rows = {
            "GeneratorService, sequential": figures(*await measure(send, trips, count, 1)),
            f"GeneratorService, window {window}": figures(*await measure(send, trips, count, window)),
        }
    finally:
        await subscription.cancel()
        await service.stop()
        for queue in (settings.request_queue, settings.response_queue, *service.queues):
            await client.delete_queue(queue)
        await client.delete_exchange(settings.progress_exchange)
        await client.close()
        await worker_broker.close()
    return rows


async def bench_bare(url: str, count: int, window: int, duration: float) -> dict[str, Figures]:
    """An echo consumer and a publisher with plain aio-pika, same queue type and guarantees."""
    tag = uuid.uuid4().hex[:8]
    req_name, resp_name = f"bench.{tag}.bare.req", f"bench.{tag}.bare.resp"
    server = await aio_pika.connect_robust(url)
    client = await aio_pika.connect_robust(url)
    server_channel = await server.channel(publisher_confirms=True)
    await server_channel.set_qos(prefetch_count=1)
    client_channel = await client.channel(publisher_confirms=True)
    args = {"x-queue-type": "quorum"}
    requests = await client_channel.declare_queue(req_name, durable=True, arguments=args)
    replies = await client_channel.declare_queue(resp_name, durable=True, arguments=args)
    server_requests = await server_channel.declare_queue(req_name, durable=True, arguments=args)
    trips = RoundTrips()
    # Reply with a body as large as a real response, so both paths move the same bytes.
    reply_body = canned_response(duration)

    async def echo(message: aio_pika.abc.AbstractIncomingMessage) -> None:
        await server_channel.default_exchange.publish(
            aio_pika.Message(reply_body, correlation_id=message.correlation_id,
                             delivery_mode=aio_pika.DeliveryMode.PERSISTENT),
            message.reply_to or resp_name,
        )
        await message.ack()

    async def on_reply(message: aio_pika.abc.AbstractIncomingMessage) -> None:
        await message.ack()
        trips.arrived(message.correlation_id)

    echo_tag = await server_requests.consume(echo)
    reply_tag = await replies.consume(on_reply)

    async def send(key: str) -> None:
        body = SoundRequest(chat_id=1, user_id=1, prompt="a beep", duration=1.0).to_json()
        await client_channel.default_exchange.publish(
            aio_pika.Message(body, reply_to=resp_name, correlation_id=key,
                             delivery_mode=aio_pika.DeliveryMode.PERSISTENT),
            req_name,
        )

    try:
        await measure(send, trips, 20, 1)
        rows = {
            "bare aio-pika echo, sequential": figures(*await measure(send, trips, count, 1)),
            f"bare aio-pika echo, window {window}": figures(*await measure(send, trips, count, window)),
        }
    finally:
        await server_requests.cancel(echo_tag)
        await replies.cancel(reply_tag)
        await requests.delete(if_unused=False, if_empty=False)
        await replies.delete(if_unused=False, if_empty=False)
        await client.close()
        await server.close()
    return rows


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", default=DEFAULT_AMQP_URL)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--window", type=int, default=16)
    parser.add_argument("--duration", type=float, default=0.5, help="seconds of audio per request")
    parser.add_argument("--rounds", type=int, default=3, help="alternate the paths; report medians")
    args = parser.parse_args()
    # The machine is shared: alternating the two paths spreads load changes over both.
    results: dict[str, list[Figures]] = {}
    for _ in range(args.rounds):
        for rows in (await bench_bare(args.url, args.requests, args.window, args.duration),
                     await bench_tag(args.url, args.requests, args.window, args.duration)):
            for name, values in rows.items():
                results.setdefault(name, []).append(values)
    print(f"{'path (median of ' + str(args.rounds) + ' rounds)':<38} {'n':>6} {'req/s':>9} {'p50 ms':>9} {'p99 ms':>9}")
    for name, runs in results.items():
        rate, p50, p99 = (statistics.median(column) for column in zip(*runs))
        print(f"{name:<38} {args.requests:>6} {rate:>9.0f} {p50 * 1000:>9.2f} {p99 * 1000:>9.2f}")
    print(f"(worker concurrency 1, prefetch 1; {args.duration:g} s WAV per response; quorum queues, "
          "persistent messages, publisher confirms on both paths)")

if __name__ == "__main__":
    asyncio.run(main())
