"""What users type: prompts, durations, the one-line "prompt, 7s" form.

Validation defers to the shared rules in ``tag.messages`` (``check_prompt`` is
the one rule for a usable prompt, as in the web API, the CLI and the worker); the
bot only turns every rejection into a catalogue key, so the reason is shown in
the user's language.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from tag.engines.registry import check_engine_duration
from tag.messages import DURATION_MIN, PROMPT_MAX_CHARS, LimitError, PromptError, check_prompt

# A trailing duration: "…, 7s", "… 7 sec", "… 2,5 с", "… 10 секунд".
_UNITS = r"(?:s|sec|secs|second|seconds|с|сек|секунд|секунды|секунда)\.?"
_NUMBER = r"[-+]?\d+(?:[.,]\d+)?(?:[eE][-+]?\d+)?"
_TRAILING = re.compile(rf"^(?P<prompt>.*?)(?:[,;]\s*|\s+)(?P<number>{_NUMBER})\s*{_UNITS}\s*$", re.S | re.I)
_DURATION_ONLY = re.compile(rf"^\s*(?P<number>{_NUMBER})\s*(?:{_UNITS})?\s*$", re.I)


@dataclass
class Rejection(Exception):
    """Input the bot refuses; ``key`` and ``values`` pick the catalogue text."""

    key: str
    values: dict[str, object] = field(default_factory=dict)


# The catalogue key for each way a prompt can be unusable (PromptError.problem).
_PROMPT_KEYS = {
    "empty": "bad_prompt_empty",
    "invalid_character": "bad_prompt_character",
    "too_long": "bad_prompt_long",
    "no_words": "bad_prompt_words",
}


def validate_prompt(text: str) -> str:
    """The normalised prompt or ``Rejection``."""
    try:
        return check_prompt(text)
    except PromptError as exc:
        raise Rejection(_PROMPT_KEYS[exc.problem], {"length": exc.length, "max": PROMPT_MAX_CHARS}) from None


def validate_duration(value: object, max_duration: float) -> float:
    """Seconds within the shared limits, or ``Rejection``."""
    if isinstance(value, str):
        match = _DURATION_ONLY.match(value)
        if not match:
            raise Rejection("bad_duration_nan")
        value = match["number"].replace(",", ".")
    try:
        return check_engine_duration(value, max_duration)  # the shared engine/service limit check
    except LimitError:
        try:
            float(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise Rejection("bad_duration_nan") from None
        raise Rejection("bad_duration_range", {"min": f"{DURATION_MIN:g}", "max": f"{max_duration:g}"}) from None


def looks_like_duration(text: str) -> bool:
    """True for a bare number ("7", "7s"): typed while a duration is expected."""
    return _DURATION_ONLY.match(text) is not None


def split_prompt(text: str) -> tuple[str, str | None]:
    """Split "rain on a roof, 7s" into ("rain on a roof", "7"); no duration -> None."""
    match = _TRAILING.match(text.strip())
    if match and match["prompt"].strip():
        return match["prompt"].strip(), match["number"]
    return text.strip(), None
