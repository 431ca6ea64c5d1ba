"""Dynamic reprogramming: compose new text-audio pairs from single-event clips.

The event database is the captioned clips whose top label is clearly ahead of
the second (a margin in cosine): those are taken to hold one event, named by
that label.  Each new clip joins 2-3 events left to right; each join is either

* a concatenation, captioned "X before Y" or "X then Y", or
* an overlay (the new event placed at a random offset inside what is there so
  far), captioned "X while Y" or "X as Y",

after bringing every event to the same loudness.  Durations are bounded: with
``s`` concatenated segments every event is cut to ``max_duration / s`` first,
so the whole never exceeds ``max_duration``.  Every random choice comes from one
seeded ``numpy.random.Generator`` drawn in a fixed order, and is drawn before
any audio is touched, so the same seed gives the same clips, and a run resumed
into the same folder continues where it stopped with the clips it would have made.
"""

from __future__ import annotations

import logging
import sys
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from tqdm import tqdm

from tag.audio import decode, encode, fade_edges, fit_length, normalize_loudness
from tag.dataset.clips import UnreadableAudio, at_mel_rate, mel_of, read_clip
from tag.dataset.labels import label_phrase
from tag.dataset.manifest import Dataset, Entry
from tag.dataset.options import DEFAULT_MARGIN, DEFAULT_MAX_DURATION, DEFAULT_MAX_EVENTS
from tag.engines.make_an_audio.mel import MEL

log = logging.getLogger(__name__)

AUDIO = "audio"
RATE = MEL.sample_rate  # composed clips are written at the mel's rate: nothing is resampled twice
Mode = Literal["concat", "overlay"]
CONNECTIVES: dict[Mode, tuple[str, ...]] = {"concat": ("before", "then"), "overlay": ("while", "as")}
EVENT_LUFS = -23.0  # every event is brought to this before joining
_PEAK = 0.98  # a mix louder than this is scaled down as a whole
_MIN_EVENT_SECONDS = 0.1
_CACHE_EVENTS = 256


class ReprogramError(Exception):
    """Reprogramming cannot start; the message is the one line shown."""


def is_single_event(entry: Entry, margin: float) -> bool:
    """A captioned clip whose top label is ``margin`` (cosine) ahead of the second."""
    if entry.source != "caption" or entry.parts or not entry.labels or not entry.scores:
        return False
    if entry.duration < _MIN_EVENT_SECONDS:
        return False
    return len(entry.scores) == 1 or entry.scores[0] - entry.scores[1] >= margin


def event_database(entries: Sequence[Entry], margin: float = DEFAULT_MARGIN) -> list[Entry]:
    return [entry for entry in entries if is_single_event(entry, margin)]


@dataclass(frozen=True)
class Join:
    mode: Mode
    connective: str
    offset: float  # overlays: where in the free room the event starts, 0..1


@dataclass(frozen=True)
class Plan:
    """One composed clip, decided before any audio is read."""

    id: str
    events: tuple[Entry, ...]
    joins: tuple[Join, ...]  # len(events) - 1

    @property
    def segments(self) -> int:
        return 1 + sum(join.mode == "concat" for join in self.joins)

    def caption(self) -> str:
        words = [event_phrase(self.events[0])]
        for join, event in zip(self.joins, self.events[1:]):
            words += [join.connective, event_phrase(event)]
        return " ".join(words)


def event_phrase(entry: Entry) -> str:
    return label_phrase(entry.labels[0])


def plan_clips(
    events: Sequence[Entry], count: int, seed: int, max_events: int = DEFAULT_MAX_EVENTS
) -> list[Plan]:
    """``count`` compositions of 2..max_events events; events of different labels
    when the database has them."""
    if len(events) < 2:
        raise ReprogramError(
            f"the event database has {len(events)} single-event clip(s); at least 2 are needed "
            "(caption more sounds, or lower --margin)"
        )
    by_phrase: dict[str, list[Entry]] = {}
    for event in sorted(events, key=lambda e: e.id):  # the manifest's order must not change the draw
        by_phrase.setdefault(event_phrase(event), []).append(event)
    phrases = sorted(by_phrase)
    pool = [event for phrase in phrases for event in by_phrase[phrase]]
    rng = np.random.default_rng(seed)
    plans = []
    for index in range(count):
        wanted = int(rng.integers(2, max(2, max_events) + 1))
        if len(phrases) >= 2:
            chosen = rng.choice(len(phrases), size=min(wanted, len(phrases)), replace=False)
            picked = tuple(by_phrase[phrases[i]][int(rng.integers(len(by_phrase[phrases[i]])))] for i in chosen)
        else:
            chosen = rng.choice(len(pool), size=min(wanted, len(pool)), replace=False)
            picked = tuple(pool[i] for i in chosen)
        joins = []
        for _ in picked[1:]:
            mode: Mode = "concat" if rng.random() < 0.5 else "overlay"
            options = CONNECTIVES[mode]
            joins.append(Join(mode, options[int(rng.integers(len(options)))], float(rng.random())))
        plans.append(Plan(f"mix-{seed}-{index:05d}", picked, tuple(joins)))
    return plans


def compose(parts: Sequence[np.ndarray], joins: Sequence[Join], max_samples: int) -> np.ndarray:
    """Join loudness-balanced 16 kHz events by ``joins``; at most ``max_samples`` long."""
    segments = 1 + sum(join.mode == "concat" for join in joins)
    cap = max(1, max_samples // segments)
    events = [fade_edges(fit_length(part, min(part.shape[0], cap)), RATE) for part in parts]
    mix = events[0]
    for join, event in zip(joins, events[1:]):
        if join.mode == "concat":
            mix = np.concatenate([mix, event])
        else:
            start = int(join.offset * max(0, mix.shape[0] - event.shape[0]))
            out = np.zeros(max(mix.shape[0], start + event.shape[0]), dtype=np.float32)
            out[: mix.shape[0]] += mix
            out[start : start + event.shape[0]] += event
            mix = out
    peak = float(np.max(np.abs(mix))) if mix.size else 0.0
    if peak > _PEAK:
        mix = mix * (_PEAK / peak)
    return mix.astype(np.float32)


@dataclass
class ReprogramReport:
    events: int = 0
    written: int = 0
    skipped: int = 0  # already in the output manifest
    failed: list[tuple[str, str]] = field(default_factory=list)  # (clip id, why)


class _EventAudio:
    """Events read, resampled to 16 kHz and loudness-balanced once, a few hundred kept."""

    def __init__(self, source: Dataset) -> None:
        self.source = source
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()

    def __call__(self, entry: Entry) -> np.ndarray:
        cached = self._cache.get(entry.id)
        if cached is not None:
            self._cache.move_to_end(entry.id)
            return cached
        clip = read_clip(self.source.resolve_audio(entry))
        wave = normalize_loudness(at_mel_rate(clip.samples, clip.rate), RATE, EVENT_LUFS)
        self._cache[entry.id] = wave
        if len(self._cache) > _CACHE_EVENTS:
            self._cache.popitem(last=False)
        return wave


def reprogram(
    source: Dataset,
    out: Dataset,
    count: int,
    *,
    seed: int = 0,
    max_duration: float = DEFAULT_MAX_DURATION,
    margin: float = DEFAULT_MARGIN,
    max_events: int = DEFAULT_MAX_EVENTS,
    progress: bool | None = None,
) -> ReprogramReport:
    """Compose ``count`` clips from ``source``'s single events into ``out``
    (audio/<id>.wav at 16 kHz, its mel, one manifest line each)."""
    events = event_database(source.entries(), margin)
    plans = plan_clips(events, count, seed, max_events)
    done = out.ids()
    report = ReprogramReport(events=len(events), skipped=sum(plan.id in done for plan in plans))
    load = _EventAudio(source)
    max_samples = round(max_duration * RATE)
    todo = [plan for plan in plans if plan.id not in done]
    show = sys.stderr.isatty() if progress is None else progress
    for plan in tqdm(todo, unit="clip", desc="reprogram", disable=not show, file=sys.stderr):
        try:
            parts = [load(event) for event in plan.events]
        except UnreadableAudio as reason:
            log.warning("skipped %s: an event's audio is unreadable: %s", plan.id, reason)
            report.failed.append((plan.id, str(reason)))
            continue
        wave = compose(parts, plan.joins, max_samples)
        _store(out, plan, wave)
        report.written += 1
    return report


def _store(out: Dataset, plan: Plan, wave: np.ndarray) -> None:
    relative = f"{AUDIO}/{plan.id}.wav"
    path = out.folder / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    # 16-bit WAV (a float WAV's PEAK chunk holds the time of writing, so the same
    # seed would not give the same bytes); the mel is taken from the samples as
    # written, so the sound and its mel agree exactly.
    data = encode(wave, RATE, "wav")
    written, _ = decode(data)
    path.write_bytes(data)
    entry = Entry(
        id=plan.id,
        audio=relative,
        mel=Dataset.mel_name(plan.id),
        duration=written.shape[0] / RATE,
        caption=plan.caption(),
        labels=[event.labels[0] for event in plan.events],
        scores=[event.scores[0] for event in plan.events],
        source="reprogram",
        parts=[event.id for event in plan.events],
    )
    out.add(entry, mel_of(written))

