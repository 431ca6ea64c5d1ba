"""What the synth engine can make, as users see it: names, families, examples, suggestions.

Every front end lists the known sounds (``tag sounds``, the bot's /sounds, the
web page) and, when a prompt is not understood, offers the nearest ones; both
come from here so they always agree with the parser.
"""

from __future__ import annotations

import difflib
from functools import lru_cache
from dataclasses import dataclass

from tag.engines.synth import vocabulary as vocab
from tag.engines.synth.sources import SOURCES
from tag.engines.synth.sources.base import FAMILIES, Family

LANGUAGES = ("en", "ru")
# Offered when nothing in a prompt is close to a known word: one sound per family.
POPULAR = ("rain", "birds", "crowd", "dog", "piano", "footsteps", "siren", "explosion", "sea", "fire")
_CLOSE = 0.72  # difflib ratio at which a misspelt word counts as meaning a stem
_NEAR_BEST = 0.05  # how far below a word's closest stem other stems may be and still be offered


@dataclass(frozen=True)
class Sound:
    """One known sound as a front end shows it."""

    name: str  # the engine's source name
    title: str  # in the user's language
    example: str  # a prompt in the user's language that makes exactly this sound
    family: str  # the family's title in the user's language


def _language(language: str) -> str:
    return language if language in LANGUAGES else "en"


def display_name(source: str, language: str) -> str:
    spec = SOURCES.get(source)
    if spec is not None and _language(language) == "ru":
        return spec.ru
    return source.replace("_", " ")


def example(source: str, language: str = "en") -> str:
    return SOURCES[source].examples[LANGUAGES.index(_language(language))]


def examples(language: str = "en") -> dict[str, str]:
    """One prompt per source in ``language``: the gallery, the bench and the tests use these."""
    return {name: example(name, language) for name in SOURCES}


def family_title(family: Family, language: str) -> str:
    return family.ru if _language(language) == "ru" else family.en


def sound(source: str, language: str = "en") -> Sound:
    spec = SOURCES[source]
    return Sound(source, display_name(source, language), example(source, language), family_title(spec.family, language))


def listing(language: str = "en") -> list[tuple[str, list[Sound]]]:
    """Every source but the neutral fallback, grouped by family in ontology order, sorted by title."""
    groups = []
    for family in FAMILIES:
        names = [n for n, s in SOURCES.items() if s.family is family and n != "ambience"]
        if names:
            members = sorted((sound(n, language) for n in names), key=lambda s: s.title.casefold())
            groups.append((family_title(family, language), members))
    return groups


def phrases() -> list[tuple[str, str, dict[str, object]]]:
    """Every (phrase, sources, implied parameters) the parser knows: the word lists and each source's own."""
    own = [(word, name, {}) for name, spec in SOURCES.items() for word in spec.words]
    return vocab.SOURCE_PHRASES + own


def _closeness(word: str, stem: str) -> float:
    ratio = difflib.SequenceMatcher(None, word, stem).ratio()
    if word.startswith(stem) and len(stem) >= 4:
        return 1.0  # a stem that starts the word ("thunderous" -> "thunder") is as good as equal
    # Typing slips seldom hit the first letter: between similar stems, the one that shares it wins.
    return ratio + (0.05 if word[:1] == stem[:1] else 0.0)


@lru_cache(maxsize=1)
def _stem_index() -> dict[str, set[str]]:
    index: dict[str, set[str]] = {}
    for text, sources, _ in phrases():
        for word in text.split():
            index.setdefault(word, set()).update(s for s in sources.split("+"))
    for name, spec in SOURCES.items():
        for title in (name.replace("_", " "), spec.ru):
            for word in title.lower().split():
                index.setdefault(word, set()).add(name)
    index.pop("ambience", None)
    return index


def suggest(words: list[str], language: str = "en", count: int = 5, *, popular: bool = True) -> list[Sound]:
    """Known sounds nearest to the words a prompt left unrecognised, best first.

    Misspellings and near words ("thuner", "sea gul") find their source by
    spelling similarity to the parser's stems and the sources' names; when no
    word is close, a few popular sounds from different families are offered
    (unless ``popular`` is false: then only close sounds, maybe none).
    """
    index = _stem_index()
    scored: dict[str, float] = {}
    for word in (w.lower().replace("ё", "е") for w in words):
        close = {stem: _closeness(word, stem) for stem in difflib.get_close_matches(word, index, n=6, cutoff=_CLOSE)}
        best = max(close.values(), default=0.0)
        for stem, ratio in close.items():
            if ratio < best - _NEAR_BEST:
                continue  # "thuner" is thunder; "under" is merely similar
            for name in index[stem]:
                if name != "ambience":
                    scored[name] = max(scored.get(name, 0.0), ratio)
    ranked = sorted(scored, key=lambda n: (-scored[n], n))
    for name in POPULAR if popular else ():
        if len(ranked) >= count:
            break
        if name in SOURCES and name not in ranked:
            ranked.append(name)
    return [sound(name, language) for name in ranked[:count]]
