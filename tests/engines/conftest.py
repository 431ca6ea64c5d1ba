"""Shared by the engines' tests."""

from __future__ import annotations

from typing import Iterator

import pytest


@pytest.fixture(autouse=True)
def one_torch_thread() -> Iterator[None]:
    """Tiny models run fastest on one thread: several torch threads per process
    oversubscribe a shared machine's cores and run an order of magnitude slower."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)
