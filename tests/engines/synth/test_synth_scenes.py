"""Acoustic scenes: a bed that never drops out, events above it, variety, and each place's own marks."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import signal
from synth_acoustics import (
    band_fraction,
    dominant_period,
    envelope,
    foreground_events,
    tonal_prominence,
)

from tag.engines.synth import SynthEngine
from tag.engines.synth.catalogue import examples
from tag.engines.synth.parser import parse
from tag.engines.synth.sources import SOURCES
from tag.engines.synth.sources.scenes import CHIME, MONITOR_HZ

ENGINE = SynthEngine()
SR = ENGINE.sample_rate
EXAMPLES = examples("en")
SCENES = sorted(name for name, spec in SOURCES.items() if spec.render.__module__.endswith(".scenes"))


def render(name: str, seed: int = 0, duration: float = 8.0) -> np.ndarray:
    return ENGINE.generate(EXAMPLES[name], duration, seed=seed).samples.astype(float)


def spectrogram(x: np.ndarray) -> np.ndarray:
    return np.abs(signal.stft(x, SR, nperseg=1024, noverlap=512)[2])


def correlation(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.corrcoef(a.ravel(), b.ravel())[0, 1])


def bed_below_peak_db(x: np.ndarray) -> float:
    """How far the quiet stretches (10th percentile of 50 ms frames) sit under the loudest frame."""
    env = envelope(x, SR, 0.05)
    return float(20 * np.log10(np.percentile(env, 10) / env.max()))


def test_there_are_at_least_eighteen_scenes_all_of_the_background_family() -> None:
    assert len(SCENES) >= 18
    assert {SOURCES[name].family.key for name in SCENES} == {"background"}


@pytest.mark.parametrize("name", SCENES)
def test_a_scene_never_falls_silent_and_has_events_above_its_bed(name: str) -> None:
    for seed in (0, 1):
        x = render(name, seed)
        windows = x[: x.size // (SR // 2) * (SR // 2)].reshape(-1, SR // 2)
        assert 20 * np.log10(np.sqrt(np.mean(windows**2, axis=1)).min()) > -60, "a silent half second"
        assert len(foreground_events(x, SR)) >= 2, "no foreground events stand out of the bed"


@pytest.mark.parametrize("name", SCENES)
def test_a_scene_differs_between_seeds_and_over_time(name: str) -> None:
    a, b = render(name, 0), render(name, 1)
    assert correlation(spectrogram(a), spectrogram(b)) < 0.9
    half = a.size // 2
    assert correlation(spectrogram(a[:half]), spectrogram(a[half : 2 * half])) < 0.9, "sounds like a loop"


def test_a_library_is_a_quiet_bed_under_its_events_a_cafe_a_busy_one() -> None:
    for seed in (0, 1):
        assert bed_below_peak_db(render("library", seed)) < bed_below_peak_db(render("cafe", seed)) - 5


@pytest.mark.parametrize("name", ["airport", "train_station"])
def test_terminals_ring_the_pa_chime(name: str) -> None:
    for seed in (0, 1):
        x = render(name, seed)
        prominent = [tonal_prominence(x, SR, f) for f in CHIME]
        assert sorted(prominent)[1] > 18, prominent  # at least two of the chime's notes stand out as tones
    assert sorted(tonal_prominence(render("cafe"), SR, f) for f in CHIME)[1] < 15


def test_a_kitchen_sizzles_above_4_khz() -> None:
    for seed in (0, 1):
        kitchen = band_fraction(render("kitchen", seed), SR, 4000, 16000)
        assert kitchen > 0.2 and kitchen > 1.5 * band_fraction(render("restaurant", seed), SR, 4000, 16000)


def test_a_jungle_is_dense_with_high_insects() -> None:
    for seed in (0, 1):
        x = render("jungle", seed)
        assert band_fraction(x, SR, 3000, 10000) > 0.3
        assert band_fraction(x, SR, 3000, 10000) > 2 * band_fraction(render("farm", seed), SR, 3000, 10000)
        high = signal.sosfilt(signal.butter(4, (3000, 10000), "bandpass", fs=SR, output="sos"), x)
        env = 20 * np.log10(envelope(high, SR, 0.25) + 1e-9)
        assert np.median(env) - np.percentile(env, 5) < 10, "the insect chorus drops out"


def test_a_hospital_monitor_beeps_with_the_heart() -> None:
    x = render("hospital", 0, 10.0)
    assert tonal_prominence(x, SR, MONITOR_HZ) > 20
    beeps = signal.sosfilt(signal.butter(4, (MONITOR_HZ - 40, MONITOR_HZ + 40), "bandpass", fs=SR, output="sos"), x)
    period = dominant_period(envelope(beeps, SR, 0.01), 0.01, 0.5, 1.5)
    assert 1 / 1.45 < period < 1 / 0.95  # 57 to 87 beats a minute


def test_a_party_keeps_a_dance_beat() -> None:
    x = render("party", 0, 10.0)
    low = signal.sosfilt(signal.butter(4, 150, "lowpass", fs=SR, output="sos"), x)
    period = dominant_period(envelope(low, SR, 0.01), 0.01, 0.3, 0.8)
    assert 60 / 130 < period < 60 / 110


def test_a_night_forest_has_crickets_a_harbour_low_water_and_gulls() -> None:
    assert band_fraction(render("night_forest"), SR, 4000, 5500) > 0.3
    harbour = render("harbour")
    assert band_fraction(harbour, SR, 0, 1000) > 0.5


@pytest.mark.parametrize(
    ("prompt", "scene"),
    [
        ("a busy cafe", "cafe"), ("a coffee shop", "cafe"), ("в кафе играет тихая музыка", "cafe"),
        ("в кофейне", "cafe"), ("шум офиса", "office"), ("в офисе", "office"), ("в аэропорту", "airport"),
        ("a busy train station", "train_station"), ("на вокзале", "train_station"), ("в ресторане", "restaurant"),
        ("в торговом центре", "shopping_mall"), ("a quiet library", "library"), ("в библиотеке", "library"),
        ("в школе", "school"), ("на ферме", "farm"), ("деревня утром", "village"), ("в деревне", "village"),
        ("rainforest", "jungle"), ("в джунглях", "jungle"), ("a forest at night", "night_forest"),
        ("в ночном лесу", "night_forest"), ("в парке", "park"), ("на рынке", "market"), ("a bazaar", "market"),
        ("на кухне", "kitchen"), ("на вечеринке", "party"), ("в спортзале", "gym"), ("в больнице", "hospital"),
        ("в бассейне", "swimming_pool"), ("в порту", "harbour"), ("в гавани", "harbour"), ("a pub", "bar"),
        ("a campsite at night", "campsite"),
    ],
)
def test_scene_words_parse_in_both_languages(prompt: str, scene: str) -> None:
    assert scene in [e.source for e in parse(prompt).events]


def test_a_scene_with_more_named_next_to_it() -> None:
    parsed = parse("a busy cafe with rain outside")
    assert [e.source for e in parsed.events] == ["cafe", "rain"] and not parsed.unknown
