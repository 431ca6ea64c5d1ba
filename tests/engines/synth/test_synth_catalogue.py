"""The catalogue front ends show: families, names in both languages, suggestions."""

from __future__ import annotations

import pytest

from tag.engines.synth.catalogue import examples, listing, suggest
from tag.engines.synth.parser import parse
from tag.engines.synth.sources import SOURCES


@pytest.mark.parametrize("language", ["en", "ru"])
def test_the_listing_holds_every_source_but_the_fallback_once_with_an_example_that_makes_it(language: str) -> None:
    listed = [s for _, members in listing(language) for s in members]
    assert sorted(s.name for s in listed) == sorted(set(SOURCES) - {"ambience"})
    for s in listed:
        assert [e.source for e in parse(s.example).events] == [s.name]


def test_titles_and_families_speak_the_users_language() -> None:
    ru = {s.name: s for _, members in listing("ru") for s in members}
    assert ru["rain"].title == "дождь" and ru["rain"].family == "Природа"
    en = {s.name: s for _, members in listing("en") for s in members}
    assert en["rain"].title == "rain" and en["rain"].family == "Natural sounds"
    assert examples("ru")["rain"] == ru["rain"].example


@pytest.mark.parametrize(
    ("words", "language", "first"),
    [(["thuner"], "en", "thunder"), (["raine"], "en", "rain"), (["громм"], "ru", "thunder"), (["сабака"], "ru", "dog")],
)
def test_a_misspelt_word_suggests_the_sound_it_was_meant_to_be(words, language, first) -> None:
    assert suggest(words, language)[0].name == first


def test_with_nothing_close_the_suggestions_are_still_a_few_different_sounds() -> None:
    offered = suggest(["qwzx"], "en", count=4)
    assert len(offered) == 4 and len({s.family for s in offered}) >= 3


def test_no_phrase_names_two_different_sounds() -> None:
    from tag.engines.synth.catalogue import phrases

    meaning: dict[str, str] = {}
    for text, sources, _ in phrases():
        assert meaning.setdefault(text, sources) == sources, f"{text!r} means both {meaning[text]} and {sources}"
