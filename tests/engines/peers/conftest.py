"""Tiny random-weight peer models, written once per session in their published
layouts, and engines loaded from them through the engines' own loader."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Callable

import pytest

from tag.config import Settings
from tag.engines.peers import load_engine
from tag.engines.peers.testing import write_audioldm, write_audioldm2, write_musicgen, write_stable_audio

WRITERS: dict[str, Callable[[Path], Path]] = {
    "audioldm": write_audioldm,
    "audioldm2": write_audioldm2,
    "stable-audio": write_stable_audio,
    "musicgen": write_musicgen,
}
ENGINES = tuple(WRITERS)


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A model folder holding all four tiny models (shared, never modified by tests)."""
    root = tmp_path_factory.mktemp("peer-models")
    for name, write in WRITERS.items():
        write(root / name)
    return root


@pytest.fixture
def peer_settings(settings: Settings, tiny_model_dir: Path) -> Settings:
    """Per-test settings whose model folder links to the shared tiny models."""
    settings.model_dir.mkdir(parents=True, exist_ok=True)
    for name in WRITERS:
        os.symlink(tiny_model_dir / name, settings.model_dir / name)
    return settings


@pytest.fixture(scope="session")
def tiny_engines(tiny_model_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """Each tiny engine loaded once; their CLAP folder is empty (unranked)."""
    settings = Settings(_env_file=None, model_dir=tiny_model_dir, data_dir=tmp_path_factory.mktemp("data"))
    return {name: load_engine(name, settings) for name in WRITERS}
