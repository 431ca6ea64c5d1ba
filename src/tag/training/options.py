"""The options of a fine-tuning run (no torch here: the CLI reads the defaults)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

Method = Literal["lora", "full"]
MixedPrecision = Literal["no", "bf16", "fp16"]
# The UNet's attention projections (see tag.training.lora for every module name).
ATTENTION_TARGETS = ("to_q", "to_k", "to_v", "to_out.0")
FEED_FORWARD_TARGETS = ("ff.net.0.proj", "ff.net.2")
REFERENCE_CAPTION_DROP = 0.1  # configs/train/diffusion.yaml, data.params.drop
DEFAULT_VALIDATION_PROMPTS = ("a dog barking", "rain falling on a roof", "a church bell ringing")


@dataclass(frozen=True)
class FinetuneOptions:
    steps: int = 1000
    method: Method = "lora"
    batch_size: int = 4  # the reference's
    learning_rate: float | None = None  # None: 1e-4 for LoRA, 1e-5 (the reference's) for full
    rank: int = 8
    alpha: float | None = None  # None: equal to the rank (scale 1)
    targets: tuple[str, ...] = ATTENTION_TARGETS
    frames: int | None = None  # None: the training width of the model (624 mel frames, 10 s)
    caption_drop: float = REFERENCE_CAPTION_DROP
    warmup: int = 0
    grad_clip: float = 1.0  # the reference trainer's gradient_clip_val
    weight_decay: float = 1e-2
    latent: Literal["sample", "mode"] = "sample"
    mixed_precision: MixedPrecision = "no"
    gradient_checkpointing: bool = False
    seed: int = 0
    checkpoint_every: int = 250
    keep_checkpoints: int = 2
    validate_every: int = 250  # 0: never
    validation_prompts: tuple[str, ...] = DEFAULT_VALIDATION_PROMPTS
    validation_steps: int = 10
    validation_duration: float = 2.0
    progress: bool = True

    def resolved(self, arch_frames: int) -> "FinetuneOptions":
        lr = self.learning_rate if self.learning_rate is not None else (1e-4 if self.method == "lora" else 1e-5)
        return replace(
            self,
            learning_rate=lr,
            alpha=self.alpha if self.alpha is not None else float(self.rank),
            frames=self.frames or arch_frames,
            targets=tuple(self.targets),
            validation_prompts=tuple(self.validation_prompts),
        )
