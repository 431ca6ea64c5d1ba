"""What every peer engine does the same way around its model call.

Device and dtype choice, seeds, progress reporting, candidate re-ranking with the
shared CLAP scorer, and turning a batch of model outputs into one exact-length
``Audio``.  The model-specific parts live in ``diffusion`` and ``musicgen``.
"""

from __future__ import annotations

import logging
import random
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Protocol

import numpy as np

from tag.audio import fit_length
from tag.engines.base import Audio, EngineError, ProgressCallback, Stage
from tag.engines.peers.catalog import PeerModel

if TYPE_CHECKING:
    import torch

    from tag.config import Settings

log = logging.getLogger(__name__)

# Share of the progress bar given to the sampling loop; decoding and ranking take the rest.
SAMPLING_SHARE = 90.0


class Scorer(Protocol):
    """Text-audio similarity, higher is better (the shared CLAP scorer)."""

    def score(self, prompt: str, waveforms: np.ndarray, sample_rate: int) -> np.ndarray: ...


def resolve_device(requested: str) -> str:
    import torch

    if requested != "auto":
        return requested
    if torch.cuda.is_available():
        return "cuda"
    if torch.backends.mps.is_available():
        return "mps"
    return "cpu"


def resolve_dtype(requested: str, device: str) -> tuple["torch.dtype", list[str]]:
    """The torch dtype, and a notice when the request cannot be honoured."""
    import torch

    dtype = {"float32": torch.float32, "float16": torch.float16, "bfloat16": torch.bfloat16}[requested]
    # Half precision on CPU is missing kernels for several audio layers (and is
    # slower than float32 there), so CPU always runs float32.
    if device == "cpu" and dtype == torch.float16:
        return torch.float32, ["float16 is not supported on CPU: running in float32"]
    return dtype, []


def hide_library_progress_bars() -> None:
    """No per-file loading bars from diffusers and transformers: the CLI draws its
    own progress, and in a worker's log they are noise."""
    import diffusers
    import transformers

    diffusers.utils.logging.disable_progress_bar()
    transformers.utils.logging.disable_progress_bar()


def pick_seed(seed: int | None) -> int:
    """The given seed, or a fresh one (reported back so a result can be reproduced)."""
    return seed if seed is not None else random.SystemRandom().randrange(2**32)


def generators(seed: int, count: int) -> list["torch.Generator"]:
    """One CPU generator per candidate (seed, seed+1, ...): candidate k is the same
    whatever the number of candidates, and CPU generators give the same noise on
    every device."""
    import torch

    return [torch.Generator("cpu").manual_seed((seed + k) % 2**32) for k in range(count)]


class StepProgress:
    """Maps sampling steps onto the 0-100 scale; never raises into the model loop."""

    def __init__(self, report: ProgressCallback | None, total_steps: int) -> None:
        self.report = report
        self.total = max(1, total_steps)

    def stage(self, stage: Stage, percent: float) -> None:
        if self.report is None:
            return
        try:
            self.report(stage, min(100.0, max(0.0, percent)))
        except Exception:  # a broken progress sink must not fail the generation
            log.exception("progress callback failed")

    def step(self, done: int) -> None:
        """``done`` steps of ``total`` have finished."""
        self.stage("sampling", SAMPLING_SHARE * min(done, self.total) / self.total)
        if done >= self.total:
            self.stage("decoding", SAMPLING_SHARE)


class LazyScorer:
    """Loads the shared CLAP scorer on first use (only multi-candidate requests pay)."""

    def __init__(self, load: Callable[[], Scorer | None], where: str) -> None:
        self._load = load
        self.where = where
        self._lock = threading.Lock()
        self._loaded = False
        self._scorer: Scorer | None = None

    def get(self) -> Scorer | None:
        with self._lock:
            if not self._loaded:
                self._scorer = self._load()
                self._loaded = True
            return self._scorer


CLAP_WEIGHTS = ("CLAP_weights_2022.pth", "config.yml")


def clap_locations(model_dir: Path) -> list[tuple[Path, Path | None]]:
    """Where the shared CLAP may be: its own folder (tokenizer inside), else the copy
    that comes with the Make-An-Audio weights (tokenizer beside it)."""
    maa = model_dir / "make-an-audio"
    return [(model_dir / "clap", None), (maa / "useful_ckpts" / "CLAP", maa / "bert-base-uncased")]


def shared_scorer(settings: "Settings", device: str = "cpu") -> LazyScorer:
    """The project's one CLAP re-ranker (``tag.engines.clap.ClapScorer``)."""
    locations = clap_locations(Path(settings.model_dir))

    def load() -> Scorer | None:
        for folder, tokenizer_dir in locations:
            if all((folder / name).is_file() for name in CLAP_WEIGHTS):
                from tag.engines.clap import ClapScorer

                return ClapScorer.from_folder(folder, tokenizer_dir, device=device)
        return None

    return LazyScorer(load, " or ".join(str(folder) for folder, _ in locations))


@dataclass
class Batch:
    """Candidates straight from a model: (count, samples, channels) float32."""

    waveforms: np.ndarray
    sample_rate: int
    notices: list[str] = field(default_factory=list)


def as_batch(raw: np.ndarray, channels_first: bool) -> np.ndarray:
    """(B, T) or (B, C, T) / (B, T, C) -> (B, T, C) float32 without NaNs."""
    data = np.asarray(raw, dtype=np.float32)
    if data.ndim == 2:
        data = data[:, :, None]
    elif channels_first:
        data = np.transpose(data, (0, 2, 1))
    return np.nan_to_num(data, nan=0.0, posinf=1.0, neginf=-1.0)


def finish(
    model: PeerModel,
    prompt: str,
    duration: float,
    batch: Batch,
    *,
    stereo: bool,
    scorer: LazyScorer | None,
    details: dict[str, object],
    progress: StepProgress,
) -> Audio:
    """Fix length and channels, choose the best candidate, and wrap it as ``Audio``.

    Candidates are cut to the exact length *before* scoring, so the scorer judges
    exactly the sound the user will get.
    """
    rate, count = batch.sample_rate, batch.waveforms.shape[0]
    notices = list(batch.notices)
    exact = np.stack([fit_length(w, int(round(duration * rate))) for w in batch.waveforms])  # (B, n, C)
    if stereo and exact.shape[2] == 1:
        notices.append(f"{model.name} renders mono; the sound is mono")
    candidates = exact if stereo and exact.shape[2] > 1 else exact.mean(axis=2)
    index, scores = 0, None
    if count > 1:
        ranker = scorer.get() if scorer is not None else None
        if ranker is None:
            where = scorer.where if scorer is not None else "the model folder"
            notices.append(
                f"no CLAP weights in {where}: kept the first of {count} candidates unranked "
                "(put CLAP_weights_2022.pth, config.yml and tokenizer/ in the first folder to re-rank)"
            )
        else:
            scores = np.asarray(ranker.score(prompt, exact.mean(axis=2), rate), dtype=np.float64).reshape(-1)
            if scores.shape[0] != count:
                raise EngineError(f"the CLAP scorer returned {scores.shape[0]} scores for {count} candidates")
            index = int(np.argmax(scores))
    samples = candidates[index]
    peak = float(np.max(np.abs(samples))) if samples.size else 0.0
    if peak > 1.0:  # keep the model's level, only prevent clipping
        samples = samples / peak * 10 ** (-1 / 20)
    progress.stage("done", 100.0)
    details = {**details, "candidate": index, "scores": None if scores is None else [float(s) for s in scores]}
    return Audio(samples=samples.astype(np.float32), sample_rate=rate, engine=model.name, notices=notices, details=details)


def check_duration_limit(model: PeerModel, duration: float, limit: float) -> None:
    if duration > limit + 1e-9:
        raise EngineError(
            f"{model.name} can render at most {limit:g} s per clip; {duration:g} s was asked for "
            "(choose a shorter duration or another engine)",
            code="duration_too_long",
        )
