"""Source sound files: finding them, naming them stably, reading them, their mel.

Every clip is read once: mixed to mono at its own rate (what the CLAP scorer
resamples to its 44.1 kHz), and resampled to 16 kHz for the autoencoder's mel.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from tag.audio import read, resample, to_mono
from tag.engines.make_an_audio.mel import MEL, log_mel

AUDIO_EXTENSIONS = (".wav", ".flac", ".ogg", ".mp3")
SIDECAR_EXTENSION = ".txt"
_SLUG_LENGTH = 60


def find_audio(folder: Path) -> list[Path]:
    """Every sound file under ``folder`` (recursively), in a stable order."""
    folder = Path(folder)
    found = [p for p in folder.rglob("*") if p.suffix.lower() in AUDIO_EXTENSIONS and p.is_file()]
    return sorted(found, key=lambda p: p.relative_to(folder).as_posix())


def clip_id(relative: Path) -> str:
    """A stable id from the path relative to the captioned folder: readable words
    plus a hash of the exact path, so ``a/b.wav``, ``a_b.wav`` and ``a/b.flac`` differ
    and a rerun gives every file the id it had (what makes resuming work)."""
    text = Path(relative).as_posix()
    slug = re.sub(r"[^A-Za-z0-9]+", "_", text.rsplit(".", 1)[0]).strip("_").lower()[:_SLUG_LENGTH] or "clip"
    digest = hashlib.sha1(text.encode("utf-8")).hexdigest()[:8]
    return f"{slug}-{digest}"


def sidecar_text(path: Path) -> str | None:
    """The text in a same-stem ``.txt`` beside ``path``, on one line; None if absent or empty."""
    sidecar = path.with_suffix(SIDECAR_EXTENSION)
    if not sidecar.is_file():
        return None
    try:
        text = " ".join(sidecar.read_text(encoding="utf-8", errors="replace").split())
    except OSError:
        return None
    return text or None


class UnreadableAudio(Exception):
    """A file that cannot be used as a clip; the message says why."""


@dataclass(frozen=True)
class Clip:
    path: Path
    samples: np.ndarray  # (n,) mono float32 at ``rate``
    rate: int

    @property
    def duration(self) -> float:
        return self.samples.shape[0] / self.rate


def read_clip(path: Path) -> Clip:
    """A file as a mono clip at its own rate; UnreadableAudio when it is not a usable sound."""
    try:
        samples, rate = read(path)
    except Exception as exc:  # libsndfile's errors for corrupt files vary by format and version
        raise UnreadableAudio(f"{type(exc).__name__}: {exc}") from None
    mono = to_mono(samples)
    if mono.shape[0] == 0:
        raise UnreadableAudio("no samples")
    if not np.all(np.isfinite(mono)):
        raise UnreadableAudio("samples are not finite numbers")
    return Clip(Path(path), mono, int(rate))


def at_mel_rate(samples: np.ndarray, rate: int) -> np.ndarray:
    return resample(np.asarray(samples, dtype=np.float32), rate, MEL.sample_rate).astype(np.float32)


def mel_of(samples_16k: np.ndarray) -> np.ndarray:
    """The autoencoder's (80, T) log-mel of a mono 16 kHz waveform, float32."""
    wave = np.asarray(samples_16k, dtype=np.float32)
    if wave.shape[0] <= MEL.n_fft // 2:  # the centred STFT's reflection padding needs more than this
        wave = np.pad(wave, (0, MEL.n_fft // 2 + 1 - wave.shape[0]))
    with torch.inference_mode():
        mel = log_mel(torch.from_numpy(np.ascontiguousarray(wave))[None, :])
    return mel[0].numpy().astype(np.float32)
