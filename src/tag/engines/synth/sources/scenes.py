"""Acoustic scenes: a place heard as a bed plus sparse, varied foreground events.

Each scene mixes a steady bed (murmur, air handling, insects, water) with events at
random times (clinks, chimes, calls, footsteps), so no two seeds and no two
stretches of one clip sound alike.  Parts come from ``scene_parts`` or from other
sources at unit level; the gains in dB are relative to the loudest event.
``density`` scales how busy a place is (event rates, voices).
"""

from __future__ import annotations

import numpy as np

from tag.engines.synth import dsp
from tag.engines.synth.sources import scene_parts as sp
from tag.engines.synth.sources.base import BACKGROUND, Params, source

# The PA chime's notes (C5 E5 G5, rung up or down): fixed, as real terminals use one chime.
CHIME = (523.25, 659.25, 783.99)
MONITOR_HZ = 960.0


def mix(*parts: tuple[float, np.ndarray]) -> np.ndarray:
    """Sum of (gain in dB, signal) pairs."""
    return sum(sp.db(g) * x for g, x in parts)


def voices(usual: int, density: float) -> int:
    """How many near talkers: more in a busier place, but few enough to stay cheap (the murmur does the rest)."""
    return max(1, min(6, round(usual * density)))


def pa(rng: np.random.Generator, n: int, sr: int, rate: float, first: float, pitch: float = 1.0) -> np.ndarray:
    """Chime then a spoken announcement, at about ``rate`` a second; the first near ``first`` s."""
    def call() -> np.ndarray:
        notes = CHIME if rng.random() < 0.5 else CHIME[::-1]
        bell = sp.unit(sp.chime(sr, notes), sr)
        voice = sp.unit(sp.announcement(rng, sr, rng.uniform(2.5, 4.0), pitch), sr)
        out = np.zeros(bell.size + voice.size)
        out[: bell.size] += bell
        dsp.add_at(out, voice * 0.6, int(1.6 * sr))
        return out

    return sp.scatter(rng, n, sr, rate, call, low=0.8, first=first)


@source("cafe", "a cafe: murmur and a few near voices, cups and spoons clinking, now and then the espresso "
        "machine's steam hiss", family=BACKGROUND, ru="кафе", examples=("a busy cafe", "шум в кафе"),
        words=("cafe", "caf", "coffee shop", "coffeehouse", "coffee house", "coffee bar", "кафе", "кофейн",
               "кафетери"))
def cafe(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    d = p.density
    x = mix(
        (-11, sp.murmur(rng, n, sr, busy=d)),
        (-9, sp.borrowed("crowd", rng, n, sr, count=voices(2, d))),
        (0, sp.scatter(rng, n, sr, 1.2 * d, lambda: sp.clink(rng, sr), first=0.8)),
        (-4, sp.scatter(rng, n, sr, 0.15 * d, lambda: sp.stir(rng, sr))),
        (-7, sp.scatter(rng, n, sr, 0.06 * d, lambda: sp.steam(rng, sr), low=0.7)),
    )
    return sp.hall(rng, x, sr, 0.7, 0.25)


@source("restaurant", "a restaurant: a fuller room of talk, cutlery on plates, glasses, an occasional laugh",
        family=BACKGROUND, ru="ресторан", examples=("a busy restaurant", "в ресторане"),
        words=("restaurant", "diner", "canteen", "cafeteria", "dining room", "ресторан", "столов"))
def restaurant(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    d = p.density
    x = mix(
        (-11, sp.murmur(rng, n, sr, busy=2 * d)),
        (-12, sp.borrowed("crowd", rng, n, sr, count=voices(2, d), pitch=0.9)),
        (0, sp.scatter(rng, n, sr, 1.6 * d, lambda: sp.clink(rng, sr), first=0.6)),
        (-6, sp.scatter(rng, n, sr, 0.12 * d, lambda: sp.shout(rng, sr, 0.9))),
    )
    return sp.hall(rng, x, sr, 0.9, 0.3)


@source("bar", "a bar or pub: loud talk and laughter over music through the walls, glasses set down",
        family=BACKGROUND, ru="бар", examples=("a busy pub", "в баре"),
        words=("bar", "pub", "tavern", "saloon", "бар", "паб", "пивн", "таверн", "кабак"))
def bar(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    d = p.density
    x = mix(
        (-10, sp.murmur(rng, n, sr, busy=2 * d, pitch=0.95)),
        (-12, sp.borrowed("crowd", rng, n, sr, count=voices(2, d), tempo=1.1)),
        (-14, sp.muffled(sp.beat(rng, n, sr, rng.uniform(95, 125)), sr, 400)),
        (0, sp.scatter(rng, n, sr, 0.8 * d, lambda: sp.clink(rng, sr), first=1.0)),
        (-1, sp.scatter(rng, n, sr, 0.3 * d, lambda: sp.shout(rng, sr, 1.1))),
    )
    return sp.hall(rng, x, sr, 0.8, 0.3)


@source("office", "an office: air conditioning, keyboards in bursts, a phone ringing, distant talk",
        family=BACKGROUND, ru="офис", examples=("a busy office", "шум офиса"),
        words=("office", "workplace", "cubicle", "open space", "офис", "опенспейс", "контор"))
def office(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    d = p.density
    typing = sum(sp.borrowed("typing", rng, n, sr) * sp.bouts(rng, n, sr, 0.25, 0.5) * rng.uniform(0.4, 1.0)
                 for _ in range(max(1, round(2 * d))))
    talk = sp.muffled(sp.borrowed("crowd", rng, n, sr, count=2), sr, 1800) * sp.bouts(rng, n, sr, 0.2, 0.6)
    return mix(
        (-16, sp.air(rng, n, sr)),
        (-32, sp.mains_hum(n, sr, rng)),
        (-3, typing),
        (-14, talk),
        (-4, sp.now_and_then(rng, "phone_ring", n, sr, 0.05 * d, 3.0)),
        (-8, sp.scatter(rng, n, sr, 0.05, lambda: sp.stir(rng, sr))),
    )


@source("airport", "an airport terminal: a big hall of murmur, the PA chime and announcements, rolling suitcases",
        family=BACKGROUND, ru="аэропорт", examples=("an airport terminal", "в аэропорту"),
        words=("airport", "airport terminal", "terminal", "departure lounge", "announcement", "tannoy", "public address",
               "аэропорт", "терминал"))
def airport(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    d = p.density
    x = mix(
        (-9, sp.murmur(rng, n, sr, busy=3 * d)),
        (-16, sp.rumble(rng, n, sr, 120)),
        (-5, sp.scatter(rng, n, sr, 0.3 * d, lambda: sp.rolling_case(rng, sr), first=2.0)),
        (-11, sp.borrowed("footsteps", rng, n, sr, surface="concrete") * sp.bouts(rng, n, sr)),
        (0, pa(rng, n, sr, 0.04, first=0.8)),
    )
    return sp.hall(rng, x, sr, 2.0, 0.5)


@source("train_station", "a train station: a hall of voices and footsteps, announcements, a train coming in",
        family=BACKGROUND, ru="вокзал", examples=("a busy train station", "на вокзале"),
        words=("train station", "railway station", "railroad station", "station platform", "station announcement", "вокзал",
               "перрон"))
def train_station(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    d = p.density
    x = mix(
        (-9, sp.murmur(rng, n, sr, busy=2 * d)),
        (-6, sp.borrowed("footsteps", rng, n, sr, tempo=1.2) * sp.bouts(rng, n, sr, 0.4, 0.6)),
        (-3, sp.now_and_then(rng, "train", n, sr, 0.05, 6.0)),
        (-6, sp.scatter(rng, n, sr, 0.15 * d, lambda: sp.rolling_case(rng, sr))),
        (0, pa(rng, n, sr, 0.05, first=3.0, pitch=0.9)),
    )
    return sp.hall(rng, x, sr, 2.2, 0.45)


@source("shopping_mall", "a shopping mall: a bright hall of voices and steps, a fountain, checkout beeps",
        family=BACKGROUND, ru="торговый центр", examples=("a shopping mall", "в торговом центре"),
        words=("shopping mall", "mall", "shopping centre", "shopping center", "department store", "торгов центр",
               "торгов комплекс", "молл", "универмаг", "supermarket", "супермаркет"))
def shopping_mall(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    d = p.density
    x = mix(
        (-12, sp.murmur(rng, n, sr, busy=2 * d, pitch=1.05)),
        (-12, sp.borrowed("footsteps", rng, n, sr) * sp.bouts(rng, n, sr)),
        (-20, sp.borrowed("stream", rng, n, sr)),
        (0, sp.scatter(rng, n, sr, 0.35 * d, lambda: sp.till_beep(rng, sr), first=1.5)),
        (-2, sp.scatter(rng, n, sr, 0.2 * d, lambda: sp.shout(rng, sr, 1.3))),
        (0, pa(rng, n, sr, 0.02, first=None)),
    )
    return sp.hall(rng, x, sr, 1.6, 0.4)


@source("library", "a library: very quiet air handling, pages turned, a far cough, soft steps",
        family=BACKGROUND, ru="библиотека", examples=("a quiet library", "в библиотеке"),
        words=("library", "reading room", "библиотек", "читальн зал"))
def library(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    d = p.density
    x = mix(
        (-30, sp.air(rng, n, sr, 0.7)),
        (-40, sp.mains_hum(n, sr, rng)),
        (0, sp.scatter(rng, n, sr, 0.35 * d, lambda: sp.page_turn(rng, sr), first=1.0)),
        (-8, sp.muffled(sp.scatter(rng, n, sr, 0.06 * d, lambda: sp.cough(rng, sr)), sr, 2000)),
        (-20, sp.borrowed("footsteps", rng, n, sr, surface="wood", tempo=0.8) * sp.bouts(rng, n, sr, 0.2, 0.35)),
    )
    return sp.hall(rng, x, sr, 1.4, 0.35)


@source("school", "a school corridor at break: children's voices and shouts, running steps, sometimes the bell",
        family=BACKGROUND, ru="школа", examples=("a school corridor", "в школе"),
        words=("school", "classroom", "school corridor", "school hallway", "школ", "школьн", "школьн коридор", "перемен"))
def school(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    d = p.density
    bell = np.zeros(n)
    if rng.random() < 0.35:
        dsp.add_at(bell, sp.unit(sp.school_bell(rng, sr), sr), int(rng.uniform(0, 0.7) * n))
    x = mix(
        (-9, sp.murmur(rng, n, sr, busy=2 * d, pitch=1.5)),
        (-10, sp.borrowed("crowd", rng, n, sr, count=voices(2, d), pitch=1.7, tempo=1.2)),
        (0, sp.scatter(rng, n, sr, 0.7 * d, lambda: sp.shout(rng, sr, 1.8), first=0.7)),
        (-8, sp.borrowed("footsteps", rng, n, sr, variant="running") * sp.bouts(rng, n, sr, 0.5, 0.4)),
        (-6, bell),
    )
    return sp.hall(rng, x, sr, 1.3, 0.4)


@source("farm", "a farm: wind, birds, hens clucking, a cow lowing, a tractor far off",
        family=BACKGROUND, ru="ферма", examples=("a farm in the morning", "на ферме"),
        words=("farm", "farmyard", "barnyard", "ranch", "ферм", "фермерск", "фермерск двор", "скотн двор"))
def farm(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    d = p.density
    return mix(
        (-16, sp.breeze(rng, n, sr)),
        (-12, sp.borrowed("birds", rng, n, sr, count=2)),
        (-3, sp.scatter(rng, n, sr, 0.45 * d, lambda: sp.cluck(rng, sr), first=0.5)),
        (0, sp.scatter(rng, n, sr, 0.1 * d, lambda: sp.moo(rng, sr), first=3.0, low=0.6)),
        (-18, sp.muffled(sp.engine(rng, n, sr, rng.uniform(18, 28)), sr, 300)),
        (-10, sp.now_and_then(rng, "dog", n, sr, 0.03, 1.5)),
    )


@source("village", "a village morning: birdsong, a far cockerel-like call, a dog, a church bell, a passing car",
        family=BACKGROUND, ru="деревня", examples=("a village morning", "деревня утром"),
        words=("village", "countryside", "hamlet", "деревн", "деревенск", "поселок"))
def village(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    d = p.density
    return mix(
        (-2, sp.borrowed("birds", rng, n, sr, count=voices(2, d))),
        (-18, sp.rustle(rng, n, sr)),
        (-20, sp.rumble(rng, n, sr, 150)),
        (-6, sp.scatter(rng, n, sr, 0.15 * d, lambda: sp.cluck(rng, sr))),
        (-8, sp.now_and_then(rng, "dog", n, sr, 0.05, 1.5)),
        (-8, sp.now_and_then(rng, "church_bell", n, sr, 0.03, 4.0, distance=3.0)),
        (-12, sp.now_and_then(rng, "car", n, sr, 0.04, 4.0, moving=True)),
    )


@source("jungle", "a jungle: a dense chorus of high insects, exotic whooping calls, frogs, dripping leaves",
        family=BACKGROUND, ru="джунгли", examples=("a jungle", "в джунглях"),
        words=("jungle", "rainforest", "tropical rainforest", "tropical forest", "tropics", "джунгл", "тропическ лес",
               "тропик", "сельв"))
def jungle(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    d = p.density
    return mix(
        (-12, sp.insects(rng, n, sr, min(max(3, round(6 * d)), 10), 3000, 9000)),
        (-15, sp.cicadas(rng, n, sr)),
        (0, sp.scatter(rng, n, sr, 0.6 * d, lambda: sp.exotic_bird(rng, sr), first=0.8, low=0.6)),
        (-10, sp.borrowed("birds", rng, n, sr, count=3, pitch=0.8)),
        (-14, sp.borrowed("frogs", rng, n, sr)),
        (-12, sp.borrowed("drip", rng, n, sr, tempo=0.6)),
    )


@source("night_forest", "a forest at night: crickets, leaves stirring in the wind, now and then an owl",
        family=BACKGROUND, ru="ночной лес", examples=("a forest at night", "ночной лес"),
        words=("night forest", "forest at night", "woods at night", "night in the forest", "night in the woods",
               "nocturnal forest", "ночн лес", "лес ноч", "ноч в лес"))
def night_forest(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    d = p.density
    return mix(
        (-7, sp.borrowed("crickets", rng, n, sr, count=voices(2, d))),
        (-13, sp.rustle(rng, n, sr, 0.25)),
        (-20, sp.breeze(rng, n, sr)),
        (0, sp.scatter(rng, n, sr, 0.12, lambda: sp.hoot(rng, sr), first=1.5, low=0.6)),
        (-14, sp.borrowed("frogs", rng, n, sr, count=1) * sp.bouts(rng, n, sr, 0.2, 0.4)),
    )


@source("park", "a park: birdsong, leaves, steps on gravel, far voices and a dog, traffic beyond the trees",
        family=BACKGROUND, ru="парк", examples=("a park", "в парке"),
        words=("park", "public garden", "парк", "сквер"))
def park(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    d = p.density
    return mix(
        (0, sp.borrowed("birds", rng, n, sr, count=3)),
        (-16, sp.rustle(rng, n, sr)),
        (-19, sp.rumble(rng, n, sr, 200)),
        (-16, sp.murmur(rng, n, sr, busy=0.5)),
        (-8, sp.borrowed("footsteps", rng, n, sr, surface="gravel") * sp.bouts(rng, n, sr, 0.3, 0.4)),
        (-10, sp.muffled(sp.scatter(rng, n, sr, 0.15 * d, lambda: sp.shout(rng, sr, 1.7)), sr, 2500)),
        (-12, sp.now_and_then(rng, "dog", n, sr, 0.04, 1.5)),
    )


@source("market", "a market or bazaar: a busy crowd, vendors calling out, coins and crockery, carts",
        family=BACKGROUND, ru="рынок", examples=("a busy market", "на рынке"),
        words=("market", "marketplace", "bazaar", "bazar", "souk", "flea market", "рынок", "рынк", "базар", "ярмарк"))
def market(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    d = p.density
    return mix(
        (-10, sp.murmur(rng, n, sr, busy=3 * d)),
        (-12, sp.borrowed("crowd", rng, n, sr, count=voices(2, d), tempo=1.1)),
        (0, sp.scatter(rng, n, sr, 0.6 * d, lambda: sp.shout(rng, sr, rng.uniform(0.8, 1.3)), first=0.6)),
        (-5, sp.scatter(rng, n, sr, 0.4 * d, lambda: sp.clink(rng, sr))),
        (-8, sp.scatter(rng, n, sr, 0.1, lambda: sp.rolling_case(rng, sr))),
        (-18, sp.rumble(rng, n, sr, 160)),
    )


@source("kitchen", "a kitchen: sizzling in a pan, a knife chopping, dishes, the fridge humming",
        family=BACKGROUND, ru="кухня", examples=("a kitchen", "на кухне"),
        words=("kitchen", "кухн"))
def kitchen(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    d = p.density
    x = mix(
        (-10, sp.sizzle(rng, n, sr) * dsp.smooth_control(rng, n, sr, 0.2, 0.6, 1.0)),
        (0, sp.scatter(rng, n, sr, 0.3 * d, lambda: sp.chopping(rng, sr), first=1.0)),
        (-3, sp.scatter(rng, n, sr, 0.4 * d, lambda: sp.clink(rng, sr))),
        (-24, sp.mains_hum(n, sr, rng, 50.0)),
        (-10, sp.now_and_then(rng, "stream", n, sr, 0.05, 2.5)),
    )
    return sp.hall(rng, x, sr, 0.5, 0.2)


@source("party", "a party: music with a beat, lively talk and laughter, clinking glasses",
        family=BACKGROUND, ru="вечеринка", examples=("a party", "на вечеринке"),
        words=("party", "house party", "birthday party", "nightclub", "вечеринк", "тусовк",
               "ночн клуб"))
def party(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    d = p.density
    x = mix(
        (-5, sp.beat(rng, n, sr, rng.uniform(112, 128) * p.tempo)),
        (-8, sp.murmur(rng, n, sr, busy=2 * d, pitch=1.05)),
        (-10, sp.borrowed("crowd", rng, n, sr, count=voices(2, d), tempo=1.2)),
        (-2, sp.scatter(rng, n, sr, 0.5 * d, lambda: sp.shout(rng, sr, rng.uniform(1.0, 1.6)), first=1.0)),
        (-4, sp.scatter(rng, n, sr, 0.5 * d, lambda: sp.clink(rng, sr))),
    )
    return sp.hall(rng, x, sr, 0.8, 0.3)


@source("gym", "a gym: music in the hall, weights clanking, balls bouncing, sneakers squeaking, shouts",
        family=BACKGROUND, ru="спортзал", examples=("a gym", "в спортзале"),
        words=("gym", "gymnasium", "fitness", "sports hall", "спортзал", "тренажерн зал", "спортивн зал", "фитнес"))
def gym(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    d = p.density
    x = mix(
        (-16, sp.beat(rng, n, sr, rng.uniform(120, 135))),
        (-14, sp.murmur(rng, n, sr, busy=d)),
        (0, sp.scatter(rng, n, sr, 0.3 * d, lambda: sp.clank(rng, sr), first=1.2)),
        (-3, sp.scatter(rng, n, sr, 0.15 * d, lambda: sp.bounce(rng, sr))),
        (-6, sp.scatter(rng, n, sr, 0.6 * d, lambda: sp.squeak(rng, sr))),
        (-6, sp.scatter(rng, n, sr, 0.15 * d, lambda: sp.shout(rng, sr, 1.0))),
    )
    return sp.hall(rng, x, sr, 1.6, 0.45)


@source("hospital", "a hospital ward: a patient monitor beeping, air handling, steps, a trolley, the PA",
        family=BACKGROUND, ru="больница", examples=("a hospital", "в больнице"),
        words=("hospital", "clinic", "hospital ward", "heart monitor", "patient monitor", "больниц", "госпитал", "клиник",
               "поликлиник", "кардиомонитор"))
def hospital(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    d = p.density
    x = mix(
        (-16, sp.air(rng, n, sr)),
        (-4, sp.monitor_beeps(n, sr, rng, MONITOR_HZ, rng.uniform(1.0, 1.4))),
        (-8, sp.borrowed("footsteps", rng, n, sr) * sp.bouts(rng, n, sr, 0.3, 0.4)),
        (-20, sp.muffled(sp.murmur(rng, n, sr, busy=0.5), sr, 1500)),
        (-6, sp.scatter(rng, n, sr, 0.08 * d, lambda: sp.rolling_case(rng, sr))),
        (-2, pa(rng, n, sr, 0.03, first=None)),
    )
    return sp.hall(rng, x, sr, 0.9, 0.3)


@source("swimming_pool", "an indoor swimming pool: splashes and voices echoing in a big hard hall, water lapping",
        family=BACKGROUND, ru="бассейн", examples=("a swimming pool", "в бассейне"),
        words=("swimming pool", "pool", "indoor pool", "natatorium", "бассейн", "аквапарк"))
def swimming_pool(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    d = p.density
    x = mix(
        (-10, sp.murmur(rng, n, sr, busy=d, pitch=1.2)),
        (-3, sp.scatter(rng, n, sr, 0.4 * d, lambda: sp.shout(rng, sr, rng.uniform(1.2, 1.9)))),
        (0, sp.scatter(rng, n, sr, 0.5 * d, lambda: sp.splash(rng, sr), first=0.8)),
        (-12, sp.lapping(rng, n, sr)),
        (-20, sp.air(rng, n, sr)),
    )
    return sp.hall(rng, x, sr, 2.5, 0.7)


@source("harbour", "a harbour: water lapping at the quay, gulls, rigging knocking, a ship's horn far off",
        family=BACKGROUND, ru="порт", examples=("a harbour", "в порту"),
        words=("harbour", "harbor", "port", "seaport", "dock", "docks", "marina", "pier", "wharf", "quay", "порт",
               "гаван", "пристан", "причал"))
def harbour(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    d = p.density
    horn = sp.muffled(sp.scatter(rng, n, sr, 0.05, lambda: sp.ship_horn(rng, sr)), sr, 500)
    return mix(
        (-6, sp.lapping(rng, n, sr)),
        (-14, sp.breeze(rng, n, sr, 0.35)),
        (0, sp.scatter(rng, n, sr, 0.3 * d, lambda: sp.gull(rng, sr), first=1.0)),
        (-4, horn),
        (-18, sp.muffled(sp.engine(rng, n, sr, rng.uniform(12, 20)), sr, 250)),
        (-12, sp.scatter(rng, n, sr, 0.25, lambda: sp.clink(rng, sr) * 0.6)),
    )


@source("campsite", "a campsite at night: a crackling campfire, crickets, quiet voices, an owl far off",
        family=BACKGROUND, ru="кемпинг", examples=("a campsite at night", "в палаточном лагере"),
        words=("campsite", "campground", "camping", "camp", "кемпинг", "палаточн лагер", "лагер"))
def campsite(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    return mix(
        (0, sp.borrowed("fire", rng, n, sr)),
        (-9, sp.borrowed("crickets", rng, n, sr, count=2)),
        (-16, sp.muffled(sp.borrowed("crowd", rng, n, sr, count=2, pitch=0.9, tempo=0.8), sr, 1200)),
        (-6, sp.scatter(rng, n, sr, 0.06, lambda: sp.hoot(rng, sr))),
        (-20, sp.rustle(rng, n, sr, 0.2)),
    )
