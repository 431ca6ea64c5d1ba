"""Fixtures: the tiny random Make-An-Audio and a tiny dataset of synth sounds."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Callable

import pytest

sys.path.insert(0, str(Path(__file__).parents[1] / "engines" / "make_an_audio"))

from maa_tiny import write_tiny_model  # noqa: E402

from tag.config import Settings  # noqa: E402

CLIPS = {  # synth prompt -> caption
    "a dog barking": "a dog barks twice",
    "a church bell": "a church bell rings",
    "rain on a roof": "rain falling on a roof",
    "a car horn": "a car horn honks",
}
FRAMES = 32  # mel frames per training clip: two UNet latent levels of width 4 and 2


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


def training_settings(model_dir: Path) -> Settings:
    return Settings(_env_file=None, model_dir=model_dir, compute_dtype="float32", threads=2)


@pytest.fixture
def fresh_pipeline(tiny_model_dir: Path) -> Callable:
    """A newly loaded tiny pipeline per call: training changes its UNet in place."""
    from tag.engines.make_an_audio.engine import build_pipeline
    from tag.training.finetune import training_settings as for_training

    def make():
        return build_pipeline(for_training(training_settings(tiny_model_dir)))

    return make


# Fixed UNet inputs on which adapted and base outputs are compared: (x, t, text).
def unet_probe(seed: int = 0):
    import torch

    g = torch.Generator().manual_seed(seed)
    return torch.randn(2, 4, 10, 8, generator=g), torch.tensor([30, 700]), torch.randn(2, 77, 32, generator=g)


def unet_output(unet, probe) -> "object":
    import torch

    x, t, text = probe
    with torch.no_grad():
        return unet(x, t, encoder_hidden_states=text).sample.clone()


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
