"""Peer engines: AudioLDM, AudioLDM 2, Stable Audio Open (diffusers) and MusicGen
(transformers).

Importing this package registers the four engines; it imports neither torch nor
the model libraries, which load only when an engine is created.  Each engine reads
its weights from ``TAG_MODEL_DIR/<engine name>`` in the model's published layout
(see ``weights``), fetched with ``tag models download <engine name>``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tag.engines.base import Engine
from tag.engines.peers import weights
from tag.engines.peers.catalog import PEER_MODELS, PeerModel
from tag.engines.registry import EngineSpec, register

if TYPE_CHECKING:
    from tag.config import Settings
    from tag.engines.peers.runtime import LazyScorer


def load_engine(name: str, settings: "Settings", *, scorer: "LazyScorer | None" = None) -> Engine:
    """Create the peer engine ``name`` from ``settings.model_dir/<name>``.

    ``scorer`` defaults to the shared CLAP re-ranker, loaded on first use from
    ``model_dir/clap`` (or the copy that comes with the Make-An-Audio weights).
    """
    from tag.engines.failures import loading
    from tag.engines.peers.runtime import hide_library_progress_bars, resolve_device, shared_scorer

    model = PEER_MODELS[name]
    folder = weights.require_present(model, settings.model_dir)
    device = resolve_device(settings.device)
    scorer = scorer if scorer is not None else shared_scorer(settings, device)
    # The one place where every peer's loading failures become EngineErrors.
    with loading(f"engine {name!r}", folder, download=name):
        hide_library_progress_bars()
        if model.family == "diffusers":
            from tag.engines.peers.diffusion import create
        else:
            from tag.engines.peers.musicgen import create
        return create(model, folder, device=device, dtype=settings.dtype, scorer=scorer)


def download_weights(name: str, settings: "Settings") -> None:
    """``tag models download <name>``: fetch the published folder into ``model_dir/<name>``."""
    weights.download(PEER_MODELS[name], settings.model_dir)


def _options(model: PeerModel) -> frozenset[str]:
    # MusicGen is autoregressive: it has no sampler steps.
    steps = {"steps"} if model.family == "diffusers" else set()
    return frozenset({"seed", "guidance", "candidates", "stereo", *steps})


def _spec(model: PeerModel) -> EngineSpec:
    defaults: dict[str, object] = {"guidance": model.default_guidance, "candidates": 1}
    if model.default_steps is not None:
        defaults["steps"] = model.default_steps
    return EngineSpec(
        name=model.name,
        description=model.description,
        factory=lambda settings: load_engine(model.name, settings),
        is_available=lambda settings: weights.is_present(model, settings.model_dir),
        download=lambda settings: download_weights(model.name, settings),
        priority=model.priority,
        max_duration=model.max_duration,
        defaults=defaults,
        sample_rate=model.sample_rate,
        licence=model.licence,
        options=_options(model),
    )


for _model in PEER_MODELS.values():
    register(_spec(_model))

__all__ = ["PEER_MODELS", "PeerModel", "download_weights", "load_engine"]
