"""Fixtures: one tiny random Make-An-Audio in the official layout, shared per session."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from maa_tiny import write_tiny_model  # noqa: E402

from tag.config import Settings  # noqa: E402


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A model dir holding make-an-audio/ with tiny weights (never modified by tests)."""
    models = tmp_path_factory.mktemp("models")
    write_tiny_model(models / "make-an-audio", seed=0)
    return models


@pytest.fixture(scope="session")
def tiny_pipeline(tiny_model_dir: Path):
    from tag.engines.make_an_audio.engine import build_pipeline

    # float32 arithmetic: these tests compare against exact recomputations
    # (bfloat16 has its own tests); one thread, as before.
    return build_pipeline(Settings(_env_file=None, model_dir=tiny_model_dir, compute_dtype="float32", threads=1))
