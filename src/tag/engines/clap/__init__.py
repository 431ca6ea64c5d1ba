"""CLAP (Microsoft, 2022 weights): the text tower that conditions Make-An-Audio, the
Cnn14 audio tower, and the scorer that re-ranks candidate sounds for every neural
engine.  Modules: ``text``, ``audio``, ``projection``, ``model`` (whole model and
config.yml), ``scorer``, ``checkpoint`` (strict loading), ``testing`` (tiny models).
"""

from tag.engines.clap.checkpoint import CheckpointError
from tag.engines.clap.scorer import ClapScorer
from tag.engines.clap.text import ClapTextEncoder

__all__ = ["CheckpointError", "ClapScorer", "ClapTextEncoder"]
