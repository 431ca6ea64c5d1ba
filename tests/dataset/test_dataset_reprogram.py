"""Dynamic reprogramming: composed durations, captions and parts agree; the seed decides all."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from tag.audio import loudness_lufs
from tag.dataset import Dataset, Entry
from tag.dataset.clips import at_mel_rate, mel_of, read_clip
from tag.dataset.reprogram import CONNECTIVES, RATE, ReprogramError, event_database, plan_clips, reprogram

from support.dataset import write_sound

# label -> (prompt, seconds, gain); seconds are whole 16 kHz samples at 32 kHz.
EVENTS = {"Dog": ("a dog barking", 1.0, 1.0), "Rain": ("rain", 1.5, 1.0), "Siren": ("a siren", 0.75, 1.0)}
CONNECTIVE_MODE = {word: mode for mode, words in CONNECTIVES.items() for word in words}


def add_clip(dataset: Dataset, path: Path, labels: list[str], scores: list[float], source: str = "caption") -> Entry:
    clip = read_clip(path)
    entry = Entry(
        id=path.stem, audio=str(path), mel=Dataset.mel_name(path.stem), duration=clip.duration,
        caption=labels[0].lower(), labels=labels, scores=scores, source=source,  # type: ignore[arg-type]
        parts=["x", "y"] if source == "reprogram" else [],
    )
    dataset.add(entry, mel_of(at_mel_rate(clip.samples, clip.rate)))
    return entry


def make_source(folder: Path, events: dict[str, tuple[str, float, float]] = EVENTS) -> Dataset:
    """Single events of known lengths, and clips that must not be taken as events."""
    dataset = Dataset(folder / "ds")
    for seed, (label, (prompt, seconds, gain)) in enumerate(events.items()):
        path = write_sound(folder / "sounds" / f"{label.lower()}.wav", prompt, seconds, seed=seed, rate=32000)
        if gain != 1.0:
            samples, rate = sf.read(path, dtype="float32")
            sf.write(path, samples * gain, rate, subtype="FLOAT")
        add_clip(dataset, path, [label, "Other"], [0.6, 0.2])
    ambiguous = write_sound(folder / "sounds" / "both.wav", "piano", 2.0, seed=9, rate=32000)
    add_clip(dataset, ambiguous, ["Piano", "Guitar"], [0.40, 0.39])  # two labels neck and neck
    composed = write_sound(folder / "sounds" / "mix.wav", "a bell", 2.0, seed=9, rate=32000)
    add_clip(dataset, composed, ["Bell", "Dog"], [0.6, 0.1], source="reprogram")
    return dataset


@pytest.fixture
def source(tmp_path: Path) -> Dataset:
    return make_source(tmp_path)


def test_the_event_database_holds_single_captioned_events(source: Dataset) -> None:
    assert sorted(e.labels[0] for e in event_database(source.entries(), margin=0.05)) == ["Dog", "Rain", "Siren"]
    assert "Piano" in [e.labels[0] for e in event_database(source.entries(), margin=0.0)]


def expected_samples(parts: list[int], connectives: list[str], cap: int) -> int:
    """Concatenation adds lengths; an overlay fits inside what is there or outgrows it."""
    segments = 1 + sum(CONNECTIVE_MODE[c] == "concat" for c in connectives)
    lengths = [min(n, max(1, cap // segments)) for n in parts]
    total = lengths[0]
    for connective, n in zip(connectives, lengths[1:]):
        total = total + n if CONNECTIVE_MODE[connective] == "concat" else max(total, n)
    return total


@pytest.mark.parametrize("max_duration", [100.0, 2.0])
def test_composed_durations_captions_and_parts_agree(tmp_path: Path, source: Dataset, max_duration: float) -> None:
    out = Dataset(tmp_path / "new")
    report = reprogram(source, out, 24, seed=3, max_duration=max_duration)
    assert (report.events, report.written, report.failed) == (3, 24, [])
    sources = {e.id: e for e in source.entries()}
    seen_connectives, seen_sizes = set(), set()
    for entry in out.entries():
        assert entry.source == "reprogram" and 2 <= len(entry.parts) <= 3
        parts = [sources[i] for i in entry.parts]
        assert len({p.labels[0] for p in parts}) == len(parts)  # different events
        assert entry.labels == [p.labels[0] for p in parts] and entry.scores == [p.scores[0] for p in parts]
        words = entry.caption.split()
        assert words[0::2] == [p.labels[0].lower() for p in parts]
        connectives = words[1::2]
        assert all(c in CONNECTIVE_MODE for c in connectives)
        seen_connectives.update(connectives)
        seen_sizes.add(len(parts))
        samples = expected_samples([round(p.duration * RATE) for p in parts], connectives, round(max_duration * RATE))
        assert entry.duration == pytest.approx(samples / RATE, abs=1e-9)
        assert entry.duration <= max_duration
        wave, rate = sf.read(out.resolve_audio(entry), dtype="float32")
        assert rate == RATE and wave.shape == (samples,)
        assert np.abs(wave).max() <= 1.0
        assert np.array_equal(out.load_mel(entry), mel_of(wave))  # the mel is the written sound's
    assert seen_connectives == set(CONNECTIVE_MODE) and seen_sizes == {2, 3}


def test_the_same_seed_gives_the_same_clips(tmp_path: Path, source: Dataset) -> None:
    runs = {}
    for name, seed in [("a", 7), ("b", 7), ("c", 8)]:
        out = Dataset(tmp_path / name)
        reprogram(source, out, 6, seed=seed, max_duration=3.0)
        wavs = [out.resolve_audio(e).read_bytes() for e in out.entries()]
        runs[name] = (out.manifest.read_text(encoding="utf-8").replace(f"mix-{seed}-", "mix-"), wavs)
    assert runs["a"] == runs["b"]
    assert runs["a"] != runs["c"]


def test_a_resumed_run_makes_what_a_whole_run_makes(tmp_path: Path, source: Dataset) -> None:
    resumed = Dataset(tmp_path / "resumed")
    reprogram(source, resumed, 3, seed=5)
    report = reprogram(source, resumed, 8, seed=5)
    assert (report.skipped, report.written) == (3, 5)
    whole = Dataset(tmp_path / "whole")
    reprogram(source, whole, 8, seed=5)
    assert resumed.manifest.read_text(encoding="utf-8") == whole.manifest.read_text(encoding="utf-8")


def test_events_are_loudness_balanced(tmp_path: Path) -> None:
    quiet_and_loud = {"Dog": ("a dog barking", 1.0, 1.0), "Rain": ("rain", 1.0, 0.02)}
    source = make_source(tmp_path, quiet_and_loud)
    (quiet,) = [e for e in source.entries() if e.labels[0] == "Rain"]
    (loud,) = [e for e in source.entries() if e.labels[0] == "Dog"]
    gap = abs(loudness_lufs(read_clip(source.resolve_audio(quiet)).samples, 32000)
              - loudness_lufs(read_clip(source.resolve_audio(loud)).samples, 32000))
    assert gap > 25  # 0.02 is -34 dB
    out = Dataset(tmp_path / "new")
    reprogram(source, out, 12, seed=1, max_events=2)
    checked = 0
    for entry in out.entries():
        if entry.caption.split()[1] not in CONNECTIVES["concat"]:
            continue
        wave, _ = sf.read(out.resolve_audio(entry), dtype="float32")
        first = round(source.entries()[[e.id for e in source.entries()].index(entry.parts[0])].duration * RATE)
        halves = [loudness_lufs(wave[:first], RATE), loudness_lufs(wave[first:], RATE)]
        assert abs(halves[0] - halves[1]) < 1.5, (entry.caption, halves)
        checked += 1
    assert checked >= 2


def test_too_few_events_is_a_clear_error(tmp_path: Path, source: Dataset) -> None:
    with pytest.raises(ReprogramError, match="lower --margin"):
        reprogram(source, Dataset(tmp_path / "new"), 2, margin=0.9)
    with pytest.raises(ReprogramError, match="at least 2"):
        plan_clips(event_database(source.entries())[:1], 2, seed=0)
