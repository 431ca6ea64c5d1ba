"""Make-An-Audio inference, top to bottom like the paper's figure.

prompt -> CLAP text tower (and the cached empty-prompt encoding for guidance)
       -> seeded latent noise as wide as the duration needs
       -> sampler: UNet noise predictions, guided, [uncond, cond] in one call,
          over overlapping windows past the training length
       -> autoencoder decoder: latent -> 80-bin log-mel spectrogram
       -> BigVGAN vocoder: mel -> 16 kHz waveform
       -> CLAP re-ranking of all candidates -> the best, cut to exactly the duration

Sampling runs under ``compute`` autocast (bfloat16 where native; see speed.py),
except in parity mode, which stays float32 throughout.  Decoding, vocoding and
ranking, with the fast path (``preview_rank``: rank on Griffin-Lim previews, vocode
the winner only), are the ``FinishStage`` AudioLCM shares (finish.py).
"""

from __future__ import annotations

import math
import secrets
from dataclasses import dataclass
from typing import Callable

import numpy as np
import torch

from tag.engines.clap.text import conditioning_tokens
from tag.engines.make_an_audio import windows as win
from tag.engines.make_an_audio.finish import (
    HOP,
    SAMPLE_RATE,
    FinishStage,
    Generation,
    Scorer,
    StepCallback,
    Vocoder,
    rank_candidates,
    vocode_batched,
)
from tag.engines.make_an_audio.loading import TEXT_LENGTH, Components
from tag.engines.make_an_audio.schedulers import SamplerName, make_scheduler

LATENT_DOWN = 8  # mel frames per latent frame

__all__ = [
    "Generation", "MakeAnAudioPipeline", "SamplingOptions", "Scorer", "StepCallback", "Vocoder",
    "candidate_noise", "latent_width_for", "rank_candidates", "reference_start_noise", "vocode_batched",
]


@dataclass(frozen=True)
class SamplingOptions:
    steps: int = 20
    guidance: float = 3.0
    candidates: int = 3
    sampler: SamplerName = "dpm"
    # parity: the reference sampler exactly (DDIM, its schedule) and the demo's
    # numpy-seeded start noise, for comparison with the official code.
    parity: bool = False
    window_overlap: int = 16  # latent frames shared by neighbouring windows (about 2 s)
    # Rank candidates on Griffin-Lim previews and vocode only the winner (approximate:
    # the previews' CLAP scores stand in for the vocoded ones).
    preview_rank: bool = False


def mel_frames_for(duration: float) -> int:
    return math.ceil(duration * SAMPLE_RATE / HOP)


def latent_width_for(duration: float, parity: bool = False) -> int:
    """Latent frames covering ``duration``: ceil(duration * 62.5 / 8), made even
    because the UNet halves the width once and must restore it exactly.

    ``parity``: the reference's width (int(d * 7.8) rounded up to a multiple of 4)
    whenever it covers the duration, so that parity runs see the reference's input;
    where it falls short, ours rounded up to a multiple of 4."""
    width = math.ceil(mel_frames_for(duration) / LATENT_DOWN)
    if parity:
        reference = -(-int(duration * 7.8) // 4) * 4
        return reference if reference >= width else -(-width // 4) * 4
    return width + (width % 2)


def reference_start_noise(seed: int, shape: tuple[int, ...]) -> torch.Tensor:
    """The demo's start noise: ``np.random.RandomState(seed).randn(*shape)`` as float32."""
    return torch.from_numpy(np.random.RandomState(seed).randn(*shape)).to(torch.float32)


def candidate_noise(seed: int, count: int, shape: tuple[int, ...]) -> torch.Tensor:
    """One CPU generator per candidate (seed, seed+1, ...): candidate i is the same
    sound whatever the number of candidates and whatever the device."""
    return torch.stack(
        [torch.randn(shape, generator=torch.Generator("cpu").manual_seed(seed + i)) for i in range(count)]
    )


class MakeAnAudioPipeline(FinishStage):
    def __init__(
        self,
        components: Components,
        vocoder: Vocoder,
        scorer: Scorer | None,
        *,
        device: str | torch.device = "cpu",
        dtype: torch.dtype = torch.float32,
        compute: torch.dtype = torch.float32,
    ) -> None:
        self.c = components
        self.vocoder = vocoder
        self.scorer = scorer
        self.device = torch.device(device)
        self.dtype = dtype  # of the weights
        self.compute = compute  # autocast dtype of the arithmetic; float32 = none
        for module in (components.unet, components.autoencoder, components.text_encoder):
            module.to(self.device)
            if next(module.parameters()).dtype != dtype:  # half precision on GPUs only
                module.to(dtype=dtype)
        self._empty: torch.Tensor | None = None

    # -- conditioning -------------------------------------------------------
    @torch.inference_mode()
    def encode_text(self, prompts: list[str]) -> torch.Tensor:
        """(B, 77, d) per-token CLAP text embeddings, as the reference: padded to 77
        tokens, no attention mask (the padding tokens take part)."""
        ids = conditioning_tokens(self.c.tokenizer, prompts, TEXT_LENGTH).to(self.device)
        return self.c.text_encoder(ids).to(self.dtype)  # float32 always: the encoding is cached

    def empty_prompt(self) -> torch.Tensor:
        if self._empty is None:  # the unconditional input never changes: encode once
            self._empty = self.encode_text([""])
        return self._empty

    # -- sampling -----------------------------------------------------------
    @torch.inference_mode()
    def sample(
        self,
        cond: torch.Tensor,
        noise: torch.Tensor,
        options: SamplingOptions,
        callback: StepCallback | None = None,
    ) -> tuple[torch.Tensor, int]:
        """Denoise ``noise`` (B, 4, H, W) under ``cond``: (1, 77, d) shared by all
        rows (candidates of one prompt) or (B, 77, d), one row per sample (a batch
        of requests); returns the latents and the number of UNet calls made."""
        kind: SamplerName = "ddim" if options.parity else options.sampler
        scheduler = make_scheduler(kind, options.steps, self.c.arch.schedule)
        batch, width = noise.shape[0], noise.shape[-1]
        window = self.c.arch.schedule.train_latent_width
        overlap = min(options.window_overlap, window // 2)
        plan = win.plan_windows(width, window, overlap, int(window * win.SINGLE_PASS_STRETCH))
        weights = win.window_weights(plan, width, overlap)
        guided = options.guidance != 1.0  # the reference skips the unconditional pass at 1
        if cond.shape[0] not in (1, batch):
            raise ValueError(f"cond has {cond.shape[0]} rows for {batch} samples")
        # split() is window-major: every window sees the rows in the same order.
        context = cond.expand(batch, -1, -1).repeat(len(plan), 1, 1)
        if guided:
            uncond = self.empty_prompt().expand_as(context)
            context = torch.cat([uncond, context])
        latents = noise.to(self.device, torch.float32) * scheduler.init_noise_sigma
        total = len(scheduler.timesteps)
        for i, t in enumerate(scheduler.timesteps):
            x = win.split(latents, plan)
            x_in = torch.cat([x, x]) if guided else x
            x_in = scheduler.scale_model_input(x_in, t).to(self.dtype)
            with self.autocast(options.parity):
                eps = self.c.unet(x_in, t.to(self.device), encoder_hidden_states=context).sample.float()
            if guided:
                eps_uncond, eps_cond = eps.chunk(2)
                eps = eps_uncond + options.guidance * (eps_cond - eps_uncond)
            eps = win.merge(eps, plan, weights, width)
            latents = scheduler.step(eps, t, latents).prev_sample
            if callback is not None:
                callback(i + 1, total)
        return latents, total

    # -- decoding -----------------------------------------------------------
    @torch.inference_mode()
    def decode(self, latents: torch.Tensor, exact: bool = False) -> torch.Tensor:
        """(B, 4, H, W) latents -> (B, 80, W * 8) log-mel: z / scale_factor ->
        post_quant_conv -> decoder (no tanh), windowed like sampling past ~10 s."""
        vae = self.c.autoencoder
        z = (latents / self.c.scale_factor).to(self.dtype)
        width = z.shape[-1]
        window = self.c.arch.schedule.train_latent_width
        overlap = min(8, window // 2)
        plan = win.plan_windows(width, window, overlap, int(window * win.SINGLE_PASS_STRETCH))
        with self.autocast(exact):
            if len(plan) == 1:
                return vae.decode(z).sample[:, 0].float()
            pieces = torch.cat([vae.decode(z[..., w.start : w.stop]).sample[:, 0].float() for w in plan])
        weights = win.window_weights(plan, width, overlap).repeat_interleave(LATENT_DOWN, dim=1)
        frames = [win.Window(w.start * LATENT_DOWN, w.stop * LATENT_DOWN) for w in plan]
        return win.merge(pieces, frames, weights, width * LATENT_DOWN)

    def start_noise(self, seed: int, duration: float, options: SamplingOptions) -> torch.Tensor:
        """(candidates, 4, H, W) seeded start noise as wide as ``duration`` needs."""
        width = latent_width_for(duration, options.parity)
        shape = (self.c.unet.config.in_channels, self.c.arch.latent_height, width)
        if options.parity:
            return reference_start_noise(seed, (options.candidates, *shape))
        return candidate_noise(seed, options.candidates, shape)

    # -- everything ---------------------------------------------------------
    def __call__(
        self,
        prompt: str,
        duration: float,
        *,
        seed: int | None = None,
        options: SamplingOptions = SamplingOptions(),
        on_step: StepCallback | None = None,
        on_decode: Callable[[], None] | None = None,
        noise: torch.Tensor | None = None,
    ) -> Generation:
        seed = secrets.randbelow(2**31) if seed is None else int(seed)
        if noise is None:
            noise = self.start_noise(seed, duration, options)
        latents, calls = self.sample(self.encode_text([prompt]), noise, options, on_step)
        return self.finish(prompt, latents, duration, seed=seed, calls=calls, options=options, on_decode=on_decode)
