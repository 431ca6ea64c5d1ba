"""Where a sound is heard: distance cues, place reverbs and ambience beds, room tone.

A place is the reverberation of its space (decay time, pre-delay before the
first reflections, how dark the tail is, discrete echoes off far walls) plus,
outdoors, the bed a listener there always hears: leaves and distant birds in a
forest, far traffic in a street, a murmuring crowd in a stadium.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tag.engines.synth import dsp
from tag.engines.synth.sources.base import SOURCES, Params

LONGEST_IR = 3.0  # seconds: bounds the one convolution per place and clip


@dataclass(frozen=True)
class Place:
    rt60: float  # seconds for the tail to fall 60 dB
    predelay: float  # seconds from the direct sound to the first reflection
    bright: float  # the tail's low-pass cutoff (Hz): stone caves are dark, tiles bright
    send: float  # reverberation share for an acoustic source at normal distance
    echoes: tuple[tuple[float, float], ...] = ()  # distinct reflections: (delay s, gain)
    dry: float = 1.0  # direct sound's gain (big spaces swallow it a little)
    muffle: float | None = None  # low-pass of the direct sound (Hz): underwater
    bed: str | None = None  # ambience that belongs to the place


def _flutter(first: float, gap: float, count: int, gain: float, fall: float) -> tuple[tuple[float, float], ...]:
    return tuple((first + k * gap, gain * fall**k) for k in range(count))


PLACES: dict[str, Place] = {
    # Rock walls tens of metres away: a late, dark tail with separate echoes.
    "cave": Place(3.0, 0.07, 2000, 1.1, echoes=((0.14, 0.5), (0.29, 0.32), (0.45, 0.2)), dry=0.8),
    "hall": Place(2.0, 0.025, 5000, 0.6, dry=0.9),
    "church": Place(2.6, 0.035, 4000, 0.8, dry=0.9),
    "cathedral": Place(3.0, 0.05, 3500, 1.0, echoes=((0.09, 0.2),), dry=0.8),
    # Open-air bowl: a long tail and a slap back off the far stand.
    "stadium": Place(2.2, 0.04, 4500, 0.35, echoes=((0.32, 0.45), (0.64, 0.18)), bed="stadium"),
    "forest": Place(0.6, 0.02, 6000, 0.1, bed="forest"),
    "street": Place(0.9, 0.012, 6000, 0.16, echoes=((0.07, 0.25), (0.16, 0.12)), bed="street"),
    "outdoors": Place(0.3, 0.01, 7000, 0.05),
    "room": Place(0.4, 0.004, 6500, 0.3),
    # Hard tiles close by: short, bright and dense.
    "bathroom": Place(0.7, 0.002, 11000, 0.55, echoes=((0.009, 0.35), (0.017, 0.25), (0.026, 0.15))),
    # Parallel walls: a flutter of regular echoes along a long, dark tail.
    "tunnel": Place(2.5, 0.02, 3500, 0.8, echoes=_flutter(0.045, 0.045, 8, 0.35, 0.8)),
    # Water carries sound but the ear hears it dull: highs gone, a murky wash.
    "underwater": Place(1.2, 0.01, 900, 0.45, dry=0.8, muffle=350, bed="underwater"),
}


def default_place(farthest: float) -> Place:
    """No place named: a modest room whose tail grows with the farthest source."""
    return Place(min(0.8 + 0.4 * farthest, 2.5), 0.012, 5000, 0.12)


def reverb_ir(
    rng: np.random.Generator,
    sr: int,
    rt60: float,
    channels: int,
    predelay: float = 0.012,
    bright: float = 5000.0,
    echoes: tuple[tuple[float, float], ...] = (),
) -> np.ndarray:
    """Exponentially decaying noise after a pre-delay, plus discrete echoes; unit energy per channel.

    Decorrelated per channel for width; high frequencies die faster than lows, as
    air and soft surfaces absorb them.
    """
    length = min(rt60, LONGEST_IR)
    n = int(length * sr)
    t = dsp.seconds(n, sr)
    noise = rng.standard_normal((n, channels))
    low = dsp.lowpass(noise, bright, sr) * np.exp(-6.9 * t / rt60)[:, None]
    high = dsp.bandpass(noise, bright, 2.5 * bright, sr) * (0.3 * np.exp(-6.9 * t / (0.5 * rt60)))[:, None]
    tail = low + high
    start = int(predelay * sr)
    tail[:start] = 0
    ramp = min(int(0.01 * sr), n - start)  # the diffuse tail builds up over the first reflections
    tail[start : start + ramp] *= np.linspace(0, 1, ramp)[:, None]
    energy = np.sum(tail**2, axis=0, keepdims=True)
    for delay, gain in echoes:  # each a short dull burst carrying gain**2 / 2 of the tail's energy
        k = int(delay * sr)
        m = min(int(0.004 * sr), n - k)
        if m > 2:
            click = dsp.lowpass(rng.standard_normal((m, channels)), bright, sr) * dsp.hann(m)[:, None]
            tail[k : k + m] += gain * click * np.sqrt(0.5 * energy / np.sum(click**2, axis=0, keepdims=True))
    return tail / np.sqrt(np.sum(tail**2, axis=0, keepdims=True))


def apply_distance(x: np.ndarray, distance: float, sr: int) -> np.ndarray:
    """Far: quieter, duller (air absorbs highs), onsets smeared by early reflections; close: louder, brighter."""
    if distance > 1.05:
        x = dsp.lowpass(x, 14000 / distance**1.4, sr)
        # Early reflections arrive within tens of milliseconds and carry more of
        # the energy the farther the source: its attacks soften.
        k = int(0.03 * distance * sr)
        smear = np.random.default_rng(k).standard_normal(k) * dsp.decay(k, sr, 0.012 * distance, attack=0.004)
        smear /= np.sqrt(np.sum(smear**2))
        direct = 1 / distance
        x = (direct * x + (1 - direct) * dsp.convolve(x, smear)) / distance
    elif distance < 0.95:
        presence = dsp.highpass(x, 2500, sr)
        x = (x + (1 / distance - 1) * 0.6 * presence) / distance**0.5
    return x


def room_send(distance: float, in_room: bool, place: Place | None = None) -> float:
    """Reverb share: a place's own share for acoustic sources (less when close), much more when far.

    Electronic signals stay dry unless a place is asked for.
    """
    if place is None:
        base = 0.12 * min(distance, 1.0) if in_room else 0.0
    else:
        base = place.send * min(distance, 1.0) ** 1.5
    return base + 0.3 * max(distance - 1.0, 0.0)


def stereo_copies(x: np.ndarray, channels: int, sr: int) -> np.ndarray:
    """(n, channels) of a bed: later channels hear it from another moment, uncorrelated at a fraction of the cost."""
    shift = max(1, min(int(1.37 * sr), x.size // 2))
    return np.stack([np.roll(x, c * shift) for c in range(channels)], axis=1)


def bed(name: str, rng: np.random.Generator, n: int, sr: int) -> np.ndarray:
    """The ambience of a place (or "room" tone), unit RMS."""
    swell = dsp.smooth_control(rng, n, sr, 0.3, 0.5, 1.0)
    if name == "forest":
        leaves = dsp.bandpass(dsp.coloured_noise(rng, n, sr, 1.0), 900, 7000, sr) * swell
        leaves /= np.std(leaves) + 1e-12
        birds = dsp.lowpass(SOURCES["birds"].render(rng, n, sr, Params(density=0.6, count=2)), 5000, sr)
        out = leaves + 0.6 * birds / (np.sqrt(np.mean(birds**2)) + 1e-12)
    elif name == "street":
        noise = dsp.coloured_noise(rng, n, sr, 1.5)  # separate bands of one noise are independent enough
        rumble = dsp.lowpass(noise, 250, sr)
        hiss = dsp.bandpass(noise, 300, 2500, sr)
        cars = dsp.smooth_control(rng, n, sr, 0.25, 0.3, 1.0)  # cars coming and going
        out = (rumble / (np.std(rumble) + 1e-12) + 0.5 * hiss / (np.std(hiss) + 1e-12)) * cars
    elif name == "stadium":
        crowd = SOURCES["crowd"].render(rng, n, sr, Params(density=2.0))
        out = dsp.lowpass(crowd, 2500, sr) * swell
    elif name == "underwater":
        out = dsp.lowpass(dsp.coloured_noise(rng, n, sr, 2.0), 300, sr) * swell
    else:  # room tone: dark air, a faint breath of ventilation
        out = dsp.lowpass(dsp.coloured_noise(rng, n, sr, 1.5), 2000, sr) * swell
    return out / (np.sqrt(np.mean(out**2)) + 1e-12)


BED_RMS = {"forest": 0.02, "street": 0.025, "stadium": 0.035, "underwater": 0.02}  # under sources at RMS 0.25
ROOM_TONE_DBFS = -60.0  # under a clip's quiet stretches: never digital silence
QUIET_DBFS = -66.0


def quietest_window(x: np.ndarray, sr: int, window: float = 0.5) -> float:
    """RMS (dBFS) of the quietest ``window``-second stretch (10 ms hop)."""
    power = np.mean(np.atleast_2d(x.T).T ** 2, axis=1) if x.ndim > 1 else x**2
    k = int(window * sr)
    if power.size < k:
        return 10 * np.log10(np.mean(power) + 1e-30)
    c = np.concatenate([[0.0], np.cumsum(power)])
    hop = max(1, int(0.01 * sr))
    starts = np.arange(0, power.size - k + 1, hop)
    return float(10 * np.log10(np.min(c[starts + k] - c[starts]) / k + 1e-30))
