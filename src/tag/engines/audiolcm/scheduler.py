"""The consistency sampler AudioLCM publishes (``scheduling_lcm.LCMSampler``).

Reference facts, which diffusers' ``LCMScheduler`` implements step for step:
- the student was distilled on a grid of ``original_steps`` = 50 timesteps,
  k = 1000 // 50 = 20 apart: 19, 39, ..., 999;
- S inference steps take grid indices floor(linspace(0, 50, S, endpoint=False))
  from the top: 999, 499 for S = 2;
- each step: x0 = (x_t - sqrt(1 - a_t) eps) / sqrt(a_t); boundary condition
  denoised = c_out x0 + c_skip x_t with c_skip = s^2 / ((10 t)^2 + s^2),
  c_out = 10 t / sqrt((10 t)^2 + s^2), s = 0.5; then re-noised to the next
  timestep, sqrt(a_next) denoised + sqrt(1 - a_next) z, except after the last;
- guidance is not two passes: the scale w enters the network as an embedding of
  w - 1 (see ``backbone.guidance_embedding``);
- alphas_cumprod is the model's buffer: float64 cumulative product stored as float32.
"""

from __future__ import annotations

from typing import Any

from tag.engines.make_an_audio.architecture import ScheduleArch
from tag.engines.make_an_audio.convert import reference_alphas_cumprod, reference_betas

DEFAULT_STEPS = 2
TIMESTEP_SCALING = 10.0


def make_scheduler(steps: int, schedule: ScheduleArch, original_steps: int = 50) -> Any:
    """A diffusers ``LCMScheduler`` with the reference's alphas and its timesteps set."""
    from diffusers import LCMScheduler

    if not 1 <= steps <= original_steps:
        raise ValueError(f"AudioLCM takes 1 to {original_steps} steps, not {steps}")
    scheduler = LCMScheduler(
        num_train_timesteps=schedule.timesteps,
        trained_betas=reference_betas(schedule),
        original_inference_steps=original_steps,
        prediction_type="epsilon",
        clip_sample=False,
        timestep_scaling=TIMESTEP_SCALING,
    )
    # diffusers would take the cumulative product in float32; the reference in float64.
    scheduler.alphas_cumprod = reference_alphas_cumprod(schedule)
    scheduler.set_timesteps(steps, original_inference_steps=original_steps)
    return scheduler
