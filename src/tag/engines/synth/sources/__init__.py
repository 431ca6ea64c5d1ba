"""Sound sources by family; importing this package fills ``SOURCES``."""

from tag.engines.synth.sources import (  # noqa: F401
    ambiences,
    animals,
    appliances,
    bells,
    doors,
    handling,
    household,
    impacts,
    instruments,
    interface,
    kitchen,
    liquids,
    music,
    nature,
    noise,
    people,
    places,
    scenes,
    sfx,
    signals,
    tools,
    transport,
    vehicles,
    voices,
    water,
    weather,
)
from tag.engines.synth.sources.base import SOURCES, Params, SourceSpec

__all__ = ["SOURCES", "Params", "SourceSpec"]
