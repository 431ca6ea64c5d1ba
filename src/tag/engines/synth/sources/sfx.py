"""Game and film effects: whoosh, explosion, laser zap, coin pickup."""

from __future__ import annotations

import numpy as np

from tag.engines.synth import dsp
from tag.engines.synth.sources.base import AMBIGUOUS, THINGS, Params, source


@source("whoosh", "a whoosh: a noise band sweeping up and back down under a bell envelope", moving=True,
        family=AMBIGUOUS, ru="свист", examples=("a whoosh", "свист взмаха"))
def whoosh(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    span = n / sr
    length = min(span, 0.8 / p.tempo * rng.uniform(0.8, 1.2))
    count = p.how_many(int(span / 3), int(span * 2) + 1)
    starts = dsp.spread_times(rng, span, count, length)
    starts = np.clip(starts + rng.uniform(0, 0.5, starts.size) * max(span - length - starts.max(), 0), 0, None)
    # Each swing its own: how high it sweeps (octaves), from where, how wide the band, when it peaks.
    reach = rng.uniform(3.4, 4.0)
    low = 300 * p.pitch * rng.uniform(0.8, 1.25)
    width = rng.uniform(0.5, 0.9)
    skew = rng.uniform(0.75, 1.4)  # < 1 peaks early (a fast flick), > 1 late

    def magnitude(f: np.ndarray, t: np.ndarray) -> np.ndarray:
        total = np.zeros(np.broadcast(f, t).shape)
        octave = np.log2(np.maximum(f, 1))
        for s in starts:
            cols = np.flatnonzero((t[0] >= s) & (t[0] <= s + length))  # only the frames it sounds in
            x = ((t[0, cols] - s) / length) ** skew
            env = np.sin(np.pi * x) ** 2
            centre = np.log2(low) + reach * np.sin(np.pi * x)  # about 300 Hz up to 3-4.8 kHz
            total[:, cols] += env * np.exp(-0.5 * ((octave - centre) / width) ** 2)
        return total

    return dsp.shaped_noise(rng, n, sr, magnitude, hop=128)


@source("explosion", "an explosion: instant broadband blast, deep boom, long rumbling decay with debris",
        family=THINGS, ru="взрыв", examples=("an explosion", "взрыв"))
def explosion(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    span = n / sr
    length = min(span, 4.0)
    k = int(length * sr)
    # Every blast differs: charge, ground and distance change the crack, the boom's depth and the debris.
    blast = dsp.lowpass(dsp.white(rng, k), 6000, sr) * dsp.decay(k, sr, 0.12 * rng.uniform(0.7, 1.5), attack=0.003)
    boom = dsp.lowpass(dsp.coloured_noise(rng, k, sr, 2.0), 150 * p.pitch * rng.uniform(0.7, 1.4), sr, order=4)
    boom = boom / (np.std(boom) + 1e-12) * dsp.decay(k, sr, 0.9 * rng.uniform(0.7, 1.3), attack=0.006) * 0.7
    debris_t = dsp.poisson_times(rng, length, rng.uniform(5, 20)) + rng.uniform(0.1, 0.4)
    debris = dsp.scatter_kernels(
        rng,
        k,
        sr,
        debris_t,
        rng.uniform(0.02, 0.12, debris_t.size),
        [dsp.burst(rng, sr, 0.03, 0.004, 1000, 6000) for _ in range(4)],
    )
    one = 1.5 * blast + boom + debris * dsp.decay(k, sr, 1.0)  # the shock front is the loudest moment
    out = np.zeros(n)
    count = p.how_many(1, int(span) + 1)
    late = rng.uniform(0.0, min(0.6, span * 0.2)) if count == 1 else 0.0  # a single blast: not always on cue
    for t in dsp.spread_times(rng, span, count, length) + late:
        dsp.add_at(out, one, int(t * sr))
    return out


@source("laser", "laser zaps: fast falling frequency sweeps with a buzzy timbre", room=False,
        family=AMBIGUOUS, ru="лазер", examples=("laser zaps", "выстрел лазера"))
def laser(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    span = n / sr
    dur = 0.22
    k = int(dur * sr)
    t = dsp.seconds(k, sr)
    top = p.freq or 2800.0 * p.pitch
    freq = top * np.exp(-t / dur * np.log(12))  # falls about 3.6 octaves
    ph = dsp.phase(freq, k, sr)
    zap = (np.sin(ph) + 0.3 * np.sin(2 * ph + 0.5 * np.sin(ph))) * dsp.decay(k, sr, dur * 0.5, attack=0.002)
    times = (
        dsp.spread_times(rng, span, p.count, dur) if p.count else dsp.regular_times(rng, span, p.rate(90), jitter=0.05)
    )
    out = np.zeros(n)
    for s in times:
        dsp.add_at(out, zap, int(s * sr), rng.uniform(0.8, 1.0))
    return out


@source("coin", "a coin pickup: two quick square-wave notes, B5 then E6", room=False,
        family=AMBIGUOUS, ru="монетка", examples=("a coin pickup", "звук монетки"))
def coin(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    span = n / sr
    notes = ((987.77 * p.pitch, 0.07), (1318.51 * p.pitch, 0.35))
    parts = []
    for f, d in notes:
        k = int(d * sr)
        tt = dsp.seconds(k, sr)
        sq = sum(np.sin(dsp.TAU * h * f * tt) / h for h in (1, 3, 5) if h * f < 0.45 * sr)
        parts.append(sq * (dsp.decay(k, sr, d * 0.6, attack=0.002) if d > 0.1 else np.ones(k)))
    ding = np.concatenate(parts)
    ding[:32] *= np.linspace(0, 1, 32)
    count = p.count or max(1, int(span / 2 * p.tempo))
    out = np.zeros(n)
    for s in dsp.spread_times(rng, span, count, ding.size / sr):
        dsp.add_at(out, ding, int(s * sr))
    return out


@source("gunshot", "a gunshot: a sharp supersonic crack and muzzle thump, then the room answers",
        family=THINGS, ru="выстрел", examples=("a gunshot", "выстрел из пистолета"))
def gunshot(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    span = n / sr
    k = int(0.5 * sr)
    crack = dsp.highpass(dsp.white(rng, k), 300, sr) * dsp.decay(k, sr, 0.008, attack=0.0003)
    calibre = rng.uniform(0.8, 1.25)  # each gun its own body
    thump = dsp.modal([70 * p.pitch * calibre, 140 * p.pitch * calibre], [0.06, 0.03], [1.0, 0.4], 0.5, sr, rng)
    shot = crack * rng.uniform(0.8, 1.2) + 0.8 * thump[:k]
    count = p.how_many(max(1, int(span / 2 * p.tempo * min(p.density, 2.0))), int(span * 8) + 1)
    times = (
        dsp.spread_times(rng, span, count, 0.3) if count > 1 else np.array([min(rng.uniform(0.05, 0.3), span * 0.1)])
    )
    out = np.zeros(n)
    for s in times:
        dsp.add_at(out, shot, int(s * sr), rng.uniform(0.8, 1.0))
    return out
