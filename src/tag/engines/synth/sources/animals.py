"""Animals: farm animals, big cats, wild birds, insects, sea mammals and the rest of a zoo.

Calls are source-filter voices (glottal pulses through a throat and mouth) with each
species' pitch, contour and roughness; hooves, beaks and wings are struck modes and
noise bursts; insects are wing-beat buzzes (a pulse train at the wing rate).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from tag.engines.synth import dsp
from tag.engines.synth.sources.base import ANIMAL, Params, source
from tag.engines.synth.sources.voices import shape, voice


def _calls(rng: np.random.Generator, n: int, sr: int, p: Params, every: float, length: float, make) -> np.ndarray:
    """One-shot calls spread over the clip (``count`` honoured), at irregular gaps of about ``every`` s."""
    span = n / sr
    out = np.zeros(n)
    if p.count:
        times = dsp.spread_times(rng, span, p.how_many(1, 40), length)
    else:
        gaps = rng.uniform(0.6, 1.4, int(span / every * p.tempo * 2) + 2) * every / p.tempo
        times = rng.uniform(0.05, 0.4) + np.concatenate([[0.0], np.cumsum(gaps)])
        times = times[times < span - 0.05]
    for t in times:
        dsp.add_at(out, make(), int(t * sr), rng.uniform(0.6, 1.0))
    return out


def _glide(k: int, points) -> np.ndarray:
    """A contour through ``points`` (values at equal steps across k samples), eased in and out of each:
    calls bend, they have no corners."""
    points = np.asarray(points, dtype=float)
    pos = np.linspace(0, len(points) - 1, k)
    i = np.minimum(pos.astype(int), len(points) - 2)
    w = 0.5 - 0.5 * np.cos(np.pi * (pos - i))
    return points[i] * (1 - w) + points[i + 1] * w


def _hoof(rng: np.random.Generator, sr: int, p: Params) -> np.ndarray:
    """A hoof on hard ground: a hollow knock (modes of the hoof wall) and a grit burst."""
    body = dsp.modal([f * p.pitch * rng.uniform(0.9, 1.1) for f in (380, 820, 1500)], [0.02, 0.012, 0.006],
                     [1.0, 0.6, 0.3], 0.08, sr, rng)
    return body + dsp.burst(rng, sr, 0.08, 0.01, 200, 3000) * 0.6


def _hoof_pattern(rng: np.random.Generator, n: int, sr: int, p: Params, offsets, stride: float) -> np.ndarray:
    """Hoof beats: per stride one beat at each offset (fraction of a stride), the stride pace drifting."""
    span = n / sr
    out = np.zeros(n)
    hooves = [_hoof(rng, sr, p) for _ in range(8)]
    pace = dsp.wander(rng, span, 0.4, 0.88, 1.12)  # the horse speeds up and eases off
    accents = rng.uniform(0.6, 1.0, len(offsets))  # each leg lands with its own weight
    t = rng.uniform(0.05, 0.3)
    while t < span:
        period = stride / p.tempo * float(pace(np.array(t))) * rng.uniform(0.96, 1.04)
        for j, off in enumerate(offsets):
            dsp.add_at(out, hooves[int(rng.integers(8))], int((t + off * period + rng.normal(0, 0.006)) * sr),
                       accents[j] * rng.uniform(0.7, 1.0))
        t += period
    return out


@source("horse_gallop", "a galloping horse: four hoof beats close together per stride (~2.3 a second), a canter three",
        family=ANIMAL, ru="галоп лошади", examples=("a horse galloping", "лошадь скачет галопом"),
        words=("gallop", "galloping horse", "horse gallop", "галоп", "скач", "скачет", "лошад скачет", "скачк",
               "топот копыт", "конск топот"))
def horse_gallop(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    if p.tempo < 0.9:  # a canter: three beats (one hind, a diagonal pair, the leading fore), slower strides
        return _hoof_pattern(rng, n, sr, replace(p, tempo=p.tempo / 0.75), (0.0, 0.2, 0.38), 0.55)
    # Footfalls of a transverse gallop: hind-hind-fore-fore, then the airborne gap.
    return _hoof_pattern(rng, n, sr, p, (0.0, 0.13, 0.3, 0.42), 0.43)


@source("horse_trot", "a trotting horse: even two-beat 'clip-clop' of diagonal hoof pairs",
        family=ANIMAL, ru="рысь лошади", examples=("a horse trotting", "цокот копыт"),
        words=("trot", "trotting horse", "horse trot", "clip clop", "clip-clop", "hoof", "hooves", "рыс", "рысц",
               "цокот", "цока", "копыт"))
def horse_trot(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    return _hoof_pattern(rng, n, sr, p, (0.0, 0.5), 0.7)


@source("horse_neigh", "a horse neighing: a high whinny with fast tremolo falling in pitch, then a snort",
        family=ANIMAL, ru="ржание лошади", examples=("a horse neighing", "ржание лошади"),
        words=("horse", "neigh", "whinny", "pony", "stallion", "mare", "лошад", "кон", "конь", "ржани", "ржет",
               "ржут", "жеребец", "жеребц", "кобыл"))
def horse_neigh(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    def neigh() -> np.ndarray:
        dur = rng.uniform(1.0, 1.6)
        k = int(dur * sr)
        x = np.linspace(0, 1, k)
        contour = _glide(k, [0.8, 1.25, 1.15, 0.9, 0.6, 0.45]) * rng.uniform(700, 950) * p.pitch
        shake = 1 + 0.12 * np.sin(dsp.TAU * rng.uniform(9, 13) * x * dur) * (0.3 + x)  # the whinny's tremolo
        call = voice(rng, contour * shake, sr, (900, 1800, 3200), breath=0.4, tilt=0.45, rough=0.03)
        snort = dsp.bandpass(dsp.white(rng, int(0.25 * sr)), 300, 2500, sr) * shape(int(0.25 * sr), 0.05, 0.7)
        return np.concatenate([call * shape(k, 0.05, 0.5), np.zeros(int(0.15 * sr)), snort * 0.4])
    return _calls(rng, n, sr, p, 3.5, 2.0, neigh)


@source("cow", "a cow mooing: a long low 'mmm-ooo' (~120 Hz) whose mouth opens, rises and sinks",
        family=ANIMAL, ru="корова", examples=("a cow mooing", "мычит корова"),
        words=("cow", "moo", "cattle", "bull", "ox", "корова", "коров", "мыч", "мычит", "мычани", "бык", "телен",
               "муу"))
def cow(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    def moo() -> np.ndarray:
        dur = rng.uniform(1.2, 2.2)
        k = int(dur * sr)
        x = np.linspace(0, 1, k)
        f0 = rng.uniform(100, 150) * p.pitch * _glide(k, [0.85, 1.05, 1.1, 1.0, 0.8])
        src = dsp.glottal(f0, sr, 0.7) * 12 + 0.1 * dsp.white(rng, k)
        mouth = np.minimum(x * 3, 1) * (1 - 0.3 * x)  # 'mmm' opens to 'ooo'
        closed = dsp.formants(src, (250, 1000, 2400), sr)
        opened = dsp.formants(src, (rng.uniform(500, 700), 1100, 2500), sr)
        return (closed * (1 - mouth) + opened * mouth) * shape(k, 0.15, 0.35)
    return dsp.lowpass(dsp.highpass(_calls(rng, n, sr, p, 3.0, 2.4, moo), 60, sr), 1800, sr)  # a big, dark throat


@source("rooster", "a rooster crowing: 'cock-a-doodle-doo', four or five harsh notes with a long final one",
        family=ANIMAL, ru="петух", examples=("a rooster crowing", "кукарекает петух"),
        words=("rooster", "cockerel", "cock-a-doodle-doo", "cock", "петух", "петуш", "кукарек", "кукарека"))
def rooster(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    def crow_call() -> np.ndarray:
        base = rng.uniform(550, 750) * p.pitch
        pieces = []
        for level, dur in zip((0.9, 1.15, 1.05, 1.3, 1.0), (0.12, 0.12, 0.16, 0.2, 0.7 * rng.uniform(0.8, 1.3))):
            k = int(dur * sr)
            f0 = base * level * _glide(k, [0.9, 1.05, 1.0, 0.85 if dur > 0.5 else 0.95])
            note = voice(rng, f0, sr, (1200, 2400, 3600), breath=0.6, tilt=0.4, rough=0.05)
            pieces += [note * shape(k, 0.15, 0.3), np.zeros(int(rng.uniform(0.01, 0.04) * sr))]
        return np.concatenate(pieces)
    return _calls(rng, n, sr, p, 5.0, 1.8, crow_call)


@source("chickens", "hens clucking: short 'buk' clucks in irregular runs and the odd drawn-out 'ba-gawk'",
        family=ANIMAL, ru="куры", examples=("chickens clucking", "кудахчут куры"),
        words=("chicken", "hen", "cluck", "poultry", "coop", "куриц", "кур", "кудах", "кудахч", "кудахтань", "несушк"))
def chickens(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    span = n / sr
    out = np.zeros(n)
    for _ in range(p.how_many(max(1, int(round(2 * p.density))), 8)):
        base = rng.uniform(300, 450) * p.pitch
        t = rng.uniform(0, 1.0)
        while t < span:
            for _ in range(int(rng.integers(2, 8))):
                dur = rng.uniform(0.05, 0.1)
                k = int(dur * sr)
                cluck = voice(rng, base * rng.uniform(0.9, 1.2) * np.linspace(1.1, 0.9, k), sr, (800, 1800, 3000),
                              breath=0.3, tilt=0.5)
                dsp.add_at(out, cluck * shape(k, 0.1, 0.6), int(t * sr), rng.uniform(0.5, 1.0))
                t += dur + rng.uniform(0.08, 0.3)
            if rng.random() < 0.3:  # "ba-GAWK"
                k = int(0.45 * sr)
                f0 = base * 1.8 * _glide(k, [0.8, 1.2, 1.1, 0.8])
                dsp.add_at(out, voice(rng, f0, sr, (1000, 2000, 3200), breath=0.5, tilt=0.4) * shape(k, 0.1, 0.4),
                           int(t * sr))
                t += 0.5
            t += rng.uniform(0.4, 2.0) / p.tempo
    return out


def _nasal_call(rng: np.random.Generator, sr: int, f0: float, dur: float, mouth, rough: float) -> np.ndarray:
    k = int(dur * sr)
    pitch = f0 * _glide(k, [0.95, 1.05, 1.0, 0.85])
    return voice(rng, pitch, sr, mouth, breath=0.3, tilt=0.3, rough=rough) * shape(k, 0.08, 0.4)


@source("duck", "ducks quacking: buzzy nasal 'quack's (~300 Hz, bright) in runs of two to five",
        family=ANIMAL, ru="утка", examples=("a duck quacking", "крякает утка"),
        words=("duck", "quack", "mallard", "утк", "утиц", "утят", "кря", "крякает", "кряка", "кряканье", "крякань"))
def duck(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    def run() -> np.ndarray:
        f0 = rng.uniform(250, 380) * p.pitch
        out = np.zeros(int(2.0 * sr))
        t = 0.0
        for i in range(int(rng.integers(2, 6))):
            dsp.add_at(out, _nasal_call(rng, sr, f0 * (1 - 0.05 * i), rng.uniform(0.12, 0.2), (1000, 1700, 2800),
                                        0.05), int(t * sr), 1 - 0.1 * i)
            t += rng.uniform(0.2, 0.3)
        return out
    return _calls(rng, n, sr, p, 2.2, 1.6, run)


@source("goose", "geese honking: loud reedy honks (~450 Hz), often two-toned, from a gaggle",
        family=ANIMAL, ru="гуси", examples=("geese honking", "гогочут гуси"),
        words=("goose", "geese", "goose honk", "geese honk", "gander",
               "гус", "гуся", "гогот", "гогоч", "гоготани", "га-га"))
def goose(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    out = np.zeros(n)
    for _ in range(p.how_many(max(1, int(round(2 * p.density))), 6)):
        f0 = rng.uniform(380, 550) * p.pitch

        def honk(f0: float = f0) -> np.ndarray:
            first = _nasal_call(rng, sr, f0, rng.uniform(0.15, 0.3), (900, 1500, 2600), 0.03)
            if rng.random() < 0.5:
                return first
            return np.concatenate([first, _nasal_call(rng, sr, f0 * 1.25, rng.uniform(0.12, 0.2), (900, 1500, 2600),
                                                      0.03)])
        out += _calls(rng, n, sr, p, 1.3, 0.6, honk)
    return out


@source("pig", "a pig oinking: short nasal snorting grunts (~150 Hz) in twos and threes",
        family=ANIMAL, ru="свинья", examples=("a pig oinking", "хрюкает свинья"),
        words=("pig", "oink", "hog", "piglet", "swine", "grunt", "свин", "свинь", "хрюк", "хрюка", "хрюкань",
               "поросен", "поросят", "хрю"))
def pig(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    def grunts() -> np.ndarray:
        out = np.zeros(int(1.5 * sr))
        t = 0.0
        for _ in range(int(rng.integers(1, 4))):
            dur = rng.uniform(0.15, 0.3)
            k = int(dur * sr)
            f0 = rng.uniform(110, 190) * p.pitch * _glide(k, [1.0, 1.15, 0.8])
            snort = voice(rng, f0, sr, (400, 1200, 2300), breath=0.3, tilt=0.5, rough=0.12)
            dsp.add_at(out, snort * shape(k, 0.08, 0.5), int(t * sr))
            t += dur + rng.uniform(0.05, 0.2)
        return out
    return dsp.lowpass(_calls(rng, n, sr, p, 1.5, 1.2, grunts), 2500, sr)  # a snout, not a beak


def _bleat(rng: np.random.Generator, sr: int, f0: float, tremolo: float, dur: float) -> np.ndarray:
    """'Baa': a voiced call whose pitch quivers fast (the tremolo is what makes it a bleat)."""
    k = int(dur * sr)
    x = np.linspace(0, 1, k)
    pitch = f0 * _glide(k, [0.9, 1.05, 1.0, 0.9]) * (1 + 0.06 * np.sin(dsp.TAU * tremolo * x * dur))
    amp = 1 + 0.35 * np.sin(dsp.TAU * tremolo * x * dur)
    mouth = np.minimum(x * 4, 1)
    src = dsp.glottal(pitch, sr, 0.55) * 12 + 0.2 * dsp.white(rng, k)
    closed, opened = dsp.formants(src, (400, 1400, 2600), sr), dsp.formants(src, (800, 1500, 2700), sr)
    return (closed * (1 - mouth) + opened * mouth) * amp * shape(k, 0.1, 0.4)


@source("sheep", "sheep bleating: quivering 'baa' calls (~250 Hz with a 7 Hz tremolo) from a flock",
        family=ANIMAL, ru="овцы", examples=("sheep bleating", "блеют овцы"),
        words=("sheep", "bleat", "lamb", "baa", "ewe", "овц", "овец", "овечк", "баран", "барашк", "бле", "блеет",
               "блеют", "блеяни", "бе-е"))
def sheep(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    out = np.zeros(n)
    for _ in range(p.how_many(max(1, int(round(2 * p.density))), 6)):
        f0 = rng.uniform(200, 320) * p.pitch
        out += _calls(rng, n, sr, p, 3.0, 1.2,
                      lambda f0=f0: _bleat(rng, sr, f0, rng.uniform(6, 8), rng.uniform(0.6, 1.1)))
    return out


@source("goat", "a goat bleating: a higher, harsher 'meh-eh-eh' with a fast 10 Hz quaver",
        family=ANIMAL, ru="коза", examples=("a goat bleating", "коза"),
        words=("goat", "kid goat", "goat bleat", "коз", "козл", "козел", "козочк", "козленок"))
def goat(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    return _calls(rng, n, sr, p, 2.5, 1.2,
                  lambda: _bleat(rng, sr, rng.uniform(350, 500) * p.pitch, rng.uniform(9, 12), rng.uniform(0.5, 0.9)))


def _roar(rng: np.random.Generator, sr: int, f0: float, dur: float, rough: float, mouth) -> np.ndarray:
    k = int(dur * sr)
    pitch = f0 * _glide(k, [0.8, 1.2, 1.1, 0.9, 0.6])
    growl = voice(rng, pitch, sr, mouth, breath=1.5, tilt=0.6, rough=rough)
    flutter = 1 + 0.4 * np.sin(dsp.TAU * np.cumsum(rng.uniform(20, 30) * np.ones(k)) / sr)  # the throat rattle
    return growl * flutter * shape(k, 0.15, 0.5)


@source("lion", "a lion roaring: long, deep, rough roars (~180 Hz falling) followed by grunting 'huh's",
        family=ANIMAL, ru="лев", examples=("a lion roaring", "рёв льва"),
        words=("lion", "lion roar", "lioness", "льв", "львиц", "львин", "рев льв", "рычани льв", "лев рыч", "рыч лев",
               "лев рев"))
def lion(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    def roar() -> np.ndarray:
        out = [_roar(rng, sr, rng.uniform(150, 220) * p.pitch, rng.uniform(1.2, 2.0), 0.08, (400, 900, 2000))]
        for i in range(int(rng.integers(2, 5))):  # the trailing grunts
            out += [np.zeros(int(rng.uniform(0.2, 0.4) * sr)),
                    _roar(rng, sr, rng.uniform(100, 140) * p.pitch, 0.35, 0.1, (350, 800, 1800)) * (0.7 - 0.1 * i)]
        return np.concatenate(out)
    return dsp.highpass(_calls(rng, n, sr, p, 5.0, 4.0, roar), 50, sr)


@source("tiger", "a tiger growling: a low (~90 Hz) rumbling growl with a snarl, breathy and rough",
        family=ANIMAL, ru="тигр", examples=("a tiger growling", "рычит тигр"),
        words=("tiger", "growl", "big cat", "тигр", "тигриц", "рыч", "рычани", "рык"))
def tiger(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    return dsp.highpass(_calls(rng, n, sr, p, 2.5, 1.8, lambda: _roar(
        rng, sr, rng.uniform(70, 110) * p.pitch, rng.uniform(1.0, 2.2), 0.12, (300, 700, 1600))), 40, sr)


@source("dog_growl", "a dog growling: a continuous low rough snarl (~110 Hz) with uneven swells",
        family=ANIMAL, ru="рычание собаки", examples=("a dog growling", "собака рычит"),
        words=("dog growl", "snarl", "growl dog", "собак рыч", "рыч собак", "рычани собак", "ворчани собак"))
def dog_growl(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    return dsp.highpass(_calls(rng, n, sr, p, 1.6, 1.8, lambda: _roar(
        rng, sr, rng.uniform(95, 130) * p.pitch, rng.uniform(0.8, 1.8), 0.2, (500, 1200, 2300))), 60, sr)


@source("dog_whimper", "a dog whimpering: thin high whines (~900 Hz) gliding up and down, with sniffs",
        family=ANIMAL, ru="скулит собака", examples=("a dog whimpering", "собака скулит"),
        words=("whimper", "whine", "dog whine", "dog whimper", "скул", "скулит", "скулят", "скулеж", "поскулива",
               "собак скул"))
def dog_whimper(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    def whine() -> np.ndarray:
        dur = rng.uniform(0.4, 1.1)
        k = int(dur * sr)
        f0 = rng.uniform(700, 1100) * p.pitch * _glide(k, rng.uniform(0.8, 1.25, 4))
        return voice(rng, f0, sr, (1000, 2200, 3500), breath=0.3, tilt=0.7) * shape(k, 0.2, 0.5)
    return _calls(rng, n, sr, p, 1.2, 1.0, whine)


@source("wolf", "a wolf howling: a long pure-toned howl gliding up to ~500 Hz, holding, then sliding down",
        family=ANIMAL, ru="волк", examples=("a wolf howling", "воет волк"),
        words=("wolf", "wolves", "howl", "coyote", "волк", "волч", "вой волк", "волчий вой", "волч вой", "завыва"))
def wolf(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    span = n / sr
    out = np.zeros(n)
    for w in range(p.how_many(max(1, int(round(p.density))), 5)):
        t = (rng.uniform(0.0, 2.0) + w * rng.uniform(0.8, 2.0)) * min(1.0, span / 6)
        while t < span:
            dur = rng.uniform(2.0, 4.5)
            k = int(dur * sr)
            top = rng.uniform(380, 650) * p.pitch
            # Rise from below, hold near the top with a bend or two, slide away at the end.
            held = np.sort(rng.uniform(0.85, 1.0, int(rng.integers(2, 5))))[:: int(rng.choice([-1, 1]))]
            f0 = top * _glide(k, [rng.uniform(0.5, 0.7), *held, rng.uniform(0.55, 0.8)]) * (
                1 + 0.01 * np.sin(dsp.TAU * 5 * dsp.seconds(k, sr)))
            ph = dsp.phase(f0, k, sr)
            # A howl is nearly a pure tone: a strong fundamental, faint overtones, a breath of air.
            howl = np.sin(ph) + 0.25 * np.sin(2 * ph + 0.5) + 0.08 * np.sin(3 * ph + 1.0)
            howl += 0.04 * dsp.bandpass(dsp.white(rng, k), 400, 2500, sr)
            dsp.add_at(out, howl * shape(k, 0.2, 0.35), int(t * sr), rng.uniform(0.6, 1.0))
            t += dur + rng.uniform(1.5, 4.0) / p.tempo
    return out


def _hoot(rng: np.random.Generator, sr: int, f0: float, dur: float) -> np.ndarray:
    k = int(dur * sr)
    x = np.linspace(0, 1, k)
    tone = np.sin(dsp.phase(f0 * (1 + 0.05 * np.sin(np.pi * x)), k, sr)) + 0.1 * dsp.bandpass(
        dsp.white(rng, k), f0 * 0.8, f0 * 1.3, sr)
    return tone * shape(k, 0.3, 0.5)


@source("owl", "an owl hooting: soft low pure 'hoo, hoo-hoo, hoooo' (~350 Hz) phrases with long gaps",
        family=ANIMAL, ru="сова", examples=("an owl hooting", "ухает сова"),
        words=("owl", "hoot", "hooting", "сов", "сова", "совы", "филин", "филн", "уха", "ухает", "уханье", "ухань"))
def owl(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    def phrase() -> np.ndarray:
        f0 = rng.uniform(300, 420) * p.pitch
        out = []
        for dur in (0.45, 0.15, 0.22, rng.uniform(0.6, 1.0))[: int(rng.integers(2, 5))]:
            out += [_hoot(rng, sr, f0 * rng.uniform(0.97, 1.03), dur), np.zeros(int(rng.uniform(0.1, 0.35) * sr))]
        return np.concatenate(out)
    return _calls(rng, n, sr, p, 4.0, 2.5, phrase)


@source("crow", "crows cawing: harsh noisy 'kaaw' calls (~600 Hz, broadband) in runs of two to four",
        family=ANIMAL, ru="ворона", examples=("crows cawing", "каркает ворона"),
        words=("crow", "caw", "raven", "rook", "ворон", "ворона", "вороны", "карка", "кар", "карканье", "карканья",
               "грач"))
def crow(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    def caws() -> np.ndarray:
        f0 = rng.uniform(500, 700) * p.pitch
        out = []
        for _ in range(int(rng.integers(2, 5))):
            dur = rng.uniform(0.25, 0.4)
            k = int(dur * sr)
            caw = voice(rng, f0 * _glide(k, [0.9, 1.05, 0.85]), sr, (1100, 1800, 2800), breath=1.2, tilt=0.3,
                        rough=0.15)
            out += [caw * shape(k, 0.05, 0.5), np.zeros(int(rng.uniform(0.15, 0.35) * sr))]
        return np.concatenate(out)
    return _calls(rng, n, sr, p, 3.0, 2.0, caws)


@source("seagulls", "seagulls: high 'kee-ow' calls gliding down from ~2 kHz and laughing 'ha-ha-ha' runs",
        family=ANIMAL, ru="чайки", examples=("seagulls crying", "чайки кричат"),
        words=("gull", "seagull", "sea gull", "чайк", "чаек", "чайк крич", "крич чайк", "seagull cry", "gull cry"))
def seagulls(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    out = np.zeros(n)
    for _ in range(p.how_many(max(1, int(round(2 * p.density))), 6)):
        f0 = rng.uniform(900, 1300) * p.pitch

        def call(f0: float = f0) -> np.ndarray:
            if rng.random() < 0.6:  # the long call: "keee-ow"
                k = int(rng.uniform(0.35, 0.6) * sr)
                pitch = f0 * _glide(k, [1.0, 1.25, 1.15, 0.7])
                return voice(rng, pitch, sr, (2000, 3300, 4500), breath=0.3, tilt=0.35, rough=0.02) * shape(k, 0.1,
                                                                                                                0.4)
            pieces = []
            for i in range(int(rng.integers(3, 7))):  # "ha-ha-ha"
                k = int(rng.uniform(0.1, 0.16) * sr)
                pitch = f0 * (1.1 - 0.04 * i) * np.linspace(1.05, 0.9, k)
                pieces += [voice(rng, pitch, sr, (2000, 3300, 4500), breath=0.3, tilt=0.35) * shape(k, 0.1, 0.5),
                           np.zeros(int(rng.uniform(0.05, 0.1) * sr))]
            return np.concatenate(pieces)
        out += _calls(rng, n, sr, p, 2.0, 1.0, call)
    return dsp.highpass(out, 500, sr)


@source("pigeon", "pigeons cooing: soft low 'coo-COO-oo' (~400 Hz) with a throaty flutter",
        family=ANIMAL, ru="голуби", examples=("pigeons cooing", "воркуют голуби"),
        words=("pigeon", "dove", "coo", "голуб", "голубь", "ворку", "воркован", "воркует", "воркуют"))
def pigeon(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    def coo() -> np.ndarray:
        f0 = rng.uniform(350, 450) * p.pitch
        out = []
        for level, dur in ((1.0, 0.2), (1.15, 0.4), (0.95, 0.3))[: int(rng.integers(2, 4))]:
            k = int(dur * sr)
            x = dsp.seconds(k, sr)
            tone = np.sin(dsp.phase(f0 * level * np.linspace(1.0, 0.93, k), k, sr))
            out += [tone * (1 + 0.5 * np.sin(dsp.TAU * 30 * x)) * shape(k, 0.3, 0.5), np.zeros(int(0.05 * sr))]
        return dsp.lowpass(np.concatenate(out), 1200, sr)
    return _calls(rng, n, sr, p, 2.0, 1.2, coo)


@source("woodpecker", "a woodpecker drumming: rolls of 10-25 beak strikes at ~18 a second on resonant wood",
        family=ANIMAL, ru="дятел", examples=("a woodpecker pecking", "стучит дятел"),
        words=("woodpecker", "peck", "pecking", "woodpecker drum", "дятел", "дятл", "долб", "долбит", "стуч дятел"))
def woodpecker(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    tree = [f * rng.uniform(0.8, 1.2) for f in (800, 1700, 2900)]

    def roll() -> np.ndarray:
        count = int(rng.integers(10, 26))
        rate = rng.uniform(14, 22) * p.tempo ** 0.3
        out = np.zeros(int((count / rate + 0.1) * sr))
        knock = dsp.modal([f * p.pitch for f in tree], [0.015, 0.008, 0.005], [1, 0.6, 0.3], 0.05, sr, rng)
        for i in range(count):
            # The roll speeds up a little and fades as the bird tires.
            t = i / rate * (1 - 0.1 * i / count)
            dsp.add_at(out, knock, int(t * sr), (1 - 0.5 * i / count) * rng.uniform(0.8, 1.0))
        return out
    return _calls(rng, n, sr, p, 3.0, 1.5, roll)


@source("cuckoo", "a cuckoo: the two-note 'cu-ckoo', a falling major third (~700 to ~560 Hz), repeated",
        family=ANIMAL, ru="кукушка", examples=("a cuckoo in the forest", "кукушка кукует"),
        words=("cuckoo", "кукушк", "куку", "кукует", "кукова", "ку-ку"))
def cuckoo(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    high = rng.uniform(650, 760) * p.pitch

    def call() -> np.ndarray:
        cu = _hoot(rng, sr, high * rng.uniform(0.99, 1.01), 0.16)
        koo = _hoot(rng, sr, high * 0.8 * rng.uniform(0.99, 1.01), rng.uniform(0.28, 0.36))
        return np.concatenate([cu, np.zeros(int(rng.uniform(0.08, 0.14) * sr)), koo])
    return _calls(rng, n, sr, p, 1.0, 0.8, call)


def _buzzers(rng: np.random.Generator, n: int, sr: int, f0s, drift: float, wander_rate: float) -> np.ndarray:
    """Insects on the wing: a pulse-train buzz per insect, its wing rate and loudness wandering as it flies."""
    out = np.zeros(n)
    for f0 in f0s:
        rate = f0 * (1 + drift * dsp.smooth_control(rng, n, sr, wander_rate, -1, 1))
        out += dsp.glottal(rate, sr, 0.0) * dsp.smooth_control(rng, n, sr, wander_rate, 0.2, 1.0)
    return dsp.lowpass(out, 2.5 * float(np.mean(f0s)), sr, order=1) * 4  # the wings' soft, falling spectrum


@source("bees", "a swarm of bees: many wing-beat buzzes around 200-250 Hz, each drifting, swelling as they pass",
        family=ANIMAL, ru="пчёлы", examples=("bees buzzing", "жужжат пчёлы"),
        words=("bee", "bees", "beehive", "hive", "swarm", "bumblebee", "wasp", "hornet", "пчел",
               "улей", "уль", "шмел", "осы", "жужж пчел", "пчел жужж", "рой"))
def bees(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    f0s = rng.uniform(200, 250, p.how_many(int(6 * p.density), 30)) * p.pitch
    out = _buzzers(rng, n, sr, f0s, 0.04, 1.5)
    return dsp.formants(out, (600, 1800, 3500), sr, qs=(1.5, 2, 2)) + 0.3 * out


@source("mosquito", "a mosquito: a thin high whine (~550 Hz wing beat with harmonics) wandering near and far",
        family=ANIMAL, ru="комар", examples=("a mosquito buzzing", "комар пищит"),
        words=("mosquito", "gnat", "комар", "комар пищ", "пищ комар", "комарин", "мошк"))
def mosquito(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    f0s = rng.uniform(450, 650, p.how_many(1, 6)) * p.pitch
    # Close-by flight: pitch wanders with its Doppler, loudness swings as it circles the head.
    return dsp.highpass(_buzzers(rng, n, sr, f0s, 0.06, 0.8), 300, sr)


@source("fly", "a house fly: a ~190 Hz buzz that starts and stops as it lands and takes off",
        family=ANIMAL, ru="муха", examples=("a fly buzzing", "жужжит муха"),
        words=("fly buzz", "housefly", "house fly", "bluebottle", "flies buzz", "мух", "жужж мух",
               "мух жужж"))
def fly(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    span = n / sr
    buzz = _buzzers(rng, n, sr, rng.uniform(170, 210, p.how_many(1, 6)) * p.pitch, 0.08, 2.0)
    gate = np.zeros(n)
    t = rng.uniform(0, 0.3)
    while t < span:  # flights between landings
        k = int(rng.uniform(0.8, 3.0) * sr)
        dsp.add_at(gate, shape(k, 0.05, 0.1), int(t * sr))
        t += k / sr + rng.uniform(0.3, 1.5)
    return dsp.formants(buzz, (800, 2200, 4000), sr, qs=(1.5, 2, 2)) * np.minimum(gate, 1.0)


@source("purring_cat", "a cat purring: noisy throat pulses at ~25 Hz, louder on the out-breath than the in-breath",
        family=ANIMAL, ru="мурлычет кошка", examples=("a cat purring", "мурлычет кошка"),
        words=("purr", "cat purr", "purring cat", "мурлыч", "мурлыка", "мурлыкань", "мурчани", "мурч",
               "мурлыч кошк", "кошк мурлыч", "кот мурлыч", "мурлыч кот", "мурлыкает кошк", "мурлыка кошк", "урчани"))
def purring_cat(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    rate = rng.uniform(22, 30) * p.pitch * (1 + 0.05 * dsp.smooth_control(rng, n, sr, 1.0, -1, 1))
    pulses = dsp.glottal(rate, sr, 0.0)
    throat = dsp.convolve(pulses, dsp.burst(rng, sr, 0.03, 0.008, 60, 900)) + 0.05 * dsp.white(rng, n)
    breath = np.zeros(n)
    t, out_breath = rng.uniform(0, 0.5), True
    while t < n / sr:
        k = int(rng.uniform(0.9, 1.5) / p.tempo * sr)
        dsp.add_at(breath, shape(k, 0.2, 0.2), int(t * sr), 1.0 if out_breath else 0.55)
        t += k / sr + rng.uniform(0.0, 0.1)
        out_breath = not out_breath
    return dsp.lowpass(throat, 1200, sr) * (0.15 + breath)


@source("snake_hiss", "a snake hissing: long steady hisses of bright noise (3-9 kHz) with pauses for breath",
        family=ANIMAL, ru="шипение змеи", examples=("a snake hissing", "шипит змея"),
        words=("snake", "serpent", "viper", "cobra", "snake hiss", "змея", "змеи", "зме", "змей", "гадюк", "кобр",
               "шип", "шипени зме"))
def snake_hiss(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    def hiss() -> np.ndarray:
        k = int(rng.uniform(0.8, 2.0) * sr)
        return dsp.bandpass(dsp.white(rng, k), rng.uniform(2500, 3500), 9000, sr) * shape(k, 0.1, 0.3)
    return _calls(rng, n, sr, p, 2.5, 2.0, hiss)


@source("cat_hiss", "a cat hissing: a sharp breathy hiss with a spitting burst at the start",
        family=ANIMAL, ru="кошка шипит", examples=("a cat hissing", "кошка шипит"),
        words=("cat hiss", "hiss cat", "кошк шип", "шип кошк", "кот шип", "шип кот", "кошк шипит"))
def cat_hiss(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    def hiss() -> np.ndarray:
        k = int(rng.uniform(0.5, 1.0) * sr)
        breath = dsp.bandpass(dsp.white(rng, k), 1500, 8000, sr) * shape(k, 0.03, 0.5)
        spit = dsp.burst(rng, sr, k / sr, 0.02, 800, 9000) * 3
        return breath + spit
    return _calls(rng, n, sr, p, 2.0, 1.2, hiss)


@source("elephant", "an elephant trumpeting: a loud brassy blast (~450 Hz, rich in harmonics) rising and wavering",
        family=ANIMAL, ru="слон", examples=("an elephant trumpeting", "трубит слон"),
        words=("elephant", "elephant trumpet", "trumpet elephant", "слон", "труб слон",
               "слон труб", "трубит слон"))
def elephant(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    def blast() -> np.ndarray:
        dur = rng.uniform(0.8, 1.6)
        k = int(dur * sr)
        f0 = rng.uniform(380, 520) * p.pitch * _glide(k, [0.7, 1.1, 1.05, 1.15, 0.9])
        call = voice(rng, f0, sr, (900, 1900, 3000), breath=0.5, tilt=0.2, rough=0.04)
        return np.tanh(call / (np.std(call) + 1e-9)) * shape(k, 0.08, 0.3)  # overblown trunk: clipped, brassy
    return _calls(rng, n, sr, p, 4.0, 2.0, blast)


@source("monkeys", "monkeys chattering: rapid excited 'oo-oo-aa-aa' calls rising in pitch, several animals",
        family=ANIMAL, ru="обезьяны", examples=("monkeys chattering", "кричат обезьяны"),
        words=("monkey", "monkey chatter", "chimp", "chimpanzee", "ape", "baboon", "обезьян", "мартышк", "шимпанз",
               "крич обезьян", "обезьян крич"))
def monkeys(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    out = np.zeros(n)
    for _ in range(p.how_many(max(1, int(round(2 * p.density))), 6)):
        f0 = rng.uniform(400, 700) * p.pitch

        def chatter(f0: float = f0) -> np.ndarray:
            pieces = []
            count = int(rng.integers(4, 12))
            for i in range(count):
                k = int(rng.uniform(0.07, 0.14) * sr)
                level = 1 + 0.8 * i / count  # excitement builds
                pitch = f0 * level * _glide(k, [0.9, 1.15, 1.0])
                mouth = (500, 1000, 2500) if i % 2 == 0 else (900, 1500, 2800)  # "oo" / "aa"
                pieces += [voice(rng, pitch, sr, mouth, breath=0.6, tilt=0.4, rough=0.05) * shape(k, 0.1, 0.4),
                           np.zeros(int(rng.uniform(0.02, 0.08) * sr))]
            return np.concatenate(pieces)
        out += _calls(rng, n, sr, p, 2.5, 1.5, chatter)
    return out


@source("whale", "whale song: slow moaning tones gliding between ~100 and ~800 Hz, with harmonics and long rests",
        family=ANIMAL, ru="кит", examples=("whale song", "песня кита"),
        words=("whale", "whale song", "humpback", "кит", "песн кит"))
def whale(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    def moan() -> np.ndarray:
        dur = rng.uniform(1.5, 3.5)
        k = int(dur * sr)
        f0 = 10 ** _glide(k, rng.uniform(np.log10(100), np.log10(800), int(rng.integers(3, 6)))) * p.pitch
        ph = dsp.phase(f0, k, sr)
        tone = np.sin(ph) + 0.4 * np.sin(2 * ph) + 0.15 * np.sin(3 * ph)
        return tone * (1 + 0.3 * np.sin(dsp.TAU * rng.uniform(3, 8) * dsp.seconds(k, sr))) * shape(k, 0.3, 0.4)
    return dsp.lowpass(_calls(rng, n, sr, p, 3.5, 3.0, moan), 3000, sr)


@source("dolphin", "dolphins: fast click trains (broadband, 5-15 kHz) and high whistles sweeping 6-14 kHz",
        family=ANIMAL, ru="дельфины", examples=("dolphins clicking", "щёлкают дельфины"),
        words=("dolphin", "porpoise", "дельфин", "дельфин щелка", "щелка дельфин", "dolphin click"))
def dolphin(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    span = n / sr
    out = np.zeros(n)
    clicks = [dsp.burst(rng, sr, 0.003, 0.0005, 5000, 15000) for _ in range(4)]
    t = rng.uniform(0, 0.5)
    while t < span:  # echolocation trains speed up as they close on something
        count = int(rng.integers(10, 60))
        rate = rng.uniform(20, 80) * p.tempo
        times = t + np.cumsum(1 / (rate * np.linspace(1.0, rng.uniform(1.5, 4.0), count)))
        out += dsp.scatter_kernels(rng, n, sr, times[times < span], rng.uniform(0.5, 1.0, count)[times < span],
                                   clicks)
        t = times[-1] + rng.uniform(0.2, 1.5)
    for start in dsp.poisson_times(rng, span, 0.6 * p.density):
        k = int(rng.uniform(0.3, 0.9) * sr)
        f = _glide(k, rng.uniform(6000, 14000, int(rng.integers(2, 5))))
        dsp.add_at(out, np.sin(dsp.phase(f, k, sr)) * shape(k, 0.1, 0.2) * 0.3, int(start * sr))
    return out


@source("bats", "bats: rapid high squeaks (downward chirps 8-14 kHz) in bursts, with wing flutter",
        family=ANIMAL, ru="летучие мыши", examples=("bats squeaking", "летучие мыши"),
        words=("bat squeak", "bat", "летуч мыш", "летуч мыш пищ", "нетопыр"))
def bats(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    span = n / sr
    out = np.zeros(n)
    times = dsp.poisson_times(rng, span, 12 * p.density * p.tempo)
    for t in times:
        k = int(rng.uniform(0.008, 0.02) * sr)
        f = np.linspace(rng.uniform(11000, 14000), rng.uniform(7000, 9000), k) * min(p.pitch, 1.0)
        dsp.add_at(out, np.sin(dsp.phase(f, k, sr)) * dsp.hann(k), int(t * sr), rng.uniform(0.3, 1.0))
    flutter = dsp.bandpass(dsp.white(rng, n), 200, 2000, sr) * (0.5 + 0.5 * np.sin(dsp.TAU * 12 * dsp.seconds(n, sr)))
    return out + 0.05 * flutter * dsp.smooth_control(rng, n, sr, 1.0, 0.0, 1.0)


@source("donkey", "a donkey braying: 'hee-haw', alternating a high wheezy in-breath and a low honking out-breath",
        family=ANIMAL, ru="осёл", examples=("a donkey braying", "кричит осёл"),
        words=("donkey", "bray", "hee-haw", "mule", "осел", "осла", "ишак", "крич осел", "осел крич", "ослик"))
def donkey(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    def bray() -> np.ndarray:
        pieces = []
        for i in range(int(rng.integers(3, 7))):
            k = int(rng.uniform(0.3, 0.45) * sr)
            f0 = (rng.uniform(500, 700) if i % 2 == 0 else rng.uniform(150, 220)) * p.pitch
            mouth = (900, 1800, 3000) if i % 2 == 0 else (500, 1000, 2300)
            pieces.append(voice(rng, f0 * _glide(k, [0.9, 1.1, 0.95]), sr, mouth, breath=0.8, tilt=0.35, rough=0.08)
                          * shape(k, 0.15, 0.3))
        return np.concatenate(pieces)
    return _calls(rng, n, sr, p, 5.0, 3.0, bray)
