"""Make-An-Audio speed on this machine: full-size architecture, random weights.

Builds the official shapes (UNet ~160 M parameters, KL autoencoder, BERT-base CLAP
text tower, BigVGAN v1 with 1536 channels, CLAP Cnn14 scorer) with random weights
(timing does not depend on the values) and runs the whole pipeline.

    .venv/bin/python bench/bench_make_an_audio.py                      # 10 s, fast default
    .venv/bin/python bench/bench_make_an_audio.py --modes fast,reference --durations 5,10,20,60

Prints, per run: sampler, steps, UNet calls and UNet evaluations (network passes
per sample: guidance doubles them, windows multiply them), seconds per stage,
total seconds and peak resident memory of the process (getrusage).
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

import torch


def build_pipeline(device: str):
    from diffusers import AutoencoderKL, UNet2DConditionModel

    from tag.engines.clap.model import ClapConfig, ClapModel
    from tag.engines.clap.scorer import ClapScorer
    from tag.engines.clap.testing import write_tiny_tokenizer
    from tag.engines.clap.text import BERT_BASE_UNCASED, ClapTextEncoder, bert_config, load_tokenizer
    from tag.engines.make_an_audio.architecture import Architecture, autoencoder_config, unet_config
    from tag.engines.make_an_audio.loading import Components
    from tag.engines.make_an_audio.pipeline import MakeAnAudioPipeline
    from tag.engines.make_an_audio.vocoder import BigVGAN, VocoderConfig

    arch = Architecture()
    bert = bert_config(BERT_BASE_UNCASED)
    # Any WordPiece vocabulary whose ids fit BERT-base's table times the same.
    tokenizer = load_tokenizer(write_tiny_tokenizer(Path(tempfile.mkdtemp()) / "tok", with_config=False))
    components = Components(
        arch=arch,
        unet=UNet2DConditionModel(**unet_config(arch.unet)).eval().requires_grad_(False),
        autoencoder=AutoencoderKL(**autoencoder_config(arch.autoencoder)).eval().requires_grad_(False),
        text_encoder=ClapTextEncoder(bert, arch.unet.context_dim).eval().requires_grad_(False),
        tokenizer=tokenizer,
        scale_factor=1.0,
    )
    vocoder = BigVGAN(VocoderConfig()).to(device).eval().requires_grad_(False)
    clap_config = ClapConfig()
    scorer = ClapScorer(ClapModel(clap_config, bert).requires_grad_(False), clap_config, tokenizer, device=device)
    return MakeAnAudioPipeline(components, vocoder, scorer, device=device), components


def count_unet(components) -> dict[str, int]:
    counts = {"calls": 0, "evaluations": 0}
    original = components.unet.forward

    def counted(x, *args, **kwargs):
        counts["calls"] += 1
        counts["evaluations"] += x.shape[0]
        return original(x, *args, **kwargs)

    components.unet.forward = counted
    return counts


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--durations", default="10", help="comma-separated seconds")
    parser.add_argument("--modes", default="fast", help="fast (DPM-Solver++ 20) and/or reference (DDIM 100)")
    parser.add_argument("--candidates", type=int, default=3)
    parser.add_argument("--fast-steps", type=int, default=20)
    parser.add_argument("--reference-steps", type=int, default=100)
    parser.add_argument("--threads", type=int, default=torch.get_num_threads())
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--verbose", action="store_true", help="print each sampler step's time")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    from tag.engines.make_an_audio.pipeline import SamplingOptions

    started = time.perf_counter()
    pipe, components = build_pipeline(args.device)
    unet_params = sum(p.numel() for p in components.unet.parameters()) / 1e6
    print(f"built in {time.perf_counter() - started:.1f} s; UNet {unet_params:.1f} M parameters; "
          f"{args.threads} threads; peak {peak_mb():.0f} MB", flush=True)
    counts = count_unet(components)
    modes = {
        "fast": SamplingOptions(steps=args.fast_steps, candidates=args.candidates, sampler="dpm"),
        "reference": SamplingOptions(steps=args.reference_steps, candidates=args.candidates, parity=True),
    }
    print(f"{'mode':<10} {'audio s':>7} {'steps':>5} {'calls':>5} {'evals/sample':>12} "
          f"{'text':>5} {'sample':>7} {'decode':>6} {'vocode':>6} {'rank':>5} {'total s':>7} {'x realtime':>10} {'peak MB':>8}")
    for mode in args.modes.split(","):
        for duration in (float(d) for d in args.durations.split(",")):
            options = modes[mode]
            counts.update(calls=0, evaluations=0)
            marks: dict[str, float] = {}
            t0 = time.perf_counter()
            with torch.inference_mode():
                cond = pipe.encode_text(["a dog barks while rain falls on a tin roof"])
                marks["text"] = time.perf_counter()
                from tag.engines.make_an_audio.pipeline import candidate_noise, latent_width_for

                noise = candidate_noise(0, options.candidates, (4, 10, latent_width_for(duration)))
                step_started = [time.perf_counter()]

                def on_step(done: int, total: int) -> None:
                    now = time.perf_counter()
                    if args.verbose:
                        print(f"  step {done}/{total}: {now - step_started[0]:.1f} s", file=sys.stderr, flush=True)
                    step_started[0] = now

                latents, _ = pipe.sample(cond, noise, options, on_step)
                marks["sample"] = time.perf_counter()
                mel = pipe.decode(latents)
                marks["decode"] = time.perf_counter()
                waves = pipe.vocode(mel)
                marks["vocode"] = time.perf_counter()
                pipe.rank("a dog barks while rain falls on a tin roof", waves[:, : round(duration * 16000)])
                marks["rank"] = time.perf_counter()
            total = marks["rank"] - t0
            stages, last = [], t0
            for name in ("text", "sample", "decode", "vocode", "rank"):
                stages.append(marks[name] - last)
                last = marks[name]
            per_sample = counts["evaluations"] // options.candidates
            print(f"{mode:<10} {duration:>7.1f} {options.steps:>5} {counts['calls']:>5} {per_sample:>12} "
                  + " ".join(f"{s:>{w}.1f}" for s, w in zip(stages, (5, 7, 6, 6, 5)))
                  + f" {total:>7.1f} {total / duration:>10.2f} {peak_mb():>8.0f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
