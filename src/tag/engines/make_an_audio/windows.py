"""Overlapping latent windows for sounds longer than the training length.

The UNet was trained on about 10 s of audio (78 latent frames).  Longer latents are
denoised as overlapping windows of that width; at every sampler step each window's
noise prediction is computed and the predictions are averaged where windows
overlap (MultiDiffusion, Bar-Tal et al. 2023), weighted by a ramp that falls
towards each window's inner edges.  The whole latent is then stepped as one, so
the sound is a single continuous sample with no seam to hide.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch


@dataclass(frozen=True)
class Window:
    start: int
    stop: int


# A latent up to this many times the training width is denoised in one pass: the
# UNet is convolutional and slightly longer inputs (10 s is 80 frames against 78
# trained) are fine, while a second window would double the cost.
SINGLE_PASS_STRETCH = 1.3


def plan_windows(width: int, window: int, overlap: int, single_max: int | None = None) -> list[Window]:
    """One window if ``width <= single_max`` (default ``window``); else windows of
    ``window`` frames covering ``width``, neighbours sharing at least ``overlap``
    frames, spread evenly (the last one ends exactly at ``width``)."""
    if width <= (window if single_max is None else max(single_max, window)):
        return [Window(0, width)]
    if not 0 < overlap < window:
        raise ValueError("overlap must be between 0 and the window width")
    stride = window - overlap
    count = -(-(width - window) // stride) + 1  # ceil division
    starts = [round(i * (width - window) / (count - 1)) for i in range(count)]
    return [Window(s, s + window) for s in starts]


def window_weights(windows: list[Window], width: int, overlap: int) -> torch.Tensor:
    """(len(windows), width) blending weights: 1 inside, a linear ramp over each
    inner edge's ``overlap`` frames, 0 outside; columns sum to > 0 everywhere."""
    weights = torch.zeros(len(windows), width, dtype=torch.float32)
    for i, win in enumerate(windows):
        w = torch.ones(win.stop - win.start)
        ramp = torch.arange(1, overlap + 1, dtype=torch.float32) / (overlap + 1)
        if win.start > 0:
            w[:overlap] = ramp
        if win.stop < width:
            w[-overlap:] = torch.minimum(w[-overlap:], ramp.flip(0))
        weights[i, win.start : win.stop] = w
    return weights


def split(latents: torch.Tensor, windows: list[Window]) -> torch.Tensor:
    """(B, C, H, W) -> (len(windows) * B, C, H, window), window-major."""
    return torch.cat([latents[..., w.start : w.stop] for w in windows], dim=0)


def merge(pieces: torch.Tensor, windows: list[Window], weights: torch.Tensor, width: int) -> torch.Tensor:
    """Inverse of ``split``: weighted average of overlapping window values."""
    chunks = pieces.chunk(len(windows), dim=0)
    total = torch.zeros(*chunks[0].shape[:-1], width, dtype=pieces.dtype, device=pieces.device)
    norm = weights.sum(0).to(pieces.device, pieces.dtype)
    for chunk, win, w in zip(chunks, windows, weights):
        total[..., win.start : win.stop] += chunk * w[win.start : win.stop].to(pieces.device, pieces.dtype)
    return total / norm
