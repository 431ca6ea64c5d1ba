"""Cooking and a few everyday one-offs: frying, chopping, a cork popping, a burp, a sonar ping."""

from __future__ import annotations

import numpy as np

from tag.engines.synth import dsp
from tag.engines.synth.sources import scene_parts as sp
from tag.engines.synth.sources.base import HUMAN, THINGS, Params, source


@source("frying", "frying: a bright hiss full of spitting fat, swelling and settling", family=THINGS,
        ru="жарка на сковороде", examples=("bacon sizzling in a frying pan", "шипение масла на сковороде"),
        words=("sizzl", "fry", "frying pan", "bacon", "griddle", "сковород", "жарк", "жар", "жарят", "шкварч",
               "шипени масл", "масл на сковород"))
def frying(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    return sp.sizzle(rng, n, sr) * dsp.smooth_control(rng, n, sr, 0.4, min(0.6 / p.density**0.5, 0.95), 1.0)


@source("chopping", "chopping on a board: runs of woody knife knocks with pauses", family=THINGS,
        ru="нарезка", examples=("chopping vegetables", "нарезают овощи"),
        words=("chop vegetabl", "chopping board", "cutting board", "dice", "knife chop",
               "нареза", "нареза овощ", "нарезк", "шинкова",
               "режут овощ", "нож по доск"))
def chopping(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    out = np.zeros(n)
    t = rng.uniform(0.05, 0.6)
    while t < n / sr:
        run = sp.chopping(rng, sr)
        dsp.add_at(out, run, int(t * sr), rng.uniform(0.7, 1.0))
        t += rng.uniform(2.0, 4.0) / p.tempo
    return out


@source("cork_pop", "a bottle opened: a cork's pop, then fizzing bubbles settling", family=THINGS,
        ru="открывают шампанское", examples=("a champagne cork popping", "открывают бутылку шампанского"),
        words=("cork", "cork pop", "champagne", "bottle open", "open bottl", "fizz", "шампанск", "открыва бутылк",
               "шипучк"))
def cork_pop(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    span = n / sr
    start = rng.uniform(0.1, 0.35) * min(span, 3.0)
    out = np.zeros(n)
    pop = dsp.modal([rng.uniform(420, 620) * p.pitch], [0.01], [1.0], 0.06, sr, rng)
    dsp.add_at(out, dsp.overlay(pop, 1.5 * dsp.burst(rng, sr, 0.03, 0.003, 300, 6000)), int(start * sr))
    # Then the wine fizzes: many tiny bubbles, thinning out.
    after = max(span - start, 0.0)
    times = start + 0.05 + rng.exponential(after / 2.5 + 1e-3, int(400 * min(after, 8.0) / 4 + 1))
    kernels = [dsp.bubble(sr, f, 0.006, rise=0.8) for f in rng.uniform(2500, 7000, 6)]
    fizz = dsp.scatter_kernels(rng, n, sr, np.sort(times[times < span]), rng.uniform(0.02, 0.1, times.size), kernels)
    return out + fizz


@source("burp", "a burp: a low, rattling voiced belch", family=HUMAN, ru="отрыжка",
        examples=("a man burping", "громкая отрыжка"), words=("burp", "belch", "отрыжк", "рыга", "рыгну"))
def burp(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    span = n / sr
    out = np.zeros(n)
    count = p.how_many(1, 8)
    starts = dsp.spread_times(rng, span, count, 0.8) if count > 1 else [rng.uniform(0.05, 0.5) * max(span - 0.7, 0.1)]
    for start in starts:
        dur = rng.uniform(0.35, 0.7)
        k = int(dur * sr)
        x = np.linspace(0, 1, k)
        rattle = dsp.smooth_control(rng, k, sr, 25, 0.8, 1.2)  # the oesophagus flaps: a rough, wobbling pitch
        f0 = rng.uniform(55, 85) * p.pitch * (1 + 0.3 * np.sin(np.pi * x)) * rattle
        voice = dsp.formants(dsp.glottal(f0, sr), (rng.uniform(400, 600), rng.uniform(900, 1300)), sr)
        dsp.add_at(out, voice * dsp.hann(k) ** 0.5, int(start * sr), rng.uniform(0.8, 1.0))
    return out


@source("sonar_ping", "a sonar ping: a pure tone pulse echoing back through deep water", family=THINGS,
        ru="сонар", examples=("a submarine sonar ping", "сонар подводной лодки"),
        words=("sonar", "ping", "submarine", "сонар", "гидролокатор", "подводн лодк"))
def sonar_ping(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    span = n / sr
    out = np.zeros(n)
    freq = (p.freq or rng.uniform(1100, 1700)) * p.pitch
    k = int(0.5 * sr)
    ping = np.sin(dsp.TAU * freq * dsp.seconds(k, sr)) * dsp.decay(k, sr, 0.12, attack=0.004)
    echo_after = rng.uniform(0.6, 1.4)
    for start in np.arange(rng.uniform(0.05, 0.4), span, rng.uniform(3.0, 5.0) / p.tempo):
        dsp.add_at(out, ping, int(start * sr))
        dsp.add_at(out, dsp.lowpass(ping, 2500, sr), int((start + echo_after) * sr), 0.25)
    return out
