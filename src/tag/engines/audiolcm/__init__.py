"""AudioLCM (Liu et al. 2024): latent consistency model, 2 steps, from the official checkpoint.

Importing this package only registers the engine; torch is imported when it is
created.  Priority is below Make-An-Audio until a benchmark on the target
machine shows it faster at equal candidates (bench/bench_audiolcm.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tag.engines.audiolcm.layout import ENGINE_NAME, model_files
from tag.engines.registry import EngineSpec, register

if TYPE_CHECKING:
    from tag.config import Settings


def _available(settings: "Settings") -> bool:
    return not model_files(settings.model_dir).missing()


def _download(settings: "Settings") -> None:
    from tag.engines.audiolcm.download import SOURCES
    from tag.engines.make_an_audio.download import download

    download(model_files(settings.model_dir), SOURCES, model="AudioLCM")  # type: ignore[arg-type]


def _create(settings: "Settings"):  # type: ignore[no-untyped-def]
    from tag.engines.audiolcm.engine import create

    return create(settings)


register(
    EngineSpec(
        name=ENGINE_NAME,
        description="AudioLCM latent consistency model (official weights), 2 steps, CLAP re-ranking",
        factory=_create,
        is_available=_available,
        download=_download,
        # Above make-an-audio (100): on a 2-core CPU, full-size random weights, a 10 s
        # clip took 24 s / 33 s (1 / 3 candidates) against make-an-audio's 41 s / 82 s
        # (bench/bench_audiolcm.py --full-bert, bench/bench_make_an_audio.py).
        priority=110,
        max_duration=120.0,
        sample_rate=16000,
        licence="MIT",
        defaults={"steps": 2, "guidance": 5.0, "candidates": 3},
        options=frozenset({"seed", "steps", "guidance", "candidates", "stereo"}),
    )
)
