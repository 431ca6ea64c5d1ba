"""The ``make-an-audio`` engine: the pipeline behind the engine protocol."""

from __future__ import annotations

import logging
import threading
from contextlib import nullcontext
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, ContextManager, Hashable

from tag.engines.adapters import AdapterError, refuse_adapter, resolve_adapter
from tag.engines.base import Audio, EngineError, ProgressCallback
from tag.engines.batching import BatchJob, BatchResult, batch_key
from tag.engines.failures import generating, loading
from tag.engines.make_an_audio.layout import ENGINE_NAME, model_files
from tag.engines.make_an_audio import batch
from tag.engines.make_an_audio.pipeline import Generation, MakeAnAudioPipeline, SamplingOptions, latent_width_for
from tag.engines.make_an_audio.schedulers import PARITY_STEPS
from tag.messages import LimitError, check_duration, check_prompt

if TYPE_CHECKING:
    from tag.config import Settings

log = logging.getLogger(__name__)

MAX_DURATION = 120.0
# Measured in bench/bench_make_an_audio.py: 12 DPM-Solver++ steps and ranking on
# previews (BigVGAN for the winner only) take 10 s x 3 candidates under a minute on
# two cores with bfloat16; see the README's table.
FAST_DEFAULTS = SamplingOptions(steps=12, guidance=3.0, candidates=3, sampler="dpm", preview_rank=True)
# The reference script's settings: DDIM 100 steps, guidance 3 (gen_wav.py).
PARITY_DEFAULTS = SamplingOptions(steps=PARITY_STEPS, guidance=3.0, candidates=3, sampler="ddim", parity=True)


class MakeAnAudioEngine:
    def __init__(
        self,
        pipeline: MakeAnAudioPipeline,
        *,
        name: str = ENGINE_NAME,
        defaults: SamplingOptions = FAST_DEFAULTS,
        model: str = "Make-An-Audio",
        adapter_dir: Path | None = None,
    ) -> None:
        self.name = name
        self.model = model  # the model's name in notices
        self.pipeline = pipeline
        self.defaults = defaults
        # TAG_MODEL_DIR, whose adapters/ requests may name (None: only local folders).
        self.adapter_dir = adapter_dir
        self._adapters: Any = None  # UNetAdapters, made on the first adapter request
        # One model, one generation at a time: parallel calls would only share the cores.
        self._lock = threading.Lock()

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
        adapter: str | Path | None = None,
    ) -> Audio:
        prompt = check_prompt(prompt)
        duration = check_duration(duration, MAX_DURATION)
        options = self.options(candidates, steps, guidance)
        folder = self.adapter_folder(adapter)
        report = progress or (lambda stage, percent: None)

        def on_step(done: int, total: int) -> None:
            report("sampling", 90.0 * done / total)

        with self._lock, self.using_adapter(folder), generating(self.name):
            report("started", 0.0)
            result = self.pipeline(
                prompt, duration, seed=seed, options=options, on_step=on_step, on_decode=lambda: report("decoding", 90.0)
            )
            report("done", 100.0)
        return self.audio(result, options, stereo, adapter)

    @property
    def takes_adapters(self) -> bool:
        """Fine-tuned adapters are Make-An-Audio UNets' (AudioLCM shares this class)."""
        return isinstance(self.pipeline, MakeAnAudioPipeline)

    def adapter_folder(self, adapter: str | Path | None) -> Path | None:
        """The folder of a request's adapter name or a local adapter path; AdapterError
        (code bad_options) when it is not one this engine can use."""
        if adapter is None:
            return None
        if not self.takes_adapters:
            raise refuse_adapter(self.name)
        if isinstance(adapter, str) and self.adapter_dir is None:
            raise AdapterError(f"adapter {adapter!r} asked for, but this engine has no adapter folder")
        return resolve_adapter(self.adapter_dir or Path("."), adapter)

    def using_adapter(self, folder: Path | None) -> ContextManager[None]:
        """The pipeline's UNet with ``folder``'s adapter for the block (hold the lock)."""
        if folder is None and self._adapters is None:
            return nullcontext()  # no adapter ever loaded: the UNet is untouched
        if self._adapters is None:
            from tag.engines.make_an_audio.adapters import UNetAdapters

            self._adapters = UNetAdapters(self.pipeline.c)
        return self._adapters.using(folder)

    def options(self, candidates: int | None, steps: int | None, guidance: float | None) -> SamplingOptions:
        """The defaults with the request's own choices; EngineError for impossible ones."""
        options = replace(
            self.defaults,
            **{
                k: v
                for k, v in (("candidates", candidates), ("steps", steps), ("guidance", guidance))
                if v is not None
            },
        )
        if options.steps < 1 or options.candidates < 1:
            raise EngineError("steps and candidates must be at least 1", code="bad_options")
        return options

    def audio(
        self, result: Generation, options: SamplingOptions, stereo: bool, adapter: str | Path | None = None
    ) -> Audio:
        """A finished generation as the engine's answer, with the details front ends show."""
        notices = [f"{self.model} generates mono sound"] if stereo else []
        details: dict[str, Any] = {
            "seed": result.seed,
            "steps": options.steps,
            "sampler": "ddim (reference)" if options.parity else options.sampler,
            "guidance": options.guidance,
            "candidates": options.candidates,
            "scores": result.scores,
            "chosen": result.chosen,
            "ranked_on": "previews" if result.preview_ranked else "waveforms",
            "precision": "float32" if options.parity else str(getattr(self.pipeline, "compute", "float32")).removeprefix("torch."),
        }
        if adapter is not None:
            details["adapter"] = adapter if isinstance(adapter, str) else str(adapter)
        return Audio(result.waveform, result.sample_rate, self.name, notices, details)

    def batch_key(self, job: BatchJob) -> Hashable:
        """Which jobs may share a sampling run (see tag.engines.batching.batch_key);
        a job that does not validate gets a key of its own and fails alone."""
        try:
            options = self.options(job.candidates, job.steps, job.guidance)
            duration = check_duration(job.duration, MAX_DURATION)
        except (EngineError, LimitError):
            return ("invalid", id(job))
        if not isinstance(self.pipeline, MakeAnAudioPipeline):  # e.g. AudioLCM: one by one
            return ("alone", id(job))
        sampler = "ddim" if options.parity else options.sampler
        width = latent_width_for(duration, options.parity)
        # Requests with different adapters run different UNets: never one batch.
        return batch_key(self.name, options.steps, options.guidance, sampler, width, job.adapter)

    def generate_batch(self, jobs: list[BatchJob]) -> list[BatchResult]:
        return batch.generate_batch(self, jobs)


def _torch_dtype(name: str) -> Any:
    import torch

    return {"float32": torch.float32, "float16": torch.float16, "bfloat16": torch.bfloat16}[name]


def _device(settings: "Settings") -> str:
    import torch

    if settings.device != "auto":
        return settings.device
    if torch.cuda.is_available():
        return "cuda"
    return "mps" if torch.backends.mps.is_available() else "cpu"


def build_pipeline(
    settings: "Settings", *, name: str = ENGINE_NAME, parity: bool = False, **loader_options: Any
) -> MakeAnAudioPipeline:
    """Load everything from ``settings.model_dir`` for ``settings.device``/``dtype``.

    The one place where both variants' loading failures become EngineErrors
    naming the folder (``name`` is the engine they are reported for).
    """
    from tag.engines.clap import ClapScorer
    from tag.engines.make_an_audio import speed
    from tag.engines.make_an_audio.loading import load_components
    from tag.engines.make_an_audio.vocoder import load_vocoder

    import torch

    quantize = settings.quantize == "int8" and not parity
    if quantize and settings.device not in ("cpu", "auto"):
        raise EngineError("TAG_QUANTIZE=int8 is for the CPU; unset it for a GPU", code="bad_settings")
    files = model_files(settings.model_dir)
    with loading(f"engine {name!r}", files.root, download=ENGINE_NAME):
        device, dtype = _device(settings), _torch_dtype(settings.dtype)
        if device == "cpu" and dtype != _torch_dtype("float32"):
            log.warning("%s weights on CPU are slow and lossy; using float32 (TAG_COMPUTE_DTYPE sets the arithmetic)",
                        settings.dtype)
            dtype = _torch_dtype("float32")
        threads = speed.set_threads(settings.threads)
        compute = speed.compute_dtype(settings.compute_dtype, torch.device(device))
        if dtype != torch.float32:  # weights already in half precision: no autocast on top
            compute = torch.float32
        components = load_components(files, **loader_options)
        if quantize:
            speed.quantize_linears(components.unet)
            speed.quantize_linears(components.text_encoder)
        vocoder = load_vocoder(files.vocoder_dir, device, dtype)
        scorer = ClapScorer.from_folder(files.clap_dir, files.bert_dir, device=device, dtype=dtype)
        log.info("engine %r on %s: %d threads, weights %s, compute %s, int8 %s",
                 name, device, threads, dtype, compute, "yes" if quantize else "no")
        return MakeAnAudioPipeline(components, vocoder, scorer, device=device, dtype=dtype, compute=compute)


def create(settings: "Settings") -> MakeAnAudioEngine:
    return MakeAnAudioEngine(build_pipeline(settings), adapter_dir=settings.model_dir)


def create_parity(settings: "Settings") -> MakeAnAudioEngine:
    name = f"{ENGINE_NAME}-parity"
    # Parity loads the weights untouched (no quantisation); its sampling ignores autocast.
    pipeline = build_pipeline(settings, name=name, parity=True)
    return MakeAnAudioEngine(pipeline, name=name, defaults=PARITY_DEFAULTS, adapter_dir=settings.model_dir)
