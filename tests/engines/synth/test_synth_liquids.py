"""Acoustic checks for water in use and falling: kettle, boiling, pouring, flush, splash, waterfall, hail."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import signal
from scipy.stats import kurtosis
from synth_acoustics import band_fraction, centroid, envelope, level_at, mono, peak_frequency

from tag.engines.synth import SynthEngine
from tag.engines.synth.parser import parse

ENGINE = SynthEngine()
SR = ENGINE.sample_rate


def render(prompt: str, duration: float = 4.0, seed: int = 0) -> np.ndarray:
    return ENGINE.generate(prompt, duration, seed=seed).samples


def band_power(x: np.ndarray, low: float, high: float) -> tuple[np.ndarray, np.ndarray]:
    f, t, z = signal.stft(mono(x), SR, nperseg=2048, noverlap=1536)
    return t, (np.abs(z[(f >= low) & (f <= high)]) ** 2).sum(axis=0)


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_kettle_whistle_is_a_strong_tone_between_1_and_3_khz_that_grows(seed: int) -> None:
    x = render("a whistling kettle", 6.0, seed)
    whistle = peak_frequency(x, SR, 1000, 3000)
    assert level_at(x, SR, whistle, 10) > 40
    t, power = band_power(x, whistle * 0.9, whistle * 1.1)
    assert power[t > 4.5].mean() > 4 * power[(t > 1.5) & (t < 3.0)].mean()  # it swells as the steam builds


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_boiling_builds_up(seed: int) -> None:
    env = envelope(render("boiling water", 6.0, seed), SR, 0.5)
    assert env[-3:].mean() > 1.8 * env[:3].mean()
    assert [e.source for e in parse("чайник кипит").events] == ["boiling"]


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_pouring_into_a_glass_rises_in_resonant_pitch(seed: int) -> None:
    x = render("pouring water into a glass", 6.0, seed)
    early = peak_frequency(x[int(0.5 * SR) : int(1.5 * SR)], SR, 300, 6000)
    late = peak_frequency(x[int(2.8 * SR) : int(3.3 * SR)], SR, 300, 6000)
    assert late > 1.4 * early  # the air column above the water shortens


def test_waterfall_is_a_steady_broadband_roar() -> None:
    x = render("a waterfall", 6.0)
    env = envelope(x, SR, 0.5)
    assert env.std() / env.mean() < 0.15
    assert band_fraction(x, SR, 50, 500) > 0.1 and band_fraction(x, SR, 2000, 12000) > 0.1


@pytest.mark.parametrize("seed", [0, 1])
def test_toilet_flush_gushes_then_drops_to_a_refill_hiss(seed: int) -> None:
    env = envelope(render("a toilet flushing", 8.0, seed), SR, 0.25)
    gush, refill = env[2:8].mean(), env[-6:].mean()  # 0.5-2 s against the last 1.5 s
    assert gush > 2.5 * refill > 0


def test_hail_is_clattering_impacts_not_a_smooth_hiss() -> None:
    x = render("hail falling on a roof", 4.0)
    assert kurtosis(x) > 6
    assert centroid(x, SR) > 1500


def test_underwater_bubbles_sound_low_and_muffled() -> None:
    assert centroid(render("bubbles underwater"), SR) < 1200


@pytest.mark.parametrize("prompt", ["a splash of water", "a toilet flushing", "washing dishes in the sink"])
def test_water_events_differ_between_seeds(prompt: str) -> None:
    spec = [np.abs(signal.stft(render(prompt, 4.0, s), SR, nperseg=1024)[2]).ravel() for s in (0, 1)]
    assert np.corrcoef(*spec)[0, 1] < 0.9


@pytest.mark.parametrize(
    ("prompt", "expected"),
    [
        ("водопад", "waterfall"),
        ("шум водопада", "waterfall"),
        ("waterfalls", "waterfall"),
        ("чайник кипит", "boiling"),
        ("кипящий чайник", "boiling"),
        ("кипящего чайника", "boiling"),
        ("boiling kettle", "boiling"),
        ("a kettle boiling", "boiling"),
        ("вода закипает", "boiling"),
        ("свисток чайника", "kettle_whistle"),
        ("свистящий чайник", "kettle_whistle"),
        ("a kettle", "kettle_whistle"),
        ("kettle whistling", "kettle_whistle"),
        ("смыв унитаза", "toilet_flush"),
        ("унитаз", "toilet_flush"),
        ("flushing toilet", "toilet_flush"),
        ("всплеск", "splash"),
        ("всплески воды", "splash"),
        ("splashing", "splash"),
        ("наливают воду в стакан", "pouring"),
        ("pour water", "pouring"),
        ("пузыри под водой", "bubbling"),
        ("пузырьки", "bubbling"),
        ("bubbling", "bubbling"),
        ("душ", "shower"),
        ("в душе", "shower"),
        ("shower running", "shower"),
        ("моют посуду", "washing_dishes"),
        ("мытьё посуды", "washing_dishes"),
        ("washing dishes", "washing_dishes"),
        ("град", "hail"),
        ("градом", "hail"),
        ("hailstones", "hail"),
    ],
)
def test_water_words_in_both_languages_with_inflections(prompt: str, expected: str) -> None:
    parsed = parse(prompt)
    assert [e.source for e in parsed.events] == [expected] and parsed.unknown == []


def test_a_rain_shower_is_still_rain() -> None:
    assert [e.source for e in parse("a rain shower").events] == ["rain"]
