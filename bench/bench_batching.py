"""Request batching: GeneratorService with Make-An-Audio, TAG_WORKER_BATCH off and on.

For 1, 4 and 8 concurrent requests (all published at once, 1 s each, 1 candidate,
several rounds), through the in-process memory broker: throughput in requests per
minute and latency (publish -> response) p50/p99, with batching off (1) and on (8).

    .venv/bin/python bench/bench_batching.py --tiny          # the tests' tiny model
    .venv/bin/python bench/bench_batching.py [--steps 12]    # full size, random weights
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
import uuid
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


def make_pipeline(tiny: bool):
    if not tiny:
        from bench_make_an_audio import build_pipeline

        return build_pipeline("cpu")
    from maa_tiny import write_tiny_model

    from tag.engines.make_an_audio.engine import build_pipeline as load

    models = Path(tempfile.mkdtemp()) / "models"
    write_tiny_model(models / "make-an-audio", seed=0)
    return load(Settings(_env_file=None, model_dir=models, compute_dtype="float32"))


async def measure(engine: MakeAnAudioEngine, batch: int, concurrent: int, rounds: int) -> tuple[float, list[float], list[int]]:
    """Requests per minute, latencies (s) and the batch sizes run."""
    settings = Settings(_env_file=None, broker_url=f"memory://{uuid.uuid4().hex}", worker_batch=batch)
    broker = MemoryBroker(settings.broker_url)
    await broker.connect()
    service = GeneratorService(settings, broker, engine, heartbeat_interval=600)
    await service.start()
    sent: dict[str, float] = {}
    latencies: list[float] = []
    done = asyncio.Event()

    async def on_reply(delivery: Delivery) -> None:
        latencies.append(time.monotonic() - sent[delivery.message.correlation_id or ""])
        await delivery.ack()
        if len(latencies) == len(sent):
            done.set()

    subscription = await broker.consume(settings.response_queue, on_reply, prefetch=100)
    started = time.monotonic()
    for r in range(rounds):
        done.clear()
        for i in range(concurrent):
            request = SoundRequest(chat_id=1, user_id=i, prompt=f"sound number {i}", duration=1.0,
                                   options={"seed": 100 * r + i, "format": "wav"})
            sent[str(request.request_id)] = time.monotonic()
            await broker.publish(settings.request_queue, Message(request.to_json()))
        await asyncio.wait_for(done.wait(), 3600)
    wall = time.monotonic() - started
    await subscription.cancel()
    sizes = list(service.batcher.sizes) if service.batcher else []
    await service.stop()
    await broker.close()
    return 60 * len(latencies) / wall, latencies, sizes


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tiny", action="store_true", help="the tests' tiny random model")
    parser.add_argument("--steps", type=int, default=12)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--concurrent", type=int, nargs="+", default=[1, 4, 8])
    args = parser.parse_args()
    options = SamplingOptions(steps=args.steps, guidance=3.0, candidates=1, sampler="dpm")
    engine = MakeAnAudioEngine(make_pipeline(args.tiny), defaults=options)
    engine.generate("warm up", 1.0, seed=0)
    print(f"{'concurrent':>10} {'batch':>6} {'req/min':>9} {'p50 s':>8} {'p99 s':>8}  batches")
    for concurrent in args.concurrent:
        for batch in (1, 8):
            rate, latencies, sizes = await measure(engine, batch, concurrent, args.rounds)
            print(f"{concurrent:>10} {'on' if batch > 1 else 'off':>6} {rate:>9.1f} {percentile(latencies, 0.5):>8.3f} "
                  f"{percentile(latencies, 0.99):>8.3f}  {sizes or '-'}")


if __name__ == "__main__":
    asyncio.run(main())
