"""Time one clip per peer engine at full size on this machine (random weights).

For each engine the network is built from the published configuration
(``tag.engines.peers.testing``, size "full"), saved in the published layout,
loaded back through the engine's own loader and asked for one clip.  Random
weights make noise, but the shapes, and so the cost, are those of the real
models.  Prints build/load times, parameter count and size, generation time
(wall clock, and CPU seconds of all threads, which a busy machine inflates less),
time per step (per frame for MusicGen) and, when fewer steps than the engine's
default were run, the projected time at the default.

    .venv/bin/python bench/bench_peers.py                       # all four, 10 s, default steps
    .venv/bin/python bench/bench_peers.py --steps 4 --engines audioldm musicgen
"""

from __future__ import annotations

import argparse
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

import torch

from tag.config import Settings
from tag.engines.peers import PEER_MODELS, load_engine, weights
from tag.engines.peers.runtime import LazyScorer
from tag.engines.peers.testing import write_audioldm, write_audioldm2, write_musicgen, write_stable_audio

WRITERS = {
    "audioldm": write_audioldm,
    "audioldm2": write_audioldm2,
    "stable-audio": write_stable_audio,
    "musicgen": write_musicgen,
}


def parameters(engine: object) -> int:
    modules = []
    if hasattr(engine, "pipeline"):
        modules = [m for m in engine.pipeline.components.values() if isinstance(m, torch.nn.Module)]
    elif hasattr(engine, "network"):
        modules = [engine.network]
    return sum(p.numel() for m in modules for p in m.parameters())


def peak_rss_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2


def bench(name: str, root: Path, duration: float, steps: int | None, keep: bool) -> None:
    model = PEER_MODELS[name]
    settings = Settings(_env_file=None, model_dir=root)
    folder = weights.model_folder(model, root)
    started = time.perf_counter()
    if not weights.is_present(model, root):
        WRITERS[name](folder, size="full")
    built = time.perf_counter() - started
    started = time.perf_counter()
    engine = load_engine(name, settings, scorer=LazyScorer(lambda: None, "(not used)"))
    loaded = time.perf_counter() - started
    count = parameters(engine)
    size = weights.folder_size(folder)
    if duration > engine.max_duration:
        print(f"{name:<13} skipped: {duration:g} s is beyond its {engine.max_duration:g} s limit")
        return
    ticks: list[float] = []
    cpu_started = time.process_time()
    started = time.perf_counter()
    audio = engine.generate(
        "a dog barks while rain falls on a roof", duration, seed=0, steps=steps,
        progress=lambda stage, percent: ticks.append(time.perf_counter()) if stage == "sampling" else None,
    )
    total = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    default = model.default_steps
    if name == "musicgen":
        unit, done = "frame", int(audio.details["frames"])
    else:
        unit, done = "step", int(audio.details["steps"])
    per_unit = (ticks[-1] - ticks[0]) / max(1, len(ticks) - 1) if len(ticks) > 1 else total / max(1, done)
    overhead = total - per_unit * done
    line = (
        f"{name:<13} params {count / 1e6:7.0f} M  disk {size / 1e9:5.2f} GB  build {built:6.1f} s  "
        f"load {loaded:5.1f} s  clip {duration:g} s ({audio.samples.shape[0]} samples @ {audio.sample_rate} Hz)  "
        f"generate {total:7.1f} s = {done} {unit}s x {per_unit:6.2f} s + {overhead:5.1f} s  "
        f"RTF {total / duration:6.2f}  CPU {cpu:7.1f} s  peak RSS {peak_rss_gb():5.1f} GB"
    )
    if default and done < default:
        line += f"  -> at the default {default} steps ~ {overhead + per_unit * default:7.0f} s"
    print(line, flush=True)
    del engine
    if not keep:
        shutil.rmtree(folder, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--engines", nargs="+", default=list(WRITERS), choices=list(WRITERS))
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--steps", type=int, default=None, help="sampling steps (default: each engine's default)")
    parser.add_argument("--model-dir", type=Path, default=None, help="build into / reuse this folder (kept)")
    parser.add_argument("--threads", type=int, default=None, help="torch threads (default: torch's choice)")
    args = parser.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, CPU, float32, random weights")
    root = args.model_dir or Path(tempfile.mkdtemp(prefix="tag-bench-peers-"))
    try:
        for name in args.engines:
            try:
                bench(name, root, args.duration, args.steps, keep=args.model_dir is not None)
            except Exception as exc:  # report and go on with the next engine
                print(f"{name:<13} failed: {type(exc).__name__}: {exc}", flush=True)
    finally:
        if args.model_dir is None:
            shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
