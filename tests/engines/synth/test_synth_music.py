"""Music sources: notes stay in the asked key, tempo follows bpm, seeds change the tune; key words parse."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import signal
from synth_acoustics import frame_pitches, grid_alignment, in_scale_share, onsets, peak_frequency

from tag.engines.synth import SynthEngine
from tag.engines.synth.parser import parse
from tag.engines.synth.sources import SOURCES, Params
from tag.engines.synth.sources.music import Key, Piece, key_of, melody

ENGINE = SynthEngine()
SR = ENGINE.sample_rate
MUSIC_SOURCES = sorted(name for name, spec in SOURCES.items() if spec.family.key == "music")
PITCHED = [name for name in MUSIC_SOURCES if name != "drums"]


def render(prompt: str, duration: float = 8.0, seed: int = 0) -> np.ndarray:
    return ENGINE.generate(prompt, duration, seed=seed).samples


@pytest.mark.parametrize(
    ("prompt", "tonic", "minor"),
    [
        ("piano chords in A minor", 9, True),
        ("a piano melody in C# major", 1, False),
        ("мелодия на пианино в ля миноре", 9, True),
        ("guitar strumming in E minor", 4, True),
        ("acoustic guitar picking in G major", 7, False),
        ("a harp arpeggio in D major", 2, False),
        ("a violin melody in F major", 5, False),
        ("a flute melody in B minor", 11, True),
        ("organ in C minor", 0, True),
        ("jazz in Bb major", 10, False),
        ("some music in до мажор", 0, False),
    ],
)
@pytest.mark.parametrize("seed", [0, 1])
def test_the_notes_heard_are_in_the_asked_key(prompt: str, tonic: int, minor: bool, seed: int) -> None:
    pitches = frame_pitches(render(prompt, seed=seed), SR, 150, 2500)
    assert pitches.size > 50
    assert in_scale_share(pitches, tonic, minor) >= 0.9
    # A key a tritone away shares only two of seven notes: the measure tells keys apart.
    assert in_scale_share(pitches, (tonic + 6) % 12, minor) < 0.6


def test_a_minor_and_c_sharp_major_sound_different_pitch_sets() -> None:
    a_minor = frame_pitches(render("piano chords in A minor"), SR, 150, 2500)
    c_sharp = frame_pitches(render("piano chords in C# major"), SR, 150, 2500)
    assert in_scale_share(a_minor, 9, True) >= 0.9 and in_scale_share(a_minor, 1, False) < 0.6
    assert in_scale_share(c_sharp, 1, False) >= 0.9 and in_scale_share(c_sharp, 9, True) < 0.6


@pytest.mark.parametrize("name", PITCHED)
def test_every_music_source_keeps_to_one_scale(name: str) -> None:
    rng = np.random.default_rng(3)
    x = SOURCES[name].render(rng, 6 * SR, SR, Params(key="E minor"))
    pitches = frame_pitches(x, SR, *((40, 400) if name == "bass_line" else (150, 2500)))
    noisy = ("dance_loop", "chiptune", "jazz")  # cymbals and brushes put noise peaks between the notes
    assert in_scale_share(pitches, 4, True) >= (0.75 if name in noisy else 0.9)


@pytest.mark.parametrize("bpm", [90, 120, 150])
@pytest.mark.parametrize("seed", [0, 1])
def test_drum_hits_fall_on_the_asked_tempo(bpm: int, seed: int) -> None:
    hits = onsets(render(f"a drum beat at {bpm} bpm", 8.0, seed), SR, min_gap=0.08)
    eighth = 30.0 / bpm
    assert len(hits) >= 12
    assert grid_alignment(hits, eighth) > 0.8
    assert grid_alignment(hits, eighth * 1.13) < 0.5 and grid_alignment(hits, eighth * 0.8) < 0.5


def test_tempo_words_scale_the_default_tempo() -> None:
    hits = onsets(render("fast drums", 8.0), SR, min_gap=0.08)
    assert grid_alignment(hits, 30.0 / 170) > 0.8 and grid_alignment(hits, 30.0 / 100) < 0.5


def _spectrogram(x: np.ndarray) -> np.ndarray:
    return np.log(np.abs(signal.stft(x, SR, nperseg=1024)[2]) + 1e-6).ravel()


@pytest.mark.parametrize("prompt", ["a piano melody in C major", "some music in A minor", "a flute melody in G major"])
def test_seeds_give_different_tunes(prompt: str) -> None:
    a, b = render(prompt, 6.0, 0), render(prompt, 6.0, 1)
    assert np.corrcoef(_spectrogram(a), _spectrogram(b))[0, 1] < 0.9


def test_music_alone_is_a_tune_over_a_beat() -> None:
    x = render("music", 8.0)
    pitches = frame_pitches(x, SR, 200, 2500)
    best = max(in_scale_share(pitches, tonic, minor) for tonic in range(12) for minor in (False, True))
    assert best >= 0.85  # one key throughout, whichever the seed chose
    cymbals = signal.sosfilt(signal.butter(4, 6000, "highpass", fs=SR, output="sos"), x)
    hits = onsets(cymbals, SR, min_gap=0.08)
    assert len(hits) >= 10 and grid_alignment(hits, 0.3) > 0.7  # 100 bpm: eighths every 0.3 s


def test_melodies_walk_the_scale_and_end_phrases_on_the_tonic() -> None:
    rng = np.random.default_rng(0)
    piece = Piece.plan(Params(key="D major"), rng, 20 * SR, SR, bpm=100)
    notes = melody(piece, rng)
    degrees = {(int(m) - 2) % 12 for _, _, m, _ in notes}
    assert degrees <= {0, 2, 4, 5, 7, 9, 11} and len(degrees) >= 4
    eighth_bar = [m for t, _, m, _ in notes if 7 * piece.grid.bar <= t < 8 * piece.grid.bar]
    assert eighth_bar and (int(eighth_bar[-1]) - 2) % 12 == 0


def test_the_key_without_a_tonic_keeps_the_mode() -> None:
    for seed in range(5):
        assert key_of(Params(key="minor"), np.random.default_rng(seed)).minor
        assert not key_of(Params(key="major"), np.random.default_rng(seed)).minor
    assert key_of(Params(key="F# minor"), np.random.default_rng(0)) == Key(6, True)


# --- parsing ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("prompt", "source", "key"),
    [
        ("piano chords in A minor", "piano_chords", "A minor"),
        ("a melody in C major", "piano", "C major"),
        ("a melody in c# major", "piano", "C# major"),
        ("guitar in B flat major", "guitar", "A# major"),
        ("organ in Eb minor", "organ", "D# minor"),
        ("harp in f sharp minor", "harp", "F# minor"),
        ("a sad piano melody", "piano", "minor"),
        ("аккорды фортепиано в ля миноре", "piano_chords", "A minor"),
        ("мелодия в до мажоре", "piano", "C major"),
        ("гитара в ре бемоль мажоре", "guitar", "C# major"),
        ("скрипка фа-диез минор", "strings", "F# minor"),
        ("грустная мелодия на пианино", "piano", "minor"),
        ("песня в тональности соль мажор", "music", "G major"),
        ("drums", "drums", None),
    ],
)
def test_keys_parse_in_both_languages(prompt: str, source: str, key: str | None) -> None:
    parsed = parse(prompt)
    assert [e.source for e in parsed.events] == [source] and parsed.unknown == []
    assert parsed.events[0].params.key == key


@pytest.mark.parametrize(
    ("prompt", "source"),
    [
        ("music", "music"), ("a song", "music"), ("музыка", "music"), ("песня", "music"),
        ("piano", "piano"), ("пианино", "piano"), ("фортепиано", "piano"), ("рояль", "piano"),
        ("guitar", "guitar"), ("на гитаре", "guitar"), ("гитара", "guitar"), ("гитарный перебор", "guitar_picking"),
        ("drums", "drums"), ("барабаны", "drums"), ("ударные", "drums"), ("барабанов", "drums"),
        ("electronic music", "dance_loop"), ("электронная музыка", "dance_loop"), ("techno", "dance_loop"),
        ("аккорды", "piano_chords"), ("мелодия", "piano"), ("a violin", "strings"), ("скрипка", "strings"),
        ("a music box", "music_box"), ("музыкальная шкатулка", "music_box"), ("a lullaby", "lullaby"),
        ("колыбельная", "lullaby"), ("8-bit music", "chiptune"), ("8-битная музыка", "chiptune"),
        ("a bass line", "bass_line"), ("бас-гитара", "bass_line"), ("fanfare", "fanfare"), ("трубы", "fanfare"),
    ],
)
def test_instrument_words_in_both_languages(prompt: str, source: str) -> None:
    parsed = parse(prompt)
    assert [e.source for e in parsed.events] == [source] and parsed.unknown == []


def test_tempo_in_bpm_reaches_the_music() -> None:
    event = parse("a drum beat at 128 bpm").events[0]
    assert event.source == "drums" and event.params.bpm == 128


@pytest.mark.parametrize("voice", ["piano", "guitar", "harp", "bass", "organ", "flute", "bowed", "brass", "music_box"])
@pytest.mark.parametrize("midi", [45, 57, 64, 76])
def test_every_voice_plays_in_tune(voice: str, midi: int) -> None:
    from tag.engines.synth.sources import instruments
    from tag.engines.synth.sources.music import hz

    f = hz(midi)
    x = getattr(instruments, voice)(f, 1.0, SR, np.random.default_rng(0))[int(0.1 * SR) : int(0.9 * SR)]
    cents = 1200 * np.log2(peak_frequency(x, SR, f / 1.2, f * 1.2) / f)
    assert abs(cents) < 6
    # Plucked and struck strings die away; the organ and the bowed and blown voices hold.
    env = np.sqrt(np.mean(x[: SR // 10] ** 2)), np.sqrt(np.mean(x[-SR // 10 :] ** 2))
    if voice in ("piano", "guitar", "harp", "bass", "music_box"):
        assert env[1] < 0.8 * env[0]
    else:
        assert env[1] > 0.5 * env[0]
