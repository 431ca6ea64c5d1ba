"""Water: sea waves (slow swells of noise), a babbling brook, dripping water."""

from __future__ import annotations

import numpy as np

from tag.engines.synth import dsp
from tag.engines.synth.sources.base import NATURAL, Params, source


@source("sea", "sea waves: swells of low roar with foam hiss at each crest", plural=True,
        family=NATURAL, ru="море", examples=("sea waves", "шум моря"))
def sea(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    span = n / sr
    period = 7.0 / p.tempo
    crests = np.arange(rng.uniform(0.2, 0.5) * period, span + period, period)
    crests = crests + rng.normal(0, 0.08 * period, crests.size)
    heights = rng.uniform(0.6, 1.0, crests.size) * min(p.density, 2.0) ** 0.5

    def swell(t: np.ndarray) -> np.ndarray:
        # Each wave rises slowly to its crest, then washes out a little faster.
        dt = t[..., None] - crests
        shape = np.where(dt < 0, np.exp(-((dt / (0.35 * period)) ** 2)), np.exp(-dt / (0.25 * period)))
        return 0.15 + (heights * shape).sum(axis=-1)

    def magnitude(f: np.ndarray, t: np.ndarray) -> np.ndarray:
        s = swell(t[0])[None, :]
        roar = 1 / (1 + (f / (350 * p.pitch)) ** 2)
        foam = 0.35 * np.exp(-0.5 * (np.log2(np.maximum(f, 1) / 2500) / 1.2) ** 2)
        return s * roar + (s**2.5) * foam

    return dsp.shaped_noise(rng, n, sr, magnitude)


@source("stream", "a brook: dense rising bubbles over babbling band noise", plural=True,
        family=NATURAL, ru="ручей", examples=("a babbling brook", "журчание ручья"))
def stream(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    span = n / sr
    babble = dsp.bandpass(dsp.coloured_noise(rng, n, sr, 1.0), 250, 3500, sr)
    babble *= dsp.smooth_control(rng, n, sr, 7.0, 0.4, 1.0)
    kernels = [
        dsp.bubble(sr, f * p.pitch, 0.012 + 8.0 / f, rise=1.2, tau_frac=0.4) for f in (450, 650, 900, 1250, 1700, 2300)
    ]
    times = dsp.poisson_times(rng, span, 110 * p.density)
    amps = rng.lognormal(-1.0, 0.5, times.size)
    bubbles = dsp.scatter_kernels(rng, n, sr, times, amps, kernels)
    return 0.25 * babble + bubbles


@source("drip", "water drips: a plink (rising bubble ring) about once a second",
        family=NATURAL, ru="капель", examples=("water dripping", "капает вода"))
def drip(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    span = n / sr
    rate = p.rate(60)
    times = dsp.spread_times(rng, span, p.count, 0.3) if p.count else dsp.regular_times(rng, span, rate, jitter=0.08)
    plinks = []
    for _ in range(min(8, len(times))):
        plink = dsp.bubble(sr, rng.uniform(900, 1400) * p.pitch, 0.12, rise=0.9, tau_frac=0.35)
        click = dsp.burst(rng, sr, 0.003, 0.001, 2000, 8000) * 0.3
        plink[: click.size] += click
        plinks.append(plink)
    out = np.zeros(n)
    for i, t in enumerate(times):
        dsp.add_at(out, plinks[i % len(plinks)], int(t * sr), rng.uniform(0.7, 1.0))
    return out
