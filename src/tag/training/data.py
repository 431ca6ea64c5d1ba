"""Training batches from a dataset folder (read through tag.dataset only).

Every mel is brought to one width per run as the reference data module does:
shorter clips are repeated (tiled) until long enough, then the first ``frames``
frames are kept.  Which clips form step ``s``'s batch is a pure function of the
seed and ``s`` (one seeded permutation per pass over the data), so a resumed run
sees exactly the batches the uninterrupted one would have.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from tag.dataset import Dataset, Entry
from tag.engines.make_an_audio.pipeline import LATENT_DOWN


class DatasetError(ValueError):
    """A dataset that cannot be trained on; the message says why."""


def fixed_frames(mel: np.ndarray, frames: int) -> np.ndarray:
    """(80, T) -> (80, frames): tiled when shorter, the head kept when longer."""
    if mel.ndim != 2 or mel.shape[1] == 0:
        raise DatasetError(f"a mel must be (80, T) with T > 0, not {mel.shape}")
    if mel.shape[1] < frames:
        mel = np.tile(mel, (1, frames // mel.shape[1] + 1))
    return np.ascontiguousarray(mel[:, :frames], dtype=np.float32)


def frames_multiple(unet_levels: int) -> int:
    """Mel widths the networks restore exactly: the autoencoder divides by 8 and the
    UNet halves the latent once per level below the first."""
    return LATENT_DOWN * 2 ** (unet_levels - 1)


@dataclass
class Batch:
    mels: torch.Tensor  # (B, 80, frames) float32
    captions: list[str]
    ids: list[str]


class TrainingSet:
    def __init__(self, folder: Path, frames: int, mel_bins: int = 80) -> None:
        self.dataset = Dataset(folder)
        self.entries: list[Entry] = self.dataset.entries()
        if not self.entries:
            raise DatasetError(f"{folder} holds no clips ({self.dataset.manifest} is missing or empty)")
        self.frames = frames
        self.mel_bins = mel_bins
        self._cache: dict[str, np.ndarray] = {}

    def __len__(self) -> int:
        return len(self.entries)

    def indices(self, step: int, batch_size: int, seed: int) -> list[int]:
        """The entries of step ``step`` (0-based): consecutive slots of per-pass permutations."""
        n = len(self.entries)
        out = []
        for slot in range(step * batch_size, (step + 1) * batch_size):
            order = np.random.default_rng([seed, slot // n]).permutation(n)
            out.append(int(order[slot % n]))
        return out

    def mel(self, entry: Entry) -> np.ndarray:
        if entry.id not in self._cache:
            mel = self.dataset.load_mel(entry)
            if mel.ndim != 2 or mel.shape[0] != self.mel_bins:
                raise DatasetError(f"the mel of {entry.id!r} is {mel.shape}, not ({self.mel_bins}, T)")
            self._cache[entry.id] = fixed_frames(mel, self.frames)
        return self._cache[entry.id]

    def batch(self, step: int, batch_size: int, seed: int) -> Batch:
        chosen = [self.entries[i] for i in self.indices(step, batch_size, seed)]
        mels = torch.from_numpy(np.stack([self.mel(e) for e in chosen]))
        return Batch(mels, [e.caption for e in chosen], [e.id for e in chosen])
