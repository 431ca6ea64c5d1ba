"""Interface and game sounds: clicks, dings, chimes, buzzers, 8-bit effects; modem, radio, Morse, robot voice."""

from __future__ import annotations

import numpy as np

from tag.engines.synth import dsp
from tag.engines.synth.sources import instruments as inst
from tag.engines.synth.sources import music
from tag.engines.synth.sources.base import AMBIGUOUS, THINGS, Params, source
from tag.engines.synth.sources.signals import gate, sines


def _repeat(rng: np.random.Generator, n: int, sr: int, p: Params, grain: np.ndarray, every: float) -> np.ndarray:
    """The grain as often as asked: ``count`` times, else one per ``every`` seconds (once in a short clip)."""
    span = n / sr
    length = grain.size / sr
    count = p.count or max(1, int(span / every * p.tempo))
    count = min(count, max(1, int(span / max(length * 0.5, 0.02))))
    starts = dsp.spread_times(rng, span, count, length) if count > 1 else [min(0.05, span * 0.1)]
    out = np.zeros(n)
    for s in starts:
        dsp.add_at(out, grain, int(s * sr), rng.uniform(0.9, 1.0))
    return out


def _notes(freqs_and_lengths, voice, sr: int, rng: np.random.Generator, overlap: float = 0.0) -> np.ndarray:
    """Notes one after another (``overlap`` s of each ring under the next)."""
    starts = np.concatenate([[0.0], np.cumsum([d for _, d in freqs_and_lengths])[:-1]])
    grains = [voice(f, d + overlap, sr, rng) for f, d in freqs_and_lengths]
    out = np.zeros(int((starts[-1] + freqs_and_lengths[-1][1] + overlap) * sr) + max(g.size for g in grains))
    for s, g in zip(starts, grains):
        dsp.add_at(out, g, int(s * sr))
    return out


def _pulse(f: float, d: float, sr: int, rng: np.random.Generator) -> np.ndarray:
    return inst.square(f, d, sr, rng, 0.25)


def _bell(f: float, d: float, sr: int, rng: np.random.Generator) -> np.ndarray:
    """A soft electronic bell: a sine with faint harmonics and a clean exponential ring."""
    t = inst.note_time(d + 0.5, sr)
    x = inst.partials([f, 2 * f, 3 * f], [1.0, 0.25, 0.08], [0.35, 0.15, 0.08], t, sr)
    x[: int(0.002 * sr)] *= np.linspace(0, 1, int(0.002 * sr), dtype=np.float32)
    return x.astype(float)


def _sweep(f0: float, f1: float, dur: float, sr: int, wave: str = "sine") -> np.ndarray:
    """A tone gliding exponentially from f0 to f1."""
    k = max(8, int(dur * sr))
    f = f0 * (f1 / f0) ** (np.arange(k) / k)
    ph = dsp.phase(f, k, sr)
    return np.sin(ph) if wave == "sine" else np.where(np.sin(ph) > 0.7, 1.0, -0.4)  # a 25 % pulse


@source("click", "a mouse or button click: a 3 ms bright tick with a tiny plastic ring", room=False, family=AMBIGUOUS,
        ru="щелчок", examples=("a mouse click", "щелчок мыши"),
        words=("click", "mouse click", "button click", "button press", "клик", "щелчок", "щелчк", "щелка", "кнопк",
               "нажати кнопк", "клик мыш", "щелчок мыш"))
def click(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    tick = dsp.burst(rng, sr, 0.004, 0.0007, 2000, 9000)
    ring = dsp.modal([3300 * p.pitch, 5100 * p.pitch], [0.003, 0.002], [0.5, 0.3], 0.015, sr, rng)
    return _repeat(rng, n, sr, p, dsp.overlay(tick, ring), 1.5)


@source("notification", "a notification ding: two soft bell tones a fifth apart", room=False, family=AMBIGUOUS,
        ru="уведомление", examples=("a notification sound", "звук уведомления"),
        words=("notification", "ding", "alert tone", "notify", "уведомлен", "оповещени", "динь"))
def notification(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    f = 880.0 * p.pitch
    return _repeat(rng, n, sr, p, _notes([(f, 0.11), (f * 1.5, 0.4)], _bell, sr, rng, overlap=0.2), 3.0)


@source("message_pop", "a message pop: a short sine bloop gliding up, with a soft click", room=False, family=AMBIGUOUS,
        ru="сообщение", examples=("a message pop", "звук нового сообщения"),
        words=("message", "pop", "message pop", "new message", "bloop", "сообщени", "нов сообщени", "чпок", "поп"))
def message_pop(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    k = int(0.07 * sr)
    bloop = _sweep(320 * p.pitch, 1000 * p.pitch, 0.07, sr) * dsp.decay(k, sr, 0.03, attack=0.002)
    return _repeat(rng, n, sr, p, bloop, 2.5)


@source("success", "a success chime: a bright major arpeggio on bell tones", room=False, family=AMBIGUOUS,
        ru="успех", examples=("a success chime", "звук успеха"),
        words=("success", "success chime", "achievement", "correct answer", "win chime", "успех", "успешн",
               "правильн ответ", "достижени"))
def success(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    f = 1046.5 * p.pitch  # C6, E6, G6, C7
    return _repeat(rng, n, sr, p, _notes([(f, 0.08), (f * 1.26, 0.08), (f * 1.498, 0.08), (f * 2, 0.6)],
                                         _bell, sr, rng, overlap=0.3), 3.0)


@source("error_buzz", "an error buzzer: two low, rough, clipped sawtooth buzzes", room=False, family=AMBIGUOUS,
        ru="ошибка", examples=("an error buzz", "звук ошибки"),
        words=("error", "error buzz", "buzzer", "wrong answer", "error sound", "ошибк", "неправильн ответ", "зуммер"))
def error_buzz(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    k = int(0.28 * sr)
    t = dsp.seconds(k, sr)
    f = 98.0 * p.pitch
    # Two sawtooths a semitone-ish apart beat roughly; clipping adds the harsh upper partials.
    raw = (2 * ((f * t) % 1) - 1) + (2 * ((f * 1.06 * t) % 1) - 1)
    buzz = np.tanh(2.5 * raw) * np.minimum(1, np.minimum(t, t[::-1]) / 0.005)
    grain = np.concatenate([buzz, np.zeros(int(0.07 * sr)), buzz])
    return _repeat(rng, n, sr, p, grain, 3.0)


@source("power_up", "a power-up: a fast pulse-wave arpeggio rising two octaves", room=False, family=AMBIGUOUS,
        ru="усиление", examples=("a power-up sound", "звук пауэр-апа"),
        words=("power-up", "powerup", "power up", "chiptune power-up", "усилени", "пауэрап", "пауэр-ап"))
def power_up(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    base = 262.0 * p.pitch
    steps = [base * 2 ** ((12 * o + s) / 12) for o in range(3) for s in (0, 4, 7)][:8] + [base * 4]
    return _repeat(rng, n, sr, p, _notes([(f, 0.045) for f in steps], _pulse, sr, rng), 2.5)


@source("game_over", "a game-over tune: a slow falling line ending on a long low note", room=False, family=AMBIGUOUS,
        ru="конец игры", examples=("a game over sound", "звук проигрыша"),
        words=("game over", "gameover", "chiptune game over", "you lose", "losing", "проигрыш", "конец игр",
               "гейм-овер"))
def game_over(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    top = 523.25 * p.pitch  # C5 down a minor line to a low C
    line = [(top * 2 ** (-s / 12), 0.22) for s in (0, 3, 7, 10)] + [(top / 2, 0.7)]
    return _repeat(rng, n, sr, p, _notes(line, inst.triangle, sr, rng), 5.0)


@source("jump", "an 8-bit jump: a pulse wave sweeping up quickly", room=False, family=AMBIGUOUS, ru="прыжок",
        examples=("a jump sound effect", "звук прыжка"),
        words=("jump", "hop", "chiptune jump", "прыжок", "прыжк", "прыг", "чиптюн прыжок"))
def jump(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    k = int(0.16 * sr)
    boing = _sweep(190 * p.pitch, 760 * p.pitch, 0.16, sr, "pulse") * dsp.decay(k, sr, 0.12, attack=0.002)
    return _repeat(rng, n, sr, p, boing, 1.0)


@source("retro_explosion", "an 8-bit explosion: held noise samples at a falling rate, crushed to few levels",
        room=False, family=AMBIGUOUS, ru="взрыв из ретро-игры", examples=("an 8-bit explosion", "8-битный взрыв"),
        words=("chiptune explosion", "retro explosion", "arcade explosion", "pixel explosion", "game explosion",
               "чиптюн взрыв", "взрыв в игр", "пиксельн взрыв"))
def retro_explosion(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    k = int(0.9 * sr)
    t = dsp.seconds(k, sr)
    rate = 6000 * p.pitch * np.exp(-t / 0.35) + 300  # the noise generator's clock slows: the boom deepens
    held = rng.choice([-1.0, 1.0], int(np.sum(rate) / sr) + 2)[np.floor(np.cumsum(rate) / sr).astype(int)]
    env = np.round(dsp.decay(k, sr, 0.3, attack=0.001) * 15) / 15  # a 4-bit volume register
    return _repeat(rng, n, sr, p, held * env, 3.0)


@source("level_up", "a level-up jingle: a quick major scale run and a held triad", room=False, family=AMBIGUOUS,
        ru="новый уровень", examples=("a level up sound", "звук нового уровня"),
        words=("level up", "level-up", "levelup", "chiptune level up", "нов уровен", "нов уровн", "уровен", "уровн"))
def level_up(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    base = 392.0 * p.pitch  # G4 major
    run = [(base * 2 ** (s / 12), 0.06) for s in (0, 2, 4, 5, 7, 9, 11, 12)]
    tail = sum(inst.square(base * 2 ** (s / 12), 0.45, sr, rng, 0.5) for s in (12, 16, 19)) / 3
    return _repeat(rng, n, sr, p, np.concatenate([_notes(run, _pulse, sr, rng)[: int(0.48 * sr)], tail]), 4.0)


@source("menu_select", "menu navigation: short soft blips as a cursor moves, a double blip to select", room=False,
        family=AMBIGUOUS, ru="выбор в меню", examples=("a menu select sound", "выбор в меню"),
        words=("menu", "menu select", "select", "selection", "cursor", "меню", "выбор", "курсор",
               "выбор в мен"))
def menu_select(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    blip = inst.triangle(1320 * p.pitch, 0.035, sr, rng) * 0.6
    confirm = _notes([(990 * p.pitch, 0.05), (1480 * p.pitch, 0.09)], inst.triangle, sr, rng)
    span, out = n / sr, np.zeros(n)
    t = 0.05
    while t < span:  # a few moves of the cursor, then a choice
        for _ in range(int(rng.integers(2, 5))):
            dsp.add_at(out, blip, int(t * sr))
            t += rng.uniform(0.25, 0.45) / p.tempo
        dsp.add_at(out, confirm, int(t * sr))
        t += rng.uniform(1.0, 1.6) / p.tempo
    return out


@source("countdown", "a countdown: short beeps a second apart, then a long higher one", room=False, family=AMBIGUOUS,
        ru="обратный отсчёт", examples=("a countdown", "обратный отсчёт"),
        words=("countdown", "count down", "обратн отсчет", "отсчет"))
def countdown(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    span = n / sr
    gap = 1.0 / p.rate(60)
    beeps = p.how_many(3, 20)
    gap = min(gap, (span - 0.1) / (beeps + 0.8))
    short = sines([660.0 * p.pitch], int(0.15 * sr), sr) * gate(int(0.15 * sr), sr, [0.0], 0.15)
    long_ = sines([1320.0 * p.pitch], int(0.7 * sr), sr) * gate(int(0.7 * sr), sr, [0.0], 0.7)
    out = np.zeros(n)
    for k in range(beeps):
        dsp.add_at(out, short, int((0.05 + k * gap) * sr))
    dsp.add_at(out, long_, int((0.05 + beeps * gap) * sr))
    return out


_DTMF = {"1": (697, 1209), "2": (697, 1336), "3": (697, 1477), "4": (770, 1209), "5": (770, 1336), "6": (770, 1477),
         "7": (852, 1209), "8": (852, 1336), "9": (852, 1477), "0": (941, 1336)}


@source("modem", "a dial-up modem: dial tone, DTMF digits, the 2100 Hz answer tone, then screeching training",
        room=False, family=THINGS, ru="модем", examples=("a dial-up modem", "звук модема"),
        standard="DTMF (ITU-T Q.23) dialling; ITU-T V.25 2100 Hz answer tone with phase reversals every 450 ms",
        words=("modem", "dial-up", "dialup", "dial up", "modem handshake", "модем", "диалап", "модемн"))
def modem(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    span = n / sr
    s = min(1.0, span / 9.0)  # a short clip gets the same handshake, faster
    out = np.zeros(n)
    t = 0.0

    def put(x: np.ndarray, at: float) -> None:
        dsp.add_at(out, x, int(at * sr))

    def tone(freqs, dur: float) -> np.ndarray:
        k = int(dur * sr)
        return sines(freqs, k, sr) * gate(k, sr, [0.0], dur)

    put(0.5 * tone((350, 440), 0.8 * s), t)
    t += 0.9 * s
    for digit in "".join(rng.choice(list(_DTMF), 7)):
        put(0.6 * tone(_DTMF[digit], 0.09 * s), t)
        t += 0.16 * s
    put(0.4 * tone((440, 480), 0.9 * s), t + 0.3 * s)  # ringback
    t += 1.6 * s
    k = int(1.8 * s * sr)
    reversals = np.floor(dsp.seconds(k, sr) / 0.45) * np.pi  # V.25: the phase flips every 450 ms
    put(0.8 * np.sin(dsp.TAU * 2100 * dsp.seconds(k, sr) + reversals) * gate(k, sr, [0.0], 1.8 * s), t)
    t += 1.9 * s
    k = int(0.7 * s * sr)
    bits = rng.integers(0, 2, int(0.7 * s * 300) + 1)[(dsp.seconds(k, sr) * 300).astype(int)]
    put(0.5 * np.sin(dsp.phase(np.where(bits, 1650, 1850), k, sr)), t)  # V.21-style FSK negotiation
    t += 0.8 * s
    k = max(0, n - int(t * sr))
    if k:
        tt = dsp.seconds(k, sr)
        carriers = np.sin(dsp.TAU * 1800 * tt) * np.sign(np.sin(dsp.TAU * 600 * tt + 3 * np.sin(dsp.TAU * 7 * tt)))
        hiss = dsp.bandpass(rng.standard_normal(k), 300, 3400, sr, order=4)
        screech = 0.5 * carriers + 0.3 * np.sin(dsp.TAU * 2400 * tt + rng.uniform(0, 6)) + 0.35 * hiss
        put(screech * np.minimum(tt / 0.02, 1), t)
    return out


def _morse_code() -> dict[str, str]:
    letters = (".- -... -.-. -.. . ..-. --. .... .. .--- -.- .-.. -- -. --- .--. --.- .-. ... - ..- ...- .-- -..- "
               "-.-- --..")
    return dict(zip("ABCDEFGHIJKLMNOPQRSTUVWXYZ", letters.split()))


MORSE = _morse_code()


def morse_gate(text: str, unit: float, n: int, sr: int) -> np.ndarray:
    """On/off keying for text: dot 1 unit, dash 3, 1 between marks, 3 between letters, 7 between words."""
    starts, lengths, t = [], [], 0.05
    while t < n / sr:
        for word in text.split():
            for letter in word:
                for mark in MORSE[letter]:
                    starts.append(t)
                    lengths.append(unit * (1 if mark == "." else 3))
                    t += lengths[-1] + unit
                t += 2 * unit
            t += 4 * unit
    env = np.zeros(n)
    for length in sorted(set(lengths)):
        chosen = [s for s, d in zip(starts, lengths) if d == length]
        env = np.maximum(env, gate(n, sr, np.array(chosen), length, edge=min(0.005, unit / 4)))
    return env


@source("morse", "Morse code on a 700 Hz tone at 18 words a minute: random letters, or SOS", room=False,
        family=AMBIGUOUS, ru="азбука Морзе", examples=("morse code", "азбука морзе"),
        standard="International Morse code (ITU-R M.1677): dot 1, dash 3, gaps 1/3/7 units; unit = 1.2 s / wpm",
        words=("morse", "morse code", "telegraph", "cw", "морзе", "азбук морзе", "телеграф"))
def morse(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    if p.variant == "sos":
        text = "SOS"
    else:
        text = " ".join("".join(rng.choice(list(MORSE), 5)) for _ in range(4))
    wpm = float(np.clip((p.bpm / 5 if p.bpm else 18 * p.tempo), 5, 40))  # "PARIS" is 50 units: 5 chars a word
    freq = p.freq or 700.0 * p.pitch
    return sines([freq], n, sr) * morse_gate(text, 1.2 / wpm, n, sr)


# Formant centre frequencies (Hz) of five vowels, a male voice.
VOWELS = ((730, 1090, 2440), (530, 1840, 2480), (270, 2290, 3010), (570, 840, 2410), (300, 870, 2240))


def formant_babble(
    rng: np.random.Generator, n: int, sr: int, buzz: np.ndarray, rate: float, formants: int = 3
) -> np.ndarray:
    """Syllables of random vowels on ``buzz``: each vowel's formant filter runs once over the whole clip,
    and per-syllable envelopes choose which one is heard."""
    span = n / sr
    weights = np.zeros((len(VOWELS), n))
    t = 0.1
    while t < span:
        for _ in range(int(rng.integers(2, 6))):  # a word of a few syllables
            length = rng.uniform(0.6, 1.1) / rate
            k = int(length * sr)
            dsp.add_at(weights[int(rng.integers(len(VOWELS)))], dsp.hann(k) ** 0.5, int(t * sr))
            t += length
        t += rng.uniform(0.25, 0.6)
    out = np.zeros(n)
    for vowel, w in zip(VOWELS, weights):
        if w.any():
            shaped = sum(dsp.resonator(buzz, f, 8, sr) * a for f, a in zip(vowel[:formants], (1.0, 0.6, 0.3)))
            out += shaped * w
    return out


@source("robot_voice", "a robot voice: a monotone buzz speaking vowel syllables, ring-modulated and bit-crushed",
        room=False, family=AMBIGUOUS, ru="голос робота", examples=("a robot voice", "голос робота"),
        words=("robot", "robot voice", "robotic voice", "android", "droid", "cyborg", "робот", "голос робот",
               "роботизированн", "андроид"))
def robot_voice(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    t = dsp.seconds(n, sr)
    f0 = p.freq or 95.0 * p.pitch
    buzz = 2 * ((f0 * t) % 1) - 1
    x = formant_babble(rng, n, sr, buzz, 4.5 * p.tempo)
    x = x * (0.6 + 0.4 * np.sin(dsp.TAU * 45 * t))  # ring modulation: the metallic edge
    peak = np.abs(x).max() + 1e-12
    return np.round(x / peak * 12) / 12  # a few quantisation levels: digital grit


@source("radio_tuning", "a radio being tuned: static, heterodyne whistles and stations fading in and out",
        family=THINGS, ru="настройка радио", examples=("tuning a radio", "настройка радио"),
        words=("radio", "radio static", "radio tuning", "tuning", "shortwave", "short wave", "радио", "радиоприемник",
               "настройк радио", "радиоэфир", "эфир", "помех радио"))
def radio_tuning(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    span = n / sr
    dial = dsp.smooth_control(rng, n, sr, 0.35 * p.tempo, 0.0, 1.0)  # where the tuning knob points
    piece = music.Piece.plan(Params(), rng, n, sr, bpm=96)
    tune = music.play(music.melody(piece, rng), inst.piano, n, sr, rng)
    # A talk station heard through the noise: a voiced buzz in the speech band, syllable-modulated.
    syllables = dsp.smooth_control(rng, n, sr, 8.0, -0.6, 1.0).clip(0, None)
    cycles = dsp.phase(dsp.smooth_control(rng, n, sr, 2.0, 100, 150), n, sr) / dsp.TAU
    voice = dsp.bandpass(2 * (cycles % 1) - 1, 300, 2500, sr) * syllables
    code = sines([800.0], n, sr) * morse_gate(" ".join("".join(rng.choice(list(MORSE), 5)) for _ in range(6)),
                                               0.07, n, sr)
    stations = ((0.22, tune), (0.55, voice), (0.85, code))
    out = np.zeros(n)
    heard = np.zeros(n)
    for where, programme in stations:
        off = dial - where
        strength = np.exp(-0.5 * (off / 0.03) ** 2)
        heard = np.maximum(heard, strength)
        out += strength * programme / (np.std(programme) + 1e-9)
        whistle = np.sin(dsp.phase(np.abs(off) * 30000 + 60, n, sr))  # the carrier's beat against the receiver
        out += 0.3 * whistle * np.exp(-0.5 * (off / 0.08) ** 2) * (1 - strength)
    pops = dsp.poisson_times(rng, span, 30)
    crackle = dsp.impulses(pops, rng.uniform(-4, 4, pops.size), n, sr)
    static = dsp.white(rng, n) + crackle
    out += 0.8 * static * (1 - 0.85 * heard)
    return dsp.bandpass(out, 200, 4500, sr, order=2)
