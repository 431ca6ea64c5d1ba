"""The synth engine as a whole: protocol, lengths, determinism, notices, mixing."""

from __future__ import annotations

import numpy as np
import pytest
from synth_acoustics import band_fraction, centroid, octave_slope, peak_frequency

from tag.audio import loudness_lufs, peak_db
from tag.engines import Engine, EngineError, create_engine, get_spec
from tag.engines.synth import SynthEngine
from tag.engines.synth.engine import DEFAULT_SEED

SR = SynthEngine().sample_rate


@pytest.fixture(scope="module")
def engine() -> SynthEngine:
    return SynthEngine()


def test_registered_without_weights(settings) -> None:
    spec = get_spec("synth")
    assert spec.priority == 0 and spec.download is None and spec.is_available(settings)
    engine = create_engine("synth", settings)
    assert isinstance(engine, Engine) and engine.name == "synth"


@pytest.mark.parametrize("duration", [0.5, 1.0, 2.345, 7.77])
@pytest.mark.parametrize("stereo", [False, True])
def test_exact_sample_count(engine: SynthEngine, duration: float, stereo: bool) -> None:
    audio = engine.generate("rain with distant thunder, then a dog barks", duration, stereo=stereo)
    assert audio.samples.shape == ((round(duration * SR), 2) if stereo else (round(duration * SR),))
    assert audio.samples.dtype == np.float32 and audio.sample_rate == SR and audio.engine == "synth"
    assert np.isfinite(audio.samples).all() and np.abs(audio.samples).max() <= 1.0


def test_thirty_seconds_is_exact_and_audible_throughout(engine: SynthEngine) -> None:
    audio = engine.generate("heavy rain with thunder and wind", 30.0)
    assert audio.samples.shape == (30 * SR,)
    seconds = audio.samples[: 30 * SR].reshape(30, SR)
    assert (np.sqrt((seconds**2).mean(axis=1)) > 0.01).all()


def test_440_hz_beep_peaks_at_440(engine: SynthEngine) -> None:
    audio = engine.generate("a 440 Hz beep", 3.0)
    assert abs(peak_frequency(audio.samples, SR) - 440) <= 2


@pytest.mark.parametrize("prompt", ["a low 80 Hz hum", "низкий гул 80 Гц"])
def test_low_80_hz_hum_peaks_at_80(engine: SynthEngine, prompt: str) -> None:
    audio = engine.generate(prompt, 3.0)
    assert abs(peak_frequency(audio.samples, SR) - 80) <= 2


@pytest.mark.parametrize(
    ("prompt", "freq"), [("a 1.5 kHz tone", 1500), ("a high tone", 880), ("a low tone", 220), ("тон 300 Гц", 300)]
)
def test_tone_frequencies(engine: SynthEngine, prompt: str, freq: float) -> None:
    assert abs(peak_frequency(engine.generate(prompt, 2.0).samples, SR) - freq) <= 2


@pytest.mark.parametrize(
    ("prompt", "slope"),
    [("white noise", 0.0), ("pink noise", -3.0), ("brown noise", -6.0), ("белый шум", 0.0), ("розовый шум", -3.0)],
)
def test_noise_colours_have_their_spectral_slope(engine: SynthEngine, prompt: str, slope: float) -> None:
    measured = octave_slope(engine.generate(prompt, 4.0).samples, SR)
    assert abs(measured - slope) < 0.8, measured


def test_same_seed_same_samples_other_seed_differs(engine: SynthEngine) -> None:
    prompt = "rain with distant thunder and birds"
    a = engine.generate(prompt, 2.0, seed=7).samples
    b = engine.generate(prompt, 2.0, seed=7).samples
    c = engine.generate(prompt, 2.0, seed=8).samples
    assert np.array_equal(a, b)
    assert not np.allclose(a, c, atol=1e-3)
    default = engine.generate(prompt, 2.0).samples
    assert np.array_equal(default, engine.generate(prompt, 2.0, seed=DEFAULT_SEED).samples)


def test_unknown_prompt_gives_soft_ambience_and_a_warning_with_suggestions(engine: SynthEngine) -> None:
    audio = engine.generate("quantum flibbertigibbet", 3.0)
    assert audio.details["sources"] == ["ambience"]
    assert audio.details["unknown_words"] == ["quantum", "flibbertigibbet"]
    assert audio.notices == []  # not a remark: a warning that this is not what was asked for
    assert audio.warnings == [
        "Nothing in the prompt was recognised as a sound: this is a neutral ambience, not what you asked for. "
        "Not recognised: quantum, flibbertigibbet."
    ]
    assert len(audio.suggestions) == 5
    # Each suggestion is a prompt the engine understands fully.
    for prompt in audio.suggestions:
        tried = engine.generate(prompt, 0.5)
        assert tried.warnings == [] and tried.details["sources"] != ["ambience"], prompt
    level = loudness_lufs(audio.samples, SR)
    assert -36 < level < -24  # audible but soft
    assert engine.generate("", 1.0).details["sources"] == ["ambience"]


def test_partly_unknown_prompt_names_the_words(engine: SynthEngine) -> None:
    audio = engine.generate("rain and a flibbertigibbet", 2.0)
    assert audio.details["sources"] == ["rain"]
    assert audio.details["unknown_words"] == ["flibbertigibbet"]
    assert audio.notices == []
    assert audio.warnings == ["Only part of the prompt was understood: made rain; left out flibbertigibbet."]
    assert audio.suggestions == []  # nothing is close to the left-out word: no popular fillers


def test_warnings_and_suggestions_are_in_the_prompts_language(engine: SynthEngine) -> None:
    nothing = engine.generate("абырвалг", 0.5)
    assert nothing.warnings[0].startswith("В запросе не нашлось ни одного знакомого звука")
    assert nothing.warnings[0].endswith("Не распознано: абырвалг.")
    assert all(any("а" <= c <= "я" for c in p) for p in nothing.suggestions)
    partly = engine.generate("дождь и шмяк", 0.5)
    assert partly.warnings == ["Понята только часть запроса: сделано — дождь; пропущено — шмяк."]


def test_a_misspelt_left_out_word_suggests_the_sound_it_is_near(engine: SynthEngine) -> None:
    # "thuner" is close enough to be read as thunder; "tundr" is only near it.
    audio = engine.generate("rain and tundr", 0.5)
    assert audio.details["sources"] == ["rain"]
    assert audio.suggestions == ["thunder"]


def test_a_fully_understood_prompt_has_no_warnings(engine: SynthEngine) -> None:
    audio = engine.generate("rain with distant thunder", 0.5)
    assert (audio.warnings, audio.suggestions) == ([], [])


def test_details_list_sources_events_and_standards(engine: SynthEngine) -> None:
    audio = engine.generate("dial tone, then a busy signal", 2.0)
    assert audio.details["sources"] == ["dial_tone", "busy_tone"]
    assert [e["part"] for e in audio.details["events"]] == [0, 1]
    assert "350+440" in audio.details["standards"]["dial_tone"]


def test_progress_reports_sampling_then_done(engine: SynthEngine) -> None:
    calls: list[tuple[str, float]] = []
    engine.generate("rain with thunder and wind", 1.0, progress=lambda stage, pct: calls.append((stage, pct)))
    stages = [s for s, _ in calls]
    assert stages[0] == "sampling" and stages[-1] == "done" and calls[-1][1] == 100
    sampling = [p for s, p in calls if s == "sampling"]
    assert len(sampling) >= 4 and sampling == sorted(sampling)


def test_loudness_is_normalised(engine: SynthEngine) -> None:
    for prompt in ("rain", "sea waves", "a 440 Hz tone"):
        assert abs(loudness_lufs(engine.generate(prompt, 3.0).samples, SR) + 16) < 1.0, prompt
    # Sparse clicks reach the peak ceiling (-1 dBFS) before the loudness target.
    ticks = engine.generate("a clock ticking", 3.0).samples
    assert abs(peak_db(ticks) + 1.0) < 0.1 and loudness_lufs(ticks, SR) < -16
    assert loudness_lufs(engine.generate("quiet rain", 3.0).samples, SR) < -20


def test_edges_are_faded(engine: SynthEngine) -> None:
    x = engine.generate("white noise", 1.0).samples
    assert abs(x[0]) < 1e-3 and abs(x[-1]) < 1e-3
    assert np.abs(x[:32]).max() < 0.5 * np.abs(x).max()


def test_stereo_places_sources_apart(engine: SynthEngine) -> None:
    x = engine.generate("a 440 Hz tone with a 1 kHz tone", 2.0, stereo=True).samples
    left, right = x[:, 0], x[:, 1]
    assert not np.allclose(left, right)
    # One tone sits left of centre, the other right: their balance differs per channel.
    assert (peak_frequency(left, SR) == pytest.approx(440, abs=2)) != (
        peak_frequency(right, SR) == pytest.approx(440, abs=2)
    )


def test_then_puts_parts_one_after_the_other(engine: SynthEngine) -> None:
    x = engine.generate("a 440 Hz tone then a 880 Hz tone", 4.0).samples
    assert abs(peak_frequency(x[: int(1.5 * SR)], SR) - 440) <= 2
    assert abs(peak_frequency(x[int(2.5 * SR) :], SR) - 880) <= 2


def test_distance_darkens_and_wets_a_source(engine: SynthEngine) -> None:
    near = engine.generate("rain", 3.0).samples
    far = engine.generate("distant rain", 3.0).samples
    assert centroid(far, SR) < 0.6 * centroid(near, SR)
    assert band_fraction(far, SR, 4000, 16000) < band_fraction(near, SR, 4000, 16000)


def test_bad_duration_is_an_engine_error(engine: SynthEngine) -> None:
    for bad in (0, -1.0, float("nan"), float("inf")):
        with pytest.raises(EngineError):
            engine.generate("rain", bad)


def test_out_of_range_frequencies_and_rates_are_clamped_with_a_notice(engine: SynthEngine) -> None:
    audio = engine.generate("a 99999 Hz tone", 1.0)
    assert abs(peak_frequency(audio.samples, SR) - 0.45 * SR) <= 2
    assert any("99999 Hz" in n for n in audio.notices)
    audio = engine.generate("knocking at 100000 bpm", 1.0)
    assert any("too fast" in n for n in audio.notices)


def test_random_prompts_never_raise(engine: SynthEngine) -> None:
    from tag.engines.synth import vocabulary as vocab

    rng = np.random.default_rng(2024)
    words = [w for phrase, _, _ in vocab.SOURCE_PHRASES for w in phrase.split()]
    words += list(vocab.MODIFIERS) + sorted(vocab.SEQUENCE_WORDS) + sorted(vocab.OVERLAP_WORDS)
    words += [
        "440",
        "hz",
        "3",
        "bpm",
        ",",
        "then",
        "2,5",
        "кгц",
        "0",
        "per",
        "minute",
        "1e9",
        "ñ",
        "🙂",
        "--",
        "x" * 40,
    ]
    for _ in range(30):
        prompt = " ".join(rng.choice(words, rng.integers(1, 12)))
        audio = engine.generate(prompt, 0.5, seed=int(rng.integers(0, 2**32)), stereo=bool(rng.integers(0, 2)))
        assert audio.samples.shape[0] == SR // 2, prompt
        assert np.isfinite(audio.samples).all() and np.abs(audio.samples).max() <= 1.0, prompt


def test_a_passing_aeroplane_crosses_the_stereo_field(engine: SynthEngine) -> None:
    x = engine.generate("an aeroplane flying over", 6.0, stereo=True).samples
    third = x.shape[0] // 3

    def balance(seg: np.ndarray) -> float:
        rms = np.sqrt((seg**2).mean(axis=0))
        return float(20 * np.log10(rms[1] / rms[0]))  # > 0: right-heavy

    first, last = balance(x[:third]), balance(x[-third:])
    assert first * last < 0 and abs(first - last) > 6


def test_warnings_speak_the_language_of_the_prompt(engine: SynthEngine) -> None:
    audio = engine.generate("дождь и квазар", 1.0)
    assert audio.warnings == ["Понята только часть запроса: сделано — дождь; пропущено — квазар."]
    audio = engine.generate("абракадабра", 1.0)
    assert audio.details["sources"] == ["ambience"] and "фон" in audio.warnings[0]
    assert audio.warnings[0].endswith(" Не распознано: абракадабра.")


def test_every_source_has_a_family_a_russian_name_and_examples_in_both_languages() -> None:
    from tag.engines.synth.sources import SOURCES
    from tag.engines.synth.sources.base import FAMILIES

    for name, spec in SOURCES.items():
        assert spec.family in FAMILIES and spec.ru and spec.ru != name, name
        assert all(spec.examples) and any("а" <= c <= "я" for c in spec.examples[1].lower()), name


def test_left_and_right_words_place_sources(engine: SynthEngine) -> None:
    x = engine.generate("a 440 Hz tone on the left and a 880 Hz tone on the right", 2.0, stereo=True).samples
    assert abs(peak_frequency(x[:, 0], SR) - 440) <= 2 and abs(peak_frequency(x[:, 1], SR) - 880) <= 2


def test_a_passing_car_swells_and_crosses(engine: SynthEngine) -> None:
    x = engine.generate("a car passing by", 6.0, stereo=True).samples
    sixth = x.shape[0] // 6
    rms = [float(np.sqrt((x[k * sixth : (k + 1) * sixth] ** 2).mean())) for k in range(6)]
    assert max(rms[2:4]) > 2 * rms[0] and max(rms[2:4]) > 2 * rms[-1]
    first, last = x[:sixth].std(axis=0), x[-sixth:].std(axis=0)
    assert (first[1] - first[0]) * (last[1] - last[0]) < 0  # heavier on one side at the start, the other at the end
