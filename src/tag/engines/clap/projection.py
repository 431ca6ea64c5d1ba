"""The CLAP projection head shared by the text and audio towers."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


class Projection(nn.Module):
    """Maps a tower's features into the joint space.

    Order (as in the 2022 CLAP model): ``h = linear1(x)``; ``layer_norm(h +
    dropout(linear2(gelu(h))))``.  Both linears have no bias; gelu is the exact
    (erf) form; dropout only matters in training.  Attribute names are the
    checkpoint's key names (``linear1``, ``linear2``, ``layer_norm``).
    """

    def __init__(self, d_in: int, d_out: int, dropout: float = 0.5) -> None:
        super().__init__()
        self.linear1 = nn.Linear(d_in, d_out, bias=False)
        self.linear2 = nn.Linear(d_out, d_out, bias=False)
        self.layer_norm = nn.LayerNorm(d_out)
        self.drop = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        first = self.linear1(x)
        second = self.drop(self.linear2(F.gelu(first)))
        return self.layer_norm(first + second)
