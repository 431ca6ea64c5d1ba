"""Fine-tuning step time on this machine: the tiny and the full-size Make-An-Audio UNet.

Random weights (the time of a step does not depend on the values), the training
code of ``tag finetune`` (tag.training.finetune.Trainer) on a synthetic dataset of
random log-mels.  One step = the batch's text encoding (CLAP/BERT), the posterior
sample (clips are encoded once and cached, as in a run), the UNet forward and
backward, gradient clipping and the AdamW update.

    .venv/bin/python bench/bench_finetune.py                       # everything, the defaults below
    .venv/bin/python bench/bench_finetune.py --sizes full --methods lora --batch 4 --steps 3

Prints one row per (size, method): batch size, mel frames, trainable parameters,
seconds per step (median and minimum of the timed steps after a warm-up step;
the median, because a shared machine's other work lands on single steps) and peak resident memory.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).parents[1] / "tests" / "engines" / "make_an_audio"))


def components(size: str):
    """Random-weight Components of the official architecture (``full``) or the tests' tiny one."""
    from diffusers import AutoencoderKL, UNet2DConditionModel

    from tag.engines.clap.testing import tiny_bert_config, write_tiny_tokenizer
    from tag.engines.clap.text import BERT_BASE_UNCASED, ClapTextEncoder, bert_config, load_tokenizer
    from tag.engines.make_an_audio.architecture import (
        Architecture,
        architecture_from_config,
        autoencoder_config,
        unet_config,
    )
    from tag.engines.make_an_audio.loading import Components

    torch.manual_seed(0)
    if size == "full":
        arch, bert = Architecture(), bert_config(BERT_BASE_UNCASED)
    else:
        from maa_tiny import tiny_config

        arch, bert = architecture_from_config(tiny_config()), tiny_bert_config()
    tokenizer = load_tokenizer(write_tiny_tokenizer(Path(tempfile.mkdtemp()) / "tok", with_config=False))
    return Components(
        arch=arch,
        unet=UNet2DConditionModel(**unet_config(arch.unet)).eval().requires_grad_(False),
        autoencoder=AutoencoderKL(**autoencoder_config(arch.autoencoder)).eval().requires_grad_(False),
        text_encoder=ClapTextEncoder(bert, arch.unet.context_dim).eval().requires_grad_(False),
        tokenizer=tokenizer,
        scale_factor=1.0,
    )


def synthetic_dataset(folder: Path, clips: int, frames: int) -> Path:
    from tag.dataset import Dataset, Entry

    dataset = Dataset(folder)
    rng = np.random.default_rng(0)
    for i in range(clips):
        mel = rng.normal(-5.0, 2.0, size=(80, frames)).astype(np.float32)
        entry = Entry(id=f"c{i}", audio=f"c{i}.wav", mel=f"mels/c{i}.npy", duration=frames / 62.5,
                      caption=f"a synthetic sound number {i}")
        dataset.add(entry, mel)
    return folder


def bench(size: str, method: str, batch: int, frames: int | None, steps: int, precision: str,
          checkpointing: bool) -> dict:
    from tag.engines.make_an_audio.pipeline import MakeAnAudioPipeline
    from tag.training.data import TrainingSet
    from tag.training.finetune import Trainer
    from tag.training.options import FinetuneOptions

    c = components(size)
    frames = frames or c.arch.schedule.train_latent_width * 8
    pipeline = MakeAnAudioPipeline(c, vocoder=None, scorer=None)  # type: ignore[arg-type]  (no validation here)
    work = Path(tempfile.mkdtemp())
    data = TrainingSet(synthetic_dataset(work / "data", batch, frames), frames)
    options = FinetuneOptions(steps=steps + 1, method=method, batch_size=batch, frames=frames, validate_every=0,
                              progress=False, mixed_precision=precision, gradient_checkpointing=checkpointing)
    trainer = Trainer(pipeline, data, options, work / "run")
    trainable = sum(p.numel() for p in trainer.params)
    times = []
    for i in range(steps + 1):
        began = time.perf_counter()
        trainer.train_step()
        if i:  # the first step also encodes every clip once and warms the allocator
            times.append(time.perf_counter() - began)
    return {
        "size": size, "method": method, "batch": batch, "frames": frames, "precision": precision,
        "trainable": trainable, "step_s": statistics.median(times), "min_s": min(times),
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="tiny,full", help="tiny, full or both")
    parser.add_argument("--methods", default="lora,full", help="lora, full or both")
    parser.add_argument("--batch", type=int, default=4, help="clips per step for the tiny UNet (default 4)")
    parser.add_argument("--full-batch", type=int, default=1, help="clips per step for the full-size UNet (default 1)")
    parser.add_argument("--frames", type=int, help="mel frames per clip (default: the training length: 624 full, 128 tiny)")
    parser.add_argument("--steps", type=int, default=3, help="timed steps after one warm-up step (default 3)")
    parser.add_argument("--precision", default="no", choices=["no", "bf16"], help="accelerate mixed precision")
    parser.add_argument("--gradient-checkpointing", action="store_true")
    parser.add_argument("--threads", type=int, help="torch threads (default: torch's)")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, precision {args.precision}")
    header = f"{'UNet':5} {'method':6} {'batch':>5} {'frames':>6} {'trainable':>12} {'median s':>9} {'min s':>8} {'peak MB':>8}"
    print(header)
    print("-" * len(header))
    for size in args.sizes.split(","):
        for method in args.methods.split(","):
            batch = args.batch if size == "tiny" else args.full_batch
            row = bench(size, method, batch, args.frames, args.steps, args.precision, args.gradient_checkpointing)
            print(f"{row['size']:5} {row['method']:6} {row['batch']:>5} {row['frames']:>6} {row['trainable']:>12,} "
                  f"{row['step_s']:>9.2f} {row['min_s']:>8.2f} {row['peak_mb']:>8.0f}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
