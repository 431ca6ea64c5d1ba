"""Sound sources by family; importing this package fills ``SOURCES``."""

from tag.engines.synth.sources import (  # noqa: F401
    ambiences,
    animals,
    bells,
    household,
    instruments,
    interface,
    music,
    nature,
    noise,
    people,
    sfx,
    signals,
    vehicles,
    voices,
    water,
    weather,
)
from tag.engines.synth.sources.base import SOURCES, Params, SourceSpec

__all__ = ["SOURCES", "Params", "SourceSpec"]
