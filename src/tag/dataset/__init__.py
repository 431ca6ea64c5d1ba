"""Training data: caption unlabelled sounds, compose new pairs, read them back.

A dataset is a folder: ``manifest.jsonl`` (one :class:`Entry` per line) beside
``mels/`` (each entry's 80-bin log-mel as a float32 ``.npy`` of shape (80, T),
the autoencoder's own mel, computed once) and, for composed clips, ``audio/``.
"""

from tag.dataset.manifest import MANIFEST, MELS, Dataset, Entry

__all__ = ["MANIFEST", "MELS", "Dataset", "Entry"]
