"""``synth``: the offline procedural engine (no weights); registers itself on import."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tag.engines.registry import EngineSpec, register
from tag.engines.synth.engine import SynthEngine

if TYPE_CHECKING:
    from tag.config import Settings


def _build(settings: Settings) -> SynthEngine:
    return SynthEngine()


SPEC = register(
    EngineSpec(
        name="synth",
        description="offline procedural sound design (40 sources, English and Russian prompts; no weights)",
        factory=_build,
        priority=0,
    )
)

__all__ = ["SPEC", "SynthEngine"]
