"""MusicGen through transformers: text -> EnCodec tokens (autoregressive) -> audio.

There are no diffusion steps: the number of generated token frames follows from
the duration (``frame_rate`` frames per second, plus the codebook delay pattern),
and progress is counted per generated frame.  Sampling uses torch's global random
generator (``generate`` takes no generator), so it is reseeded inside a forked RNG
state around each call and generation is serialised per engine.
"""

from __future__ import annotations

import json
import math
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tag.engines.base import Audio, EngineError, ProgressCallback
from tag.engines.failures import generating
from tag.engines.peers.catalog import PeerModel
from tag.engines.peers.runtime import (
    Batch,
    LazyScorer,
    StepProgress,
    as_batch,
    check_duration_limit,
    finish,
    pick_seed,
    resolve_dtype,
)
from tag.messages import check_prompt

if TYPE_CHECKING:
    import torch


def _frame_counter(tracker: StepProgress) -> Any:
    """A stopping criterion that never stops: it is called once per generated frame,
    which makes it the one per-step hook MusicGen's ``generate`` honours (it drops
    ``streamer`` on the way to its sampling loop)."""
    from transformers import StoppingCriteria, StoppingCriteriaList

    class FrameCounter(StoppingCriteria):
        def __init__(self) -> None:
            self.frames = 0

        def __call__(self, input_ids: Any, scores: Any, **kwargs: Any) -> Any:
            import torch

            self.frames += 1
            tracker.step(self.frames)
            return torch.zeros(input_ids.shape[0], dtype=torch.bool, device=input_ids.device)

    return StoppingCriteriaList([FrameCounter()])


class MusicGenEngine:
    def __init__(self, model: PeerModel, network: Any, processor: Any, *, scorer: LazyScorer | None = None, notices: list[str] | None = None) -> None:
        self.name = model.name
        self.model = model
        self.network = network
        self.processor = processor
        self.scorer = scorer
        self._notices = list(notices or [])
        self._lock = threading.Lock()
        audio = network.config.audio_encoder
        self.sample_rate = int(audio.sampling_rate)
        self.frame_rate = float(audio.frame_rate)
        self.codebooks = int(network.config.decoder.num_codebooks)

    @property
    def max_duration(self) -> float:
        # The decoder cannot attend past its position table, delay pattern included.
        positions = self.network.config.decoder.max_position_embeddings - self.codebooks
        return min(self.model.max_duration, positions / self.frame_rate)

    def frames_for(self, duration: float) -> int:
        """Tokens to generate: whole frames covering ``duration`` plus the codebook delay."""
        return math.ceil(duration * self.frame_rate) + self.codebooks

    def generate(
        self,
        prompt: str,
        duration: float,
        *,
        seed: int | None = None,
        candidates: int | None = None,
        steps: int | None = None,
        guidance: float | None = None,
        stereo: bool = False,
        progress: ProgressCallback | None = None,
    ) -> Audio:
        import torch

        prompt = check_prompt(prompt)
        check_duration_limit(self.model, duration, self.max_duration)
        count = candidates or 1
        guidance = self.model.default_guidance if guidance is None else guidance
        seed = pick_seed(seed)
        frames = self.frames_for(duration)
        notices = list(self._notices)
        if steps is not None:
            notices.append("musicgen is autoregressive: the steps option does not apply and was ignored")
        tracker = StepProgress(progress, frames)
        tracker.stage("started", 0.0)
        device = self.network.device
        with generating(self.name):
            inputs = self.processor(text=[prompt] * count, padding=True, return_tensors="pt").to(device)
            with self._lock, torch.inference_mode(), torch.random.fork_rng(devices=[device] if device.type == "cuda" else []):
                torch.manual_seed(seed)
                audio = self.network.generate(
                    **inputs,
                    do_sample=True,
                    guidance_scale=guidance if guidance > 1 else None,
                    max_new_tokens=frames,
                    stopping_criteria=_frame_counter(tracker),
                )
            batch = Batch(as_batch(audio.float().cpu().numpy(), channels_first=True), self.sample_rate, notices)
            details = {"seed": seed, "frames": frames, "guidance": guidance, "candidates": count}
            return finish(self.model, prompt, duration, batch, stereo=stereo, scorer=self.scorer, details=details, progress=tracker)


def check_model_type(model: PeerModel, folder: Path) -> None:
    """Refuse a folder whose ``config.json`` describes another kind of model:
    transformers would build MusicGen from it and fail on a mismatch it reports
    only on stderr."""
    config = folder / "config.json"
    kind = json.loads(config.read_text(encoding="utf-8")).get("model_type")
    if kind != "musicgen":
        raise EngineError(
            f"engine {model.name!r}: {config} describes a {kind!r} model, not MusicGen (model_type 'musicgen')",
            code="load_failed",
        )


def create(model: PeerModel, folder: Path, *, device: str, dtype: str, scorer: LazyScorer | None) -> MusicGenEngine:
    from transformers import AutoProcessor, MusicgenForConditionalGeneration

    torch_dtype, notices = resolve_dtype(dtype, device)
    check_model_type(model, folder)
    # Failures surface as they come; ``tag.engines.peers.load_engine`` words them.
    network = MusicgenForConditionalGeneration.from_pretrained(folder, dtype=torch_dtype, local_files_only=True)
    processor = AutoProcessor.from_pretrained(folder, local_files_only=True)
    network = network.to(device).eval()
    return MusicGenEngine(model, network, processor, scorer=scorer, notices=notices)
