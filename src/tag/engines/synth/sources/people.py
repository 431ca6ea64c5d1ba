"""People: footsteps on several surfaces, a heartbeat, applause, crowd murmur."""

from __future__ import annotations

import numpy as np

from tag.engines.synth import dsp
from tag.engines.synth.sources.base import HUMAN, Params, source


def _grains(rng: np.random.Generator, sr: int, dur: float, count: int, low: float, high: float) -> np.ndarray:
    """A crunch: many tiny grains (gravel, snow crystals) under a quick swell."""
    k = int(dur * sr)
    hits = dsp.impulses(rng.uniform(0, dur * 0.8, count), rng.lognormal(0, 0.5, count), k, sr)
    grain = dsp.bandpass(hits, low, high, sr)
    return grain * dsp.decay(k, sr, dur * 0.4, attack=0.01)


def _step(rng: np.random.Generator, sr: int, surface: str, pitch: float) -> np.ndarray:
    if surface == "gravel":
        return dsp.overlay(_grains(rng, sr, 0.18, 70, 1200, 7000) * 2, dsp.burst(rng, sr, 0.08, 0.015, 80, 400) * 0.5)
    if surface == "snow":
        crunch = _grains(rng, sr, 0.25, 45, 500, 3500) * 2
        return dsp.overlay(crunch, dsp.burst(rng, sr, 0.25, 0.05, 60, 300) * 0.4)
    if surface == "wood":
        body = dsp.modal(
            [f * pitch for f in (95, 210, 480, 950)], [0.04, 0.03, 0.02, 0.012], [1.0, 0.7, 0.4, 0.2], 0.15, sr, rng
        )
        return body + dsp.burst(rng, sr, 0.15, 0.006, 300, 4000) * 0.4
    # Hard floor: heel strike, then the toe a few tens of milliseconds later.
    heel = dsp.burst(rng, sr, 0.12, 0.012, 150, 4000) + dsp.modal([80 * pitch], [0.03], [0.8], 0.12, sr, rng)
    out = np.zeros(int(0.2 * sr))
    dsp.add_at(out, heel, 0)
    dsp.add_at(out, dsp.burst(rng, sr, 0.06, 0.006, 800, 6000), int(0.035 * sr), 0.4)
    return out


@source("footsteps", "footsteps: heel-toe impacts at walking pace (110 a minute) on concrete, gravel, wood or snow",
        family=HUMAN, ru="шаги", examples=("footsteps on gravel", "шаги по гравию"))
def footsteps(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    span = n / sr
    default = 170 if p.variant == "running" else 110
    times = (
        dsp.spread_times(rng, span, p.count, 0.3)
        if p.count
        else dsp.regular_times(rng, span, p.rate(default), jitter=0.03)
    )
    surface = p.surface or "concrete"
    out = np.zeros(n)
    steps = [_step(rng, sr, surface, p.pitch) for _ in range(min(6, len(times)))]  # a few variants, reused
    # Per step a different weight and roll of the foot: the highs of each reused variant vary.
    scuffs = [dsp.highpass(s, 1500, sr) for s in steps]
    for i, t in enumerate(times):
        k = int(rng.integers(len(steps)))
        gain = rng.uniform(0.75, 1.0) * (1.0 if i % 2 else 0.9)
        dsp.add_at(out, steps[k], int(t * sr), gain)
        dsp.add_at(out, scuffs[k], int(t * sr), gain * rng.uniform(-0.4, 0.4))
    return out


@source("heartbeat", "a heartbeat: lub-dub thumps at 70 beats a minute unless asked",
        family=HUMAN, ru="сердцебиение", examples=("a heartbeat", "стук сердца"))
def heartbeat(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    span = n / sr
    rate = p.rate(70)
    lub = dsp.modal([45 * p.pitch, 90 * p.pitch], [0.05, 0.02], [1.0, 0.3], 0.25, sr, rng)
    dub = dsp.modal([65 * p.pitch, 130 * p.pitch], [0.035, 0.015], [0.7, 0.25], 0.2, sr, rng)
    out = np.zeros(n)
    for t in dsp.regular_times(rng, span, rate, jitter=0.01):
        dsp.add_at(out, lub, int(t * sr))
        # Systole shortens less than the whole beat as the heart speeds up.
        dsp.add_at(out, dub, int((t + 0.3 / max(rate, 0.5) ** 0.5) * sr))
    return dsp.lowpass(out, 400, sr)


@source("applause", "applause: many hand claps (band-limited bursts) from a crowd", plural=True,
        family=HUMAN, ru="аплодисменты", examples=("applause", "аплодисменты"))
def applause(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    span = n / sr
    people = p.how_many(int(25 * p.density), 200)
    times = dsp.poisson_times(rng, span, people * 4.0 * p.tempo)
    amps = rng.uniform(0.3, 1.0, times.size)
    kernels = [
        dsp.burst(rng, sr, 0.03, rng.uniform(0.003, 0.007), c * 0.6, c * 1.6) for c in rng.uniform(900, 2600, 10)
    ]
    claps = dsp.scatter_kernels(rng, n, sr, times, amps, kernels)
    swell = np.minimum(1.0, dsp.seconds(n, sr) / min(0.8, span / 3) + 0.2)
    return claps * swell


@source("crowd", "crowd murmur: many voices of formant-filtered pulses in random syllables", plural=True,
        family=HUMAN, ru="толпа", examples=("crowd murmur", "гомон толпы"))
def crowd(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    span = n / sr
    out = np.zeros(n)
    vowels = ((730, 1090), (530, 1840), (270, 2290), (570, 840), (300, 870), (660, 1700))
    for _ in range(p.how_many(max(3, int(8 * p.density)), 16)):
        f0 = rng.uniform(95, 230) * p.pitch
        t = rng.uniform(0, 0.5)
        while t < span:
            dur = rng.uniform(0.1, 0.28) / p.tempo
            k = int(dur * sr)
            contour = f0 * (1 + 0.1 * rng.uniform(-1, 1) * np.linspace(0, 1, k))
            pulses = np.diff(np.floor(np.cumsum(contour) / sr), prepend=0.0)
            f1, f2 = vowels[rng.integers(len(vowels))]
            voice = dsp.resonator(pulses, f1, 6, sr) + 0.6 * dsp.resonator(pulses, f2, 8, sr)
            dsp.add_at(out, voice * dsp.hann(k), int(t * sr), rng.uniform(0.3, 1.0))
            t += dur + (rng.uniform(0.3, 1.2) if rng.random() < 0.15 else rng.uniform(0.0, 0.05))
    babble = dsp.bandpass(dsp.coloured_noise(rng, n, sr, 1.0), 200, 2500, sr) * np.std(out)
    return dsp.lowpass(out, 3500, sr) + 0.15 * babble
