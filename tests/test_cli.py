"""The ``tag`` command as a user runs it: a real subprocess."""

import os
import subprocess
import sys

import numpy as np
import pytest
import soundfile as sf


def tag(*args, env=None, tmp_path=None):
    environ = {k: v for k, v in os.environ.items() if not k.startswith("TAG_")}
    if tmp_path is not None:
        environ |= {"TAG_MODEL_DIR": str(tmp_path / "models"), "TAG_DATA_DIR": str(tmp_path / "data")}
    environ |= env or {}
    return subprocess.run(
        [sys.executable, "-m", "tag", *args], capture_output=True, text=True, env=environ, timeout=120
    )


def test_generate_writes_a_wav_of_the_asked_length(tmp_path):
    out = tmp_path / "beep.wav"
    result = tag("generate", "a 440 Hz beep", "--duration", "2.5", "--out", str(out), "--seed", "3", tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    samples, rate = sf.read(out)
    assert samples.shape[0] == round(2.5 * rate)
    spectrum = np.abs(np.fft.rfft(samples if samples.ndim == 1 else samples.mean(axis=1)))
    assert abs(np.argmax(spectrum) * rate / samples.shape[0] - 440) < 2
    assert "engine synth" in result.stdout
    # Not a terminal: plain progress lines instead of a bar.
    assert "done" in result.stderr


@pytest.mark.parametrize("fmt", ["ogg", "mp3"])
def test_generate_picks_the_format_from_the_file_name(tmp_path, fmt):
    out = tmp_path / f"hum.{fmt}"
    result = tag("generate", "a low 80 Hz hum", "-d", "1", "-o", str(out), tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    info = sf.info(out)
    assert info.format == fmt.upper() and abs(info.duration - 1) < 0.1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["generate", "", "-d", "2"], "prompt is empty"),
        (["generate", "beep", "-d", "0"], "between 0.5 and 30 seconds"),
        (["generate", "beep", "-d", "31"], "between 0.5 and 30 seconds"),
        (["generate", "beep", "-o", "x.flac"], "unknown output format"),
        (["generate", "beep", "--engine", "nope"], "unknown engine 'nope'"),
    ],
)
def test_generate_refuses_bad_input_with_a_clear_message(tmp_path, args, message):
    result = tag(*args, tmp_path=tmp_path)
    assert result.returncode != 0
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_invalid_settings_name_the_variable(tmp_path):
    result = tag("models", "list", env={"TAG_MAX_DURATION": "long"}, tmp_path=tmp_path)
    assert result.returncode == 2
    assert "TAG_MAX_DURATION" in result.stderr


def test_models_list_shows_the_offline_engine_as_auto(tmp_path):
    result = tag("models", "list", tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    line = next(l for l in result.stdout.splitlines() if l.startswith("synth "))
    assert "yes" in line and "*" in line


def test_bot_without_a_token_says_what_to_set(tmp_path):
    result = tag("bot", tmp_path=tmp_path)
    assert result.returncode == 2 and "TAG_TELEGRAM_TOKEN" in result.stderr
