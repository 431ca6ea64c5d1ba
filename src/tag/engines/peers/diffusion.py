"""AudioLDM, AudioLDM 2 and Stable Audio Open through their diffusers pipelines.

The three pipelines share one calling convention (prompt, steps, guidance,
``num_waveforms_per_prompt``, per-step ``callback``) and differ only in how the
length is asked for and in the layout of what comes back; ``_Flavour`` holds
those differences.
"""

from __future__ import annotations

import inspect
import math
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

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
    generators,
    pick_seed,
    resolve_dtype,
)
from tag.messages import check_prompt

if TYPE_CHECKING:
    import torch


# Latent frames decoded past the end of a Stable Audio clip, so that the cut
# falls outside the decoder's receptive field (16 frames = 0.74 s at full size).
DECODE_MARGIN_FRAMES = 16


@dataclass(frozen=True)
class _Flavour:
    pipeline_class: str
    length_argument: str  # "audio_length_in_s" or "audio_end_in_s"
    channels_first: bool  # Stable Audio returns (B, C, T); the others (B, T)


_FLAVOURS = {
    "audioldm": _Flavour("AudioLDMPipeline", "audio_length_in_s", channels_first=False),
    "audioldm2": _Flavour("AudioLDM2Pipeline", "audio_length_in_s", channels_first=False),
    "stable-audio": _Flavour("StableAudioPipeline", "audio_end_in_s", channels_first=True),
}


def load_pipeline(model: PeerModel, folder: Path, device: str, dtype: "torch.dtype") -> Any:
    """The model's diffusers pipeline from a folder in its published layout.

    Failures surface as they come from the libraries; ``tag.engines.peers.load_engine``
    turns them into one ``EngineError`` naming the folder.
    """
    import diffusers

    cls = getattr(diffusers, _FLAVOURS[model.name].pipeline_class)
    # Components we load ourselves; diffusers loads the others as model_index.json says.
    given = {"language_model": load_language_model(folder / "language_model", dtype)} if model.name == "audioldm2" else {}
    pipeline = cls.from_pretrained(folder, dtype=dtype, local_files_only=True, **given)
    check_component_classes(model, pipeline, folder)
    pipeline = pipeline.to(device)
    pipeline.set_progress_bar_config(disable=True)
    return pipeline


def load_language_model(folder: Path, dtype: "torch.dtype") -> Any:
    """AudioLDM 2's GPT-2 as ``GPT2LMHeadModel``, whichever GPT-2 class the folder names.

    The published folder names and saves a bare ``GPT2Model``, which lacks the
    generation helpers the pipeline calls.  ``GPT2LMHeadModel`` holds the same
    network under ``transformer.`` plus an output layer tied to the input
    embedding, so the saved weights fill it one to one; a weight the files leave
    unfilled (which transformers would initialise at random) is an error.
    """
    from transformers import GPT2LMHeadModel

    network, report = GPT2LMHeadModel.from_pretrained(folder, dtype=dtype, local_files_only=True, output_loading_info=True)
    unfilled = sorted(map(str, [*report["missing_keys"], *report["mismatched_keys"]]))
    if unfilled:
        raise EngineError(
            f"engine 'audioldm2': the weights in {folder} do not fit its GPT-2 language model "
            f"(not filled: {', '.join(unfilled[:8])}{' ...' if len(unfilled) > 8 else ''})",
            code="load_failed",
        )
    return network


def check_component_classes(model: PeerModel, pipeline: Any, folder: Path) -> None:
    """Refuse a component whose class is not the one the pipeline is built for.

    diffusers only warns and goes on with whatever ``model_index.json`` names
    (the generation then fails far from the cause).  Schedulers and tokenisers
    are left out, as diffusers leaves them out: several classes fit each.
    """
    expected = type(pipeline)._get_signature_types()
    for name, component in pipeline.components.items():
        if component is None or "scheduler" in name or "tokenizer" in name:
            continue
        wanted = tuple(t for t in expected.get(name, ()) if inspect.isclass(t))
        if wanted and not isinstance(component, wanted):
            raise EngineError(
                f"engine {model.name!r}: {folder / 'model_index.json'} names {type(component).__name__} for {name}/, but "
                f"{type(pipeline).__name__} needs {' or '.join(t.__name__ for t in wanted)}",
                code="load_failed",
            )


class DiffusionEngine:
    """One loaded diffusers pipeline behind the ``Engine`` protocol.

    Generation is serialised per engine: a pipeline keeps scheduler state between
    steps, so two threads must never share it.  More throughput comes from more
    workers, each with its own engine.
    """

    def __init__(self, model: PeerModel, pipeline: Any, *, scorer: LazyScorer | None = None, notices: list[str] | None = None) -> None:
        self.name = model.name
        self.model = model
        self.pipeline = pipeline
        self.scorer = scorer
        self._flavour = _FLAVOURS[model.name]
        self._notices = list(notices or [])
        self._lock = threading.Lock()
        if model.name == "audioldm2":
            # AudioLDM 2 re-ranks candidates itself when librosa is installed; we
            # rank every engine with the shared scorer instead, so switch it off.
            pipeline.score_waveforms = lambda text, audio, **_: audio

    @property
    def sample_rate(self) -> int:
        if self.model.name == "stable-audio":
            return int(self.pipeline.vae.config.sampling_rate)
        return int(self.pipeline.vocoder.config.sampling_rate)

    @property
    def max_duration(self) -> float:
        """The catalogue limit, or less when the loaded network cannot go that far."""
        if self.model.name == "stable-audio":
            window = self.pipeline.transformer.config.sample_size * self.pipeline.vae.hop_length / self.sample_rate
            return min(self.model.max_duration, float(window))
        return self.model.max_duration

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
        steps = steps or self.model.default_steps or 25
        guidance = self.model.default_guidance if guidance is None else guidance
        seed = pick_seed(seed)
        tracker = StepProgress(progress, steps)
        tracker.stage("started", 0.0)

        def on_step(step: int, timestep: Any, latents: Any) -> None:
            tracker.step(step + 1)

        arguments = {
            self._flavour.length_argument: float(duration),
            "num_inference_steps": steps,
            "guidance_scale": guidance,
            "num_waveforms_per_prompt": count,
            "generator": generators(seed, count),
            "output_type": "np",
            "callback": on_step,
            "callback_steps": 1,
        }
        if self.model.name == "stable-audio":
            arguments["output_type"] = "latent"  # decoded below, only as far as needed
        with generating(self.name):
            with self._lock, torch.inference_mode():
                audios = self.pipeline(prompt, **arguments).audios
                if self.model.name == "stable-audio":
                    audios = self._decode_start(audios, duration)
            batch = Batch(as_batch(audios, self._flavour.channels_first), self.sample_rate, list(self._notices))
            details = {"seed": seed, "steps": steps, "guidance": guidance, "candidates": count}
            return finish(self.model, prompt, duration, batch, stereo=stereo, scorer=self.scorer, details=details, progress=tracker)

    def _decode_start(self, latents: "torch.Tensor", duration: float) -> np.ndarray:
        """Decode only the latent frames that cover ``duration`` (plus a margin).

        Stable Audio always samples its whole 47 s window; the pipeline would then
        decode all of it and cut.  The waveform decoder is convolutional, so the
        first frames decode the same without the rest (the margin covers its
        receptive field), at a fraction of the time and memory (13 GB -> ~3 GB
        for a 10 s clip at full size).
        """
        vae = self.pipeline.vae
        frames = math.ceil(duration * self.sample_rate / vae.hop_length) + DECODE_MARGIN_FRAMES
        audio = vae.decode(latents[:, :, :frames]).sample
        return audio[:, :, : int(duration * self.sample_rate)].float().cpu().numpy()


def create(model: PeerModel, folder: Path, *, device: str, dtype: str, scorer: LazyScorer | None) -> DiffusionEngine:
    torch_dtype, notices = resolve_dtype(dtype, device)
    return DiffusionEngine(model, load_pipeline(model, folder, device, torch_dtype), scorer=scorer, notices=notices)
