"""Tools and building work: hammer, hand saw, drill, chainsaw, jackhammer, lawn mower, a construction site."""

from __future__ import annotations

import numpy as np

from tag.engines.synth import dsp
from tag.engines.synth.sources.appliances import bursts, motor
from tag.engines.synth.sources.base import THINGS, Params, source
from tag.engines.synth.sources.vehicles import combustion, firing_pulses


def _nail_strike(rng: np.random.Generator, sr: int, pitch: float, depth: float) -> np.ndarray:
    """Steel on a nail into wood: a ringing ping (higher as the nail goes in) over a wooden thock."""
    f = (1800 + 900 * depth) * pitch * rng.uniform(0.97, 1.03)
    ping = dsp.modal([f, f * 2.6, f * 4.1], [0.06, 0.03, 0.015], [1.0, 0.5, 0.3], 0.3, sr, rng)
    thock = dsp.modal([f * 0.1, f * 0.23], [0.03, 0.02], [0.8, 0.5], 0.1, sr, rng)
    return dsp.overlay(ping, thock, dsp.burst(rng, sr, 0.02, 0.002, 1000, 9000) * 0.6)


@source(
    "hammer",
    "hammering nails: ringing steel strikes in runs, rising in pitch as each nail goes in",
    family=THINGS,
    ru="молоток",
    examples=("hammering nails", "забивают гвозди молотком"),
    words=("hammer", "nail", "молоток", "молотк", "молотком", "гвозд", "забива", "заколачива"),
)
def hammer(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    span = n / sr
    out = np.zeros(n)
    t = rng.uniform(0.05, 0.3)
    period = 60 / (100 * p.tempo) if not p.bpm else 60 / p.bpm
    while t < span:
        blows = int(rng.integers(3, 7))
        for i in range(blows):
            dsp.add_at(out, _nail_strike(rng, sr, p.pitch, i / blows), int(t * sr), rng.uniform(0.75, 1.0))
            t += period * rng.uniform(0.9, 1.1)
        t += rng.uniform(0.8, 1.6)
    return out


@source(
    "saw",
    "a hand saw: rasping strokes back and forth, the push louder than the pull",
    family=THINGS,
    ru="пила",
    examples=("sawing wood", "звук пилы"),
    words=("saw", "hand saw", "handsaw", "sawing", "пил", "пилят", "пилени", "ножовк", "распил"),
)
def saw(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    t = dsp.seconds(n, sr)
    stroke = rng.uniform(1.2, 1.8) * p.tempo  # full back-and-forth strokes per second
    pos = np.sin(dsp.TAU * stroke * 0.5 * t + rng.uniform(0, 6))
    speed = np.abs(np.cos(dsp.TAU * stroke * 0.5 * t))
    push = np.where(np.gradient(pos) > 0, 1.0, 0.55)
    teeth = motor(rng, n, sr, 80 + 220 * speed, (1.0, 0.7, 0.5, 0.4, 0.3, 0.2), 0.05)  # teeth passing: a buzzy rasp
    rasp = dsp.bandpass(dsp.white(rng, n), 1500 * p.pitch, 8000, sr) * (0.5 + 0.5 * np.abs(teeth) / 2)
    return rasp * speed**1.5 * push + dsp.lowpass(dsp.white(rng, n), 400, sr) * 0.1 * speed


@source(
    "drill",
    "an electric drill: a whining motor in bursts, straining and grinding as it bites",
    family=THINGS,
    ru="дрель",
    examples=("an electric drill", "сверлит дрель"),
    words=(
        "drill",
        "electric drill",
        "power drill",
        "screwdriver",
        "дрел",
        "сверл",
        "сверлит",
        "сверлени",
        "шуруповерт",
        "перфоратор",
    ),
)
def drill(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    speed = bursts(rng, n, sr, rng.uniform(0.05, 0.2), (1.5, 3.0), (0.4, 1.0), 0.12, 0.2)
    load = 1 - 0.12 * dsp.smooth_control(rng, n, sr, 3.0, 0, 1) ** 2  # the bit biting slows the motor
    f0 = rng.uniform(170, 260) * p.pitch * speed * load + 1
    whine = motor(rng, n, sr, f0, (1.0, 0.45, 0.3, 0.2, 0.12, 0.1, 0.06), 0.003)
    gears = motor(rng, n, sr, f0 * 7, (1.0,), 0.003) * 0.25
    grind = dsp.bandpass(dsp.white(rng, n), 1500, 7000, sr) * (1 - load) * 3
    return (whine + gears + grind) * speed


@source(
    "chainsaw",
    "a chainsaw: a two-stroke engine idling, then revving hard to cut, the chain buzzing",
    family=THINGS,
    ru="бензопила",
    examples=("a chainsaw", "шум бензопилы"),
    words=("chainsaw", "chain saw", "бензопил", "цепн пил"),
)
def chainsaw(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    span = n / sr
    # The trigger: bursts of full throttle between idling.
    revving = bursts(rng, n, sr, rng.uniform(0.3, 0.8) if span > 2 else 0.0, (1.5, 3.0), (0.6, 1.5), 0.15, 0.3)
    rpm = (2800 + 6500 * revving) * p.pitch * dsp.smooth_control(rng, n, sr, 4.0, 0.97, 1.03)
    pulses = firing_pulses(rng, n, sr, rpm, 2)  # a two-stroke fires every turn
    engine = combustion(rng, n, sr, pulses, 160 * p.pitch, 2.5)
    rasp = dsp.bandpass(dsp.white(rng, n), 2000, 8000, sr) * dsp.convolve(pulses, dsp.decay(int(0.01 * sr), sr, 0.003))
    chips = (
        dsp.bandpass(dsp.white(rng, n), 1000, 6000, sr) * revving**2 * 0.06 * dsp.smooth_control(rng, n, sr, 5, 0.5, 1)
    )
    return engine + 0.3 * rasp * np.std(engine) / (np.std(rasp) + 1e-12) + chips * np.std(engine) / 0.06 * 0.4


@source(
    "jackhammer",
    "a jackhammer: rapid pneumatic blows, about twenty a second, in bursts with hissing exhaust",
    family=THINGS,
    ru="отбойный молоток",
    examples=("a jackhammer", "шум отбойного молотка"),
    words=("jackhammer", "pneumatic drill", "road drill", "отбойн молоток", "отбойн молотк", "отбойник"),
)
def jackhammer(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    span = n / sr
    out = np.zeros(n)
    rate = p.rate(1200, 30)
    blows = [
        dsp.overlay(
            dsp.modal(
                [rng.uniform(600, 900) * p.pitch, rng.uniform(1800, 2600) * p.pitch, 120],
                [0.01, 0.006, 0.02],
                [1.0, 0.6, 0.8],
                0.05,
                sr,
                rng,
            ),
            dsp.burst(rng, sr, 0.03, 0.004, 300, 6000),
        )
        for _ in range(3)
    ]
    t0 = rng.uniform(0.05, 0.3)
    gate = np.zeros(n)
    while t0 < span:
        length = rng.uniform(1.5, 4.0)
        times = np.arange(t0, min(t0 + length, span), 1 / rate) + rng.normal(0, 0.002, 1)
        for i, t in enumerate(times):
            dsp.add_at(out, blows[i % 3], int(t * sr), rng.uniform(0.8, 1.0))
        gate[int(t0 * sr) : int(min(t0 + length, span) * sr)] = 1.0
        t0 += length + rng.uniform(0.5, 1.5)
    exhaust = dsp.highpass(dsp.white(rng, n), 2000, sr) * dsp.lowpass(gate, 10, sr) * 0.1
    return out + exhaust


@source(
    "lawn_mower",
    "a lawn mower: a single-cylinder engine putter with the blade whooshing through grass",
    family=THINGS,
    ru="газонокосилка",
    examples=("a lawn mower", "шум газонокосилки"),
    words=("lawn mower", "lawnmower", "mower", "газонокосилк", "косилк", "триммер", "стрижка газон", "стрижк газон"),
)
def lawn_mower(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    rpm = rng.uniform(2800, 3300) * p.pitch * dsp.smooth_control(rng, n, sr, 1.0, 0.95, 1.03)
    pulses = firing_pulses(rng, n, sr, rpm, 1)  # one cylinder, four-stroke: a firing every other turn
    engine = combustion(rng, n, sr, pulses, 130 * p.pitch, 1.6)
    grass = dsp.bandpass(dsp.white(rng, n), 800, 6000, sr) * dsp.smooth_control(rng, n, sr, 1.0, 0.2, 1.0)
    blade = motor(rng, n, sr, rpm / 60 * 2, (1.0, 0.5), 0.0) * 0.3  # two blade tips passing per turn
    return engine + (0.25 * grass + blade * 0.2) * np.std(engine)


@source(
    "construction_site",
    "a construction site: hammering, a distant jackhammer, a reversing beeper and diesel rumble",
    family=THINGS,
    ru="стройка",
    examples=("a construction site", "шум стройки"),
    words=(
        "construction",
        "construction site",
        "building site",
        "roadwork",
        "стройк",
        "стройплощадк",
        "строительств",
        "ремонт",
    ),
)
def construction_site(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    span = n / sr
    t = dsp.seconds(n, sr)
    base = Params(pitch=p.pitch, tempo=p.tempo)
    parts = [
        (hammer(rng, n, sr, base), 0.5),
        (dsp.lowpass(jackhammer(rng, n, sr, base), 2500, sr), 0.35),
        (combustion(rng, n, sr, firing_pulses(rng, n, sr, np.full(n, 750.0), 6), 70, 1.0), 0.6),
    ]
    out = sum(x / (np.std(x) + 1e-12) * g for x, g in parts)
    # A reversing warning: 1 kHz beeps, half a second on, half off, from one of the machines.
    if span > 2 and rng.uniform() < 0.8:
        start = rng.uniform(0, span * 0.5)
        on = ((t - start) % 1.0 < 0.5) & (t > start) & (t < start + rng.uniform(3, 6))
        out += np.sin(dsp.TAU * 1000 * t) * dsp.lowpass(on.astype(float), 100, sr) * 0.25
    clangs = dsp.poisson_times(rng, span, 0.3)
    for c in clangs:
        f = rng.uniform(300, 700)
        dsp.add_at(
            out, dsp.modal([f, f * 2.76, f * 5.4], [0.5, 0.3, 0.15], [1, 0.6, 0.3], 1.5, sr, rng), int(c * sr), 1.0
        )
    return out + dsp.lowpass(dsp.coloured_noise(rng, n, sr, 1.5), 800, sr) * 0.2
