"""Cooking and everyday one-offs, misspelt words and places named alone."""

from __future__ import annotations

import numpy as np
import pytest
from synth_acoustics import band_fraction, onsets, peak_frequency

from tag.engines.synth import SynthEngine
from tag.engines.synth.parser import parse

ENGINE = SynthEngine()
SR = ENGINE.sample_rate


def render(prompt: str, duration: float = 4.0, seed: int = 0) -> np.ndarray:
    return ENGINE.generate(prompt, duration, seed=seed).samples.astype(float)


def test_frying_is_a_bright_spitting_hiss() -> None:
    x = render("bacon sizzling in a frying pan")
    assert band_fraction(x, SR, 3500, 16000) > 0.6
    assert onsets(x, SR, min_gap=0.02, rise_db=6).size >= 5


def test_chopping_is_runs_of_knocks() -> None:
    hits = onsets(render("chopping vegetables", 6.0), SR, min_gap=0.08)
    assert hits.size >= 4 and np.min(np.diff(hits)) < 0.4


def test_a_cork_pops_then_the_wine_fizzes() -> None:
    x = render("a champagne cork popping")
    first = onsets(x, SR, min_gap=0.2)[0]
    after = x[int((first + 0.3) * SR) : int((first + 1.3) * SR)]
    assert np.sqrt(np.mean(after**2)) > 1e-3 and band_fraction(after, SR, 2000, 9000) > 0.5


def test_a_sonar_ping_is_a_pure_tone_with_an_echo() -> None:
    x = render("a submarine sonar ping", 5.0)
    assert 1000 < peak_frequency(x, SR, 500, 3000) < 1800
    assert onsets(x, SR, min_gap=0.3, rise_db=10).size >= 2


def test_a_burp_is_low_and_voiced() -> None:
    assert band_fraction(render("a man burping", 2.0), SR, 40, 1500) > 0.7


@pytest.mark.parametrize(
    ("prompt", "source", "typed"),
    [("an explossion", "explosion", "explossion"), ("a thundrstorm", "thunder", "thundrstorm")],
)
def test_a_clearly_misspelt_word_is_read_as_the_word_and_said(prompt: str, source: str, typed: str) -> None:
    audio = ENGINE.generate(prompt, 0.3)
    assert source in audio.details["sources"] and audio.details["not_understood"] == []
    assert any(typed in notice for notice in audio.notices)


def test_short_or_far_words_are_not_guessed() -> None:
    assert parse("rian").events == [] and parse("qwzxv").events == []


@pytest.mark.parametrize(
    ("prompt", "source"),
    [("in a forest", "forest_ambience"), ("шум города", "street_ambience"), ("на стадионе", "stadium_ambience"),
     ("sounds of the forest", "forest_ambience")],
)
def test_a_place_named_alone_is_its_ambience(prompt: str, source: str) -> None:
    assert [e.source for e in parse(prompt).events] == [source]


def test_tyres_screech_with_a_squeal_that_sinks() -> None:
    x = ENGINE.generate("tires screeching", 3.0, seed=2).samples.astype(float)
    loud = np.flatnonzero(np.abs(x) > 0.1 * np.abs(x).max())
    first, last = x[loud[0] : loud[0] + SR // 4], x[loud[-1] - SR // 4 : loud[-1]]
    assert 600 < peak_frequency(first, SR, 400, 2500) < 1700
    assert peak_frequency(last, SR, 400, 2500) < peak_frequency(first, SR, 400, 2500)


@pytest.mark.parametrize(
    ("prompt", "expected"),
    [
        ("a clock striking twelve", ["clock"]),  # a real word is not "corrected" to a near one ("strings")
        ("a helicopter hovering overhead", ["helicopter"]),
        ("a motorcycle revving", ["motorbike"]),
        ("горная река", ["stream"]),
        ("скрип снега под ногами", ["footsteps"]),
        ("визг шин", ["tyre_screech"]),
        ("застёгивают молнию", ["zipper"]),
    ],
)
def test_near_words_do_not_add_a_wrong_sound(prompt: str, expected: list[str]) -> None:
    assert [e.source for e in parse(prompt).events] == expected
