"""How much of everyday English and Russian the synth engine understands (bench/synth_recognition.py)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from tag.engines.synth import SynthEngine

_BENCH = Path(__file__).parents[3] / "bench" / "synth_recognition.py"
_spec = importlib.util.spec_from_file_location("synth_recognition", _BENCH)
assert _spec and _spec.loader
recognition = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = recognition  # its dataclass looks its module up
_spec.loader.exec_module(recognition)

LEAST_SHARE = 0.95


@pytest.mark.parametrize("language", recognition.LANGUAGES)
def test_the_engine_recognises_everyday_prompts(language: str) -> None:
    report = recognition.measure(language)
    misses = [f"{m['prompt']} -> {m['sources'] or 'fallback'} {m['unknown']}" for m in report["misses"]]
    assert report["recognised_share"] >= LEAST_SHARE, (
        f"{language}: {report['recognised']}/{report['prompts']} recognised; misses:\n" + "\n".join(misses)
    )


@pytest.mark.parametrize("language", recognition.LANGUAGES)
def test_each_prompt_file_is_big_enough_and_in_its_language(language: str) -> None:
    path = recognition.PROMPTS / f"everyday_{language}.txt"
    assert path.read_text(encoding="utf-8").startswith("#")  # says what the file is
    prompts = recognition.load(language)
    assert len(prompts) >= 200
    assert len(set(prompts)) == len(prompts)
    cyrillic = [p for p in prompts if any("а" <= ch <= "я" for ch in p.lower())]
    assert len(cyrillic) == (len(prompts) if language == "ru" else 0)


def test_a_fallback_is_a_miss() -> None:
    assert not recognition.counts_as_recognised("zzz", [], True)
    result = recognition.judge("zzz qwerty")
    assert result.fallback and not result.recognised and not result.understood
    assert result.unknown == ["zzz", "qwerty"]


def test_an_asked_for_tone_counts() -> None:
    result = recognition.judge("a 440 Hz tone")
    assert result.sources == ["tone"]
    assert result.recognised and result.understood


def test_rain_counts() -> None:
    result = recognition.judge("rain")
    assert result.sources == ["rain"] and result.recognised and result.understood


@pytest.mark.parametrize(
    ("prompt", "sources"),
    [
        ("bees buzzing", ["hum"]),  # a hum is not a bee
        ("шум офиса", ["white_noise"]),  # "шум" alone means "the sound of", not noise
        ("traffic noise", ["white_noise"]),
        ("a kettle boiling", ["tone"]),
        ("zzz", ["ambience"]),
    ],
)
def test_a_generic_source_that_was_not_asked_for_is_a_miss(prompt: str, sources: list[str]) -> None:
    assert not recognition.counts_as_recognised(prompt, sources, False)


@pytest.mark.parametrize(
    "prompt",
    ["white noise", "radio static", "three short beeps", "an electrical hum", "a 1 kHz sine", "белый шум",
     "тон 440 герц", "гудение трансформатора"],
)
def test_a_generic_source_counts_when_the_prompt_asks_for_a_signal(prompt: str) -> None:
    assert recognition.asks_for_signal(prompt)
    assert recognition.counts_as_recognised(prompt, ["white_noise"], False)


def test_one_real_source_is_enough_beside_a_generic_one() -> None:
    assert recognition.counts_as_recognised("a microwave running then beep", ["footsteps", "beep"], False)


def test_a_recognised_prompt_with_unknown_words_is_not_fully_understood() -> None:
    result = recognition.judge("rain on a zzzz")
    assert result.recognised and not result.understood and result.unknown == ["zzzz"]


@pytest.mark.parametrize("prompt", ["heavy rain with distant thunder", "zzz", "шум офиса", "a 440 Hz tone"])
def test_the_bench_judges_what_the_engine_reports(prompt: str) -> None:
    """Parsing stands in for the engine: its sources, fallback and unknown words are the engine's details."""
    details = SynthEngine(sample_rate=8000).generate(prompt, 0.05).details
    result = recognition.judge(prompt)
    assert result.fallback == details["fallback"]
    assert result.unknown == details["unknown_words"]
    if not result.fallback:
        assert result.sources == details["sources"]
