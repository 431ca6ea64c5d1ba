"""A place asked for alone ("in a forest", "под водой"): the ambience a listener there hears.

The same beds lie quietly under any sound heard in these places (``space.bed``);
named alone they are the sound itself, so the prompt gets what it asked for
rather than the neutral fallback.
"""

from __future__ import annotations

import numpy as np

from tag.engines.synth.sources.base import BACKGROUND, Params, source
from tag.engines.synth.space import bed

# place (``Params.place``) -> the source that is its ambience
PLACE_AMBIENCES = {
    "forest": "forest_ambience",
    "street": "street_ambience",
    "stadium": "stadium_ambience",
    "underwater": "underwater_ambience",
}


@source("forest_ambience", "a forest: leaves stirring in the wind, distant birds", family=BACKGROUND, ru="лес",
        examples=("in a forest", "в лесу"))
def forest_ambience(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    return bed("forest", rng, n, sr)


@source("street_ambience", "a street: far traffic rumbling, cars coming and going", family=BACKGROUND, ru="улица",
        examples=("on the street", "на улице"))
def street_ambience(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    return bed("street", rng, n, sr)


@source("stadium_ambience", "a stadium: a big crowd murmuring and swelling in an open bowl", family=BACKGROUND,
        ru="стадион", examples=("at a stadium", "на стадионе"))
def stadium_ambience(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    return bed("stadium", rng, n, sr)


@source("underwater_ambience", "underwater: a dull, murky wash of low sound", family=BACKGROUND, ru="под водой",
        examples=("underwater", "под водой"))
def underwater_ambience(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    return bed("underwater", rng, n, sr)
