"""Electronic signals: tones, beeps, hums, telephone tones, ringers, alarms, sirens."""

from __future__ import annotations

import numpy as np

from tag.engines.synth import dsp
from tag.engines.synth.sources.base import AMBIGUOUS, BACKGROUND, THINGS, Params, source

# North American Precise Tone Plan and the ETSI (European) recommendation.
NORTH_AMERICAN = {"dial": (350.0, 440.0), "busy": (480.0, 620.0), "cadence": (0.5, 0.5)}
EUROPEAN = {"dial": (425.0,), "busy": (425.0,), "cadence": (0.5, 0.5)}


def gate(n: int, sr: int, starts: np.ndarray, length: float, edge: float = 0.005) -> np.ndarray:
    """An on/off envelope: bursts of ``length`` s at ``starts``, raised-cosine edges."""
    env = np.zeros(n)
    k = max(2, int(length * sr))
    shape = np.ones(k)
    e = min(int(edge * sr), k // 2)
    if e > 1:
        ramp = 0.5 - 0.5 * np.cos(np.linspace(0, np.pi, e))
        shape[:e], shape[-e:] = ramp, ramp[::-1]
    for s in starts:
        dsp.add_at(env, shape, int(s * sr))
    return np.minimum(env, 1.0)


def cadence(n: int, sr: int, on: float, off: float, first: float = 0.0) -> np.ndarray:
    starts = np.arange(first, n / sr, on + off)
    return gate(n, sr, starts, on)


def sines(freqs, n: int, sr: int) -> np.ndarray:
    t = dsp.seconds(n, sr)
    return sum(np.sin(dsp.TAU * f * t) for f in freqs) / len(freqs)


def tone_frequency(p: Params, default: float) -> float:
    return p.freq if p.freq else default * p.pitch


@source("tone", "a steady sine tone (440 Hz unless asked)", room=False,
        family=AMBIGUOUS, ru="тон", examples=("a 440 Hz tone", "тон 440 Гц"))
def tone(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    return sines([tone_frequency(p, 440.0)], n, sr)


@source("beep", "sine beeps, one a second unless a count or tempo is asked", room=False,
        family=AMBIGUOUS, ru="писк", examples=("a 1 kHz beep", "писк 1 кГц"))
def beep(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    span = n / sr
    if p.count:
        length = min(0.5, span / p.count * 0.6)
        starts = dsp.spread_times(rng, span, p.count, length) if p.count > 1 else np.array([min(0.05, span * 0.1)])
    else:
        rate = p.rate(60)
        length = min(0.5, 0.5 / rate)
        starts = np.arange(0.05, span - 0.02, 1 / rate)
    return sines([tone_frequency(p, 1000.0)], n, sr) * gate(n, sr, starts, min(length, span))


@source("hum", "an electrical hum: fundamental (60 Hz unless asked) with weaker harmonics", room=False,
        family=BACKGROUND, ru="гул", examples=("a low 80 Hz hum", "низкий гул 80 Гц"))
def hum(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    f0 = tone_frequency(p, 60.0)
    t = dsp.seconds(n, sr)
    x = sum(
        a * np.sin(dsp.TAU * k * f0 * t + rng.uniform(0, dsp.TAU)) for k, a in ((1, 1.0), (2, 0.4), (3, 0.25), (4, 0.1))
    )
    return x * (1 + 0.05 * np.sin(dsp.TAU * 0.3 * t))


@source(
    "dial_tone",
    "telephone dial tone",
    room=False,
    standard="North American Precise Tone Plan 350+440 Hz; European (ETSI) 425 Hz",
    family=THINGS, ru="длинный гудок", examples=("dial tone", "длинный гудок"))
def dial_tone(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    plan = EUROPEAN if p.variant == "european" else NORTH_AMERICAN
    return sines(plan["dial"], n, sr)


@source(
    "busy_tone",
    "telephone busy tone",
    room=False,
    standard="North American 480+620 Hz, European (ETSI) 425 Hz; 0.5 s on / 0.5 s off",
    family=THINGS, ru="короткие гудки", examples=("busy signal", "короткие гудки"))
def busy_tone(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    plan = EUROPEAN if p.variant == "european" else NORTH_AMERICAN
    on, off = plan["cadence"]
    return sines(plan["busy"], n, sr) * cadence(n, sr, on, off)


@source("phone_ring", "an old telephone bell: a hammer at 20 Hz, 2 s on / 4 s off (North American cadence)",
        family=THINGS, ru="телефонный звонок", examples=("a phone ringing", "звонит телефон"))
def phone_ring(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    # Two small bells struck alternately by a 20 Hz clapper: modal strikes in a train.
    strike_rate = 20.0
    bell = dsp.modal(
        [2100 * p.pitch, 2100 * 2.41 * p.pitch, 1850 * p.pitch, 1850 * 2.63 * p.pitch],
        [0.25, 0.12, 0.25, 0.1],
        [1.0, 0.4, 0.9, 0.35],
        0.4,
        sr,
        rng,
    )
    starts = np.arange(0.02, n / sr, 1 / strike_rate)
    hits = dsp.impulses(starts, rng.uniform(0.8, 1.0, starts.size), n, sr)
    ringing = dsp.convolve(hits, bell)
    return ringing * cadence(n, sr, 2.0, 4.0, first=0.0)


@source("alarm_clock", "a digital alarm: groups of four 2.7 kHz square beeps every second",
        family=THINGS, ru="будильник", examples=("an alarm clock", "звенит будильник"))
def alarm_clock(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    f = tone_frequency(p, 2700.0)
    t = dsp.seconds(n, sr)
    # Band-limited square wave: odd harmonics below Nyquist.
    square = sum(np.sin(dsp.TAU * k * f * t) / k for k in (1, 3, 5) if k * f < 0.45 * sr)
    period = 1.0 / p.tempo
    group = np.arange(4) * 0.125
    starts = (np.arange(rng.uniform(0.02, 0.3), n / sr, period)[:, None] + group[None, :]).ravel()
    return square * gate(n, sr, starts, 0.07, edge=0.003)


RISE = 0.9  # share of a yelp cycle spent sweeping up


@source("siren", "an emergency siren sweeping 600-1400 Hz (wail; 'fast' gives a yelp)",
        family=THINGS, ru="сирена", examples=("a siren", "сирена"))
def siren(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    yelp = p.variant == "yelp" or p.tempo > 1.3
    period = 0.35 if yelp else 4.0 / p.tempo
    lo, hi = 600.0 * p.pitch, 1400.0 * p.pitch
    t = dsp.seconds(n, sr) + rng.uniform(0, period)  # starts anywhere in its cycle
    if yelp:
        # A rising sweep that glides back down in the last tenth of each cycle: a sawtooth's
        # instant reset would kink the waveform and click across the whole spectrum.
        u = (t / period) % 1.0
        sweep = np.where(u < RISE, u / RISE, 0.5 + 0.5 * np.cos(np.pi * (u - RISE) / (1 - RISE)))
    else:
        sweep = 0.5 - 0.5 * np.cos(dsp.TAU * t / period)
    freq = lo + (hi - lo) * sweep
    ph = dsp.phase(freq, n, sr)
    # A horn-like timbre: a few harmonics, the fundamental strongest.
    return np.sin(ph) + 0.3 * np.sin(2 * ph) + 0.15 * np.sin(3 * ph)
