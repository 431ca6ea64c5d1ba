"""Instrument voices for the music sources: one note (or drum hit) as a waveform.

Each voice is ``voice(hz, dur, sr, rng) -> samples`` and includes its own
release tail, so a note may ring past ``dur``.  Sums of partials are computed
in float32: its sine is several times faster than float64, and the phase error
over a few seconds stays far below anything audible.
"""

from __future__ import annotations

import numpy as np

from tag.engines.synth import dsp

TAU32 = np.float32(dsp.TAU)


def note_time(length: float, sr: int) -> np.ndarray:
    return np.arange(max(1, int(length * sr)), dtype=np.float32) / np.float32(sr)


def partials(freqs, amps, taus, t: np.ndarray, sr: int) -> np.ndarray:
    """Decaying sinusoids (tau in seconds, ``np.inf`` for a steady partial), float32."""
    out = np.zeros(t.size, np.float32)
    for f, a, tau in zip(freqs, amps, taus):
        if f >= 0.45 * sr:
            continue
        wave = np.sin(t * np.float32(dsp.TAU * f))
        out += np.float32(a) * (wave if np.isinf(tau) else wave * np.exp(t * np.float32(-1.0 / tau)))
    return out


def adsr(t: np.ndarray, dur: float, attack: float, release: float, decay_to: float = 1.0, tau: float = 0.3):
    """Attack ramp, decay towards a sustain level, and an exponential release after ``dur``."""
    env = np.minimum(t / np.float32(max(attack, 1e-4)), 1.0)
    if decay_to < 1.0:
        env = env * (decay_to + (1 - decay_to) * np.exp(-np.maximum(t - attack, 0) / np.float32(tau)))
    after = np.maximum(t - np.float32(dur), 0)
    return env * np.exp(-after / np.float32(max(release, 1e-3)))


def piano(hz: float, dur: float, sr: int, rng: np.random.Generator) -> np.ndarray:
    """Struck string: stretched (inharmonic) partials, higher ones dying sooner; a damper ends the note."""
    t = note_time(dur + 0.4, sr)
    h = np.arange(1, max(2, min(10, int(6000 / hz))) + 1)
    stretch = 0.0004 * min(max(hz / 262.0, 0.3), 3.0)  # stiffness grows up the keyboard
    freqs = h * hz * np.sqrt(1 + stretch * h**2)
    amps = (np.abs(np.sin(np.pi * h / 7.3)) + 0.08) / h**1.3  # struck about a seventh along the string
    tau0 = float(np.clip(2.2 * (262.0 / hz) ** 0.6, 0.5, 4.0))
    x = partials(freqs, amps, tau0 / (1 + 0.7 * (h - 1)), t, sr)
    x += np.float32(0.15) * partials([hz * 1.0015], [0.5], [tau0 * 1.5], t, sr)  # a second string, a hair sharp
    x *= adsr(t, dur, 0.002, 0.08)
    thump = dsp.lowpass(rng.standard_normal(int(0.012 * sr)), 1200, sr) * dsp.decay(int(0.012 * sr), sr, 0.003)
    x[: thump.size] += 0.04 * thump.astype(np.float32)
    return x.astype(float)


def pluck(
    hz: float, dur: float, sr: int, rng: np.random.Generator, sustain: float = 1.2, bright: float = 0.6,
    position: float = 0.18,
) -> np.ndarray:
    """A plucked string in the Karplus-Strong manner, one period at a time.

    The delay line of one period is a noise burst; each pass through the loop
    multiplies harmonic h by the loop filter's gain g*cos(pi h / L) (the two-point
    average).  Computing all periods at once in the period's spectrum gives the
    same string without a per-sample loop.  ``sustain`` is the fundamental's decay
    time, ``position`` where along the string it was plucked (a comb on the harmonics).
    """
    period = max(2, int(round(sr / hz)))
    n = max(1, int((dur + 0.05) * sr))
    count = -(-n // period) + 1
    h = np.arange(period // 2 + 1)
    burst = np.fft.rfft(rng.uniform(-1, 1, period))
    burst *= np.abs(np.sin(np.pi * np.maximum(h, 1) * position)) / (1 + (h / (1 + bright * period / 4)) ** 2)
    burst[0] = 0
    loss = np.abs(np.cos(np.pi * h / period)) ** (1.5 - bright)
    fundamental = np.exp(-1.0 / (sustain * hz))
    loss = np.minimum(loss * fundamental / max(loss[1], 1e-9), fundamental)
    # float32 halves the cost; a string rings well under float32's 150 dB range.
    log_loss = np.log(np.maximum(loss, 1e-30)).astype(np.float32)
    passes = np.exp(log_loss[None, :] * np.arange(count, dtype=np.float32)[:, None])
    y = np.fft.irfft(burst.astype(np.complex64)[None, :] * passes, period, axis=1).ravel().astype(float)
    # A whole number of samples per period is up to half a sample off pitch: read the string a little
    # faster or slower (linear interpolation) so it sounds exactly at hz.
    y = np.interp(np.arange(n) * (hz * period / sr), np.arange(y.size), y)
    tail = np.exp(-np.maximum(np.arange(n) / sr - dur, 0) / 0.06)  # the finger damps the string
    return y * tail / (np.abs(y).max() + 1e-12)


def organ(hz: float, dur: float, sr: int, rng: np.random.Generator) -> np.ndarray:
    """Pipe/tonewheel organ: steady sines at the footage ratios, a quick key click, no decay."""
    t = note_time(dur + 0.08, sr)
    ratios, amps = (0.5, 1, 2, 3, 4, 6, 8), (0.5, 1.0, 0.7, 0.35, 0.4, 0.15, 0.2)
    x = partials([hz * r for r in ratios], amps, [np.inf] * 7, t, sr) * adsr(t, dur, 0.012, 0.04)
    return x.astype(float)


def flute(hz: float, dur: float, sr: int, rng: np.random.Generator) -> np.ndarray:
    """Nearly a sine, a little second harmonic, breath noise, vibrato that sets in after the attack."""
    n = max(1, int((dur + 0.12) * sr))
    t = dsp.seconds(n, sr)
    vib = 1 + 0.004 * np.sin(dsp.TAU * 5.0 * t + rng.uniform(0, dsp.TAU)) * np.minimum(t / 0.35, 1)
    ph = (dsp.phase(hz * vib, n, sr) % dsp.TAU).astype(np.float32)
    x = np.sin(ph) + np.float32(0.25) * np.sin(2 * ph) + np.float32(0.08) * np.sin(3 * ph)
    env = adsr(t.astype(np.float32), dur, 0.06, 0.06)
    breath = dsp.bandpass(rng.standard_normal(n), 1500, 6000, sr) * 0.05
    return (x * env).astype(float) + breath * env


def bowed(hz: float, dur: float, sr: int, rng: np.random.Generator) -> np.ndarray:
    """A bowed string: a band-limited sawtooth with delayed vibrato and a slow bow attack."""
    n = max(1, int((dur + 0.2) * sr))
    t = dsp.seconds(n, sr)
    vib = 1 + 0.005 * np.sin(dsp.TAU * 5.5 * t + rng.uniform(0, dsp.TAU)) * np.minimum(t / 0.4, 1)
    ph = (dsp.phase(hz * vib, n, sr) % dsp.TAU).astype(np.float32)
    x = np.zeros(n, np.float32)
    for k in range(1, max(2, min(14, int(7000 / hz))) + 1):
        x += np.sin(k * ph) / np.float32(k)
    return (x * adsr(t.astype(np.float32), dur, 0.09, 0.12)).astype(float)


def brass(hz: float, dur: float, sr: int, rng: np.random.Generator) -> np.ndarray:
    """Trumpet-like: a pitch scoop into the note; upper harmonics grow with loudness (brassy)."""
    n = max(1, int((dur + 0.1) * sr))
    t = dsp.seconds(n, sr)
    scoop = 1 - 0.02 * np.exp(-t / 0.025)
    ph = (dsp.phase(hz * scoop, n, sr) % dsp.TAU).astype(np.float32)
    env = adsr(t.astype(np.float32), dur, 0.03, 0.06, decay_to=0.75, tau=0.15)
    dull = np.sin(ph) + np.float32(0.6) * np.sin(2 * ph) + np.float32(0.45) * np.sin(3 * ph)
    bright = np.zeros(n, np.float32)
    for k in range(4, max(5, min(12, int(8000 / hz))) + 1):
        bright += np.sin(k * ph) * np.float32(1.6 / k)
    return (dull * env + bright * env * env).astype(float)


def music_box(hz: float, dur: float, sr: int, rng: np.random.Generator) -> np.ndarray:
    """A plucked steel tine: a long pure ring, a faint octave, a brief metallic tick."""
    t = note_time(min(dur, 0.6) + 1.2, sr)
    x = partials([hz, 2 * hz, 3 * hz, 6.27 * hz], [1.0, 0.15, 0.05, 0.12], [1.0, 0.4, 0.15, 0.015], t, sr)
    x[: int(0.001 * sr)] *= np.linspace(0, 1, int(0.001 * sr), dtype=np.float32)
    return x.astype(float)


def harp(hz: float, dur: float, sr: int, rng: np.random.Generator) -> np.ndarray:
    return pluck(hz, max(dur, 1.2), sr, rng, sustain=1.6, bright=0.35, position=0.45)


def guitar(hz: float, dur: float, sr: int, rng: np.random.Generator) -> np.ndarray:
    return pluck(hz, dur, sr, rng, sustain=1.4, bright=0.6, position=0.18)


def bass(hz: float, dur: float, sr: int, rng: np.random.Generator) -> np.ndarray:
    """A finger-plucked bass string, rounder than a guitar."""
    return dsp.lowpass(pluck(hz, dur, sr, rng, sustain=1.0, bright=0.3, position=0.25), 1200, sr)


def square(hz: float, dur: float, sr: int, rng: np.random.Generator, duty: float = 0.5) -> np.ndarray:
    """A game console pulse wave: hard edges on purpose, a short decay to a sustain."""
    t = dsp.seconds(max(1, int((dur + 0.02) * sr)), sr)
    x = np.where((hz * t) % 1.0 < duty, 1.0, -1.0) - (2 * duty - 1)
    return x * adsr(t, dur, 0.002, 0.01, decay_to=0.7, tau=0.1)


def triangle(hz: float, dur: float, sr: int, rng: np.random.Generator) -> np.ndarray:
    t = dsp.seconds(max(1, int((dur + 0.02) * sr)), sr)
    return (2 * np.abs(2 * ((hz * t) % 1.0) - 1) - 1) * adsr(t, dur, 0.002, 0.01)


def saw(hz: float, dur: float, sr: int, rng: np.random.Generator, detune: float = 0.006) -> np.ndarray:
    """Three detuned sawtooths (a supersaw in miniature); aliasing is filtered away by the caller."""
    t = dsp.seconds(max(1, int(dur * sr)), sr)
    return sum(2 * ((hz * (1 + d) * t + rng.uniform()) % 1.0) - 1 for d in (-detune, 0.0, detune)) / 3


# --- drums -------------------------------------------------------------------


def kick(sr: int, rng: np.random.Generator, tune: float = 1.0) -> np.ndarray:
    """A bass drum: a sine sweeping down fast from ~150 Hz to ~48 Hz, with a beater click."""
    n = int(0.4 * sr)
    t = dsp.seconds(n, sr)
    f = tune * (48 + 110 * np.exp(-t / 0.03))
    body = np.sin(dsp.phase(f, n, sr)) * dsp.decay(n, sr, 0.16, attack=0.001)
    click = dsp.burst(rng, sr, 0.006, 0.0015, 1500, 6000)
    body[: click.size] += 0.3 * click
    return body


def snare(sr: int, rng: np.random.Generator) -> np.ndarray:
    """A snare: a short drum-head tone under a bright rattle of wires."""
    n = int(0.25 * sr)
    head = dsp.modal([185, 330], [0.05, 0.03], [0.8, 0.4], 0.25, sr, rng)[:n]
    wires = dsp.bandpass(rng.standard_normal(n), 1500, 9000, sr) * dsp.decay(n, sr, 0.07, attack=0.0005)
    return head + wires


def hat(sr: int, rng: np.random.Generator, open_: bool = False) -> np.ndarray:
    n = int((0.3 if open_ else 0.06) * sr)
    return dsp.highpass(rng.standard_normal(n), 7000, sr, order=4) * dsp.decay(n, sr, 0.12 if open_ else 0.018)


def clap(sr: int, rng: np.random.Generator) -> np.ndarray:
    """A hand clap: three quick bursts then a short diffuse tail."""
    n = int(0.2 * sr)
    out = np.zeros(n)
    for k, start in enumerate((0.0, 0.01, 0.021)):
        last = k == 2
        dsp.add_at(out, dsp.burst(rng, sr, 0.05 if last else 0.01, 0.03 if last else 0.003, 900, 4000), int(start * sr))
    return out


def brush(sr: int, rng: np.random.Generator) -> np.ndarray:
    """A brush on a snare: a soft swish, slow attack, no ring."""
    n = int(0.22 * sr)
    swish = dsp.bandpass(rng.standard_normal(n), 2000, 9000, sr)
    return swish * dsp.hann(n) ** 2 * np.exp(-dsp.seconds(n, sr) / 0.1) * 0.6


def ride(sr: int, rng: np.random.Generator) -> np.ndarray:
    """A ride cymbal ping: inharmonic bell partials over a long bright wash."""
    n = int(0.8 * sr)
    ping = dsp.modal([3100, 4470, 5230, 6800], [0.4, 0.3, 0.25, 0.2], [0.5, 0.4, 0.3, 0.2], 0.8, sr, rng)
    wash = dsp.highpass(rng.standard_normal(n), 5000, sr) * dsp.decay(n, sr, 0.3) * 0.3
    return ping + wash
