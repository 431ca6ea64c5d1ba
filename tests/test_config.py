import pytest

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
