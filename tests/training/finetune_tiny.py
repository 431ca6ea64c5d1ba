"""Shared by the fine-tuning tests: the tiny dataset's clips, settings, UNet probes."""

from __future__ import annotations

from pathlib import Path

from tag.config import Settings

CLIPS = {  # synth prompt -> caption
    "a dog barking": "a dog barks twice",
    "a church bell": "a church bell rings",
    "rain on a roof": "rain falling on a roof",
    "a car horn": "a car horn honks",
}
FRAMES = 32  # mel frames per training clip: two UNet latent levels of width 4 and 2


def training_settings(model_dir: Path) -> Settings:
    return Settings(_env_file=None, model_dir=model_dir, compute_dtype="float32", threads=2)


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
