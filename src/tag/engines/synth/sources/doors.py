"""Doors and drawers: a slammed door, a door opened and closed, a drawer pulled out and pushed shut."""

from __future__ import annotations

import numpy as np

from tag.engines.synth import dsp
from tag.engines.synth.sources.base import THINGS, Params, source
from tag.engines.synth.sources.handling import click


def panel_thud(rng: np.random.Generator, sr: int, pitch: float, weight: float) -> np.ndarray:
    """A door leaf hitting its frame: low panel modes, a dull noise knock; ``weight`` lengthens it."""
    modes = [f * pitch * rng.uniform(0.92, 1.08) for f in (70, 140, 260, 450, 800)]
    body = dsp.modal(
        modes, [0.12 * weight, 0.08 * weight, 0.05, 0.03, 0.015], [1.0, 0.8, 0.6, 0.4, 0.2], 0.6 * weight, sr, rng
    )
    return dsp.overlay(body, dsp.lowpass(dsp.burst(rng, sr, 0.1, 0.01, 60, 3000), 2000, sr) * 0.8)


@source(
    "door_slam",
    "a door slammed: a heavy wooden bang with the frame rattling and the room booming",
    family=THINGS,
    ru="хлопок двери",
    examples=("a door slamming", "хлопнула дверь"),
    words=(
        "slam",
        "door slam",
        "slam door",
        "хлопнул",
        "хлопнула",
        "хлопнул двер",
        "хлопок двер",
        "хлопк двер",
        "хлопа двер",
        "хлопают двер",
    ),
)
def door_slam(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    span = n / sr
    out = np.zeros(n)
    for t in dsp.spread_times(rng, span, p.how_many(1, int(span) + 1), 1.0):
        bang = panel_thud(rng, sr, p.pitch, 1.6)
        dsp.add_at(bang, click(rng, sr, 1500, 6000, 2200, 0.004), int(0.01 * sr), 0.4)  # latch
        rattle_t = 0.02 + rng.exponential(0.05, 8)
        for r in rattle_t:
            dsp.add_at(bang, dsp.burst(rng, sr, 0.015, 0.003, 400, 4000), int(r * sr), rng.uniform(0.05, 0.2))
        dsp.add_at(out, bang, int(t * sr), rng.uniform(0.85, 1.0))
    return out


@source(
    "door",
    "a door opened and closed: handle and latch clicks, a swish of air, a soft thud shut",
    family=THINGS,
    ru="дверь открывается и закрывается",
    examples=("a door opening and closing", "открывают и закрывают дверь"),
    words=(
        "door open",
        "door clos",
        "door close",
        "open door",
        "close door",
        "открыва двер",
        "закрыва двер",
        "открыва и закрыва двер",
        "открыл двер",
        "закрыл двер",
    ),
)
def door(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    span = n / sr
    out = np.zeros(n)
    cycle = min(span * 0.9, rng.uniform(2.0, 3.0) / p.tempo)
    t0 = rng.uniform(0.05, 0.2)
    while t0 < span:
        handle = click(rng, sr, 1000, 5000, rng.uniform(1500, 2200) * p.pitch, 0.006)
        dsp.add_at(out, handle, int(t0 * sr), 0.5)
        dsp.add_at(out, click(rng, sr, 800, 4000, 1300 * p.pitch, 0.01), int((t0 + rng.uniform(0.1, 0.2)) * sr), 0.6)
        k = int(0.6 * sr)
        swish = dsp.lowpass(dsp.white(rng, k), 600, sr) * dsp.hann(k) * 0.3  # air pushed by the leaf
        dsp.add_at(out, swish, int((t0 + 0.25) * sr))
        shut = t0 + cycle * rng.uniform(0.7, 0.9)
        dsp.add_at(out, panel_thud(rng, sr, p.pitch, 0.8), int(shut * sr), 0.7)
        dsp.add_at(out, click(rng, sr, 1500, 6000, 2400 * p.pitch, 0.004), int((shut + 0.01) * sr), 0.5)
        t0 += cycle + rng.uniform(0.5, 1.5)
    return out


@source(
    "drawer",
    "a drawer: pulled out on rumbling runners, then pushed shut against its stop",
    family=THINGS,
    ru="выдвижной ящик",
    examples=("a drawer opening and closing", "выдвигают ящик стола"),
    words=("drawer", "ящик", "ящик стол", "выдвига", "выдвижн", "задвига"),
)
def drawer(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    span = n / sr
    out = np.zeros(n)
    t0 = rng.uniform(0.05, 0.2)
    while t0 < span:
        for closing in (False, True):
            dur = rng.uniform(0.3, 0.6) / p.tempo
            k = int(dur * sr)
            x = np.linspace(0, 1, k)
            # Wooden runners: a scraping rumble; metal ones: a ball-bearing roll with small ticks.
            rumble = (
                dsp.bandpass(dsp.coloured_noise(rng, k, sr, 1.0), 150 * p.pitch, 2500 * p.pitch, sr)
                * np.sin(np.pi * x) ** 0.5
            )
            ticks = dsp.resonator(
                np.diff(np.floor(np.cumsum(np.full(k, rng.uniform(40, 80))) / sr), prepend=0.0), 1800, 8, sr
            )
            dsp.add_at(out, 0.5 * rumble + 0.5 * ticks, int(t0 * sr))
            stop = dsp.modal([f * p.pitch for f in (180, 420, 900)], [0.05, 0.03, 0.015], [1.0, 0.6, 0.3], 0.2, sr, rng)
            dsp.add_at(
                out,
                dsp.overlay(stop, dsp.burst(rng, sr, 0.05, 0.008, 100, 3000) * 0.5),
                int((t0 + dur) * sr),
                1.0 if closing else 0.5,
            )
            t0 += dur + rng.uniform(0.5, 1.2)
        t0 += rng.uniform(0.5, 1.5)
    return out
