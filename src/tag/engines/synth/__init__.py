"""``synth``: the offline procedural engine; registers itself on import.

No weights, no network: sounds are built from physically inspired models
(filtered noise, modal resonators, pulse trains, FM chirps) chosen by a small
English/Russian prompt parser.  Behaviour worth knowing:

- 32 kHz, mono unless ``stereo``; exactly ``round(duration * 32000)`` samples.
- Deterministic: the same prompt, duration and seed give the same samples; with
  no seed a fixed default (0) is used, so a prompt always sounds the same.
- ``candidates``, ``steps`` and ``guidance`` are ignored (nothing to sample).
- ``Audio.details``: ``sources`` (recognised, in order), ``not_understood``
  (also as ``unknown_words``), ``fallback`` (nothing recognised: ambience),
  ``events`` (per source: part, gain, parameters), ``standards`` (telephone
  tones), ``language``, ``seed``.  ``Audio.notices``: clamped values.
  ``Audio.warnings``: that nothing was recognised (a soft neutral ambience was
  played instead) or what was made and what left out; ``Audio.suggestions``:
  example prompts of the nearest known sounds (``verdict.py``).
- Telephone tones: North American Precise Tone Plan (dial 350+440 Hz, busy
  480+620 Hz at 0.5 s on / 0.5 s off) by default; the ETSI European 425 Hz
  tones for "european" or Russian prompts ("гудок", "короткие гудки").
- How a sound is heard applies to every source (the mixer does it): distance
  ("distant", "far away", "вдали"; "close", "рядом"), motion ("passing by",
  "approaching", "moving away", "проезжает мимо", "приближается": level swell,
  Doppler pitch, stereo sweep), place ("in a cave", "в соборе", "underwater":
  reverb, and for forest, street and stadium an ambience bed), groups ("many",
  "a pack of", "стая": a single voice is layered), order ("then", "after",
  "before", "while", "потом", "после", "перед", "пока").  One-shots end in a
  faint room tone, never digital silence, unless the prompt asks for silence.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tag.engines.registry import EngineSpec, register
from tag.engines.synth.engine import DEFAULT_SAMPLE_RATE, SynthEngine
from tag.engines.synth.sources import SOURCES

if TYPE_CHECKING:
    from tag.config import Settings


def _build(settings: Settings) -> SynthEngine:
    return SynthEngine()


SPEC = register(
    EngineSpec(
        name="synth",
        description=f"offline procedural sound design: {len(SOURCES)} sources, English and Russian prompts, no weights",
        factory=_build,
        priority=0,
        sample_rate=DEFAULT_SAMPLE_RATE,
        licence="the project's own (procedural, no weights)",
        options=frozenset({"seed", "stereo"}),  # nothing to sample or rank
    )
)

__all__ = ["SPEC", "SynthEngine"]
