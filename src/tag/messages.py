"""Queue messages: ``SoundRequest``, ``SoundResponse`` and ``ProgressEvent`` (v1).

These schemas are the contract between front ends (bot, web, CLI) and workers.
The user-facing limits (prompt length, duration range) live here and only here:
``check_prompt`` and ``check_duration`` are what every front end calls, and the
models call them too, so a request that passes one passes the other
(``check_prompt`` is the one rule for what a usable prompt is).
"""

from __future__ import annotations

import base64
import json
import re
import secrets
import unicodedata
import uuid
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    ValidationError,
    ValidationInfo,
    field_validator,
)

VERSION = 1
PROMPT_MAX_CHARS = 500
DURATION_MIN = 0.5
DEFAULT_MAX_DURATION = 30.0
CANDIDATES_MAX = 8
STEPS_MAX = 500
GUIDANCE_MAX = 30
SEED_MAX = 2**32 - 1
# Error texts quote a request at most this much (a reply must never echo a huge input back).
REASON_MAX_CHARS = 300
QUOTE_MAX_CHARS = 40
ERRORS_LISTED = 5

# The sampling options' ranges: (lowest, highest, whole numbers only).
OPTION_RANGES: dict[str, tuple[float, float, bool]] = {
    "steps": (1, STEPS_MAX, True),
    "candidates": (1, CANDIDATES_MAX, True),
    "guidance": (0.0, GUIDANCE_MAX, False),
}

AudioFormat = Literal["wav", "ogg", "mp3"]


class LimitError(ValueError):
    """A request outside the limits; the message is fit to show to a user."""


PromptProblem = Literal["empty", "invalid_character", "too_long", "no_words"]


class PromptError(LimitError):
    """A prompt ``check_prompt`` refuses; ``problem`` says which rule it broke
    (front ends that translate their texts pick theirs by it)."""

    def __init__(self, problem: PromptProblem, message: str, length: int = 0) -> None:
        super().__init__(message)
        self.problem = problem
        self.length = length


def _unusable_character(text: str) -> str | None:
    """The first character no front end can store or send, described, or None.

    A lone surrogate (JSON "\\ud800", or undecodable bytes on a command line)
    cannot be encoded as UTF-8; control characters other than whitespace are
    invisible in a message and rewrite terminals that show logs.
    """
    for ch in text:
        category = unicodedata.category(ch)
        if category == "Cs":
            return f"U+{ord(ch):04X}, a lone surrogate"
        if category == "Cc" and not ch.isspace():
            return f"U+{ord(ch):04X}, a control character"
    return None


def _visible(word: str) -> bool:
    # Zero-width and other format characters (category Cf: U+200B, U+2060,
    # U+FEFF, ...) show nothing: a word of only those is no word.
    return any(unicodedata.category(ch) != "Cf" for ch in word)


def check_prompt(prompt: str) -> str:
    """The trimmed prompt, or ``PromptError`` saying what is wrong with it.

    The one rule for a usable prompt, applied by the bot, the web API, the CLI
    and the worker alike: only plain text (see ``_unusable_character``); words
    separated by single spaces, words of only zero-width/format characters
    dropped; not empty; at most ``PROMPT_MAX_CHARS``; at least one letter or digit.
    """
    text = str(prompt)
    bad = _unusable_character(text)
    if bad is not None:
        raise PromptError("invalid_character", f"the prompt holds an invalid character ({bad}); send plain text")
    text = " ".join(word for word in text.split() if _visible(word))
    if not text:
        raise PromptError("empty", "the prompt is empty: describe the sound you want")
    if len(text) > PROMPT_MAX_CHARS:
        raise PromptError(
            "too_long",
            f"the prompt is {len(text)} characters long; at most {PROMPT_MAX_CHARS} are allowed",
            length=len(text),
        )
    if not any(ch.isalnum() for ch in text):
        raise PromptError("no_words", "the prompt must describe the sound in words, not only symbols or emoji")
    return text


def check_duration(duration: float, max_duration: float = DEFAULT_MAX_DURATION) -> float:
    """The duration in seconds, or ``LimitError`` naming the allowed range."""
    if isinstance(duration, bool):  # float(True) is 1.0: a JSON true is not one second
        raise LimitError(f"the duration must be a number of seconds, not {duration!r}")
    try:
        value = float(duration)
    except (TypeError, ValueError):
        raise LimitError(f"the duration must be a number of seconds, not {duration!r}") from None
    if not value == value or value in (float("inf"), float("-inf")):  # NaN, inf
        raise LimitError("the duration must be a finite number of seconds")
    if not DURATION_MIN <= value <= max_duration:
        raise LimitError(
            f"the duration must be between {DURATION_MIN:g} and {max_duration:g} seconds, "
            f"not {value:g}"
        )
    return value


def check_seed(seed: object) -> int:
    """The seed as an int in 0..SEED_MAX, or ``LimitError`` naming the range.

    Every front end and the worker check seeds here, so one rule holds everywhere
    (numpy's generators take exactly this range).
    """
    if isinstance(seed, bool) or not isinstance(seed, int):
        if isinstance(seed, float) and seed.is_integer():
            seed = int(seed)
        else:
            raise LimitError(f"the seed must be a whole number from 0 to {SEED_MAX}, not {seed!r}")
    if not 0 <= seed <= SEED_MAX:
        raise LimitError(f"the seed must be a whole number from 0 to {SEED_MAX}, not {seed}")
    return seed


def check_option(name: str, value: object) -> int | float | None:
    """A sampling option (``steps``, ``candidates``, ``guidance``) within its range,
    ``None`` unchanged, or ``LimitError`` naming the range.  Booleans are refused:
    ``true`` is not a number of steps."""
    if value is None:
        return None
    low, high, whole = OPTION_RANGES[name]
    kind = "a whole number" if whole else "a number"
    number = value if isinstance(value, (int, float)) and not isinstance(value, bool) else None
    if number is None or number != number or (whole and not float(number).is_integer()):
        raise LimitError(f"{name} must be {kind} from {low:g} to {high:g}, not {value!r}")
    if not low <= number <= high:
        raise LimitError(f"{name} must be {kind} from {low:g} to {high:g}, not {number:g}")
    return int(number) if whole else float(number)


ADAPTER_NAME_MAX = 64
_ADAPTER_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


def check_adapter_name(name: object) -> str:
    """An adapter's name as requests give it: one folder name under the workers'
    ``TAG_MODEL_DIR/adapters/``, never a path (a request must not make a worker
    read an arbitrary folder), or ``LimitError`` saying why not."""
    if not isinstance(name, str):
        raise LimitError(f"the adapter must be a name, not {name!r}")
    if "/" in name or "\\" in name or name in (".", "..") or ".." in name:
        raise LimitError(
            f"the adapter {excerpt(name, QUOTE_MAX_CHARS)!r} is a path; name a folder of the workers' "
            "TAG_MODEL_DIR/adapters/ instead"
        )
    if not name or len(name) > ADAPTER_NAME_MAX or not _ADAPTER_NAME.fullmatch(name):
        raise LimitError(
            f"the adapter name {excerpt(name, QUOTE_MAX_CHARS)!r} is not valid: 1 to {ADAPTER_NAME_MAX} letters, "
            "digits, '.', '_' or '-', starting with a letter or digit"
        )
    return name


def new_seed() -> int:
    """A fresh random seed, for requests that name none (results always report theirs)."""
    return secrets.randbelow(SEED_MAX + 1)


def excerpt(text: str, limit: int = REASON_MAX_CHARS) -> str:
    """``text`` cut to at most ``limit`` characters, marked with "…" when cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


class _Message(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    def to_json(self) -> bytes:
        return self.model_dump_json().encode()


class RequestOptions(_Message):
    """Engine parameters; every one may be left out for the engine's default."""

    engine: str | None = Field(None, max_length=64)
    seed: int | None = Field(None, ge=0, le=SEED_MAX)
    steps: int | None = Field(None, ge=1, le=STEPS_MAX)
    guidance: float | None = Field(None, ge=0, le=GUIDANCE_MAX)
    candidates: int | None = Field(None, ge=1, le=CANDIDATES_MAX)
    format: AudioFormat = "wav"
    stereo: bool = False
    # A fine-tuned adapter (``tag finetune``) by name: a folder of TAG_MODEL_DIR/adapters/.
    adapter: str | None = Field(None, max_length=ADAPTER_NAME_MAX)

    # Before pydantic's lax coercion, which would read ``true`` as 1.
    @field_validator("seed", mode="before")
    @classmethod
    def _seed(cls, value: object) -> object:
        return None if value is None else check_seed(value)

    @field_validator("steps", "candidates", "guidance", mode="before")
    @classmethod
    def _sampling(cls, value: object, info: ValidationInfo) -> object:
        return check_option(str(info.field_name), value)

    @field_validator("adapter", mode="before")
    @classmethod
    def _adapter(cls, value: object) -> object:
        return None if value is None else check_adapter_name(value)


class SoundRequest(_Message):
    version: Literal[1] = VERSION
    request_id: uuid.UUID = Field(default_factory=uuid.uuid4)
    chat_id: int
    user_id: int
    prompt: str
    duration: float
    options: RequestOptions = Field(default_factory=RequestOptions)

    @field_validator("prompt")
    @classmethod
    def _prompt(cls, value: str) -> str:
        return check_prompt(value)

    @field_validator("duration", mode="before")  # before lax coercion turns true into 1.0
    @classmethod
    def _duration(cls, value: object, info: ValidationInfo) -> float:
        context = info.context or {}
        return check_duration(value, context.get("max_duration", DEFAULT_MAX_DURATION))

    @classmethod
    def from_json(cls, raw: bytes | str, *, max_duration: float = DEFAULT_MAX_DURATION) -> SoundRequest:
        return cls.model_validate_json(raw, context={"max_duration": max_duration})


class ResponseError(_Message):
    code: str
    message: str


Base64Bytes = Annotated[
    bytes, PlainSerializer(lambda b: base64.b64encode(b).decode("ascii"), return_type=str)
]


class SoundResponse(_Message):
    version: Literal[1] = VERSION
    request_id: uuid.UUID
    chat_id: int
    user_id: int
    status: Literal["ok", "error"]
    audio: Base64Bytes | None = None
    format: AudioFormat | None = None
    sample_rate: int | None = None
    duration: float | None = None
    engine: str | None = None
    error: ResponseError | None = None
    # Human-readable remarks from the engine (unknown words, substitutions).
    notices: list[str] = Field(default_factory=list)
    # What the engine recognised in the prompt (sound sources), when it says.
    sources: list[str] = Field(default_factory=list)
    # The seed the sound was made with (drawn by the worker when the request named
    # none), so any result can be reproduced.
    seed: int | None = Field(None, ge=0, le=SEED_MAX)
    # The sound is not what was asked for (status stays "ok": audio is delivered):
    # nothing in the prompt was recognised (a neutral fallback) or only part of it.
    # In the prompt's language; front ends show them instead of plain success.
    warnings: list[str] = Field(default_factory=list)
    # Prompts to try instead (in the prompt's language), best first, when there are warnings.
    suggestions: list[str] = Field(default_factory=list)

    @field_validator("audio", mode="before")
    @classmethod
    def _decode_audio(cls, value: Any) -> Any:
        if isinstance(value, str):
            try:
                return base64.b64decode(value, validate=True)
            except ValueError:
                raise ValueError("audio must be base64") from None
        return value

    @classmethod
    def from_json(cls, raw: bytes | str) -> SoundResponse:
        return cls.model_validate_json(raw)

    @classmethod
    def failure(cls, request: SoundRequest, code: str, message: str) -> SoundResponse:
        return cls(
            request_id=request.request_id,
            chat_id=request.chat_id,
            user_id=request.user_id,
            status="error",
            error=ResponseError(code=code, message=message),
        )


class ProgressEvent(_Message):
    version: Literal[1] = VERSION
    request_id: uuid.UUID
    stage: Literal["started", "sampling", "decoding", "done"]
    percent: float = Field(ge=0, le=100)


class InvalidMessage(Exception):
    """Why a raw queue message cannot be processed (goes into the DLQ header)."""


def parse_request(raw: bytes, *, max_duration: float = DEFAULT_MAX_DURATION) -> SoundRequest:
    """Parse a queued request, with one short reason when it is unusable."""
    try:
        data = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidMessage(f"invalid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise InvalidMessage("invalid message: a JSON object is required")
    if data.get("version") != VERSION:
        version = excerpt(repr(data.get("version")), QUOTE_MAX_CHARS)
        raise InvalidMessage(f"unknown version: {version} (this worker speaks {VERSION})")
    try:
        return SoundRequest.model_validate(data, context={"max_duration": max_duration})
    except ValidationError as exc:
        raise InvalidMessage("schema violation: " + describe_errors(exc)) from None


def describe_errors(exc: ValidationError) -> str:
    """A short one-line description of pydantic errors, without the inputs.

    Field names come from the input too (an unknown key may be a megabyte long),
    so each is quoted in part, only the first few errors are listed, and the
    whole is at most ``REASON_MAX_CHARS``.
    """
    errors = exc.errors(include_input=False, include_url=False)
    parts = []
    for error in errors[:ERRORS_LISTED]:
        where = ".".join(excerpt(str(p), QUOTE_MAX_CHARS) for p in error["loc"]) or "message"
        parts.append(f"{where}: {error['msg']}")
    if len(errors) > ERRORS_LISTED:
        parts.append(f"and {len(errors) - ERRORS_LISTED} more")
    return excerpt("; ".join(parts))


def export_schemas(folder: Path) -> list[Path]:
    """Write the JSON Schemas of the queue messages into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for model in (SoundRequest, SoundResponse, ProgressEvent):
        path = folder / f"{model.__name__}.v{VERSION}.schema.json"
        schema = model.model_json_schema(mode="serialization")
        path.write_text(json.dumps(schema, indent=2, ensure_ascii=False) + "\n")
        written.append(path)
    return written
