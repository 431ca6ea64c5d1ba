"""Sound sources by family; importing this package fills ``SOURCES``."""

from tag.engines.synth.sources import (  # noqa: F401
    bells,
    household,
    nature,
    noise,
    people,
    scenes,
    sfx,
    signals,
    vehicles,
    water,
    weather,
)
from tag.engines.synth.sources.base import SOURCES, Params, SourceSpec

__all__ = ["SOURCES", "Params", "SourceSpec"]
