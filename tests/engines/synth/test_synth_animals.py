"""Animals: hoof rhythms, call pitches and contours, insect wing buzzes, and their names in both languages."""

from __future__ import annotations

import numpy as np
import pytest
from synth_acoustics import (
    band_fraction,
    centroid,
    envelope,
    median_pitch,
    modulation_peak,
    onsets,
    peak_frequency,
    pitch_track,
    raw,
    spectrogram_correlation,
)

from tag.engines.synth.parser import parse

SR = 32000


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_gallop_is_groups_of_three_or_four_hoof_beats(seed: int) -> None:
    found = onsets(raw("horse_gallop", seed=seed), SR, min_gap=0.03, rise_db=8)
    groups = np.split(found, np.flatnonzero(np.diff(found) > 0.1) + 1)
    sizes = np.array([g.size for g in groups[1:-1]])
    assert sizes.size >= 15 and np.mean((sizes >= 3) & (sizes <= 4)) > 0.8
    strides = np.diff([g[0] for g in groups])
    assert 1.6 < 1 / np.median(strides) < 3.2


def test_a_canter_is_groups_of_three() -> None:
    assert parse("a horse cantering").events[0].params.tempo < 0.9
    found = onsets(raw("horse_gallop", tempo=0.75), SR, min_gap=0.03, rise_db=8)
    sizes = np.array([g.size for g in np.split(found, np.flatnonzero(np.diff(found) > 0.14) + 1)[1:-1]])
    assert sizes.size >= 10 and np.mean(sizes == 3) > 0.7


def test_a_trot_is_an_even_two_beat() -> None:
    gaps = np.diff(onsets(raw("horse_trot"), SR, min_gap=0.1))
    assert 0.25 < np.median(gaps) < 0.5 and np.std(gaps) / np.mean(gaps) < 0.2


def test_a_wolf_howl_is_a_long_sustained_glide() -> None:
    _, f0, strength = pitch_track(raw("wolf", 5.0, count=1), SR, 150, 1200)
    env = envelope(raw("wolf", 5.0, count=1), SR, 0.01)[: f0.size]
    held = (strength[: env.size] > 0.6) & (env > 0.2 * env.max())
    assert held.sum() * 0.01 > 1.5  # seconds of steady tone
    assert f0[held].max() / f0[held].min() > 1.3


def test_a_cuckoo_falls_by_about_a_major_third() -> None:
    _, f0, strength = pitch_track(raw("cuckoo"), SR, 300, 1200)
    env = envelope(raw("cuckoo"), SR, 0.01)[: f0.size]
    sung = f0[(strength[: env.size] > 0.7) & (env > 0.2 * env.max())]
    low, high = np.percentile(sung, 15), np.percentile(sung, 85)
    assert 0.72 < low / high < 0.86 and 550 < high < 850


@pytest.mark.parametrize(("name", "low", "high"), [("bees", 195, 255), ("mosquito", 420, 680), ("fly", 160, 220)])
def test_insects_buzz_at_their_wing_rate(name: str, low: float, high: float) -> None:
    x = raw(name)
    assert low < peak_frequency(x, SR, 100, 900) < high or low < peak_frequency(x, SR, low * 0.75, high * 1.3) < high
    freqs = np.fft.rfftfreq(x.size, 1 / SR)
    mag = np.abs(np.fft.rfft(x))
    fundamental = peak_frequency(x, SR, low * 0.75, high * 1.3)
    near = mag[np.abs(freqs - fundamental) < 15].max()
    assert near > 8 * np.median(mag[(freqs > 80) & (freqs < 2000)])  # a strong harmonic buzz, not noise


def test_seagulls_are_not_songbirds() -> None:
    gulls, birds = raw("seagulls"), raw("birds")
    assert band_fraction(gulls, SR, 700, 2500) > 3 * band_fraction(birds, SR, 700, 2500)
    assert centroid(gulls, SR) < centroid(birds, SR)


@pytest.mark.parametrize(
    ("name", "low", "high"),
    [("cow", 90, 200), ("owl", 280, 450), ("pigeon", 320, 500), ("sheep", 200, 350), ("horse_neigh", 500, 1300),
     ("dog_whimper", 600, 1300), ("whale", 100, 800)],
)
def test_calls_have_their_species_pitch(name: str, low: float, high: float) -> None:
    assert low < median_pitch(raw(name), SR, 50, 1500, 0.3) < high


def test_big_cats_rumble_low_and_owls_hoot_pure() -> None:
    for name in ("lion", "tiger", "dog_growl"):
        assert centroid(raw(name), SR) < 1300
    assert band_fraction(raw("owl"), SR, 250, 500) > 0.8
    assert band_fraction(raw("crow"), SR, 2000, 8000) > band_fraction(raw("owl"), SR, 2000, 8000) + 0.1


def test_a_woodpecker_drums_and_a_cat_purrs_at_their_rates() -> None:
    assert 13 < modulation_peak(raw("woodpecker"), SR, 5, 40, frame=0.005) < 24
    assert 20 < modulation_peak(raw("purring_cat"), SR, 5, 40, frame=0.005) < 32
    assert band_fraction(raw("purring_cat"), SR, 0, 1000) > 0.8


def test_high_and_hissing_animals() -> None:
    assert band_fraction(raw("dolphin"), SR, 5000, 16000) > 0.8
    assert band_fraction(raw("bats"), SR, 5000, 16000) > 0.8
    assert band_fraction(raw("snake_hiss"), SR, 2500, 16000) > 0.9


@pytest.mark.parametrize(
    "name", ["horse_neigh", "cow", "rooster", "chickens", "duck", "goose", "pig", "sheep", "lion", "wolf", "owl",
             "crow", "seagulls", "pigeon", "woodpecker", "cuckoo", "monkeys", "whale", "dolphin", "elephant", "donkey"],
)
def test_another_seed_is_another_take(name: str) -> None:
    assert spectrogram_correlation(raw(name, 6.0, 0), raw(name, 6.0, 1), SR) < 0.9


@pytest.mark.parametrize(
    ("prompt", "expected"),
    [
        ("лошадь", "horse_neigh"), ("лошади", "horse_neigh"), ("ржание", "horse_neigh"), ("a horse", "horse_neigh"),
        ("horse neighing", "horse_neigh"), ("galloping horse", "horse_gallop"), ("галоп", "horse_gallop"),
        ("лошадь скачет", "horse_gallop"), ("horse trotting", "horse_trot"), ("цокот копыт", "horse_trot"),
        ("кукарекает петух", "rooster"), ("rooster crowing", "rooster"), ("петух", "rooster"),
        ("мычит корова", "cow"), ("коровы", "cow"), ("cows mooing", "cow"),
        ("куры", "chickens"), ("hens clucking", "chickens"), ("утка", "duck"), ("ducks quacking", "duck"),
        ("гуси", "goose"), ("geese", "goose"), ("свинья хрюкает", "pig"), ("pigs", "pig"),
        ("овцы", "sheep"), ("баран", "sheep"), ("коза", "goat"), ("goats", "goat"),
        ("рычит лев", "lion"), ("лев рычит", "lion"), ("рёв льва", "lion"), ("lions roaring", "lion"),
        ("тигр", "tiger"),
        ("воет волк", "wolf"), ("волки", "wolf"), ("howling wolves", "wolf"), ("wolf howls", "wolf"),
        ("ухает сова", "owl"), ("совы", "owl"), ("owls hooting", "owl"), ("филин", "owl"),
        ("вороны каркают", "crow"), ("crows", "crow"), ("чайки кричат", "seagulls"), ("чайка", "seagulls"),
        ("seagulls", "seagulls"), ("gulls crying", "seagulls"), ("голуби", "pigeon"), ("doves cooing", "pigeon"),
        ("дятел", "woodpecker"), ("дятел стучит", "woodpecker"), ("кукушка", "cuckoo"), ("кукует", "cuckoo"),
        ("жужжат пчёлы", "bees"), ("пчёлы жужжат", "bees"), ("bees", "bees"), ("a swarm of bees", "bees"),
        ("комар пищит", "mosquito"), ("комары", "mosquito"), ("mosquitoes", "mosquito"),
        ("муха жужжит", "fly"), ("flies buzzing", "fly"),
        ("мурлычет кошка", "purring_cat"), ("кот мурлычет", "purring_cat"), ("purring", "purring_cat"),
        ("мурлыканье", "purring_cat"), ("змея шипит", "snake_hiss"), ("шипит кошка", "cat_hiss"),
        ("слон", "elephant"), ("elephants", "elephant"), ("обезьяны", "monkeys"), ("monkeys", "monkeys"),
        ("кит", "whale"), ("whales", "whale"), ("дельфины", "dolphin"), ("dolphins", "dolphin"),
        ("собака рычит", "dog_growl"), ("dog growling", "dog_growl"), ("собака скулит", "dog_whimper"),
        ("летучая мышь", "bats"), ("осёл", "donkey"), ("a dog barking", "dog"), ("a cat meowing", "cat"),
    ],
)
def test_animals_by_their_english_and_russian_words(prompt: str, expected: str) -> None:
    parsed = parse(prompt)
    assert [e.source for e in parsed.events] == [expected] and parsed.unknown == []


def test_animal_verbs_describe_their_animal() -> None:
    assert [e.source for e in parse("a rooster crowing and a dog barking").events] == ["rooster", "dog"]
    assert [e.source for e in parse("wind howling").events] == ["wind"]
