"""Captioning throughput of `tag dataset caption` on this CPU, tiny and full-size CLAP (random weights).

    .venv/bin/python bench/bench_dataset.py [--clips 16] [--duration 5] [--batch 1,8] [--models tiny,full]

Renders ``--clips`` synth sounds (the gallery's example prompts, ``--duration``
seconds, 32 kHz WAV) into a temporary folder, then times the whole captioning
run over them (read, resample, CLAP windows, retrieval against the 527 AudioSet
labels, caption, 16 kHz mel, manifest) for each batch size.  The labels' text
embeddings are computed once per model and timed on their own ("labels").

* tiny: the tests' CLAP (Cnn14 widths 4..16, 2-layer BERT), 1 s windows;
* full: the official architecture (Cnn14 80 M parameters, BERT-base), 5 s windows,
  random weights (the timing does not depend on their values).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import torch

from tag.audio import encode
from tag.dataset import Dataset
from tag.dataset.caption import LabelRetriever, caption_folder, label_embeddings
from tag.dataset.labels import audioset_labels
from tag.engines.clap import ClapScorer
from tag.engines.synth import SynthEngine
from tag.engines.synth.catalogue import examples


def tiny_scorer(folder: Path, batch: int) -> ClapScorer:
    from tag.engines.clap.testing import write_tiny_clap

    # Through the same files and loader a user's CLAP takes.
    return ClapScorer.from_folder(write_tiny_clap(folder / "tiny-clap", seed=0, duration=1.0), batch_size=batch)


def full_scorer(folder: Path, batch: int) -> ClapScorer:
    from tag.engines.clap.model import ClapConfig, ClapModel
    from tag.engines.clap.testing import write_tiny_tokenizer
    from tag.engines.clap.text import BERT_BASE_UNCASED, bert_config, load_tokenizer

    config = ClapConfig()
    # Any WordPiece vocabulary whose ids fit BERT-base's table times the same.
    tokenizer = load_tokenizer(write_tiny_tokenizer(folder / "tokenizer", with_config=False))
    model = ClapModel(config, bert_config(BERT_BASE_UNCASED)).requires_grad_(False)
    return ClapScorer(model, config, tokenizer, batch_size=batch)


def render(folder: Path, count: int, duration: float) -> Path:
    engine = SynthEngine()
    prompts = sorted(examples("en").items())
    step = max(1, len(prompts) // count)
    sounds = folder / "sounds"
    sounds.mkdir(parents=True)
    for name, prompt in prompts[::step][:count]:
        audio = engine.generate(prompt, duration, seed=0)
        (sounds / f"{name}.wav").write_bytes(encode(audio.samples, audio.sample_rate, "wav"))
    return sounds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clips", type=int, default=16)
    parser.add_argument("--duration", type=float, default=5.0)
    parser.add_argument("--batch", default="1,8", help="comma-separated batch sizes")
    parser.add_argument("--models", default="tiny,full")
    args = parser.parse_args()
    batches = [int(b) for b in args.batch.split(",")]
    labels = audioset_labels()
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads; {args.clips} clips of {args.duration:g} s, "
          f"{len(labels)} labels", flush=True)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        sounds = render(work, args.clips, args.duration)
        for name in args.models.split(","):
            build = {"tiny": tiny_scorer, "full": full_scorer}[name]
            scorer = build(work / name, batches[0])
            params = sum(p.numel() for p in scorer.model.parameters()) / 1e6
            started = time.perf_counter()
            label_embeddings(scorer, labels)
            label_seconds = time.perf_counter() - started
            for batch in batches:
                scorer.batch_size = batch
                retriever = LabelRetriever(scorer, labels)  # label embeddings cached above
                dataset = Dataset(work / f"{name}-{batch}")
                started = time.perf_counter()
                report = caption_folder(sounds, dataset, retriever, batch=batch, progress=False)
                seconds = time.perf_counter() - started
                assert report.written == args.clips and not report.failed
                rows.append((name, f"{params:.1f} M", f"{label_seconds:.1f} s", str(batch), f"{seconds:.1f} s",
                             f"{report.written / seconds:.2f}", f"{seconds / report.written:.3f} s"))
                print("  ".join(rows[-1]), flush=True)
    header = ("CLAP", "params", "labels", "batch", "captioning", "clips/s", "s/clip")
    print()
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
