"""Human voices and body sounds: talking, whispering, laughter, crying, coughs, singing, breathing, eating.

Voices are a source-filter model: glottal pulses at a moving pitch through formant
resonators (the vowel), with noise for consonants and breath.  Speech is phrases of
syllables at 3-7 a second under a falling intonation contour, with pauses between.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from tag.engines.synth import dsp
from tag.engines.synth.sources.base import HUMAN, Params, source
from tag.engines.synth.sources.people import applause

# Average formants (F1, F2, F3) of an adult male voice for a few vowels: a, e, i, o, u, ae, schwa.
VOWELS = ((730, 1090, 2440), (530, 1840, 2480), (270, 2290, 3010), (570, 840, 2410), (300, 870, 2240),
          (660, 1720, 2410), (500, 1500, 2500))
A, E, I, O, U, AE, SCHWA = range(7)
# Speaker: typical fundamental (Hz) and how much shorter the vocal tract is (formants scale up).
MAN, WOMAN, CHILD, BABY = (115.0, 1.0), (210.0, 1.17), (290.0, 1.3), (420.0, 1.55)


def vowel(index: int, scale: float) -> list[float]:
    return [f * scale for f in VOWELS[index]]


def voice(rng: np.random.Generator, f0: np.ndarray, sr: int, vowel_hz, breath: float = 0.1, tilt: float = 0.7,
          rough: float = 0.0) -> np.ndarray:
    """Glottal pulses at ``f0`` (with a little jitter, or a lot: ``rough``) plus breath, through formants."""
    k = f0.size
    wobble = 1 + (0.01 + rough) * dsp.smooth_control(rng, k, sr, 40.0, -1.0, 1.0)
    src = dsp.glottal(f0 * wobble, sr, tilt) * 12.0
    if breath:
        src = src + breath * dsp.white(rng, k)
    return dsp.formants(src, vowel_hz, sr)


def shape(k: int, attack: float = 0.25, release: float = 0.35) -> np.ndarray:
    """A syllable's loudness: raised-cosine rise, a level middle, a raised-cosine fall (fractions of k)."""
    x = np.linspace(0, 1, k)
    up = 0.5 - 0.5 * np.cos(np.pi * np.clip(x / max(attack, 1e-3), 0, 1))
    down = 0.5 - 0.5 * np.cos(np.pi * np.clip((1 - x) / max(release, 1e-3), 0, 1))
    return up * down


def consonant(rng: np.random.Generator, sr: int, scale: float) -> np.ndarray:
    """A syllable's onset: a fricative hiss, a plosive burst or a nasal murmur."""
    kind = rng.integers(3)
    if kind == 0:  # s, sh, f
        dur = rng.uniform(0.04, 0.09)
        low = rng.choice([1800, 2800, 3800])
        k = int(dur * sr)
        return dsp.bandpass(dsp.white(rng, k), low * scale ** 0.5, min(low * 2.2, 9000), sr) * shape(k, 0.4, 0.3) * 0.25
    if kind == 1:  # p, t, k
        return dsp.burst(rng, sr, 0.03, rng.uniform(0.004, 0.01), 500, 5000) * 0.6
    k = int(rng.uniform(0.04, 0.07) * sr)  # m, n
    return dsp.resonator(dsp.white(rng, k), 260 * scale, 6, sr) * shape(k) * 0.3


def talk(rng: np.random.Generator, out: np.ndarray, sr: int, speaker: tuple[float, float], p: Params,
         start: float, end: float, whisper: bool = False, gain: float = 1.0) -> float:
    """Phrases of syllables from ``start`` until ``end`` seconds; returns when the last phrase ended."""
    base_f0, scale = speaker
    base_f0 *= p.pitch * rng.uniform(0.9, 1.1)
    t = start
    previous = vowel(SCHWA, scale)
    while t < end - 0.1:
        syllables = int(rng.integers(3, 11))
        question = rng.random() < 0.2
        for i in range(syllables):
            x = i / max(syllables - 1, 1)
            stressed = rng.random() < 0.3
            # Declination: pitch drifts down over a phrase; stressed syllables jump up, last ones lengthen,
            # questions rise at the end.
            level = 1.12 - 0.24 * x + (rng.uniform(0.08, 0.22) if stressed else 0.0)
            if question and i == syllables - 1:
                level = 1.3
            dur = rng.uniform(0.09, 0.19) / p.tempo * (1.25 if stressed else 1.0) * (1.3 if i == syllables - 1 else 1.0)
            k = int(dur * sr)
            f0 = base_f0 * level * np.linspace(1.04, 0.96, k)
            target = vowel(int(rng.integers(7)), scale * rng.uniform(0.95, 1.05))
            # Coarticulation: the mouth moves from where the last sound left it to the new vowel.
            onset = [(a + b) / 2 for a, b in zip(previous, target)]
            move = np.minimum(np.linspace(0, 2.5, k), 1.0)
            if whisper:
                src = dsp.white(rng, k) * 0.5
                qs: tuple[float, ...] = (4, 6, 8, 10)
            else:
                wobble = 1 + 0.01 * dsp.smooth_control(rng, k, sr, 40.0, -1.0, 1.0)
                src = dsp.glottal(f0 * wobble, sr, 0.9) * 36.0 + 0.05 * dsp.white(rng, k)  # softer, less buzzy
                qs = (5, 8, 10, 12)
            body = dsp.formants(src, onset, sr, qs) * (1 - move) + dsp.formants(src, target, sr, qs) * move
            previous = target
            body = body * shape(k)
            syl = np.concatenate([consonant(rng, sr, scale), body]) if rng.random() < 0.7 else body
            loud = (1.0 if stressed else rng.uniform(0.65, 0.9)) * (1.0 - 0.25 * x)
            dsp.add_at(out, syl, int(t * sr), gain * loud)
            t += syl.size / sr + (rng.uniform(0.05, 0.12) if rng.random() < 0.25 else rng.uniform(0.01, 0.05)) / p.tempo
        t += rng.uniform(0.3, 1.1) / p.tempo  # a pause between phrases
    return t


def _speaker(rng: np.random.Generator, n: int, sr: int, p: Params, who: tuple[float, float]) -> np.ndarray:
    out = np.zeros(n)
    talk(rng, out, sr, who, p, rng.uniform(0.02, 0.3) * min(1.0, n / sr / 3), n / sr)
    return dsp.lowpass(dsp.highpass(out, 70, sr), 4500, sr)  # a voice's energy falls off above the formants


@source("man_speaking", "a man talking: male voice (~115 Hz) in syllables at 3-7 a second, phrases with pauses",
        family=HUMAN, ru="мужчина говорит", examples=("a man talking", "мужчина говорит"),
        words=("man talk", "man speak", "male voice", "male speech", "man voice", "speech", "talk", "speak", "voice",
               "мужчин говор", "мужск голос", "мужск реч", "говор мужчин", "реч", "голос"))
def man_speaking(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    return _speaker(rng, n, sr, p, MAN)


@source("woman_speaking", "a woman talking: female voice (~210 Hz), shorter vocal tract, phrases with pauses",
        family=HUMAN, ru="женщина говорит", examples=("a woman speaking", "женский голос"),
        words=("woman talk", "woman speak", "female voice", "female speech", "woman voice", "lady talk",
               "женщин говор", "женск голос", "женск реч", "говор женщин"))
def woman_speaking(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    return _speaker(rng, n, sr, p, WOMAN)


@source("child_speaking", "a child talking: high voice (~290 Hz) with high formants, lively phrases",
        family=HUMAN, ru="ребёнок говорит", examples=("a child talking", "ребёнок говорит"),
        words=("child talk", "child speak", "child voice", "kid talk", "kid voice", "boy talk", "girl talk",
               "ребенок говор", "детск голос", "говор ребенок", "ребенк говор", "малыш говор",
               "девочк говор", "мальчик говор"))
def child_speaking(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    return _speaker(rng, n, sr, replace(p, tempo=p.tempo * 1.2), CHILD)  # children speak a little faster


@source("conversation", "a conversation: a man and a woman taking turns, with short gaps and the odd overlap",
        family=HUMAN, ru="разговор", examples=("a conversation", "разговор двух людей"),
        words=("conversation", "dialogue", "dialog", "two people talk", "discussion", "interview",
               "разговор", "бесед", "диалог", "разговор двух люд", "двух люд",
               "man and woman talk", "man and a woman talk", "мужчин и женщин говор", "мужчин с женщин говор"))
def conversation(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    span = n / sr
    out = np.zeros(n)
    speakers = [MAN, WOMAN] if rng.random() < 0.6 else [WOMAN, MAN]
    t, who = rng.uniform(0.02, 0.3) * min(1.0, span / 3), 0
    while t < span - 0.1:
        turn = rng.uniform(1.0, 3.5) / p.tempo
        ended = talk(rng, out, sr, speakers[who], p, t, min(t + turn, span), gain=rng.uniform(0.8, 1.0))
        t = ended - rng.uniform(0.5, 1.0) / p.tempo + rng.uniform(-0.15, 0.35)  # the other answers at once
        who = 1 - who
    return dsp.lowpass(dsp.highpass(out, 70, sr), 4500, sr)


@source("whispering", "whispering: speech syllables of breath noise through formants, no voiced pitch",
        family=HUMAN, ru="шёпот", examples=("whispering", "шёпот"),
        words=("whisper", "шепот", "шепч", "шепчет", "шептани", "шепта"))
def whispering(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    out = np.zeros(n)
    talk(rng, out, sr, MAN, p, rng.uniform(0.02, 0.3) * min(1.0, n / sr / 3), n / sr, whisper=True)
    return dsp.highpass(out, 300, sr)


def _laugh_bout(rng: np.random.Generator, sr: int, speaker: tuple[float, float], p: Params, rate: float) -> np.ndarray:
    """'ha-ha-ha': breathy onsets and voiced vowels at ~5 a second, pitch and loudness falling."""
    f0, scale = speaker
    count = int(rng.integers(4, 10))
    period = 1.0 / (rate * rng.uniform(0.85, 1.15) * p.tempo)
    out = np.zeros(int((count * period * 1.2 + 0.5) * sr))
    top = f0 * p.pitch * rng.uniform(1.5, 1.9)
    vowel_hz = vowel(int(rng.choice([A, AE, E])), scale)
    for i in range(count):
        x = i / count
        dur = period * rng.uniform(0.5, 0.7)
        k = int(dur * sr)
        pitch = top * (1 - 0.35 * x) * rng.uniform(0.93, 1.07) * np.linspace(1.05, 0.92, k)
        h = dsp.formants(dsp.white(rng, k), vowel_hz, sr, qs=(3, 4, 5, 6)) * 0.12 * dsp.decay(k, sr, dur * 0.3)
        syl = (voice(rng, pitch, sr, vowel_hz, breath=0.4, rough=0.02) + h) * shape(k, 0.15, 0.5)
        # A bout slows down as the breath runs out.
        at = i * period * (1 + 0.15 * x) + rng.normal(0, 0.012)
        dsp.add_at(out, syl, int(at * sr), (1 - 0.5 * x) * rng.uniform(0.7, 1.0))
    return out


def _laughing(rng: np.random.Generator, n: int, sr: int, p: Params, speaker, rate: float) -> np.ndarray:
    span = n / sr
    out = np.zeros(n)
    t = rng.uniform(0.05, 0.4)
    while t < span:
        bout = _laugh_bout(rng, sr, speaker, p, rate)
        dsp.add_at(out, bout, int(t * sr), rng.uniform(0.7, 1.0))
        t += bout.size / sr + rng.uniform(0.2, 1.2)
        breath = int(0.35 * sr)  # the gasp before the next bout
        dsp.add_at(out, dsp.bandpass(dsp.white(rng, breath), 800, 3000, sr) * shape(breath) * 0.04,
                   int((t - 0.4) * sr))
    return dsp.highpass(out, 70, sr)


@source("man_laughing", "a man laughing: bouts of 'ha-ha' syllables at ~5 a second, falling pitch, gasps between",
        family=HUMAN, ru="мужской смех", examples=("a man laughing", "мужской смех"),
        words=("laugh", "laughter", "man laugh", "male laugh", "giggl", "chuckl",
               "смех", "смеет", "смеют", "хохот", "мужск смех", "мужчин смеет", "смеет мужчин", "хохоч"))
def man_laughing(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    return _laughing(rng, n, sr, p, MAN, 5.0)


@source("woman_laughing", "a woman laughing: higher, quicker 'ha-ha' bouts with falling pitch",
        family=HUMAN, ru="женский смех", examples=("a woman laughing", "женский смех"),
        words=("woman laugh", "female laugh", "girl laugh", "женск смех", "женщин смеет", "смеет женщин",
               "девушк смеет"))
def woman_laughing(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    return _laughing(rng, n, sr, p, WOMAN, 5.5)


@source("baby_laughing", "a baby laughing: squealing high (~420 Hz) giggles in quick bouts",
        family=HUMAN, ru="смех младенца", examples=("a baby laughing", "смех младенца"),
        words=("baby laugh", "baby giggl", "infant laugh", "смех младенц", "младенец смеет", "малыш смеет",
               "смех малыш", "смех ребенк", "ребенок смеет", "смеет ребенок", "смеет малыш",
               "child laugh", "kid laugh", "девочк смеет", "мальчик смеет", "детск смех"))
def baby_laughing(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    return _laughing(rng, n, sr, p, BABY, 6.0)


@source("baby_crying", "a baby crying: rough 'waah' cries (~450 Hz, rising then falling) with sobbing inhales",
        family=HUMAN, ru="плач младенца", examples=("a baby crying", "плач младенца"),
        words=("baby cry", "baby", "cry", "crying", "infant cry", "wail baby", "sob", "newborn",
               "плач", "плач ребенок", "плач младенц", "младенец плач", "ребенок плач", "плач ребенк", "младенц",
               "младенец", "малыш плач", "рыдани", "рыда"))
def baby_crying(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    span = n / sr
    out = np.zeros(n)
    f0, scale = BABY
    t = rng.uniform(0.05, 0.3)
    while t < span:
        dur = rng.uniform(0.5, 1.4) / p.tempo
        k = int(dur * sr)
        x = np.linspace(0, 1, k)
        top = rng.uniform(0.9, 1.2)
        pitch = f0 * 1.05 * p.pitch * (0.85 + 0.35 * top * np.sin(np.pi * np.minimum(x * 1.3, 1)))
        cry = voice(rng, pitch, sr, vowel(int(rng.choice([A, AE])), scale), breath=0.3, tilt=0.5, rough=0.04)
        dsp.add_at(out, cry * shape(k, 0.1, 0.3), int(t * sr), rng.uniform(0.7, 1.0))
        t += dur + rng.uniform(0.05, 0.15)
        gasp = int(rng.uniform(0.15, 0.3) * sr)  # the sobbing inhale
        inhale = voice(rng, np.full(gasp, f0 * 1.6 * p.pitch), sr, vowel(I, scale), breath=2.0) * 0.15
        dsp.add_at(out, inhale * shape(gasp), int(t * sr))
        t += gasp / sr + rng.uniform(0.05, 0.6)
    return dsp.highpass(out, 120, sr)


def _cough(rng: np.random.Generator, sr: int, p: Params) -> np.ndarray:
    dur = rng.uniform(0.22, 0.35)
    k = int(dur * sr)
    blast = dsp.formants(dsp.white(rng, k), vowel(SCHWA, rng.uniform(0.9, 1.2)), sr, qs=(2, 3, 4, 5))
    rasp = voice(rng, np.full(k, 140 * p.pitch * rng.uniform(0.8, 1.3)), sr, vowel(A, 1.0), breath=0.5, rough=0.1)
    return dsp.lowpass(blast * 0.8 + rasp * 0.5, 3500, sr) * dsp.decay(k, sr, dur * 0.3, attack=0.006)


@source("cough", "coughing: fits of 1-4 explosive noisy bursts with a rough voiced edge",
        family=HUMAN, ru="кашель", examples=("a man coughing", "кашель"),
        words=("cough", "man cough", "кашел", "кашл", "кашля", "покашлива", "закашля"))
def cough(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    span = n / sr
    out = np.zeros(n)
    fits = dsp.spread_times(rng, span, p.one_every(span, 2.5, 20), 1.2)
    for start in fits:
        t = start
        for _ in range(int(rng.integers(1, 5)) if not p.count else 1):
            dsp.add_at(out, _cough(rng, sr, p), int(t * sr), rng.uniform(0.6, 1.0))
            t += rng.uniform(0.28, 0.5)
    return dsp.highpass(out, 80, sr)


@source("sneeze", "a sneeze: one or two rising 'ah' inhales, then an explosive 'choo' of hiss",
        family=HUMAN, ru="чихание", examples=("a sneeze", "чихает"),
        words=("sneez", "sneeze", "achoo", "чих", "чиха", "чихани", "апчхи", "чихнул", "чихн"))
def sneeze(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    span = n / sr
    out = np.zeros(n)
    for start in dsp.spread_times(rng, span, p.one_every(span, 3.5, 10), 1.5):
        t = start
        f0 = rng.uniform(180, 260) * p.pitch
        for _ in range(int(rng.integers(1, 3))):  # "ah... ah..."
            k = int(rng.uniform(0.25, 0.45) * sr)
            pitch = f0 * np.linspace(1.0, 1.5, k)
            dsp.add_at(out, voice(rng, pitch, sr, vowel(A, 1.1), breath=0.8) * shape(k, 0.4, 0.2) * 0.35, int(t * sr))
            t += k / sr + rng.uniform(0.05, 0.2)
        k = int(rng.uniform(0.3, 0.45) * sr)  # "CHOO"
        hiss = dsp.bandpass(dsp.white(rng, k), 1800, 7000, sr) * dsp.decay(k, sr, 0.09, attack=0.004)
        thump = dsp.burst(rng, sr, k / sr, 0.03, 150, 3000)
        vowel_oo = voice(rng, np.full(k, f0 * 1.3), sr, vowel(U, 1.1), breath=0.5) * dsp.decay(k, sr, 0.08) * 0.4
        dsp.add_at(out, hiss + thump + vowel_oo, int(t * sr), 1.3)
    return dsp.highpass(out, 80, sr)


@source("snoring", "snoring: a rattling low inhale (soft-palate flutter at 25-45 Hz), a soft breathy exhale",
        family=HUMAN, ru="храп", examples=("someone snoring", "храп"),
        words=("snor", "snore", "храп", "храпит", "храпени", "храпя"))
def snoring(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    span = n / sr
    out = np.zeros(n)
    t = rng.uniform(0.0, 1.0) * min(1.0, span / 4)
    while t < span:
        inhale = rng.uniform(1.0, 1.8) / p.tempo
        k = int(inhale * sr)
        flutter = rng.uniform(25, 45) * p.pitch * (1 + 0.15 * dsp.smooth_control(rng, k, sr, 3.0, -1, 1))
        rattle = dsp.formants(dsp.glottal(flutter, sr, 0.0) * 20 + 0.3 * dsp.white(rng, k),
                              (rng.uniform(250, 450), rng.uniform(900, 1300), 2500), sr, qs=(3, 4, 5))
        dsp.add_at(out, dsp.lowpass(rattle, 1200, sr) * shape(k, 0.4, 0.3), int(t * sr), rng.uniform(0.6, 1.0))
        t += inhale + rng.uniform(0.1, 0.4)
        exhale = rng.uniform(1.0, 1.8) / p.tempo
        k = int(exhale * sr)
        breath = dsp.bandpass(dsp.white(rng, k), 300, 1500, sr) * shape(k, 0.2, 0.6) * 0.06
        dsp.add_at(out, breath, int(t * sr))
        t += exhale + rng.uniform(0.4, 1.5) / p.tempo
    return out


@source("scream", "a scream: long, high (~1 kHz), rough and wavering 'aaah' with a sudden onset",
        family=HUMAN, ru="крик", examples=("a woman screaming", "крик"),
        words=("scream", "shriek", "woman scream", "screech", "крик", "крич", "вопл", "вопит", "визг",
               "визжит", "вопль", "вскрик"))
def scream(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    span = n / sr
    out = np.zeros(n)
    for start in dsp.spread_times(rng, span, p.one_every(span, 3, 10), 1.8):
        dur = min(rng.uniform(0.9, 2.0), max(span - start, 0.2))
        k = int(dur * sr)
        x = np.linspace(0, 1, k)
        f0 = rng.uniform(800, 1200) * p.pitch * (0.85 + 0.15 * np.minimum(x * 8, 1) - 0.12 * x ** 2)
        f0 = f0 * (1 + 0.03 * np.sin(dsp.TAU * rng.uniform(6, 9) * x * dur))
        yell = voice(rng, f0, sr, vowel(A, 1.25), breath=0.5, tilt=0.4, rough=0.03)
        dsp.add_at(out, yell * shape(k, 0.04, 0.25), int(start * sr), rng.uniform(0.8, 1.0))
    return dsp.highpass(out, 200, sr)


@source("shout", "a man shouting: short loud calls ('hey!') with raised pitch, bright harmonics, falling ends",
        family=HUMAN, ru="возглас", examples=("a man shouting", "мужчина кричит"),
        words=("shout", "yell", "holler", "man shout", "man yell", "возглас", "окрик", "выкрик", "орет", "ор",
               "мужчин крич", "крич мужчин"))
def shout(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    span = n / sr
    out = np.zeros(n)
    t = rng.uniform(0.05, 0.4)
    while t < span:
        for _ in range(int(rng.integers(1, 3))):
            dur = rng.uniform(0.3, 0.7)
            k = int(dur * sr)
            x = np.linspace(0, 1, k)
            f0 = rng.uniform(230, 330) * p.pitch * (1.05 - 0.3 * x ** 2)
            call = voice(rng, f0, sr, vowel(int(rng.choice([A, E, O, AE])), 1.0), breath=0.2, tilt=0.45, rough=0.02)
            dsp.add_at(out, call * shape(k, 0.08, 0.4), int(t * sr), rng.uniform(0.7, 1.0))
            t += dur + rng.uniform(0.1, 0.3)
        t += rng.uniform(0.8, 2.5) / p.tempo
    return dsp.highpass(out, 100, sr)


def melody(rng: np.random.Generator, n: int, sr: int, root: float, p: Params, beat: float = 0.4,
           legato: float = 0.9) -> tuple[np.ndarray, np.ndarray, list[int]]:
    """A random tune: phrases of notes from a major pentatonic scale, with rests between phrases.

    Returns the pitch (Hz per sample, gliding between notes), the loudness and each note's start sample.
    """
    steps = np.array([0, 2, 4, 7, 9])
    pitch, env = np.zeros(n), np.zeros(n)
    starts: list[int] = []
    beat = beat / p.tempo * rng.uniform(0.85, 1.15)
    t, degree = rng.uniform(0.05, 0.3), int(rng.integers(0, 6))
    while t < n / sr:
        for _ in range(int(rng.integers(4, 10))):
            degree = int(np.clip(degree + rng.choice([-2, -1, -1, 0, 1, 1, 2, 3]), -3, 9))
            semis = steps[degree % 5] + 12 * (degree // 5)
            dur = beat * rng.choice([0.5, 1, 1, 1, 1.5, 2])
            a = int(t * sr)
            if a >= n:
                break
            pitch[a:] = root * 2 ** (semis / 12)
            dsp.add_at(env, shape(int(dur * legato * sr), 0.12, 0.3), a)
            starts.append(a)
            t += dur
        t += rng.uniform(0.4, 1.2) * beat * 2
    pitch[pitch == 0] = root
    pitch[: starts[0] if starts else 0] = pitch[starts[0]] if starts else root
    glide = dsp.lowpass(pitch, 18, sr)  # portamento between notes
    vibrato = 1 + 0.012 * np.sin(dsp.TAU * rng.uniform(5, 6.5) * dsp.seconds(n, sr)) * dsp.smooth_control(
        rng, n, sr, 1.0, 0.2, 1.0
    )
    return np.maximum(glide * vibrato, 20.0), np.minimum(env, 1.0), starts


@source("whistling", "a person whistling a tune: a pure tone (1-2.5 kHz) in pentatonic phrases, glides, breath",
        family=HUMAN, ru="свист", examples=("a man whistling", "человек насвистывает"),
        words=("whistling", "man whistle", "whistle tune", "whistle melody", "whistl tune", "someone whistle",
               "свист", "насвист", "насвистыва", "насвистыв", "свистит", "свищ"))
def whistling(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    pitch, env, _ = melody(rng, n, sr, rng.uniform(900, 1400) * p.pitch, p, beat=0.3)
    ph = dsp.phase(pitch, n, sr)
    tone = np.sin(ph) + 0.05 * np.sin(2 * ph)
    air = dsp.bandpass(dsp.white(rng, n), 1000, 5000, sr) * 0.02
    return (tone + air) * env


@source("humming", "humming: a closed-mouth 'mmm' (nasal formant, dark) on a wandering tune",
        family=HUMAN, ru="напевание", examples=("a man humming", "напевает"),
        words=("humming", "man hum", "hum tune", "hum melody", "напев", "напева", "напевани", "мурлыча песн"))
def humming(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    pitch, env, _ = melody(rng, n, sr, rng.uniform(110, 165) * p.pitch, p, beat=0.45, legato=1.0)
    hum = voice(rng, pitch, sr, (250, 1800, 2700), breath=0.02, tilt=0.85)
    return dsp.lowpass(hum, 1500, sr) * env


@source("singing", "a singing voice: vowels on a melody with vibrato, each note its own vowel",
        family=HUMAN, ru="пение", examples=("a woman singing", "поёт певица"),
        words=("singing", "singer", "sing voice", "vocal", "woman sing", "man sing", "sing song", "choir",
               "певец", "певц", "певиц", "вокал", "поет певиц", "хор"))
def singing(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    f0, scale = WOMAN if rng.random() < 0.6 else MAN
    pitch, env, starts = melody(rng, n, sr, f0 * 1.1 * p.pitch, p, beat=0.5, legato=1.0)
    choices = rng.choice([A, O, E, U], size=3, replace=False)
    weights = np.zeros((3, n))
    bounds = starts + [n]
    for j, a in enumerate(starts):
        weights[rng.integers(3), a:bounds[j + 1]] = 1.0
    weights[0, : starts[0] if starts else n] = 1.0
    src = dsp.glottal(pitch, sr, 0.6) * 12.0 + 0.03 * dsp.white(rng, n)
    out = np.zeros(n)
    for w, v in zip(weights, choices):
        out += dsp.formants(src, vowel(int(v), scale), sr, qs=(7, 10, 12, 14)) * dsp.lowpass(w, 20, sr)
    return dsp.highpass(out, 80, sr) * env


def _breath(rng: np.random.Generator, sr: int, dur: float, low: float, high: float, peak: float) -> np.ndarray:
    k = int(dur * sr)
    noise = dsp.bandpass(dsp.white(rng, k), low, high, sr)
    noise = noise + 0.6 * dsp.resonator(dsp.white(rng, k), rng.uniform(0.8, 1.2) * (low + high) / 2, 4, sr)
    return noise * shape(k, peak, 1 - peak)


@source("breathing", "breathing: slow inhale-exhale cycles of shaped breath noise, each a little different",
        family=HUMAN, ru="дыхание", examples=("heavy breathing", "дыхание"),
        words=("breath", "breathe", "breathing", "pant", "дыхани", "дыш", "дышит", "вдох выдох"))
def breathing(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    span = n / sr
    out = np.zeros(n)
    t = rng.uniform(0.0, 0.6) * min(1.0, span / 4)
    pace = p.tempo * (0.8 + 0.4 * p.density) / 1.0
    while t < span:
        inhale = rng.uniform(0.9, 1.5) / pace
        dsp.add_at(out, _breath(rng, sr, inhale, 900, 3500, 0.6), int(t * sr), rng.uniform(0.5, 0.8))
        t += inhale + rng.uniform(0.05, 0.3)
        exhale = rng.uniform(1.1, 2.0) / pace
        dsp.add_at(out, _breath(rng, sr, exhale, 400, 1800, 0.2), int(t * sr), rng.uniform(0.7, 1.0))
        t += exhale + rng.uniform(0.3, 1.2) / pace
    return out


@source("sigh", "a sigh: a quick inhale, then a long breathy exhale on a falling voiced 'haah'",
        family=HUMAN, ru="вздох", examples=("a sigh", "вздох"),
        words=("sigh", "вздох", "вздыха", "вздохнул", "вздохн"))
def sigh(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    span = n / sr
    out = np.zeros(n)
    for start in dsp.spread_times(rng, span, p.one_every(span, 3.5, 10), 2.0):
        dsp.add_at(out, _breath(rng, sr, rng.uniform(0.4, 0.7), 900, 3500, 0.7) * 0.5, int(start * sr))
        t = start + rng.uniform(0.6, 0.9)
        k = int(rng.uniform(1.0, 1.6) * sr)
        f0 = rng.uniform(150, 230) * p.pitch * np.linspace(1.0, 0.65, k)
        exhale = voice(rng, f0, sr, vowel(int(rng.choice([A, SCHWA])), 1.05), breath=6.0, tilt=0.85)
        dsp.add_at(out, exhale * shape(k, 0.15, 0.7), int(t * sr))
    return dsp.highpass(out, 100, sr)


@source("gasp", "a gasp: a sudden sharp inhale with a brief voiced squeak of surprise",
        family=HUMAN, ru="резкий вдох", examples=("a gasp", "вдох"),
        words=("gasp", "gasping", "вдох", "ахнул", "ахнула", "ахн", "ахань"))
def gasp(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    span = n / sr
    out = np.zeros(n)
    for start in dsp.spread_times(rng, span, p.one_every(span, 2.5, 12), 1.0):
        k = int(rng.uniform(0.2, 0.4) * sr)
        air = _breath(rng, sr, k / sr, 1200, 5000, 0.08)
        squeak = voice(rng, np.full(k, rng.uniform(300, 500) * p.pitch), sr, vowel(A, 1.2), breath=1.0)
        dsp.add_at(out, air + 0.4 * squeak * dsp.decay(k, sr, 0.06, attack=0.01), int(start * sr))
    return dsp.highpass(out, 150, sr)


@source("yawn", "a yawn: a long inhale into a voiced 'aaah' whose pitch rises then sinks as the jaw opens and closes",
        family=HUMAN, ru="зевок", examples=("a yawn", "зевает"),
        words=("yawn", "зевок", "зевк", "зева", "зевает", "зевн", "зевот"))
def yawn(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    span = n / sr
    out = np.zeros(n)
    for start in dsp.spread_times(rng, span, p.one_every(span, 5, 6), 3.0):
        dur = min(rng.uniform(1.8, 3.0), max(span - start, 0.3))
        k = int(dur * sr)
        x = np.linspace(0, 1, k)
        f0 = rng.uniform(130, 180) * p.pitch * (0.8 + 0.6 * np.sin(np.pi * np.minimum(x * 1.6, 1)) - 0.25 * x)
        src = dsp.glottal(f0, sr, 0.75) * 12.0 + 0.2 * dsp.white(rng, k)
        open_jaw = np.sin(np.pi * x) ** 2  # 'uh' -> 'aah' -> 'oh'
        sound = dsp.formants(src, vowel(A, 1.05), sr) * open_jaw
        sound += dsp.formants(src, vowel(O, 1.05), sr) * (1 - open_jaw)
        dsp.add_at(out, sound * shape(k, 0.3, 0.4), int(start * sr))
    return dsp.highpass(out, 80, sr)


@source("chewing", "chewing: crunchy grains and wet squelches at the jaw's 1.3-2 bites a second, with pauses",
        family=HUMAN, ru="жевание", examples=("someone chewing", "жевание"),
        words=("chew", "eat", "eating", "munch", "crunch", "жева", "жевани", "жует", "жуют", "чавка", "чавкань",
               "хруст", "поедани"))
def chewing(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    span = n / sr
    out = np.zeros(n)
    t = rng.uniform(0.05, 0.3)
    crunchy = min(1.0, 0.5 * p.density)
    while t < span:
        rate = rng.uniform(1.3, 2.0) * p.tempo
        for _ in range(int(rng.integers(4, 12))):
            k = int(rng.uniform(0.1, 0.2) * sr)
            count = int(rng.integers(10, 40))
            grains = dsp.impulses(rng.uniform(0, k / sr * 0.7, count), rng.lognormal(0, 0.6, count), k, sr)
            crunch = dsp.bandpass(dsp.convolve(grains, dsp.hann(12)), 1000, 6000, sr) * crunchy
            squelch = dsp.bandpass(dsp.white(rng, k), 300, 1500, sr) * shape(k, 0.3, 0.5) * 0.15
            dsp.add_at(out, crunch + squelch, int(t * sr), rng.uniform(0.5, 1.0))
            t += (1 / rate) * rng.uniform(0.8, 1.2)
        t += rng.uniform(0.5, 2.0)  # a swallow, a pause
    return dsp.lowpass(out, 5000, sr)


def _gulp(rng: np.random.Generator, sr: int, p: Params) -> np.ndarray:
    dur = rng.uniform(0.12, 0.2)
    k = int(dur * sr)
    glug = dsp.bubble(sr, rng.uniform(180, 320) * p.pitch, dur, rise=1.2, tau_frac=0.35)
    thump = dsp.modal([rng.uniform(90, 140)], [0.04], [0.6], dur, sr, rng)
    click = dsp.burst(rng, sr, 0.02, 0.003, 800, 4000) * 0.3
    return dsp.overlay(glug + thump[:k], click)


@source("gulping", "drinking: series of swallowed gulps (a rising throat 'glk' and a thump), breaths between",
        family=HUMAN, ru="глотки", examples=("someone drinking water", "пьёт воду"),
        words=("gulp", "drink", "drinking", "swallow", "sip", "глот", "глотк", "глота", "глотани", "пьет", "пьют",
               "питье"))
def gulping(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    span = n / sr
    out = np.zeros(n)
    t = rng.uniform(0.05, 0.4)
    while t < span:
        for _ in range(int(rng.integers(2, 7))):
            dsp.add_at(out, _gulp(rng, sr, p), int(t * sr), rng.uniform(0.6, 1.0))
            t += rng.uniform(0.45, 0.8) / p.tempo
        t += rng.uniform(0.8, 2.0)
        dsp.add_at(out, _breath(rng, sr, 0.6, 500, 2500, 0.3) * 0.15, int((t - 0.7) * sr))
    return out


@source("hiccup", "hiccups: abrupt short voiced 'hic' clicks at irregular intervals of one to four seconds",
        family=HUMAN, ru="икота", examples=("hiccups", "икота"),
        words=("hiccup", "hiccough", "hic", "икот", "икает", "икани", "ика"))
def hiccup(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    span = n / sr
    out = np.zeros(n)
    t = rng.uniform(0.05, 0.6) * min(1.0, span / 3)
    f0 = rng.uniform(250, 400) * p.pitch
    while t < span:
        k = int(rng.uniform(0.07, 0.12) * sr)
        hic = voice(rng, np.full(k, f0 * rng.uniform(0.9, 1.1)), sr, vowel(I, 1.1), breath=0.8)
        click = dsp.burst(rng, sr, k / sr, 0.01, 300, 4000)
        dsp.add_at(out, (hic + click) * dsp.decay(k, sr, 0.035, attack=0.002), int(t * sr), rng.uniform(0.7, 1.0))
        t += rng.uniform(1.0, 3.5) / p.tempo
    return dsp.highpass(out, 150, sr)


@source("hand_clap", "one person clapping: hand claps at 2-3.5 a second with a steady hand timbre and drifting pace",
        family=HUMAN, ru="хлопки в ладоши", examples=("hand claps", "хлопки в ладоши"),
        words=("clap hand", "hand clap", "handclap", "person clap", "man clap", "single clap", "хлопк", "хлопок",
               "хлопа в ладош", "хлопк в ладош", "ладош"))
def hand_clap(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    span = n / sr
    cavity = rng.uniform(900, 1600)  # how the palms are cupped: one hand, one colour
    kernels = [dsp.resonator(dsp.burst(rng, sr, 0.05, rng.uniform(0.004, 0.008), 500, 6000), cavity * s, 3, sr)
               + 0.5 * dsp.burst(rng, sr, 0.05, 0.004, 1500, 8000) for s in (0.95, 1.0, 1.05)]
    if p.count:
        times = dsp.spread_times(rng, span, p.count, 0.3) if p.count > 1 else np.array([0.1])
    else:
        rate = p.rate(rng.uniform(120, 200))
        wander = dsp.smooth_control(rng, int(span * 100) + 1, 100, 0.5, 0.85, 1.15)
        times = np.cumsum(1 / (rate * wander[:: max(1, int(100 / rate))][: int(span * rate * 1.3) + 1]))
        times = times[times < span] + rng.normal(0, 0.008, times[times < span].size)
    amps = rng.uniform(0.7, 1.0, times.size)
    return dsp.scatter_kernels(rng, n, sr, np.clip(times, 0, None), amps, kernels)


@source("cheering_crowd", "a cheering crowd: 'woo' and 'yeah' calls over murmur and applause, swelling",
        family=HUMAN, ru="ликующая толпа", examples=("a cheering crowd", "ликование толпы"),
        words=("cheer", "cheer crowd", "crowd cheer", "hooray", "ликовани", "ликующ",
               "ура", "ликовани толп", "ликующ толп", "болельщик", "ликует толп", "толп ликует"))
def cheering_crowd(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    span = n / sr
    # Under the cheers the murmur is only a texture: syllable-rate swells of voice-band noise.
    murmur = dsp.bandpass(dsp.coloured_noise(rng, n, sr, 1.0), 200, 2500, sr)
    murmur *= dsp.smooth_control(rng, n, sr, 8.0, 0.3, 1.0)
    base = murmur * 0.1 + applause(rng, n, sr, Params(density=1.5 * p.density)) * 0.25
    cheers = np.zeros(n)
    for start in dsp.poisson_times(rng, span, 2.5 * p.density):
        dur = rng.uniform(0.4, 1.2)
        k = int(dur * sr)
        x = np.linspace(0, 1, k)
        f0, scale = (MAN if rng.random() < 0.5 else WOMAN)
        pitch = f0 * rng.uniform(1.6, 2.4) * p.pitch * (1 + 0.3 * np.sin(np.pi * x) * rng.uniform(-0.3, 1))
        call = voice(rng, pitch, sr, vowel(int(rng.choice([E, U, O, A])), scale), breath=0.3, tilt=0.5)
        dsp.add_at(cheers, call * shape(k, 0.1, 0.5), int(start * sr), rng.uniform(0.2, 1.0))
    swell = 0.6 + 0.4 * dsp.smooth_control(rng, n, sr, 0.4, 0.0, 1.0)
    cheers = cheers / (np.std(cheers) + 1e-9) * np.std(base) * 1.2
    return (base + cheers) * swell


@source("playground", "a children's playground: several children's voices, shrieks and laughter around",
        family=HUMAN, ru="детская площадка", examples=("children on a playground", "детская площадка"),
        words=("playground", "children play", "kids play", "children laugh", "kids laugh", "schoolyard", "children",
               "kids", "детск площадк", "дети игра", "дет", "детвор", "площадк"))
def playground(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    span = n / sr
    out = np.zeros(n)
    for _ in range(p.how_many(max(2, int(4 * p.density)), 10)):
        t = rng.uniform(0, span * 0.6)
        while t < span:
            end = min(span, t + rng.uniform(1.0, 3.0))
            t = talk(rng, out, sr, (CHILD[0] * rng.uniform(0.9, 1.3), CHILD[1]), p, t, end,
                     gain=rng.uniform(0.2, 0.7)) + rng.uniform(0.5, 3.0)
    for start in dsp.poisson_times(rng, span, 0.5 * p.density):  # shrieks of play
        k = int(rng.uniform(0.3, 0.8) * sr)
        x = np.linspace(0, 1, k)
        f0 = rng.uniform(700, 1100) * p.pitch * (1 + 0.2 * np.sin(np.pi * x))
        dsp.add_at(out, voice(rng, f0, sr, vowel(A, 1.5), breath=0.3, tilt=0.4) * shape(k, 0.1, 0.4),
                   int(start * sr), rng.uniform(0.3, 0.8))
    for start in dsp.poisson_times(rng, span, 0.15 * p.density):
        dsp.add_at(out, _laugh_bout(rng, sr, CHILD, p, 6.0), int(start * sr), 0.5)
    return dsp.highpass(out, 120, sr)
