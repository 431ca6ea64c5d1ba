"""Engines and vehicles: car, motorbike, train on tracks, aeroplane, machinery hum."""

from __future__ import annotations

import numpy as np

from tag.engines.synth import dsp, motion
from tag.engines.synth.sources.base import THINGS, Params, source


def firing_pulses(
    rng: np.random.Generator, n: int, sr: int, rpm: np.ndarray, cylinders: int, uneven: float = 0.0
) -> np.ndarray:
    """Impulses at the cylinder firing rate of a four-stroke engine: rpm / 60 * cylinders / 2.

    ``uneven`` alternates long and short intervals (a V-twin's lopsided beat).
    """
    rate = rpm / 60.0 * cylinders / 2.0
    cycles = np.cumsum(rate) / sr
    if uneven:
        cycles = cycles + uneven / (2 * np.pi) * np.sin(np.pi * cycles)
    fired = np.diff(np.floor(cycles), prepend=0.0)
    return fired * rng.uniform(0.8, 1.0, n)


def combustion(rng: np.random.Generator, n: int, sr: int, pulses: np.ndarray, body: float, bright: float) -> np.ndarray:
    """Each firing excites the exhaust: a short low thud plus a puff of noise."""
    thud = dsp.modal([body, body * 2.1, body * 3.3], [0.012, 0.008, 0.005], [1.0, 0.5, 0.25], 0.05, sr, rng)
    puff = dsp.burst(rng, sr, 0.03, 0.004, 200, 2500 * bright) * 0.4
    k = max(thud.size, puff.size)
    kernel = np.pad(thud, (0, k - thud.size)) + np.pad(puff, (0, k - puff.size))
    sound = dsp.convolve(pulses, kernel)
    return dsp.lowpass(sound, 1800 * bright, sr)


def pass_by(n: int, sr: int, shift: float = motion.SPEED_RATIO) -> tuple[np.ndarray, np.ndarray]:
    """Level and Doppler factor of something passing mid-clip, from the mixer's one motion model.

    Sources need not call this: "passing", "approaching" and the ``motion=`` of a
    source make the mixer move any sound.  Kept for sources that shape their own.
    """
    closeness, doppler = motion.level_and_pitch("pass", n, sr, np.random.default_rng(0))
    return closeness, 1 + (doppler - 1) * shift / motion.SPEED_RATIO


def _rpm(rng: np.random.Generator, n: int, sr: int, p: Params, idle: float) -> np.ndarray:
    driving = p.tempo > 1.2 or p.moving  # "fast", "revving" or "passing by" runs well above idle
    target = p.bpm or idle * (2.5 if driving else 1.0)
    return target * dsp.smooth_control(rng, n, sr, 0.7, 0.96, 1.04)


@source("car", "a car engine: a four-cylinder firing pulse train (idle 850 rpm) through the exhaust",
        family=THINGS, ru="автомобиль", examples=("a car engine idling", "двигатель автомобиля"))
def car(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    # Passing by, approaching, leaving: level, Doppler and pan come from the mixer's motion model.
    rpm = _rpm(rng, n, sr, p, 850)
    sound = combustion(rng, n, sr, firing_pulses(rng, n, sr, rpm, 4), 110 * p.pitch, 1.0)
    rumble = dsp.lowpass(dsp.coloured_noise(rng, n, sr, 2.0), 200, sr) * 0.1 * np.std(sound)
    tyres = (
        dsp.bandpass(dsp.coloured_noise(rng, n, sr, 1.0), 300, 3000, sr) * (0.4 if p.moving else 0.0) * np.std(sound)
    )
    return sound + rumble + tyres


@source("motorbike", "a motorbike: a lopsided V-twin beat (idle 1100 rpm), raspier than a car",
        family=THINGS, ru="мотоцикл", examples=("a motorbike", "мотоцикл"))
def motorbike(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    rpm = _rpm(rng, n, sr, p, 1100)
    pulses = firing_pulses(rng, n, sr, rpm, 2, uneven=0.6)
    sound = combustion(rng, n, sr, pulses, 150 * p.pitch, 1.8)
    rasp = dsp.bandpass(dsp.white(rng, n), 1500, 5000, sr) * dsp.convolve(pulses, dsp.decay(int(0.02 * sr), sr, 0.006))
    return sound + 0.5 * rasp * np.std(sound) / (np.std(rasp) + 1e-12)


@source("train", "a train on tracks: clickety-clack of bogies over rail joints over a rolling rumble",
        family=THINGS, ru="поезд", examples=("a train on tracks", "поезд на рельсах"))
def train(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    span = n / sr
    speed = 15.0 * p.tempo  # m/s
    car_length, axle_gap = 20.0, 2.5
    # Per car: two bogies of two axles; each axle clacks as it crosses a rail joint.
    cars = np.arange(rng.uniform(0, 0.5), span, car_length / speed)
    axles = np.array([0.0, axle_gap, car_length - 3 * axle_gap, car_length - 2 * axle_gap]) / speed
    times = (cars[:, None] + axles[None, :]).ravel()
    clack = dsp.modal(
        [f * p.pitch for f in (420, 1150, 2300, 3100)], [0.03, 0.02, 0.012, 0.008], [1.0, 0.7, 0.4, 0.25], 0.1, sr, rng
    )
    clack += dsp.burst(rng, sr, 0.1, 0.01, 60, 600)
    clacks = dsp.convolve(dsp.impulses(times, rng.uniform(0.7, 1.0, times.size), n, sr), clack)
    rumble = dsp.lowpass(dsp.coloured_noise(rng, n, sr, 1.5), 350, sr, order=4)
    rumble *= dsp.smooth_control(rng, n, sr, 1.5, 0.7, 1.0) * 0.4 * np.std(clacks) / (np.std(rumble) + 1e-12)
    out = clacks + rumble * 2
    if p.variant == "horn":
        out += horn(n, sr, p.pitch) * 3 * np.std(out)
    return out


def horn(n: int, sr: int, pitch: float) -> np.ndarray:
    """A locomotive air horn: a three-note chord of buzzy reeds, held for up to two seconds."""
    k = min(n, int(2.0 * sr))
    t = dsp.seconds(k, sr)
    chord = np.zeros(k)
    for f in (311.1, 370.0, 466.2):  # a minor-ish triad, as many horns are tuned
        ph = dsp.phase(f * pitch * (1 + 0.003 * np.sin(dsp.TAU * 5 * t)), k, sr)
        chord += sum(np.sin(h * ph) / h for h in range(1, 7))
    env = np.minimum(1.0, t / 0.06) * np.minimum(1.0, (t[-1] - t) / 0.25)
    out = np.zeros(n)
    out[:k] = chord * env / 3
    return out


@source("aeroplane", "an aeroplane passing: propeller buzz and engine roar that swell and fade",
        moving=True, motion="pass",
        family=THINGS, ru="самолёт", examples=("an aeroplane flying over", "пролетает самолёт"))
def aeroplane(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    # A fly-over unless asked otherwise (motion="pass"): the mixer's motion model swells it,
    # drops its pitch as it passes (Doppler) and carries it across.
    blade = 95 * p.pitch * dsp.smooth_control(rng, n, sr, 0.4, 0.99, 1.01)
    ph = dsp.phase(blade, n, sr)
    buzz = sum(np.sin(k * ph) / k for k in range(1, 9))
    roar = dsp.lowpass(dsp.coloured_noise(rng, n, sr, 1.0), 1200, sr)
    mix = 0.5 * buzz / np.std(buzz) + roar
    return dsp.lowpass(mix, 2500, sr)


@source("engine_hum", "machinery hum: a low engine drone (45 Hz unless asked) with slow beating",
        family=THINGS, ru="гул мотора", examples=("engine hum", "гул мотора"))
def engine_hum(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    f0 = p.freq or 45.0 * p.pitch
    t = dsp.seconds(n, sr)
    drone = sum(
        a * (np.sin(dsp.TAU * k * f0 * t) + 0.5 * np.sin(dsp.TAU * (k * f0 + 0.4) * t))
        for k, a in ((1, 1.0), (2, 0.6), (3, 0.4), (4, 0.25), (6, 0.1))
    )
    noise = dsp.lowpass(dsp.coloured_noise(rng, n, sr, 1.0), 300, sr) * 0.2
    return drone / 2 + noise * dsp.smooth_control(rng, n, sr, 0.5, 0.8, 1.0)


@source(
    "helicopter", "a helicopter: rotor blade slaps at about 18 a second, turbine whine, tail rotor buzz", moving=True,
    family=THINGS, ru="вертолёт", examples=("a helicopter", "вертолёт"))
def helicopter(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    blade_rate = (p.bpm / 60 if p.bpm else 18.0 * p.tempo) * dsp.smooth_control(rng, n, sr, 0.5, 0.97, 1.03)
    slaps = np.diff(np.floor(np.cumsum(blade_rate) / sr), prepend=0.0)
    slap = dsp.lowpass(dsp.burst(rng, sr, 0.04, 0.012, 80, 2500), 1500 * p.pitch, sr)
    wop = dsp.convolve(slaps * rng.uniform(0.8, 1.0, n), slap)
    t = dsp.seconds(n, sr)
    whine = np.sin(dsp.TAU * 1250 * p.pitch * t) * 0.03
    tail = dsp.bandpass(np.sign(np.sin(dsp.TAU * 95 * p.pitch * t)), 90, 900, sr) * 0.05
    roar = dsp.lowpass(dsp.coloured_noise(rng, n, sr, 1.0), 800, sr) * 0.15
    return wop / (np.std(wop) + 1e-12) * 0.5 + whine + tail + roar
