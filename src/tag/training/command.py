"""``tag finetune``: its arguments and what it prints (wired into tag.cli)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tag.config import Settings

DESCRIPTION = (
    "Fine-tune the Make-An-Audio diffusion UNet of TAG_MODEL_DIR on a dataset folder (manifest.jsonl + mels/, "
    "made by `tag dataset`): LoRA adapters by default, or the whole UNet. The run folder gets checkpoints "
    "(continue with --resume), validation WAVs, metrics.jsonl, loss.png and, at the end, adapter/: use it with "
    "`tag generate --adapter RUN`, or copy it to TAG_MODEL_DIR/adapters/NAME for workers (options.adapter = NAME)."
)


def add_parser(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> argparse.ArgumentParser:
    from tag.training.options import DEFAULT_VALIDATION_PROMPTS, FinetuneOptions

    d = FinetuneOptions()
    p = commands.add_parser("finetune", help="fine-tune Make-An-Audio on a dataset (LoRA adapter)", description=DESCRIPTION)
    p.add_argument("dataset", type=Path, help="dataset folder (manifest.jsonl + mels/)")
    p.add_argument("--out", "-o", type=Path, required=True, help="run folder (created; must be new unless --resume)")
    p.add_argument("--resume", action="store_true", help="continue the run in --out from its last checkpoint")
    p.add_argument("--steps", type=int, default=d.steps, help=f"optimizer steps in all (default {d.steps})")
    p.add_argument("--method", choices=["lora", "full"], default=d.method,
                   help="lora: train LoRA adapters only (default); full: train every UNet weight")
    p.add_argument("--batch-size", type=int, default=d.batch_size, help=f"clips per step (default {d.batch_size})")
    p.add_argument("--lr", type=float, help="learning rate (default 1e-4 for lora, 1e-5 for full)")
    p.add_argument("--rank", type=int, default=d.rank, help=f"LoRA rank (default {d.rank})")
    p.add_argument("--alpha", type=float, help="LoRA alpha (default: the rank)")
    p.add_argument("--lora-targets", default=",".join(d.targets),
                   help="comma-separated UNet module names LoRA adapts (default: the attention projections "
                        f"{','.join(d.targets)}; add ff.net.0.proj,ff.net.2 for the feed-forwards)")
    p.add_argument("--frames", type=int, help="mel frames per clip (default: the model's training length, 624 = 10 s)")
    p.add_argument("--caption-drop", type=float, default=d.caption_drop,
                   help=f"probability of training on the empty caption, for guidance (default {d.caption_drop:g})")
    p.add_argument("--warmup", type=int, default=d.warmup, help="linear learning-rate warm-up steps (default 0)")
    p.add_argument("--grad-clip", type=float, default=d.grad_clip, help=f"gradient norm clip, 0 = none (default {d.grad_clip:g})")
    p.add_argument("--mixed-precision", choices=["no", "bf16", "fp16"], default=d.mixed_precision,
                   help="accelerate's mixed precision (default no; fp16 needs a GPU)")
    p.add_argument("--gradient-checkpointing", action="store_true", help="recompute activations: less memory, slower")
    p.add_argument("--seed", type=int, default=d.seed, help="seed of the batch order and every draw (default 0)")
    p.add_argument("--checkpoint-every", type=int, default=d.checkpoint_every, help=f"steps between checkpoints (default {d.checkpoint_every})")
    p.add_argument("--keep-checkpoints", type=int, default=d.keep_checkpoints, help=f"newest checkpoints kept (default {d.keep_checkpoints})")
    p.add_argument("--validate-every", type=int, default=d.validate_every, help=f"steps between validation sounds, 0 = none (default {d.validate_every})")
    p.add_argument("--validation-prompt", action="append", dest="validation_prompts", metavar="PROMPT",
                   help=f"a validation prompt (repeat for several; default: {'; '.join(DEFAULT_VALIDATION_PROMPTS)})")
    p.add_argument("--validation-steps", type=int, default=d.validation_steps, help=f"sampler steps of validation sounds (default {d.validation_steps})")
    p.add_argument("--validation-duration", type=float, default=d.validation_duration, help=f"seconds of each validation sound (default {d.validation_duration:g})")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    return p


def options_from(args: argparse.Namespace) -> "object":
    from tag.training.options import DEFAULT_VALIDATION_PROMPTS, FinetuneOptions

    return FinetuneOptions(
        steps=args.steps,
        method=args.method,
        batch_size=args.batch_size,
        learning_rate=args.lr,
        rank=args.rank,
        alpha=args.alpha,
        targets=tuple(t.strip() for t in args.lora_targets.split(",") if t.strip()),
        frames=args.frames,
        caption_drop=args.caption_drop,
        warmup=args.warmup,
        grad_clip=args.grad_clip,
        mixed_precision=args.mixed_precision,
        gradient_checkpointing=args.gradient_checkpointing,
        seed=args.seed,
        checkpoint_every=args.checkpoint_every,
        keep_checkpoints=args.keep_checkpoints,
        validate_every=args.validate_every,
        validation_prompts=tuple(args.validation_prompts or DEFAULT_VALIDATION_PROMPTS),
        validation_steps=args.validation_steps,
        validation_duration=args.validation_duration,
        progress=not args.no_progress,
    )


def run_command(args: argparse.Namespace, settings: "Settings") -> int:
    """Exit status 0 done, 1 failed, 2 bad arguments."""
    try:
        from tag.training.finetune import FinetuneError, finetune
    except ModuleNotFoundError as exc:
        print(f"tag: fine-tuning needs the train extra ({exc.name} is missing): pip install 'tag[train]'",
              file=sys.stderr)
        return 2
    from tag.engines.base import EngineError

    try:
        result = finetune(settings, args.dataset, args.out, options_from(args), resume=args.resume)  # type: ignore[arg-type]
    except FinetuneError as exc:
        print(f"tag: {exc}", file=sys.stderr)
        return 2
    except EngineError as exc:
        print(f"tag: {exc}", file=sys.stderr)
        return 1
    last = f", last loss {result.losses[-1]:.4f}" if result.losses else ""
    resumed = f" (resumed at step {result.resumed_from})" if result.resumed_from else ""
    print(f"{result.adapter}: {result.steps} steps{resumed}{last}; loss curve {result.out / 'loss.png'}")
    return 0
