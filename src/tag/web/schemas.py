"""The HTTP API's request and response models.

Validation reuses the queue limits of ``tag.messages`` (``check_prompt``,
``check_duration``, ``check_seed``, ``SEED_MAX``, ``STEPS_MAX``), so a
request the API accepts is one a worker accepts, and the OpenAPI document shows
the same numbers.  Numbers are strict: ``true`` is not 1 and ``"5"`` is not 5.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictInt, create_model

from tag.messages import (
    ADAPTER_NAME_MAX,
    CANDIDATES_MAX,
    DURATION_MIN,
    PROMPT_MAX_CHARS,
    SEED_MAX,
    STEPS_MAX,
    AudioFormat,
    check_adapter_name,
    check_prompt,
    check_seed,
)
from tag.engines.registry import check_engine_duration

Status = Literal["queued", "generating", "done", "failed", "cancelled"]
TERMINAL: frozenset[str] = frozenset({"done", "failed", "cancelled"})

# What the page and clients are told to send when the body is not an object at all.
BODY_EXAMPLE = '{"prompt": "rain", "duration": 5}'


def _optional_seed(seed: int | None) -> int | None:
    return None if seed is None else check_seed(seed)


def _optional_adapter(name: str | None) -> str | None:
    return None if name is None else check_adapter_name(name)


class _CreateBase(BaseModel):
    model_config = ConfigDict(extra="forbid")

    prompt: Annotated[
        str,
        AfterValidator(check_prompt),
        Field(
            description="What the sound should be; spaces are collapsed.",
            json_schema_extra={"minLength": 1, "maxLength": PROMPT_MAX_CHARS},
            examples=["rain on a tin roof with distant thunder"],
        ),
    ]
    engine: str | None = Field(
        None, max_length=64, description="Engine name from /v1/engines, or 'auto' / null for the default."
    )
    seed: Annotated[
        StrictInt | None,
        AfterValidator(_optional_seed),
        Field(json_schema_extra={"minimum": 0, "maximum": SEED_MAX}),
    ] = None
    steps: StrictInt | None = Field(None, ge=1, le=STEPS_MAX)
    candidates: StrictInt | None = Field(None, ge=1, le=CANDIDATES_MAX)
    adapter: Annotated[
        str | None,
        AfterValidator(_optional_adapter),
        Field(
            description="A fine-tuned adapter (tag finetune) by its folder name under the workers' "
            "TAG_MODEL_DIR/adapters/; null for the engine's own weights. Make-An-Audio only.",
            json_schema_extra={"maxLength": ADAPTER_NAME_MAX},
        ),
    ] = None
    format: AudioFormat = Field("wav", description="Default format of /audio (wav, ogg or mp3).")


@lru_cache(maxsize=8)
def generation_create_model(max_duration: float) -> type[_CreateBase]:
    """The body model of ``POST /v1/generations`` for this server's duration limit."""

    def duration_check(value: float) -> float:
        return check_engine_duration(value, max_duration)  # names TAG_MAX_DURATION when too long

    return create_model(
        "GenerationCreate",
        __base__=_CreateBase,
        duration=(
            Annotated[
                float,
                AfterValidator(duration_check),
                Field(
                    strict=True,  # JSON true is not one second
                    description="Length of the sound in seconds.",
                    json_schema_extra={"minimum": DURATION_MIN, "maximum": max_duration},
                    examples=[5.0],
                ),
            ],
            ...,
        ),
    )


# How each field is named in an error sentence (errors never start "field: ").
_LABELS = {
    "body": "the request body",
    "prompt": "the prompt",
    "duration": "the duration",
    "engine": "the engine",
    "seed": "the seed",
    "steps": "steps",
    "candidates": "candidates",
    "adapter": "the adapter",
    "format": "the format",
    "generation_id": "the generation id",
    "download": "download",
}
_NOT_AN_OBJECT = ("model_attributes_type", "dict_type", "model_type")
_NUMBER_ERRORS = ("float_type", "float_parsing", "finite_number")
_WHOLE_NUMBER_ERRORS = ("int_type", "int_parsing", "int_from_float", "greater_than_equal", "less_than_equal")


def _number(value: object) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _allowed_range(model: type[BaseModel] | None, name: str) -> str:
    """" from LOW to HIGH" for a bounded field of ``model``, else ""."""
    field = model.model_fields.get(name) if model is not None else None
    if field is None:
        return ""
    extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
    low, high = extra.get("minimum"), extra.get("maximum")
    for item in field.metadata:
        low = getattr(item, "ge", None) if getattr(item, "ge", None) is not None else low
        high = getattr(item, "le", None) if getattr(item, "le", None) is not None else high
    return f" from {_number(low)} to {_number(high)}" if low is not None and high is not None else ""


def _shown(value: object) -> str:
    """A refused input fit to quote: short scalars only, JSON spelling for booleans."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return _number(value)
    return ""


def _json_problem(error: dict[str, Any]) -> str:
    """What the JSON parser said and where: "expecting ':' delimiter at character 15"."""
    ctx = error.get("ctx") or {}
    problem = str(ctx.get("error") or "it cannot be parsed")[:80]
    offsets = [part for part in error.get("loc", ()) if isinstance(part, int)]
    where = f" at character {offsets[0] + 1}" if offsets else ""
    return f"{problem[:1].lower()}{problem[1:]}{where}"


def error_sentence(error: dict[str, Any], model: type[BaseModel] | None = None) -> tuple[str, str]:
    """``(field, sentence)`` for one validation error of a request.

    The sentence names the field in words and says what is allowed, so it reads
    well alone: the API joins them into ``detail`` and the page shows that.
    """
    kind = str(error.get("type", ""))
    loc = [str(part) for part in error.get("loc", ()) if part != "body"]
    if kind == "json_invalid":
        # The location FastAPI gives is a character offset into the body, not a
        # field: say it in the sentence, with the parser's own words.
        return "body", f"the request body is not valid JSON: {_json_problem(error)}; send a JSON object such as {BODY_EXAMPLE}"
    if not loc and (kind in _NOT_AN_OBJECT or kind == "missing"):
        return "body", f"send a JSON object such as {BODY_EXAMPLE} as application/json"
    field = ".".join(loc) or "body"
    name = loc[-1] if loc else "body"
    label = _LABELS.get(name, f"the {name.replace('_', ' ')}")
    ctx = error.get("ctx") or {}
    refused = _shown(error.get("input"))
    not_this = f", not {refused}" if refused else ""
    if kind == "value_error":  # our own checks (tag.messages) already speak plainly
        return field, str(error.get("msg", "")).removeprefix("Value error, ")
    if kind == "missing":
        return field, f"{label} is required"
    if kind == "extra_forbidden":
        known = ", ".join(model.model_fields) if model is not None else ""
        return field, f"{name[:40]!r} is not a known field" + (f"; the fields are {known}" if known else "")
    if kind in _NUMBER_ERRORS:
        unit = " of seconds" if name == "duration" else ""
        return field, f"{label} must be a number{unit}{_allowed_range(model, name)}{not_this}"
    if kind in _WHOLE_NUMBER_ERRORS:
        return field, f"{label} must be a whole number{_allowed_range(model, name)}{not_this}"
    if kind == "string_type":
        return field, f"{label} must be text"
    if kind == "string_unicode":  # a lone surrogate, as check_prompt says for prompts
        return field, f"{label} holds an invalid character (a lone surrogate); send plain text"
    if kind == "string_too_long":
        return field, f"{label} must be at most {ctx.get('max_length')} characters long"
    if kind == "literal_error":
        return field, f"{label} must be {ctx.get('expected')}"
    if kind == "string_pattern_mismatch" and name == "generation_id":
        return field, "the generation id is not one this server hands out"
    message = str(error.get("msg", "is invalid"))
    return field, f"{label} is invalid ({message[:1].lower()}{message[1:]})"


class Timings(BaseModel):
    created_at: float = Field(description="Unix time the request was accepted.")
    started_at: float | None = Field(None, description="Unix time a worker began.")
    finished_at: float | None = None
    queued_seconds: float | None = None
    generation_seconds: float | None = None


class Parameters(BaseModel):
    prompt: str
    duration: float
    engine: str | None = None
    seed: int | None = None
    steps: int | None = None
    candidates: int | None = None
    adapter: str | None = None
    format: AudioFormat = "wav"


class ErrorInfo(BaseModel):
    code: str
    message: str


class Result(BaseModel):
    engine: str | None = None
    sample_rate: int | None = None
    duration: float | None = None
    notices: list[str] = Field(default_factory=list)
    seed: int | None = Field(None, description="The seed the sound was made with: send it again to reproduce the sound.")
    warnings: list[str] = Field(
        default_factory=list,
        description="The sound is not what was asked for: nothing in the prompt was recognised (a neutral "
        "ambience was made) or only part of it. In the prompt's language.",
    )
    suggestions: list[str] = Field(default_factory=list, description="Prompts to try instead, best first.")
    audio_url: str
    formats: dict[str, str] = Field(description="Download URL per format.")


class Generation(BaseModel):
    id: str
    status: Status
    position: int | None = Field(None, description="Place in the queue (1 = next) while queued.")
    stage: str | None = Field(None, description="Worker stage while generating.")
    percent: float | None = Field(None, description="Progress 0-100 while generating.")
    notice: str | None = Field(None, description="While queued: why nothing happens yet (no worker is running).")
    expires_at: float | None = Field(None, description="While queued: Unix time the request is given up if no worker took it.")
    parameters: Parameters
    timings: Timings
    result: Result | None = None
    error: ErrorInfo | None = None
    events_url: str


class Accepted(BaseModel):
    id: str
    status: Status
    position: int | None = None
    notice: str | None = None
    expires_at: float | None = None
    url: str
    events_url: str


class EngineInfo(BaseModel):
    name: str
    description: str
    available: bool = Field(description="Whether this server's machine has the weights.")
    served_by_workers: int = Field(description="Live workers offering this engine.")
    accepts_requests: bool = Field(description="Whether a request naming this engine is accepted now.")
    unavailable_reason: str | None = Field(None, description="Why not, when it is not accepted.")
    max_duration: float
    defaults: dict[str, object] = Field(default_factory=dict)


class Limits(BaseModel):
    prompt_max_chars: int = PROMPT_MAX_CHARS
    min_duration: float = DURATION_MIN
    max_duration: float
    steps_max: int = STEPS_MAX
    candidates_max: int = CANDIDATES_MAX
    formats: list[str] = ["wav", "ogg", "mp3"]


class Engines(BaseModel):
    default_engine: str
    workers_alive: int = Field(description="Workers heard from recently; with none, requests wait in the queue.")
    request_ttl: float = Field(description="Seconds a queued request is kept before it is given up.")
    auth_required: bool
    limits: Limits
    engines: list[EngineInfo]


class KnownSound(BaseModel):
    name: str = Field(description="The engine's name of the sound.")
    title: str = Field(description="Its name in the listing's language.")
    example: str = Field(description="A prompt that makes exactly this sound.")


class SoundFamily(BaseModel):
    family: str
    sounds: list[KnownSound]


class KnownSounds(BaseModel):
    language: str
    families: list[SoundFamily]


class Problem(BaseModel):
    """Every error body: one readable sentence, plus per-field details for 422."""

    detail: str
    errors: list[dict[str, object]] | None = None


class Readiness(BaseModel):
    ready: bool
    broker: bool
    workers: int
    reason: str | None = None
