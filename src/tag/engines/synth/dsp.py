"""Small signal-processing building blocks shared by every synth source.

Everything here is vectorised numpy/scipy: per-sample Python loops would make
the engine far slower than real time.  Loops are only over events (drops,
clicks, syllables), which number in the hundreds per clip.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from scipy import fft as sfft
from scipy import signal

TAU = 2 * np.pi


def seconds(n: int, sr: int) -> np.ndarray:
    return np.arange(n) / sr


def _clamp_hz(freq: float, sr: int) -> float:
    return float(min(max(freq, 1.0), 0.45 * sr))


# --- noise -------------------------------------------------------------------


def coloured_noise(rng: np.random.Generator, n: int, sr: int, exponent: float, floor_hz: float = 15.0) -> np.ndarray:
    """Gaussian noise with power spectral density proportional to f**-exponent.

    0 is white, 1 pink (-3 dB/octave), 2 brown (-6 dB/octave).  Shaped in the
    frequency domain, which gives the exact slope; below ``floor_hz`` the
    spectrum is flat so brown noise does not drift.  Unit variance.
    """
    if n < 2:
        return np.zeros(n)
    m = sfft.next_fast_len(n, real=True)
    bins = m // 2 + 1
    spectrum = rng.standard_normal(bins) + 1j * rng.standard_normal(bins)
    if exponent:
        freqs = np.maximum(np.fft.rfftfreq(m, 1 / sr), floor_hz)
        spectrum *= freqs ** (-exponent / 2)
    spectrum[0] = 0
    x = sfft.irfft(spectrum, m)[:n]
    return x / (np.std(x) + 1e-12)


def white(rng: np.random.Generator, n: int) -> np.ndarray:
    return rng.standard_normal(n)


def shaped_noise(rng: np.random.Generator, n: int, sr: int, magnitude, hop: int = 256) -> np.ndarray:
    """Noise whose spectrum changes over time: ``magnitude(freqs[:, None], times[None, :])``.

    Complex Gaussian short-time spectra, overlap-added back to a waveform (Hann
    window, 75 % overlap): one call gives wind gusts, swells or a sweeping whoosh
    without time-varying filters.  Unit variance.
    """
    size = hop * 4
    frames = n // hop + 4  # frame t covers samples [(t - 3) * hop, (t + 1) * hop)
    freqs = np.fft.rfftfreq(size, 1 / sr)
    window = np.hanning(size + 1)[:-1, None]
    out = np.zeros((frames + 4) * hop)
    block = 2048  # frames per pass (a multiple of 4): bounds memory for long clips
    for first in range(0, frames, block):
        count = min(block, frames - first)
        times = (first + np.arange(count) - 1) * hop / sr  # frame centres
        mag = np.broadcast_to(np.asarray(magnitude(freqs[:, None], times[None, :]), dtype=float), (freqs.size, count))
        spectra = mag * rng.standard_normal((freqs.size, count)) + 1j * (mag * rng.standard_normal((freqs.size, count)))
        grains = sfft.irfft(spectra, size, axis=0) * window
        for j in range(4):  # frames j, j+4, ... do not overlap each other: add them as one run
            run = grains[:, j::4].T.reshape(-1)
            start = (first + j) * hop
            out[start : start + run.size] += run
    x = out[3 * hop : 3 * hop + n]
    return x / (np.std(x) + 1e-12)


# --- filters -----------------------------------------------------------------


@lru_cache(maxsize=512)
def _butter(kind: str, low: float, high: float, sr: int, order: int) -> np.ndarray:
    nyq = sr / 2
    if kind == "bandpass":
        top = _clamp_hz(max(high, low * 1.05), sr)
        # A band above what the rate can hold (a 4-8 kHz hiss at 8 kHz) keeps a sliver below the top.
        wn: float | tuple[float, float] = (min(_clamp_hz(low, sr), top / 1.05) / nyq, top / nyq)
    else:
        wn = _clamp_hz(low, sr) / nyq
    return signal.butter(order, wn, btype=kind, output="sos")


def lowpass(x: np.ndarray, cutoff: float, sr: int, order: int = 2) -> np.ndarray:
    return signal.sosfilt(_butter("lowpass", round(cutoff, 1), 0.0, sr, order), x, axis=0)


def highpass(x: np.ndarray, cutoff: float, sr: int, order: int = 2) -> np.ndarray:
    return signal.sosfilt(_butter("highpass", round(cutoff, 1), 0.0, sr, order), x, axis=0)


def bandpass(x: np.ndarray, low: float, high: float, sr: int, order: int = 2) -> np.ndarray:
    return signal.sosfilt(_butter("bandpass", round(low, 1), round(high, 1), sr, order), x, axis=0)


def resonator(x: np.ndarray, freq: float, q: float, sr: int) -> np.ndarray:
    """Two-pole band-pass with 0 dB peak gain: a single resonant mode."""
    w0 = TAU * _clamp_hz(freq, sr) / sr
    alpha = np.sin(w0) / (2 * q)
    b = np.array([alpha, 0.0, -alpha])
    a = np.array([1 + alpha, -2 * np.cos(w0), 1 - alpha])
    return signal.lfilter(b / a[0], a / a[0], x)


# --- envelopes and control signals -------------------------------------------


def decay(n: int, sr: int, tau: float, attack: float = 0.001) -> np.ndarray:
    """Exponential decay with time constant ``tau`` seconds after a linear attack."""
    t = seconds(n, sr)
    env = np.exp(-t / max(tau, 1e-4))
    k = min(n, max(1, int(attack * sr)))
    env[:k] *= np.linspace(0, 1, k, endpoint=False) + 1 / k
    return env


def smooth_control(
    rng: np.random.Generator, n: int, sr: int, rate: float, low: float = 0.0, high: float = 1.0
) -> np.ndarray:
    """A slowly wandering value in [low, high], with about ``rate`` new targets per second.

    Cosine interpolation between random points: smooth, never steps.
    """
    points = max(2, int(np.ceil(n / sr * rate)) + 2)
    values = rng.uniform(low, high, points)
    # Evaluate the cosine interpolation on a coarse grid, then linearly in between:
    # the control is slow, and a full-rate cosine costs more than everything else.
    step = max(1, min(64, int(sr / (rate * 32) if rate > 0 else 64)))
    coarse = np.arange(0, n + step, step)
    pos = coarse / sr * rate
    i = np.minimum(pos.astype(int), points - 2)
    w = 0.5 - 0.5 * np.cos(np.pi * (pos - i))
    values = values[i] * (1 - w) + values[i + 1] * w
    return np.interp(np.arange(n), coarse, values)


def hann(n: int) -> np.ndarray:
    return np.hanning(n + 2)[1:-1] if n > 0 else np.zeros(0)


def phase(freq: np.ndarray | float, n: int, sr: int, start: float = 0.0) -> np.ndarray:
    """Running phase for a (possibly time-varying) frequency in Hz."""
    f = np.broadcast_to(np.asarray(freq, dtype=float), (n,))
    return start + TAU * np.cumsum(f) / sr


# --- events ------------------------------------------------------------------


def add_at(out: np.ndarray, grain: np.ndarray, start: int, gain: float = 1.0) -> None:
    """Mix ``grain`` into ``out`` from sample ``start``; parts outside are dropped."""
    if start >= out.shape[0] or start + grain.shape[0] <= 0:
        return
    a = max(start, 0)
    b = min(start + grain.shape[0], out.shape[0])
    out[a:b] += gain * grain[a - start : b - start]


def regular_times(
    rng: np.random.Generator, span: float, rate: float, jitter: float = 0.02, offset: float | None = None
) -> np.ndarray:
    """Event times at ``rate`` per second across ``span`` seconds, with small timing jitter."""
    period = 1.0 / max(rate, 1e-3)
    first = rng.uniform(0.05, 0.3) * min(period, 1.0) if offset is None else offset
    times = np.arange(first, span, period)
    if jitter and times.size:
        times = times + rng.normal(0, jitter * period, times.size)
    return np.sort(np.clip(times, 0, max(span - 1e-3, 0)))


def poisson_times(rng: np.random.Generator, span: float, rate: float) -> np.ndarray:
    count = rng.poisson(max(rate, 0) * span)
    return np.sort(rng.uniform(0, span, count))


def spread_times(rng: np.random.Generator, span: float, count: int, length: float) -> np.ndarray:
    """``count`` one-shot events spread over the span so each has room for ``length`` s."""
    if count <= 1:
        return np.array([min(rng.uniform(0.03, 0.15) * span, max(span - length, 0) * 0.5 + 0.05)])
    slot = span / count
    return np.arange(count) * slot + rng.uniform(0.02, 0.2, count) * min(slot, 1.0)


def impulses(times: np.ndarray, amps: np.ndarray | float, n: int, sr: int) -> np.ndarray:
    """A train of weighted unit impulses at the given times (seconds)."""
    out = np.zeros(n)
    idx = np.round(np.asarray(times) * sr).astype(int)
    amps = np.broadcast_to(np.asarray(amps, dtype=float), idx.shape)
    keep = (idx >= 0) & (idx < n)
    np.add.at(out, idx[keep], amps[keep])
    return out


def convolve(x: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """Linear convolution truncated to ``len(x)`` (overlap-add, fast for long x)."""
    if kernel.size == 0 or x.size == 0:
        return np.zeros_like(x)
    return signal.oaconvolve(x, kernel)[: x.size]


def modal(freqs, decays, amps, dur: float, sr: int, rng: np.random.Generator | None = None) -> np.ndarray:
    """Sum of exponentially decaying sinusoids: modal synthesis of a struck object."""
    n = max(1, int(dur * sr))
    t = seconds(n, sr)
    out = np.zeros(n)
    for f, d, a in zip(freqs, decays, amps):
        if f >= 0.45 * sr:
            continue
        ph = rng.uniform(0, TAU) if rng is not None else 0.0
        out += a * np.exp(-t / d) * np.sin(TAU * f * t + ph)
    ramp = min(n, int(0.0015 * sr))  # soften the strike so it never clicks
    if ramp > 1:
        out[:ramp] *= np.linspace(0, 1, ramp)
    return out


def burst(rng: np.random.Generator, sr: int, dur: float, tau: float, low: float, high: float) -> np.ndarray:
    """A short band-limited noise burst with exponential decay (clicks, claps, grains)."""
    n = max(4, int(dur * sr))
    return bandpass(rng.standard_normal(n), low, high, sr) * decay(n, sr, tau, attack=0.0005)


def normalise(x: np.ndarray) -> np.ndarray:
    peak = float(np.max(np.abs(x))) if x.size else 0.0
    return x / peak if peak > 1e-12 else x


def wander(rng: np.random.Generator, span: float, rate: float, low: float = 0.0, high: float = 1.0):
    """A smooth random control as a function of time in seconds (for ``shaped_noise``)."""
    points = max(2, int(np.ceil(span * rate)) + 3)
    values = rng.uniform(low, high, points)

    def at(t: np.ndarray) -> np.ndarray:
        pos = np.clip(np.asarray(t, dtype=float), 0, None) * rate
        i = np.minimum(pos.astype(int), points - 2)
        w = 0.5 - 0.5 * np.cos(np.pi * (pos - i))
        return values[i] * (1 - w) + values[i + 1] * w

    return at


def bubble(sr: int, freq: float, dur: float, rise: float = 0.5, tau_frac: float = 0.3) -> np.ndarray:
    """A bubble's ring: a decaying sine whose pitch rises as the bubble settles."""
    n = max(8, int(dur * sr))
    t = seconds(n, sr)
    f = freq * (1 + rise * t / dur)
    return np.sin(phase(f, n, sr)) * decay(n, sr, dur * tau_frac, attack=0.0008)


def scatter_kernels(
    rng: np.random.Generator, n: int, sr: int, times: np.ndarray, amps: np.ndarray, kernels: list[np.ndarray]
) -> np.ndarray:
    """Many short grains: each time gets one of a few kernels; one convolution per kernel."""
    out = np.zeros(n)
    if times.size == 0:
        return out
    which = rng.integers(0, len(kernels), times.size)
    if times.size <= 4000:  # a loop of slice-adds beats one convolution per kernel
        starts = np.round(times * sr).astype(int)
        for start, k, a in zip(starts.tolist(), which.tolist(), amps.tolist()):
            add_at(out, kernels[k], start, a)
        return out
    for k, kernel in enumerate(kernels):
        sel = which == k
        if sel.any():
            out += convolve(impulses(times[sel], amps[sel], n, sr), kernel)
    return out


def humanise(rng: np.random.Generator, times: np.ndarray, spread: float, span: float) -> np.ndarray:
    """Event times nudged by a normal spread (s) and kept in order inside the clip: no metronome."""
    if times.size == 0:
        return times
    return np.sort(np.clip(times + rng.normal(0, spread, times.size), 0, max(span - 1e-3, 0)))


def overlay(*parts: np.ndarray) -> np.ndarray:
    """Sum of grains of different lengths, all starting at sample 0."""
    out = np.zeros(max(p.shape[0] for p in parts))
    for p in parts:
        out[: p.shape[0]] += p
    return out


# --- voices ------------------------------------------------------------------


def glottal(f0: np.ndarray, sr: int, tilt: float = 0.7) -> np.ndarray:
    """An impulse per vocal-fold cycle at the instantaneous ``f0`` (Hz per sample), softened
    by a one-pole low-pass: the falling spectrum of a real glottal source (voices, animal calls)."""
    cycles = np.cumsum(np.asarray(f0, dtype=float)) / sr
    pulses = np.diff(np.floor(cycles), prepend=0.0)
    return signal.lfilter([1.0 - tilt], [1.0, -tilt], pulses) if tilt else pulses


def formants(x: np.ndarray, freqs, sr: int, qs=(5.0, 8.0, 10.0, 12.0), gains=(1.0, 0.6, 0.3, 0.15)) -> np.ndarray:
    """A vocal tract: parallel resonators at the formant frequencies (the vowel's colour)."""
    return sum(g * resonator(x, f, q, sr) for f, q, g in zip(freqs, qs, gains))


def varying_times(rng: np.random.Generator, span: float, rate: np.ndarray, sr: int) -> np.ndarray:
    """Poisson event times whose rate per second follows ``rate`` (one value per sample), by thinning."""
    top = float(rate.max()) if rate.size else 0.0
    times = poisson_times(rng, span, top)
    keep = rng.uniform(0, top, times.size) < rate[np.minimum((times * sr).astype(int), rate.size - 1)]
    return times[keep]
