"""Human voices and body sounds: speech rhythm and pitch, laughter, crying, coughs, tunes, breathing."""

from __future__ import annotations

import numpy as np
import pytest
from synth_acoustics import (
    band_fraction,
    centroid,
    dominant_period,
    envelope,
    median_pitch,
    modulation_peak,
    onsets,
    peak_frequency,
    pitch_track,
    raw,
    spectrogram_correlation,
)

from tag.engines.synth import dsp
from tag.engines.synth.parser import parse

SR = 32000
SPEECH = ("man_speaking", "woman_speaking", "child_speaking", "conversation", "whispering")


@pytest.mark.parametrize("name", SPEECH)
@pytest.mark.parametrize("seed", [0, 1])
def test_speech_sits_in_the_voice_band_and_pulses_at_syllable_rate(name: str, seed: int) -> None:
    x = raw(name, seed=seed)
    assert band_fraction(x, SR, 300, 3000) > 0.6
    assert 3.0 <= modulation_peak(x, SR, 1.5, 15) <= 7.0


@pytest.mark.parametrize("name", ["man_speaking", "woman_speaking", "child_speaking", "whispering"])
def test_speech_pauses_between_phrases(name: str) -> None:
    env = envelope(raw(name), SR, 0.05)
    quiet = env < 0.05 * np.median(env[env > 0.1 * env.max()])
    # Runs of at least 0.25 s of near-silence: the pauses between phrases.
    runs, length = 0, 0
    for q in quiet:
        length = length + 1 if q else 0
        runs += length == 5
    assert runs >= 3


def test_women_and_children_speak_higher_than_men() -> None:
    man, woman, child = (median_pitch(raw(f"{w}_speaking"), SR, 60, 500) for w in ("man", "woman", "child"))
    assert 80 < man < 170
    assert man * 1.4 < woman < child


def test_a_conversation_alternates_a_low_and_a_high_voice() -> None:
    _, f0, strength = pitch_track(raw("conversation", 16.0), SR, 60, 500)
    voiced = f0[strength > 0.5]
    assert np.mean(voiced < 160) > 0.15 and np.mean(voiced > 170) > 0.15


def test_intonation_moves_within_a_phrase() -> None:
    _, f0, strength = pitch_track(raw("man_speaking"), SR, 60, 500)
    voiced = f0[strength > 0.5]
    assert np.percentile(voiced, 90) / np.percentile(voiced, 10) > 1.2  # not a monotone


def _voicing(x: np.ndarray) -> float:
    """Median periodicity of the loud frames: near 1 for a voiced tone, near 0 for noise."""
    _, _, strength = pitch_track(x, SR, 60, 500)
    env = envelope(x, SR, 0.01)[: strength.size]
    return float(np.median(strength[: env.size][env > 0.2 * env.max()]))


def test_whispering_has_no_pitch_but_talking_does() -> None:
    assert _voicing(raw("whispering")) < 0.35
    assert _voicing(raw("woman_speaking")) > 0.5


@pytest.mark.parametrize("name", ["man_laughing", "woman_laughing", "baby_laughing"])
def test_laughter_is_ha_ha_at_four_to_seven_a_second(name: str) -> None:
    assert 3.5 <= modulation_peak(raw(name), SR, 1.5, 15) <= 7.5


def test_a_womans_laugh_is_higher_than_a_mans_and_a_baby_cries_high() -> None:
    woman, man = (median_pitch(raw(f"{w}_laughing"), SR, 80, 800, 0.2) for w in ("woman", "man"))
    assert woman > 1.3 * man
    assert 330 < median_pitch(raw("baby_crying"), SR, 150, 900) < 700


def test_scream_is_high_and_shout_is_a_raised_voice() -> None:
    assert median_pitch(raw("scream"), SR, 200, 1600, 0.0) > 600
    assert 180 < median_pitch(raw("shout"), SR, 100, 600, 0.0) < 420


def test_a_sneeze_builds_up_voiced_then_bursts_into_hiss() -> None:
    x = raw("sneeze", 3.0, count=1)
    hiss = envelope(dsp.bandpass(x, 3000, 8000, SR), SR, 0.02)
    voiced = envelope(dsp.bandpass(x, 150, 1000, SR), SR, 0.02)
    burst = int(np.argmax(hiss))
    assert np.flatnonzero(voiced > 0.2 * voiced.max())[0] < burst - 10  # at least 0.2 s of "ah" first
    assert hiss[burst] > 5 * np.median(hiss[: max(burst - 10, 1)])


@pytest.mark.parametrize(("name", "low", "high"), [("cough", 1, 12), ("hiccup", 2, 9)])
def test_coughs_and_hiccups_are_separate_abrupt_events(name: str, low: int, high: int) -> None:
    found = onsets(raw(name), SR, min_gap=0.2)
    assert low <= found.size <= high


def test_snoring_and_breathing_cycle_every_few_seconds() -> None:
    for name in ("snoring", "breathing"):
        x = raw(name, 16.0)
        assert 2.0 < dominant_period(envelope(x, SR, 0.05), 0.05, 1.5, 8.0) < 7.0
    assert band_fraction(raw("snoring"), SR, 0, 1500) > 0.7


def _notes(x: np.ndarray, low: float, high: float) -> int:
    _, f0, strength = pitch_track(x, SR, low, high)
    semis = np.round(12 * np.log2(f0[strength > 0.7] / 100.0))
    values, counts = np.unique(semis, return_counts=True)
    return int((counts > 5).sum())


def test_whistling_humming_and_singing_carry_a_tune() -> None:
    whistle = raw("whistling")
    assert 800 < peak_frequency(whistle, SR, 300, 5000) < 3000
    assert _notes(whistle, 500, 3500) >= 4
    hum = raw("humming")
    assert centroid(hum, SR) < 900 and _notes(hum, 70, 500) >= 4
    assert _notes(raw("singing"), 80, 800) >= 4


def test_one_person_clapping_keeps_a_loose_beat() -> None:
    found = onsets(raw("hand_clap"), SR, min_gap=0.15)
    gaps = np.diff(found)
    assert 1.5 < 1 / np.median(gaps) < 4.0
    assert 0.01 < np.std(gaps) / np.mean(gaps) < 0.35  # steady, but a person, not a metronome


def test_a_cheering_crowd_is_louder_up_high_than_a_murmur() -> None:
    assert centroid(raw("cheering_crowd"), SR) > centroid(raw("crowd"), SR)
    assert median_pitch(raw("playground"), SR, 100, 1200, 0.3) > 250


@pytest.mark.parametrize(
    "name", ["man_speaking", "conversation", "man_laughing", "baby_crying", "cough", "sneeze", "whistling", "singing",
             "hiccup", "chewing", "gulping", "playground"],
)
def test_another_seed_is_another_take(name: str) -> None:
    assert spectrogram_correlation(raw(name, 6.0, 0), raw(name, 6.0, 1), SR) < 0.9


@pytest.mark.parametrize(
    ("prompt", "expected"),
    [
        ("a man talking", "man_speaking"), ("man speaking", "man_speaking"), ("male voice", "man_speaking"),
        ("мужчина говорит", "man_speaking"), ("мужской голос", "man_speaking"), ("говорит мужчина", "man_speaking"),
        ("woman speaking", "woman_speaking"), ("женский голос", "woman_speaking"),
        ("женщина говорит", "woman_speaking"), ("child talking", "child_speaking"),
        ("ребёнок говорит", "child_speaking"), ("разговор", "conversation"), ("беседа", "conversation"),
        ("two people talking", "conversation"), ("whispering", "whispering"), ("шёпот", "whispering"),
        ("шепчет", "whispering"), ("laughter", "man_laughing"), ("смех", "man_laughing"),
        ("смеётся", "man_laughing"), ("женщина смеётся", "woman_laughing"), ("baby laughing", "baby_laughing"),
        ("младенец смеётся", "baby_laughing"), ("плач младенца", "baby_crying"), ("ребёнок плачет", "baby_crying"),
        ("a crying baby", "baby_crying"), ("кашель", "cough"), ("кашляет", "cough"), ("coughing", "cough"),
        ("чихает", "sneeze"), ("sneezing", "sneeze"), ("храп", "snoring"), ("храпит", "snoring"),
        ("snoring", "snoring"), ("крик", "scream"), ("кричит", "scream"), ("screaming", "scream"),
        ("shouting", "shout"), ("свист", "whistling"), ("насвистывает", "whistling"), ("whistling", "whistling"),
        ("humming", "humming"), ("напевает", "humming"), ("singing", "singing"), ("певица", "singing"),
        ("breathing", "breathing"), ("дышит", "breathing"), ("sighs", "sigh"), ("вздыхает", "sigh"),
        ("gasping", "gasp"), ("yawning", "yawn"), ("зевота", "yawn"), ("chewing", "chewing"), ("жуёт", "chewing"),
        ("gulping", "gulping"), ("глотает", "gulping"), ("hiccups", "hiccup"), ("икает", "hiccup"),
        ("hand claps", "hand_clap"), ("хлопки в ладоши", "hand_clap"), ("crowd cheering", "cheering_crowd"),
        ("ликующая толпа", "cheering_crowd"), ("playground", "playground"), ("детская площадка", "playground"),
        ("a man and a woman talking", "conversation"), ("девочка смеётся", "baby_laughing"),
        ("children laughing", "playground"), ("мальчик говорит", "child_speaking"),
    ],
)
def test_human_sounds_by_their_english_and_russian_words(prompt: str, expected: str) -> None:
    parsed = parse(prompt)
    assert [e.source for e in parsed.events] == [expected] and parsed.unknown == []


def test_voices_beside_other_sounds() -> None:
    assert [e.source for e in parse("a kettle whistling").events] == ["kettle_whistle"]
    assert [e.source for e in parse("birds singing").events] == ["birds"]
    assert [e.source for e in parse("rain and a man talking").events] == ["rain", "man_speaking"]


def test_counts_and_tempo_are_honoured() -> None:
    assert parse("three coughs").events[0].params.count == 3
    assert onsets(raw("cough", 8.0, count=3), SR, min_gap=0.2).size == 3
    assert onsets(raw("sneeze", 8.0, count=2), SR, min_gap=0.5, rise_db=15).size >= 2
    slow, fast = (
        np.median([modulation_peak(raw("man_speaking", seed=s, tempo=t), SR, 1.5, 15) for s in range(3)])
        for t in (0.6, 1.7)
    )
    assert fast > slow * 1.4  # "fast talking" talks faster
