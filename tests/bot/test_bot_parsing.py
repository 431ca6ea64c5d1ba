"""What users type: the one-line form, typed durations, prompt rules; the rate limiter."""

from __future__ import annotations

import pytest

from tag.bot.catalogue import CATALOGUE, Texts, pick_lang
from tag.bot.keyboards import longer, shorter
from tag.bot.parsing import Rejection, split_prompt, validate_duration, validate_prompt
from tag.bot.ratelimit import RateLimiter


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("rain on a roof, 7s", ("rain on a roof", "7")),
        ("rain on a roof 7 sec", ("rain on a roof", "7")),
        ("гроза, 2,5 с", ("гроза", "2,5")),
        ("гроза 10 секунд", ("гроза", "10")),
        ("rain, 1e9s", ("rain", "1e9")),
        ("rain on a roof", ("rain on a roof", None)),
        ("7s", ("7s", None)),  # a duration alone is not a prompt with a duration
        ("route 66s", ("route", "66")),
    ],
)
def test_split_prompt(text: str, expected: tuple[str, str | None]) -> None:
    assert split_prompt(text) == expected


@pytest.mark.parametrize(("typed", "seconds"), [("7", 7.0), ("2,5", 2.5), ("3 s", 3.0), ("0.5", 0.5), ("30", 30.0)])
def test_valid_durations(typed: str, seconds: float) -> None:
    assert validate_duration(typed, 30.0) == seconds


@pytest.mark.parametrize(
    ("typed", "key"),
    [("0", "bad_duration_range"), ("-1", "bad_duration_range"), ("1e9", "bad_duration_range"),
     ("31", "bad_duration_range"), ("abc", "bad_duration_nan"), ("nan", "bad_duration_nan"),
     ("inf", "bad_duration_nan"), ("", "bad_duration_nan")],
)
def test_invalid_durations(typed: str, key: str) -> None:
    with pytest.raises(Rejection) as caught:
        validate_duration(typed, 30.0)
    assert caught.value.key == key


def test_prompt_rules() -> None:
    assert validate_prompt("  rain   on\na roof ") == "rain on a roof"
    assert validate_prompt("дождь 🌧") == "дождь 🌧"
    for text, key in [("", "bad_prompt_empty"), ("x" * 501, "bad_prompt_long"), ("🎵 🎶 !!", "bad_prompt_words")]:
        with pytest.raises(Rejection) as caught:
            validate_prompt(text)
        assert caught.value.key == key


def test_catalogue_languages_have_the_same_texts_and_escape_values() -> None:
    assert CATALOGUE["en"].keys() == CATALOGUE["ru"].keys()
    assert Texts("en")("ask_duration", prompt="<b>x</b>") .count("&lt;b&gt;") == 1
    assert pick_lang(None, "ru-RU") == "ru" and pick_lang(None, "de") == "en" and pick_lang("en", "ru") == "en"


def test_longer_and_shorter() -> None:
    assert longer(3, 30) == 6 and longer(20, 30) == 30 and longer(30, 30) is None
    assert shorter(3) == 1.5 and shorter(0.5) is None and shorter(0.7) == 0.5


def test_rate_limiter() -> None:
    now = [0.0]
    limiter = RateLimiter(2, 60.0, clock=lambda: now[0])
    limiter.hit(1)
    limiter.hit(1)
    assert limiter.retry_after(1) == 60.0 and limiter.retry_after(2) == 0.0
    now[0] = 59.0
    assert limiter.retry_after(1) == pytest.approx(1.0)
    now[0] = 60.0
    assert limiter.retry_after(1) == 0.0
    assert RateLimiter(0, 60.0).retry_after(1) == 0.0


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_a_too_long_duration_says_the_service_limit_and_its_variable(lang: str) -> None:
    with pytest.raises(Rejection) as caught:
        validate_duration("45", 30.0)
    text = Texts(lang)(caught.value.key, **caught.value.values)
    assert "30" in text and "TAG_MAX_DURATION" in text
