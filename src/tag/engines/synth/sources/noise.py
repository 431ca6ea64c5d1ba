"""Coloured noises and the neutral room ambience used for prompts we do not understand."""

from __future__ import annotations

import numpy as np

from tag.engines.synth import dsp
from tag.engines.synth.sources.base import BACKGROUND, Params, source


@source("white_noise", "white noise: flat spectrum", room=False,
        family=BACKGROUND, ru="белый шум", examples=("white noise", "белый шум"))
def white_noise(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    return dsp.white(rng, n)


@source("pink_noise", "pink noise: -3 dB per octave", room=False,
        family=BACKGROUND, ru="розовый шум", examples=("pink noise", "розовый шум"))
def pink_noise(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    return dsp.coloured_noise(rng, n, sr, 1.0)


@source("brown_noise", "brown (red) noise: -6 dB per octave", room=False,
        family=BACKGROUND, ru="коричневый шум", examples=("brown noise", "коричневый шум"))
def brown_noise(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    return dsp.coloured_noise(rng, n, sr, 2.0)


@source("ambience", "a soft neutral room tone: dark noise that breathes slowly", room=False,
        family=BACKGROUND, ru="фон", examples=("zzz", "абракадабра"))
def ambience(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    bed = dsp.lowpass(dsp.coloured_noise(rng, n, sr, 1.5), 2500, sr)
    air = dsp.bandpass(dsp.white(rng, n), 3000, 9000, sr) * 0.03
    return (bed + air) * dsp.smooth_control(rng, n, sr, 0.3, 0.7, 1.0)
