"""Fixtures of the dataset tests: the trained two-class CLAP and its label file."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import torch

from support.dataset import LABELS, train_two_class_clap


@pytest.fixture(autouse=True)
def one_torch_thread() -> Iterator[None]:
    # Tiny models run fastest on one thread on a shared machine.
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture(scope="session")
def two_class_clap(tmp_path_factory: pytest.TempPathFactory) -> Path:
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        return train_two_class_clap(tmp_path_factory.mktemp("clap") / "CLAP")
    finally:
        torch.set_num_threads(before)


@pytest.fixture(scope="session")
def labels_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("labels") / "labels.txt"
    path.write_text("# the test's classes\n" + "\n".join(LABELS) + "\n", encoding="utf-8")
    return path
