"""How honest a result is: warnings when the prompt was not (fully) understood, and what to try instead.

A fallback ambience or a sound missing half the prompt is still delivered, so
front ends need to say so plainly rather than report success; the warnings are
in the prompt's language and the suggestions are example prompts in it too.
"""

from __future__ import annotations

from tag.engines.synth.catalogue import display_name, suggest
from tag.engines.synth.notices import say
from tag.engines.synth.parser import Parsed

# Enough choice without burying the answer; a partly understood prompt needs fewer.
FALLBACK_SUGGESTIONS = 5
PARTIAL_SUGGESTIONS = 3


def assess(parsed: Parsed) -> tuple[list[str], list[str]]:
    """(warnings, suggested prompts) for a parsed prompt; both empty when everything was understood."""
    language = parsed.language
    unknown = list(dict.fromkeys(parsed.unknown))
    if not parsed.events:
        warning = say(language, "fallback")
        if unknown:
            warning += " " + say(language, "not_recognised", words=", ".join(unknown))
        return [warning], [s.example for s in suggest(unknown, language, FALLBACK_SUGGESTIONS)]
    if not unknown:
        return [], []
    made = list(dict.fromkeys(e.source for e in parsed.events))
    names = ", ".join(display_name(s, language) for s in made)
    warning = say(language, "partial", sources=names, words=", ".join(unknown))
    # Only sounds close to the left-out words: popular fillers would be noise next to a real result.
    near = [s for s in suggest(unknown, language, PARTIAL_SUGGESTIONS + len(made), popular=False) if s.name not in made]
    return [warning], [s.example for s in near[:PARTIAL_SUGGESTIONS]]
