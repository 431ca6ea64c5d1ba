"""AudioLCM inference: prompt -> [CLAP; T5] tokens -> 2 consistency steps -> mel -> BigVGAN -> CLAP pick.

The T5 tower reads the structured caption the reference builds from a plain
prompt, ``<{prompt}& all>``.  Latents wider than the training length are
denoised as overlapping windows (shared ``make_an_audio.windows``).  From the
latents on it is Make-An-Audio's ``FinishStage``: the same bfloat16 autocast
where native, the same ranking on Griffin-Lim previews with BigVGAN for the
winner only; ``parity`` keeps float32 and vocodes and scores every candidate.
"""

from __future__ import annotations

import math
import secrets
from dataclasses import dataclass
from typing import Callable

import torch

from tag.engines.audiolcm.backbone import TEXT_TOKENS, guidance_embedding
from tag.engines.audiolcm.loading import LCMComponents
from tag.engines.audiolcm.scheduler import make_scheduler
from tag.engines.clap.text import conditioning_tokens
from tag.engines.make_an_audio import windows as win
from tag.engines.make_an_audio.finish import HOP, SAMPLE_RATE, FinishStage, Generation, Scorer, StepCallback, Vocoder


@dataclass(frozen=True)
class LCMOptions:
    steps: int = 2
    guidance: float = 5.0  # the reference script's scale; enters as an embedding of w - 1
    candidates: int = 3
    sampler: str = "lcm"
    # parity: float32 throughout, every candidate vocoded and scored (comparisons with the reference).
    parity: bool = False
    window_overlap: int = 64  # latent frames shared by neighbouring windows (about 2 s)
    # Rank candidates on Griffin-Lim previews and vocode only the winner (see finish.py).
    preview_rank: bool = False


def latent_width_for(duration: float, time_down: int = 2) -> int:
    return math.ceil(math.ceil(duration * SAMPLE_RATE / HOP) / time_down)


class AudioLCMPipeline(FinishStage):
    def __init__(
        self,
        components: LCMComponents,
        vocoder: Vocoder,
        scorer: Scorer | None,
        *,
        device: str | torch.device = "cpu",
        compute: torch.dtype = torch.float32,
    ) -> None:
        self.c = components
        self.vocoder = vocoder
        self.scorer = scorer
        self.device = torch.device(device)
        self.compute = compute  # autocast dtype of the backbone, decoder and vocoder; float32 = none
        for module in (components.backbone, components.decoder, components.clap_text, components.t5):
            module.to(self.device)

    @torch.inference_mode()
    def encode_text(self, prompt: str) -> torch.Tensor:
        """(1, 154, d): CLAP states of the prompt, then T5 states of its structured caption."""
        clap_ids = conditioning_tokens(self.c.clap_tokenizer, [prompt], TEXT_TOKENS).to(self.device)
        t5_ids = conditioning_tokens(self.c.t5_tokenizer, [f"<{prompt}& all>"], TEXT_TOKENS).to(self.device)
        clap = self.c.clap_text(clap_ids)
        t5 = self.c.t5(input_ids=t5_ids).last_hidden_state
        return torch.cat([clap, t5], dim=1).float()

    @torch.inference_mode()
    def sample(
        self, cond: torch.Tensor, seed: int, count: int, width: int, options: LCMOptions, callback: StepCallback | None = None
    ) -> torch.Tensor:
        arch = self.c.arch
        scheduler = make_scheduler(options.steps, arch.schedule, arch.original_steps)
        # One generator per candidate: start noise, then the re-noising draws.
        generators = [torch.Generator("cpu").manual_seed(seed + i) for i in range(count)]
        shape = (arch.dit.in_channels, width)
        latents = torch.stack([torch.randn(shape, generator=g) for g in generators]).to(self.device)
        window = arch.schedule.train_latent_width
        overlap = min(options.window_overlap, window // 2)
        single = min(int(window * win.SINGLE_PASS_STRETCH), self.c.backbone.max_latent_frames)
        plan = win.plan_windows(width, window, overlap, single)
        weights = win.window_weights(plan, width, overlap)
        n = count * len(plan)
        context = cond.expand(n, -1, -1)
        w = guidance_embedding(torch.full((n,), options.guidance - 1.0)).to(self.device)
        total = len(scheduler.timesteps)
        for i, t in enumerate(scheduler.timesteps):
            x = win.split(latents.unsqueeze(2), plan).squeeze(2)
            with self.autocast(options.parity):
                eps = self.c.backbone(x, t.expand(n).to(self.device), context, w).float()
            eps = win.merge(eps.unsqueeze(2), plan, weights, width).squeeze(2)
            latents = scheduler.step(eps, t, latents, generator=generators).prev_sample
            if callback is not None:
                callback(i + 1, total)
        return latents

    @torch.inference_mode()
    def decode(self, latents: torch.Tensor, exact: bool = False) -> torch.Tensor:
        """(B, 20, W) -> (B, 80, W * 2) log-mel, windowed past the training length."""
        z = latents / self.c.scale_factor
        width, down = z.shape[-1], self.c.arch.autoencoder.time_down
        window = self.c.arch.schedule.train_latent_width
        overlap = min(16, window // 2)
        plan = win.plan_windows(width, window, overlap, int(window * win.SINGLE_PASS_STRETCH))
        with self.autocast(exact):
            if len(plan) == 1:
                return self.c.decoder(z).float()
            pieces = torch.cat([self.c.decoder(z[..., w.start : w.stop]).float() for w in plan])
        weights = win.window_weights(plan, width, overlap).repeat_interleave(down, dim=1)
        frames = [win.Window(w.start * down, w.stop * down) for w in plan]
        return win.merge(pieces, frames, weights, width * down)

    def __call__(
        self,
        prompt: str,
        duration: float,
        *,
        seed: int | None = None,
        options: LCMOptions = LCMOptions(),
        on_step: StepCallback | None = None,
        on_decode: Callable[[], None] | None = None,
    ) -> Generation:
        seed = secrets.randbelow(2**31) if seed is None else int(seed)
        width = latent_width_for(duration, self.c.arch.autoencoder.time_down)
        latents = self.sample(self.encode_text(prompt), seed, options.candidates, width, options, on_step)
        return self.finish(prompt, latents, duration, seed=seed, calls=total_calls(options), options=options,
                           on_decode=on_decode)


def total_calls(options: LCMOptions) -> int:
    return options.steps  # one network call per step: guidance needs no second pass
