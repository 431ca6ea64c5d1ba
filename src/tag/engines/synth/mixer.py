"""Puts rendered sources together: timing of parts, groups, distance, motion, place, stereo, loudness.

Each "then"-separated part of the prompt gets an equal share of the clip, with a
short crossfade into the next.  What the prompt says about how a source is heard
is applied here, so every source gets it: "many" layers a few different takes of
a single voice, distance and motion (``space``, ``motion``) shape its level,
brightness, pitch and position, and the place gives its reverb and ambience bed.
The sum is brought to a loudness target, with a smooth peak limiter taking at
most a few dB off transients that would clip; stretches that would be digital
silence get a faint room tone, as any real recording has.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np
from scipy import ndimage, signal

from tag.audio import fade_edges, fit_length, loudness_lufs, normalize_loudness
from tag.engines.synth import dsp, motion
from tag.engines.synth.parser import Event
from tag.engines.synth.sources import SOURCES, SourceSpec
from tag.engines.synth.sources.places import PLACE_AMBIENCES
from tag.engines.synth.space import (
    BED_RMS,
    PLACES,
    QUIET_DBFS,
    ROOM_TONE_DBFS,
    apply_distance,
    bed,
    default_place,
    quietest_window,
    reverb_ir,
    room_send,
    stereo_copies,
)

TARGET_LUFS = -16.0
CEILING_DB = -1.0
LIMIT_DB = 6.0  # at most this much of a peak goes into the limiter
AMBIENCE_LUFS = -30.0
PLACE_LUFS = -23.0  # a place asked for alone ("in a forest"): its ambience, softer than a sound asked for
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


def pan_gains(pan):
    """Constant-power gains (left, right) for pan -1 (left) .. 0 (centre) .. 1 (right); scalar or array."""
    angle = (np.asarray(pan, dtype=float) + 1) * np.pi / 4
    return np.cos(angle), np.sin(angle)


def channel_gains(
    event: Event, moving: bool, default_pan: float, length: int, stereo: bool, track: np.ndarray | None = None
) -> tuple:
    """Per-channel gains: one for mono; a fixed, travelling or motion-following constant-power pan for stereo."""
    if not stereo:
        return (1.0,)
    pan = event.params.pan if event.params.pan is not None else default_pan
    if track is not None:
        return pan_gains(np.clip(track + 0.3 * pan, -1, 1))
    if moving:  # crosses the stereo field, ending on its own side
        side = 1.0 if pan >= 0 else -1.0
        return pan_gains(np.linspace(-0.8 * side, 0.8 * side, length))
    return pan_gains(float(pan))


MOST_LAYERS = 4


def render_event(spec: SourceSpec, event: Event, seed: int, index: int, n: int, sr: int) -> np.ndarray:
    """The source's samples; for "many" of a single voice, a few takes layered: other rngs, pitches, delays."""
    rng = event_rng(seed, index, event.source)
    x = np.nan_to_num(np.asarray(spec.render(rng, n, sr, event.params), dtype=float))
    layers = min(event.params.group or 1, MOST_LAYERS)
    if layers < 2 or spec.plural or not spec.room:
        return x
    out = x.copy()
    for k in range(1, layers):
        take = event_rng(seed, index, f"{event.source}#{k}")
        params = replace(event.params, pitch=event.params.pitch * take.uniform(0.88, 1.14))
        y = np.nan_to_num(np.asarray(spec.render(take, n, sr, params), dtype=float))
        delay = int(take.uniform(0.05, 0.7) * sr) if n > sr else 0
        peak = np.max(np.abs(y)) + 1e-12
        out[delay:] += y[: n - delay] * take.uniform(0.5, 0.9) * np.max(np.abs(x)) / peak
    return out


def part_places(events: list[Event], parts: int) -> list[str | None]:
    """The place of each part (its first event's)."""
    places: list[str | None] = [None] * parts
    for e in events:
        if places[min(e.part, parts - 1)] is None and e.params.place in PLACES:
            places[min(e.part, parts - 1)] = e.params.place
    return places


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
    room_tone: bool = True,
) -> np.ndarray:
    channels = 2 if stereo else 1
    dry = np.zeros((n, channels), dtype=np.float32)  # float32 buses: long clips stay small
    wets: dict[str | None, np.ndarray] = {}  # one reverb bus per place
    spans = part_spans(parts, n, sr)
    layout = np.random.default_rng([seed, 7919])
    pans = np.linspace(-0.6, 0.6, len(events)) if len(events) > 1 else np.zeros(1)
    layout.shuffle(pans)
    max_distance = 1.0
    acoustic = False
    for index, event in enumerate(events):
        spec = SOURCES[event.source]
        span = spans[min(event.part, len(spans) - 1)]
        length = span.end - span.start
        place = PLACES.get(event.params.place or "")
        moves = event.params.motion or spec.motion
        rendered = motion.needed(moves, length, sr) if moves in motion.MOTIONS else length
        x = render_event(spec, event, seed, index, rendered, sr)
        if place is not None and place.muffle:  # before levelling: muffled, yet as loud as asked
            x = dsp.lowpass(x, place.muffle, sr, order=4)
        x = level(x, sr) * 10 ** (event.gain_db / 20) * (place.dry if place is not None else 1.0)
        x = apply_distance(x, event.params.distance, sr)
        track = None
        if moves in motion.MOTIONS:
            x, track = motion.move(x, moves, length, sr, event_rng(seed, index, "motion"))
        if span.fade_in or span.fade_out:
            env = np.ones(length)
            if span.fade_in:
                env[: span.fade_in] = np.linspace(0, 1, span.fade_in)
            if span.fade_out:
                env[-span.fade_out :] = np.linspace(1, 0, span.fade_out)
            x = x * env
        moving = spec.moving or event.params.moving
        gains = channel_gains(event, moving, float(pans[index]), length, stereo, track)
        send = room_send(event.params.distance, spec.room or place is not None, place)
        max_distance = max(max_distance, event.params.distance)
        acoustic = acoustic or spec.room or place is not None
        if send:
            wet = wets.setdefault(event.params.place if place is not None else None, np.zeros_like(dry))
        for c, g in enumerate(gains):
            dry[span.start : span.end, c] += g * x
            if send:
                wet[span.start : span.end, c] += g * send * x
        if progress:
            progress(85.0 * (index + 1) / len(events))
    for key, wet in wets.items():
        if not np.any(wet):
            continue
        room = PLACES[key] if key is not None else default_place(max_distance)
        rng = np.random.default_rng([seed, 104729, zlib.crc32((key or "").encode())])
        ir = reverb_ir(rng, sr, room.rt60, channels, room.predelay, room.bright, room.echoes)
        for c in range(channels):
            dry[:, c] += signal.oaconvolve(wet[:, c], ir[:, c])[:n]
    add_beds(dry, events, parts, spans, sr, seed)
    out = dry[:, 0] if channels == 1 else dry
    out = to_loudness(out.astype(np.float64), sr, target_lufs)
    if room_tone and acoustic and quietest_window(out, sr) < QUIET_DBFS:
        out = add_room_tone(out, sr, seed)
    return fit_length(fade_edges(out, sr, 0.01), n).astype(np.float32)


def add_beds(bus: np.ndarray, events: list[Event], parts: int, spans: list[Span], sr: int, seed: int) -> None:
    """Lay each part's place bed (forest, street, stadium) under it, fading with the part.

    A part that is only the place's own ambience ("in a forest") already is the bed.
    """
    places = part_places(events, parts)
    for k, place in enumerate(places):
        if place and all(e.source == PLACE_AMBIENCES.get(place) for e in events if min(e.part, parts - 1) == k):
            places[k] = None
    for name in dict.fromkeys(p for p in places if p and PLACES[p].bed):
        kind = PLACES[name].bed
        env = np.zeros(bus.shape[0])
        for span, place in zip(spans, places):
            if place == name:
                piece = np.ones(span.end - span.start)
                if span.fade_in:
                    piece[: span.fade_in] = np.linspace(0, 1, span.fade_in)
                if span.fade_out:
                    piece[-span.fade_out :] = np.linspace(1, 0, span.fade_out)
                env[span.start : span.end] = np.maximum(env[span.start : span.end], piece)
        rng = np.random.default_rng([seed, 15485863, zlib.crc32(name.encode())])
        bus += BED_RMS[kind] * env[:, None] * stereo_copies(bed(kind, rng, bus.shape[0], sr), bus.shape[1], sr)


def add_room_tone(out: np.ndarray, sr: int, seed: int) -> np.ndarray:
    """A faint room tone under the whole clip, so one-shots end in air rather than digital silence."""
    rng = np.random.default_rng([seed, 32452843])
    tone = 10 ** (ROOM_TONE_DBFS / 20)
    air = bed("room", rng, out.shape[0], sr)
    mixed = out + tone * (air if out.ndim == 1 else stereo_copies(air, out.shape[1], sr))
    ceiling = 10 ** (CEILING_DB / 20)
    return np.clip(mixed, -ceiling, ceiling)
