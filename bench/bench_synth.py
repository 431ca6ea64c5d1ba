"""How many times faster than real time the synth engine renders, on one core.

    .venv/bin/python bench/bench_synth.py [--prompt TEXT] [--duration S] [--runs N] [--stereo] [--sources]

Prints wall-clock and CPU x-real-time (seconds of audio per second) for the
prompt, median over the runs after one warm-up; the target is >= 50x for a
10 s, 3-source prompt.  CPU time is the figure to trust on a shared machine:
wall time also counts the time other processes hold the cores.  ``--sources``
adds the CPU x-real-time of every source alone (its example prompt).
"""

from __future__ import annotations

import os

# One thread everywhere: the figure must hold on one core of a shared machine.
for _var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402

from tag.engines.synth import SynthEngine  # noqa: E402
from tag.engines.synth.catalogue import examples  # noqa: E402

EXAMPLES = examples("en")


def cpu_seconds(engine: SynthEngine, prompt: str, duration: float, seed: int, stereo: bool) -> float:
    start = time.process_time()
    engine.generate(prompt, duration, seed=seed, stereo=stereo)
    return time.process_time() - start

DEFAULT_PROMPT = "heavy rain with distant thunder and gusty wind"


def main() -> None:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--prompt", default=DEFAULT_PROMPT)
    args.add_argument("--duration", type=float, default=10.0)
    args.add_argument("--runs", type=int, default=7)
    args.add_argument("--stereo", action="store_true")
    args.add_argument("--sources", action="store_true", help="also time every source on its own")
    opts = args.parse_args()

    engine = SynthEngine()
    first = engine.generate(opts.prompt, opts.duration, stereo=opts.stereo)  # warm-up: imports, filter designs
    walls, cpus = [], []
    for seed in range(opts.runs):
        w0, c0 = time.perf_counter(), time.process_time()
        engine.generate(opts.prompt, opts.duration, seed=seed, stereo=opts.stereo)
        walls.append(time.perf_counter() - w0)
        cpus.append(time.process_time() - c0)
    wall, cpu = statistics.median(walls), statistics.median(cpus)
    print(f"prompt:    {opts.prompt!r} -> sources {first.details['sources']}")
    layout = "stereo" if opts.stereo else "mono"
    print(f"audio:     {opts.duration:g} s at {engine.sample_rate} Hz, {layout}, {opts.runs} runs")
    print(f"wall:      median {wall * 1000:.1f} ms  -> {opts.duration / wall:.1f}x real time")
    print(f"cpu:       median {cpu * 1000:.1f} ms  -> {opts.duration / cpu:.1f}x real time (target >= 50x)")
    if opts.sources:
        rows = []
        for name, prompt in sorted(EXAMPLES.items()):
            runs = [cpu_seconds(engine, prompt, opts.duration, seed, opts.stereo) for seed in range(3)]
            rows.append((opts.duration / statistics.median(runs), name))
        print("per source (cpu x-real-time, slowest first):")
        for speed, name in sorted(rows):
            print(f"  {name:14s} {speed:8.1f}x")


if __name__ == "__main__":
    main()
