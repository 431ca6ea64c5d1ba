"""Audio encoding and conditioning: WAV/OGG-Opus/MP3, loudness, exact length.

Encoding uses libsndfile through ``soundfile`` (Opus and MP3 included since
libsndfile 1.1), so no ffmpeg is needed anywhere.
"""

from __future__ import annotations

import io
import os
from typing import Literal

import numpy as np
import soundfile as sf
from scipy import signal

Format = Literal["wav", "ogg", "mp3"]

CONTENT_TYPES: dict[str, str] = {"wav": "audio/wav", "ogg": "audio/ogg", "mp3": "audio/mpeg"}
_SOUNDFILE_ARGS: dict[str, tuple[str, str]] = {
    "wav": ("WAV", "PCM_16"),
    "ogg": ("OGG", "OPUS"),
    "mp3": ("MP3", "MPEG_LAYER_III"),
}
# Opus only runs at these rates; we resample to the nearest one above.
_OPUS_RATES = (8000, 12000, 16000, 24000, 48000)
# Every delivered sound (CLI file or worker response) is brought to this loudness.
LOUDNESS_TARGET_LUFS = -16.0


def _as_2d(samples: np.ndarray) -> np.ndarray:
    return samples[:, None] if samples.ndim == 1 else samples


def resample(samples: np.ndarray, rate: int, new_rate: int) -> np.ndarray:
    """Band-limited polyphase resampling along the time axis."""
    if rate == new_rate:
        return samples
    g = np.gcd(rate, new_rate)
    return signal.resample_poly(samples, new_rate // g, rate // g, axis=0).astype(np.float32)


def encoded_rate(sample_rate: int, fmt: Format) -> int:
    """The rate ``encode`` writes ``fmt`` at (Opus only runs at a few rates)."""
    if fmt == "ogg" and sample_rate not in _OPUS_RATES:
        return next((r for r in _OPUS_RATES if r >= sample_rate), 48000)
    return sample_rate


def encode(samples: np.ndarray, sample_rate: int, fmt: Format = "wav") -> bytes:
    """Encode float samples in [-1, 1] ((n,) or (n, channels)) as ``fmt`` bytes."""
    if fmt not in _SOUNDFILE_ARGS:
        raise ValueError(f"unknown audio format {fmt!r}; use one of {', '.join(_SOUNDFILE_ARGS)}")
    data = np.clip(np.asarray(samples, dtype=np.float32), -1.0, 1.0)
    rate = encoded_rate(sample_rate, fmt)
    data = resample(data, sample_rate, rate)
    container, subtype = _SOUNDFILE_ARGS[fmt]
    buffer = io.BytesIO()
    with sf.SoundFile(
        buffer, "w", samplerate=rate, channels=_as_2d(data).shape[1], format=container, subtype=subtype
    ) as out:
        out.write(data)
    return buffer.getvalue()


def decode(data: bytes) -> tuple[np.ndarray, int]:
    """Decode any supported container to float32 samples ((n,) mono) and the rate."""
    samples, rate = sf.read(io.BytesIO(data), dtype="float32", always_2d=False)
    return samples, rate


def read(path: "str | os.PathLike[str]") -> tuple[np.ndarray, int]:
    """Read a sound file (any container libsndfile knows: WAV, FLAC, OGG, MP3...) as
    float32 samples ((n,) mono or (n, channels)) and its rate."""
    samples, rate = sf.read(path, dtype="float32", always_2d=False)
    return samples, rate


def to_mono(samples: np.ndarray) -> np.ndarray:
    """(n,) or (n, channels) -> (n,) float32, the channels' mean."""
    samples = np.asarray(samples, dtype=np.float32)
    return samples if samples.ndim == 1 else samples.mean(axis=1, dtype=np.float32)


def fit_length(samples: np.ndarray, n: int, fade: int = 64) -> np.ndarray:
    """Exactly ``n`` samples: cut (with a short fade-out) or pad with silence at the end."""
    length = samples.shape[0]
    if length > n:
        out = samples[:n].copy()
        k = min(fade, n)
        if k:
            ramp = np.linspace(1.0, 0.0, k, dtype=np.float32)
            out[n - k :] *= ramp if out.ndim == 1 else ramp[:, None]
        return out
    if length < n:
        pad = [(0, n - length)] + [(0, 0)] * (samples.ndim - 1)
        return np.pad(samples, pad)
    return samples


def fade_edges(samples: np.ndarray, sample_rate: int, seconds: float = 0.01) -> np.ndarray:
    """Raised-cosine fade-in and fade-out so starts and ends never click."""
    k = min(int(sample_rate * seconds), samples.shape[0] // 2)
    if k < 2:
        return samples
    ramp = (0.5 - 0.5 * np.cos(np.linspace(0, np.pi, k))).astype(np.float32)
    if samples.ndim > 1:
        ramp = ramp[:, None]
    out = samples.astype(np.float32, copy=True)
    out[:k] *= ramp
    out[-k:] *= ramp[::-1]
    return out


def peak_db(samples: np.ndarray) -> float:
    peak = float(np.max(np.abs(samples))) if samples.size else 0.0
    return 20 * np.log10(peak) if peak > 0 else float("-inf")


def normalize_peak(samples: np.ndarray, target_db: float = -1.0) -> np.ndarray:
    peak = float(np.max(np.abs(samples))) if samples.size else 0.0
    if peak <= 1e-9:
        return samples.astype(np.float32)
    return (samples * (10 ** (target_db / 20) / peak)).astype(np.float32)


def _k_weighting(sample_rate: int) -> list[np.ndarray]:
    """ITU-R BS.1770 K-weighting (high shelf + high pass) as SOS sections."""
    # Shelf: +4 dB above ~1.5 kHz; high pass: second order at 38 Hz, Q 0.5.
    shelf = _high_shelf(1500.0, 4.0, 1 / np.sqrt(2), sample_rate)
    return [signal.tf2sos(*shelf), signal.tf2sos(*_high_pass(38.0, 0.5, sample_rate))]


def _high_shelf(freq: float, gain_db: float, q: float, rate: int) -> tuple[np.ndarray, np.ndarray]:
    a = 10 ** (gain_db / 40)
    w0 = 2 * np.pi * min(freq, rate * 0.45) / rate
    alpha = np.sin(w0) / (2 * q)
    cos = np.cos(w0)
    sq = 2 * np.sqrt(a) * alpha
    b = [a * ((a + 1) + (a - 1) * cos + sq), -2 * a * ((a - 1) + (a + 1) * cos), a * ((a + 1) + (a - 1) * cos - sq)]
    den = [(a + 1) - (a - 1) * cos + sq, 2 * ((a - 1) - (a + 1) * cos), (a + 1) - (a - 1) * cos - sq]
    return np.array(b) / den[0], np.array(den) / den[0]


def _high_pass(freq: float, q: float, rate: int) -> tuple[np.ndarray, np.ndarray]:
    w0 = 2 * np.pi * freq / rate
    alpha = np.sin(w0) / (2 * q)
    cos = np.cos(w0)
    b = np.array([(1 + cos) / 2, -(1 + cos), (1 + cos) / 2])
    den = np.array([1 + alpha, -2 * cos, 1 - alpha])
    return b / den[0], den / den[0]


def loudness_lufs(samples: np.ndarray, sample_rate: int) -> float:
    """Integrated loudness (BS.1770, ungated), in LUFS."""
    x = _as_2d(np.asarray(samples, dtype=np.float64))
    for sos in _k_weighting(sample_rate):
        x = signal.sosfilt(sos, x, axis=0)
    power = float(np.mean(np.sum(x**2, axis=1))) if x.size else 0.0
    return -0.691 + 10 * np.log10(power) if power > 0 else float("-inf")


def normalize_loudness(
    samples: np.ndarray, sample_rate: int, target_lufs: float = -16.0, peak_ceiling_db: float = -1.0
) -> np.ndarray:
    """Scale to ``target_lufs``, but never let the peak exceed ``peak_ceiling_db``."""
    current = loudness_lufs(samples, sample_rate)
    if not np.isfinite(current):
        return samples.astype(np.float32)
    gain = 10 ** ((target_lufs - current) / 20)
    peak = float(np.max(np.abs(samples))) * gain
    ceiling = 10 ** (peak_ceiling_db / 20)
    if peak > ceiling:
        gain *= ceiling / peak
    return (samples * gain).astype(np.float32)


def condition(samples: np.ndarray, sample_rate: int, duration: float, fmt: Format) -> tuple[bytes, int]:
    """An engine's sound as delivered: exactly ``duration`` long, loudness-normalised,
    encoded as ``fmt``; returns the bytes and the rate they are encoded at.

    The CLI and the worker both deliver through here, so one request gives the
    same bytes from either.
    """
    data = fit_length(np.asarray(samples, dtype=np.float32), round(duration * sample_rate))
    data = normalize_loudness(data, sample_rate, LOUDNESS_TARGET_LUFS)
    return encode(data, sample_rate, fmt), encoded_rate(sample_rate, fmt)
