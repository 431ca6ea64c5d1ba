"""Living things and fire: crackling fire, birdsong, crickets, frogs, a dog's bark."""

from __future__ import annotations

import numpy as np

from tag.engines.synth import dsp
from tag.engines.synth.sources.base import ANIMAL, NATURAL, Params, source


@source("fire", "a fire: a flickering low roar with sharp random crackles and pops", plural=True,
        family=NATURAL, ru="костёр", examples=("a crackling campfire", "треск костра"))
def fire(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    span = n / sr
    roar = dsp.lowpass(dsp.coloured_noise(rng, n, sr, 1.0), 600, sr) * dsp.smooth_control(rng, n, sr, 6.0, 0.3, 1.0)
    hiss = dsp.bandpass(dsp.white(rng, n), 2000, 8000, sr) * 0.04
    # Crackle sizes follow a power law: many tiny ticks, a few loud pops.
    times = dsp.poisson_times(rng, span, 18 * p.density)
    amps = np.minimum(rng.pareto(2.5, times.size) + 0.2, 4.0) * rng.choice([-1, 1], times.size)
    kernels = [
        dsp.burst(rng, sr, 0.012, tau, lo, 12000)
        for tau, lo in ((0.0008, 2500), (0.0015, 1500), (0.003, 800), (0.005, 500))
    ]
    crackle = dsp.scatter_kernels(rng, n, sr, times, amps, kernels)
    return 0.25 * roar + hiss + crackle


def _syllable(rng: np.random.Generator, sr: int, base: float) -> np.ndarray:
    """One FM chirp: a fast pitch sweep with vibrato under a smooth envelope."""
    dur = rng.uniform(0.04, 0.16)
    n = int(dur * sr)
    t = dsp.seconds(n, sr)
    start, end = base * rng.uniform(0.7, 1.3), base * rng.uniform(0.7, 1.4)
    vibrato = rng.uniform(20, 70)
    freq = start + (end - start) * t / dur + base * 0.08 * np.sin(dsp.TAU * vibrato * t)
    ph = dsp.phase(freq, n, sr)
    return (np.sin(ph) + 0.15 * np.sin(2 * ph)) * dsp.hann(n)


@source("birds", "birdsong: phrases of FM chirps from a few birds", plural=True,
        family=ANIMAL, ru="птицы", examples=("birdsong", "пение птиц"))
def birds(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    span = n / sr
    out = np.zeros(n)
    for _ in range(p.how_many(int(round(2 * p.density)), 6)):
        base = rng.uniform(2500, 5000) * p.pitch
        t = rng.uniform(0, 1.0)
        while t < span:
            for _ in range(rng.integers(3, 9)):  # one phrase
                syl = _syllable(rng, sr, base)
                dsp.add_at(out, syl, int(t * sr), rng.uniform(0.5, 1.0))
                t += syl.size / sr + rng.uniform(0.02, 0.08)
            t += rng.uniform(0.8, 3.0) / p.tempo
    return out


@source("crickets", "crickets: chirps of three 4.5 kHz pulses, about two a second per insect", plural=True,
        family=ANIMAL, ru="сверчки", examples=("crickets at night", "стрекот сверчков"))
def crickets(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    span = n / sr
    out = np.zeros(n)
    t = dsp.seconds(n, sr)
    for i in range(p.how_many(int(round(3 * p.density)), 8)):
        carrier = rng.uniform(4200, 4900) * p.pitch
        rate = rng.uniform(1.6, 2.4) * p.tempo if i else 2.0 * p.tempo
        chirps = dsp.regular_times(rng, span, rate, jitter=0.03)
        pulses = (chirps[:, None] + np.arange(3) / 30.0).ravel()
        env = dsp.impulses(pulses, 1.0, n, sr)
        env = dsp.convolve(env, dsp.hann(int(0.02 * sr)))
        out += (
            np.sin(dsp.TAU * carrier * t + rng.uniform(0, dsp.TAU)) * env * (1.0 if i == 0 else rng.uniform(0.3, 0.7))
        )
    return out


@source("frogs", "frogs: croaks of glottal pulses through throat formants", plural=True,
        family=ANIMAL, ru="лягушки", examples=("frogs croaking", "кваканье лягушек"))
def frogs(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    span = n / sr
    out = np.zeros(n)
    for _ in range(p.how_many(int(round(2 * p.density)), 6)):
        pulse_rate = rng.uniform(60, 110) * p.pitch
        formants = (rng.uniform(350, 600) * p.pitch, rng.uniform(1100, 1600) * p.pitch)
        for start in dsp.regular_times(rng, span, rng.uniform(0.6, 1.1) * p.tempo, jitter=0.15):
            dur = rng.uniform(0.18, 0.35)
            k = int(dur * sr)
            pulses = dsp.impulses(np.arange(0, dur, 1 / pulse_rate), 1.0, k, sr)
            voiced = sum(dsp.resonator(pulses, f, 8, sr) for f in formants) * dsp.hann(k)
            dsp.add_at(out, voiced, int(start * sr), rng.uniform(0.5, 1.0))
    return out


@source("dog", "a dog barking: short noisy voiced barks with a falling pitch",
        family=ANIMAL, ru="собака", examples=("a dog barking", "лает собака"))
def dog(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    span = n / sr
    out = np.zeros(n)
    count = p.count or max(2, int(span * 1.2 * p.tempo * min(p.density, 2.0) ** 0.5))
    # Barks come in uneven runs of one to three, at no fixed interval.
    groups = dsp.humanise(rng, dsp.spread_times(rng, span, max(1, count // 2), 0.6), 0.15, span)
    runs = [g + np.cumsum(np.r_[0, rng.uniform(0.22, 0.45, 2)]) for g in groups]
    times = np.sort(np.concatenate(runs))[:count]
    size = rng.uniform(0.88, 1.12)  # this dog's size: its formants
    for start in times:
        dur = rng.uniform(0.12, 0.2)
        k = int(dur * sr)
        tt = dsp.seconds(k, sr)
        f0 = rng.uniform(350, 500) * p.pitch * (1.2 - 0.4 * tt / dur)
        src = np.sign(np.sin(dsp.phase(f0, k, sr))) * 0.6 + dsp.white(rng, k) * rng.uniform(0.35, 0.7)
        bark = sum(
            dsp.resonator(src, f * p.pitch * size * rng.uniform(0.95, 1.05), 5, sr) * a
            for f, a in ((700, 1.0), (1500, 0.7), (2800, 0.3))
        )
        env = dsp.decay(k, sr, dur * 0.45, attack=0.012)
        dsp.add_at(out, bark * env, int(start * sr), rng.uniform(0.7, 1.0))
    return out


def _formant_gain(freq: np.ndarray, centre: np.ndarray, width: float) -> np.ndarray:
    return 1.0 / (1.0 + ((freq - centre) / width) ** 2)


@source("cat", "a cat meowing: a rising-falling voiced glide whose vowel moves from 'ee' through 'ah' to 'oo'",
        family=ANIMAL, ru="кошка", examples=("a cat meowing", "мяукает кошка"))
def cat(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    span = n / sr
    out = np.zeros(n)
    count = p.one_every(span, 2.5, 20)
    for start in dsp.spread_times(rng, span, count, 0.9):
        dur = min(rng.uniform(0.6, 0.9), max(span - start, 0.1))
        k = int(dur * sr)
        x = np.linspace(0, 1, k)
        arc = np.sin(np.pi * np.minimum(x * 1.4, 1.0))  # pitch and vowel open, then close
        f0 = (480 + 260 * arc) * p.pitch * rng.uniform(0.9, 1.1)
        f1 = 450 + 500 * arc
        f2 = 1900 - 900 * x
        # Additive voice: each harmonic weighted by the two moving formants.
        ph = dsp.phase(f0, k, sr)
        voice = np.zeros(k)
        for h in range(1, 12):
            fh = h * f0
            gain = _formant_gain(fh, f1, 250) + 0.6 * _formant_gain(fh, f2, 350)
            voice += gain * np.sin(h * ph) * (fh < 0.45 * sr)
        dsp.add_at(out, voice * dsp.hann(k) ** 0.5, int(start * sr))
    return out
