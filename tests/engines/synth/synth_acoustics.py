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


def frame_pitches(x: np.ndarray, sr: int, low: float = 100.0, high: float = 2500.0, frame: int = 4096,
                  share: float = 0.05) -> np.ndarray:
    """The strongest frequency (Hz) between low and high in each sounding frame (parabolic peak)."""
    f, _, z = signal.stft(mono(x), sr, nperseg=frame, noverlap=frame // 2)
    mag = np.abs(z)
    band = np.flatnonzero((f >= low) & (f <= high))
    energy = (mag[band] ** 2).sum(axis=0)
    out = []
    for j in np.flatnonzero(energy > share * energy.max()):
        k = band[np.argmax(mag[band, j])]
        a, b, c = np.log(mag[k - 1 : k + 2, j] + 1e-20)
        shift = 0.5 * (a - c) / (a - 2 * b + c) if (a - 2 * b + c) != 0 else 0.0
        out.append(f[k] + shift * (f[1] - f[0]))
    return np.array(out)


def pitch_classes(freqs: np.ndarray) -> np.ndarray:
    """Nearest equal-tempered pitch class (0 = C) of each frequency."""
    return np.round(69 + 12 * np.log2(np.asarray(freqs) / 440.0)).astype(int) % 12


def in_scale_share(freqs: np.ndarray, tonic: int, minor: bool) -> float:
    steps = (0, 2, 3, 5, 7, 8, 10) if minor else (0, 2, 4, 5, 7, 9, 11)
    scale = {(tonic + s) % 12 for s in steps}
    return float(np.mean([c in scale for c in pitch_classes(freqs)]))


def grid_alignment(times: np.ndarray, period: float) -> float:
    """How well event times sit on a grid of ``period`` s (any phase): 1 all on it, near 0 unrelated."""
    return float(np.abs(np.mean(np.exp(2j * np.pi * np.asarray(times) / period))))


def decay_time(x: np.ndarray, sr: int, top: float = -5.0, bottom: float = -25.0) -> float:
    """Reverberation time (s, T20 style) after the loudest moment: Schroeder's backward-integrated
    energy, the time from ``top`` to ``bottom`` dB, scaled to 60 dB."""
    power = mono(x).astype(float) ** 2
    start = int(np.argmax(power))
    energy = np.cumsum(power[start:][::-1])[::-1]
    db = 10 * np.log10(energy / energy[0] + 1e-30)
    a, b = np.flatnonzero(db <= top)[0], np.flatnonzero(db <= bottom)[0]
    return float((b - a) / sr * 60.0 / (top - bottom))


def quietest_window_db(x: np.ndarray, sr: int, window: float = 0.5) -> float:
    """RMS (dBFS) of the quietest ``window``-second stretch, 10 ms hop."""
    power = mono(x).astype(float) ** 2
    k = int(window * sr)
    c = np.concatenate([[0.0], np.cumsum(power)])
    starts = np.arange(0, power.size - k + 1, max(1, sr // 100))
    return float(10 * np.log10(np.min(c[starts + k] - c[starts]) / k + 1e-30))


def modulation_peak(x: np.ndarray, sr: int, low: float, high: float, frame: float = 0.01) -> float:
    """The strongest rate (Hz) between low and high at which the loudness envelope rises and falls."""
    env = envelope(x, sr, frame)
    env = (env - env.mean()) * np.hanning(env.size)
    mag = np.abs(np.fft.rfft(env, env.size * 4))
    freqs = np.fft.rfftfreq(env.size * 4, frame)
    sel = (freqs >= low) & (freqs <= high)
    return float(freqs[sel][np.argmax(mag[sel])])


def pitch_track(x: np.ndarray, sr: int, low: float, high: float, frame: float = 0.04, hop: float = 0.01):
    """Frame times (s), fundamental (Hz) and voicing strength (normalised autocorrelation peak, 0-1)."""
    x = mono(x).astype(float)
    k, h = int(frame * sr), int(hop * sr)
    count = max(0, (x.size - k) // h + 1)
    frames = np.lib.stride_tricks.sliding_window_view(x, k)[::h][:count] * np.hanning(k)
    spec = np.fft.rfft(frames, 2 * k, axis=1)
    ac = np.fft.irfft(np.abs(spec) ** 2, axis=1)[:, :k]
    lo, hi = int(sr / high), min(int(sr / low), k - 1)
    lag = lo + np.argmax(ac[:, lo:hi], axis=1)
    strength = ac[np.arange(count), lag] / (ac[:, 0] + 1e-12)
    times = np.arange(count) * hop + frame / 2
    return times, sr / lag, strength


def median_pitch(x: np.ndarray, sr: int, low: float, high: float, voiced: float = 0.4) -> float:
    """Median fundamental (Hz) over the loud, clearly voiced frames."""
    _, f0, strength = pitch_track(x, sr, low, high)
    env = envelope(x, sr, 0.01)[: f0.size]
    keep = (strength[: env.size] > voiced) & (env > 0.2 * env.max())
    return float(np.median(f0[keep])) if keep.any() else 0.0


def spectrogram_correlation(a: np.ndarray, b: np.ndarray, sr: int) -> float:
    """Pearson correlation of two clips' log spectrograms: near 1 for the same take, lower for another."""
    _, _, za = signal.stft(mono(a), sr, nperseg=1024)
    _, _, zb = signal.stft(mono(b), sr, nperseg=1024)
    la, lb = np.log10(np.abs(za) + 1e-6).ravel(), np.log10(np.abs(zb) + 1e-6).ravel()
    return float(np.corrcoef(la, lb)[0, 1])


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


def raw(name: str, duration: float = 10.0, seed: int = 0, sr: int = 32000, **params) -> np.ndarray:
    """One source alone, before the mixer's room and loudness: its own acoustics."""
    from tag.engines.synth.sources import SOURCES, Params

    return SOURCES[name].render(np.random.default_rng(seed), int(duration * sr), sr, Params(**params))
