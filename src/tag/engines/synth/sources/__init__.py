"""Sound sources by family; importing this package fills ``SOURCES``."""

from tag.engines.synth.sources import bells, household, nature, noise, people, sfx, signals, vehicles, water, weather  # noqa: F401
from tag.engines.synth.sources.base import SOURCES, Params, SourceSpec

__all__ = ["SOURCES", "Params", "SourceSpec"]
