"""The CLAP (2022) audio tower: log-mel front end, Cnn14 (PANNs) and the projection.

The reference builds its front end with torchlibrosa (STFT as two frozen Conv1d
layers holding the windowed DFT basis, a librosa Slaney mel matrix ``melW``,
power to dB with ref 1.0, amin 1e-10, no top_db).  Those three tensors are saved
in the official checkpoint, so this module keeps them under the same key names
(``spectrogram_extractor.stft.conv_real.weight``, ``...conv_imag.weight``,
``logmel_extractor.melW``) and computes exactly what they compute; the basis and
filterbank are built here with numpy only (no torchlibrosa, librosa or
torchaudio), and an official checkpoint overwrites them with its stored copies.

Cnn14's channel widths are a parameter (official values by default) so tests can
build a tiny tower of the same architecture.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from tag.engines.clap.projection import Projection

CNN14_WIDTHS = (64, 128, 256, 512, 1024, 2048)
_AMIN = 1e-10  # power floor before log10, as the reference
_REF = 1.0  # dB reference power


def periodic_hann(length: int) -> np.ndarray:
    """The "fftbins" Hann window: 0.5 - 0.5 cos(2 pi n / N), n = 0..N-1."""
    n = np.arange(length)
    return 0.5 - 0.5 * np.cos(2.0 * np.pi * n / length)


def windowed_dft_basis(n_fft: int) -> tuple[np.ndarray, np.ndarray]:
    """Real and imaginary rows (n_fft//2+1, n_fft) of exp(-2 pi i k n / N) * hann[n].

    The product k*n is reduced modulo N first so large indices keep full precision.
    """
    k = np.arange(n_fft // 2 + 1)[:, None]
    n = np.arange(n_fft)[None, :]
    angle = 2.0 * np.pi * ((k * n) % n_fft) / n_fft
    window = periodic_hann(n_fft)[None, :]
    return (np.cos(angle) * window).astype(np.float32), (-np.sin(angle) * window).astype(np.float32)


def _hz_to_slaney_mel(hz: np.ndarray) -> np.ndarray:
    # Linear below 1 kHz (3 mels per 200 Hz), logarithmic above (27 steps per factor 6.4).
    hz = np.asarray(hz, dtype=np.float64)
    linear = hz / (200.0 / 3.0)
    log_part = 15.0 + np.log(np.maximum(hz, 1e-12) / 1000.0) / (np.log(6.4) / 27.0)
    return np.where(hz >= 1000.0, log_part, linear)


def _slaney_mel_to_hz(mel: np.ndarray) -> np.ndarray:
    mel = np.asarray(mel, dtype=np.float64)
    linear = mel * (200.0 / 3.0)
    log_part = 1000.0 * np.exp((np.log(6.4) / 27.0) * (mel - 15.0))
    return np.where(mel >= 15.0, log_part, linear)


def slaney_mel_filterbank(sample_rate: int, n_fft: int, n_mels: int, fmin: float, fmax: float) -> np.ndarray:
    """Triangular, area-normalised (Slaney) mel filters, shape (n_mels, n_fft//2+1), float32."""
    bins = np.linspace(0.0, sample_rate / 2.0, n_fft // 2 + 1)
    edges = _slaney_mel_to_hz(np.linspace(_hz_to_slaney_mel(fmin), _hz_to_slaney_mel(fmax), n_mels + 2))
    lower, centre, upper = edges[:-2, None], edges[1:-1, None], edges[2:, None]
    rising = (bins[None, :] - lower) / (centre - lower)
    falling = (upper - bins[None, :]) / (upper - centre)
    triangles = np.maximum(0.0, np.minimum(rising, falling))
    area = 2.0 / (upper - lower)
    return (triangles * area).astype(np.float32)


class _DftConvolutions(nn.Module):
    """Holds the windowed DFT basis as two frozen convolutions (checkpoint key names)."""

    def __init__(self, n_fft: int, hop: int) -> None:
        super().__init__()
        real, imag = windowed_dft_basis(n_fft)
        self.n_fft, self.hop = n_fft, hop
        self.conv_real = nn.Conv1d(1, n_fft // 2 + 1, n_fft, stride=hop, bias=False)
        self.conv_imag = nn.Conv1d(1, n_fft // 2 + 1, n_fft, stride=hop, bias=False)
        with torch.no_grad():
            self.conv_real.weight.copy_(torch.from_numpy(real)[:, None, :])
            self.conv_imag.weight.copy_(torch.from_numpy(imag)[:, None, :])
        self.requires_grad_(False)


class PowerSpectrogram(nn.Module):
    """|STFT|^2 of centred (reflect-padded) frames: (B, N) -> (B, 1, frames, n_fft//2+1)."""

    def __init__(self, n_fft: int, hop: int) -> None:
        super().__init__()
        self.stft = _DftConvolutions(n_fft, hop)

    def forward(self, waveform: torch.Tensor) -> torch.Tensor:
        half = self.stft.n_fft // 2
        x = F.pad(waveform[:, None, :], (half, half), mode="reflect")
        real = self.stft.conv_real(x)
        imag = self.stft.conv_imag(x)
        return (real * real + imag * imag).transpose(1, 2)[:, None, :, :]


class LogMel(nn.Module):
    """Power spectrogram -> mel (matrix ``melW``) -> decibels (ref 1, amin 1e-10, no top_db)."""

    def __init__(self, sample_rate: int, n_fft: int, n_mels: int, fmin: float, fmax: float) -> None:
        super().__init__()
        bank = slaney_mel_filterbank(sample_rate, n_fft, n_mels, fmin, fmax)
        self.melW = nn.Parameter(torch.from_numpy(np.ascontiguousarray(bank.T)), requires_grad=False)

    def forward(self, power: torch.Tensor) -> torch.Tensor:
        mel = torch.matmul(power, self.melW)
        return 10.0 * torch.log10(torch.clamp(mel, min=_AMIN)) - 10.0 * np.log10(max(_AMIN, _REF))


class ConvBlock(nn.Module):
    """Two 3x3 conv + batch-norm + ReLU, then average pooling."""

    def __init__(self, in_channels: int, out_channels: int) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, out_channels, 3, padding=1, bias=False)
        self.conv2 = nn.Conv2d(out_channels, out_channels, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(out_channels)
        self.bn2 = nn.BatchNorm2d(out_channels)

    def forward(self, x: torch.Tensor, pool: tuple[int, int]) -> torch.Tensor:
        x = F.relu(self.bn1(self.conv1(x)))
        x = F.relu(self.bn2(self.conv2(x)))
        return F.avg_pool2d(x, kernel_size=pool) if pool != (1, 1) else x


class Cnn14(nn.Module):
    """PANNs Cnn14 as CLAP uses it: waveform (B, N) at ``sample_rate`` -> embedding (B, out_emb)."""

    def __init__(
        self,
        sample_rate: int = 44100,
        window_size: int = 1024,
        hop_size: int = 320,
        mel_bins: int = 64,
        fmin: float = 50,
        fmax: float = 14000,
        classes_num: int = 527,
        out_emb: int = 2048,
        widths: Sequence[int] = CNN14_WIDTHS,
    ) -> None:
        super().__init__()
        if len(widths) != 6:
            raise ValueError(f"Cnn14 has 6 conv blocks; got {len(widths)} widths")
        self.spectrogram_extractor = PowerSpectrogram(window_size, hop_size)
        self.logmel_extractor = LogMel(sample_rate, window_size, mel_bins, fmin, fmax)
        self.bn0 = nn.BatchNorm2d(mel_bins)
        channels = [1, *widths]
        for i in range(6):
            setattr(self, f"conv_block{i + 1}", ConvBlock(channels[i], channels[i + 1]))
        self.fc1 = nn.Linear(widths[-1], out_emb, bias=True)
        self.fc_audioset = nn.Linear(out_emb, classes_num, bias=True)  # AudioSet head: in the file, unused here

    def log_mel(self, waveform: torch.Tensor) -> torch.Tensor:
        """(B, N) -> (B, 1, frames, mel_bins) decibels."""
        return self.logmel_extractor(self.spectrogram_extractor(waveform))

    def forward(self, waveform: torch.Tensor) -> torch.Tensor:
        # The front end may stay float32 while the convolutions run in half precision
        # (1e-10 power floors underflow in float16).
        x = self.log_mel(waveform).to(self.bn0.weight.dtype)
        # Batch-norm over mel bins: move them to the channel axis and back.
        x = self.bn0(x.transpose(1, 3)).transpose(1, 3)
        for i in range(1, 7):
            x = getattr(self, f"conv_block{i}")(x, (2, 2) if i < 6 else (1, 1))
        x = x.mean(dim=3)  # over mel
        x = x.amax(dim=2) + x.mean(dim=2)  # over time: max + mean
        return F.relu(self.fc1(x))


class ClapAudioEncoder(nn.Module):
    """Cnn14 (``base``) + projection (``projection``): waveform -> (B, d_proj), not normalised."""

    def __init__(self, base: Cnn14, out_emb: int, d_proj: int) -> None:
        super().__init__()
        self.base = base
        self.projection = Projection(out_emb, d_proj)

    def forward(self, waveform: torch.Tensor) -> torch.Tensor:
        return self.projection(self.base(waveform))
