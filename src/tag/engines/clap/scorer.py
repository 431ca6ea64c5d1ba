"""Re-ranking candidate sounds by CLAP text-audio cosine similarity.

What the reference scorer does, and what we change:

* text: BERT with attention mask, [CLS] state -> projection -> unit vector (same);
* audio: resample to 44.1 kHz, then a window of ``duration`` seconds: shorter
  clips are repeated to fill it (same), longer clips are cropped *at a random
  offset* (changed: random crops make the choice of candidate irreproducible).
  Here a long clip is covered by ``ceil(n / window)`` evenly spaced windows, the
  first at the start and the last at the end, and its score is the mean of the
  windows' cosines; ``crop="whole"`` instead feeds the entire clip at once
  (Cnn14 pools over time, so any length works).
* the reference also measures its window in samples of the *input* rate while
  cutting audio already resampled to 44.1 kHz (a 9 s setting scores ~3.3 s of a
  16 kHz clip); here the window is ``duration`` seconds of 44.1 kHz audio.

Resampling uses scipy's polyphase filter instead of torchaudio's sinc
interpolation, so figures differ from the reference's in the last digits.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Literal

import numpy as np
import torch
import torch.nn.functional as F
from transformers import BertTokenizer

from tag.audio import resample
from tag.engines.clap.model import ClapConfig, ClapModel, load_clap
from tag.engines.clap.text import load_tokenizer
from tag.engines.failures import loading

Crop = Literal["windows", "whole"]
Waveforms = np.ndarray | torch.Tensor | Sequence[np.ndarray]
_TEXT_CACHE_SIZE = 64


def fill_window(clip: np.ndarray, length: int) -> np.ndarray:
    """A clip shorter than ``length`` repeated end to end and cut to ``length``."""
    repeats = math.ceil(length / clip.shape[0])
    return np.tile(clip, repeats)[:length]


def window_starts(n: int, length: int) -> list[int]:
    """Offsets of ceil(n / length) evenly spaced windows covering ``n`` samples."""
    count = math.ceil(n / length)
    if count <= 1:
        return [0]
    return [round(i * (n - length) / (count - 1)) for i in range(count)]


class ClapScorer:
    def __init__(
        self,
        model: ClapModel,
        config: ClapConfig,
        tokenizer: BertTokenizer,
        *,
        device: str | torch.device = "cpu",
        dtype: torch.dtype = torch.float32,
        batch_size: int = 8,
        crop: Crop = "windows",
    ) -> None:
        self.config = config
        self.tokenizer = tokenizer
        self.device = torch.device(device)
        self.dtype = dtype
        self.batch_size = batch_size
        self.crop: Crop = crop
        self.model = model.to(self.device, dtype).eval()
        # The log-mel front end stays float32 whatever the tower's dtype.
        base = self.model.audio_encoder.base
        base.spectrogram_extractor.float()
        base.logmel_extractor.float()
        self._text_cache: dict[str, torch.Tensor] = {}

    @classmethod
    def from_folder(
        cls,
        folder: Path,
        tokenizer_dir: Path | None = None,
        *,
        device: str | torch.device = "cpu",
        dtype: torch.dtype = torch.float32,
        batch_size: int = 8,
        crop: Crop = "windows",
    ) -> "ClapScorer":
        """From the official layout: ``folder/{config.yml, CLAP_weights_2022.pth}``.

        The BERT tokenizer is read from ``tokenizer_dir`` (default ``folder/tokenizer``).
        """
        folder = Path(folder)
        tokenizer_dir = Path(tokenizer_dir) if tokenizer_dir is not None else folder / "tokenizer"
        # Whatever the files make torch or transformers raise becomes one EngineError
        # naming the folder (the CLAP's own checks raise CheckpointErrors already).
        with loading("CLAP scorer", folder):
            tokenizer = load_tokenizer(tokenizer_dir)
            model, config = load_clap(folder, tokenizer_dir)
            return cls(model, config, tokenizer, device=device, dtype=dtype, batch_size=batch_size, crop=crop)

    @property
    def window(self) -> int:
        """Samples per scoring window at the tower's rate."""
        return round(self.config.duration * self.config.sampling_rate)

    @torch.inference_mode()
    def text_embedding(self, prompt: str) -> torch.Tensor:
        """Unit text embedding (d_proj,) for ``prompt``; recent prompts are cached."""
        cached = self._text_cache.get(prompt)
        if cached is not None:
            return cached
        limit = self.model.caption_encoder.base.config.max_position_embeddings
        tokens = self.tokenizer(prompt, truncation=True, max_length=limit, return_tensors="pt").to(self.device)
        embedding = self.model.caption_encoder.sentence_embedding(
            tokens["input_ids"], tokens.get("attention_mask"), tokens.get("token_type_ids")
        )
        embedding = F.normalize(embedding.float(), dim=-1)[0]
        if len(self._text_cache) >= _TEXT_CACHE_SIZE:
            self._text_cache.pop(next(iter(self._text_cache)))
        self._text_cache[prompt] = embedding
        return embedding

    @torch.inference_mode()
    def text_embeddings(self, prompts: Sequence[str], batch_size: int = 64) -> torch.Tensor:
        """Unit text embeddings (n, d_proj) of many prompts, padded in batches (not cached:
        a label set is embedded once by its caller).  Same vectors as :meth:`text_embedding`:
        the attention mask keeps padding out of the [CLS] state."""
        if not prompts:
            raise ValueError("no prompts to embed")
        limit = self.model.caption_encoder.base.config.max_position_embeddings
        encoded = self.tokenizer(list(prompts), truncation=True, max_length=limit)["input_ids"]
        # Batched by token count, so a batch pads its prompts to about their own length.
        order = sorted(range(len(prompts)), key=lambda i: len(encoded[i]))
        result = torch.empty(len(prompts), self.config.d_proj)
        for start in range(0, len(order), batch_size):
            chunk = order[start : start + batch_size]
            tokens = self.tokenizer.pad({"input_ids": [encoded[i] for i in chunk]}, return_tensors="pt").to(self.device)
            embedded = self.model.caption_encoder.sentence_embedding(tokens["input_ids"], tokens["attention_mask"])
            result[chunk] = F.normalize(embedded.float(), dim=-1).cpu()
        return result.to(self.device)

    def clips(self, waveforms: Waveforms, sample_rate: int) -> list[np.ndarray]:
        """Mono float32 clips at the tower's sample rate."""
        if isinstance(waveforms, torch.Tensor):
            waveforms = waveforms.detach().float().cpu().numpy()
        if isinstance(waveforms, np.ndarray) and waveforms.ndim == 1:
            waveforms = waveforms[None, :]
        out = []
        for clip in waveforms:
            clip = np.asarray(clip, dtype=np.float32)
            if clip.ndim != 1 or clip.shape[0] == 0:
                raise ValueError(f"each waveform must be a non-empty 1-D array, got shape {clip.shape}")
            out.append(resample(clip, sample_rate, self.config.sampling_rate).astype(np.float32))
        if not out:
            raise ValueError("no waveforms to score")
        return out

    def windows(self, clip: np.ndarray) -> list[np.ndarray]:
        """The fixed windows a clip is scored on (see the module docstring)."""
        length = self.window
        if clip.shape[0] <= length:
            return [fill_window(clip, length)]
        if self.crop == "whole":
            return [clip]
        return [clip[start : start + length] for start in window_starts(clip.shape[0], length)]

    @torch.inference_mode()
    def audio_embeddings(self, windows: Sequence[np.ndarray]) -> torch.Tensor:
        """Unit audio embeddings (n, d_proj), in batches of equal-length windows."""
        result: list[torch.Tensor | None] = [None] * len(windows)
        by_length: dict[int, list[int]] = {}
        for index, window in enumerate(windows):
            by_length.setdefault(window.shape[0], []).append(index)
        encoder = self.model.audio_encoder
        for indices in by_length.values():
            for start in range(0, len(indices), self.batch_size):
                chunk = indices[start : start + self.batch_size]
                batch = torch.from_numpy(np.stack([windows[i] for i in chunk])).to(self.device)
                embedded = F.normalize(encoder(batch).float(), dim=-1)
                for i, row in zip(chunk, embedded):
                    result[i] = row
        return torch.stack(result)  # type: ignore[arg-type]

    def score(self, prompt: str, waveforms: Waveforms, sample_rate: int) -> np.ndarray:
        """Cosine similarity (B,) of each waveform with ``prompt``; deterministic."""
        per_clip = [self.windows(clip) for clip in self.clips(waveforms, sample_rate)]
        flat = [window for windows in per_clip for window in windows]
        text = self.text_embedding(prompt)
        cosines = (self.audio_embeddings(flat) @ text).cpu().numpy().astype(np.float64)
        scores, offset = [], 0
        for windows in per_clip:
            scores.append(float(cosines[offset : offset + len(windows)].mean()))
            offset += len(windows)
        return np.asarray(scores)

    def best(self, prompt: str, waveforms: Waveforms, sample_rate: int) -> tuple[int, np.ndarray]:
        """Index of the waveform most similar to ``prompt`` (first on ties) and all scores."""
        scores = self.score(prompt, waveforms, sample_rate)
        return int(np.argmax(scores)), scores
