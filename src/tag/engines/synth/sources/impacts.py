"""Bangs and strikes: fireworks, machine gun, cannon, wood chopping, metal clang, glass toast, bouncing ball, thud."""

from __future__ import annotations

import numpy as np

from tag.engines.synth import dsp
from tag.engines.synth.sources.base import THINGS, Params, source


def boom(rng: np.random.Generator, sr: int, low: float, tau: float, crack: float) -> np.ndarray:
    """A blast: a deep noise boom below ``low`` Hz decaying over ``tau`` s, led by a broadband crack."""
    k = int(max(5 * tau, 0.2) * sr)
    body = dsp.lowpass(dsp.coloured_noise(rng, k, sr, 1.5), low, sr, order=4)
    body = body / (np.std(body) + 1e-12) * dsp.decay(k, sr, tau, attack=0.002)
    snap = dsp.lowpass(dsp.white(rng, k), 9000, sr) * dsp.decay(k, sr, tau * 0.12 + 0.006, attack=0.0005)
    return body + crack * snap


def _shell(rng: np.random.Generator, sr: int, pitch: float, whistle: bool) -> np.ndarray:
    """One firework: a whistling climb (or a mortar thump), the burst, then a crackling tail."""
    climb = rng.uniform(0.9, 1.4) if whistle else rng.uniform(0.5, 0.9)
    tail = rng.uniform(1.2, 2.0)
    k = int((climb + tail + 0.6) * sr)
    out = np.zeros(k)
    c = int(climb * sr)
    if whistle:
        x = np.linspace(0, 1, c)
        f = rng.uniform(700, 1100) * pitch * (rng.uniform(2.5, 3.5)) ** x  # pitch climbs as it accelerates
        tone = np.sin(dsp.phase(f, c, sr)) + 0.3 * dsp.bandpass(dsp.white(rng, c), 2000, 8000, sr)
        out[:c] += tone * (0.15 + 0.35 * x) * np.minimum(1, (1 - x) * 40)
    else:
        dsp.add_at(out, boom(rng, sr, 200, 0.05, 0.5), 0, 0.5)
        out[:c] += dsp.bandpass(dsp.white(rng, c), 1500, 6000, sr) * 0.03
    dsp.add_at(out, boom(rng, sr, 250 * pitch, rng.uniform(0.25, 0.45), 2.5), c, 1.4)
    # The stars: hundreds of tiny snaps thinning out as they burn down.
    times = c / sr + 0.12 + rng.exponential(tail * 0.45, int(rng.uniform(80, 160)))
    times = times[times < k / sr - 0.05]
    snaps = [dsp.burst(rng, sr, 0.01, 0.0012, 1500, 11000) for _ in range(5)]
    amps = rng.lognormal(-1.6, 0.6, times.size) * np.exp(-(times - c / sr) / tail)
    out += dsp.scatter_kernels(rng, k, sr, times, amps, snaps)
    return out


@source(
    "fireworks",
    "fireworks: whistling rockets climbing, a bang, then a long tail of crackling stars",
    family=THINGS,
    ru="фейерверк",
    examples=("fireworks", "праздничный салют"),
    words=("firework", "fireworks", "firecracker", "фейерверк", "салют", "праздничн салют", "петард"),
)
def fireworks(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    span = n / sr
    out = np.zeros(n)
    t = rng.uniform(0.05, 0.2)
    first = True
    while t < span:
        dsp.add_at(
            out,
            _shell(rng, sr, p.pitch, first or rng.uniform() < 0.6),
            int(t * sr),
            rng.uniform(0.7, 1.0) if not first else 1.0,
        )
        first = False
        t += rng.uniform(2.0, 3.5) / (p.tempo * p.density**0.5)
    return out


@source(
    "machine_gun",
    "a machine gun: bursts of shots at ten or so a second, crack, boom and mechanism",
    family=THINGS,
    ru="пулемёт",
    examples=("machine gun fire", "пулемётная очередь"),
    words=(
        "machine gun",
        "machinegun",
        "automatic fire",
        "submachine gun",
        "пулемет",
        "пулеметн",
        "пулеметн очеред",
        "автоматн очеред",
        "machine gun fire",
    ),
)
def machine_gun(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    span = n / sr
    rate = float(np.clip(p.bpm / 60 if p.bpm else rng.uniform(9.5, 12.5) * p.tempo, 8.0, 15.0))
    shots = [boom(rng, sr, 400 * p.pitch, 0.025, 1.2) for _ in range(4)]
    out = np.zeros(n)
    t = rng.uniform(0.05, 0.2)
    while t < span:
        burst_len = rng.uniform(0.8, 2.2)
        times = (
            t
            + np.arange(0, burst_len, 1 / rate)
            + rng.normal(0, 0.002, int(np.ceil(burst_len * rate)))[: len(np.arange(0, burst_len, 1 / rate))]
        )
        for i, s in enumerate(times):
            dsp.add_at(out, shots[i % 4], int(s * sr), rng.uniform(0.8, 1.0))
            dsp.add_at(out, dsp.burst(rng, sr, 0.01, 0.002, 2000, 8000), int((s + 0.03) * sr), 0.15)  # the bolt cycling
        t += burst_len + rng.uniform(0.5, 1.3)
    return out


@source(
    "cannon",
    "a cannon: a huge low boom with a sharp report and an echo rolling back",
    family=THINGS,
    ru="пушка",
    examples=("cannon fire", "выстрел пушки"),
    words=(
        "cannon",
        "artillery",
        "howitzer",
        "пушк",
        "пушечн",
        "артиллери",
        "канонад",
        "выстрел пушк",
        "cannon fire",
        "пушечн залп",
    ),
)
def cannon(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    span = n / sr
    out = np.zeros(n)
    for t in dsp.spread_times(rng, span, p.how_many(1, int(span / 1.5) + 1), 2.0):
        shot = boom(rng, sr, 120 * p.pitch, rng.uniform(0.5, 0.9), 0.8)
        echo = dsp.lowpass(shot, 500, sr) * 0.35
        dsp.add_at(out, shot, int(t * sr))
        dsp.add_at(out, echo, int((t + rng.uniform(0.6, 1.4)) * sr))
    return out


@source(
    "wood_chopping",
    "chopping wood: axe blows, a hard wooden thock and splitting cracks, logs falling",
    family=THINGS,
    ru="рубка дров",
    examples=("chopping wood", "колют дрова топором"),
    words=(
        "chop",
        "chop wood",
        "axe",
        "ax",
        "firewood",
        "рубк дров",
        "руб дров",
        "рубят дров",
        "кол дров",
        "колют дров",
        "топор",
        "дров",
    ),
)
def wood_chopping(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    span = n / sr
    out = np.zeros(n)
    for t in dsp.regular_times(rng, span, p.rate(30), jitter=0.1, offset=rng.uniform(0.05, 0.25)):
        f = rng.uniform(250, 420) * p.pitch
        thock = dsp.modal(
            [f, f * 2.3, f * 4.1, f * 6.5], [0.04, 0.025, 0.012, 0.006], [1.0, 0.7, 0.4, 0.2], 0.2, sr, rng
        )
        chop = dsp.overlay(thock, dsp.burst(rng, sr, 0.06, 0.008, 500, 6000) * 0.8)
        if rng.uniform() < 0.35:  # the log splits: a crackling tear and the halves landing
            for c in 0.01 + rng.exponential(0.03, 10):
                dsp.add_at(chop, dsp.burst(rng, sr, 0.01, 0.002, 1000, 7000), int(c * sr), rng.uniform(0.1, 0.4))
            land = dsp.lowpass(dsp.burst(rng, sr, 0.12, 0.03, 60, 1500), 1000, sr)
            chop = dsp.overlay(chop, np.concatenate([np.zeros(int(rng.uniform(0.3, 0.5) * sr)), land * 0.6]))
        dsp.add_at(out, chop, int(t * sr), rng.uniform(0.8, 1.0))
    return out


@source(
    "metal_clang",
    "metal clang: a struck steel bar or plate ringing with inharmonic partials",
    family=THINGS,
    ru="лязг металла",
    examples=("a metal clang", "удар по металлу"),
    words=(
        "clang",
        "clank",
        "metal clang",
        "metal hit",
        "anvil",
        "лязг",
        "лязг металл",
        "удар по металл",
        "металл",
        "наковальн",
    ),
)
def metal_clang(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    span = n / sr
    out = np.zeros(n)
    f = rng.uniform(180, 500) * p.pitch
    bar = rng.uniform() < 0.5
    ratios = (1.0, 2.76, 5.40, 8.93) if bar else (1.0, 1.59, 2.14, 2.30, 2.65, 3.16)  # free bar or plate
    for t in dsp.spread_times(rng, span, p.one_every(span, 2, int(span * 2) + 1), 1.5):
        modes = [f * r * rng.uniform(0.99, 1.01) for r in ratios]
        ring = dsp.modal(
            modes, [rng.uniform(0.6, 1.5) / r**0.5 for r in ratios], [1.0 / r**0.3 for r in ratios], 2.5, sr, rng
        )
        dsp.add_at(
            out,
            dsp.overlay(ring, dsp.burst(rng, sr, 0.02, 0.002, 1500, 10000) * 0.8),
            int(t * sr),
            rng.uniform(0.8, 1.0),
        )
    return out


@source(
    "glass_clink",
    "glasses clinking in a toast: two bright glass rings beating against each other",
    family=THINGS,
    ru="звон бокалов",
    examples=("glasses clinking", "звон бокалов"),
    words=(
        "clink",
        "glass clink",
        "glasses clink",
        "toast",
        "cheers",
        "wine glass",
        "звон бокал",
        "бокал",
        "чокают",
        "чокаются",
        "чока",
    ),
)
def glass_clink(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    span = n / sr
    out = np.zeros(n)
    for t in dsp.spread_times(rng, span, p.one_every(span, 1.5, int(span * 3) + 1), 1.0):
        f = rng.uniform(1500, 3000) * p.pitch
        # Two glasses, slightly differently tuned: their rings beat a few times a second.
        one = dsp.modal([f, f * 2.32, f * 3.8], [0.8, 0.3, 0.12], [1.0, 0.3, 0.15], 2.0, sr, rng)
        two = dsp.modal(
            [g * rng.uniform(1.01, 1.04) for g in (f, f * 2.32, f * 3.8)],
            [0.7, 0.25, 0.1],
            [0.8, 0.25, 0.1],
            2.0,
            sr,
            rng,
        )
        tick = dsp.burst(rng, sr, 0.005, 0.0008, 3000, 12000) * 0.5
        dsp.add_at(out, dsp.overlay(one, two, tick), int(t * sr), rng.uniform(0.7, 1.0))
    return out


@source(
    "ball_bounce",
    "a bouncing ball: impacts coming faster and softer until it rests, then dropped again",
    family=THINGS,
    ru="прыгающий мяч",
    examples=("a ball bouncing", "прыгает мяч"),
    words=("ball", "bounc", "bounce", "basketball", "dribbl", "мяч", "мячик", "прыга мяч", "прыгает мяч", "отскок"),
)
def ball_bounce(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    span = n / sr
    out = np.zeros(n)
    f = rng.uniform(150, 320) * p.pitch
    hits = [
        dsp.overlay(
            dsp.modal([f, f * 2.2, f * 3.9], [0.03, 0.015, 0.008], [1.0, 0.5, 0.2], 0.12, sr, rng),
            dsp.burst(rng, sr, 0.02, 0.002, 500, 5000) * 0.4,
        )
        for _ in range(3)
    ]
    t = rng.uniform(0.05, 0.2)
    while t < span:
        e = rng.uniform(0.72, 0.85)  # coefficient of restitution
        gap = 2 * np.sqrt(2 * rng.uniform(0.4, 1.2) / 9.81) / p.tempo**0.5  # flight time from the drop height
        amp = 1.0
        while gap > 0.025 and t < span:
            dsp.add_at(out, hits[rng.integers(3)], int(t * sr), amp)
            t += gap
            gap *= e
            amp *= e
        t += rng.uniform(0.6, 1.2)
    return out


@source(
    "thud",
    "a thud: a heavy dull impact, something dropped on the floor",
    family=THINGS,
    ru="глухой удар",
    examples=("a heavy thud", "глухой удар"),
    words=("thud", "thump", "bump", "глух удар", "тяжел удар", "бух", "шлеп", "грохнул"),
)
def thud(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    span = n / sr
    out = np.zeros(n)
    for t in dsp.spread_times(rng, span, p.one_every(span, 2, int(span * 3) + 1), 0.6):
        f = rng.uniform(50, 110) * p.pitch
        body = dsp.modal([f, f * 1.9, f * 3.1], [0.12, 0.07, 0.04], [1.0, 0.6, 0.3], 0.5, sr, rng)
        knock = dsp.lowpass(dsp.burst(rng, sr, 0.1, 0.015, 40, 1500), 600, sr)
        dsp.add_at(out, dsp.overlay(body, knock * 0.8), int(t * sr), rng.uniform(0.8, 1.0))
    return out
