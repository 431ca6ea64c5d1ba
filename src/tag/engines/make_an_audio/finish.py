"""The stage every latent engine ends with: sampled latents -> the user's sound.

Make-An-Audio and AudioLCM differ in their networks and samplers, but from a
batch of latents onwards they do the same: decode to 80-bin log-mels, turn the
mels into 16 kHz sound with BigVGAN, CLAP-rank the candidates, keep the best and
cut it to exactly the duration.  ``FinishStage`` is that stage, once; a pipeline
subclasses it and supplies ``decode``.

Fast path (``preview_rank``): the candidates are ranked on Griffin-Lim previews
of their mels and only the winner goes through BigVGAN, the costliest stage on a
CPU.  Decoding and vocoding run under ``compute`` autocast (bfloat16 where
native, see speed.py), except for exact (parity) work, which stays float32 and
vocodes and scores every candidate.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Protocol

import numpy as np
import torch

from tag.engines.make_an_audio.mel import griffin_lim_preview
from tag.engines.make_an_audio.speed import autocast

SAMPLE_RATE = 16000
HOP = 256  # vocoder samples per mel frame: 62.5 frames per second
VOCODER_BATCH_FRAMES = 3 * 640  # mel frames vocoded in one batch: three 10 s candidates

StepCallback = Callable[[int, int], None]
"""Called as ``callback(done_steps, total_steps)`` after every sampler step."""


class Vocoder(Protocol):
    def __call__(self, mel: torch.Tensor) -> torch.Tensor:
        """(B, 80, T) log-mel -> (B, T * 256) waveform."""
        ...


class Scorer(Protocol):
    def score(self, prompt: str, waveforms: Any, sample_rate: int) -> Any:
        """(B,) text-audio cosine similarities."""
        ...


class FinishOptions(Protocol):
    """What the finish stage reads of an engine's options."""

    @property
    def parity(self) -> bool: ...  # exact: float32, every candidate vocoded and scored

    @property
    def preview_rank(self) -> bool: ...  # rank on Griffin-Lim previews, vocode the winner only


@dataclass
class Generation:
    waveform: np.ndarray  # float32, exactly round(duration * 16000) samples
    sample_rate: int
    seed: int
    scores: list[float] = field(default_factory=list)  # of the previews when preview-ranked
    chosen: int = 0
    unet_calls: int = 0  # network calls of the sampler (the backbone's, for AudioLCM)
    latent_width: int = 0
    preview_ranked: bool = False


@torch.inference_mode()
def vocode_batched(vocoder: Vocoder, mel: torch.Tensor) -> torch.Tensor:
    """(B, 80, T) -> (B, T * 256); candidates batched, in groups of at most about
    30 s of audio so long clips do not multiply the vocoder's activation memory."""
    dtype = next(vocoder.parameters()).dtype if isinstance(vocoder, torch.nn.Module) else mel.dtype
    group = max(1, VOCODER_BATCH_FRAMES // mel.shape[-1])
    waves = [vocoder(chunk.to(dtype)).float() for chunk in mel.split(group)]
    return torch.cat(waves).reshape(mel.shape[0], -1)


def rank_candidates(scorer: Scorer | None, prompt: str, waveforms: torch.Tensor) -> list[float]:
    """CLAP scores of the (B, N) 16 kHz candidates; all zero without a scorer or choice."""
    if scorer is None or waveforms.shape[0] == 1:
        return [0.0] * waveforms.shape[0]
    scores = scorer.score(prompt, waveforms, SAMPLE_RATE)
    return [float(s) for s in np.asarray(torch.as_tensor(scores).float().cpu())]


class FinishStage:
    """Decode -> vocode -> rank -> cut, shared by the latent engines' pipelines.

    Subclasses set ``vocoder``, ``scorer``, ``device`` and ``compute`` (the
    autocast dtype; float32 = none) and implement ``decode``."""

    vocoder: Vocoder
    scorer: Scorer | None
    device: torch.device
    compute: torch.dtype = torch.float32

    def autocast(self, exact: bool = False) -> Any:
        """The compute precision's autocast; none for ``exact`` (parity) work."""
        return autocast(self.device, torch.float32 if exact else self.compute)

    def decode(self, latents: torch.Tensor, exact: bool = False) -> torch.Tensor:
        """(B, ...) latents -> (B, 80, T) log-mel covering at least the duration."""
        raise NotImplementedError

    def vocode(self, mel: torch.Tensor, exact: bool = False) -> torch.Tensor:
        with self.autocast(exact):
            return vocode_batched(self.vocoder, mel)

    def rank(self, prompt: str, waveforms: torch.Tensor) -> list[float]:
        return rank_candidates(self.scorer, prompt, waveforms)

    def finish(
        self,
        prompt: str,
        latents: torch.Tensor,
        duration: float,
        *,
        seed: int,
        calls: int,
        options: FinishOptions,
        on_decode: Callable[[], None] | None = None,
    ) -> Generation:
        """Sampled latents (the candidates of one prompt) -> the user's sound:
        decode, vocode, CLAP-rank, keep the best, cut to exactly ``duration``."""
        if on_decode is not None:
            on_decode()
        n = round(duration * SAMPLE_RATE)
        exact = options.parity
        mel = self.decode(latents, exact)
        preview = options.preview_rank and not exact and mel.shape[0] > 1 and self.scorer is not None
        if preview:
            scores = self.rank(prompt, griffin_lim_preview(mel)[:, :n])
            best = int(np.argmax(scores))
            wave = self.vocode(mel[best : best + 1], exact)[0, :n]
        else:
            waves = self.vocode(mel, exact)[:, :n]  # the latent width covers n: only a cut
            scores = self.rank(prompt, waves)  # judged on exactly what the user gets
            best = int(np.argmax(scores))
            wave = waves[best]
        samples = wave.cpu().numpy().astype(np.float32)
        if samples.shape[0] < n:  # only with caller-given noise narrower than the duration needs
            samples = np.pad(samples, (0, n - samples.shape[0]))
        return Generation(samples, SAMPLE_RATE, seed, scores, best, calls, latents.shape[-1], preview)
