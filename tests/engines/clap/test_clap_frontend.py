"""The Cnn14 log-mel front end against an independent numpy computation."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from scipy import signal
from transformers.audio_utils import mel_filter_bank

from tag.engines.clap.audio import Cnn14, slaney_mel_filterbank, windowed_dft_basis

RATE, N_FFT, HOP, MELS, FMIN, FMAX = 44100, 1024, 320, 64, 50, 14000


def numpy_log_mel(x: np.ndarray) -> np.ndarray:
    """Centred reflect-padded frames, periodic Hann, rFFT power, Slaney mel, 10 log10."""
    padded = np.pad(x.astype(np.float64), N_FFT // 2, mode="reflect")
    count = 1 + (padded.shape[0] - N_FFT) // HOP
    frames = np.stack([padded[i * HOP : i * HOP + N_FFT] for i in range(count)])
    window = signal.get_window("hann", N_FFT, fftbins=True)
    power = np.abs(np.fft.rfft(frames * window, axis=1)) ** 2
    bank = mel_filter_bank(
        num_frequency_bins=N_FFT // 2 + 1,
        num_mel_filters=MELS,
        min_frequency=FMIN,
        max_frequency=FMAX,
        sampling_rate=RATE,
        norm="slaney",
        mel_scale="slaney",
    )
    return 10.0 * np.log10(np.maximum(power @ bank, 1e-10))


def test_mel_filterbank_is_slaney_as_an_independent_implementation() -> None:
    ours = slaney_mel_filterbank(RATE, N_FFT, MELS, FMIN, FMAX)
    theirs = mel_filter_bank(
        num_frequency_bins=N_FFT // 2 + 1,
        num_mel_filters=MELS,
        min_frequency=FMIN,
        max_frequency=FMAX,
        sampling_rate=RATE,
        norm="slaney",
        mel_scale="slaney",
    )
    assert ours.shape == (MELS, N_FFT // 2 + 1)
    np.testing.assert_allclose(ours, theirs.T, rtol=1e-5, atol=1e-9)


def test_dft_basis_is_the_windowed_fourier_transform() -> None:
    real, imag = windowed_dft_basis(N_FFT)
    frame = np.random.default_rng(1).standard_normal(N_FFT)
    spectrum = np.fft.rfft(frame * signal.get_window("hann", N_FFT))
    np.testing.assert_allclose(real @ frame, spectrum.real, atol=2e-4)
    np.testing.assert_allclose(imag @ frame, spectrum.imag, atol=2e-4)


@pytest.mark.parametrize("length", [RATE // 2, 12345])
def test_log_mel_matches_numpy(length: int) -> None:
    rng = np.random.default_rng(length)
    t = np.arange(length) / RATE
    x = 0.3 * np.sin(2 * np.pi * 440 * t) + 0.05 * rng.standard_normal(length)
    tower = Cnn14(widths=(2, 2, 2, 2, 2, 2), out_emb=4, classes_num=3).eval()
    with torch.inference_mode():
        ours = tower.log_mel(torch.from_numpy(x.astype(np.float32))[None])[0, 0].numpy()
    expected = numpy_log_mel(x)
    assert ours.shape == expected.shape == (1 + length // HOP, MELS)
    np.testing.assert_allclose(ours, expected, atol=2e-3)


def test_silence_floors_at_minus_100_db() -> None:
    tower = Cnn14(widths=(2, 2, 2, 2, 2, 2), out_emb=4, classes_num=3).eval()
    with torch.inference_mode():
        out = tower.log_mel(torch.zeros(1, 4000))
    assert torch.all(out == -100.0)
