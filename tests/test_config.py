import subprocess
import sys

import pytest

from support.processes import tag_env
from tag.config import Settings, SettingsError, load_settings, redact_url


def test_defaults_match_the_design(settings):
    fresh = Settings(_env_file=None)
    assert fresh.request_queue == "RequestQueue" and fresh.response_queue == "ResponseQueue"
    assert fresh.engine == "auto" and fresh.max_duration == 30
    assert fresh.broker() == "amqp://guest:guest@127.0.0.1:5672/"
    assert fresh.broker(default="memory://") == "memory://"
    assert fresh.dead_letter_queue == "RequestQueue.dlq"


def test_environment_is_read_with_the_prefix(monkeypatch, settings):
    monkeypatch.setenv("TAG_REQUEST_QUEUE", "Jobs")
    monkeypatch.setenv("TAG_MAX_DURATION", "60")
    loaded = load_settings(_env_file=None)
    assert loaded.request_queue == "Jobs" and loaded.max_duration == 60


def test_worker_batching_is_off_unless_asked(monkeypatch, settings):
    fresh = Settings(_env_file=None)
    assert fresh.worker_batch == 1 and fresh.worker_batch_wait == 0.05
    monkeypatch.setenv("TAG_WORKER_BATCH", "8")
    monkeypatch.setenv("TAG_WORKER_BATCH_WAIT", "0.2")
    loaded = load_settings(_env_file=None)
    assert loaded.worker_batch == 8 and loaded.worker_batch_wait == 0.2
    monkeypatch.setenv("TAG_WORKER_BATCH", "0")
    with pytest.raises(SettingsError) as caught:
        load_settings(_env_file=None)
    assert "TAG_WORKER_BATCH" in str(caught.value)


def test_errors_name_the_variable(monkeypatch, settings):
    monkeypatch.setenv("TAG_MAX_DURATION", "lots")
    monkeypatch.setenv("TAG_BROKER_URL", "http://x")
    with pytest.raises(SettingsError) as caught:
        load_settings(_env_file=None)
    assert "TAG_MAX_DURATION" in str(caught.value) and "TAG_BROKER_URL" in str(caught.value)


def test_secrets_never_show(monkeypatch, settings):
    monkeypatch.setenv("TAG_TELEGRAM_TOKEN", "123:SECRET-TOKEN")
    monkeypatch.setenv("TAG_BROKER_URL", "amqp://user:hunter2@host:5672/vh")
    loaded = load_settings(_env_file=None)
    assert "SECRET-TOKEN" not in repr(loaded) and "hunter2" not in repr(loaded)
    assert loaded.telegram_token.get_secret_value() == "123:SECRET-TOKEN"
    monkeypatch.setenv("TAG_WEB_PORT", "-5")
    with pytest.raises(SettingsError) as caught:
        load_settings(_env_file=None)
    assert "SECRET-TOKEN" not in str(caught.value) and "hunter2" not in str(caught.value)


def test_redact_url_hides_only_the_password():
    assert redact_url("amqp://u:p4ss@h:5672/v") == "amqp://u:***@h:5672/v"
    assert redact_url("amqp://h/") == "amqp://h/"


@pytest.mark.parametrize(
    "variable, raw, expected",
    [
        ("TAG_API_KEYS", "k1,k2", ["k1", "k2"]),
        ("TAG_API_KEYS", "solo-key", ["solo-key"]),
        ("TAG_API_KEYS", '["k1", "k2"]', ["k1", "k2"]),
        ("TAG_API_KEYS", "", []),
        ("TAG_ALLOWED_USERS", "11, 22", [11, 22]),
        ("TAG_ALLOWED_USERS", "[11, 22]", [11, 22]),
        ("TAG_ENGINE_PLUGINS", "tests.support.engines,other.plugin", ["tests.support.engines", "other.plugin"]),
    ],
)
def test_list_settings_are_comma_separated_or_json(monkeypatch, settings, variable, raw, expected):
    monkeypatch.setenv(variable, raw)
    value = getattr(load_settings(_env_file=None), variable.removeprefix("TAG_").lower())
    assert [v.get_secret_value() if hasattr(v, "get_secret_value") else v for v in value] == expected


BAD_VALUES = [
    ("TAG_API_KEYS", '["hunter2", '),  # malformed JSON
    ("TAG_ALLOWED_USERS", "12,hunter2"),
    ("TAG_BROKER_URL", "amqp://user:hunter2@host:abc/"),
    ("TAG_BROKER_URL", "amqp://user:hunter2@host:70000/"),
    ("TAG_BROKER_URL", "amqp://user:hunter2@:5672/"),
]


@pytest.mark.parametrize("variable, raw", BAD_VALUES)
def test_a_bad_value_is_one_line_naming_the_variable_and_the_form(monkeypatch, settings, variable, raw):
    monkeypatch.setenv(variable, raw)
    with pytest.raises(SettingsError) as caught:
        load_settings(_env_file=None)
    text = str(caught.value)
    assert "\n" not in text and variable in text and "expected" in text
    assert "hunter2" not in text


@pytest.mark.parametrize("variable, raw", BAD_VALUES[:1] + BAD_VALUES[2:3])
def test_tag_worker_with_a_bad_value_exits_2_with_one_line(settings, variable, raw):
    env = tag_env(settings, TAG_ENGINE="synth") | {variable: raw}
    done = subprocess.run(
        [sys.executable, "-m", "tag", "worker"], capture_output=True, text=True, env=env, timeout=60
    )
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and variable in lines[0], done.stderr
    assert "Traceback" not in done.stderr and "hunter2" not in done.stderr
