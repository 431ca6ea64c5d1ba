"""``tag finetune DATASET --out RUN``: fine-tune the Make-An-Audio UNet on a dataset.

The loop, top to bottom like a diffusers training script:

    batch of mels + captions (tag.training.data)
      -> autoencoder posterior sample x scale_factor        (frozen)
      -> CLAP text tower on the captions, 10 % replaced by "" (frozen)
      -> random timestep, forward noising, UNet eps prediction, MSE
      -> backward, gradient clipping, AdamW, warm-up schedule (accelerate)
    every ``checkpoint_every`` steps: trained weights + optimizer + schedule
    every ``validate_every`` steps: a few fixed prompts generated to WAVs
    at the end: the adapter folder, the metrics log and the loss curve

A run folder:

    RUN/run.json                     the options (a resumed run must match them)
    RUN/metrics.jsonl                one line per step: step, loss, lr, seconds
    RUN/checkpoints/step-000250/     trainable.safetensors, state.pt
    RUN/validation/step-000250/      one WAV per validation prompt
    RUN/adapter/                     the result: serve it with --adapter / options.adapter
    RUN/loss.png
"""

from __future__ import annotations

import json
import logging
import re
import shutil
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import torch

from tag.engines.adapters import RUN_ADAPTER
from tag.training.options import FinetuneOptions
from tag.training.data import Batch, DatasetError, TrainingSet, frames_multiple
from tag.training.lora import add_lora, load_trainable_state, save_adapter, trainable_state
from tag.training.objective import (
    NoiseSchedule,
    draw,
    drop_captions,
    latents_from,
    noise_prediction_loss,
    posterior,
)

if TYPE_CHECKING:
    from tag.config import Settings
    from tag.engines.make_an_audio.pipeline import MakeAnAudioPipeline

log = logging.getLogger(__name__)

RUN_FILE = "run.json"
METRICS_FILE = "metrics.jsonl"
CHECKPOINTS = "checkpoints"
VALIDATION = "validation"
LOSS_PNG = "loss.png"
# Options that shape the training trajectory: a resumed run must have the same.
TRAJECTORY = ("method", "batch_size", "frames", "learning_rate", "rank", "alpha", "targets", "caption_drop",
              "warmup", "grad_clip", "weight_decay", "seed", "latent", "mixed_precision")


class FinetuneError(Exception):
    """A run that cannot start or continue; the message says why and what to do."""


@dataclass
class RunResult:
    out: Path
    adapter: Path
    steps: int
    losses: list[float] = field(default_factory=list)  # of the steps run in this call
    resumed_from: int = 0


def _step_generator(seed: int, step: int) -> torch.Generator:
    return torch.Generator("cpu").manual_seed((seed << 32) + step)


class Trainer:
    """One run's state: the models, optimizer and schedule, and the step it is at."""

    def __init__(self, pipeline: "MakeAnAudioPipeline", data: TrainingSet, options: FinetuneOptions, out: Path) -> None:
        from accelerate import Accelerator

        self.pipeline = pipeline
        self.data = data
        self.out = Path(out)
        arch = pipeline.c.arch
        self.options = options = options.resolved(arch.schedule.train_latent_width * 8)
        check_options(options, len(arch.unet.channel_mult))
        if options.mixed_precision == "fp16" and pipeline.device.type == "cpu":
            raise FinetuneError("fp16 mixed precision needs a GPU; on a CPU use --mixed-precision bf16 or no")
        # accelerate keeps one process-wide state and refuses another precision in
        # it; a process may run several trainings (tests, benches): start afresh.
        from accelerate.state import AcceleratorState

        AcceleratorState._reset_state(reset_partial_state=True)
        self.accelerator = Accelerator(mixed_precision=options.mixed_precision, cpu=pipeline.device.type == "cpu")
        unet = pipeline.c.unet
        if options.gradient_checkpointing:
            unet.enable_gradient_checkpointing()
        if options.method == "lora":
            # peft draws the LoRA A factors from the global generator: seeded, so a run
            # is a function of its options (a resumed run restores them anyway).
            with torch.random.fork_rng(devices=[]):
                torch.manual_seed(options.seed)
                model = add_lora(unet, options.rank, float(options.alpha or options.rank), options.targets)
        else:
            model = unet.requires_grad_(True)
        unet.train()
        self.params = [p for p in model.parameters() if p.requires_grad]
        optimizer = torch.optim.AdamW(self.params, lr=float(options.learning_rate or 0.0),
                                      weight_decay=options.weight_decay)
        warmup = options.warmup
        schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda s: min(1.0, (s + 1) / warmup) if warmup else 1.0)
        self.model, self.optimizer, self.lr_schedule = self.accelerator.prepare(model, optimizer, schedule)
        self.noise = NoiseSchedule.reference(arch.schedule)
        self.empty = pipeline.empty_prompt().clone()  # a normal tensor (the cached one is an inference tensor)
        # Each clip's posterior (mean, std): the autoencoder is frozen and a clip's
        # mel fixed, so it is encoded once, and only the sample is drawn per step.
        self._posteriors: dict[str, tuple[torch.Tensor, torch.Tensor]] = {}
        self.step = 0

    # -- one step -------------------------------------------------------------
    def inputs(self, batch: Batch, step: int) -> tuple[torch.Tensor, torch.Tensor, Any, torch.Tensor]:
        """Latents, (dropped) text conditioning, the step's draws and the dropped rows."""
        g = _step_generator(self.options.seed, step)
        c = self.pipeline.c
        mean, std = self.posteriors(batch)
        latents = latents_from(mean, std, c.scale_factor, g, sample=self.options.latent == "sample")
        cond = self.pipeline.encode_text(batch.captions).clone().float()
        cond, dropped = drop_captions(cond, self.empty.float(), self.options.caption_drop, g)
        return latents, cond, draw(self.noise, latents, g), dropped

    def posteriors(self, batch: Batch) -> tuple[torch.Tensor, torch.Tensor]:
        for i, clip in enumerate(batch.ids):
            if clip not in self._posteriors:  # one by one: the same numbers whatever the batch (resumes are exact)
                mean, std = posterior(self.pipeline.c.autoencoder, batch.mels[i : i + 1])
                self._posteriors[clip] = (mean[0], std[0])
        pairs = [self._posteriors[clip] for clip in batch.ids]
        return torch.stack([m for m, _ in pairs]), torch.stack([s for _, s in pairs])

    def loss_on(self, batch: Batch, step: int) -> torch.Tensor:
        latents, cond, draws, _ = self.inputs(batch, step)
        with self.accelerator.autocast():
            return noise_prediction_loss(self.model, self.noise, latents, cond, draws)

    def train_step(self, batch: Batch | None = None, draws: int | None = None) -> float:
        """One optimizer step on the step's batch and draws (or the given ones: tests
        overfit one fixed batch); the loss before the step."""
        o = self.options
        batch = batch if batch is not None else self.data.batch(self.step, o.batch_size, o.seed)
        loss = self.loss_on(batch, self.step if draws is None else draws)
        self.accelerator.backward(loss)
        if o.grad_clip > 0:
            self.accelerator.clip_grad_norm_(self.params, o.grad_clip)
        self.optimizer.step()
        self.lr_schedule.step()
        self.optimizer.zero_grad(set_to_none=True)
        self.step += 1
        return float(loss.detach())

    @property
    def learning_rate(self) -> float:
        return float(self.optimizer.param_groups[0]["lr"])

    @property
    def unwrapped(self) -> Any:
        return self.accelerator.unwrap_model(self.model)

    # -- checkpoints ------------------------------------------------------------
    def save_checkpoint(self) -> Path:
        from safetensors.torch import save_file

        root = self.out / CHECKPOINTS
        folder = root / f"step-{self.step:06d}"
        partial = root / f".{folder.name}.partial"
        shutil.rmtree(partial, ignore_errors=True)
        partial.mkdir(parents=True)
        save_file(trainable_state(self.unwrapped), str(partial / "trainable.safetensors"))
        scaler = self.accelerator.scaler
        state = {
            "step": self.step,
            "optimizer": self.optimizer.state_dict(),
            "lr_schedule": self.lr_schedule.state_dict(),
            "scaler": scaler.state_dict() if scaler is not None else None,
            "torch_rng": torch.get_rng_state(),
        }
        torch.save(state, partial / "state.pt")
        shutil.rmtree(folder, ignore_errors=True)
        partial.rename(folder)  # a checkpoint folder is complete or absent
        for old in checkpoints(self.out)[: -max(1, self.options.keep_checkpoints)]:
            shutil.rmtree(old, ignore_errors=True)
        return folder

    def load_checkpoint(self, folder: Path) -> None:
        from safetensors.torch import load_file

        try:
            load_trainable_state(self.unwrapped, load_file(str(folder / "trainable.safetensors")))
            state = torch.load(folder / "state.pt", map_location="cpu", weights_only=True)
            self.optimizer.load_state_dict(state["optimizer"])
            self.lr_schedule.load_state_dict(state["lr_schedule"])
        except (OSError, ValueError, KeyError, RuntimeError) as exc:
            raise FinetuneError(f"the checkpoint {folder} does not load: {exc}") from None
        if state.get("scaler") is not None and self.accelerator.scaler is not None:
            self.accelerator.scaler.load_state_dict(state["scaler"])
        torch.set_rng_state(state["torch_rng"])
        self.step = int(state["step"])

    # -- validation ---------------------------------------------------------------
    def validate(self) -> Path:
        """The fixed prompts generated with the UNet as it is now, as WAVs."""
        import soundfile

        from tag.engines.make_an_audio.pipeline import SamplingOptions

        o = self.options
        folder = self.out / VALIDATION / f"step-{self.step:06d}"
        folder.mkdir(parents=True, exist_ok=True)
        sampling = SamplingOptions(steps=o.validation_steps, candidates=1, guidance=3.0, sampler="dpm")
        unet = self.pipeline.c.unet
        unet.eval()
        try:
            for i, prompt in enumerate(o.validation_prompts):
                result = self.pipeline(prompt, o.validation_duration, seed=o.seed + i, options=sampling)
                soundfile.write(folder / f"{i:02d}-{_slug(prompt)}.wav", result.waveform, result.sample_rate)
        finally:
            unet.train()
        return folder


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40] or "prompt"


def check_options(options: FinetuneOptions, unet_levels: int) -> None:
    multiple = frames_multiple(unet_levels)
    if options.frames is None or options.frames < multiple or options.frames % multiple:
        raise FinetuneError(f"--frames must be a positive multiple of {multiple} mel frames, not {options.frames}")
    if options.steps < 1 or options.batch_size < 1:
        raise FinetuneError("--steps and --batch-size must be at least 1")
    if not 0.0 <= options.caption_drop <= 1.0:
        raise FinetuneError(f"--caption-drop is a probability from 0 to 1, not {options.caption_drop:g}")
    if options.method == "lora" and options.rank < 1:
        raise FinetuneError("--rank must be at least 1")
    if options.checkpoint_every < 1:
        raise FinetuneError("--checkpoint-every must be at least 1")


def checkpoints(out: Path) -> list[Path]:
    """A run's complete checkpoints, oldest first."""
    root = Path(out) / CHECKPOINTS
    found = [p for p in root.glob("step-*") if p.is_dir() and (p / "state.pt").is_file()] if root.is_dir() else []
    return sorted(found, key=lambda p: p.name)


def _trajectory(options: FinetuneOptions) -> dict[str, Any]:
    data = asdict(options)
    return {k: list(data[k]) if isinstance(data[k], tuple) else data[k] for k in TRAJECTORY}


def _start_run(out: Path, options: FinetuneOptions, dataset: Path, resume: bool) -> Path | None:
    """Record a new run, or check a resumed one; the checkpoint to resume from."""
    run_file = out / RUN_FILE
    record = {"dataset": str(Path(dataset).resolve()), "options": _trajectory(options)}
    if not resume:
        if run_file.exists() or checkpoints(out):
            raise FinetuneError(f"{out} already holds a run; give --resume to continue it, or another --out")
        out.mkdir(parents=True, exist_ok=True)
        run_file.write_text(json.dumps(record, indent=2), encoding="utf-8")
        (out / METRICS_FILE).unlink(missing_ok=True)
        return None
    if not run_file.is_file():
        raise FinetuneError(f"nothing to resume: {out} holds no run ({RUN_FILE} missing)")
    saved = json.loads(run_file.read_text(encoding="utf-8"))
    changed = sorted(k for k, v in record["options"].items() if saved.get("options", {}).get(k) != v)
    if changed:
        raise FinetuneError(f"--resume with other options than the run was started with: {', '.join(changed)}")
    found = checkpoints(out)
    return found[-1] if found else None


def _trim_metrics(path: Path, step: int) -> None:
    """Drop the lines of steps after the checkpoint: they are about to be run again."""
    from tag.training.plots import read_metrics

    rows = [r for r in read_metrics(path) if int(r.get("step", 0)) <= step]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")


def run(
    pipeline: "MakeAnAudioPipeline", dataset: Path, out: Path, options: FinetuneOptions, *, resume: bool = False
) -> RunResult:
    """Fine-tune ``pipeline``'s UNet (changed in place) on ``dataset`` into ``out``."""
    from tqdm import tqdm

    from tag.training.plots import loss_curve

    out = Path(out)
    arch = pipeline.c.arch
    resolved = options.resolved(arch.schedule.train_latent_width * 8)
    check_options(resolved, len(arch.unet.channel_mult))
    try:
        data = TrainingSet(dataset, int(resolved.frames or 0), arch.schedule.mel_bins)
    except DatasetError as exc:
        raise FinetuneError(str(exc)) from None
    checkpoint = _start_run(out, resolved, dataset, resume)
    trainer = Trainer(pipeline, data, resolved, out)
    if checkpoint is not None:
        trainer.load_checkpoint(checkpoint)
        log.info("resumed %s at step %d", out, trainer.step)
    start = trainer.step
    metrics = out / METRICS_FILE
    _trim_metrics(metrics, start)
    o = trainer.options
    losses: list[float] = []
    bar = tqdm(total=o.steps, initial=min(start, o.steps), desc="fine-tuning", unit="step", disable=not o.progress)
    try:
        with metrics.open("a", encoding="utf-8") as log_file:
            while trainer.step < o.steps:
                began = time.perf_counter()
                loss = trainer.train_step()
                seconds = time.perf_counter() - began
                losses.append(loss)
                row = {"step": trainer.step, "loss": loss, "lr": trainer.learning_rate, "seconds": round(seconds, 4)}
                log_file.write(json.dumps(row) + "\n")
                log_file.flush()
                bar.update(1)
                bar.set_postfix(loss=f"{loss:.4f}")
                if trainer.step % o.checkpoint_every == 0 or trainer.step == o.steps:
                    trainer.save_checkpoint()
                if o.validate_every and (trainer.step % o.validate_every == 0):
                    trainer.validate()
    finally:
        bar.close()
    adapter = save_adapter(trainer.unwrapped, o.method, out / RUN_ADAPTER, arch.unet, trainer.step,
                           str(Path(dataset).resolve()), _trajectory(o))
    loss_curve(metrics, out / LOSS_PNG, title=f"{o.method} fine-tuning, {len(data)} clips")
    return RunResult(out, adapter, trainer.step, losses, start)


def training_settings(settings: "Settings") -> "Settings":
    """The engine settings for training: float weights and arithmetic (accelerate
    decides the mixed precision), never int8."""
    return settings.model_copy(update={"quantize": "none", "compute_dtype": "float32", "dtype": "float32"})


def finetune(settings: "Settings", dataset: Path, out: Path, options: FinetuneOptions, *,
             resume: bool = False) -> RunResult:
    """Load the Make-An-Audio model of ``settings.model_dir`` and fine-tune it."""
    from tag.engines.make_an_audio.engine import build_pipeline

    pipeline = build_pipeline(training_settings(settings))
    return run(pipeline, dataset, out, options, resume=resume)
