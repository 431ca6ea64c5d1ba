"""The HTTP API's request and response models.

Validation reuses the queue limits of ``tag.messages`` (``check_prompt``,
``check_duration``, the bounds of ``RequestOptions``), so a request the API accepts
is one a worker accepts, and the OpenAPI document shows the same numbers.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, create_model

from tag.messages import (
    CANDIDATES_MAX,
    DURATION_MIN,
    PROMPT_MAX_CHARS,
    STEPS_MAX,
    AudioFormat,
    RequestOptions,
    check_prompt,
)
from tag.engines.registry import check_engine_duration

Status = Literal["queued", "generating", "done", "failed", "cancelled"]
TERMINAL: frozenset[str] = frozenset({"done", "failed", "cancelled"})

_options = RequestOptions.model_fields


def _bound(name: str, kind: str) -> float | int | None:
    """A numeric bound (``ge``/``le``) declared on a ``RequestOptions`` field."""
    for item in _options[name].metadata:
        value = getattr(item, kind, None)
        if value is not None:
            return value
    return None


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
    seed: int | None = Field(None, ge=_bound("seed", "ge"), le=_bound("seed", "le"))
    steps: int | None = Field(None, ge=1, le=STEPS_MAX)
    candidates: int | None = Field(None, ge=1, le=CANDIDATES_MAX)
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
                    description="Length of the sound in seconds.",
                    json_schema_extra={"minimum": DURATION_MIN, "maximum": max_duration},
                    examples=[5.0],
                ),
            ],
            ...,
        ),
    )


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
    format: AudioFormat = "wav"


class ErrorInfo(BaseModel):
    code: str
    message: str


class Result(BaseModel):
    engine: str | None = None
    sample_rate: int | None = None
    duration: float | None = None
    notices: list[str] = Field(default_factory=list)
    audio_url: str
    formats: dict[str, str] = Field(description="Download URL per format.")


class Generation(BaseModel):
    id: str
    status: Status
    position: int | None = Field(None, description="Place in the queue (1 = next) while queued.")
    stage: str | None = Field(None, description="Worker stage while generating.")
    percent: float | None = Field(None, description="Progress 0-100 while generating.")
    parameters: Parameters
    timings: Timings
    result: Result | None = None
    error: ErrorInfo | None = None
    events_url: str


class Accepted(BaseModel):
    id: str
    status: Status
    position: int | None = None
    url: str
    events_url: str


class EngineInfo(BaseModel):
    name: str
    description: str
    available: bool = Field(description="Whether this server's machine has the weights.")
    served_by_workers: int = Field(description="Live workers offering this engine.")
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
    auth_required: bool
    limits: Limits
    engines: list[EngineInfo]


class Problem(BaseModel):
    """Every error body: one readable sentence, plus per-field details for 422."""

    detail: str
    errors: list[dict[str, object]] | None = None


class Readiness(BaseModel):
    ready: bool
    broker: bool
    workers: int
    reason: str | None = None
