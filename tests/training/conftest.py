"""Fixtures: the tiny random Make-An-Audio and a tiny dataset of synth sounds."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Callable

import pytest

sys.path.insert(0, str(Path(__file__).parents[1] / "engines" / "make_an_audio"))
sys.path.insert(0, str(Path(__file__).parent))

from finetune_tiny import CLIPS, FRAMES, training_settings, unet_output, unet_probe  # noqa: E402
from maa_tiny import write_tiny_model  # noqa: E402


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    models = tmp_path_factory.mktemp("models")
    write_tiny_model(models / "make-an-audio", seed=0)
    return models


@pytest.fixture(scope="session")
def tiny_dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Synth sounds at 16 kHz, log-mel'ed with the autoencoder's mel, captioned."""
    import numpy as np
    import torch

    from tag.dataset import Dataset, Entry
    from tag.engines.make_an_audio.mel import log_mel
    from tag.engines.synth.engine import SynthEngine

    folder = tmp_path_factory.mktemp("dataset")
    dataset = Dataset(folder)
    synth = SynthEngine(sample_rate=16000)
    for i, (prompt, caption) in enumerate(CLIPS.items()):
        sound = synth.generate(prompt, 1.0, seed=i)
        wave = torch.from_numpy(np.asarray(sound.samples, dtype=np.float32).reshape(len(sound.samples), -1).mean(1))
        mel = log_mel(wave[None])[0].numpy()
        entry = Entry(id=f"clip{i}", audio=f"audio/clip{i}.wav", mel=f"mels/clip{i}.npy", duration=1.0, caption=caption)
        dataset.add(entry, mel)
    return folder


@pytest.fixture
def fresh_pipeline(tiny_model_dir: Path) -> Callable:
    """A newly loaded tiny pipeline per call: training changes its UNet in place."""
    from tag.engines.make_an_audio.engine import build_pipeline
    from tag.training.finetune import training_settings as for_training

    def make():
        return build_pipeline(for_training(training_settings(tiny_model_dir)))

    return make


def _trained(fresh_pipeline, tiny_dataset: Path, out: Path, **options):
    from tag.training.finetune import run
    from tag.training.options import FinetuneOptions

    pipeline = fresh_pipeline()
    defaults = dict(batch_size=4, frames=FRAMES, validate_every=0, progress=False, checkpoint_every=100)
    result = run(pipeline, tiny_dataset, out, FinetuneOptions(**{**defaults, **options}))
    pipeline.c.unet.eval()
    return result, unet_output(pipeline.c.unet, unet_probe())  # the trained UNet, as training left it


@pytest.fixture(scope="session")
def lora_run(tiny_model_dir: Path, tiny_dataset: Path, tmp_path_factory: pytest.TempPathFactory):
    """A finished 3-step LoRA run (default targets) and its trained UNet's output on ``unet_probe``."""
    from tag.engines.make_an_audio.engine import build_pipeline
    from tag.training.finetune import training_settings as for_training

    make = lambda: build_pipeline(for_training(training_settings(tiny_model_dir)))  # noqa: E731
    return _trained(make, tiny_dataset, tmp_path_factory.mktemp("lora") / "run", steps=3, learning_rate=5e-2)


@pytest.fixture(scope="session")
def full_run(tiny_model_dir: Path, tiny_dataset: Path, tmp_path_factory: pytest.TempPathFactory):
    from tag.engines.make_an_audio.engine import build_pipeline
    from tag.training.finetune import training_settings as for_training

    make = lambda: build_pipeline(for_training(training_settings(tiny_model_dir)))  # noqa: E731
    return _trained(make, tiny_dataset, tmp_path_factory.mktemp("full") / "run", steps=2, method="full",
                    learning_rate=1e-2)
