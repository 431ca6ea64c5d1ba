"""Bells by modal synthesis: inharmonic partials, each with its own decay."""

from __future__ import annotations

import numpy as np

from tag.engines.synth import dsp
from tag.engines.synth.sources.base import THINGS, Params, source

# Partials of a tuned church bell relative to its strike note (prime): hum, prime,
# minor-third tierce, quint, nominal, and the inharmonic upper partials.
BELL_PARTIALS = (
    (0.5, 1.0, 9.0),
    (1.0, 0.8, 6.0),
    (1.19, 0.6, 4.5),
    (1.5, 0.35, 3.5),
    (2.0, 0.9, 3.0),
    (2.51, 0.3, 1.8),
    (2.66, 0.25, 1.5),
    (3.01, 0.2, 1.2),
    (4.07, 0.12, 0.8),
)
# Free-free bar modes (a doorbell's chime bars): 1, 2.756, 5.404.
BAR_PARTIALS = ((1.0, 1.0, 1.2), (2.756, 0.35, 0.5), (5.404, 0.12, 0.25))


@source("church_bell", "a church bell tolling: struck bell partials with long decays",
        family=THINGS, ru="колокол", examples=("a church bell", "колокольный звон"))
def church_bell(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    span = n / sr
    prime = p.freq or 330.0 * p.pitch
    length = min(span, 10.0)
    strike = dsp.modal(
        [prime * r * rng.uniform(0.998, 1.002) for r, _, _ in BELL_PARTIALS],
        [d for _, _, d in BELL_PARTIALS],
        [a for _, a, _ in BELL_PARTIALS],
        length,
        sr,
        rng,
    )
    strike[: int(0.01 * sr)] += dsp.burst(rng, sr, 0.01, 0.002, 1000, 8000) * 0.3
    # A hard strike brings out the upper partials: each blow blends the bell with a duller copy of itself.
    dull = dsp.lowpass(strike, prime * 2.2, sr)
    if p.count:
        times = dsp.spread_times(rng, span, p.count, 2.5)
    else:  # a ringer pulls the rope by hand: about every 3 s, never exactly
        times = dsp.regular_times(rng, span, p.tempo / 3.0, jitter=0.05, offset=rng.uniform(0.05, 0.4))
    out = np.zeros(n)
    for t in times:
        hard = rng.uniform(0.4, 1.0)
        gain = rng.uniform(0.8, 1.0)
        dsp.add_at(out, strike, int(t * sr), gain * hard)
        dsp.add_at(out, dull, int(t * sr), gain * (1 - hard) * 1.3)
    return out


@source("doorbell", "a doorbell: ding-dong on two chime bars (E5 then C5)",
        family=THINGS, ru="дверной звонок", examples=("a doorbell", "дверной звонок"))
def doorbell(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    span = n / sr
    notes = (659.25 * p.pitch, 523.25 * p.pitch)
    ring = rng.uniform(0.75, 1.3)  # how long this unit's bars ring, how bright they are
    chimes = [
        dsp.modal(
            [f * r for r, _, _ in BAR_PARTIALS],
            [d * ring for _, _, d in BAR_PARTIALS],
            [a * (rng.uniform(0.6, 1.4) if r > 1 else 1.0) for r, a, _ in BAR_PARTIALS],
            min(span, 2.5),
            sr,
            rng,
        )
        for f in notes
    ]
    count = p.count or max(1, int(round(span / 6)))
    out = np.zeros(n)
    late = rng.uniform(0.0, min(0.5, span * 0.15)) if count == 1 else 0.0
    for t in dsp.spread_times(rng, span, count, 2.5) + late:
        # A finger on the button: the striker hits each bar a little harder or softer, a little sooner or later.
        dsp.add_at(out, chimes[0], int(t * sr), rng.uniform(0.8, 1.0))
        dsp.add_at(out, chimes[1], int((t + 0.6 / p.tempo * rng.uniform(0.95, 1.05)) * sr), rng.uniform(0.65, 1.0))
    return out
