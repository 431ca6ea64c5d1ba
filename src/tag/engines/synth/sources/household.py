"""Around the house: clock ticking, knocking, keyboard typing, a creaking door, bells."""

from __future__ import annotations

import numpy as np

from tag.engines.synth import dsp
from tag.engines.synth.sources.base import THINGS, Params, source


@source("clock", "a clock ticking: alternating tick and tock, once a second unless asked",
        family=THINGS, ru="часы", examples=("a clock ticking", "тиканье часов"))
def clock(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    span = n / sr
    out = np.zeros(n)
    ticks = [
        dsp.modal([f * p.pitch for f in (2900, 4300, 6100)], [0.008, 0.006, 0.004], [1.0, 0.6, 0.4], 0.05, sr, rng)
        + dsp.burst(rng, sr, 0.05, 0.002, 2000, 9000) * 0.4
        for _ in range(2)
    ]
    ticks[1] = (
        dsp.modal([f * p.pitch for f in (2300, 3500, 5200)], [0.009, 0.006, 0.004], [1.0, 0.6, 0.4], 0.05, sr, rng)
        + ticks[1] * 0.2
    )
    for i, t in enumerate(dsp.regular_times(rng, span, p.rate(60), jitter=0.005)):
        dsp.add_at(out, ticks[i % 2], int(t * sr), 1.0 if i % 2 == 0 else 0.85)
    return out


def _knock_sound(rng: np.random.Generator, sr: int, pitch: float) -> np.ndarray:
    # Knuckle on a wooden door: a low panel thump plus a few damped plate modes.
    body = dsp.modal(
        [f * pitch * rng.uniform(0.95, 1.05) for f in (110, 240, 430, 760, 1180)],
        [0.05, 0.035, 0.025, 0.018, 0.01],
        [1.0, 0.8, 0.6, 0.35, 0.2],
        0.15,
        sr,
        rng,
    )
    return body + dsp.lowpass(dsp.burst(rng, sr, 0.15, 0.004, 200, 3000), 2500, sr) * 0.5


@source("knock", "knocking on a door: groups of three wooden knocks; counts and tempo obeyed",
        family=THINGS, ru="стук", examples=("knocking on a door", "стук в дверь"))
def knock(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    span = n / sr
    gap = 0.2 / p.tempo
    if p.bpm:
        times = dsp.regular_times(rng, span, p.rate(60), jitter=0.01)
    elif p.count:
        if p.count * gap < span * 0.8:  # one group, as people knock
            times = 0.1 + np.arange(p.count) * gap
        else:
            times = dsp.spread_times(rng, span, p.count, 0.15)
    else:  # people knock in uneven groups of two to four, waiting a varying while between them
        times_list, t = [], rng.uniform(0.05, 0.1 + min(0.3, span * 0.2))
        while not times_list or t < span - 2 * gap:
            hits = int(rng.choice([2, 3, 3, 3, 4]))
            times_list.extend(t + np.cumsum(np.r_[0, gap * rng.uniform(0.8, 1.2, hits - 1)]))
            t += hits * gap + rng.uniform(1.3, 2.6) / (p.tempo * min(p.density, 3.0) ** 0.5)  # heavy: insistent
        times = np.array(times_list)
    if not p.bpm and len(times) > 1:  # a hand, not a machine: a little timing slop
        times = np.sort(times + rng.normal(0, 0.012, len(times)))
    out = np.zeros(n)
    sounds = [_knock_sound(rng, sr, p.pitch) for _ in range(min(4, len(times)))]  # a few knuckle variants
    brights = [dsp.highpass(s, 800, sr) for s in sounds]
    for i, t in enumerate(times):
        k = rng.integers(len(sounds))  # per hit: which knuckle, how hard (a harder knock is brighter)
        force = rng.uniform(0.7, 1.0)
        dsp.add_at(out, sounds[k], int(t * sr), force)
        dsp.add_at(out, brights[k], int(t * sr), (force - 0.85) * 1.5)
    return out


@source("typing", "keyboard typing: bursts of key clicks (press and release), words and pauses",
        family=THINGS, ru="клавиатура", examples=("keyboard typing", "печать на клавиатуре"))
def typing(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    span = n / sr
    out = np.zeros(n)
    keys = [
        dsp.burst(rng, sr, 0.03, 0.003, 1500, 7000)
        + dsp.modal([rng.uniform(1800, 3500) * p.pitch], [0.006], [0.5], 0.03, sr, rng)
        for _ in range(6)
    ]
    space = dsp.burst(rng, sr, 0.05, 0.006, 500, 4000) + dsp.modal([900 * p.pitch], [0.01], [0.6], 0.05, sr, rng)
    rate = p.rate(420)  # keys per second while typing a word
    t = rng.uniform(0.05, 0.3)
    while t < span:
        for _ in range(rng.integers(3, 8)):
            key = keys[rng.integers(len(keys))]
            dsp.add_at(out, key, int(t * sr), rng.uniform(0.6, 1.0))
            dsp.add_at(out, key, int((t + rng.uniform(0.06, 0.09)) * sr), 0.3)  # release
            t += rng.uniform(0.7, 1.3) / rate
        dsp.add_at(out, space, int(t * sr), 0.9)
        t += rng.uniform(0.25, 0.7) / p.tempo
    return out


@source("door_creak", "a creaking door: stick-slip friction pulses exciting wooden resonances",
        family=THINGS, ru="скрип двери", examples=("a creaking door", "скрип двери"))
def door_creak(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    span = n / sr
    out = np.zeros(n)
    wood_size = rng.uniform(0.8, 1.25)  # each door has its own panel modes
    for start in dsp.spread_times(rng, span, p.count or 1, 1.5) + rng.uniform(0.0, 0.3):
        dur = min(rng.uniform(1.0, 1.8) / p.tempo, max(span - start, 0.05))
        k = int(dur * sr)
        # The friction pulse rate wanders as the hinge speeds up and slows down.
        rate = dsp.smooth_control(rng, k, sr, 3.0, 40, 140) * p.pitch
        cycles = np.cumsum(rate) / sr
        hits = np.diff(np.floor(cycles), prepend=0.0) * rng.uniform(0.6, 1.0, k)
        wood = sum(
            dsp.resonator(hits, f * p.pitch * wood_size * rng.uniform(0.95, 1.05), 12, sr) * a * rng.uniform(0.6, 1.2)
            for f, a in ((620, 1.0), (1150, 0.8), (2300, 0.5), (3400, 0.25))
        )
        dsp.add_at(out, wood * dsp.hann(k) ** 0.3, int(start * sr))
    return out


def _shatter(rng: np.random.Generator, sr: int, pitch: float) -> np.ndarray:
    """Glass breaking: an impact crack, then a shower of shards, each a bright decaying ping."""
    k = int(1.2 * sr)
    out = np.zeros(k)
    dsp.add_at(out, dsp.burst(rng, sr, 0.05, 0.006, 1500, 12000), 0, 1.0)
    for t in np.sort(rng.exponential(0.18, 60)):
        ping = dsp.modal(
            [rng.uniform(2500, 9000) * pitch, rng.uniform(4000, 12000) * pitch],
            [rng.uniform(0.02, 0.1), rng.uniform(0.01, 0.05)],
            [1.0, 0.5],
            0.15,
            sr,
            rng,
        )
        dsp.add_at(out, ping, int(t * sr), rng.uniform(0.1, 0.6) * np.exp(-t / 0.4))
    return out


@source("glass", "glass breaking: a crack followed by a shower of ringing shards",
        family=THINGS, ru="стекло", examples=("glass breaking", "разбилось стекло"))
def glass(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    span = n / sr
    out = np.zeros(n)
    for t in dsp.spread_times(rng, span, p.how_many(1, int(span) + 1), 1.2):
        dsp.add_at(out, _shatter(rng, sr, p.pitch), int(t * sr))
    return out
