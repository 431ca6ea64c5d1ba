"""The dataset folder's manifest: one JSON line per clip, appended as clips are done.

Appending line by line is what makes captioning resumable: a run that stops keeps
every line it finished, and the next run skips the ids already present.  A torn
last line (the process killed mid-write) is ignored on reading, not fatal.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

MANIFEST = "manifest.jsonl"
MELS = "mels"

log = logging.getLogger(__name__)


class Entry(BaseModel):
    """One clip: where its sound and mel are, and what it is said to be."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(min_length=1)
    audio: str  # path of the source audio, absolute or relative to the dataset folder
    mel: str  # path of the log-mel .npy, relative to the dataset folder
    duration: float = Field(gt=0)
    caption: str = Field(min_length=1)
    labels: list[str] = Field(default_factory=list)  # best first
    scores: list[float] = Field(default_factory=list)  # one per label
    source: Literal["caption", "reprogram"] = "caption"
    # For composed clips: the ids of the clips they were made from, in order.
    parts: list[str] = Field(default_factory=list)


class Dataset:
    """A dataset folder, read and appended to."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)

    @property
    def manifest(self) -> Path:
        return self.folder / MANIFEST

    @staticmethod
    def mel_name(entry_id: str) -> str:
        """An entry's ``mel`` field: its mel's path relative to the folder."""
        return f"{MELS}/{entry_id}.npy"

    def mel_path(self, entry_id: str) -> Path:
        return self.folder / self.mel_name(entry_id)

    def entries(self) -> list[Entry]:
        return list(self._read())

    def ids(self) -> set[str]:
        return {entry.id for entry in self._read()}

    def _read(self) -> Iterator[Entry]:
        if not self.manifest.exists():
            return
        with self.manifest.open(encoding="utf-8") as lines:
            for number, line in enumerate(lines, 1):
                if not line.strip():
                    continue
                try:
                    yield Entry.model_validate_json(line)
                except ValueError:
                    log.warning("%s line %d is not a manifest entry: skipped", self.manifest, number)

    def add(self, entry: Entry, mel: np.ndarray) -> None:
        """Store ``entry``'s (80, T) log-mel, then append its line (in that order,
        so a line never points at a mel that was not written)."""
        path = self.mel_path(entry.id)
        path.parent.mkdir(parents=True, exist_ok=True)
        np.save(path, np.asarray(mel, dtype=np.float32))
        with self.manifest.open("a", encoding="utf-8") as out:
            out.write(json.dumps(entry.model_dump(), ensure_ascii=False) + "\n")

    def load_mel(self, entry: Entry) -> np.ndarray:
        return np.load(self.folder / entry.mel)

    def resolve_audio(self, entry: Entry) -> Path:
        path = Path(entry.audio)
        return path if path.is_absolute() else self.folder / path
