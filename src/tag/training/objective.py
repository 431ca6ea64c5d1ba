"""The reference's training objective for the Make-An-Audio UNet.

Facts from the reference (ldm/models/diffusion/ddpm.py, LatentDiffusion, and
configs/train/diffusion.yaml):
- the mel (B, 80, T) enters the autoencoder as a one-channel image (B, 1, 80, T);
  the latent is a *sample* of the encoder's diagonal Gaussian times scale_factor;
- timesteps uniform in [0, 1000), forward noising with the 'linear' schedule
  (squares of a float64 linspace of square roots from linear_start to linear_end);
- the UNet predicts the noise (eps), loss = plain MSE (l_simple, no ELBO term,
  no learned variance);
- classifier-free guidance is learned by giving the empty caption instead of the
  real one with probability 0.1 (the data module's ``drop``).
Every random draw takes an explicit generator, so a step is a pure function of the
weights, the batch and the step's seed: that is what makes resumed runs exact.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from tag.engines.make_an_audio.architecture import ScheduleArch
from tag.engines.make_an_audio.convert import reference_betas



@dataclass(frozen=True)
class NoiseSchedule:
    """sqrt(alpha_bar_t) and sqrt(1 - alpha_bar_t), from float64 like the reference buffers."""

    sqrt_alphas_cumprod: torch.Tensor
    sqrt_one_minus_alphas_cumprod: torch.Tensor

    @classmethod
    def reference(cls, schedule: ScheduleArch) -> "NoiseSchedule":
        alphas_cumprod = np.cumprod(1.0 - reference_betas(schedule))
        return cls(
            torch.tensor(np.sqrt(alphas_cumprod), dtype=torch.float32),
            torch.tensor(np.sqrt(1.0 - alphas_cumprod), dtype=torch.float32),
        )

    @property
    def timesteps(self) -> int:
        return int(self.sqrt_alphas_cumprod.shape[0])

    def add_noise(self, x0: torch.Tensor, noise: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
        """q(x_t | x_0): sqrt(a_t) x0 + sqrt(1 - a_t) eps, per row."""
        shape = (-1,) + (1,) * (x0.dim() - 1)
        a = self.sqrt_alphas_cumprod.to(x0.device)[t].reshape(shape)
        b = self.sqrt_one_minus_alphas_cumprod.to(x0.device)[t].reshape(shape)
        return a * x0 + b * noise


@torch.no_grad()
def posterior(autoencoder: Any, mels: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """(B, 80, T) log-mels -> the encoder's Gaussian: mean and std, (B, 4, 10, T / 8) each."""
    parameter = next(autoencoder.parameters())
    dist = autoencoder.encode(mels[:, None].to(parameter.device, parameter.dtype)).latent_dist
    return dist.mean.float(), dist.std.float()


def latents_from(
    mean: torch.Tensor, std: torch.Tensor, scale_factor: float, generator: torch.Generator, *, sample: bool = True
) -> torch.Tensor:
    """Scaled latents: the posterior's sample (the reference) or its mean (``sample=False``)."""
    z = mean
    if sample:
        z = mean + std * torch.randn(mean.shape, generator=generator, dtype=torch.float32).to(mean.device)
    return z * scale_factor


def encode_mels(
    autoencoder: Any, mels: torch.Tensor, scale_factor: float, generator: torch.Generator, *, sample: bool = True
) -> torch.Tensor:
    """(B, 80, T) log-mels -> (B, 4, 10, T / 8) scaled latents."""
    mean, std = posterior(autoencoder, mels)
    return latents_from(mean, std, scale_factor, generator, sample=sample)


def drop_captions(
    cond: torch.Tensor, empty: torch.Tensor, probability: float, generator: torch.Generator
) -> tuple[torch.Tensor, torch.Tensor]:
    """Rows of ``cond`` (B, 77, d) replaced by the empty-prompt encoding ``empty``
    (1, 77, d) with ``probability`` each; returns them and the mask of dropped rows."""
    dropped = torch.rand(cond.shape[0], generator=generator) < probability
    mask = dropped.to(cond.device)[:, None, None]
    return torch.where(mask, empty.to(cond.dtype).expand_as(cond), cond), dropped


@dataclass
class StepDraws:
    """The random inputs of one training step."""

    timesteps: torch.Tensor  # (B,) int64
    noise: torch.Tensor  # like the latents


def draw(schedule: NoiseSchedule, latents: torch.Tensor, generator: torch.Generator) -> StepDraws:
    t = torch.randint(0, schedule.timesteps, (latents.shape[0],), generator=generator)
    noise = torch.randn(latents.shape, generator=generator, dtype=torch.float32)
    return StepDraws(t.to(latents.device), noise.to(latents.device))


def noise_prediction_loss(
    unet: Any, schedule: NoiseSchedule, latents: torch.Tensor, cond: torch.Tensor, draws: StepDraws
) -> torch.Tensor:
    """MSE between the UNet's eps prediction on the noised latents and the noise."""
    noisy = schedule.add_noise(latents, draws.noise, draws.timesteps)
    eps = unet(noisy, draws.timesteps, encoder_hidden_states=cond).sample
    return F.mse_loss(eps.float(), draws.noise.float())
