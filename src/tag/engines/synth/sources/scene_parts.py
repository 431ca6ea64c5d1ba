"""Building blocks for acoustic scenes: beds (murmur, rumble, air handling) and one-shot events.

Every function returns audio scaled so its loudest 50 ms frame has RMS 1 (``unit``),
so a scene mixes its parts by gains in dB that mean what they say: the bed at
-14 dB sits 14 dB under the loudest clink.  Event functions return one grain;
``scatter`` places grains at random times.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from tag.engines.synth import dsp
from tag.engines.synth.sources.base import SOURCES, Params

_FRAME = 0.05


def unit(x: np.ndarray, sr: int) -> np.ndarray:
    """Scale so the loudest 50 ms frame has RMS 1 (silence stays silence)."""
    k = max(1, int(_FRAME * sr))
    usable = x[: x.size // k * k].reshape(-1, k) if x.size >= k else x.reshape(1, -1)
    loudest = float(np.sqrt(np.max(np.mean(usable**2, axis=1)))) if usable.size else 0.0
    return x / loudest if loudest > 1e-12 else x


def db(gain_db: float) -> float:
    return 10 ** (gain_db / 20)


def borrowed(name: str, rng: np.random.Generator, n: int, sr: int, **params) -> np.ndarray:
    """Another source rendered inside a scene (crowd, birds, typing...), at unit level."""
    return unit(np.asarray(SOURCES[name].render(rng, n, sr, Params(**params)), dtype=float), sr)


def now_and_then(
    rng: np.random.Generator, name: str, n: int, sr: int, rate: float, length: float, **params
) -> np.ndarray:
    """Short stretches of another source (a phone ringing, a car passing) at random times.

    Only the stretches are rendered, which keeps costly sources cheap inside a scene.
    """
    out = np.zeros(n)
    k = min(n, int(length * sr))
    fade = dsp.hann(k) ** 0.3  # soft in and out: the stretch comes and goes, never clicks
    for t in dsp.poisson_times(rng, max(n / sr - length * 0.5, 0.1), rate):
        dsp.add_at(out, borrowed(name, rng, k, sr, **params) * fade, int(t * sr), rng.uniform(0.5, 1.0))
    return out


def scatter(
    rng: np.random.Generator, n: int, sr: int, rate: float, make: Callable[[], np.ndarray], low: float = 0.4,
    first: float | None = None,
) -> np.ndarray:
    """Grains from ``make()`` at Poisson times (``rate`` a second), gains in [low, 1].

    ``first`` puts one event at about that time too, so short clips are never without one.
    """
    span = n / sr
    times = dsp.poisson_times(rng, span, rate)
    if first is not None:
        times = np.append(times, min(first * rng.uniform(0.5, 1.5), span * 0.8))
    out = np.zeros(n)
    for t in times[:200]:
        dsp.add_at(out, make(), int(t * sr), rng.uniform(low, 1.0))
    return out


def hall(rng: np.random.Generator, x: np.ndarray, sr: int, rt60: float, wet: float) -> np.ndarray:
    """The scene's own space: a diffuse tail (decaying noise) mixed in at ``wet``."""
    k = int(rt60 * sr)
    ir = rng.standard_normal(k) * np.exp(-6.9 * dsp.seconds(k, sr) / rt60)
    ir = dsp.lowpass(ir, 4500, sr)
    ir[: int(0.02 * sr)] = 0
    ir /= np.sqrt(np.sum(ir**2))
    return x + wet * dsp.convolve(x, ir)


# --- beds ---------------------------------------------------------------------


def murmur(rng: np.random.Generator, n: int, sr: int, busy: float = 1.0, pitch: float = 1.0) -> np.ndarray:
    """Many far voices merged: speech-shaped noise whose formant bands swell at syllable rate."""
    noise = dsp.white(rng, n)  # one buffer serves all bands: they hardly overlap
    out = np.zeros(n)
    for low, high in ((250, 700), (600, 1500), (1400, 3200)):
        band = dsp.bandpass(noise, low * pitch, high * pitch, sr)
        # Fewer voices -> deeper syllable modulation; a full room evens out.
        depth = 0.8 / (1 + busy)
        out += band * (1 - depth + depth * dsp.smooth_control(rng, n, sr, 5.0) ** 2)
    return unit(out * dsp.smooth_control(rng, n, sr, 0.25, 0.7, 1.0), sr)


def rumble(rng: np.random.Generator, n: int, sr: int, cutoff: float = 180.0) -> np.ndarray:
    """Distant traffic or machinery: dark noise that swells as unseen vehicles come and go."""
    x = dsp.lowpass(dsp.white(rng, n), cutoff, sr, order=4)
    return unit(x * dsp.smooth_control(rng, n, sr, 0.3, 0.4, 1.0), sr)


def air(rng: np.random.Generator, n: int, sr: int, bright: float = 1.0) -> np.ndarray:
    """Air handling: a steady broadband whoosh with a faint fan tone."""
    whoosh = dsp.lowpass(dsp.white(rng, n), 900 * bright, sr, order=2)
    fan = np.sin(dsp.phase(rng.uniform(90, 140) * (1 + 0.003 * dsp.smooth_control(rng, n, sr, 0.5, -1, 1)), n, sr))
    return unit(whoosh * dsp.smooth_control(rng, n, sr, 0.2, 0.85, 1.0) + 0.05 * fan * np.std(whoosh) * 10, sr)


def mains_hum(n: int, sr: int, rng: np.random.Generator, base: float = 100.0) -> np.ndarray:
    """Fluorescent lights or a fridge: a buzz on twice the mains frequency and its harmonics."""
    t = dsp.seconds(sr // 2, sr)  # half a second holds whole cycles of every even-Hz harmonic: repeat it
    x = sum(np.sin(dsp.TAU * round(base) * h * t + rng.uniform(0, dsp.TAU)) / h**1.2 for h in range(1, 7))
    return unit(np.resize(x, n), sr)


def breeze(rng: np.random.Generator, n: int, sr: int, gusts: float = 0.25) -> np.ndarray:
    """Open-air wind: dark noise rising and falling in slow gusts."""
    x = dsp.lowpass(dsp.white(rng, n), 500, sr)
    return unit(x * dsp.smooth_control(rng, n, sr, gusts, 0.2, 1.0) ** 1.5, sr)


def rustle(rng: np.random.Generator, n: int, sr: int, gusts: float = 0.3) -> np.ndarray:
    """Wind in leaves: bright noise that flutters quickly inside slow gusts."""
    x = dsp.bandpass(dsp.white(rng, n), 900, 7000, sr)
    env = dsp.smooth_control(rng, n, sr, gusts, 0.1, 1.0) ** 2 * dsp.smooth_control(rng, n, sr, 14.0, 0.5, 1.0)
    return unit(x * env, sr)


def lapping(rng: np.random.Generator, n: int, sr: int) -> np.ndarray:
    """Water lapping at a quay: low slaps at irregular wave intervals with small gurgles."""
    slosh = dsp.bandpass(dsp.white(rng, n), 120, 900, sr) * dsp.smooth_control(rng, n, sr, 1.2, 0.0, 1.0) ** 3
    gurgle = scatter(rng, n, sr, 5.0, lambda: dsp.bubble(sr, rng.uniform(300, 900), rng.uniform(0.02, 0.06)), 0.2)
    return unit(unit(slosh, sr) + 0.3 * gurgle, sr)


def insects(rng: np.random.Generator, n: int, sr: int, count: int, low: float, high: float) -> np.ndarray:
    """Trilling insects: each a high carrier pulsed tens of times a second, singing in long bouts."""
    # The song itself is periodic: render half a second with whole cycles of carrier and
    # pulse (frequencies on a 2 Hz grid) and repeat it seamlessly; only the bouts vary.
    period = sr // 2
    t = dsp.seconds(period, sr)
    out = np.zeros(n)
    for _ in range(count):
        carrier = np.sin(dsp.TAU * np.round(rng.uniform(low, high) / 2) * 2 * t + rng.uniform(0, dsp.TAU))
        pulse = 0.5 + 0.5 * np.sin(dsp.TAU * np.round(rng.uniform(15, 90) / 2) * 2 * t)
        song = np.resize(carrier * pulse * pulse * pulse, n)
        bouts = np.clip(dsp.smooth_control(rng, n, sr, 0.4, -0.6, 1.6), 0, 1)
        out += song * bouts * rng.uniform(0.3, 1.0)
    return unit(out, sr)


def cicadas(rng: np.random.Generator, n: int, sr: int) -> np.ndarray:
    """A cicada chorus: a band of buzzing noise that swells and fades over seconds."""
    x = dsp.bandpass(dsp.white(rng, n), 4500, 8500, sr) * (0.6 + 0.4 * np.sin(dsp.TAU * rng.uniform(150, 250)
                                                                              * dsp.seconds(n, sr)))
    return unit(x * dsp.smooth_control(rng, n, sr, 0.2, 0.2, 1.0), sr)


def engine(rng: np.random.Generator, n: int, sr: int, rate: float = 25.0) -> np.ndarray:
    """A far diesel (tractor, ship, generator): a low firing buzz whose speed and level wander."""
    f = rate * (1 + 0.08 * dsp.smooth_control(rng, n, sr, 0.3, -1, 1))
    cycle = (dsp.phase(f, n, sr) / dsp.TAU) % 1.0
    x = 1 - 2 * cycle + 0.3 * dsp.white(rng, n) * (cycle < 0.15)  # a saw: each firing, a sharp step and noise
    x = dsp.lowpass(x, 500, sr)
    return unit(x * dsp.smooth_control(rng, n, sr, 0.15, 0.5, 1.0), sr)


def beat(rng: np.random.Generator, n: int, sr: int, bpm: float) -> np.ndarray:
    """Dance music heard in the room: kick on every beat, bass between, a hat on the off-beats."""
    span = n / sr
    period = 60 / bpm
    kicks = np.arange(rng.uniform(0, period), span, period)
    k = int(0.3 * sr)
    tk = dsp.seconds(k, sr)
    kick = np.sin(dsp.phase(45 + 90 * np.exp(-tk / 0.03), k, sr)) * dsp.decay(k, sr, 0.12)
    out = np.zeros(n)
    for t0 in kicks:  # a few dozen events: slice-adds beat a full-length convolution
        dsp.add_at(out, kick, int(t0 * sr))
    root = rng.choice([41.2, 43.65, 49.0, 55.0])
    notes = root * np.array([1, 1, 1.5, 1.335])[(np.arange(kicks.size) // 4) % 4]
    m = int(period * 0.45 * sr)
    for t0, f in zip(kicks + period / 2, notes):
        saw = 2 * ((f * dsp.seconds(m, sr)) % 1.0) - 1
        dsp.add_at(out, dsp.lowpass(saw, 250, sr) * dsp.hann(m), int(t0 * sr), 0.5)
    hat = dsp.burst(rng, sr, 0.05, 0.01, 6000, 12000)
    for t0 in kicks + period / 2:
        dsp.add_at(out, hat, int(t0 * sr), 0.25)
    return unit(out, sr)


# --- one-shot events -------------------------------------------------------------


def clink(rng: np.random.Generator, sr: int) -> np.ndarray:
    """A cup, glass or plate touched by a spoon: a few bright inharmonic modes."""
    f0 = rng.uniform(1800, 4200)
    ratios = np.array([1.0, 2.32, 4.25, 6.6]) * rng.uniform(0.97, 1.03, 4)
    x = dsp.modal(f0 * ratios, rng.uniform(0.05, 0.25) * np.array([1, 0.6, 0.35, 0.2]), [1, 0.5, 0.3, 0.15], 0.4, sr,
                  rng)
    return dsp.overlay(x, 0.3 * dsp.burst(rng, sr, 0.01, 0.001, 3000, 12000))


def stir(rng: np.random.Generator, sr: int) -> np.ndarray:
    """A spoon stirring a cup: quick light clinks on one cup."""
    out = np.zeros(int(1.2 * sr))
    one = clink(rng, sr)
    for i, t in enumerate(np.cumsum(rng.uniform(0.09, 0.16, rng.integers(4, 8)))):
        dsp.add_at(out, one, int(t * sr), rng.uniform(0.25, 0.6))
    return out


def chime(sr: int, notes: tuple[float, ...], gap: float = 0.5) -> np.ndarray:
    """A public-address chime: soft bell-like sine notes one after another."""
    k = int(1.8 * sr)
    note_t = dsp.seconds(k, sr)
    out = np.zeros(int((gap * len(notes) + 1.8) * sr))
    for i, f in enumerate(notes):
        tone = (np.sin(dsp.TAU * f * note_t) + 0.25 * np.sin(dsp.TAU * 2 * f * note_t)) * dsp.decay(k, sr, 0.6, 0.01)
        dsp.add_at(out, tone, int(i * gap * sr))
    return out


def announcement(rng: np.random.Generator, sr: int, dur: float, pitch: float = 1.0) -> np.ndarray:
    """One voice through a loudspeaker: telephone band, a little harsh, phrases with pauses."""
    k = int(dur * sr)
    voice = borrowed("crowd", rng, k, sr, count=1, pitch=pitch, tempo=0.8)
    voice = dsp.bandpass(np.tanh(2 * voice), 350, 3400, sr, order=2)
    return voice * dsp.hann(k) ** 0.1


def shout(rng: np.random.Generator, sr: int, pitch: float = 1.0) -> np.ndarray:
    """A called word or a child's shout: a voiced vowel with a rising-falling pitch."""
    dur = rng.uniform(0.25, 0.7)
    k = int(dur * sr)
    x = np.linspace(0, 1, k)
    f0 = rng.uniform(180, 280) * pitch * (1 + rng.uniform(0.1, 0.35) * np.sin(np.pi * x ** rng.uniform(0.6, 1.5)))
    f1, f2 = [(750, 1200), (600, 1900), (450, 900), (400, 2000)][rng.integers(4)]
    ph = dsp.phase(f0, k, sr)
    voice = np.zeros(k)
    mean = float(f0.mean())  # formant weights at the mean pitch: the glide is small, and this is cheap
    for h in range(1, 12):
        fh = h * mean
        if fh < 0.4 * sr:
            voice += (1 / (1 + ((fh - f1) / 200) ** 2) + 0.6 / (1 + ((fh - f2) / 300) ** 2)) * np.sin(h * ph)
    return voice * dsp.hann(k) ** 0.6


def cough(rng: np.random.Generator, sr: int) -> np.ndarray:
    """A cough: one or two noisy bursts through the vocal tract."""
    out = np.zeros(int(0.7 * sr))
    for i in range(rng.integers(1, 3)):
        b = dsp.burst(rng, sr, 0.25, rng.uniform(0.04, 0.08), 250, 3000)
        b = dsp.resonator(b, rng.uniform(400, 700), 3, sr) + 0.5 * b
        dsp.add_at(out, b, int(i * rng.uniform(0.25, 0.35) * sr), 1.0 - 0.3 * i)
    return out


def page_turn(rng: np.random.Generator, sr: int) -> np.ndarray:
    """A page turned: a papery swish ending in a light flap."""
    k = int(rng.uniform(0.25, 0.45) * sr)
    swish = dsp.bandpass(dsp.white(rng, k), 1200, 7000, sr) * dsp.hann(k) * dsp.smooth_control(rng, k, sr, 30, 0.3, 1)
    out = np.zeros(k + int(0.05 * sr))
    out[:k] = 0.5 * swish
    dsp.add_at(out, dsp.burst(rng, sr, 0.05, 0.008, 400, 5000), k - int(0.02 * sr))
    return out


def splash(rng: np.random.Generator, sr: int) -> np.ndarray:
    """Someone jumping or swimming: a broad noisy slap then a cloud of bubbles."""
    out = dsp.burst(rng, sr, 0.6, rng.uniform(0.05, 0.12), 200, 9000)
    for t in rng.uniform(0.02, 0.4, 25):
        dsp.add_at(out, dsp.bubble(sr, rng.uniform(400, 2000), rng.uniform(0.01, 0.04)), int(t * sr), 0.3)
    return out


def gull(rng: np.random.Generator, sr: int) -> np.ndarray:
    """A gull's call: a few 'kyow' glides, harsh and high."""
    out = np.zeros(int(2.0 * sr))
    t = 0.0
    for _ in range(rng.integers(2, 5)):
        dur = rng.uniform(0.2, 0.35)
        k = int(dur * sr)
        x = np.linspace(0, 1, k)
        f0 = rng.uniform(700, 1000) * (1 + 0.5 * np.sin(np.pi * x**0.5)) * (1 - 0.25 * x)
        ph = dsp.phase(f0, k, sr)
        call = sum(np.sin(h * ph) / h for h in range(1, 6)) * (1 + 0.4 * np.sin(dsp.TAU * 45 * x * dur))
        dsp.add_at(out, call * dsp.hann(k), int(t * sr), rng.uniform(0.6, 1.0))
        t += dur + rng.uniform(0.05, 0.2)
    return out


def ship_horn(rng: np.random.Generator, sr: int) -> np.ndarray:
    """A ship's horn far off: a long, low, rich note."""
    dur = rng.uniform(1.5, 3.0)
    k = int(dur * sr)
    ph = dsp.phase(rng.uniform(70, 120), k, sr)
    env = np.minimum(1, dsp.seconds(k, sr) / 0.25) * np.minimum(1, (dur - dsp.seconds(k, sr)) / 0.6)
    return dsp.lowpass(sum(np.sin(h * ph) / h**0.8 for h in range(1, 14)), 900, sr) * env


def moo(rng: np.random.Generator, sr: int) -> np.ndarray:
    """A cow: a long low voiced call from a closed 'mm' opening to 'oo'."""
    dur = rng.uniform(1.0, 1.8)
    k = int(dur * sr)
    x = np.linspace(0, 1, k)
    f0 = rng.uniform(95, 135) * (1 + 0.25 * np.sin(np.pi * x))
    f1 = 250 + 350 * np.sin(np.pi * np.minimum(x * 1.3, 1))
    ph = dsp.phase(f0, k, sr)
    voice = sum(np.sin(h * ph) / (1 + ((h * f0 - f1) / 180) ** 2) for h in range(1, 13))
    return voice * dsp.hann(k) ** 0.5


def cluck(rng: np.random.Generator, sr: int) -> np.ndarray:
    """A hen: a run of short throaty clucks."""
    out = np.zeros(int(1.5 * sr))
    t = 0.0
    for _ in range(rng.integers(3, 8)):
        k = int(rng.uniform(0.04, 0.08) * sr)
        ph = dsp.phase(rng.uniform(300, 450) * np.linspace(1.2, 0.9, k), k, sr)
        c = sum(np.sin(h * ph) / (1 + ((h - 3) / 2) ** 2) for h in range(1, 10)) * dsp.hann(k)
        dsp.add_at(out, c, int(t * sr), rng.uniform(0.5, 1.0))
        t += rng.uniform(0.1, 0.25)
    return out


def hoot(rng: np.random.Generator, sr: int) -> np.ndarray:
    """An owl: soft low 'hoo' notes, the last one longest."""
    out = np.zeros(int(2.5 * sr))
    f = rng.uniform(330, 450)
    t = 0.0
    notes = rng.integers(2, 5)
    for i in range(notes):
        dur = 0.6 if i == notes - 1 else rng.uniform(0.18, 0.3)
        k = int(dur * sr)
        ph = dsp.phase(f * np.linspace(1.03, 0.97, k), k, sr)
        dsp.add_at(out, (np.sin(ph) + 0.1 * np.sin(2 * ph)) * dsp.hann(k) ** 0.7, int(t * sr))
        t += dur + rng.uniform(0.1, 0.25)
    return out


def exotic_bird(rng: np.random.Generator, sr: int) -> np.ndarray:
    """A tropical call: a run of whistled whoops climbing or falling in steps."""
    out = np.zeros(int(2.5 * sr))
    base = rng.uniform(600, 1800)
    step = rng.choice([1.12, 0.9, 1.0])
    t = 0.0
    for i in range(rng.integers(3, 7)):
        dur = rng.uniform(0.12, 0.25)
        k = int(dur * sr)
        x = np.linspace(0, 1, k)
        f = base * step**i * (1 + rng.uniform(0.2, 0.6) * x)  # each whoop slides up
        dsp.add_at(out, np.sin(dsp.phase(f, k, sr)) * dsp.hann(k), int(t * sr), rng.uniform(0.6, 1.0))
        t += dur + rng.uniform(0.04, 0.15)
    return out


def sizzle(rng: np.random.Generator, n: int, sr: int) -> np.ndarray:
    """Frying: a bright hiss full of tiny spits of fat."""
    hiss = dsp.highpass(dsp.white(rng, n), 3500, sr) * dsp.smooth_control(rng, n, sr, 3.0, 0.5, 1.0)
    times = dsp.poisson_times(rng, n / sr, 80)
    kernels = [dsp.burst(rng, sr, 0.01, 0.0015, lo, 14000) for lo in (2500, 4000, 6000)]
    pops = dsp.scatter_kernels(rng, n, sr, times, rng.uniform(0.5, 3.0, times.size), kernels)
    return unit(0.3 * hiss + pops, sr)


def chopping(rng: np.random.Generator, sr: int) -> np.ndarray:
    """A knife on a board: a run of woody knocks a few a second."""
    out = np.zeros(int(3.0 * sr))
    hit = dsp.modal(rng.uniform(180, 320) * np.array([1, 2.7, 5.1]), [0.03, 0.015, 0.008], [1, 0.5, 0.3], 0.1, sr, rng)
    hit = dsp.overlay(hit, 0.6 * dsp.burst(rng, sr, 0.05, 0.004, 1000, 6000))
    rate = rng.uniform(3, 6)
    for t in np.arange(0, rng.uniform(1.0, 2.8), 1 / rate):
        dsp.add_at(out, hit, int((t + rng.normal(0, 0.01)) * sr), rng.uniform(0.6, 1.0))
    return out


def steam(rng: np.random.Generator, sr: int) -> np.ndarray:
    """An espresso machine's steam wand: a fluttering hiss with gurgling milk."""
    dur = rng.uniform(2.0, 4.0)
    k = int(dur * sr)
    hiss = dsp.bandpass(dsp.white(rng, k), 2500, 9000, sr) * dsp.smooth_control(rng, k, sr, 20, 0.6, 1.0)
    env = np.minimum(1, dsp.seconds(k, sr) / 0.05) * np.minimum(1, (dur - dsp.seconds(k, sr)) / 0.3)
    gurgle = np.zeros(k)
    for t in rng.uniform(0, dur, int(dur * 40)):
        dsp.add_at(gurgle, dsp.bubble(sr, rng.uniform(300, 1200), rng.uniform(0.01, 0.03)), int(t * sr))
    return (unit(hiss, sr) + 0.3 * unit(gurgle, sr)) * env


def rolling_case(rng: np.random.Generator, sr: int) -> np.ndarray:
    """A suitcase rolled past: wheel rumble rising and falling, ticking over floor-tile joints."""
    dur = rng.uniform(2.0, 4.0)
    k = int(dur * sr)
    roll = dsp.bandpass(dsp.white(rng, k), 150, 1500, sr)
    joints = np.zeros(k)
    tick = dsp.burst(rng, sr, 0.03, 0.006, 300, 3000)
    for t in np.arange(0, dur, 1 / rng.uniform(2.5, 4.5)):
        dsp.add_at(joints, tick, int(t * sr))
    return (unit(roll, sr) + 1.5 * unit(joints, sr)) * dsp.hann(k)


def squeak(rng: np.random.Generator, sr: int) -> np.ndarray:
    """A sneaker on a sports floor: a short high squeal."""
    k = int(rng.uniform(0.06, 0.18) * sr)
    f = rng.uniform(1800, 3200) * np.linspace(1, rng.uniform(0.85, 1.2), k)
    ph = dsp.phase(f, k, sr)
    return (np.sin(ph) + 0.3 * np.sin(2 * ph)) * dsp.hann(k)


def bounce(rng: np.random.Generator, sr: int) -> np.ndarray:
    """A dribbled ball: hollow thumps a couple of times a second."""
    out = np.zeros(int(3.0 * sr))
    thump = dsp.modal([rng.uniform(110, 150), 430], [0.05, 0.01], [1, 0.3], 0.2, sr, rng)
    thump = dsp.overlay(thump, 0.4 * dsp.burst(rng, sr, 0.03, 0.003, 400, 3000))
    for t in np.arange(0, rng.uniform(1.0, 2.5), 1 / rng.uniform(1.6, 2.4)):
        dsp.add_at(out, thump, int(t * sr), rng.uniform(0.7, 1.0))
    return out


def clank(rng: np.random.Generator, sr: int) -> np.ndarray:
    """Weight plates knocked together: a heavy metallic ring."""
    f0 = rng.uniform(300, 700)
    return dsp.modal(f0 * np.array([1, 2.76, 5.4, 8.9]), [0.4, 0.25, 0.12, 0.06], [1, 0.6, 0.4, 0.2], 0.8, sr, rng)


def monitor_beeps(n: int, sr: int, rng: np.random.Generator, freq: float, rate: float) -> np.ndarray:
    """A patient monitor: a short pure beep with every heartbeat."""
    k = int(0.1 * sr)
    tone = np.sin(dsp.TAU * freq * dsp.seconds(k, sr)) * dsp.hann(k) ** 0.3
    times = dsp.regular_times(rng, n / sr, rate, jitter=0.01)
    return dsp.convolve(dsp.impulses(times, 1.0, n, sr), tone)


def till_beep(rng: np.random.Generator, sr: int) -> np.ndarray:
    """A checkout scanner's beep."""
    k = int(0.09 * sr)
    return np.sin(dsp.TAU * rng.choice([1800.0, 2400.0, 3000.0]) * dsp.seconds(k, sr)) * dsp.hann(k) ** 0.2


def school_bell(rng: np.random.Generator, sr: int) -> np.ndarray:
    """An electric bell: a hammer striking a gong about twenty times a second."""
    dur = rng.uniform(1.5, 2.5)
    k = int(dur * sr)
    strike = dsp.modal([2100, 3900, 5600], [0.08, 0.05, 0.03], [1, 0.5, 0.3], 0.1, sr, rng)
    return dsp.convolve(dsp.impulses(np.arange(0, dur - 0.1, 1 / 22), 1.0, k, sr), strike)


def bouts(rng: np.random.Generator, n: int, sr: int, rate: float = 0.3, share: float = 0.5) -> np.ndarray:
    """A smooth on/off control: someone types, walks or talks for a while, then stops."""
    lift = 2 * share - 1
    return np.clip(dsp.smooth_control(rng, n, sr, rate, -1.0, 1.0) * 2 + lift * 2, 0.0, 1.0)


def muffled(x: np.ndarray, sr: int, cutoff: float = 1500.0) -> np.ndarray:
    """Heard from further off or through a wall: the highs go first."""
    return dsp.lowpass(x, cutoff, sr)
