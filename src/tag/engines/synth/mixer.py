"""Puts rendered sources together: timing of parts, distance, room, stereo, loudness.

Each "then"-separated part of the prompt gets an equal share of the clip, with a
short crossfade into the next.  Distance is modelled the way it is heard: far
sources lose highs (air absorption), get quieter and are mostly reverberation;
near ones are dry and present.  The sum is brought to a loudness target, with a
smooth peak limiter taking at most a few dB off transients that would clip.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy import ndimage, signal

from tag.audio import fade_edges, fit_length, loudness_lufs, normalize_loudness
from tag.engines.synth import dsp
from tag.engines.synth.parser import Event
from tag.engines.synth.sources import SOURCES

TARGET_LUFS = -16.0
CEILING_DB = -1.0
LIMIT_DB = 6.0  # at most this much of a peak goes into the limiter
AMBIENCE_LUFS = -30.0
_FRAME = 0.05  # seconds; loudness of a source = its loudest frame


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    fade_in: int
    fade_out: int


def limit(y: np.ndarray, sr: int, ceiling: float, window: float = 0.005) -> np.ndarray:
    """Peak limiter: a gain that dips around each peak over a few milliseconds.

    The per-sample gain that would hold the ceiling is spread by a minimum filter
    and smoothed by a moving average of the same width; every averaged value
    comes from a window containing the sample, so peaks never pass the ceiling,
    and the gain moves too slowly to add the buzz a waveform clipper would.
    """
    mag = np.abs(y) if y.ndim == 1 else np.abs(y).max(axis=1)  # channels share one gain
    gain = np.minimum(1.0, ceiling / np.maximum(mag, 1e-12))
    width = max(1, int(window * sr)) | 1
    gain = ndimage.uniform_filter1d(ndimage.minimum_filter1d(gain, width, mode="nearest"), width, mode="nearest")
    return y * (gain if y.ndim == 1 else gain[:, None])


def to_loudness(x: np.ndarray, sr: int, target_lufs: float) -> np.ndarray:
    """Scale to the target loudness; peaks above the ceiling go through the limiter.

    Rain drops or clicks would otherwise hold the whole clip several dB below
    the target.  Only up to LIMIT_DB of overshoot is limited (beyond that the
    gain drops instead), so sparse clicks keep their snap.
    """
    current = loudness_lufs(x, sr)
    if not np.isfinite(current):
        return x
    ceiling = 10 ** (CEILING_DB / 20)
    gain = 10 ** ((target_lufs - current) / 20)
    peak = float(np.max(np.abs(x))) * gain
    if peak <= ceiling:
        return normalize_loudness(x, sr, target_lufs, CEILING_DB)
    gain *= min(1.0, ceiling * 10 ** (LIMIT_DB / 20) / peak)
    return np.clip(limit(x * gain, sr, ceiling), -ceiling, ceiling)


def part_spans(parts: int, n: int, sr: int) -> list[Span]:
    """Sample ranges for successive parts; each overlaps the next by a crossfade."""
    if parts <= 1:
        return [Span(0, n, 0, 0)]
    seg = n / parts
    overlap = int(min(0.5 * sr, seg * 0.15))
    spans = []
    for k in range(parts):
        start = int(round(k * seg))
        end = n if k == parts - 1 else min(n, int(round((k + 1) * seg)) + overlap)
        spans.append(Span(start, end, overlap if k else 0, overlap if k < parts - 1 else 0))
    return spans


def event_rng(seed: int, index: int, source: str) -> np.random.Generator:
    """Each event draws from its own stream, keyed by seed, position and source name."""
    return np.random.default_rng([seed, index, zlib.crc32(source.encode())])


def level(x: np.ndarray, sr: int) -> np.ndarray:
    """Scale so the loudest 50 ms frame has RMS 0.25: sparse clicks and steady beds match."""
    k = max(1, int(_FRAME * sr))
    usable = x[: x.size // k * k].reshape(-1, k) if x.size >= k else x.reshape(1, -1)
    loudest = float(np.sqrt(np.max(np.mean(usable**2, axis=1))))
    return x * (0.25 / loudest) if loudest > 1e-9 else x


def apply_distance(x: np.ndarray, distance: float, sr: int) -> np.ndarray:
    if distance > 1.05:
        x = dsp.lowpass(x, 14000 / distance**1.4, sr) / distance
    elif distance < 0.95:
        x = x / distance**0.5
    return x


def room_send(distance: float, in_room: bool) -> float:
    """Reverb share: a little room for acoustic sources (less when close), much more when far."""
    base = 0.12 * min(distance, 1.0) if in_room else 0.0
    return base + 0.3 * max(distance - 1.0, 0.0)


def reverb_ir(rng: np.random.Generator, sr: int, rt60: float, channels: int) -> np.ndarray:
    """Exponentially decaying noise: a diffuse room tail (decorrelated per channel)."""
    n = int(rt60 * sr)
    t = dsp.seconds(n, sr)
    tail = rng.standard_normal((n, channels)) * np.exp(-6.9 * t / rt60)[:, None]
    tail = dsp.lowpass(tail, 5000, sr)
    tail[: int(0.012 * sr)] = 0  # pre-delay keeps the direct sound clear
    return tail / np.sqrt(np.sum(tail**2, axis=0, keepdims=True))


def pan_gains(pan):
    """Constant-power gains (left, right) for pan -1 (left) .. 0 (centre) .. 1 (right); scalar or array."""
    angle = (np.asarray(pan, dtype=float) + 1) * np.pi / 4
    return np.cos(angle), np.sin(angle)


def channel_gains(event: Event, moving: bool, default_pan: float, length: int, stereo: bool) -> tuple:
    """Per-channel gains: one for mono; a fixed or travelling constant-power pan for stereo."""
    if not stereo:
        return (1.0,)
    pan = event.params.pan if event.params.pan is not None else default_pan
    if moving:  # crosses the stereo field, ending on its own side
        side = 1.0 if pan >= 0 else -1.0
        return pan_gains(np.linspace(-0.8 * side, 0.8 * side, length))
    return pan_gains(float(pan))


def mix(
    events: list[Event],
    parts: int,
    n: int,
    sr: int,
    seed: int,
    *,
    stereo: bool = False,
    target_lufs: float = TARGET_LUFS,
    progress: Callable[[float], None] | None = None,
) -> np.ndarray:
    channels = 2 if stereo else 1
    dry = np.zeros((n, channels), dtype=np.float32)  # float32 buses: long clips stay small
    wet = np.zeros((n, channels), dtype=np.float32)
    spans = part_spans(parts, n, sr)
    layout = np.random.default_rng([seed, 7919])
    pans = np.linspace(-0.6, 0.6, len(events)) if len(events) > 1 else np.zeros(1)
    layout.shuffle(pans)
    max_distance = 1.0
    for index, event in enumerate(events):
        spec = SOURCES[event.source]
        span = spans[min(event.part, len(spans) - 1)]
        length = span.end - span.start
        x = spec.render(event_rng(seed, index, event.source), length, sr, event.params)
        x = level(np.nan_to_num(np.asarray(x, dtype=float)), sr) * 10 ** (event.gain_db / 20)
        x = apply_distance(x, event.params.distance, sr)
        if span.fade_in or span.fade_out:
            env = np.ones(length)
            if span.fade_in:
                env[: span.fade_in] = np.linspace(0, 1, span.fade_in)
            if span.fade_out:
                env[-span.fade_out :] = np.linspace(1, 0, span.fade_out)
            x = x * env
        gains = channel_gains(event, spec.moving or event.params.moving, float(pans[index]), length, stereo)
        send = room_send(event.params.distance, spec.room)
        max_distance = max(max_distance, event.params.distance)
        for c, g in enumerate(gains):
            dry[span.start : span.end, c] += g * x
            if send:
                wet[span.start : span.end, c] += g * send * x
        if progress:
            progress(90.0 * (index + 1) / len(events))
    if np.any(wet):
        ir = reverb_ir(np.random.default_rng([seed, 104729]), sr, min(0.8 + 0.4 * max_distance, 2.5), channels)
        for c in range(channels):
            dry[:, c] += signal.oaconvolve(wet[:, c], ir[:, c])[:n]
    out = dry[:, 0] if channels == 1 else dry
    out = to_loudness(out.astype(np.float64), sr, target_lufs)
    return fit_length(fade_edges(out, sr, 0.01), n).astype(np.float32)
