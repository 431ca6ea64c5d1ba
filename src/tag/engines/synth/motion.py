"""Sources that move: level, air absorption, Doppler pitch and stereo position along a straight path.

The source travels in a line past the listener; distances are in units of the
closest approach.  Level follows 1/r, highs return as it nears, and the pitch
follows the Doppler factor 1 - (v/c) cos(angle): above its own pitch while it
comes closer, below once it leaves.  The shift comes from reading the rendered
sound on a warped time axis (the time each bit of sound left the source), so it
works for any source without the source knowing.
"""

from __future__ import annotations

import numpy as np

from tag.engines.synth import dsp

SPEED_RATIO = 0.05  # speed / speed of sound: a car at about 60 km/h, a little more than life for clarity
REACH = 4.0  # how far (in closest distances) the path runs either side of the closest point
MOTIONS = ("pass", "approach", "recede")


def path(motion: str, n: int, sr: int, rng: np.random.Generator) -> np.ndarray:
    """Position along the line (closest distances) at each output sample; 0 is the closest point."""
    u = np.linspace(0.0, 1.0, n)
    if motion == "approach":
        return -REACH * (1 - u)
    if motion == "recede":
        return REACH * u
    centre = 0.5 + rng.uniform(-0.04, 0.04)  # not always exactly mid-clip
    return 2 * REACH * (u - centre)


def emission_time(x: np.ndarray, span: float) -> np.ndarray:
    """Seconds into the source's own sound heard at each output sample (starts at 0, always rising)."""
    r = np.hypot(x, 1.0)
    travel = abs(x[-1] - x[0]) or 1.0
    delay = SPEED_RATIO * span / travel * r  # propagation delay in seconds (closest distance / c scaled)
    t = np.linspace(0.0, span, x.size)
    return t - (delay - delay[0])


def needed(motion: str, n: int, sr: int) -> int:
    """Samples of the source to render so the warped read stays inside it."""
    x = path(motion, n, sr, np.random.default_rng(0))
    # +1 %: the closest point moves a little with the seed
    return max(n, int(np.ceil(emission_time(x, n / sr).max() * sr))) + n // 100 + 2


def level_and_pitch(motion: str, n: int, sr: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """The model's level (1 at the closest point) and Doppler pitch factor per sample, for a source
    that must shape its own sound (an engine's firing rate) rather than be moved by the mixer."""
    pos = path(motion, n, sr, rng)
    r = np.hypot(pos, 1.0)
    return 1.0 / r, 1.0 - SPEED_RATIO * pos / r


def move(x: np.ndarray, motion: str, n: int, sr: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """``n`` samples of ``x`` heard from a moving source, and its pan track (-1 .. 1)."""
    pos = path(motion, n, sr, rng)
    tau = emission_time(pos, n / sr) * sr
    heard = np.interp(tau, np.arange(x.size), x, right=0.0)
    r = np.hypot(pos, 1.0)
    near = 1.0 / r  # 1 at the closest point
    dull = dsp.lowpass(heard, 2500, sr)
    heard = near * (near * heard + (1 - near) * dull)
    side = 1.0 if rng.random() < 0.5 else -1.0
    return heard, 0.9 * side * pos / r
