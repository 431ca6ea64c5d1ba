"""AudioLCM on this machine: seconds for a clip and peak memory, full-size random weights.

Builds a full-size random checkpoint in the official layout (reference sizes:
DiT 576 x 4 blocks, 1-D autoencoder ch 384, T5 v1.1 large encoder, BigVGAN 1536)
in a temporary folder, loads it through the engine's own loading code, then times
generation with the engine's defaults (2 steps, bfloat16 autocast where native,
ranking on Griffin-Lim previews with BigVGAN for the winner only).  The CLAP text
towers (conditioning and scorer) keep the tests' tiny BERT unless ``--full-bert``
gives them BERT-base (as the official files have).

    PYTHONPATH=src python bench/bench_audiolcm.py --duration 10 --candidates 1 3 [--full-bert]
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).parent.parent / "tests" / "engines" / "audiolcm"))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--candidates", type=int, nargs="+", default=[1, 3])
    parser.add_argument("--full-bert", action="store_true", help="BERT-base CLAP text towers (random weights)")
    args = parser.parse_args()
    import lcm_tiny
    from transformers import T5Config

    from tag.config import Settings
    from tag.engines import create_engine
    from tag.engines.clap.text import BERT_BASE_UNCASED, bert_config
    from tag.engines.make_an_audio.vocoder import VocoderConfig

    lcm_tiny.CONTEXT = 1024
    lcm_tiny.CONFIG = {"model": {"params": {"mel_length": 312}}}  # the built-in reference sizes
    if args.full_bert:
        lcm_tiny.BERT_CONFIG = bert_config(BERT_BASE_UNCASED)
    print(f"load {' '.join(f'{x:.2f}' for x in os.getloadavg())}; CLAP BERT {'base' if args.full_bert else 'tiny'}",
          flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "audiolcm"
        t0 = time.perf_counter()
        lcm_tiny.T5_CONFIG = T5Config(vocab_size=24, d_model=1024, d_kv=64, d_ff=2816, num_layers=24, num_heads=16,
                                      feed_forward_proj="gated-gelu", is_encoder_decoder=False, use_cache=False)
        lcm_tiny.write_tiny_model(root, seed=0, vocoder=VocoderConfig())
        engine = create_engine("audiolcm", Settings(_env_file=None, model_dir=Path(tmp)))
        print(f"build + load: {time.perf_counter() - t0:.1f} s", flush=True)
        for count in args.candidates:
            t0 = time.perf_counter()
            audio = engine.generate("a dog barks in the rain", args.duration, seed=0, candidates=count)
            details = audio.details
            print(f"audiolcm {args.duration:g} s clip, {count} candidate(s): {time.perf_counter() - t0:.1f} s "
                  f"(ranked on {details['ranked_on']}, {details['precision']})", flush=True)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory (max RSS): {peak:.0f} MiB; threads {torch.get_num_threads()}; "
          f"load {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
