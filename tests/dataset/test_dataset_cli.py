"""``tag dataset caption`` then ``tag dataset reprogram`` as a user runs them (a real subprocess),
and the CLI's other paths in process."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tag.cli import main
from tag.dataset import Dataset

from support.dataset import PLANTED, write_sound


def tag(*args: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("TAG_")}
    environ |= {"TAG_MODEL_DIR": str(tmp_path / "models"), "TAG_DATA_DIR": str(tmp_path / "data"), "OMP_NUM_THREADS": "1"}
    return subprocess.run(
        [sys.executable, "-m", "tag", "dataset", *args], capture_output=True, text=True, env=environ, timeout=240
    )


@pytest.fixture
def in_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, restore_root_logger: None) -> Iterator[Path]:
    """``tag.cli.main`` in this process (no interpreter start-up per call), on an
    empty TAG_MODEL_DIR; the root logger's handlers are put back afterwards."""
    for key in [k for k in os.environ if k.startswith("TAG_")]:
        monkeypatch.delenv(key)
    models = tmp_path / "models"
    monkeypatch.setenv("TAG_MODEL_DIR", str(models))
    yield models


def test_caption_then_reprogram(
    tmp_path: Path, two_class_clap: Path, labels_file: Path, in_process: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Captioning through the installed entry point; reprogramming in process (each
    # interpreter start costs seconds of torch and transformers imports).
    sounds = tmp_path / "sounds"
    for seed in range(3):
        write_sound(sounds / f"take_{seed}.wav", PLANTED["Dog"], 1.0, seed=40 + seed)
        write_sound(sounds / f"rec_{seed}.flac", PLANTED["Rain"], 1.0, seed=50 + seed, fmt="FLAC")
    (sounds / "broken.wav").write_bytes(b"RIFF....WAVEfmt nonsense")
    ds = tmp_path / "ds"

    result = tag("caption", str(sounds), "--out", str(ds), "--clap", str(two_class_clap), "--labels",
                 str(labels_file), "--top-k", "3", tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "6 captioned, 0 already there, 1 unreadable" in result.stdout
    assert "broken.wav" in result.stderr
    entries = Dataset(ds).entries()
    assert sorted(e.labels[0] for e in entries) == ["Dog"] * 3 + ["Rain"] * 3
    assert all(len(e.labels) == len(e.scores) == 3 for e in entries)

    new = tmp_path / "new"
    code = main(["dataset", "reprogram", str(ds), "--out", str(new), "--count", "4", "--seed", "2",
                 "--max-duration", "1.5"])
    assert code == 0
    assert "4 composed from 6 single events" in capsys.readouterr().out
    lines = [json.loads(line) for line in (new / "manifest.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(lines) == 4
    for line in lines:
        assert line["source"] == "reprogram" and 0 < line["duration"] <= 1.5
        assert (new / line["audio"]).is_file() and (new / line["mel"]).is_file()
        assert set(line["caption"].split()[0::2]) <= {"dog", "rain"}


def test_caption_finds_make_an_audios_clap_and_resumes(
    tmp_path: Path, in_process: Path, two_class_clap: Path, labels_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The CLAP where the make-an-audio engine finds it: useful_ckpts/CLAP, tokenizer in bert-base-uncased.
    root = in_process / "make-an-audio"
    shutil.copytree(two_class_clap, root / "useful_ckpts" / "CLAP", ignore=shutil.ignore_patterns("tokenizer"))
    shutil.copytree(two_class_clap / "tokenizer", root / "bert-base-uncased")
    sounds, ds = tmp_path / "sounds", tmp_path / "ds"
    write_sound(sounds / "a.wav", PLANTED["Dog"], 1.0, seed=60)
    assert main(["dataset", "caption", str(sounds), "--out", str(ds), "--labels", str(labels_file)]) == 0
    assert "1 captioned, 0 already there, 0 unreadable" in capsys.readouterr().out
    write_sound(sounds / "b.wav", PLANTED["Rain"], 1.0, seed=61)
    assert main(["dataset", "caption", str(sounds), "--out", str(ds), "--labels", str(labels_file)]) == 0
    assert "1 captioned, 1 already there, 0 unreadable" in capsys.readouterr().out
    assert [e.labels[0] for e in Dataset(ds).entries()] == ["Dog", "Rain"]


def test_caption_without_a_clap_says_where_it_looked(
    tmp_path: Path, in_process: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_sound(tmp_path / "sounds" / "a.wav", PLANTED["Dog"], 0.5)
    assert main(["dataset", "caption", str(tmp_path / "sounds"), "--out", str(tmp_path / "ds")]) == 2
    err = capsys.readouterr().err
    assert "no CLAP to caption with" in err and str(in_process / "make-an-audio") in err
    assert "CLAP_weights_2022.pth" in err and "--clap DIR" in err
    assert main(["dataset", "caption", str(tmp_path / "sounds"), "--out", str(tmp_path / "ds"),
                 "--clap", str(tmp_path / "nowhere")]) == 2
    assert str(tmp_path / "nowhere" / "config.yml") in capsys.readouterr().err


def test_bad_arguments_are_refused_plainly(tmp_path: Path, in_process: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["dataset", "reprogram", str(tmp_path), "--out", str(tmp_path / "new"), "--count", "2"]) == 2
    assert "is not a dataset" in capsys.readouterr().err
    assert main(["dataset", "caption", str(tmp_path / "absent"), "--out", str(tmp_path / "ds")]) == 2
    assert "is not a folder" in capsys.readouterr().err
    (tmp_path / "one.txt").write_text("Dog\n", encoding="utf-8")
    assert main(["dataset", "caption", str(tmp_path), "--out", str(tmp_path / "ds"), "--labels",
                 str(tmp_path / "one.txt")]) == 2
    assert "at least two labels" in capsys.readouterr().err
