import json
import uuid

import pytest
from pydantic import ValidationError

from tag.messages import (
    PROMPT_MAX_CHARS,
    SEED_MAX,
    InvalidMessage,
    LimitError,
    PromptError,
    ProgressEvent,
    RequestOptions,
    SoundRequest,
    SoundResponse,
    check_adapter_name,
    check_duration,
    check_option,
    check_seed,
    check_prompt,
    export_schemas,
    new_seed,
    parse_request,
)


def make_request(**overrides):
    fields = {"chat_id": 10, "user_id": 20, "prompt": "rain on a tin roof", "duration": 5}
    return SoundRequest(**(fields | overrides))


def test_request_round_trip_keeps_every_field():
    request = make_request(options={"seed": 7, "steps": 20, "candidates": 3, "format": "ogg"})
    again = SoundRequest.from_json(request.to_json())
    assert again == request
    assert again.options.seed == 7 and again.options.format == "ogg"


def test_request_json_has_the_documented_shape():
    data = json.loads(make_request().to_json())
    assert data["version"] == 1
    assert uuid.UUID(data["request_id"])
    assert {"chat_id", "user_id", "prompt", "duration", "options"} <= data.keys()


def test_response_round_trip_carries_audio_as_base64():
    request = make_request()
    response = SoundResponse(
        request_id=request.request_id, chat_id=10, user_id=20, status="ok",
        audio=b"\x00\xffRIFF", format="wav", sample_rate=16000, duration=5.0, engine="synth",
    )
    raw = json.loads(response.to_json())
    assert raw["audio"] == "AP9SSUZG"
    assert SoundResponse.from_json(response.to_json()) == response


def test_response_warnings_and_suggestions_are_additive_and_round_trip():
    request = make_request()
    plain = {"version": 1, "request_id": str(request.request_id), "chat_id": 1, "user_id": 2, "status": "ok"}
    old = SoundResponse.model_validate(plain)  # a v1 response from before the fields: still valid
    assert (old.warnings, old.suggestions) == ([], [])
    warned = SoundResponse.model_validate(
        {**plain, "warnings": ["Понята только часть запроса"], "suggestions": ["дождь", "гром"]}
    )
    assert SoundResponse.from_json(warned.to_json()) == warned
    assert json.loads(warned.to_json())["suggestions"] == ["дождь", "гром"]


def test_error_response_names_the_user_and_reason():
    failure = SoundResponse.failure(make_request(), "engine_error", "boom")
    again = SoundResponse.from_json(failure.to_json())
    assert again.status == "error" and again.audio is None
    assert again.error.code == "engine_error" and again.chat_id == 10


@pytest.mark.parametrize("prompt", ["", "   ", "\n\t", "\u200b", "\u200b\u2060 \ufeff\u200d", " \u2066\u2069 "])
def test_empty_prompts_are_refused(prompt):
    with pytest.raises(LimitError, match="empty"):
        check_prompt(prompt)


def test_prompt_is_trimmed_and_limited_after_trimming():
    assert check_prompt("  a   beep \n") == "a beep"
    assert len(check_prompt("x" * PROMPT_MAX_CHARS + "   ")) == PROMPT_MAX_CHARS
    with pytest.raises(LimitError, match="501 characters"):
        check_prompt("x" * (PROMPT_MAX_CHARS + 1))


@pytest.mark.parametrize("duration", [0, -1, 0.49, 30.01, 1e9, float("nan"), float("inf"), "abc", None])
def test_out_of_range_durations_are_refused(duration):
    with pytest.raises(LimitError):
        check_duration(duration)


def test_duration_limits_are_inclusive_and_configurable():
    assert check_duration(0.5) == 0.5
    assert check_duration(30) == 30.0
    assert check_duration("12.5") == 12.5
    assert check_duration(60, max_duration=60) == 60
    with pytest.raises(LimitError, match="between 0.5 and 10 seconds"):
        check_duration(11, max_duration=10)


def test_configured_maximum_applies_when_parsing():
    raw = make_request(duration=25).to_json()
    assert SoundRequest.from_json(raw).duration == 25
    with pytest.raises(ValueError, match="between 0.5 and 20"):
        SoundRequest.from_json(raw, max_duration=20)


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"{not json", "invalid JSON"),
        (b"\xff\xfe", "invalid JSON"),
        (b"[1, 2]", "JSON object"),
        (b'{"version": 2, "chat_id": 1}', "unknown version: 2"),
        (b'{"chat_id": 1}', "unknown version: None"),
        (b'{"version": 1, "chat_id": "x", "user_id": 1, "prompt": "p", "duration": 1}', "chat_id"),
        (b'{"version": 1, "chat_id": 1, "user_id": 1, "prompt": "", "duration": 1}', "prompt"),
        (b'{"version": 1, "chat_id": 1, "user_id": 1, "prompt": "p", "duration": 99}', "duration"),
        (b'{"version": 1, "chat_id": 1, "user_id": 1, "prompt": "p", "duration": 1, "x": 1}', "x"),
        (b'{"version": 1, "chat_id": 1, "user_id": 1, "prompt": "p", "duration": 1,'
         b' "options": {"candidates": 99}}', "options.candidates"),
    ],
)
def test_unusable_requests_get_a_reason(raw, reason):
    with pytest.raises(InvalidMessage, match=reason):
        parse_request(raw)


def test_request_without_options_and_id_is_accepted():
    request = parse_request(b'{"version": 1, "chat_id": 1, "user_id": 2, "prompt": "hum", "duration": 2}')
    assert request.options.format == "wav" and request.options.seed is None
    assert isinstance(request.request_id, uuid.UUID)


def test_progress_event_percent_is_bounded():
    ProgressEvent(request_id=uuid.uuid4(), stage="sampling", percent=50)
    with pytest.raises(ValueError):
        ProgressEvent(request_id=uuid.uuid4(), stage="sampling", percent=101)


def test_exported_schemas_match_the_committed_ones(tmp_path):
    from pathlib import Path

    committed = Path(__file__).parent.parent / "docs" / "schemas"
    for path in export_schemas(tmp_path):
        assert json.loads(path.read_text()) == json.loads((committed / path.name).read_text()), (
            f"{path.name} changed: run `tag schema` and commit docs/schemas"
        )


@pytest.mark.parametrize("bad", [-1, 2**32, True, 1.5, "7", None])
def test_check_seed_refuses_what_numpy_cannot_take(bad: object) -> None:
    with pytest.raises(LimitError, match="0 to 4294967295"):
        check_seed(bad)


def test_check_seed_and_new_seed_stay_in_range() -> None:
    assert check_seed(0) == 0 and check_seed(2**32 - 1) == 2**32 - 1 and check_seed(7.0) == 7
    assert all(0 <= new_seed() <= SEED_MAX for _ in range(100))
    assert len({new_seed() for _ in range(10)}) > 1


@pytest.mark.parametrize("field", ["duration", "seed", "steps", "candidates", "guidance"])
def test_booleans_are_not_numbers(field: str) -> None:
    """JSON ``true`` would pass as 1 under pydantic's lax coercion."""
    options = {} if field == "duration" else {field: True}
    body = {"version": 1, "chat_id": 1, "user_id": 2, "prompt": "hum", "duration": 2, "options": options}
    if field == "duration":
        body["duration"] = True
    with pytest.raises(InvalidMessage, match=field):
        parse_request(json.dumps(body).encode())
    if field == "duration":
        with pytest.raises(LimitError, match="number of seconds"):
            check_duration(True)


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("steps", 0, "steps must be a whole number from 1 to 500, not 0"),
        ("candidates", 9, "candidates must be a whole number from 1 to 8, not 9"),
        ("guidance", -1.0, "guidance must be a number from 0 to 30, not -1"),
        ("steps", 2.5, "whole number"),
        ("guidance", float("nan"), "guidance must be a number"),
        ("candidates", False, "candidates must be"),
    ],
)
def test_sampling_options_name_their_range(name: str, value: object, message: str) -> None:
    with pytest.raises(LimitError, match=message):
        check_option(name, value)
    with pytest.raises(ValueError, match=message.split(",")[0]):
        RequestOptions(**{name: value})


def test_sampling_options_in_range_pass() -> None:
    options = RequestOptions(steps=1, candidates=8, guidance=0, seed=SEED_MAX)
    assert (options.steps, options.candidates, options.guidance, options.seed) == (1, 8, 0.0, SEED_MAX)
    assert check_option("steps", None) is None and check_option("guidance", 3) == 3.0


@pytest.mark.parametrize(
    ("prompt", "named"),
    [("rain \ud800", "U+D800, a lone surrogate"), ("\udcff wind", "U+DCFF, a lone surrogate"),
     ("rain\x1b[2J", "U+001B, a control character")],
)
def test_unencodable_or_control_text_is_refused_naming_the_character(prompt: str, named: str) -> None:
    with pytest.raises(PromptError, match="invalid character") as refused:
        check_prompt(prompt)
    assert refused.value.problem == "invalid_character" and named in str(refused.value)
    # The request itself refuses it too: nothing unencodable reaches the queue.
    with pytest.raises(ValueError, match="invalid character"):
        SoundRequest(chat_id=1, user_id=1, prompt=prompt, duration=1)


def test_zero_width_characters_inside_words_are_kept_and_lone_ones_dropped() -> None:
    assert check_prompt("rain \u200b on\u200dtin") == "rain on\u200dtin"


@pytest.mark.parametrize("name", ["dogs", "run-2026.12", "A_b-c.d"])
def test_adapter_names_pass_and_round_trip(name: str) -> None:
    req = SoundRequest(chat_id=1, user_id=2, prompt="a dog", duration=2.0, options={"adapter": name})
    assert SoundRequest.from_json(req.to_json()).options.adapter == name
    assert check_adapter_name(name) == name


@pytest.mark.parametrize(
    "name, message",
    [
        ("../models", "is a path"),
        ("a/b", "is a path"),
        ("..", "is a path"),
        ("x\\..\\y", "is a path"),
        ("/etc/passwd", "is a path"),
        ("", "not valid"),
        (".hidden", "not valid"),
        ("a b", "not valid"),
        ("x" * 65, "not valid"),
        (7, "must be a name"),
    ],
)
def test_adapter_paths_and_bad_names_are_refused(name: object, message: str) -> None:
    with pytest.raises(LimitError, match=message):
        check_adapter_name(name)
    body = json.dumps({"chat_id": 1, "user_id": 2, "prompt": "a dog", "duration": 2, "options": {"adapter": name}})
    with pytest.raises(ValidationError):
        SoundRequest.from_json(body)
