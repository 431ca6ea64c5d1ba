"""The dataset tests' material: synth sounds of known classes, and a tiny CLAP
trained to tell two of them apart, saved in the official layout."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import soundfile as sf
import torch
import torch.nn.functional as F

from tag.audio import resample, to_mono
from tag.dataset.labels import label_prompt
from tag.engines.synth import SynthEngine

# The label file the tests caption with: two planted classes and two never heard.
LABELS = ["Dog", "Rain", "Piano", "Siren"]
PLANTED = {"Dog": "a dog barking", "Rain": "rain"}
SYNTH = SynthEngine()


def synth(prompt: str, seconds: float, seed: int) -> tuple[np.ndarray, int]:
    """Mono float32 samples of the synth engine's sound for ``prompt``, and their rate."""
    audio = SYNTH.generate(prompt, seconds, seed=seed)
    return to_mono(audio.samples), audio.sample_rate


def write_sound(
    path: Path, prompt: str, seconds: float = 1.5, seed: int = 0, rate: int | None = None,
    channels: int = 1, fmt: str = "WAV", subtype: str | None = None,
) -> Path:
    samples, native = synth(prompt, seconds, seed)
    if rate is not None:
        samples = resample(samples, native, rate)
    data = np.repeat(samples[:, None], channels, axis=1) * 0.9 if channels > 1 else samples
    path.parent.mkdir(parents=True, exist_ok=True)
    sf.write(path, data, rate or native, format=fmt, subtype=subtype)
    return path


def train_two_class_clap(folder: Path, steps: int = 40) -> Path:
    """A tiny random CLAP written in the official layout, then trained a few full-batch
    steps (contrastive over all of LABELS) on synth dogs and rain, and saved back.

    The batch norms stay in eval mode (their calibrated statistics kept), so what is
    learnt is the mapping, and held-out seeds of the same sounds land on their label.
    """
    from tag.engines.clap.model import load_clap
    from tag.engines.clap.testing import save_clap, write_tiny_clap
    from tag.engines.clap.text import load_tokenizer

    write_tiny_clap(folder, seed=0, duration=1.0)
    model, config = load_clap(folder)
    tokenizer = load_tokenizer(folder / "tokenizer")
    windows, targets = [], []
    for label, prompt in PLANTED.items():
        for seed in range(4):
            samples, rate = synth(prompt, 1.0, seed)
            windows.append(resample(samples, rate, config.sampling_rate)[: config.sampling_rate])
            targets.append(LABELS.index(label))
    audio = torch.from_numpy(np.stack(windows).astype(np.float32))
    target = torch.tensor(targets)
    tokens = tokenizer([label_prompt(label) for label in LABELS], padding=True, return_tensors="pt")
    torch.manual_seed(0)
    model.eval()
    optimiser = torch.optim.Adam(model.parameters(), lr=1e-3)
    for _ in range(steps):
        audio_embedding = F.normalize(model.audio_encoder(audio), dim=-1)
        text_embedding = F.normalize(
            model.caption_encoder.sentence_embedding(
                tokens["input_ids"], tokens["attention_mask"], tokens["token_type_ids"]
            ),
            dim=-1,
        )
        loss = F.cross_entropy(10 * audio_embedding @ text_embedding.T, target)
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
    save_clap(model, config, folder)
    return folder
