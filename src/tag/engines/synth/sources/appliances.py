"""Household machines: vacuum cleaner, microwave, washing machine, hair dryer, blender, fans, fridge, printer."""

from __future__ import annotations

import numpy as np

from tag.engines.synth import dsp
from tag.engines.synth.sources.base import THINGS, Params, source


def motor(
    rng: np.random.Generator, n: int, sr: int, f0, harmonics: tuple[float, ...], wobble: float = 0.004
) -> np.ndarray:
    """An electric motor's tone: harmonics of ``f0`` (Hz, may vary in time) with a little speed wander."""
    freq = np.broadcast_to(np.asarray(f0, dtype=float), (n,)) * (
        1 + wobble * dsp.smooth_control(rng, n, sr, 2.0, -1, 1)
    )
    ph = dsp.phase(freq, n, sr)
    top = 0.45 * sr / max(float(np.max(freq)), 1.0)
    return sum(a * np.sin(k * ph + rng.uniform(0, dsp.TAU)) for k, a in enumerate(harmonics, 1) if k < top)


def spin(n: int, sr: int, on: float, off: float, rise: float, fall: float) -> np.ndarray:
    """Speed 0..1 of a motor switched on at ``on`` s and off at ``off`` s, spinning up and down exponentially."""
    t = dsp.seconds(n, sr)
    up = np.where(t >= on, 1 - np.exp(-(t - on) / rise), 0.0)
    at_off = 1 - np.exp(-max(off - on, 0) / rise)
    return np.where(t < off, up, at_off * np.exp(-(t - off) / fall))


def bursts(
    rng: np.random.Generator,
    n: int,
    sr: int,
    first: float,
    on: tuple[float, float],
    off: tuple[float, float],
    rise: float,
    fall: float,
) -> np.ndarray:
    """Speed 0..1 of a motor run in bursts (``on`` s long, ``off`` s apart, both drawn from ranges), from ``first`` s."""
    speed = np.zeros(n)
    t0 = first
    while t0 < n / sr:
        length = rng.uniform(*on)
        a, b = int(t0 * sr), min(n, int((t0 + length + 8 * fall) * sr))  # only where this burst is heard
        local = spin(b - a, sr, 0.0, length, rise, fall)
        speed[a:b] = np.maximum(speed[a:b], local)
        t0 += length + rng.uniform(*off)
    return speed


def airflow(rng: np.random.Generator, n: int, sr: int, low: float, high: float, exponent: float = 0.5) -> np.ndarray:
    return dsp.bandpass(dsp.coloured_noise(rng, n, sr, exponent), low, high, sr)


@source(
    "vacuum_cleaner",
    "a vacuum cleaner: a steady broadband suction roar with a high motor whine",
    family=THINGS,
    ru="пылесос",
    examples=("a vacuum cleaner", "шум пылесоса"),
    words=("vacuum", "vacuum cleaner", "hoover", "пылесос", "пылесосит", "пылесош"),
)
def vacuum_cleaner(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    span = n / sr
    speed = spin(n, sr, 0.0, span + 1, 0.4, 1.0) if span > 2 else np.ones(n)
    f0 = rng.uniform(330, 450) * p.pitch * (0.4 + 0.6 * speed)  # universal motor at ~20-27k rpm
    whine = motor(rng, n, sr, f0, (1.0, 0.5, 0.3, 0.2, 0.1, 0.08, 0.05))
    blades = motor(rng, n, sr, f0 * 9, (1.0,), 0.002) * 0.3  # impeller blade pass
    # The nozzle moving over the floor changes the suction a little.
    suction = airflow(rng, n, sr, 150, 11000, 0.4) * speed * dsp.smooth_control(rng, n, sr, 0.7, 0.85, 1.0)
    return 0.9 * suction + 0.18 * (whine + blades) * speed


@source(
    "microwave",
    "a microwave oven: transformer hum, fan and turntable rattle, then three end beeps",
    family=THINGS,
    ru="микроволновка",
    examples=("a microwave oven", "шум микроволновки"),
    words=("microwave", "microwave oven", "микроволновк", "микроволнов печ", "свч печ"),
)
def microwave(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    span = n / sr
    t = dsp.seconds(n, sr)
    # The timer runs out at its own moment, and ovens beep at their own pace.
    beeps_at = max(span - rng.uniform(1.35, 1.75), span * rng.uniform(0.5, 0.65))
    gap = rng.uniform(0.38, 0.5)
    running = dsp.lowpass((t < beeps_at - 0.3).astype(float), 20, sr)
    hum = motor(rng, n, sr, 100.0, (1.0, 0.7, 0.5, 0.35, 0.2, 0.15), 0.0005)  # magnetron transformer buzz
    fan = airflow(rng, n, sr, 200, 4000, 1.0) * 0.5
    # The turntable turns about 6 rpm; its rollers rumble and a plate rattles once per turn or so.
    turn = 1 + 0.5 * np.sin(dsp.TAU * rng.uniform(0.07, 0.2) * t + rng.uniform(0, 6))
    roll = dsp.lowpass(dsp.white(rng, n), 300, sr) * turn
    rattle_at = dsp.poisson_times(rng, span, 1.5)
    rattles = [dsp.burst(rng, sr, 0.03, 0.006, 1500, 6000) for _ in range(4)]
    rattle = dsp.scatter_kernels(rng, n, sr, rattle_at, rng.uniform(0.3, 1.0, rattle_at.size), rattles)
    out = (0.25 * hum + fan + 0.4 * roll + 0.5 * rattle) * running
    k = int(0.15 * sr)
    beep = np.sin(dsp.TAU * rng.choice([2000.0, 2400.0, 2700.0]) * dsp.seconds(k, sr)) * dsp.hann(k) ** 0.1
    for i in range(3):
        dsp.add_at(out, beep, int((beeps_at + i * gap) * sr), 0.6)
    return out


@source(
    "washing_machine",
    "a washing machine: the drum tumbling clothes and water, motor hum, pauses and reversals",
    family=THINGS,
    ru="стиральная машина",
    examples=("a washing machine", "шум стиральной машины"),
    words=("washing machine", "washer", "laundry", "стиральн машин", "стиральн машинк", "стиралк"),
)
def washing_machine(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    span = n / sr
    t = dsp.seconds(n, sr)
    spinning = p.variant == "spin" or p.tempo > 1.5
    if spinning:
        speed = spin(n, sr, 0.0, span + 1, span * 0.5, 1.0)
        drum = motor(rng, n, sr, 18 * speed + 1, (1.0, 0.6, 0.4)) * 0.5
        whine = motor(rng, n, sr, (200 + 400 * speed) * p.pitch, (1.0, 0.4, 0.2)) * 0.2 * speed
        return drum + whine + airflow(rng, n, sr, 100, 3000, 1.0) * (0.2 + 0.5 * speed)
    # Wash: the drum turns ~50 rpm for a few seconds, stops, then turns the other way.
    period = rng.uniform(5.0, 8.0)
    turning = dsp.lowpass(((t % period) < period * 0.75).astype(float), 3, sr)
    rev = rng.uniform(0.8, 1.0)
    slosh = dsp.lowpass(dsp.coloured_noise(rng, n, sr, 1.0), 900, sr) * (0.5 + 0.5 * np.sin(dsp.TAU * rev * t) ** 2)
    hum = motor(rng, n, sr, rng.uniform(90, 130) * p.pitch, (1.0, 0.5, 0.3, 0.2))
    times = dsp.regular_times(rng, span, rev, jitter=0.15)  # clothes dropping as the drum lifts them
    thumps = dsp.convolve(
        dsp.impulses(times, rng.uniform(0.3, 1.0, times.size), n, sr), dsp.burst(rng, sr, 0.1, 0.03, 60, 500)
    )
    return (slosh + 0.15 * hum + 1.5 * thumps) * turning + 0.03 * airflow(rng, n, sr, 100, 2000, 1.0)


@source(
    "hair_dryer",
    "a hair dryer: a loud breathy airflow with a high motor whine, waved about",
    family=THINGS,
    ru="фен",
    examples=("a hair dryer", "шум фена"),
    words=("hair dryer", "hairdryer", "blow dryer", "blow-dryer", "фен"),
)
def hair_dryer(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    f0 = rng.uniform(550, 800) * p.pitch
    wave = dsp.smooth_control(rng, n, sr, 1.2, 0.6, 1.0)  # pointed at the mic and away
    air = airflow(rng, n, sr, 300, 12000, 0.2)
    air = air * wave + dsp.lowpass(air, 2000, sr) * (1 - wave)
    whine = motor(rng, n, sr, f0, (1.0, 0.4, 0.25, 0.15)) + motor(rng, n, sr, f0 * 5, (1.0,)) * 0.3
    return air + 0.15 * whine * (0.7 + 0.3 * wave)


@source(
    "blender",
    "a blender: a strained high motor buzz in bursts, chunks rattling, pitch sagging under load",
    family=THINGS,
    ru="блендер",
    examples=("a blender", "шум блендера"),
    words=("blender", "food processor", "smoothie", "блендер", "миксер", "кухонн комбайн"),
)
def blender(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    span = n / sr
    # Pulses of a few seconds, as a cook runs it.
    speed = bursts(rng, n, sr, rng.uniform(0.05, 0.3), (1.5 / p.tempo, 3.5 / p.tempo), (0.5, 1.2), 0.15, 0.25)
    load = dsp.smooth_control(rng, n, sr, 4.0, 0.85, 1.0)  # chunks catching the blades slow it
    f0 = rng.uniform(300, 420) * p.pitch * speed * load + 1
    buzz = motor(rng, n, sr, f0, tuple(1 / k for k in range(1, 14)), 0.01)
    times = dsp.poisson_times(rng, span, 25)
    times = times[speed[np.minimum((times * sr).astype(int), n - 1)] > 0.5]
    chunks = dsp.scatter_kernels(
        rng,
        n,
        sr,
        times,
        rng.uniform(0.2, 1.0, times.size),
        [dsp.burst(rng, sr, 0.02, 0.004, 1500, 7000) for _ in range(4)],
    )
    return 0.3 * buzz * speed + chunks * 0.8 + airflow(rng, n, sr, 300, 6000) * 0.2 * speed


@source(
    "fan",
    "an electric fan: soft airflow with a low blade hum, swelling as it oscillates",
    family=THINGS,
    ru="вентилятор",
    examples=("an electric fan", "шум вентилятора"),
    words=("electric fan", "desk fan", "ceiling fan", "вентилятор"),
)
def fan(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    t = dsp.seconds(n, sr)
    turn = 0.75 + 0.25 * np.cos(dsp.TAU * t / rng.uniform(8, 14) + rng.uniform(0, 6))  # head turning to and fro
    air = dsp.lowpass(dsp.coloured_noise(rng, n, sr, 1.0), 1800, sr) * turn
    blade = rng.uniform(18, 24) * 3 * p.pitch  # ~20 rev/s, three blades
    hum = motor(rng, n, sr, blade, (1.0, 0.5, 0.2)) * 0.25 + motor(rng, n, sr, 100.0, (1.0, 0.3), 0.0005) * 0.05
    return air + hum * turn


@source(
    "refrigerator",
    "a refrigerator: a low compressor hum at 100 Hz, with clicks and refrigerant gurgles",
    family=THINGS,
    ru="холодильник",
    examples=("a refrigerator humming", "гул холодильника"),
    words=("fridge", "refrigerator", "freezer", "холодильник", "морозильник"),
)
def refrigerator(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    span = n / sr
    hum = motor(rng, n, sr, 100.0 * p.pitch, (1.0, 0.35, 0.25, 0.1, 0.08), 0.0005)
    hum += motor(rng, n, sr, 50.0 * p.pitch, (0.4,), 0.0005)
    hiss = dsp.bandpass(dsp.coloured_noise(rng, n, sr, 1.0), 100, 1500, sr) * 0.05
    times = dsp.poisson_times(rng, span, 0.3)
    gurgles = dsp.scatter_kernels(
        rng,
        n,
        sr,
        times,
        rng.uniform(0.05, 0.2, times.size),
        [dsp.bubble(sr, f, 0.15, rise=0.6) for f in (300, 450, 600)],
    )
    out = 0.3 * hum + hiss + gurgles
    dsp.add_at(out, dsp.burst(rng, sr, 0.03, 0.004, 800, 5000), int(rng.uniform(0.1, 0.9) * n), 0.3)  # thermostat relay
    return out


@source(
    "air_conditioner",
    "an air conditioner: a steady low airflow roar with a compressor hum and fan beat",
    family=THINGS,
    ru="кондиционер",
    examples=("an air conditioner", "шум кондиционера"),
    words=("air conditioner", "air conditioning", "aircon", "hvac", "кондиционер", "кондей", "сплит систем"),
)
def air_conditioner(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    t = dsp.seconds(n, sr)
    beat = 1 + 0.08 * np.sin(dsp.TAU * rng.uniform(12, 16) * t)  # fan blades passing the grille
    air = dsp.lowpass(dsp.coloured_noise(rng, n, sr, 1.2), 2500, sr) * beat
    compressor = motor(rng, n, sr, 50.0 * p.pitch, (0.6, 1.0, 0.4, 0.3, 0.15), 0.001)
    return air + 0.15 * compressor


@source(
    "printer",
    "an inkjet printer: the print head whirring back and forth, line feeds, the page ejected",
    family=THINGS,
    ru="принтер",
    examples=("a printer", "шум принтера"),
    words=("printer", "inkjet", "принтер", "распечатк"),
)
def printer(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    span = n / sr
    out = np.zeros(n)
    line = rng.uniform(0.5, 0.8) / p.tempo
    t0 = rng.uniform(0.1, 0.3)
    while t0 < span:
        k = int(line * sr)
        # The carriage motor accelerates, cruises, brakes: a stepper tone following its speed.
        x = np.linspace(0, 1, k)
        speed = np.clip(np.minimum(x, 1 - x) * 6, 0, 1)
        head = motor(rng, k, sr, 400 * p.pitch * speed + 50, (1.0, 0.6, 0.4, 0.3), 0.01)
        head = dsp.bandpass(head, 300, 4000, sr) * speed + dsp.bandpass(dsp.white(rng, k), 1000, 5000, sr) * 0.1 * speed
        dsp.add_at(out, head, int(t0 * sr), 0.5)
        feed = motor(rng, int(0.12 * sr), sr, 900 * p.pitch, (1.0, 0.5)) * dsp.hann(int(0.12 * sr))
        dsp.add_at(out, feed, int((t0 + line + 0.03) * sr), 0.35)
        t0 += line + rng.uniform(0.15, 0.3)
    return out
