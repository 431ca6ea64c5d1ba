"""Small things in the hand: camera, paper, pages, scissors, zipper, keys, cutlery, switch, till, typewriter."""

from __future__ import annotations

import numpy as np

from tag.engines.synth import dsp
from tag.engines.synth.sources.base import THINGS, Params, source


def click(rng: np.random.Generator, sr: int, low: float, high: float, body: float, tau: float = 0.003) -> np.ndarray:
    """A hard small click: a noise tick plus one damped plastic or metal mode at ``body`` Hz."""
    tick = dsp.burst(rng, sr, 0.03, tau, low, high)
    return tick + dsp.modal([body, body * 1.7], [0.008, 0.004], [0.6, 0.3], 0.03, sr, rng)


def metal_ping(rng: np.random.Generator, sr: int, low: float, high: float, tau: float) -> np.ndarray:
    """A small piece of metal struck: three inharmonic modes, higher ones fading first."""
    f = rng.uniform(low, high)
    ratios = (1.0, rng.uniform(2.4, 2.9), rng.uniform(4.8, 5.6))
    return dsp.modal([f * r for r in ratios], [tau, tau * 0.6, tau * 0.35], [1.0, 0.5, 0.3], tau * 4, sr, rng)


@source(
    "camera_shutter",
    "a camera shutter: two sharp clicks (open, close) a few tens of ms apart",
    family=THINGS,
    ru="затвор фотоаппарата",
    examples=("a camera shutter", "щелчок затвора фотоаппарата"),
    words=(
        "camera",
        "shutter",
        "camera click",
        "snapshot",
        "затвор",
        "фотоаппарат",
        "фотоаппар",
        "затвор фотоаппар",
        "щелчок затвор",
        "щелчок фотоаппарат",
        "камер",
    ),
)
def camera_shutter(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    span = n / sr
    out = np.zeros(n)
    shots = p.one_every(span, 2.5, int(span * 3) + 1)
    for start in dsp.spread_times(rng, span, shots, 0.4):
        gap = rng.uniform(0.04, 0.18) / p.tempo  # the exposure plus the mirror's return
        first = click(rng, sr, 1500, 9000, rng.uniform(2500, 3500) * p.pitch, 0.002)
        second = click(rng, sr, 1000, 7000, rng.uniform(1800, 2600) * p.pitch, 0.003)
        dsp.add_at(out, first, int(start * sr), 1.0)
        dsp.add_at(out, second, int((start + gap) * sr), rng.uniform(0.7, 0.9))
    return out


def _crinkles(rng: np.random.Generator, n: int, sr: int, rate: np.ndarray, pitch: float) -> np.ndarray:
    """Paper creasing: many tiny broadband crackles whose rate follows ``rate`` per second."""
    times = dsp.varying_times(rng, n / sr, rate, sr)
    grains = [dsp.burst(rng, sr, 0.006, 0.0012, 1200 * pitch, 9000) for _ in range(6)]
    return dsp.scatter_kernels(rng, n, sr, times, rng.lognormal(-1.0, 0.7, times.size), grains)


@source(
    "paper_rustling",
    "paper rustling: bursts of crinkling crackles over a soft papery swish",
    family=THINGS,
    ru="шелест бумаги",
    examples=("paper rustling", "шелест бумаги"),
    words=(
        "paper",
        "rustl",
        "rustle",
        "crumpl",
        "crinkl",
        "шелест",
        "шелест бумаг",
        "бумаг",
        "шурша",
        "шуршани",
        "шурш",
        "комка",
    ),
)
def paper_rustling(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    handling = dsp.smooth_control(rng, n, sr, 2.5 * p.tempo, -0.6, 1.0).clip(0, None)  # hands moving, then resting
    swish = dsp.bandpass(dsp.white(rng, n), 800, 8000, sr) * handling * 0.15
    return swish + _crinkles(rng, n, sr, 400 * p.density * handling, p.pitch)


@source(
    "page_turning",
    "pages turning: a papery swoosh with a few crinkles and a soft flap as each page lands",
    family=THINGS,
    ru="перелистывание страниц",
    examples=("turning pages", "листают страницы книги"),
    words=(
        "page",
        "page turn",
        "turn page",
        "flip page",
        "страниц",
        "листа",
        "листают",
        "перелистыва",
        "листани",
        "книг",
    ),
)
def page_turning(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    span = n / sr
    out = np.zeros(n)
    count = p.one_every(span, 2.5, int(span * 3) + 1)
    for start in dsp.spread_times(rng, span, count, 0.8):
        dur = rng.uniform(0.3, 0.8) / p.tempo
        k = int(dur * sr)
        x = np.linspace(0, 1, k)
        swoosh = dsp.bandpass(dsp.white(rng, k), 600, 7000, sr) * np.sin(np.pi * x) ** 2 * 0.3
        crinkle = _crinkles(rng, k, sr, 120 * np.sin(np.pi * x) + 1, p.pitch) * 0.6
        flap = dsp.lowpass(dsp.burst(rng, sr, 0.06, 0.012, 100, 2500), 1500, sr)
        page = swoosh + crinkle
        dsp.add_at(page, flap, k - flap.size, 0.8)
        dsp.add_at(out, page, int((start + rng.uniform(0, 0.25) * min(span, 3.0)) * sr), rng.uniform(0.8, 1.0))
    return out


@source(
    "scissors",
    "scissors cutting: a short metallic shearing scrape ending in a snip",
    family=THINGS,
    ru="ножницы",
    examples=("scissors snipping", "звук ножниц"),
    words=("scissors", "snip", "shear", "ножниц", "ножницам", "стрижк"),
)
def scissors(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    span = n / sr
    out = np.zeros(n)
    times = dsp.regular_times(rng, span, p.rate(100), jitter=0.2)
    for t in times:
        k = int(rng.uniform(0.1, 0.2) * sr)
        x = np.linspace(0, 1, k)
        # The blades' contact point slides out: the scrape rises in pitch and level.
        scrape = dsp.bandpass(dsp.white(rng, k), 2500 * p.pitch, 9000, sr) * x**2 * 0.3
        cut = np.concatenate([scrape, np.zeros(int(0.1 * sr))])
        dsp.add_at(cut, metal_ping(rng, sr, 3000 * p.pitch, 4500 * p.pitch, 0.01), k, 1.0)
        dsp.add_at(out, cut, int(t * sr), rng.uniform(0.7, 1.0))
    return out


@source(
    "zipper",
    "a zipper: a buzzy rasp of teeth clicks, zipped up and down",
    family=THINGS,
    ru="молния на куртке",
    examples=("a zipper", "застёгивают молнию на куртке"),
    words=(
        "zipper",
        "zip",
        "unzip",
        "zip up",
        "молни на куртк",
        "молни куртк",
        "молни на сумк",
        "застегива",
        "расстегива",
    ),
)
def zipper(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    span = n / sr
    out = np.zeros(n)
    count = p.one_every(span, 1.5, int(span * 3) + 1)
    for start in dsp.spread_times(rng, span, count, 0.8):
        dur = rng.uniform(0.35, 0.8) / p.tempo
        k = int(dur * sr)
        rate = rng.uniform(250, 450) * (0.6 + 0.8 * np.sin(np.pi * np.linspace(0, 1, k)))  # teeth per second
        teeth = np.diff(np.floor(np.cumsum(rate) / sr), prepend=0.0) * rng.uniform(0.5, 1.0, k)
        rasp = dsp.resonator(teeth, rng.uniform(2500, 4000) * p.pitch, 3, sr) + dsp.resonator(teeth, 6500, 4, sr) * 0.5
        dsp.add_at(out, rasp * dsp.hann(k) ** 0.3, int(start * sr))
    return out


@source(
    "keys_jingling",
    "keys jingling: a bunch of keys shaken, many small metallic pings",
    family=THINGS,
    ru="звон ключей",
    examples=("keys jingling", "звенят ключи"),
    words=(
        "keys jingl",
        "key jingl",
        "jingl key",
        "keyring",
        "bunch of key",
        "jingl",
        "ключ",
        "связк ключ",
        "звон ключ",
    ),
)
def keys_jingling(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    span = n / sr
    shaking = dsp.smooth_control(rng, n, sr, 1.0, -0.3, 1.0).clip(0, None)
    shakes = dsp.regular_times(rng, span, rng.uniform(4, 7) * p.tempo, jitter=0.15)
    shakes = shakes[shaking[np.minimum((shakes * sr).astype(int), n - 1)] > 0.1]
    times = (
        np.concatenate([s + rng.exponential(0.03, rng.integers(3, 8)) for s in shakes]) if shakes.size else np.zeros(0)
    )
    pings = [metal_ping(rng, sr, 2500 * p.pitch, 6000 * p.pitch, rng.uniform(0.04, 0.12)) for _ in range(8)]
    return dsp.scatter_kernels(rng, n, sr, times, rng.lognormal(-0.8, 0.5, times.size), pings)


@source(
    "cutlery",
    "cutlery and dishes clinking: forks and knives on plates at a table",
    family=THINGS,
    ru="звон посуды",
    examples=("cutlery on plates", "звон посуды"),
    words=(
        "cutlery",
        "silverware",
        "dishes clink",
        "fork",
        "knife",
        "plate",
        "dishes",
        "посуд",
        "звон посуд",
        "столов прибор",
        "вилк",
        "вилок",
        "тарелк",
        "ложк",
    ),
)
def cutlery(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    span = n / sr
    times = dsp.poisson_times(rng, span, 3.0 * p.density * p.tempo)
    forks = [
        dsp.overlay(
            metal_ping(rng, sr, 2500 * p.pitch, 5000 * p.pitch, 0.03),
            dsp.burst(rng, sr, 0.01, 0.002, 3000, 10000) * 0.4,
        )
        for _ in range(4)
    ]
    out = dsp.scatter_kernels(rng, n, sr, times, rng.uniform(0.3, 1.0, times.size), forks)
    p_times = dsp.poisson_times(rng, span, 0.5)
    plates = [
        dsp.modal([f, f * 2.1, f * 3.6], [0.08, 0.05, 0.03], [1, 0.5, 0.3], 0.3, sr, rng)
        for f in rng.uniform(900, 1600, 3) * p.pitch
    ]
    return out + dsp.scatter_kernels(rng, n, sr, p_times, rng.uniform(0.4, 0.8, p_times.size), plates)


@source(
    "light_switch",
    "a light switch: a crisp plastic snap, flicked on and off",
    family=THINGS,
    ru="выключатель",
    examples=("a light switch", "щелчок выключателя"),
    words=("light switch", "switch", "flick switch", "выключател", "включател", "щелчок выключател"),
)
def light_switch(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    span = n / sr
    out = np.zeros(n)
    count = p.how_many(max(2, int(span / 1.2)), int(span * 4) + 1)
    snaps = [
        dsp.overlay(
            click(rng, sr, 1000, 8000, rng.uniform(1800, 2800) * p.pitch, 0.0015),
            dsp.lowpass(dsp.burst(rng, sr, 0.02, 0.004, 100, 1000), 800, sr) * 0.5,
        )
        for _ in range(2)
    ]
    for i, t in enumerate(dsp.spread_times(rng, span, count, 0.2)):
        dsp.add_at(out, snaps[i % 2], int(t * sr), rng.uniform(0.8, 1.0))
    return out


@source(
    "cash_register",
    "a cash register: key clacks, the ka-ching bell and the drawer sliding out",
    family=THINGS,
    ru="кассовый аппарат",
    examples=("a cash register", "звук кассового аппарата"),
    words=("cash register", "till", "ka-ching", "cha-ching", "кассов аппарат", "касс", "кассир"),
)
def cash_register(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    span = n / sr
    out = np.zeros(n)
    cycle = min(span, rng.uniform(2.5, 3.5))
    t0 = rng.uniform(0.05, 0.2)
    while t0 < span:
        t = t0
        for _ in range(rng.integers(3, 6)):  # punching in the amount
            dsp.add_at(out, click(rng, sr, 600, 5000, rng.uniform(700, 1100), 0.006), int(t * sr), 0.6)
            t += rng.uniform(0.12, 0.25)
        bell = dsp.modal(
            [f * p.pitch for f in (2090, 2090 * 2.76, 2090 * 5.4)], [0.35, 0.15, 0.06], [1.0, 0.4, 0.2], 1.0, sr, rng
        )
        dsp.add_at(out, bell, int(t * sr), 0.8)
        k = int(0.25 * sr)
        slide = dsp.lowpass(dsp.white(rng, k), 1200, sr) * np.linspace(0.2, 1, k) * 0.4
        dsp.add_at(out, slide, int((t + 0.05) * sr))
        dsp.add_at(out, dsp.burst(rng, sr, 0.12, 0.03, 80, 2500), int((t + 0.3) * sr), 0.9)  # drawer hits its stop
        coins = [metal_ping(rng, sr, 3000, 6000, 0.05) for _ in range(3)]
        c_times = t + 0.35 + rng.exponential(0.05, 6)
        for j, c in enumerate(c_times):
            dsp.add_at(out, coins[j % 3], int(c * sr), 0.2)
        t0 += cycle + rng.uniform(0.3, 1.0)
    return out


@source(
    "typewriter",
    "a mechanical typewriter: heavy key strikes, the end-of-line bell and the carriage return",
    family=THINGS,
    ru="печатная машинка",
    examples=("an old typewriter", "стучит печатная машинка"),
    words=("typewriter", "печатн машинк", "печатн машин", "машинопис"),
)
def typewriter(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    span = n / sr
    out = np.zeros(n)
    strikes = [
        dsp.overlay(
            dsp.modal(
                [rng.uniform(150, 250), rng.uniform(900, 1400) * p.pitch, rng.uniform(2500, 3500) * p.pitch],
                [0.02, 0.012, 0.006],
                [0.8, 1.0, 0.5],
                0.06,
                sr,
                rng,
            ),
            dsp.burst(rng, sr, 0.03, 0.003, 1000, 8000) * 0.8,
        )
        for _ in range(5)
    ]
    bell = dsp.modal([3100 * p.pitch, 3100 * 2.7 * p.pitch], [0.3, 0.1], [1.0, 0.3], 0.9, sr, rng)
    line = int(rng.integers(18, 30))  # characters per line: a bell within a few seconds
    rate = p.rate(330)
    t, col = rng.uniform(0.05, 0.2), 0
    while t < span:
        dsp.add_at(out, strikes[rng.integers(len(strikes))], int(t * sr), rng.uniform(0.7, 1.0))
        col += 1
        t += rng.uniform(0.6, 1.5) / rate + (rng.uniform(0.1, 0.4) if rng.uniform() < 0.15 else 0)
        if col == line - 5:
            dsp.add_at(out, bell, int(t * sr), 0.6)
        if col >= line:
            # Carriage return: the lever's ratchet, the carriage sliding back, a thump at the margin.
            k = int(0.45 * sr)
            rate_r = np.linspace(40, 90, k)
            ratchet = np.diff(np.floor(np.cumsum(rate_r) / sr), prepend=0.0)
            ret = dsp.resonator(ratchet, 1800 * p.pitch, 6, sr) * 2 + dsp.lowpass(dsp.white(rng, k), 1500, sr) * 0.15
            dsp.add_at(out, ret, int((t + 0.15) * sr), 0.8)
            dsp.add_at(out, dsp.burst(rng, sr, 0.1, 0.02, 80, 1500), int((t + 0.15) * sr) + k, 1.0)
            t += 0.15 + k / sr + rng.uniform(0.3, 0.6)
            col = 0
    return out
