"""Measurements for acoustic assertions: spectra, slopes, envelopes, onsets, periods."""

from __future__ import annotations

import numpy as np
from scipy import signal


def mono(x: np.ndarray) -> np.ndarray:
    return x.mean(axis=1) if x.ndim > 1 else x


def spectrum(x: np.ndarray, sr: int, pad: int = 4) -> tuple[np.ndarray, np.ndarray]:
    x = mono(x).astype(float)
    n = x.size * pad
    mag = np.abs(np.fft.rfft(x * np.hanning(x.size), n))
    return np.fft.rfftfreq(n, 1 / sr), mag


def peak_frequency(x: np.ndarray, sr: int, low: float = 20.0, high: float | None = None) -> float:
    """Strongest frequency in [low, high], refined by parabolic interpolation."""
    freqs, mag = spectrum(x, sr)
    band = (freqs >= low) & (freqs <= (high or sr / 2))
    idx = np.flatnonzero(band)
    k = idx[np.argmax(mag[idx])]
    a, b, c = np.log(mag[k - 1 : k + 2] + 1e-20)
    shift = 0.5 * (a - c) / (a - 2 * b + c) if (a - 2 * b + c) != 0 else 0.0
    return float(freqs[k] + shift * (freqs[1] - freqs[0]))


def level_at(x: np.ndarray, sr: int, freq: float, width: float = 3.0) -> float:
    """Peak magnitude (dB) within +-width Hz of freq, relative to the spectrum's median."""
    freqs, mag = spectrum(x, sr)
    sel = np.abs(freqs - freq) <= width
    return float(20 * np.log10(mag[sel].max() / (np.median(mag) + 1e-20)))


def relative_db(x: np.ndarray, sr: int, freq: float, width: float = 3.0) -> float:
    """Peak magnitude (dB) within +-width Hz of freq, relative to the whole spectrum's peak."""
    freqs, mag = spectrum(x, sr)
    sel = np.abs(freqs - freq) <= width
    return float(20 * np.log10(mag[sel].max() / mag.max()))


def band_onset(x: np.ndarray, sr: int, low: float, high: float, share: float = 0.3) -> float:
    """When (s) the energy between low and high first reaches ``share`` of its maximum."""
    f, t, z = signal.stft(mono(x), sr, nperseg=1024, noverlap=768)
    band = (np.abs(z[(f >= low) & (f <= high)]) ** 2).sum(axis=0)
    return float(t[np.flatnonzero(band >= share * band.max())[0]])


def centroid(x: np.ndarray, sr: int) -> float:
    freqs, psd = signal.welch(mono(x), sr, nperseg=2048)
    return float(np.sum(freqs * psd) / np.sum(psd))


def band_fraction(x: np.ndarray, sr: int, low: float, high: float) -> float:
    freqs, psd = signal.welch(mono(x), sr, nperseg=2048)
    sel = (freqs >= low) & (freqs < high)
    return float(psd[sel].sum() / psd.sum())


def octave_slope(x: np.ndarray, sr: int, low: float = 125.0, high: float = 8000.0) -> float:
    """Least-squares slope of octave-band power density, in dB per octave."""
    freqs, psd = signal.welch(mono(x), sr, nperseg=8192)
    centres = low * 2.0 ** np.arange(int(np.log2(high / low)) + 1)
    levels = [10 * np.log10(psd[(freqs >= c / np.sqrt(2)) & (freqs < c * np.sqrt(2))].mean()) for c in centres]
    return float(np.polyfit(np.log2(centres), levels, 1)[0])


def envelope(x: np.ndarray, sr: int, frame: float = 0.005) -> np.ndarray:
    k = max(1, int(frame * sr))
    x = mono(x)
    usable = x[: x.size // k * k].reshape(-1, k)
    return np.sqrt(np.mean(usable**2, axis=1))


def onsets(x: np.ndarray, sr: int, min_gap: float = 0.1, rise_db: float = 12.0, floor: float = 0.08) -> np.ndarray:
    """Times (s) where the 5 ms envelope jumps by ``rise_db`` within 30 ms, above a floor."""
    frame = 0.005
    power = envelope(x, sr, frame) ** 2
    # 10 ms windows at a 5 ms hop: long enough that a low mode's own ripple is no onset.
    env = np.sqrt(np.convolve(power, [0.5, 0.5])[: power.size])
    db = 20 * np.log10(env + 1e-9)
    look = 6
    recent_min = np.array([db[max(0, i - look) : i].min() if i else db[0] for i in range(db.size)])
    loud = env > floor * env.max()
    found: list[float] = []
    for i in np.flatnonzero((db - recent_min > rise_db) & loud):
        t = i * frame
        if not found or t - found[-1] >= min_gap:
            found.append(t)
    return np.array(found)


def dominant_period(values: np.ndarray, step: float, low: float, high: float) -> float:
    """Lag (s) of the autocorrelation maximum between low and high for a sampled signal."""
    v = values - values.mean()
    ac = signal.correlate(v, v, mode="full", method="fft")[v.size - 1 :]
    lags = np.arange(ac.size) * step
    sel = (lags >= low) & (lags <= high)
    return float(lags[sel][np.argmax(ac[sel])])


def attack_and_decay(x: np.ndarray, sr: int, frame: float = 0.02) -> tuple[float, float]:
    """Seconds from the -20 dB point to within 6 dB of the envelope peak (attack),
    and from there until the envelope last stays above -20 dB (decay)."""
    env = envelope(x, sr, frame)
    top = env.max()
    start = int(np.flatnonzero(env > top * 0.1)[0])
    reach = int(np.flatnonzero(env >= top * 0.5)[0])
    tail = int(np.flatnonzero(env > top * 0.1)[-1])
    return (reach - start) * frame, (tail - reach) * frame


def foreground_events(x: np.ndarray, sr: int, rise_db: float = 6.0, frame: float = 0.02, bed: float = 2.0) -> np.ndarray:
    """Times (s) where a 20 ms frame stands ``rise_db`` over the running median of the last ``bed`` s.

    Events that rise above a steady background (a clink over murmur), where ``onsets``
    looks for jumps out of near silence.  Starts of runs, at least 0.25 s apart.
    """
    from scipy import ndimage

    db = 20 * np.log10(envelope(x, sr, frame) + 1e-9)
    width = max(3, int(bed / frame))
    median = ndimage.median_filter(db, size=width, mode="nearest", origin=(width - 1) // 2)
    above = np.flatnonzero(db - median > rise_db)
    found: list[float] = []
    for i in above:
        t = i * frame
        if not found or t - found[-1] >= 0.25:
            found.append(t)
    return np.array(found)


def tonal_prominence(x: np.ndarray, sr: int, freq: float, width: float = 3.0, around: float = 60.0) -> float:
    """Peak (dB) within +-width Hz of freq over the median of its neighbourhood (+-around Hz)."""
    freqs, mag = spectrum(x, sr)
    near = np.abs(freqs - freq) <= around
    sel = np.abs(freqs - freq) <= width
    return float(20 * np.log10(mag[sel].max() / (np.median(mag[near]) + 1e-20)))
