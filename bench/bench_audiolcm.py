"""AudioLCM on this machine: seconds for a clip and peak memory, full-size random weights.

Builds a full-size random checkpoint in the official layout (reference sizes:
DiT 576 x 4 blocks, 1-D autoencoder ch 384, BERT-base CLAP tower, T5 v1.1 large
encoder, BigVGAN 1536) in a temporary folder, loads it through the engine's own
loading code, then times generation.

    PYTHONPATH=src python bench/bench_audiolcm.py --duration 10 --candidates 1 3
"""

from __future__ import annotations

import argparse
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
    args = parser.parse_args()
    import lcm_tiny
    from transformers import T5Config

    from tag.config import Settings
    from tag.engines import create_engine
    from tag.engines.make_an_audio.vocoder import VocoderConfig

    lcm_tiny.CONTEXT = 1024
    lcm_tiny.CONFIG = {"model": {"params": {"mel_length": 312}}}  # the built-in reference sizes
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "audiolcm"
        t0 = time.perf_counter()
        # Full-size T5 v1.1 large encoder and BigVGAN; the CLAP tower keeps the test BERT.
        lcm_tiny.T5_CONFIG = T5Config(vocab_size=24, d_model=1024, d_kv=64, d_ff=2816, num_layers=24, num_heads=16,
                                      feed_forward_proj="gated-gelu", is_encoder_decoder=False, use_cache=False)
        lcm_tiny.write_tiny_model(root, seed=0, vocoder=VocoderConfig())
        engine = create_engine("audiolcm", Settings(_env_file=None, model_dir=Path(tmp)))
        print(f"build + load: {time.perf_counter() - t0:.1f} s")
        for count in args.candidates:
            t0 = time.perf_counter()
            engine.generate("a dog barks in the rain", args.duration, seed=0, candidates=count)
            print(f"audiolcm {args.duration:g} s clip, {count} candidate(s): {time.perf_counter() - t0:.1f} s")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory (max RSS): {peak:.0f} MiB; threads {torch.get_num_threads()}")


if __name__ == "__main__":
    main()
