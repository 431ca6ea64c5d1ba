"""Imagined places: spaceship, outer space, alien worlds, server rooms, horror drones, a haunted house."""

from __future__ import annotations

import numpy as np

from tag.engines.synth import dsp
from tag.engines.synth.sources.base import AMBIGUOUS, BACKGROUND, SOURCES, Params, source
from tag.engines.synth.sources.interface import formant_babble


def _sin(ph: np.ndarray) -> np.ndarray:
    """Sine (float64: wrapping a long phase for float32 costs more than it saves)."""
    return np.sin(ph)


def _drone(rng: np.random.Generator, n: int, sr: int, freqs, amps, drift: float = 0.003) -> np.ndarray:
    """Sines that drift slowly in pitch together, beat against each other and swell independently:
    a living drone rather than a test tone."""
    t = dsp.seconds(n, sr)
    bend = 1 + dsp.smooth_control(rng, n, sr, 0.15, -drift, drift)
    base = dsp.phase(bend, n, sr)  # the phase of a 1 Hz tone that drifts; each partial is a multiple of it
    out = np.zeros(n)
    for f, a in zip(freqs, amps):
        swell = 0.75 + 0.25 * _sin(dsp.TAU * rng.uniform(0.04, 0.2) * t + rng.uniform(0, dsp.TAU))
        beat = dsp.TAU * rng.uniform(-0.15, 0.15) * t  # a fraction of a hertz off: slow beating
        out += a * swell * _sin(f * base + beat + rng.uniform(0, dsp.TAU))
    return out


def _rumble(rng: np.random.Generator, n: int, sr: int, cutoff: float) -> np.ndarray:
    return dsp.lowpass(dsp.coloured_noise(rng, n, sr, 2.0), cutoff, sr, order=2)


@source("spaceship", "a spaceship engine room: a deep engine hum, a slow throb, air handling and console chirps",
        family=BACKGROUND, ru="космический корабль", examples=("a spaceship engine room", "на космическом корабле"),
        words=("spaceship", "space ship", "starship", "spacecraft", "engine room", "sci-fi", "scifi", "space station",
               "космическ корабл", "звездолет", "космолет", "машинн отделени", "космическ станци", "фантастик"))
def spaceship(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    t = dsp.seconds(n, sr)
    f = 41.0 * p.pitch
    hum = _drone(rng, n, sr, [f, 2 * f, 3 * f, 4.02 * f, 6 * f], [1.0, 0.7, 0.4, 0.25, 0.12], drift=0.002)
    throb = 1 + 0.35 * _sin(dsp.TAU * 0.55 * p.tempo * t)  # the reactor's slow pulse
    air = dsp.bandpass(dsp.coloured_noise(rng, n, sr, 1.0), 150, 3000, sr) * 0.25
    out = hum * throb + air + 0.6 * _rumble(rng, n, sr, 90)
    for s in dsp.poisson_times(rng, n / sr, 0.5 * p.density):  # consoles chirping now and then
        k = int(0.05 * sr)
        chirp = np.sin(dsp.TAU * rng.choice([1760.0, 2093.0, 2637.0]) * dsp.seconds(k, sr)) * dsp.hann(k)
        dsp.add_at(out, chirp, int(s * sr), 0.08)
    return out


@source("space_drone", "outer space: a deep evolving drone of fifths with a cold shimmering haze", family=BACKGROUND,
        ru="космос", examples=("the sound of outer space", "звуки космоса"),
        words=("space", "outer space", "deep space", "cosmos", "space drone", "space ambience", "космос",
               "космическ", "космическ гул", "вселенн", "открыт космос"))
def space_drone(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    f = 55.0 * p.pitch
    drone = _drone(rng, n, sr, [f, 1.5 * f, 2 * f, 3 * f, 4.5 * f], [1.0, 0.6, 0.5, 0.25, 0.12], drift=0.004)
    span = n / sr
    haze_level = dsp.wander(rng, span, 0.1, 0.2, 1.0)
    centre = dsp.wander(rng, span, 0.07, np.log2(1500), np.log2(5000))

    def haze(fr: np.ndarray, tt: np.ndarray) -> np.ndarray:
        return haze_level(tt) * np.exp(-0.5 * ((np.log2(np.maximum(fr, 1)) - centre(tt)) / 0.5) ** 2)

    return drone + 0.25 * dsp.shaped_noise(rng, n, sr, haze, hop=512)


@source("alien", "an alien world: warbling FM calls, glassy gliding tones and a low pulsing bed", family=BACKGROUND,
        ru="инопланетяне", examples=("an alien planet ambience", "инопланетная планета"),
        words=("alien", "alien planet", "extraterrestrial", "ufo", "инопланетн", "инопланетян", "нло", "пришельц",
               "чуж планет", "инопланетн планет"))
def alien(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    span = n / sr
    t = dsp.seconds(n, sr)
    bed = _drone(rng, n, sr, [70 * p.pitch, 70 * 1.41 * p.pitch], [1.0, 0.6]) * (1 + 0.5 * _sin(dsp.TAU * 1.3 * t))
    out = 0.5 * bed
    for s in dsp.poisson_times(rng, span, 0.8 * p.density):
        k = int(rng.uniform(0.4, 1.2) * sr)
        tt = dsp.seconds(k, sr)
        carrier = rng.uniform(400, 1800) * p.pitch * 2 ** (rng.uniform(-1, 1) * tt / tt[-1])
        ratio, depth = rng.uniform(0.5, 3.3), rng.uniform(1, 6)
        mod = depth * np.sin(dsp.TAU * carrier * ratio * tt) * (0.5 + 0.5 * np.sin(dsp.TAU * rng.uniform(3, 9) * tt))
        call = np.sin(dsp.phase(carrier, k, sr) + mod) * dsp.hann(k)
        dsp.add_at(out, call, int(s * sr), rng.uniform(0.15, 0.35))
    glass = _drone(rng, n, sr, [2637 * p.pitch, 3520 * p.pitch * 1.01], [0.05, 0.04], drift=0.03)
    return out + glass


@source("server_room", "a server room: fans' broadband roar with blade tones, mains hum and disk seeks",
        family=BACKGROUND, ru="серверная", examples=("a server room hum", "гул серверной"),
        words=("server room", "server", "data centre", "data center", "datacenter", "computer room", "server rack",
               "серверн", "сервер", "дата-центр", "компьютерн зал", "серверн стойк"))
def server_room(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    t = dsp.seconds(n, sr)
    fans = dsp.lowpass(dsp.coloured_noise(rng, n, sr, 0.7), 6000, sr)
    blades = sum(a * _sin(dsp.TAU * f * p.pitch * t + rng.uniform(0, 6)) for f, a in ((180, 0.08), (360, 0.05),
                                                                                      (243, 0.05), (486, 0.03)))
    mains = 0.05 * _sin(dsp.TAU * 50 * t) + 0.03 * _sin(dsp.TAU * 100 * t)
    times = dsp.poisson_times(rng, n / sr, 3 * p.density)
    seeks = dsp.scatter_kernels(rng, n, sr, times, rng.uniform(0.05, 0.15, times.size),
                                [dsp.burst(rng, sr, 0.01, 0.002, 1500, 5000) for _ in range(3)])
    return 0.4 * fans + blades + mains + seeks


@source("horror_drone", "a horror drone: a low dissonant cluster swelling, with distant metallic scrapes and thuds",
        family=BACKGROUND, ru="ужас", examples=("a creepy horror drone", "жуткий гул"),
        words=("horror", "horror drone", "creepy", "scary", "dread", "ominous", "dark drone", "sinister", "ужас",
               "ужасн", "ужастик", "жутк", "жутк гул", "страшн", "зловещ"))
def horror_drone(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    span = n / sr
    f = 49.0 * p.pitch
    # A minor second and a tritone: the cluster beats and never resolves.
    cluster = _drone(rng, n, sr, [f, f * 2 ** (1 / 12), f * 2 ** (6 / 12), 2 * f * 2 ** (1 / 12), 3 * f],
                     [1.0, 0.8, 0.6, 0.3, 0.15], drift=0.006)
    cluster *= 0.6 + 0.4 * dsp.smooth_control(rng, n, sr, 0.12)
    out = cluster + 0.4 * _rumble(rng, n, sr, 70)
    for s in dsp.poisson_times(rng, span, 0.12 * p.density):  # bowed metal far away
        k = int(rng.uniform(1.5, 3.0) * sr)
        base = rng.uniform(300, 700)
        scrape = dsp.bandpass(rng.standard_normal(k), base, base * 8, sr) * 0.15
        for ratio in (1.0, 2.76, 5.40):
            scrape += np.sin(dsp.phase(base * ratio * (1 + 0.01 * dsp.smooth_control(rng, k, sr, 4, -1, 1)), k, sr))
        dsp.add_at(out, scrape * dsp.hann(k) ** 2 * dsp.smooth_control(rng, k, sr, 6, 0.2, 1.0), int(s * sr), 0.08)
    for s in dsp.poisson_times(rng, span, 0.08 * p.density):  # something heavy, somewhere in the house
        dsp.add_at(out, dsp.modal([38, 61], [0.4, 0.25], [1.0, 0.5], 1.2, sr, rng), int(s * sr), 0.6)
    return out


def _whispers(rng: np.random.Generator, n: int, sr: int, rate: float) -> np.ndarray:
    """Breathy noise through vowel formants in short unvoiced syllables."""
    breath = dsp.highpass(rng.standard_normal(n), 500, sr)
    return formant_babble(rng, n, sr, breath, rate, formants=2)  # a whisper's third formant is lost in the hiss


@source("haunted_house", "a haunted house: howling wind, creaking doors and boards, far-off whispers",
        family=BACKGROUND, ru="дом с привидениями", examples=("a haunted house", "дом с привидениями"),
        words=("haunted", "haunted house", "ghost", "ghosts", "spooky", "привидени", "дом с привидени",
               "призрак"))
def haunted_house(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    span = n / sr
    # Wind howling through gaps: pink noise ringing two loose resonances, swelling in gusts.
    gusts = dsp.smooth_control(rng, n, sr, 0.4, 0.2, 1.0) ** 2
    air = dsp.coloured_noise(rng, n, sr, 1.0)
    wind = (dsp.resonator(air, 420 * p.pitch, 6, sr) + 0.7 * dsp.resonator(air, 730 * p.pitch, 8, sr)) * gusts
    creaks = SOURCES["door_creak"].render(rng, n, sr, Params(count=max(1, int(span / 4 * p.density)), pitch=0.8))
    whisper = _whispers(rng, n, sr, 3.0) * dsp.smooth_control(rng, n, sr, 0.3, 0.0, 1.0) ** 2
    scale = lambda x: x / (np.std(x) + 1e-9)  # noqa: E731
    return 0.6 * scale(wind) + 0.5 * creaks / (np.abs(creaks).max() + 1e-9) + 0.2 * scale(whisper)


@source("suspense_riser", "a suspense riser: noise and a tone cluster climbing and swelling to the end",
        family=AMBIGUOUS, ru="нарастание напряжения", examples=("a suspense riser", "нарастание напряжения"),
        words=("riser", "suspense", "tension", "build-up", "buildup", "uplifter", "suspense riser", "саспенс",
               "напряжени", "нарастани", "нарастани напряжени"))
def suspense_riser(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    span = n / sr
    x = np.arange(n) / max(n - 1, 1)
    # Each take climbs from its own note, by its own span, with its own cluster and swell curve.
    swell = x ** rng.uniform(1.6, 3.0)
    base, octaves = rng.uniform(80, 160) * p.pitch, rng.uniform(1.8, 3.0)
    clusters = ((1.0, 1.5, 2.0, 2 ** (1 / 12) * 2), (1.0, 2 ** (3 / 12), 1.5, 2 ** (6 / 12)), (1.0, 1.335, 1.5, 2.12))
    tone = np.zeros(n)
    for k, ratio in enumerate(clusters[rng.integers(len(clusters))]):
        f = base * ratio * 2 ** (octaves * x)
        tone += _sin(dsp.phase(f, n, sr, rng.uniform(0, 6))) / (k + 1)

    def noise(fr: np.ndarray, tt: np.ndarray) -> np.ndarray:
        centre = np.log2(300) + 4.5 * np.clip(tt / span, 0, 1)
        return np.exp(-0.5 * ((np.log2(np.maximum(fr, 1)) - centre) / 0.8) ** 2)

    return swell * (0.5 * tone + 0.8 * dsp.shaped_noise(rng, n, sr, noise, hop=256))
