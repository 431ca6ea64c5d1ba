"""Samplers: the reference DDIM exactly (``parity``), and a fast multistep solver.

Reference facts (ldm/modules/diffusionmodules/util.py and ldm/models/diffusion/ddim.py):
- betas = linspace(sqrt(0.00085), sqrt(0.012), 1000) ** 2 in float64; the cumulative
  product is taken in float64 and stored as float32.
- "uniform" DDIM steps: c = 1000 // S, timesteps = range(0, 1000, c) + 1 (so 1..991
  for S = 100; more than S steps when S does not divide 1000), walked backwards.
- previous alpha of a step = alphas_cumprod at the previous timestep of that list;
  for the last step alphas_cumprod[0] (not 1).
- eta = 0, epsilon prediction, no clipping.
diffusers' DDIMScheduler with "leading" spacing, steps_offset 1 and
set_alpha_to_one False walks the same list with the same update; we still place the
reference's float64-derived alphas and its exact timestep list into it.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
import torch

from tag.engines.make_an_audio.architecture import ScheduleArch
from tag.engines.make_an_audio.convert import reference_alphas_cumprod, reference_betas

SamplerName = Literal["ddim", "dpm", "unipc"]
PARITY_STEPS = 100


def reference_ddim_timesteps(steps: int, train_steps: int = 1000) -> np.ndarray:
    """The reference 'uniform' discretisation, highest timestep first."""
    stride = train_steps // steps
    return np.flip(np.arange(0, train_steps, stride) + 1).copy()


def make_scheduler(kind: SamplerName, steps: int, schedule: ScheduleArch) -> Any:
    """A diffusers scheduler with its timesteps set for ``steps`` steps."""
    from diffusers import DDIMScheduler, DPMSolverMultistepScheduler, UniPCMultistepScheduler

    common = dict(
        num_train_timesteps=schedule.timesteps,
        trained_betas=reference_betas(schedule),
        prediction_type="epsilon",
    )
    if kind == "ddim":
        scheduler = DDIMScheduler(
            **common,
            clip_sample=False,
            set_alpha_to_one=False,
            steps_offset=1,
            timestep_spacing="leading",
        )
        # diffusers would take the cumulative product in float32; the reference in float64.
        alphas = reference_alphas_cumprod(schedule)
        scheduler.alphas_cumprod = alphas
        scheduler.final_alpha_cumprod = alphas[0]
        scheduler.set_timesteps(steps)
        scheduler.timesteps = torch.from_numpy(reference_ddim_timesteps(steps, schedule.timesteps))
        return scheduler
    if kind == "dpm":
        # DPM-Solver++ (2M): second order, good samples in 15-25 steps.
        scheduler = DPMSolverMultistepScheduler(
            **common,
            algorithm_type="dpmsolver++",
            solver_order=2,
            timestep_spacing="linspace",
            lower_order_final=True,
            final_sigmas_type="zero",
        )
        scheduler.set_timesteps(steps)
        return scheduler
    if kind == "unipc":
        # UniPC (bh2, predictor-corrector): the corrector reuses each step's UNet
        # output, so at 10-12 steps it is as cheap as DPM-Solver++ and often closer.
        scheduler = UniPCMultistepScheduler(
            **common,
            solver_order=2,
            solver_type="bh2",
            timestep_spacing="linspace",
            lower_order_final=True,
            final_sigmas_type="zero",
        )
        scheduler.set_timesteps(steps)
        return scheduler
    raise ValueError(f"unknown sampler {kind!r}")
