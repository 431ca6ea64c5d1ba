"""On the road, the rails and the water: horns and bells, truck, boats, metro, tram, skateboard, city traffic."""

from __future__ import annotations

import numpy as np

from tag.engines.synth import dsp
from tag.engines.synth.sources.appliances import motor
from tag.engines.synth.sources.base import THINGS, Params, source
from tag.engines.synth.sources.vehicles import combustion, firing_pulses, pass_by


def buzzy(
    freq: float,
    k: int,
    sr: int,
    rng: np.random.Generator,
    slope: float = 0.8,
    vibrato: float = 0.0,
    top: float = 5000.0,
) -> np.ndarray:
    """A vibrating-diaphragm tone: harmonics up to ``top`` Hz falling ``slope`` per harmonic number (log)."""
    t = dsp.seconds(k, sr)
    ph = dsp.phase(freq * (1 + vibrato * np.sin(dsp.TAU * 5.5 * t)), k, sr, rng.uniform(0, dsp.TAU))
    # One period as a table, read at the running phase: as exact as summing the harmonics, far cheaper.
    cycle = np.linspace(0, dsp.TAU, 4096, endpoint=False)
    table = sum(np.sin(h * cycle) / h**slope for h in range(1, max(2, int(min(top, 0.45 * sr) / freq))))
    return np.interp(ph % dsp.TAU, cycle, table, period=dsp.TAU)


def honk(rng: np.random.Generator, sr: int, low: float, high: float, length: float) -> np.ndarray:
    """One press of a two-tone car horn: both tones together, through the horn's flare resonance."""
    k = int(length * sr)
    chord = buzzy(low, k, sr, rng) + buzzy(high, k, sr, rng)
    edge = min(k // 2, int(0.015 * sr))
    env = np.ones(k)
    env[:edge] = np.linspace(0, 1, edge)
    env[k - edge :] = np.linspace(1, 0, edge)
    return dsp.lowpass(chord, 3500, sr) * env



@source("tyre_screech", "tyres screeching: rubber stick-slip on asphalt, a wavering squeal that fades as the car stops",
        family=THINGS, ru="визг шин", examples=("tires screeching", "визг шин"))
def tyre_screech(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    span = n / sr
    length = min(span, rng.uniform(1.2, 2.5))
    k = int(length * sr)
    start = int(rng.uniform(0.02, 0.3) * max(span - length, 0.0) * sr)
    x = np.linspace(0, 1, k)
    # The squeal's pitch wavers and sinks as the wheel slows; partials of a rubbery stick-slip.
    f0 = rng.uniform(900, 1500) * p.pitch * (1 - 0.25 * x) * dsp.smooth_control(rng, k, sr, 8.0, 0.94, 1.06)
    ph = dsp.phase(f0, k, sr)
    squeal = np.sin(ph) + 0.5 * np.sin(2 * ph + 0.3) + 0.25 * np.sin(3 * ph)
    grit = dsp.bandpass(dsp.white(rng, k), 1500, 6000, sr) * 0.35
    env = np.minimum(x / 0.05, 1.0) * (1 - x) ** 0.6 * dsp.smooth_control(rng, k, sr, 6.0, 0.6, 1.0)
    out = np.zeros(n)
    dsp.add_at(out, (squeal + grit) * env, start)
    return out


@source(
    "car_horn",
    "a car horn: a two-tone electric horn near 420 and 500 Hz, in short and long honks",
    family=THINGS,
    ru="гудок автомобиля",
    examples=("a car horn honking", "гудок автомобиля"),
    words=(
        "car horn",
        "horn honk",
        "honk",
        "beep horn",
        "гудок автомобил",
        "гудок машин",
        "гудк автомобил",
        "гудк машин",
        "автомобильн гудок",
        "клаксон",
        "сигнал машин",
        "сигнал автомобил",
    ),
)
def car_horn(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    span = n / sr
    out = np.zeros(n)
    low = rng.uniform(400, 430) * p.pitch
    high = low * rng.uniform(1.17, 1.22)  # about a major third above: the usual pair of horns
    for start in dsp.spread_times(rng, span, p.one_every(span, 3, int(span * 2) + 1), 1.5):
        pattern = [(0.0, rng.uniform(0.5, 1.2))] if rng.uniform() < 0.5 else [(0.0, 0.18), (0.3, rng.uniform(0.2, 0.6))]
        for offset, length in pattern:
            dsp.add_at(out, honk(rng, sr, low, high, min(length, span)), int((start + offset) * sr))
    if p.moving:  # honking while driving past: swells and fades (the pitch shift is small beside the chord)
        out *= pass_by(n, sr, 0.0)[0]
    return out


@source(
    "truck",
    "a truck or bus: a clattering six-cylinder diesel idling, with an air-brake hiss",
    family=THINGS,
    ru="грузовик",
    examples=("a diesel truck", "дизельный грузовик"),
    words=(
        "truck",
        "lorry",
        "city bus",
        "bus engine",
        "diesel",
        "air brake",
        "грузовик",
        "автобус",
        "фур",
        "дизел",
        "дизельн",
        "пневмотормоз",
    ),
)
def truck(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    span = n / sr
    rpm = (p.bpm or 650 * (2.2 if p.tempo > 1.2 or p.moving else 1.0)) * dsp.smooth_control(rng, n, sr, 0.6, 0.96, 1.04)
    closeness, doppler = pass_by(n, sr, 0.05) if p.moving else (1.0, 1.0)
    pulses = firing_pulses(rng, n, sr, rpm * doppler, 6)
    engine = combustion(rng, n, sr, pulses, 65 * p.pitch, 1.0)
    # Diesel knock: every firing also rattles the block, a sharp mid-high clatter.
    clatter = dsp.bandpass(dsp.white(rng, n), 1200, 5000, sr) * dsp.convolve(
        pulses, dsp.decay(int(0.008 * sr), sr, 0.002)
    )
    out = engine + 0.35 * clatter * np.std(engine) / (np.std(clatter) + 1e-12)
    out = out * closeness
    if span > 1.5:
        at = rng.uniform(0.3, 0.8) * span
        k = int(min(1.2, span - at) * sr)
        hiss = dsp.highpass(dsp.white(rng, k), 2500, sr) * dsp.decay(k, sr, rng.uniform(0.3, 0.6), attack=0.02)
        dsp.add_at(out, hiss, int(at * sr), 1.5 * np.std(out) * 3)
    return out


@source(
    "bicycle_bell",
    "a bicycle bell: a bright rapid trill, ring-ring",
    family=THINGS,
    ru="велосипедный звонок",
    examples=("a bicycle bell", "звонок велосипеда"),
    words=("bicycle bell", "bike bell", "cycle bell", "велосипедн звонок", "звонок велосипед", "велосипед", "велик"),
)
def bicycle_bell(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    span = n / sr
    out = np.zeros(n)
    f = rng.uniform(3200, 4200) * p.pitch
    ding = dsp.modal([f, f * 1.48, f * 2.05, f * 0.52], [0.35, 0.2, 0.12, 0.25], [1.0, 0.5, 0.3, 0.2], 0.8, sr, rng)
    for start in dsp.spread_times(rng, span, p.one_every(span, 3, int(span * 2) + 1), 1.2):
        t = start
        for _ in range(2):  # ring, ring: the thumb lever flicks the striker a few times
            rate = rng.uniform(16, 24)
            for j in range(int(rng.integers(5, 10))):
                dsp.add_at(out, ding, int((t + j / rate) * sr), rng.uniform(0.5, 1.0))
            t += rng.uniform(0.45, 0.6)
    return out


@source(
    "ship_horn",
    "a ship's horn: a very low long blast, rich in harmonics, echoing over water",
    family=THINGS,
    ru="гудок корабля",
    examples=("a ship horn", "гудок корабля"),
    words=(
        "ship horn",
        "boat horn",
        "foghorn",
        "fog horn",
        "ship",
        "гудок корабл",
        "гудок парохо",
        "гудок теплоход",
        "корабл",
        "пароход",
        "теплоход",
        "туманн горн",
    ),
)
def ship_horn(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    span = n / sr
    out = np.zeros(n)
    f0 = rng.uniform(70, 120) * p.pitch
    blasts = p.how_many(1 if span < 6 else 2, 5)
    length = min(rng.uniform(2.0, 4.0), span / blasts * 0.8)
    for start in dsp.spread_times(rng, span, blasts, length):
        k = int(length * sr)
        t = dsp.seconds(k, sr)
        env = np.minimum(1, t / 0.3) * np.minimum(1, (t[-1] - t) / 0.4 + 1e-3)
        blast = dsp.lowpass(buzzy(f0, k, sr, rng, 0.7, vibrato=0.002, top=3000), 2500, sr) * env
        dsp.add_at(out, blast, int(start * sr))
    echo = dsp.lowpass(np.roll(out, int(rng.uniform(0.4, 0.8) * sr)), 800, sr) * 0.3
    water = dsp.lowpass(dsp.coloured_noise(rng, n, sr, 1.5), 600, sr) * 0.03 * np.max(np.abs(out) + 1e-3)
    return out + echo + water


@source(
    "motorboat",
    "a motorboat: an outboard engine's burble and whine, the hull slapping waves",
    family=THINGS,
    ru="моторная лодка",
    examples=("a motorboat", "моторная лодка"),
    words=("motorboat", "motor boat", "speedboat", "outboard", "boat engine", "моторн лодк", "катер", "лодочн мотор"),
)
def motorboat(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    span = n / sr
    rpm = (
        rng.uniform(3500, 5000)
        * p.pitch
        * (1.3 if p.tempo > 1.2 else 1.0)
        * dsp.smooth_control(rng, n, sr, 0.5, 0.95, 1.05)
    )
    closeness, doppler = pass_by(n, sr, 0.04) if p.moving else (1.0, 1.0)
    engine = dsp.lowpass(combustion(rng, n, sr, firing_pulses(rng, n, sr, rpm * doppler, 2), 120, 1.5), 1500, sr)
    whine = motor(rng, n, sr, rpm * doppler / 60 * 4, (1.0, 0.4), 0.003) * 0.1 * np.std(engine)
    slaps = dsp.regular_times(rng, span, rng.uniform(1.2, 2.2), jitter=0.25)
    slap = dsp.lowpass(dsp.burst(rng, sr, 0.25, 0.06, 80, 3000), 1500, sr)
    hull = dsp.convolve(dsp.impulses(slaps, rng.uniform(0.3, 1.0, slaps.size), n, sr), slap)
    wake = dsp.bandpass(dsp.coloured_noise(rng, n, sr, 0.8), 400, 6000, sr) * dsp.smooth_control(rng, n, sr, 2, 0.5, 1)
    return (engine + whine + (0.5 * hull + 0.25 * wake) * np.std(engine)) * closeness


@source(
    "subway",
    "a metro train: braking into the station with a falling motor whine, doors chime, pulling out",
    family=THINGS,
    ru="метро",
    examples=("a subway train", "поезд метро"),
    words=(
        "subway",
        "metro",
        "subway train",
        "metro train",
        "underground train",
        "tube train",
        "метро",
        "метрополитен",
        "электропоезд метро",
        "поезд метро",
        "подземк",
    ),
)
def subway(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    span = n / sr
    t = dsp.seconds(n, sr)
    stop_at, leave_at = span * rng.uniform(0.35, 0.45), span * rng.uniform(0.6, 0.7)
    speed = np.where(t < stop_at, np.clip((stop_at - t) / (stop_at + 1e-9), 0, 1) ** 0.7, 0.0)
    speed = np.maximum(speed, np.clip((t - leave_at) / max(span - leave_at, 0.1), 0, 1) ** 1.3)
    # Inverter-fed traction motors: a whine whose pitch tracks the speed.
    whine = motor(rng, n, sr, 80 + 900 * speed * p.pitch, (1.0, 0.5, 0.35, 0.2), 0.002) * speed
    rumble = dsp.lowpass(dsp.coloured_noise(rng, n, sr, 1.5), 500, sr, order=4) * (0.05 + speed)
    joints = np.diff(np.floor(np.cumsum(speed * 18 / 10) / sr), prepend=0.0) * rng.uniform(0.6, 1.0, n)
    clacks = dsp.convolve(joints, dsp.modal([400, 1100, 2300], [0.02, 0.015, 0.008], [1, 0.6, 0.3], 0.08, sr, rng))
    braking = ((t < stop_at) & (t > stop_at - 1.5)).astype(float)
    squeal = (
        np.sin(dsp.phase(rng.uniform(2800, 4000) * (1 + 0.01 * np.sin(dsp.TAU * 6 * t)), n, sr))
        * dsp.lowpass(braking, 5, sr)
        * 0.08
    )
    out = 0.15 * whine + rumble + clacks * 0.5 + squeal
    # Standing at the platform: the doors' two-note chime.
    chime_at = stop_at + 0.3 * (leave_at - stop_at)
    for i, f in enumerate((660.0, 550.0)):
        tone = dsp.modal([f, f * 2, f * 3], [0.4, 0.2, 0.1], [1, 0.3, 0.1], 0.8, sr)
        dsp.add_at(out, tone, int((chime_at + 0.4 * i) * sr), 0.15)
    return out


@source(
    "tram",
    "a tram: the driver's ding-ding bell, an electric motor whine and wheels on rails",
    family=THINGS,
    ru="трамвай",
    examples=("a tram bell", "звонок трамвая"),
    words=("tram", "tram bell", "streetcar", "trolley", "трамва", "трамвайн", "звонок трамва", "трамвайн звонок"),
)
def tram(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    span = n / sr
    speed = dsp.smooth_control(rng, n, sr, 0.3, 0.3, 1.0)
    whine = motor(rng, n, sr, 120 + 500 * speed * p.pitch, (1.0, 0.5, 0.3), 0.002) * 0.05
    rumble = dsp.lowpass(dsp.coloured_noise(rng, n, sr, 1.5), 700, sr) * speed * 0.5
    out = whine + rumble
    # On a curve the wheel flanges rub the rail: a thin wavering squeal for a second or two.
    if span > 3 and rng.uniform() < 0.6:
        at, k = rng.uniform(0.2, 0.6) * span, int(min(rng.uniform(1.0, 2.0), 0.35 * span) * sr)
        wobble = 1 + 0.01 * dsp.smooth_control(rng, k, sr, 6, -1, 1)
        squeal = np.sin(dsp.phase(rng.uniform(2500, 4500) * wobble, k, sr)) * dsp.hann(k) ** 0.5
        dsp.add_at(out, squeal, int(at * sr), 0.04 * (1 + np.std(rumble)))
    f = rng.uniform(1000, 1300) * p.pitch
    gong = dsp.modal([f, f * 2.4, f * 3.9, f * 5.3], [0.6, 0.35, 0.2, 0.1], [1.0, 0.5, 0.35, 0.2], 1.5, sr, rng)
    for start in dsp.spread_times(rng, span, p.one_every(span, 4, int(span) + 1), 1.5):
        for j in range(2):  # ding-ding
            dsp.add_at(out, gong, int((start + j * rng.uniform(0.25, 0.35)) * sr), 1.2)
    return out


@source(
    "skateboard",
    "a skateboard: wheels rumbling over pavement joints, pushes, an ollie's pop and landing",
    family=THINGS,
    ru="скейтборд",
    examples=("a skateboard rolling", "звук скейтборда"),
    words=("skateboard", "skate", "skater", "skateboarding", "скейтборд", "скейт", "скейтбордист"),
)
def skateboard(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    span = n / sr
    out = np.zeros(n)
    rolling = np.ones(n)
    ollies = dsp.poisson_times(rng, span, 0.2) if span > 2 else np.zeros(0)
    for o in ollies:
        air = rng.uniform(0.35, 0.5)
        rolling[int(o * sr) : int((o + air) * sr)] = 0.0
        pop = dsp.overlay(
            dsp.burst(rng, sr, 0.05, 0.005, 500, 6000), dsp.modal([300, 750], [0.03, 0.015], [1, 0.5], 0.1, sr, rng)
        )
        dsp.add_at(out, pop, int(o * sr), 2.0)
        land = dsp.overlay(
            dsp.lowpass(dsp.burst(rng, sr, 0.15, 0.03, 60, 3000), 2000, sr),
            dsp.modal([200, 520], [0.04, 0.02], [1, 0.5], 0.1, sr, rng),
        )
        dsp.add_at(out, land, int((o + air) * sr), 2.5)
    rolling = dsp.lowpass(rolling, 30, sr)
    roll = dsp.bandpass(dsp.coloured_noise(rng, n, sr, 1.0), 80 * p.pitch, 1500 * p.pitch, sr) * 0.4 * rolling
    joints = dsp.regular_times(rng, span, rng.uniform(1.5, 2.5) * p.tempo, jitter=0.1)
    clack = dsp.modal([250, 700, 1600], [0.02, 0.01, 0.006], [1, 0.5, 0.3], 0.06, sr, rng)
    for j in joints:
        if rolling[min(int(j * sr), n - 1)] > 0.5:
            dsp.add_at(out, clack, int(j * sr), 0.6)  # front wheels...
            dsp.add_at(out, clack, int((j + rng.uniform(0.12, 0.18)) * sr), 0.5)  # ...then the back ones
    return out + roll


@source(
    "traffic",
    "city traffic: cars and buses passing, idling engines, tyre noise and distant horns",
    family=THINGS,
    ru="уличное движение",
    examples=("city traffic", "шум городского транспорта"),
    words=(
        "traffic",
        "city traffic",
        "traffic jam",
        "rush hour",
        "road traffic",
        "уличн движени",
        "дорожн движени",
        "транспорт",
        "городск транспорт",
        "пробк",
        "трасс",
    ),
)
def traffic(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    span = n / sr
    passes = dsp.poisson_times(rng, span + 4, 0.6 * p.density) - 2
    widths = rng.uniform(0.8, 2.0, passes.size)
    loud = rng.uniform(0.3, 1.0, passes.size)

    def magnitude(f: np.ndarray, t: np.ndarray) -> np.ndarray:
        level = 0.15 + (loud * np.exp(-(((t[0][:, None] - passes) / widths) ** 2))).sum(axis=1)
        tyres = 1 / (1 + (f / 1200) ** 2) * (f > 60)
        return tyres * level[None, :]

    roads = dsp.shaped_noise(rng, n, sr, magnitude)
    idle = combustion(rng, n, sr, firing_pulses(rng, n, sr, np.full(n, 750.0), 4), 100, 0.8)
    out = roads + 0.4 * idle / (np.std(idle) + 1e-12)
    for h in dsp.poisson_times(rng, span, 0.12):
        low = rng.uniform(380, 480)
        dsp.add_at(out, dsp.lowpass(honk(rng, sr, low, low * 1.2, rng.uniform(0.15, 0.5)), 1500, sr), int(h * sr), 0.25)
    return out
