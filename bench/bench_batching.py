"""Request batching: GeneratorService with Make-An-Audio, TAG_WORKER_BATCH off and on.

For each number of concurrent requests (all published at once, 1 candidate), two
services run side by side on in-process memory brokers, one with batching off (1)
and one on (8), and the rounds alternate between them (off-on, on-off, ...), so
that the load other processes put on the machine meanwhile falls on both alike.
Printed per arm: throughput in requests per minute, latency (publish -> response)
p50/p99, the median milliseconds from a round's first publish to the engine
starting on it (queueing and the batch window, without the compute that load
slows down), CPU seconds of this process per request (what the machine's load
does not change), and the batch sizes run (with how many of them started before
their window closed because nothing else was coming); the load average before
and after.

    .venv/bin/python bench/bench_batching.py --tiny          # the tests' tiny model, 1 s clips
    .venv/bin/python bench/bench_batching.py --full          # full size, random weights, 2 s clips
    .venv/bin/python bench/bench_batching.py --full --concurrent 1 --rounds 2 --steps 12
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(REPO / "bench"))
sys.path.insert(0, str(REPO / "tests" / "engines" / "make_an_audio"))

from bench_load import percentile  # noqa: E402

from tag.broker import Delivery, Message  # noqa: E402
from tag.broker.memory import MemoryBroker  # noqa: E402
from tag.config import Settings  # noqa: E402
from tag.engines.make_an_audio.engine import MakeAnAudioEngine  # noqa: E402
from tag.engines.make_an_audio.pipeline import SamplingOptions  # noqa: E402
from tag.messages import SoundRequest  # noqa: E402
from tag.worker import GeneratorService  # noqa: E402

BATCH_ON = 8


class TimedEngine(MakeAnAudioEngine):
    """The real engine, noting when each generation (or batch) starts."""

    starts: list[float]

    def generate(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        self.starts.append(time.monotonic())
        return super().generate(*args, **kwargs)

    def generate_batch(self, jobs):  # type: ignore[no-untyped-def]
        self.starts.append(time.monotonic())
        return super().generate_batch(jobs)


def make_pipeline(tiny: bool):
    if not tiny:
        import torch

        from bench_make_an_audio import build_pipeline

        from tag.engines.make_an_audio import speed

        speed.set_threads(None)
        # The engine's own arithmetic choice: bfloat16 autocast where the CPU has it.
        pipeline, _ = build_pipeline("cpu", speed.compute_dtype("auto", torch.device("cpu")))  # (pipeline, components)
        return pipeline
    from maa_tiny import write_tiny_model

    from tag.engines.make_an_audio.engine import build_pipeline as load

    models = Path(tempfile.mkdtemp()) / "models"
    write_tiny_model(models / "make-an-audio", seed=0)
    return load(Settings(_env_file=None, model_dir=models, compute_dtype="float32"))


@dataclass
class Arm:
    """One service (batching off or on) on its own broker, and what it measured."""

    engine: TimedEngine
    batch: int
    latencies: list[float] = field(default_factory=list)
    to_start: list[float] = field(default_factory=list)  # first publish -> engine start, per round
    wall: float = 0.0
    cpu: float = 0.0

    async def start(self) -> None:
        self.settings = Settings(_env_file=None, broker_url=f"memory://{uuid.uuid4().hex}", worker_batch=self.batch)
        self.broker = MemoryBroker(self.settings.broker_url)
        await self.broker.connect()
        self.service = GeneratorService(self.settings, self.broker, self.engine, heartbeat_interval=600)
        await self.service.start()
        self.sent: dict[str, float] = {}
        self.waiting = 0
        self.done = asyncio.Event()
        self.subscription = await self.broker.consume(self.settings.response_queue, self._on_reply, prefetch=100)

    async def _on_reply(self, delivery: Delivery) -> None:
        self.latencies.append(time.monotonic() - self.sent[delivery.message.correlation_id or ""])
        await delivery.ack()
        self.waiting -= 1
        if self.waiting == 0:
            self.done.set()

    async def round(self, concurrent: int, duration: float, seed: int) -> None:
        self.done.clear()
        self.waiting = concurrent
        wall, cpu = time.monotonic(), time.process_time()
        first_start = len(self.engine.starts)
        for i in range(concurrent):
            request = SoundRequest(chat_id=1, user_id=i, prompt=f"sound number {i}", duration=duration,
                                   options={"seed": seed + i, "format": "wav"})
            self.sent[str(request.request_id)] = time.monotonic()
            await self.broker.publish(self.settings.request_queue, Message(request.to_json()))
        await asyncio.wait_for(self.done.wait(), 3600)
        self.to_start.append(self.engine.starts[first_start] - wall)
        self.wall += time.monotonic() - wall
        self.cpu += time.process_time() - cpu

    async def stop(self) -> str:
        """The batch sizes run, e.g. ``16 x 1 (16 early)``; ``-`` with batching off."""
        await self.subscription.cancel()
        batcher = self.service.batcher
        await self.service.stop()
        await self.broker.close()
        if batcher is None:
            return "-"
        counts = {size: batcher.sizes.count(size) for size in sorted(set(batcher.sizes))}
        return ", ".join(f"{n} x {size}" for size, n in counts.items()) + f" ({batcher.early} early)"


def load() -> str:
    return "load %.2f %.2f %.2f" % os.getloadavg()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    size = parser.add_mutually_exclusive_group(required=True)
    size.add_argument("--tiny", action="store_true", help="the tests' tiny random model")
    size.add_argument("--full", action="store_true", help="full-size architecture, random weights")
    parser.add_argument("--steps", type=int, default=12)
    parser.add_argument("--duration", type=float, help="seconds per clip (default 1 tiny, 2 full)")
    parser.add_argument("--rounds", type=int, help="rounds per arm (default 8 tiny, 2 full)")
    parser.add_argument("--concurrent", type=int, nargs="+", help="default 1 4 8 tiny, 1 4 full")
    args = parser.parse_args()
    duration = args.duration or (1.0 if args.tiny else 2.0)
    rounds = args.rounds or (8 if args.tiny else 2)
    concurrents = args.concurrent or ([1, 4, 8] if args.tiny else [1, 4])
    options = SamplingOptions(steps=args.steps, guidance=3.0, candidates=1, sampler="dpm")
    engine = TimedEngine(make_pipeline(args.tiny), defaults=options)
    engine.starts = []
    engine.generate("warm up", duration, seed=0)
    print(f"{'tiny' if args.tiny else 'full-size'} model, {duration:g} s clips, {args.steps} steps, "
          f"{rounds} rounds per arm; {load()}", flush=True)
    print(f"{'concurrent':>10} {'batch':>6} {'req/min':>9} {'p50 s':>8} {'p99 s':>8} {'start ms':>9} "
          f"{'cpu s/req':>10}  batches")
    for concurrent in concurrents:
        arms = [Arm(engine, 1), Arm(engine, BATCH_ON)]
        for arm in arms:
            await arm.start()
        for r in range(rounds):
            for arm in arms if r % 2 == 0 else arms[::-1]:
                await arm.round(concurrent, duration, seed=100 * r)
        for arm in arms:
            sizes = await arm.stop()
            n = len(arm.latencies)
            print(f"{concurrent:>10} {'on' if arm.batch > 1 else 'off':>6} {60 * n / arm.wall:>9.1f} "
                  f"{percentile(arm.latencies, 0.5):>8.3f} {percentile(arm.latencies, 0.99):>8.3f} "
                  f"{1000 * percentile(arm.to_start, 0.5):>9.1f} {arm.cpu / n:>10.3f}  {sizes}", flush=True)
    print(load())


if __name__ == "__main__":
    asyncio.run(main())
