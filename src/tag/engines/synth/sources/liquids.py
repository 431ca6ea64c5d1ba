"""Water in use and falling: waterfall, boiling, kettle, flush, splash, pouring, bubbles, shower, dishes, hail."""

from __future__ import annotations

import numpy as np

from tag.engines.synth import dsp
from tag.engines.synth.sources.base import NATURAL, THINGS, Params, source


def bubble_bank(rng: np.random.Generator, sr: int, low: float, high: float, count: int = 6) -> list[np.ndarray]:
    """A few bubble rings between low and high Hz; small bubbles ring higher and shorter (Minnaert)."""
    return [dsp.bubble(sr, f, 0.01 + 6.0 / f, rise=0.8, tau_frac=0.35) for f in np.geomspace(low, high, count)]


@source(
    "waterfall",
    "a waterfall: a dense steady roar of falling water with a low rumble and spray",
    family=NATURAL,
    ru="водопад",
    examples=("a waterfall", "шум водопада"),
    words=("waterfall", "cascade", "водопад", "каскад"),
)
def waterfall(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    span = n / sr
    roar = dsp.bandpass(dsp.coloured_noise(rng, n, sr, 0.7), 60, 9000, sr) * dsp.smooth_control(
        rng, n, sr, 0.8, 0.85, 1.0
    )
    rumble = dsp.lowpass(dsp.coloured_noise(rng, n, sr, 2.0), 180 * p.pitch, sr) * 0.8
    times = dsp.poisson_times(rng, span, 900 * p.density)
    spray = dsp.scatter_kernels(
        rng, n, sr, times, rng.lognormal(-1.5, 0.6, times.size), bubble_bank(rng, sr, 600 * p.pitch, 4000 * p.pitch)
    )
    return roar + rumble + spray * 0.6


def _simmer(rng: np.random.Generator, n: int, sr: int, p: Params, build: np.ndarray) -> np.ndarray:
    """Water heating up: hiss and bubbles whose rate and size grow with ``build`` (0..1)."""
    span = n / sr
    times = dsp.varying_times(rng, span, (4 + 220 * build**1.5) * p.density, sr)
    level = build[np.minimum((times * sr).astype(int), n - 1)]
    bubbles = dsp.scatter_kernels(
        rng,
        n,
        sr,
        times,
        rng.lognormal(-1.0, 0.5, times.size) * (0.2 + level),
        bubble_bank(rng, sr, 250 * p.pitch, 2200 * p.pitch, 8),
    )
    hiss = dsp.bandpass(dsp.coloured_noise(rng, n, sr, 0.5), 1500, 9000, sr) * (0.02 + 0.2 * build**2)
    rumble = dsp.lowpass(dsp.coloured_noise(rng, n, sr, 1.5), 250, sr) * (0.05 + 0.4 * build)
    return bubbles + hiss + rumble


@source(
    "boiling",
    "boiling water: a kettle or pot heating up, from a few bubbles to a rolling boil",
    family=THINGS,
    ru="кипящая вода",
    examples=("boiling water", "чайник кипит"),
    words=(
        "boil",
        "boil kettle",
        "kettle boil",
        "simmer",
        "кипени",
        "кип",
        "кипят",
        "кипящ",
        "кипящ чайник",
        "чайник кип",
        "чайник закипа",
        "закипа чайник",
        "закипа",
        "бурлени",
        "бурлит",
        "бурл",
    ),
)
def boiling(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    t = dsp.seconds(n, sr) / (n / sr)
    build = np.clip(0.15 + 0.85 * t, 0, 1) * dsp.smooth_control(rng, n, sr, 1.5, 0.85, 1.0)
    return _simmer(rng, n, sr, p, build)


@source(
    "kettle_whistle",
    "a whistling kettle: boiling builds, then a breathy whistle near 2 kHz swells and rises",
    family=THINGS,
    ru="свисток чайника",
    examples=("a whistling kettle", "свисток чайника"),
    words=(
        "kettle whistle",
        "whistle kettle",
        "teakettle",
        "свисток чайник",
        "свист чайник",
        "свистящ чайник",
        "свисток",
    ),
)
def kettle_whistle(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    span = n / sr
    t = dsp.seconds(n, sr)
    start = span * rng.uniform(0.12, 0.25)
    on = np.clip((t - start) / max(0.5 * span, 0.2), 0, 1)  # how far the whistle has opened up
    out = _simmer(rng, n, sr, p, np.clip(0.6 + 0.4 * t / span, 0, 1)) * 0.3
    # The whistle is an edge tone: pitch rises with steam pressure and wobbles with turbulence.
    f0 = rng.uniform(1700, 2300) * p.pitch
    freq = f0 * (0.88 + 0.12 * on) * (1 + 0.006 * dsp.smooth_control(rng, n, sr, 8.0, -1, 1))
    tone = np.sin(dsp.phase(freq, n, sr)) + 0.5 * rng.uniform(0, 1) * np.sin(
        dsp.phase(freq * rng.uniform(1.03, 1.08), n, sr)
    )
    breath = dsp.resonator(dsp.white(rng, n), f0, 15, sr) * 3
    level = on**2 * dsp.smooth_control(rng, n, sr, 3.0, 0.85, 1.0)
    return out + (tone + breath) * level


@source(
    "toilet_flush",
    "a toilet flush: lever clunk, a roaring swirling gush, gurgles, then the cistern refilling",
    family=THINGS,
    ru="смыв унитаза",
    examples=("a toilet flushing", "смыв унитаза"),
    words=("toilet", "flush", "toilet flush", "смыв", "смыв унитаз", "унитаз", "слив унитаз", "сливн бачок"),
)
def toilet_flush(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    span = n / sr
    t = dsp.seconds(n, sr)
    t0 = min(0.1, span * 0.05)
    dt = t - t0
    gush_len = min(span * 0.55, rng.uniform(3.0, 4.5))
    gush_env = np.where(dt < 0, 0.0, np.minimum(1, dt / 0.25) * np.exp(-np.maximum(dt - 0.3, 0) / (0.45 * gush_len)))
    swirl = 1 + 0.35 * np.sin(dsp.TAU * rng.uniform(2, 3.5) * t) * dsp.smooth_control(rng, n, sr, 2, 0.5, 1)
    gush = dsp.bandpass(dsp.coloured_noise(rng, n, sr, 0.8), 150 * p.pitch, 5000, sr) * gush_env * swirl
    # As the bowl empties, air gets drawn in: low gurgling bubbles.
    g_times = rng.uniform(t0 + 0.6 * gush_len, t0 + 1.1 * gush_len, int(25 * p.density))
    gurgle = dsp.scatter_kernels(
        rng, n, sr, g_times, rng.uniform(0.3, 1.0, g_times.size), bubble_bank(rng, sr, 120, 450)
    )
    refill_on = np.clip((dt - 0.9 * gush_len) / 0.5, 0, 1)
    refill = dsp.resonator(dsp.white(rng, n), rng.uniform(2500, 4000), 4, sr) * 0.15 * refill_on
    lever = dsp.modal([180, 520, 1400], [0.03, 0.02, 0.01], [1, 0.6, 0.4], 0.15, sr, rng)
    out = gush + gurgle * 0.8 + refill
    dsp.add_at(out, lever, 0, 0.8)
    return out


@source(
    "splash",
    "a splash: something hitting water, a plunk and a spray of droplets",
    family=THINGS,
    ru="всплеск",
    examples=("a splash of water", "всплеск воды"),
    words=("splash", "splosh", "plunge", "всплеск", "плеск", "плюх", "брызг", "бултых"),
)
def splash(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    span = n / sr
    out = np.zeros(n)
    for start in dsp.spread_times(rng, span, p.one_every(span, 2.5, int(span * 3) + 1), 1.0):
        k = int(1.0 * sr)
        hit = dsp.lowpass(dsp.burst(rng, sr, 0.25, 0.05 * p.density, 100, 7000), 5000, sr)
        plunk = dsp.bubble(sr, rng.uniform(150, 300) * p.pitch, 0.25, rise=1.5, tau_frac=0.3)
        drops_t = 0.03 + rng.exponential(0.15, int(40 * p.density))
        drops = dsp.scatter_kernels(
            rng, k, sr, drops_t, rng.lognormal(-1.3, 0.6, drops_t.size), bubble_bank(rng, sr, 700, 3500)
        )
        one = dsp.overlay(hit * 1.2, plunk * 0.8, drops * 0.7)
        dsp.add_at(out, one, int((start + rng.uniform(0, 0.3) * min(span, 3.0)) * sr), rng.uniform(0.8, 1.0))
    return out


@source(
    "pouring",
    "pouring water into a glass: a splashing stream whose resonance rises as the glass fills",
    family=THINGS,
    ru="наливают воду",
    examples=("pouring water into a glass", "наливают воду в стакан"),
    words=(
        "pour water",
        "pour into glass",
        "into glass",
        "into a glass",
        "fill glass",
        "налива",
        "налив",
        "наливани",
        "в стакан",
        "в бокал",
    ),
)
def pouring(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    span = n / sr
    # One glass after another: each fill takes a few seconds, then a pause to pick up the next.
    starts, fills = [], []
    t0 = min(0.1, span * 0.05)
    while t0 < span:
        fill = min(span * 0.9, rng.uniform(3.0, 5.0) / p.tempo)
        starts.append(t0)
        fills.append(fill)
        t0 += fill + rng.uniform(1.0, 2.0)
    begin, length = np.array(starts), np.array(fills)
    depth = rng.uniform(0.11, 0.14, begin.size)  # m of air above the water when pouring starts
    wobble = dsp.wander(rng, span, 3.0, -1, 1)

    def magnitude(f: np.ndarray, t: np.ndarray) -> np.ndarray:
        glass = np.clip(np.searchsorted(begin, t, side="right") - 1, 0, begin.size - 1)
        x = np.clip((t - begin[glass]) / length[glass], 0, 1)
        pouring_now = ((t > begin[glass]) & (x < 1)).astype(float)
        air = depth[glass] * (1 - 0.85 * x)  # the air column above the water shortens
        resonance = 343 / (4 * air) * p.pitch * (1 + 0.01 * wobble(t))  # quarter-wave tube
        octave = np.log2(np.maximum(f, 1) / resonance)
        peak = np.exp(-0.5 * (octave / 0.06) ** 2) + 0.3 * np.exp(-0.5 * ((octave - np.log2(3)) / 0.06) ** 2)
        broad = 0.25 / (1 + (f / 3000) ** 2)
        return pouring_now * (peak + broad)

    stream = dsp.shaped_noise(rng, n, sr, magnitude, hop=256)
    times = np.concatenate([b + dsp.poisson_times(rng, f, 60) for b, f in zip(begin, length)])
    drops = dsp.scatter_kernels(
        rng, n, sr, times, rng.lognormal(-2.0, 0.5, times.size), bubble_bank(rng, sr, 800, 3000)
    )
    return stream + drops


@source(
    "bubbling",
    "bubbling underwater: muffled water and rising clusters of low bubbles",
    family=NATURAL,
    ru="бульканье",
    examples=("bubbles underwater", "пузыри под водой"),
    words=(
        "bubbl",
        "bubble",
        "under water",
        "gurgl",
        "пузыр",
        "пузырьк",
        "пузырек",
        "булька",
        "булькан",
        "булькань",
        "бульк",
    ),
)
def bubbling(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    span = n / sr
    muffle = dsp.lowpass(dsp.coloured_noise(rng, n, sr, 1.5), 500, sr, order=4) * dsp.smooth_control(
        rng, n, sr, 0.5, 0.6, 1.0
    )
    # Bubbles come in clusters (an exhaled breath, a leak), each a rising trail.
    clusters = dsp.regular_times(rng, span, p.rate(40), jitter=0.25)
    trails = [c + rng.exponential(0.4, rng.integers(8, 30)) for c in clusters]
    stray = dsp.poisson_times(rng, span, 4 * p.density)  # single bubbles rising between the breaths
    times = np.sort(np.concatenate([stray, *trails]))
    times = times[times < span]
    bubbles = dsp.scatter_kernels(
        rng, n, sr, times, rng.lognormal(-0.8, 0.5, times.size), bubble_bank(rng, sr, 150 * p.pitch, 1200 * p.pitch, 8)
    )
    return 0.3 * muffle + dsp.lowpass(bubbles, 2500, sr)


@source(
    "shower",
    "a shower running: a steady spray hiss, drops on tiles and a gurgling drain",
    family=THINGS,
    ru="душ",
    examples=("a shower running", "шум душа"),
    words=("shower run", "shower head", "bath shower", "душ", "душев"),
)
def shower(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    span = n / sr
    sway = dsp.smooth_control(rng, n, sr, 0.6, 0.7, 1.0)  # someone moving under the spray
    spray = dsp.highpass(dsp.coloured_noise(rng, n, sr, 0.3), 900 * p.pitch, sr) * sway
    times = dsp.poisson_times(rng, span, 300 * p.density)
    tiles = dsp.scatter_kernels(
        rng,
        n,
        sr,
        times,
        rng.lognormal(-1.5, 0.5, times.size),
        [dsp.burst(rng, sr, 0.006, 0.0015, 1500, 8000) for _ in range(4)],
    )
    d_times = dsp.poisson_times(rng, span, 8)
    drain = dsp.scatter_kernels(
        rng, n, sr, d_times, rng.uniform(0.1, 0.3, d_times.size), bubble_bank(rng, sr, 200, 600)
    )
    return 0.5 * spray + tiles + drain


def dish_clink(rng: np.random.Generator, sr: int, pitch: float = 1.0) -> np.ndarray:
    """Ceramic or metal on ceramic: a few bright inharmonic modes ringing briefly."""
    f = rng.uniform(1800, 3500) * pitch
    return dsp.overlay(
        dsp.modal([f, f * 2.3, f * 3.9], [0.05, 0.03, 0.015], [1.0, 0.6, 0.3], 0.2, sr, rng),
        dsp.burst(rng, sr, 0.01, 0.002, 2000, 9000) * 0.3,
    )


@source(
    "washing_dishes",
    "washing dishes: a running tap, sloshing and plates and cutlery clinking",
    family=THINGS,
    ru="мытьё посуды",
    examples=("washing dishes in the sink", "моют посуду"),
    words=(
        "wash dish",
        "washing up",
        "dishwash",
        "sink",
        "мыть посуд",
        "мыт посуд",
        "моют посуд",
        "моет посуд",
        "раковин",
    ),
)
def washing_dishes(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    span = n / sr
    tap_on = (dsp.smooth_control(rng, n, sr, 0.3, 0.0, 1.0) > 0.3) | (dsp.seconds(n, sr) < 1.5)  # it starts running
    tap = (
        dsp.bandpass(dsp.coloured_noise(rng, n, sr, 0.8), 400, 7000, sr)
        * dsp.lowpass(tap_on.astype(float), 8, sr)
        * 0.4
    )
    times = np.append(dsp.poisson_times(rng, span, 2.5 * p.density * p.tempo), rng.uniform(0.02, 0.3) * span)
    out = tap + dsp.scatter_kernels(
        rng, n, sr, times, rng.uniform(0.3, 1.0, times.size), [dish_clink(rng, sr, p.pitch) for _ in range(5)]
    )
    s_times = dsp.poisson_times(rng, span, 0.8)
    sloshes = [dsp.lowpass(dsp.burst(rng, sr, 0.3, 0.08, 100, 2000), 1500, sr) for _ in range(3)]
    return out + 0.5 * dsp.scatter_kernels(rng, n, sr, s_times, rng.uniform(0.5, 1, s_times.size), sloshes)


@source(
    "hail",
    "hail: hard ice pellets clattering and bouncing on roofs and cars",
    family=NATURAL,
    ru="град",
    examples=("hail falling on a roof", "идёт град"),
    words=("hail", "hailstone", "hailstorm", "град", "градин"),
)
def hail(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    span = n / sr
    intensity = dsp.smooth_control(rng, n, sr, 0.3, 0.6, 1.0)
    times = dsp.varying_times(rng, span, 120 * p.density * intensity, sr)
    hits = [
        dsp.burst(rng, sr, 0.02, 0.002, 1500, 10000)
        + dsp.modal([rng.uniform(1500, 4500) * p.pitch], [0.01], [0.5], 0.02, sr, rng)
        for _ in range(6)
    ]
    amps = rng.lognormal(-1.0, 0.7, times.size)
    out = dsp.scatter_kernels(rng, n, sr, times, amps, hits)
    # Many stones bounce once: a softer second hit a few tens of ms later.
    keep = rng.uniform(size=times.size) < 0.5
    out += dsp.scatter_kernels(rng, n, sr, times[keep] + rng.uniform(0.03, 0.12, keep.sum()), amps[keep] * 0.35, hits)
    rush = dsp.bandpass(dsp.coloured_noise(rng, n, sr, 1.0), 300, 6000, sr) * 0.05 * intensity
    return out + rush
