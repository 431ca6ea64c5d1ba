"""Weather: rain (drops + hiss by density), wind (gusting band noise), thunder (crack + rumble)."""

from __future__ import annotations

import numpy as np

from tag.engines.synth import dsp
from tag.engines.synth.sources.base import NATURAL, Params, source


@source("rain", "rain: droplet impacts over filtered hiss, denser when heavy", plural=True,
        family=NATURAL, ru="дождь", examples=("rain", "дождь"))
def rain(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    span = n / sr
    d = p.density
    hiss = dsp.bandpass(dsp.coloured_noise(rng, n, sr, 0.6), 600, 9000, sr)
    # Light rain is separate drops; heavy rain is a roar of countless unresolved ones.
    hiss *= dsp.smooth_control(rng, n, sr, 0.5, 0.8, 1.0) * (0.015 + 0.1 * d**1.5)
    # Small drops ring high and short, big ones lower and longer (bubble resonance).
    kernels = [dsp.bubble(sr, f * p.pitch, 0.006 + 6.0 / f, rise=0.3) for f in (1400, 1900, 2500, 3300, 4300, 5500)]
    kernels += [dsp.burst(rng, sr, 0.01, 0.002, 1500, 10000) for _ in range(2)]  # tiny splashes
    times = dsp.poisson_times(rng, span, 70 * d**1.4)
    amps = rng.lognormal(-1.2, 0.6, times.size) * rng.choice([-1, 1], times.size)
    drops = dsp.scatter_kernels(rng, n, sr, times, amps, kernels)
    return hiss + drops


@source("wind", "wind: band noise whose level and pitch follow slow gusts", plural=True,
        family=NATURAL, ru="ветер", examples=("gusty wind", "порывистый ветер"))
def wind(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    span = n / sr
    gust = dsp.wander(rng, span, 0.35 * p.tempo, 0.15, 1.0)
    strength = min(p.density, 2.5)
    base = 220 * p.pitch * (0.8 + 0.3 * strength)

    def magnitude(f: np.ndarray, t: np.ndarray) -> np.ndarray:
        g = gust(t)
        centre = base * (1 + 2.2 * g)
        body = np.exp(-0.5 * (np.log2(np.maximum(f, 1) / centre) / 0.9) ** 2)
        rumble = 0.5 / (1 + (f / 120) ** 2)
        return (g**1.5) * (body + rumble)

    return dsp.shaped_noise(rng, n, sr, magnitude)


def _strike(rng: np.random.Generator, sr: int, length: float, distance: float, pitch: float) -> np.ndarray:
    n = max(16, int(length * sr))
    near = distance < 2.0
    # Rumble: low noise with a quick rise and a long, lumpy decay (echoes off terrain).
    rise = 0.02 if near else 0.12
    tau = (1.0 + 0.6 * distance) * rng.uniform(0.65, 1.4)
    lumps = dsp.smooth_control(rng, n, sr, 4.0, 0.35, 1.0)
    # The first echoes arrive together: full level at the start, lumpy later.
    lumps = 1 - (1 - lumps) * np.minimum(1.0, dsp.seconds(n, sr) / 0.6)
    depth = rng.uniform(0.75, 1.3)  # each strike's own rumble
    cutoff = 320 * pitch * depth / max(distance, 0.5) ** 0.5
    rumble = dsp.lowpass(dsp.coloured_noise(rng, n, sr, 2.0), cutoff, sr, order=4)
    rumble = rumble / (np.std(rumble) + 1e-12) * dsp.decay(n, sr, tau, attack=rise) * lumps
    out = rumble
    if near:
        k = min(n, int(0.6 * sr))
        crack = dsp.highpass(dsp.white(rng, k), 900, sr) * dsp.decay(k, sr, 0.07, attack=0.002)
        crack[: k // 2] += (
            dsp.highpass(dsp.white(rng, k // 2), 1500, sr) * dsp.decay(k // 2, sr, 0.03, attack=0.001) * 0.6
        )
        out = out.copy()
        out[:k] += crack * 0.6
    return out


@source("thunder", "thunder: a sharp crack (if near) then a long rolling rumble",
        family=NATURAL, ru="гром", examples=("thunder", "раскаты грома"))
def thunder(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    span = n / sr
    count = p.how_many(int(round(span / 10 * p.density)), int(span / 1.5) + 1)
    length = min(span, 3.5 + 1.5 * p.distance)
    out = np.zeros(n)
    late = rng.uniform(0.0, min(0.8, span * 0.2)) if count == 1 else 0.0  # a single strike: not always on cue
    for start in dsp.spread_times(rng, span, count, length) + late:
        dsp.add_at(out, _strike(rng, sr, length, p.distance, p.pitch), int(start * sr), rng.uniform(0.7, 1.0))
    return out
