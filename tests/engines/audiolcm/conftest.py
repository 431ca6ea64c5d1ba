"""Fixtures: one tiny random AudioLCM in the official layout, shared per session."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from lcm_tiny import write_tiny_model  # noqa: E402


@pytest.fixture(scope="session")
def lcm_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    models = tmp_path_factory.mktemp("lcm_models")
    write_tiny_model(models / "audiolcm", seed=0)
    return models
