"""Make-An-Audio speed on this machine: full-size architecture, random weights.

Builds the official shapes (UNet ~160 M parameters, KL autoencoder, BERT-base CLAP
text tower, BigVGAN v1 with 1536 channels, CLAP Cnn14 scorer) with random weights
(timing does not depend on the values) and runs the whole pipeline.

    .venv/bin/python bench/bench_make_an_audio.py                      # 10 s, the default
    .venv/bin/python bench/bench_make_an_audio.py --modes default,fast20,reference --candidates 1,3
    .venv/bin/python bench/bench_make_an_audio.py --modes default,bf16,int8,unipc10,fast20 --compare 8

Modes: ``default`` = the engine's defaults (DPM-Solver++ 12, preview ranking,
bfloat16 autocast where native); ``fast20`` = the previous default (DPM-Solver++ 20,
float32, every candidate vocoded); ``bf16``/``int8``/``unipc10``/``dpm10`` = fast20 with
one lever changed; ``reference`` = parity DDIM 100 in float32.

Prints, per run: sampler, steps, UNet calls and evaluations per sample, the mean
seconds of one UNet call, seconds per stage (text, sample, decode, vocode, rank;
with preview ranking "rank" includes the previews), total, x realtime and peak
resident memory of the process (getrusage).  ``--compare N`` then measures each
mode's effect against fast20 on N seeds: relative L2 difference of the chosen
waveform, the CLAP score change, and how often preview ranking picks another
candidate than full ranking.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import torch

from tag.engines.make_an_audio.pipeline import MakeAnAudioPipeline, SamplingOptions


def build_pipeline(device: str, compute: torch.dtype = torch.float32):
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
    return MakeAnAudioPipeline(components, vocoder, scorer, device=device, compute=compute), components


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


MODES = ("default", "fast20", "bf16", "int8", "unipc10", "dpm10", "reference")


def mode_setup(mode: str, args: argparse.Namespace):
    """(options, compute dtype, int8?) for a mode."""
    from tag.engines.make_an_audio import speed
    from tag.engines.make_an_audio.engine import FAST_DEFAULTS, PARITY_DEFAULTS

    fast20 = SamplingOptions(steps=20, sampler="dpm")
    native = speed.compute_dtype("auto", torch.device(args.device))
    table = {
        "default": (FAST_DEFAULTS, native, False),
        "fast20": (fast20, torch.float32, False),
        "bf16": (fast20, torch.bfloat16, False),
        "int8": (fast20, torch.float32, True),
        "unipc10": (replace(fast20, steps=10, sampler="unipc"), torch.float32, False),
        "dpm10": (replace(fast20, steps=10), torch.float32, False),
        "reference": (replace(PARITY_DEFAULTS, steps=args.reference_steps), torch.float32, False),
    }
    return table[mode]


def run(pipe, counts, prompt: str, duration: float, seed: int, options, verbose: bool = False):
    """The pipeline's stages one by one (as MakeAnAudioPipeline.finish runs them), timed."""
    from tag.engines.make_an_audio.mel import griffin_lim_preview

    marks: dict[str, float] = {}
    counts.update(calls=0, evaluations=0)
    t0 = time.perf_counter()
    n = round(duration * 16000)
    step_times: list[float] = []
    with torch.inference_mode():
        cond = pipe.encode_text([prompt])
        marks["text"] = time.perf_counter()
        noise = pipe.start_noise(seed, duration, options)
        last = [time.perf_counter()]

        def on_step(done: int, total: int) -> None:
            now = time.perf_counter()
            step_times.append(now - last[0])
            if verbose:
                print(f"  step {done}/{total}: {now - last[0]:.2f} s", file=sys.stderr, flush=True)
            last[0] = now

        latents, _ = pipe.sample(cond, noise, options, on_step)
        marks["sample"] = time.perf_counter()
        mel = pipe.decode(latents, options.parity)
        marks["decode"] = time.perf_counter()
        if options.preview_rank and options.candidates > 1:
            scores = pipe.rank(prompt, griffin_lim_preview(mel)[:, :n])
            best = int(np.argmax(scores))
            marks["rank"] = time.perf_counter()
            wave = pipe.vocode(mel[best : best + 1])[0, :n]
            marks["vocode"] = time.perf_counter()
            marks["rank"], marks["vocode"] = marks["rank"] - marks["decode"], marks["vocode"] - marks["rank"]
        else:
            waves = pipe.vocode(mel, options.parity)[:, :n]
            marks["vocode"] = time.perf_counter()
            scores = pipe.rank(prompt, waves)
            best = int(np.argmax(scores))
            wave = waves[best]
            marks["rank"] = time.perf_counter()
            marks["rank"], marks["vocode"] = marks["rank"] - marks["vocode"], marks["vocode"] - marks["decode"]
    total = time.perf_counter() - t0
    stages = {
        "text": marks["text"] - t0,
        "sample": marks["sample"] - marks["text"],
        "decode": marks["decode"] - marks["sample"],
        "vocode": marks["vocode"],
        "rank": marks["rank"],
    }
    per_call = sum(step_times) / max(1, len(step_times))
    return {"wave": wave, "mel": mel, "scores": scores, "best": best, "total": total, "stages": stages,
            "calls": counts["calls"], "evals": counts["evaluations"], "per_call": per_call}


def compare(pipes, counts, args, modes: list[str]) -> None:
    """Each mode against fast20 on --compare seeds (2 s clips keep this affordable)."""
    duration, prompt = args.compare_duration, "a dog barks while rain falls on a tin roof"
    print(f"\neffect against fast20 on {args.compare} seeds, {duration:g} s, {max(args.candidates)} candidates:")
    print(f"{'mode':<10} {'rel. L2 of the sound':>20} {'CLAP change':>11} {'preview pick differs':>20}")
    for mode in modes:
        if mode == "fast20":
            continue
        diffs, clap, differs, ranked = [], [], 0, 0
        for seed in range(args.compare):
            base_opts = mode_setup("fast20", args)[0]
            base_opts = replace(base_opts, candidates=max(args.candidates))
            opts = replace(mode_setup(mode, args)[0], candidates=max(args.candidates))
            base = run(pipes["fast20"], counts[id(pipes["fast20"])], prompt, duration, seed, base_opts)
            got = run(pipes[mode], counts[id(pipes[mode])], prompt, duration, seed, opts)
            diffs.append(float((got["wave"] - base["wave"]).norm() / base["wave"].norm()))
            # Every candidate vocoded and scored: what full ranking would have chosen.
            with torch.inference_mode():
                full = pipes[mode].rank(prompt, pipes[mode].vocode(got["mel"])[:, : round(duration * 16000)])
            clap.append(float(full[got["best"]]) - float(max(base["scores"])))
            if opts.preview_rank:
                ranked += 1
                differs += int(np.argmax(full)) != got["best"]
        pick = f"{differs}/{ranked}" if ranked else "-"
        print(f"{mode:<10} {np.mean(diffs):>20.4f} {np.mean(clap):>+11.4f} {pick:>20}", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--durations", default="10", help="comma-separated seconds")
    parser.add_argument("--modes", default="default", help=f"comma-separated, from {', '.join(MODES)}")
    parser.add_argument("--candidates", default="3", help="comma-separated counts")
    parser.add_argument("--reference-steps", type=int, default=100)
    parser.add_argument("--threads", type=int, default=None, help="default: the cores available")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--compare", type=int, default=0, help="seeds for the effect-on-output table")
    parser.add_argument("--compare-duration", type=float, default=2.0)
    parser.add_argument("--verbose", action="store_true", help="print each sampler step's time")
    args = parser.parse_args()
    args.candidates = [int(c) for c in args.candidates.split(",")]
    from tag.engines.make_an_audio import speed

    threads = speed.set_threads(args.threads)
    modes = args.modes.split(",")
    if args.compare and "fast20" not in modes:
        modes.append("fast20")

    started = time.perf_counter()
    pipes, counts = {}, {}
    torch.manual_seed(0)
    base, components = build_pipeline(args.device)
    unet_params = sum(p.numel() for p in components.unet.parameters()) / 1e6
    for mode in modes:
        _, compute, int8 = mode_setup(mode, args)
        if int8:  # its own copy of the weights, quantised
            torch.manual_seed(0)
            pipe, comps = build_pipeline(args.device)
            speed.quantize_linears(comps.unet)
            speed.quantize_linears(comps.text_encoder)
        else:  # the same weights, another compute precision
            pipe = MakeAnAudioPipeline(base.c, base.vocoder, base.scorer, device=args.device, compute=compute)
        pipes[mode] = pipe
        counts.setdefault(id(pipe.c), count_unet(pipe.c))
        counts[id(pipe)] = counts[id(pipe.c)]
    print(f"built in {time.perf_counter() - started:.1f} s; UNet {unet_params:.1f} M parameters; "
          f"{threads} threads; native bf16: {speed.native_bf16(torch.device(args.device))}; peak {peak_mb():.0f} MB",
          flush=True)
    print(f"{'mode':<10} {'audio s':>7} {'cand':>4} {'steps':>5} {'calls':>5} {'evals/sample':>12} {'s/call':>6} "
          f"{'text':>5} {'sample':>7} {'decode':>6} {'vocode':>6} {'rank':>5} {'total s':>7} {'x realtime':>10} {'peak MB':>8}")
    totals: dict[tuple[str, float, int], float] = {}
    for mode in modes:
        for duration in (float(d) for d in args.durations.split(",")):
            for candidates in args.candidates:
                options = replace(mode_setup(mode, args)[0], candidates=candidates)
                r = run(pipes[mode], counts[id(pipes[mode])], "a dog barks while rain falls on a tin roof",
                        duration, 0, options, args.verbose)
                totals[(mode, duration, candidates)] = r["total"]
                st = r["stages"]
                print(f"{mode:<10} {duration:>7.1f} {candidates:>4} {options.steps:>5} {r['calls']:>5} "
                      f"{r['evals'] // candidates:>12} {r['per_call']:>6.2f} "
                      + " ".join(f"{st[k]:>{w}.1f}" for k, w in zip(("text", "sample", "decode", "vocode", "rank"), (5, 7, 6, 6, 5)))
                      + f" {r['total']:>7.1f} {r['total'] / duration:>10.2f} {peak_mb():>8.0f}", flush=True)
    for (mode, duration, candidates), total in totals.items():
        reference = totals.get(("reference", duration, candidates))
        if reference and mode != "reference":
            print(f"{mode} / reference DDIM {args.reference_steps} at {duration:g} s, {candidates} candidates: "
                  f"{total / reference:.3f} of its time ({reference / total:.1f}x faster)")
    if args.compare:
        compare(pipes, counts, args, modes)
    return 0


if __name__ == "__main__":
    sys.exit(main())
