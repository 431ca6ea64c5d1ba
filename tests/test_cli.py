"""The ``tag`` command as a user runs it: a real subprocess."""

import argparse
import json
import os
import subprocess
import sys

import numpy as np
import pytest
import soundfile as sf


def tag(*args, env=None, tmp_path=None, cwd=None):
    environ = {k: v for k, v in os.environ.items() if not k.startswith("TAG_")}
    if tmp_path is not None:
        environ |= {"TAG_MODEL_DIR": str(tmp_path / "models"), "TAG_DATA_DIR": str(tmp_path / "data")}
    environ |= env or {}
    return subprocess.run(
        [sys.executable, "-m", "tag", *args], capture_output=True, text=True, env=environ, timeout=120, cwd=cwd
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


def _read_only_file(tmp_path):
    path = tmp_path / "kept.wav"
    path.write_bytes(b"keep me")
    path.chmod(0o444)
    return path


@pytest.mark.parametrize(
    ("make_out", "message"),
    [
        (lambda tmp: "/proc/x.wav", "cannot create /proc/x.wav"),
        (_read_only_file, "kept.wav is read-only"),
        (lambda tmp: str(tmp), "is a folder; give a file name"),
        (lambda tmp: str(tmp / "no" / "such" / "x.wav"), "only the last missing level is created"),
        (lambda tmp: str(tmp / "x.wav") + "/y.wav", "is not a folder"),
    ],
)
def test_unwritable_output_paths_are_refused_before_generating(tmp_path, make_out, message):
    (tmp_path / "x.wav").write_bytes(b"")
    out = make_out(tmp_path)
    result = tag("generate", "a 440 Hz beep", "-d", "1", "-o", str(out), tmp_path=tmp_path)
    assert result.returncode == 2, result.stderr
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
    assert "loaded" not in result.stderr  # refused before the engine was even loaded
    assert not (tmp_path / "no").exists()
    if message.endswith("read-only"):
        assert out.read_bytes() == b"keep me"


def test_one_missing_folder_level_is_created_and_said(tmp_path):
    out = tmp_path / "new" / "beep.wav"
    result = tag("generate", "a 440 Hz beep", "-d", "1", "-o", str(out), tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    assert f"created the folder {out.parent}" in result.stderr
    assert sf.info(out).format == "WAV"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-f", "ogg", "-o", "x.wav"], "--format ogg does not match the file name x.wav"),
        (["-o", "x.flac"], "name it .wav, .ogg or .mp3"),
        (["-o", "noextension"], "has no extension"),
        (["--seed", "-1"], "the seed must be a whole number from 0 to 4294967295, not -1"),
        (["--seed", str(2**32)], "from 0 to 4294967295"),
        (["-n", "0"], "candidates must be a whole number from 1 to 8, not 0"),
        (["--steps", "0"], "steps must be a whole number from 1 to 500, not 0"),
        (["--guidance", "31"], "guidance must be a number from 0 to 30, not 31"),
        (["-d", "45"], "not 45 (this service's limit; TAG_MAX_DURATION raises it up to synth's 600 s)"),
    ],
)
def test_conflicts_and_out_of_range_options_are_one_line_errors(tmp_path, args, message):
    work = tmp_path / "work"
    work.mkdir()
    result = tag("generate", "a beep", *args, tmp_path=tmp_path, cwd=work)
    assert result.returncode == 2, result.stderr
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
    assert list(work.iterdir()) == []  # nothing written


def test_a_longer_service_limit_lets_the_engine_limit_apply(tmp_path):
    out = tmp_path / "long.wav"
    result = tag("generate", "rain", "-d", "45", "-o", str(out), env={"TAG_MAX_DURATION": "60"}, tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    assert sf.info(out).duration == pytest.approx(45, abs=0.01)


def test_options_the_engine_ignores_are_reported(tmp_path):
    result = tag("generate", "a 440 Hz beep", "-d", "1", "-o", str(tmp_path / "b.wav"),
                 "--steps", "5", "-n", "2", tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "note: synth ignores --steps, --candidates" in result.stderr


def generate_json(tmp_path, prompt, name, *args):
    result = tag("generate", prompt, "-d", "1", "-o", str(tmp_path / name), "--json", *args, tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout), result


def test_json_reports_what_was_made(tmp_path):
    report, result = generate_json(tmp_path, "rain and a zorblax", "rain.ogg", "--seed", "11")
    assert report == {
        "file": str(tmp_path / "rain.ogg"), "engine": "synth", "format": "ogg", "duration": 1.0,
        "sample_rate": 48000, "channels": 1, "seed": 11, "sources": ["rain"], "not_understood": ["zorblax"],
        "fallback": False, "notices": [],
        "warnings": ["Only part of the prompt was understood: made rain; left out zorblax."], "suggestions": [],
    }
    assert "warning: Only part" in result.stderr  # warnings stay on stderr too
    result = tag("generate", "qwerty uiop", "-d", "1", "-o", str(tmp_path / "nothing.wav"), "--json", tmp_path=tmp_path)
    assert result.returncode == 3, result.stderr
    fallback = json.loads(result.stdout)
    assert fallback["fallback"] is True and fallback["not_understood"] == ["qwerty", "uiop"]
    assert fallback["warnings"][0].startswith("Nothing in the prompt was recognised as a sound")
    assert len(fallback["suggestions"]) == 5


def test_a_prompt_with_nothing_recognised_warns_suggests_and_exits_3(tmp_path):
    out = tmp_path / "nothing.wav"
    result = tag("generate", "qwzx blorf", "-d", "1", "-o", str(out), "--engine", "synth", tmp_path=tmp_path)
    assert result.returncode == 3, result.stderr
    assert out.exists()  # the ambience is still written: the status says it is not what was asked for
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning: ")]
    assert warnings == [
        "warning: Nothing in the prompt was recognised as a sound: this is a neutral ambience, "
        "not what you asked for. Not recognised: qwzx, blorf."
    ]
    assert "try: tag generate rain" in result.stderr.splitlines()


def test_a_partly_understood_prompt_warns_and_exits_0(tmp_path):
    result = tag("generate", "rain and qwzx", "-d", "1", "-o", str(tmp_path / "r.wav"), "--engine", "synth",
                 tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "warning: Only part of the prompt was understood: made rain; left out qwzx." in result.stderr.splitlines()


def test_exit_status_3_is_in_the_help(tmp_path):
    result = tag("generate", "-h", tmp_path=tmp_path)
    text = " ".join(result.stdout.split())
    assert "exit status" in text and "3 nothing in the prompt was recognised" in text


@pytest.mark.parametrize(("language", "family", "title", "example"), [
    ("en", "Natural sounds:", "rain", '"rain"'), ("ru", "Природа:", "дождь", '"дождь"'),
])
def test_sounds_lists_the_known_sounds_by_family(tmp_path, language, family, title, example):
    result = tag("sounds", "--language", language, tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    start = lines.index(family)
    group = lines[start + 1:next((i for i in range(start + 1, len(lines)) if not lines[i].startswith(" ")), len(lines))]
    assert [title, example] in [line.split(None, 1) for line in group]
    assert "ambience" not in [line.split(None, 1)[0] for line in lines if line.startswith(" ")]  # the fallback


def test_sounds_json_lists_every_sound_with_an_example(tmp_path):
    result = tag("sounds", "--json", tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    families = json.loads(result.stdout)
    rain = [s for f in families for s in f["sounds"] if s["name"] == "rain"]
    assert rain == [{"name": "rain", "title": "rain", "example": "rain"}]
    assert sum(len(f["sounds"]) for f in families) >= 40


def test_without_a_seed_each_run_is_new_and_the_seed_reproduces_it(tmp_path):
    first, _ = generate_json(tmp_path, "rain on a tin roof", "a.wav")
    second, _ = generate_json(tmp_path, "rain on a tin roof", "b.wav")
    assert first["seed"] != second["seed"]
    assert (tmp_path / "a.wav").read_bytes() != (tmp_path / "b.wav").read_bytes()
    again, _ = generate_json(tmp_path, "rain on a tin roof", "c.wav", "--seed", str(first["seed"]))
    assert (tmp_path / "c.wav").read_bytes() == (tmp_path / "a.wav").read_bytes()
    plain = tag("generate", "rain", "-d", "1", "-o", str(tmp_path / "d.wav"), "--seed", "5", tmp_path=tmp_path)
    assert "seed 5" in plain.stdout


def test_models_list_shows_the_limit_on_this_service(tmp_path):
    result = tag("models", "list", tmp_path=tmp_path)
    header, synth = result.stdout.splitlines()[0], next(l for l in result.stdout.splitlines() if l.startswith("synth "))
    assert "max s" in header and "engine max" in header
    cells = synth.split()
    assert cells[cells.index("600") + 1] == "30"  # engine limit, then the one that applies here
    assert "TAG_MAX_DURATION" in result.stdout


def _subcommands(parser, path=()):
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield (*path, name), sub
                yield from _subcommands(sub, (*path, name))


def test_every_subcommand_says_what_it_does_and_every_option_has_help():
    from tag.cli import _parser

    commands = dict(_subcommands(_parser()))
    assert {("run",), ("worker",), ("bot",), ("schema",), ("serve",), ("generate",), ("models", "list")} <= commands.keys()
    for path, parser in commands.items():
        assert parser.description, f"tag {' '.join(path)} has no description"
        for action in parser._actions:
            if not isinstance(action, (argparse._HelpAction, argparse._SubParsersAction)):
                assert action.help, f"tag {' '.join(path)} {action.option_strings or action.dest} has no help"


def test_help_describes_the_command(tmp_path):
    result = tag("run", "-h", tmp_path=tmp_path)
    assert "web page" in result.stdout and "--host" in result.stdout and "address to listen on" in result.stdout


@pytest.mark.parametrize(
    ("prompt", "said"),
    [
        ("\u200b\u2060 \ufeff", "tag: the prompt is empty: describe the sound you want"),
        # Undecodable bytes on the command line (b"\xff") arrive as a lone surrogate.
        ("rain \udcff", "tag: the prompt holds an invalid character (U+DCFF, a lone surrogate); send plain text"),
    ],
)
def test_an_invisible_or_unencodable_prompt_is_refused_before_anything_is_written(tmp_path, prompt, said):
    out = tmp_path / "nothing.wav"
    result = tag("generate", prompt, "-d", "1", "-o", str(out), tmp_path=tmp_path)
    assert result.returncode == 2 and said in result.stderr.splitlines(), result.stderr
    assert not out.exists()
