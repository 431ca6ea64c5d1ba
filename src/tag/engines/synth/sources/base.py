"""What a sound source is: parameters from the prompt, a render function, a registry."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np


@dataclass
class Params:
    """Everything the parser understood about one source, with neutral defaults."""

    freq: float | None = None  # explicit frequency in Hz ("a 440 Hz beep")
    pitch: float = 1.0  # multiplier from pitch words (low 0.5, high 2)
    density: float = 1.0  # light < 1 < heavy
    tempo: float = 1.0  # slow < 1 < fast
    bpm: float | None = None  # explicit rate (events per minute)
    count: int | None = None  # "three knocks"
    surface: str | None = None  # footsteps: gravel, wood, snow, concrete
    variant: str | None = None  # e.g. "european" dial tone, "yelp" siren
    distance: float = 1.0  # 1 normal, > 1 far, < 1 close (sources may change timbre)
    pan: float | None = None  # stereo position asked for: -1 left .. 1 right
    moving: bool = False  # "passing": swells, shifts pitch (Doppler) and crosses the stereo field
    key: str | None = None  # musical key: "A minor", "C# major", or only "minor" / "major"
    motion: str | None = None  # how it moves (the mixer models it): "pass", "approach" or "recede"
    place: str | None = None  # where it sounds (the mixer's reverb and bed): "cave", "hall", "forest", ...
    group: int | None = None  # "many dogs", "a flock of": about this many individuals

    def rate(self, default_per_minute: float, most_per_second: float = 20.0) -> float:
        """Events per second: the explicit bpm, else the default scaled by tempo words.

        Capped: beyond about 20 a second separate events fuse into a buzz anyway.
        """
        bpm = self.bpm if self.bpm else default_per_minute * self.tempo
        return min(max(bpm, 1.0) / 60.0, most_per_second)

    def how_many(self, default: int, most: int) -> int:
        """The asked count (or ``default``), at most ``most``: counts of voices, birds, strikes."""
        return max(1, min(self.count or default, most))

    def one_every(self, span: float, seconds: float, most: int) -> int:
        """How many one-shots in ``span`` s: the asked count, else about one every ``seconds`` (tempo scales it)."""
        return self.how_many(max(1, int(span / seconds * self.tempo)), most)


Render = Callable[[np.random.Generator, int, int, Params], np.ndarray]


@dataclass(frozen=True)
class Family:
    """A top class of the AudioSet ontology: how the catalogue groups sources."""

    key: str
    en: str
    ru: str


HUMAN = Family("human", "Human sounds", "Звуки человека")
ANIMAL = Family("animal", "Animals", "Животные")
MUSIC = Family("music", "Music", "Музыка")
NATURAL = Family("natural", "Natural sounds", "Природа")
THINGS = Family("things", "Sounds of things", "Вещи, машины, механизмы")
AMBIGUOUS = Family("ambiguous", "Effects and signals", "Эффекты и сигналы")
BACKGROUND = Family("background", "Noise and ambience", "Шумы и фон")
FAMILIES = (HUMAN, ANIMAL, MUSIC, NATURAL, THINGS, AMBIGUOUS, BACKGROUND)


@dataclass(frozen=True)
class SourceSpec:
    name: str
    render: Render
    description: str
    family: Family
    ru: str  # the source's name in Russian (English names are ``name`` with spaces)
    examples: tuple[str, str]  # one English and one Russian prompt that ask for exactly this source
    # Phrases (word stems, see ``vocabulary``) that name this source, beside
    # ``vocabulary.SOURCE_PHRASES`` (which also carries implied parameters).
    words: tuple[str, ...] = ()
    # Acoustic sources sit in a room (reverb send); electronic signals stay dry so
    # their spectra stay exact.
    room: bool = True
    standard: str | None = None  # which published standard a signal follows
    moving: bool = False  # passes by: in stereo it travels from one side to the other
    motion: str | None = None  # a motion it makes unless asked otherwise ("pass" for an aeroplane)
    # Already many (rain, a crowd, birds): group words raise its density instead of
    # the mixer layering copies of it.
    plural: bool = False


SOURCES: dict[str, SourceSpec] = {}


def source(
    name: str,
    description: str,
    *,
    family: Family,
    ru: str,
    examples: tuple[str, str],
    words: tuple[str, ...] = (),
    room: bool = True,
    standard: str | None = None,
    moving: bool = False,
    motion: str | None = None,
    plural: bool = False,
) -> Callable[[Render], Render]:
    """Register a render function ``f(rng, n, sr, params) -> n samples`` under ``name``."""

    def wrap(render: Render) -> Render:
        if name in SOURCES:
            raise ValueError(f"two synth sources are named {name!r}")
        SOURCES[name] = SourceSpec(
            name, render, description, family, ru, examples, words, room=room, standard=standard, moving=moving,
            motion=motion, plural=plural,
        )
        return render

    return wrap
