"""The prompt parser, in English and Russian."""

from __future__ import annotations

import pytest

from tag.engines.synth.parser import parse, stem_candidates
from tag.engines.synth.sources import SOURCES
from tag.engines.synth.catalogue import examples

EXAMPLES, EXAMPLES_RU = examples("en"), examples("ru")


def sources(prompt: str) -> list[str]:
    return [e.source for e in parse(prompt).events]


def only(prompt: str):
    events = parse(prompt).events
    assert len(events) == 1, [e.source for e in events]
    return events[0]


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_every_source_has_an_example_prompt_that_parses_to_it(name: str) -> None:
    assert name in SOURCES
    parsed = parse(EXAMPLES[name])
    if name == "ambience":
        assert parsed.events == [] and parsed.unknown == ["zzz"]
    else:
        assert [e.source for e in parsed.events] == [name]
        assert parsed.unknown == []


@pytest.mark.parametrize("name", sorted(EXAMPLES_RU))
def test_every_source_can_be_asked_for_in_russian(name: str) -> None:
    parsed = parse(EXAMPLES_RU[name])
    assert parsed.language == "ru"
    if name == "ambience":
        assert parsed.events == []
    else:
        assert [e.source for e in parsed.events] == [name]
        assert parsed.unknown == []


def test_there_are_at_least_thirty_sources() -> None:
    assert len(SOURCES) >= 30


@pytest.mark.parametrize(
    "prompt", ["rain", "raining", "it rains", "rainy", "дождь", "дождя", "дождём", "под дождем", "дождик"]
)
def test_morphology_finds_rain(prompt: str) -> None:
    assert sources(prompt) == ["rain"]


@pytest.mark.parametrize(
    ("prompt", "expected"),
    [
        ("thunder", "thunder"),
        ("гром", "thunder"),
        ("грома", "thunder"),
        ("громом", "thunder"),
        ("ветер", "wind"),
        ("ветра", "wind"),
        ("ветром", "wind"),
        ("шаги", "footsteps"),
        ("шагов", "footsteps"),
        ("собака лает", "dog"),
        ("dogs barking", "dog"),
        ("часы тикают", "clock"),
        ("clock ticking", "clock"),
        ("dripping", "drip"),
        ("капает вода", "drip"),
        ("crackling fire", "fire"),
        ("треск костра", "fire"),
        ("пение птиц", "birds"),
        ("church bells ringing", "church_bell"),
        ("колокольный звон", "church_bell"),
        ("phone ringing", "phone_ring"),
        ("телефон звонит", "phone_ring"),
        ("будильник", "alarm_clock"),
        ("сирена скорой помощи", "siren"),
        ("аплодисменты", "applause"),
        ("шум толпы", "crowd"),
        ("мотоцикл", "motorbike"),
        ("поезд едет по рельсам", "train"),
        ("самолёт", "aeroplane"),
        ("взрыв", "explosion"),
        ("выстрел лазера", "laser"),
        ("монетка", "coin"),
        ("белый шум", "white_noise"),
        ("розовый шум", "pink_noise"),
        ("коричневый шум", "brown_noise"),
        ("noise", "white_noise"),
    ],
)
def test_synonyms_and_inflections(prompt: str, expected: str) -> None:
    assert sources(prompt) == [expected]


def test_explicit_frequencies_in_both_languages() -> None:
    assert only("a 440 Hz beep").params.freq == 440
    event = only("a low 80 Hz hum")
    assert (event.source, event.params.freq) == ("hum", 80)
    event = only("низкий гул 80 Гц")
    assert (event.source, event.params.freq) == ("hum", 80)
    assert only("a 1.5 kHz tone").params.freq == 1500
    assert only("тон 2,5 кГц").params.freq == 2500
    bare = only("880 Hz")
    assert (bare.source, bare.params.freq) == ("tone", 880)


def test_loudness_distance_density_and_tempo_words() -> None:
    rain, thunder = parse("heavy rain with distant thunder").events
    assert rain.params.density > 1.5 and rain.params.distance == 1.0
    assert thunder.params.distance > 2 and thunder.params.density == 1.0
    assert parse("light rain").events[0].params.density < 0.6
    assert parse("quiet rain").events[0].gain_db < 0
    assert parse("loud siren").events[0].gain_db > 0
    assert parse("fast footsteps").events[0].params.tempo > 1.3
    assert parse("slow footsteps").events[0].params.tempo < 0.8
    ru_rain, ru_thunder = parse("сильный дождь и далёкий гром").events
    assert ru_rain.params.density > 1.5 and ru_thunder.params.distance > 2
    assert parse("тихий дождь").events[0].gain_db < 0
    assert parse("быстрые шаги").events[0].params.tempo > 1.3


def test_modifier_after_the_source_attaches_to_it() -> None:
    steps, rain = parse("footsteps on gravel with rain").events
    assert steps.params.surface == "gravel" and rain.params.surface is None
    assert parse("шаги по снегу").events[0].params.surface == "snow"
    assert parse("a dog barks loudly").events[0].gain_db > 0


def test_counts_and_rates() -> None:
    assert only("three knocks on the door").params.count == 3
    assert only("стук в дверь три раза").params.count == 3
    assert only("2 beeps").params.count == 2
    assert only("clock ticking at 120 bpm").params.bpm == 120
    assert only("heartbeat 60 beats per minute").params.bpm == 60
    assert only("сердцебиение 90 ударов в минуту").params.bpm == 90
    assert only("knocking 2 times per second").params.bpm == 120
    assert only("car engine at 3000 rpm").params.bpm == 3000


def test_then_orders_parts_and_with_overlaps() -> None:
    parsed = parse("a door creaks, then a dog barks")
    assert [(e.source, e.part) for e in parsed.events] == [("door_creak", 0), ("dog", 1)]
    assert parsed.parts == 2
    parsed = parse("rain with thunder and wind")
    assert [(e.source, e.part) for e in parsed.events] == [("rain", 0), ("thunder", 0), ("wind", 0)]
    parsed = parse("дождь, затем гром, потом тишина и шаги")
    assert [(e.source, e.part) for e in parsed.events] == [("rain", 0), ("thunder", 1), ("footsteps", 2)]


def test_compound_words_make_several_sources() -> None:
    assert sources("a thunderstorm") == ["rain", "thunder"]
    assert sources("гроза") == ["rain", "thunder"]


def test_telephone_tones_choose_a_standard_by_word_or_language() -> None:
    assert only("dial tone").params.variant is None  # North American by default in English
    assert only("european dial tone").params.variant == "european"
    assert only("гудок").params.variant == "european"
    assert only("короткие гудки").source == "busy_tone"


def test_unknown_words_are_reported() -> None:
    parsed = parse("rain and a flibbertigibbet")
    assert [e.source for e in parsed.events] == ["rain"]
    assert parsed.unknown == ["flibbertigibbet"]
    parsed = parse("квазар блорп")
    assert parsed.events == [] and parsed.unknown == ["квазар", "блорп"]
    assert parsed.language == "ru"


def test_stems() -> None:
    assert "drip" in stem_candidates("dripping")
    assert "crackle" in stem_candidates("crackling")
    assert "дожд" in stem_candidates("дождём".replace("ё", "е"))
    assert "тикан" in stem_candidates("тиканье")


@pytest.mark.parametrize(
    ("prompt", "expected"),
    [
        ("thunder after rain", [("rain", 0), ("thunder", 1)]),
        ("гром после дождя", [("rain", 0), ("thunder", 1)]),
        ("after the rain, birds sing", [("rain", 0), ("birds", 1)]),
        ("после дождя поют птицы", [("rain", 0), ("birds", 1)]),
        ("after rain and wind birds sing", [("rain", 0), ("wind", 0), ("birds", 1)]),
        ("rain, after that thunder", [("rain", 0), ("thunder", 1)]),
        ("дождь, после этого гром", [("rain", 0), ("thunder", 1)]),
        ("a knock then a dog after a gunshot", [("knock", 0), ("gunshot", 1), ("dog", 2)]),
    ],
)
def test_after_puts_what_follows_it_first(prompt: str, expected: list[tuple[str, int]]) -> None:
    parsed = parse(prompt)
    assert sorted(((e.source, e.part) for e in parsed.events), key=lambda sp: sp[1]) == expected
    assert parsed.unknown == []


def test_words_before_the_later_source_stay_with_it() -> None:
    rain, dog = parse("after heavy rain a distant dog barks").events
    assert rain.params.density > 1.5 and rain.params.distance == 1.0
    assert dog.params.distance > 2 and dog.part == 1


def test_quantity_words_set_density() -> None:
    assert only("many birds").params.density > 1.5
    assert only("стая птиц").params.density > 1.5
    assert only("a few crickets").params.density < 1.0


@pytest.mark.parametrize(
    ("prompt", "source", "place"),
    [
        ("footsteps in a cave", "footsteps", "cave"),
        ("a gunshot in a small room", "gunshot", "room"),
        ("a church bell in a cathedral", "church_bell", "cathedral"),
        ("applause in a concert hall", "applause", "hall"),
        ("a dog barking in the street", "dog", "street"),
        ("birds in a forest", "birds", "forest"),
        ("dripping water in a tunnel", "drip", "tunnel"),
        ("a dog barking underwater", "dog", "underwater"),
        ("footsteps in a bathroom", "footsteps", "bathroom"),
        ("applause in a stadium", "applause", "stadium"),
        ("шаги в пещере", "footsteps", "cave"),
        ("в лесу поют птицы", "birds", "forest"),
        ("аплодисменты в зале", "applause", "hall"),
        ("колокол в соборе", "church_bell", "cathedral"),
        ("аплодисменты на стадионе", "applause", "stadium"),
        ("собака лает на улице", "dog", "street"),
        ("шаги в комнате", "footsteps", "room"),
        ("капает вода в ванной", "drip", "bathroom"),
        ("собака лает под водой", "dog", "underwater"),
        ("шаги в тоннеле", "footsteps", "tunnel"),
    ],
)
def test_place_words_set_the_place(prompt: str, source: str, place: str) -> None:
    parsed = parse(prompt)
    assert [(e.source, e.params.place) for e in parsed.events] == [(source, place)]
    assert parsed.unknown == []


def test_a_small_room_is_a_place_not_a_light_sound() -> None:
    assert only("a gunshot in a small room").params.density == 1.0
    assert only("a church bell").params.place is None  # "church bell" names the bell


def test_a_place_holds_for_its_part_and_after() -> None:
    events = parse("in a cave, dripping water and footsteps, then a gunshot").events
    assert [e.params.place for e in events] == ["cave", "cave", "cave"]
    rain, steps = parse("rain, then footsteps in a cave").events
    assert rain.params.place is None and steps.params.place == "cave"


def test_a_place_alone_is_its_ambience() -> None:
    assert [(e.source, e.params.place) for e in parse("in a forest").events] == [("forest_ambience", "forest")]
    assert [(e.source, e.params.place) for e in parse("в пещере").events] == [("ambience", "cave")]


@pytest.mark.parametrize(
    ("prompt", "motion"),
    [
        ("a car passing by", "pass"),
        ("a car drives past", "pass"),
        ("a helicopter flying over", "pass"),
        ("a car approaching", "approach"),
        ("a train moving away", "recede"),
        ("машина проезжает мимо", "pass"),
        ("вертолёт пролетает над домом", "pass"),
        ("поезд приближается", "approach"),
        ("мотоцикл удаляется", "recede"),
    ],
)
def test_motion_words(prompt: str, motion: str) -> None:
    event = only(prompt)
    assert event.params.motion == motion and event.params.moving
    assert parse(prompt).unknown == []


@pytest.mark.parametrize(
    "prompt",
    ["a dog far away", "a dog in the distance", "a distant dog", "собака вдали", "собака вдалеке", "лай издалека"],
)
def test_far_words(prompt: str) -> None:
    assert only(prompt).params.distance > 2 and parse(prompt).unknown == []


@pytest.mark.parametrize("prompt", ["a dog close by", "a dog nearby", "собака рядом", "собака близко"])
def test_near_words(prompt: str) -> None:
    assert only(prompt).params.distance < 1 and parse(prompt).unknown == []


@pytest.mark.parametrize(
    ("prompt", "group"),
    [
        ("many dogs", 4),
        ("a pack of dogs", 4),
        ("a flock of birds", 4),
        ("a herd of cows", None),  # no cows: the group has nothing to count
        ("several dogs", 3),
        ("a few dogs", 2),
        ("a crowd of dogs", 4),
        ("стая собак", 4),
        ("толпа собак", 4),
        ("несколько собак", 3),
        ("много собак", 4),
    ],
)
def test_group_words(prompt: str, group: int | None) -> None:
    events = parse(prompt).events
    if group is None:
        return
    assert [(e.source, e.params.group) for e in events][0][1] == group


def test_a_crowd_of_people_is_still_a_crowd() -> None:
    assert sources("a crowd of people") == ["crowd"]
    assert sources("толпа людей") == ["crowd"]


def test_intensity_words() -> None:
    assert only("a violent wind").params.density > 2
    assert only("a gentle breeze").gain_db < 0
    assert only("heavy rain").gain_db > 0 and only("light rain").gain_db < 0
    assert [(e.source, e.params.distance) for e in parse("a distant rumble").events] == [("thunder", 3.0)]


@pytest.mark.parametrize(
    ("prompt", "expected"),
    [
        ("a knock before a gunshot", [("knock", 0), ("gunshot", 1)]),
        ("стук перед выстрелом", [("knock", 0), ("gunshot", 1)]),
        ("гром до того как пошёл дождь", [("thunder", 0), ("rain", 1)]),
        ("before the rain, birds sing", [("birds", 0), ("rain", 1)]),
        ("rain, before that thunder", [("thunder", 0), ("rain", 1)]),
        ("a dog barks, followed by a gunshot", [("dog", 0), ("gunshot", 1)]),
        ("a dog barks and then a gunshot", [("dog", 0), ("gunshot", 1)]),
        ("a dog barks while it rains", [("dog", 0), ("rain", 0)]),
        ("собака лает, пока идёт дождь", [("dog", 0), ("rain", 0)]),
        ("birds sing as the rain falls", [("birds", 0), ("rain", 0)]),
    ],
)
def test_before_and_while(prompt: str, expected: list[tuple[str, int]]) -> None:
    parsed = parse(prompt)
    assert sorted(((e.source, e.part) for e in parsed.events), key=lambda sp: sp[1]) == expected
    assert parsed.unknown == []


def test_before_without_a_later_source_is_only_a_preposition() -> None:
    parsed = parse("шаги до двери")
    assert [e.source for e in parsed.events] == ["footsteps"] and parsed.unknown == []


def test_asking_for_silence_is_noted() -> None:
    assert parse("a gunshot, then silence").silence and not parse("a gunshot").silence
