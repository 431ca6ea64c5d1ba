"""One duration check for an engine's own limit and the service's (TAG_MAX_DURATION)."""

import pytest

from tag.engines.registry import check_engine_duration, get_spec, max_duration_on
from tag.messages import LimitError


@pytest.mark.parametrize(
    ("engine", "service", "duration", "reason"),
    [
        (None, 30, 45, "between 0.5 and 30 seconds, not 45 (this service's limit; TAG_MAX_DURATION raises it)"),
        ("synth", 30, 45, "not 45 (this service's limit; TAG_MAX_DURATION raises it up to synth's 600 s)"),
        ("audioldm", 60, 45, "between 0.5 and 30 seconds, not 45 (audioldm's own limit; this service allows up to 60 s)"),
        ("audioldm", 30, 31, "not 31 (both this service's limit and audioldm's own)"),
    ],
)
def test_the_error_names_both_limits_and_the_variable(engine, service, duration, reason):
    with pytest.raises(LimitError) as raised:
        check_engine_duration(duration, service, engine)
    assert str(raised.value).startswith("the duration must be") and str(raised.value).endswith(reason)


def test_durations_within_both_limits_pass_and_other_errors_stay_plain():
    assert check_engine_duration(45, 60, "synth") == 45.0
    assert check_engine_duration("2.5", 30, "auto") == 2.5
    for bad in (0.1, True, "abc"):
        with pytest.raises(LimitError) as raised:
            check_engine_duration(bad, 30, "synth")
        assert "TAG_MAX_DURATION" not in str(raised.value)
    assert max_duration_on(get_spec("synth"), 30) == 30 and max_duration_on(get_spec("audioldm"), 60) == 30
