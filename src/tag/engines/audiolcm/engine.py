"""The ``audiolcm`` engine: the Make-An-Audio engine wrapper around the AudioLCM pipeline."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from tag.engines.audiolcm.layout import ENGINE_NAME, model_files
from tag.engines.audiolcm.pipeline import AudioLCMPipeline, LCMOptions
from tag.engines.failures import loading
from tag.engines.make_an_audio.engine import MakeAnAudioEngine, _device

if TYPE_CHECKING:
    from tag.config import Settings

log = logging.getLogger(__name__)

# The Make-An-Audio fast path: rank on Griffin-Lim previews, BigVGAN for the winner only.
DEFAULTS = LCMOptions(preview_rank=True)


def build_pipeline(settings: "Settings") -> AudioLCMPipeline:
    import torch

    from tag.engines.audiolcm.loading import load_components
    from tag.engines.clap import ClapScorer
    from tag.engines.make_an_audio import speed
    from tag.engines.make_an_audio.vocoder import load_vocoder

    files = model_files(settings.model_dir)
    with loading(f"engine {ENGINE_NAME!r}", files.root, download=ENGINE_NAME):
        device = _device(settings)
        threads = speed.set_threads(settings.threads)
        # Weights stay float32; the arithmetic follows TAG_COMPUTE_DTYPE as for Make-An-Audio.
        compute = speed.compute_dtype(settings.compute_dtype, torch.device(device))
        components = load_components(files)
        vocoder = load_vocoder(files.vocoder_dir, device)
        scorer = ClapScorer.from_folder(files.clap_dir, files.bert_dir, device=device)
        log.info("engine %r on %s: %d threads, compute %s", ENGINE_NAME, device, threads, compute)
        return AudioLCMPipeline(components, vocoder, scorer, device=device, compute=compute)


def create(settings: "Settings") -> MakeAnAudioEngine:
    # Same request handling (checks, options, progress, one generation at a time).
    return MakeAnAudioEngine(build_pipeline(settings), name=ENGINE_NAME, defaults=DEFAULTS, model="AudioLCM")  # type: ignore[arg-type]
