"""Make-An-Audio (Huang et al., ICML 2023) on diffusers, from the official checkpoints.

Importing this package only registers the engines; torch and diffusers are imported
when an engine is created.  ``make-an-audio`` is the fast default (DPM-Solver++);
``make-an-audio-parity`` runs the reference sampler exactly (DDIM 100 steps and
the demo's numpy-seeded start noise) for comparisons with the official code.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tag.engines.make_an_audio.layout import ENGINE_NAME, model_files
from tag.engines.registry import EngineSpec, register

if TYPE_CHECKING:
    from tag.config import Settings


class _SharedWeightsSpec(EngineSpec):
    """The parity variant reads the same folder as ``make-an-audio``."""

    def weights_location(self, settings: "Settings") -> str:
        return str(model_files(settings.model_dir).root)


def _available(settings: "Settings") -> bool:
    return not model_files(settings.model_dir).missing()


def _download(settings: "Settings") -> None:
    from tag.engines.make_an_audio.download import download

    download(model_files(settings.model_dir))


def _create(settings: "Settings"):  # type: ignore[no-untyped-def]
    from tag.engines.make_an_audio.engine import create

    return create(settings)


def _create_parity(settings: "Settings"):  # type: ignore[no-untyped-def]
    from tag.engines.make_an_audio.engine import create_parity

    return create_parity(settings)


# Stereo is taken too: the engine itself says that it renders mono.
_OPTIONS = frozenset({"seed", "steps", "guidance", "candidates", "stereo"})

register(
    EngineSpec(
        name=ENGINE_NAME,
        description="Make-An-Audio latent diffusion (official weights), DPM-Solver++ 20 steps, CLAP re-ranking",
        factory=_create,
        is_available=_available,
        download=_download,
        priority=100,
        max_duration=120.0,
        sample_rate=16000,
        defaults={"steps": 20, "guidance": 3.0, "candidates": 3},
        options=_OPTIONS,
    )
)
register(
    _SharedWeightsSpec(
        name=f"{ENGINE_NAME}-parity",
        description="Make-An-Audio with the reference sampler exactly (DDIM 100 steps, numpy-seeded noise)",
        factory=_create_parity,
        is_available=_available,
        download=_download,
        priority=0,
        max_duration=120.0,
        sample_rate=16000,
        defaults={"steps": 100, "guidance": 3.0, "candidates": 3},
        options=_OPTIONS,
    )
)
