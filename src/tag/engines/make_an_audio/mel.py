"""The autoencoder's mel spectrogram, and a cheap way back to sound for ranking.

The autoencoder was trained on the reference's mels: 16 kHz audio, a 1024-point
Hann STFT with hop 256, the magnitude (not power) through 80 Slaney mel filters
from 0 to 8 kHz, natural log clamped at 1e-5.  ``log_mel`` computes that.

``griffin_lim_preview`` inverts such a mel without the vocoder: a least-squares
step back to a linear magnitude, then fast Griffin-Lim (Perraudin et al. 2013,
momentum 0.99) for a phase.  The result sounds phasey, but its spectrum is the
mel's, which is what the CLAP scorer's own log-mel front end looks at; so
candidates can be ranked on previews and only the winner vocoded with BigVGAN,
which costs about ten times more per candidate on a CPU.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import torch

from tag.engines.clap.audio import slaney_mel_filterbank


@dataclass(frozen=True)
class MelSettings:
    sample_rate: int = 16000
    n_fft: int = 1024
    hop: int = 256
    n_mels: int = 80
    fmin: float = 0.0
    fmax: float = 8000.0
    floor: float = 1e-5  # magnitude clamp before the log


MEL = MelSettings()


@lru_cache(maxsize=4)
def _filterbank(settings: MelSettings) -> torch.Tensor:
    bank = slaney_mel_filterbank(settings.sample_rate, settings.n_fft, settings.n_mels, settings.fmin, settings.fmax)
    return torch.from_numpy(bank)


@lru_cache(maxsize=4)
def _inverse_filterbank(settings: MelSettings) -> torch.Tensor:
    # Pseudo-inverse computed once in float64: the filters are nearly disjoint, so
    # this is well conditioned, and negative values are clipped after applying it.
    return torch.linalg.pinv(_filterbank(settings).double()).float()


def _stft(wave: torch.Tensor, settings: MelSettings) -> torch.Tensor:
    window = torch.hann_window(settings.n_fft, device=wave.device)
    return torch.stft(wave, settings.n_fft, settings.hop, window=window, center=True, return_complex=True)


def _istft(spec: torch.Tensor, settings: MelSettings, length: int) -> torch.Tensor:
    window = torch.hann_window(settings.n_fft, device=spec.device)
    return torch.istft(spec, settings.n_fft, settings.hop, window=window, center=True, length=length)


def log_mel(wave: torch.Tensor, settings: MelSettings = MEL) -> torch.Tensor:
    """(B, N) waveform at ``settings.sample_rate`` -> (B, 80, N // hop + 1) log-mel."""
    magnitude = _stft(wave.float(), settings).abs()
    mel = torch.matmul(_filterbank(settings).to(wave.device), magnitude)
    return torch.log(torch.clamp(mel, min=settings.floor))


@torch.inference_mode()
def griffin_lim_preview(
    mel: torch.Tensor, settings: MelSettings = MEL, iterations: int = 24, momentum: float = 0.99, seed: int = 0
) -> torch.Tensor:
    """(B, 80, T) log-mel -> (B, T * hop) waveform whose spectrum approximates it."""
    mel = mel.float()
    frames = mel.shape[-1]
    length = frames * settings.hop
    target = torch.matmul(_inverse_filterbank(settings).to(mel.device), torch.exp(mel)).clamp(min=0.0)
    # Seeded random start phase: the same mel always gives the same preview.
    generator = torch.Generator("cpu").manual_seed(seed)
    phase = torch.rand(target.shape, generator=generator).to(mel.device) * (2 * torch.pi)
    spec = torch.polar(target, phase)
    previous = torch.zeros_like(spec)
    for _ in range(iterations):
        rebuilt = _stft(_istft(spec, settings, length), settings)[..., :frames]
        accelerated = rebuilt + momentum * (rebuilt - previous) if momentum else rebuilt
        previous = rebuilt
        spec = target * torch.exp(1j * torch.angle(accelerated))
    return _istft(spec, settings, length)
