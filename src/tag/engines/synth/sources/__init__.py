"""Sound sources by family; importing this package fills ``SOURCES``."""

from tag.engines.synth.sources import (  # noqa: F401
    appliances,
    bells,
    doors,
    handling,
    household,
    impacts,
    liquids,
    nature,
    noise,
    people,
    sfx,
    signals,
    tools,
    transport,
    vehicles,
    water,
    weather,
)
from tag.engines.synth.sources.base import SOURCES, Params, SourceSpec

__all__ = ["SOURCES", "Params", "SourceSpec"]
