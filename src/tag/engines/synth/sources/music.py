"""Music: a key and its scale, chord progressions, melodies with rhythm, drum patterns.

A piece is a few bars in one key (asked, as ``Params.key``, or drawn from the
seed); every pitch any part plays is a scale degree of that key, so the pitch set
stays stable.  The seed picks the progression, the melody and the rhythms;
``Params.bpm`` (or the tempo words) sets the tempo.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from tag.engines.synth import dsp
from tag.engines.synth.sources import instruments as inst
from tag.engines.synth.sources.base import MUSIC, Params, source

NOTE_NAMES = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")
MAJOR = (0, 2, 4, 5, 7, 9, 11)
MINOR = (0, 2, 3, 5, 7, 8, 10)  # natural minor: its chords stay inside the scale
# One chord (a scale degree, 0 = tonic) per bar.
MAJOR_PROGRESSIONS = ((0, 4, 5, 3), (0, 5, 3, 4), (5, 3, 0, 4), (0, 3, 4, 0), (0, 3, 0, 4))
MINOR_PROGRESSIONS = ((0, 5, 2, 6), (0, 3, 6, 2), (0, 6, 5, 6), (0, 3, 4, 0), (0, 5, 3, 4))
# Melody rhythms, in beats, one bar each (4/4 and 3/4).
RHYTHMS = {
    4: ((1, 1, 1, 1), (1, 0.5, 0.5, 1, 1), (1.5, 0.5, 1, 1), (0.5, 0.5, 0.5, 0.5, 1, 1), (2, 1, 1), (1, 1, 2),
        (1, 1, 1, 0.5, 0.5), (0.5, 0.5, 1, 0.5, 0.5, 1)),
    3: ((1, 1, 1), (2, 1), (1, 0.5, 0.5, 1), (1.5, 0.5, 1), (1, 2)),
}
Voice = Callable[[float, float, int, np.random.Generator], np.ndarray]
Note = tuple[float, float, float, float]  # start (s), length (s), MIDI pitch, level


def hz(midi: float) -> float:
    return 440.0 * 2 ** ((midi - 69) / 12)


@dataclass(frozen=True)
class Key:
    tonic: int  # pitch class, 0 = C
    minor: bool

    @property
    def scale(self) -> tuple[int, ...]:
        return MINOR if self.minor else MAJOR

    def midi(self, degree: int, octave: int = 4) -> int:
        """MIDI pitch of a scale degree (any integer: 7 is the tonic an octave up)."""
        octaves, step = divmod(int(degree), 7)
        return 12 * (octave + 1 + octaves) + self.tonic + self.scale[step]

    def pitch_classes(self) -> set[int]:
        return {(self.tonic + s) % 12 for s in self.scale}

    def name(self) -> str:
        return f"{NOTE_NAMES[self.tonic]} {'minor' if self.minor else 'major'}"


def key_of(p: Params, rng: np.random.Generator, minor: bool | None = None) -> Key:
    """The asked key ("A minor", "C# major", or only a mode); what is missing the seed chooses."""
    words = (p.key or "").split()
    if "minor" in words or "major" in words:
        minor = "minor" in words
    elif minor is None:
        minor = bool(rng.random() < 0.3)
    named = [w for w in words if w in NOTE_NAMES]
    tonic = NOTE_NAMES.index(named[0]) if named else int(rng.choice((9, 4, 2, 7, 0) if minor else (0, 7, 2, 5, 9)))
    return Key(tonic, minor)


@dataclass
class Grid:
    """Where beats fall: a tempo, a metre, and swing (where the off-beat eighth sits in its beat)."""

    beat: float
    meter: int = 4
    swing: float = 0.5

    @property
    def bar(self) -> float:
        return self.beat * self.meter

    def at(self, bar: int, position: float) -> float:
        whole, frac = divmod(position, 1.0)
        frac = frac * 2 * self.swing if frac < 0.5 else self.swing + (frac - 0.5) * 2 * (1 - self.swing)
        return (bar * self.meter + whole + frac) * self.beat


@dataclass
class Piece:
    """The shared plan of one clip: key, tempo grid, chords bar by bar, octave shift."""

    key: Key
    grid: Grid
    chords: list[int]
    octave: int

    @classmethod
    def plan(
        cls, p: Params, rng: np.random.Generator, n: int, sr: int, bpm: float, minor: bool | None = None,
        meter: int = 4, swing: float = 0.5, progressions: Sequence[Sequence[int]] | None = None,
    ) -> Piece:
        key = key_of(p, rng, minor)
        tempo = float(np.clip(p.bpm if p.bpm else bpm * p.tempo, 40.0, 240.0))
        grid = Grid(60.0 / tempo, meter, swing)
        bars = max(4, int(np.ceil(n / sr / grid.bar)) + 1)
        options = progressions or (MINOR_PROGRESSIONS if key.minor else MAJOR_PROGRESSIONS)
        loop = options[int(rng.integers(len(options)))]
        octave = int(np.clip(np.round(np.log2(max(p.pitch, 1e-3))), -2, 2))
        return cls(key, grid, [loop[b % len(loop)] for b in range(bars)], octave)

    def chord(self, bar: int, octave: int = 4, size: int = 3) -> list[int]:
        root = self.chords[bar]
        return [self.key.midi(root + 2 * i, octave + self.octave) for i in range(size)]

    def voicing(self, bar: int, low: int, size: int = 3, near: float | None = None) -> list[int]:
        """Chord tones as a close voicing at or above ``low``, the inversion nearest ``near`` (voice leading)."""
        root = self.chords[bar]
        classes = {self.key.midi(root + 2 * i) % 12 for i in range(min(size, 4))}
        low += 12 * self.octave
        pool = [m for m in range(low, low + 24) if m % 12 in classes]
        windows = [pool[i : i + size] for i in range(len(pool) - size + 1)][: len(classes) + 1]
        target = near if near is not None else low + 6
        return min(windows, key=lambda w: abs(float(np.mean(w)) - target))

    def chord_degrees(self, bar: int) -> list[int]:
        root = self.chords[bar]
        return [(root + 2 * i) % 7 for i in range(3)]


def _nearest_chord_tone(degree: int, tones: list[int]) -> int:
    options = [t + 7 * k for t in tones for k in range(-2, 3)]
    return min(options, key=lambda d: (abs(d - degree), d))


def melody(
    piece: Piece, rng: np.random.Generator, octave: int = 5, busy: float = 1.0, level: float = 1.0
) -> list[Note]:
    """A tune: a four-bar phrase and its answer (ending on the tonic), repeated.

    Steps mostly by scale step; notes on strong beats land on a chord tone.
    ``busy`` above 1 favours shorter notes.
    """
    grid, meter = piece.grid, piece.grid.meter
    rhythms = RHYTHMS[meter if meter in RHYTHMS else 4]
    weights = np.array([1.0 / (len(r) ** (1 - busy)) if busy < 1 else len(r) ** (busy - 1) for r in rhythms])
    pick = lambda: rhythms[int(rng.choice(len(rhythms), p=weights / weights.sum()))]  # noqa: E731
    shapes = [pick(), pick(), pick()]
    steps, step_p = np.array([-2, -1, 0, 1, 2, -3, 3, -4, 4]), np.array([5, 10, 3, 10, 5, 1.5, 1.5, 0.5, 0.5])

    def phrase(start_degree: int, cadence: bool) -> list[list[tuple[float, float, int]]]:
        degree, bars = start_degree, []
        for b in range(4):
            shape = shapes[(0, 1, 0, 2)[b]]
            tones, pos, notes = piece.chord_degrees(b), 0.0, []
            for k, length in enumerate(shape):
                degree += int(rng.choice(steps, p=step_p / step_p.sum()))
                if pos in (0.0, 2.0) or (cadence and b == 3 and k == len(shape) - 1):
                    degree = _nearest_chord_tone(degree, tones if not (cadence and b == 3) else [0])
                degree = int(np.clip(degree, -3, 10))
                notes.append((pos, length, degree))
                pos += length
            bars.append(notes)
        return bars

    first = phrase(int(rng.choice(piece.chord_degrees(0))), cadence=False)
    answer = first[:2] + phrase(first[1][-1][2], cadence=True)[2:]
    out = []
    for bar in range(len(piece.chords)):
        for pos, length, degree in (first if (bar // 4) % 2 == 0 else answer)[bar % 4]:
            t = grid.at(bar, pos) + rng.normal(0, 0.006)
            accent = 1.0 if pos == 0 else 0.8
            out.append((max(t, 0.0), length * grid.beat * 0.92, piece.key.midi(degree, octave + piece.octave),
                        level * accent * rng.uniform(0.85, 1.0)))
    return out


def block_chords(piece: Piece, rng: np.random.Generator, low: int, hits: Sequence[float], length: float,
                 size: int = 3, level: float = 0.5) -> list[Note]:
    """The progression as voice-led chords struck at ``hits`` (beats in the bar)."""
    out, near = [], None
    for bar in range(len(piece.chords)):
        chord = piece.voicing(bar, low, size, near)
        near = float(np.mean(chord))
        for pos in hits:
            t = piece.grid.at(bar, pos)
            for m in chord:
                out.append((t + rng.normal(0, 0.004), length * piece.grid.beat, m, level * rng.uniform(0.8, 1.0)))
    return out


def bass_line(piece: Piece, rng: np.random.Generator, octave: int = 2, walking: bool = False,
              level: float = 0.9) -> list[Note]:
    """Roots on the downbeat, then fifths, octaves and steps leading to the next chord."""
    out, beat = [], piece.grid.beat
    patterns = ((0, 2.5), (0, 1.5, 2, 3), (0, 2, 3, 3.5), (0, 1, 2, 3))
    shape = patterns[int(rng.integers(len(patterns)))]
    for bar in range(len(piece.chords)):
        root = piece.chords[bar]
        nxt = piece.chords[(bar + 1) % len(piece.chords)]
        if walking:  # a quarter-note walk: root, chord tone, chord tone, a step towards the next root
            line = [(0, root), (1, root + 2 * int(rng.integers(1, 3))), (2, root + 4),
                    (3, nxt + (1 if rng.random() < 0.5 else -1) + (7 if nxt + 1 < root else 0))]
        else:
            choices = [root, root + 4, root + 7, root + 2]
            line = [(pos, root if k == 0 else choices[int(rng.integers(len(choices)))]) for k, pos in enumerate(shape)]
        for k, (pos, degree) in enumerate(line):
            end = line[k + 1][0] if k + 1 < len(line) else piece.grid.meter
            t = piece.grid.at(bar, pos) + rng.normal(0, 0.005)
            out.append((t, (end - pos) * beat * 0.9, piece.key.midi(degree, octave + piece.octave),
                        level * rng.uniform(0.85, 1.0)))
    return out


def play(notes: list[Note], voice: Voice, n: int, sr: int, rng: np.random.Generator) -> np.ndarray:
    """Render notes with one voice; equal pitch and length share one rendered grain."""
    out = np.zeros(n)
    cache: dict[tuple[float, float], np.ndarray] = {}
    for start, length, midi, level in notes:
        s = int(start * sr)
        if s >= n:
            continue
        grain_key = (midi, round(length, 2))
        if grain_key not in cache:
            cache[grain_key] = voice(hz(midi), round(length, 2), sr, rng)
        dsp.add_at(out, cache[grain_key], s, level)
    return out


# --- drums -------------------------------------------------------------------

# Sixteenth-note steps of one 4/4 bar: "x" a hit, "o" a softer one, "." a rest.
ROCK = {
    "kick": ("x.......x.......", "x.......x.x.....", "x......x..x.....", "x.....x...x....."),
    "snare": ("....x.......x...",),
    "hat": ("x.o.x.o.x.o.x.o.", "x.x.x.x.x.x.x.x."),
}
FILL = "....x.......x.oo"
DANCE = {"kick": ("x...x...x...x...",), "clap": ("....x.......x...",), "open": ("..x...x...x...x.",),
         "hat": ("x.x.x.x.x.x.x.x.",)}


def drum_kit(sr: int, rng: np.random.Generator) -> dict[str, list[np.ndarray]]:
    """A few takes of each drum, so repeated hits are not identical."""
    return {
        "kick": [inst.kick(sr, rng) for _ in range(2)], "snare": [inst.snare(sr, rng) for _ in range(3)],
        "hat": [inst.hat(sr, rng) for _ in range(3)], "open": [inst.hat(sr, rng, open_=True) for _ in range(2)],
        "clap": [inst.clap(sr, rng) for _ in range(2)], "brush": [inst.brush(sr, rng) for _ in range(3)],
        "ride": [inst.ride(sr, rng)],
    }


DRUM_LEVELS = {"kick": 1.0, "snare": 0.7, "hat": 0.22, "open": 0.2, "clap": 0.6, "brush": 0.35, "ride": 0.3}


def drums(piece: Piece, rng: np.random.Generator, n: int, sr: int, patterns: dict[str, Sequence[str]],
          fill: bool = True, kit: dict[str, list[np.ndarray]] | None = None) -> np.ndarray:
    """Play step patterns bar by bar (one variation drawn per part), humanised by a few milliseconds."""
    kit = kit or drum_kit(sr, rng)
    chosen = {name: options[int(rng.integers(len(options)))] for name, options in patterns.items()}
    out = np.zeros(n)
    for bar in range(len(piece.chords)):
        for name, steps in chosen.items():
            if fill and name == "snare" and bar % 4 == 3:
                steps = FILL
            for i, mark in enumerate(steps):
                if mark == ".":
                    continue
                t = piece.grid.at(bar, i / 4) + rng.normal(0, 0.004)
                take = kit[name][int(rng.integers(len(kit[name])))]
                level = DRUM_LEVELS[name] * (1.0 if mark == "x" else 0.55) * rng.uniform(0.85, 1.0)
                dsp.add_at(out, take, int(max(t, 0) * sr), level)
    return out


# --- sources ---------------------------------------------------------------------


def _song_lead(rng: np.random.Generator) -> Voice:
    return (inst.piano, inst.flute, inst.guitar, inst.music_box)[int(rng.integers(4))]


@source("music", "a little song: a melody over chords, a bass line and a drum beat, in one key", family=MUSIC,
        ru="музыка", examples=("some music", "музыка"),
        words=("music", "song", "tune", "musical piece", "музык", "песн", "песенк", "мотив"))
def song(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    piece = Piece.plan(p, rng, n, sr, bpm=100)
    lead = play(melody(piece, rng, octave=5, busy=p.density), _song_lead(rng), n, sr, rng)
    chords = play(block_chords(piece, rng, 55, (0, 1.5, 3), 1.4, level=0.3), inst.piano, n, sr, rng)
    low = play(bass_line(piece, rng), inst.bass, n, sr, rng)
    beat = drums(piece, rng, n, sr, ROCK)
    return lead + chords + 0.8 * low + 0.6 * beat


@source("piano", "a piano melody with a soft left hand: struck, slightly inharmonic strings", family=MUSIC,
        ru="пианино", examples=("a piano melody in C major", "мелодия на пианино"),
        words=("piano", "piano melody", "piano music", "melody", "grand piano", "пианин", "фортепиан", "роял",
               "мелоди", "мелоди на пианин", "фортепианн музык"))
def piano_melody(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    piece = Piece.plan(p, rng, n, sr, bpm=88)
    right = play(melody(piece, rng, octave=5, busy=p.density), inst.piano, n, sr, rng)
    left = play(bass_line(piece, rng, octave=3, level=0.35), inst.piano, n, sr, rng)
    return right + left


@source("piano_chords", "piano chords: the progression as voice-led block chords over the root", family=MUSIC,
        ru="аккорды на пианино", examples=("piano chords in A minor", "аккорды фортепиано в ля миноре"),
        words=("piano chord", "chord", "chord progression", "аккорд", "аккорд на пианин", "аккорд фортепиан",
               "аккорд пианин", "фортепианн аккорд"))
def piano_chords(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    piece = Piece.plan(p, rng, n, sr, bpm=80)
    hits = ((0, 2), (0, 1.5, 3), (0, 1, 2, 3))[int(rng.integers(3))]
    chords = play(block_chords(piece, rng, 57, hits, 1.8, size=4 if rng.random() < 0.4 else 3), inst.piano, n, sr, rng)
    roots = [(piece.grid.at(b, 0), piece.grid.bar * 0.95, piece.key.midi(c, 2 + piece.octave), 0.6)
             for b, c in enumerate(piece.chords)]
    return chords + play(roots, inst.piano, n, sr, rng)


def _guitar_voicing(piece: Piece, bar: int) -> list[int]:
    """What a guitarist frets: on each string the lowest chord tone within four frets; start on a root."""
    classes = {m % 12 for m in piece.chord(bar)}
    root = piece.chord(bar)[0] % 12
    notes = [next(o + f for f in range(5) if (o + f) % 12 in classes) for o in (40, 45, 50, 55, 59, 64)]
    while len(notes) > 3 and notes[0] % 12 != root:
        notes = notes[1:]
    return [m + 12 * piece.octave for m in notes]


def _body(x: np.ndarray, sr: int) -> np.ndarray:
    """A guitar body: the air mode near 100 Hz and the top plate near 200 Hz add warmth."""
    return x + 0.6 * dsp.resonator(x, 105, 4, sr) + 0.4 * dsp.resonator(x, 210, 5, sr)


@source("guitar", "a strummed guitar: plucked strings (Karplus-Strong) swept down and up in a strum pattern",
        family=MUSIC, ru="гитара", examples=("guitar strumming", "бренчание на гитаре"),
        words=("guitar", "strum", "guitar strum", "guitar music", "гитар", "бренчани", "бренча", "гитарн"))
def guitar_strum(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    piece = Piece.plan(p, rng, n, sr, bpm=96)
    patterns = (((0, "d"), (1, "d"), (1.5, "u"), (2.5, "u"), (3, "d"), (3.5, "u")),
                ((0, "d"), (1, "d"), (2, "d"), (2.5, "u"), (3, "d")), ((0, "d"), (2, "d"), (2.5, "u"), (3.5, "u")))
    pattern = patterns[int(rng.integers(len(patterns)))]
    notes = []
    for bar in range(len(piece.chords)):
        strings = _guitar_voicing(piece, bar)
        for pos, stroke in pattern:
            t = piece.grid.at(bar, pos) + rng.normal(0, 0.006)
            order = strings if stroke == "d" else strings[::-1][:4]  # up strokes catch the high strings
            gap = rng.uniform(0.008, 0.016)
            for k, m in enumerate(order):
                notes.append((t + k * gap, piece.grid.beat * 1.5, m, (1.0 if stroke == "d" else 0.7) * 0.4))
    return _body(play(notes, inst.guitar, n, sr, rng), sr)


@source("guitar_picking", "acoustic guitar fingerpicking: an alternating bass under picked chord tones",
        family=MUSIC, ru="гитарный перебор", examples=("acoustic guitar picking", "гитарный перебор"),
        words=("guitar pick", "acoustic guitar pick", "fingerpick", "fingerstyle", "acoustic guitar", "перебор",
               "гитарн перебор",
               "перебор на гитар", "акустическ гитар"))
def guitar_picking(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    piece = Piece.plan(p, rng, n, sr, bpm=84)
    orders = ((0, 3, 1, 4, 0, 3, 2, 4), (0, 2, 3, 4, 1, 2, 3, 4), (0, 4, 3, 4, 1, 4, 3, 4))
    order = orders[int(rng.integers(len(orders)))]
    notes = []
    for bar in range(len(piece.chords)):
        strings = _guitar_voicing(piece, bar)
        bassed = [strings[0], strings[1]] + strings[-3:]  # two bass strings, three treble strings
        for k, which in enumerate(order):
            t = piece.grid.at(bar, k / 2) + rng.normal(0, 0.006)
            notes.append((t, piece.grid.beat * 2, bassed[which], 0.7 if which < 2 else 0.5))
    return _body(play(notes, inst.guitar, n, sr, rng), sr)


@source("bass_line", "a bass line: a plucked bass guitar on roots, fifths and passing steps", family=MUSIC,
        ru="басовая партия", examples=("a bass line", "басовая партия"),
        words=("bass line", "bassline", "bass guitar", "electric bass", "басов парти", "басов лини", "бас-гитар",
               "бас"))
def bass_part(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    piece = Piece.plan(p, rng, n, sr, bpm=100)
    return play(bass_line(piece, rng), inst.bass, n, sr, rng)


@source("drums", "a drum beat: kick, snare and hi-hat patterns with a fill every fourth bar, humanised",
        family=MUSIC, ru="барабаны", examples=("a drum beat at 120 bpm", "барабанный бит"),
        words=("drum", "drum beat", "drumbeat", "beat", "drum kit", "drummer", "percussion", "drum loop",
               "барабан", "барабанн бит", "ударн", "бит", "ритм", "барабанщик"))
def drum_beat(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    piece = Piece.plan(p, rng, n, sr, bpm=100, swing=0.5 + 0.04 * rng.random())
    return drums(piece, rng, n, sr, ROCK)


@source("dance_loop", "an electronic dance loop: four-on-the-floor kick, off-beat hats, bass and synth stabs",
        family=MUSIC, ru="электронная музыка", examples=("electronic dance music", "электронная музыка"),
        words=("edm", "techno", "house music", "electronic dance music", "electronic dance", "electronica",
               "dance music", "electronic music", "club music", "rave", "disco",
               "dance loop", "электронн музык", "техно", "танцевальн музык", "клубн музык", "дискотек", "рейв"))
def dance_loop(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    piece = Piece.plan(p, rng, n, sr, bpm=124, minor=True)
    beat = drums(piece, rng, n, sr, DANCE, fill=False)
    bass_notes = [(piece.grid.at(b, k + 0.5), piece.grid.beat * 0.4, piece.key.midi(c, 2 + piece.octave), 0.8)
                  for b, c in enumerate(piece.chords) for k in range(4)]
    bass = dsp.lowpass(play(bass_notes, lambda f, d, s, r: inst.saw(f, d, s, r, 0.003), n, sr, rng), 600, sr)
    stab_hits = ((0.5, 1.5, 3), (0.75, 2.5), (0, 1.5, 2.5))[int(rng.integers(3))]
    stabs = block_chords(piece, rng, 60, stab_hits, 0.25, level=0.25)
    stab = dsp.lowpass(play(stabs, lambda f, d, s, r: inst.saw(f, d, s, r) * dsp.decay(int(d * s), s, 0.1),
                            n, sr, rng), 2500, sr)
    return beat + 0.7 * bass + stab


@source("synth_pad", "a synth pad: slow detuned-saw chords through a gently moving low-pass", family=MUSIC,
        ru="синтезатор", examples=("a synth pad", "пэд на синтезаторе"),
        words=("synth pad", "pad", "synth", "synthesizer", "synthesiser", "синтезатор", "пэд", "синт"))
def synth_pad(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    piece = Piece.plan(p, rng, n, sr, bpm=70)

    def pad(f: float, d: float, s: int, r: np.random.Generator) -> np.ndarray:
        k = int((d + 1.0) * s)
        env = np.minimum(np.arange(k) / (0.8 * s), 1) * np.exp(-np.maximum(np.arange(k) / s - d, 0) / 0.5)
        return inst.saw(f, d + 1.0, s, r, 0.007) * env

    x = play(block_chords(piece, rng, 52, (0,), piece.grid.meter, size=4, level=0.4), pad, n, sr, rng)
    x = dsp.lowpass(x, 1400 * p.pitch ** 0.5, sr, order=4)
    t = dsp.seconds(n, sr)
    return x * (1 + 0.15 * np.sin(dsp.TAU * 0.2 * t))


@source("strings", "strings: a violin melody over sustained string chords, bowed saws through body resonances",
        family=MUSIC, ru="скрипка", examples=("a violin melody", "скрипка"),
        words=("violin", "violin melody", "string melody", "string", "strings", "string quartet", "fiddle", "cello",
               "orchestra", "orchestral strings",
               "скрипк", "скрипичн", "струнн", "виолончел", "оркестр", "струнн оркестр", "струнн квартет"))
def strings(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    piece = Piece.plan(p, rng, n, sr, bpm=72)
    violin = play(melody(piece, rng, octave=5, busy=p.density * 0.7), inst.bowed, n, sr, rng)
    section = play(block_chords(piece, rng, 48, (0,), piece.grid.meter * 0.98, level=0.25), inst.bowed, n, sr, rng)
    x = violin + section
    # The violin body: air mode, main wood mode, and the bridge hill that makes it bright.
    return 0.5 * x + dsp.resonator(x, 280, 3, sr) + 0.8 * dsp.resonator(x, 460, 3, sr) + 0.7 * dsp.resonator(
        x, 2600, 1.5, sr
    )


@source("flute", "a flute melody: near-sine tones with breath noise and late vibrato", family=MUSIC, ru="флейта",
        examples=("a flute melody", "мелодия флейты"),
        words=("flute", "pan flute", "flute melody", "флейт", "свирел", "дудочк", "мелоди флейт"))
def flute_melody(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    piece = Piece.plan(p, rng, n, sr, bpm=80)
    return play(melody(piece, rng, octave=5, busy=p.density * 0.8), inst.flute, n, sr, rng)


@source("organ", "an organ: hymn-like chords and a pedal bass on steady pipe ranks", family=MUSIC, ru="орган",
        examples=("a church organ", "орган"), words=("organ", "church organ", "pipe organ", "hammond", "organ music",
                                                    "орган", "органн", "органн музык", "церковн орган"))
def organ(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    piece = Piece.plan(p, rng, n, sr, bpm=66)
    chords = play(block_chords(piece, rng, 55, (0, 2), 1.95, size=3, level=0.4), inst.organ, n, sr, rng)
    tune = play(melody(piece, rng, octave=5, busy=0.6, level=0.5), inst.organ, n, sr, rng)
    pedal = play([(piece.grid.at(b, 0), piece.grid.bar * 0.97, piece.key.midi(c, 2 + piece.octave), 0.5)
                  for b, c in enumerate(piece.chords)], inst.organ, n, sr, rng)
    t = dsp.seconds(n, sr)
    return (chords + tune + pedal) * (1 + 0.08 * np.sin(dsp.TAU * 5.8 * t))  # a rotating speaker's tremolo


@source("music_box", "a music box: a high tune on plucked steel tines, slowing slightly", family=MUSIC,
        ru="музыкальная шкатулка", examples=("a music box", "музыкальная шкатулка"),
        words=("music box", "musical box", "музыкальн шкатулк", "шкатулк"))
def music_box(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    piece = Piece.plan(p, rng, n, sr, bpm=92, minor=False)
    tune = melody(piece, rng, octave=6, busy=p.density)
    under = [(piece.grid.at(b, pos), 0.5, piece.key.midi(c + (4 if pos else 0), 5 + piece.octave), 0.35)
             for b, c in enumerate(piece.chords) for pos in (0, 2)]
    return play(tune + under, inst.music_box, n, sr, rng)


@source("harp", "a harp: chords rolled as arpeggios rising over two octaves", family=MUSIC, ru="арфа",
        examples=("a harp arpeggio", "арпеджио на арфе"),
        words=("harp", "harp arpeggio", "arpeggio", "арф", "арпеджи", "арпеджио на арф"))
def harp(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    piece = Piece.plan(p, rng, n, sr, bpm=76)
    step = 0.25 if p.tempo < 1.3 else 0.5
    notes = []
    for bar in range(len(piece.chords)):
        root = piece.chords[bar]
        run = [root + 2 * (i % 7) for i in range(int(piece.grid.meter / step))]  # chord tones climbing two octaves
        for k, degree in enumerate(run):
            notes.append((piece.grid.at(bar, k * step), 1.5, piece.key.midi(degree, 3 + piece.octave),
                          0.6 * rng.uniform(0.8, 1.0)))
    return play(notes, inst.harp, n, sr, rng)


@source("fanfare", "a trumpet fanfare: brassy calls on the tonic and dominant chords", family=MUSIC, ru="фанфары",
        examples=("a trumpet fanfare", "фанфары трубы"),
        words=("fanfare", "trumpet", "brass", "bugle", "trumpet fanfare", "фанфар", "труб", "горнист", "трубач"))
def fanfare(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    piece = Piece.plan(p, rng, n, sr, bpm=112, minor=False, progressions=((0, 4, 0, 3, 0, 4, 4, 0),))
    calls = (((0, 0.33, 0), (0.33, 0.33, 0), (0.67, 0.33, 0), (1, 1, 2), (2, 0.5, 1), (2.5, 0.5, 2), (3, 1, 4)),
             ((0, 0.5, 4), (0.5, 0.5, 4), (1, 0.5, 2), (1.5, 0.5, 0), (2, 2, 4)),
             ((0, 1.5, 0), (1.5, 0.5, 2), (2, 0.5, 4), (2.5, 0.5, 2), (3, 1, 7)))
    notes = []
    for bar in range(len(piece.chords)):
        call = calls[int(rng.integers(len(calls)))] if bar % 2 else calls[0]
        root = piece.chords[bar]
        for pos, length, offset in call:
            degree = _nearest_chord_tone(root + offset, piece.chord_degrees(bar))
            notes.append((piece.grid.at(bar, pos), length * piece.grid.beat * 0.85,
                          piece.key.midi(degree, 4 + piece.octave), 0.7))
    second = [(t + 0.012, d, m, v * 0.5) for t, d, m, v in notes]  # a second trumpet in unison, a hair late
    return play(notes + second, inst.brass, n, sr, rng)


@source("orchestral_hit", "an orchestral hit: brass, strings and a timpani stroke on one big chord at once",
        family=MUSIC, ru="оркестровый удар", examples=("an orchestral hit", "оркестровый удар"),
        words=("orchestral hit", "orchestra hit", "stinger", "dramatic hit", "оркестров удар", "оркестров акцент"))
def orchestral_hit(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    key = key_of(p, rng, minor=bool(rng.random() < 0.5))
    octave = int(np.clip(np.round(np.log2(max(p.pitch, 1e-3))), -2, 2))
    chord = [key.midi(d, o + octave) for o, d in ((2, 0), (3, 0), (3, 4), (4, 0), (4, 2), (4, 4), (5, 0))]
    k = int(1.6 * sr)
    env = dsp.decay(k, sr, 0.35, attack=0.004)
    hit = np.zeros(k)
    for m in chord:
        if m > 50:  # the lowest note is the timpani's
            dsp.add_at(hit, dsp.overlay(inst.brass(hz(m), 0.3, sr, rng), 0.6 * inst.bowed(hz(m), 0.3, sr, rng)), 0)
    hit = hit * env
    timpani = dsp.modal([hz(chord[0]) * r for r in (1, 1.5, 2)], [0.6, 0.4, 0.3], [1.0, 0.5, 0.3], 1.6, sr, rng)
    hit += 3.0 * timpani[:k]
    span = n / sr
    out = np.zeros(n)
    count = p.one_every(span, 2.5, int(span) + 1)
    for t in dsp.spread_times(rng, span, count, 1.6) if count > 1 else [min(0.05, span * 0.1)]:
        dsp.add_at(out, hit, int(t * sr))
    return out


@source("lullaby", "a lullaby: a slow gentle tune in 3/4 on music-box and soft piano", family=MUSIC,
        ru="колыбельная", examples=("a lullaby", "колыбельная"),
        words=("lullaby", "cradle song", "колыбельн", "колыбельн песн"))
def lullaby(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    piece = Piece.plan(p, rng, n, sr, bpm=72, minor=False, meter=3, progressions=((0, 3, 4, 0), (0, 5, 3, 4)))
    tune = play(melody(piece, rng, octave=5, busy=0.5, level=0.8), inst.music_box, n, sr, rng)
    rock = [(piece.grid.at(b, pos), piece.grid.beat * 0.9, m, 0.2)
            for b in range(len(piece.chords)) for pos, m in zip((0, 1, 2), piece.voicing(b, 48))]
    return tune + play(rock, inst.piano, n, sr, rng)


@source("jazz", "jazz: a swung walking bass, brushes and ride cymbal, seventh-chord piano comping",
        family=MUSIC, ru="джаз", examples=("jazz music", "джаз"),
        words=("jazz", "walking bass", "swing", "jazz music", "brushes", "джаз", "джазов", "свинг"))
def jazz(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    piece = Piece.plan(p, rng, n, sr, bpm=132, minor=False, swing=0.66, progressions=((1, 4, 0, 5), (0, 5, 1, 4)))
    walk = play(bass_line(piece, rng, walking=True), inst.bass, n, sr, rng)
    comp = [(piece.grid.at(b, pos), piece.grid.beat * 0.7, m, 0.25)
            for b in range(len(piece.chords)) for pos in ((1.5, 3), (0.5, 2.5), (1, 3.5))[b % 3]
            for m in piece.voicing(b, 52, size=4)]
    patterns = {"ride": ("x..ox...x..ox...",), "brush": ("....x.......x...",), "kick": ("x...............",)}
    kit = drum_kit(sr, rng)
    kit["kick"] = [0.3 * k for k in kit["kick"]]
    return walk + play(comp, inst.piano, n, sr, rng) + drums(piece, rng, n, sr, patterns, fill=False, kit=kit)


@source("chiptune", "chiptune: an old game console's pulse-wave lead, triangle bass and noise drums",
        family=MUSIC, ru="чиптюн", examples=("chiptune music", "чиптюн"),
        words=("chiptune", "chiptune music", "video game music", "game music", "retro game music",
               "чиптюн", "чиптюн музык", "музык из игр"), room=False)
def chiptune(rng: np.random.Generator, n: int, sr: int, p: Params) -> np.ndarray:
    piece = Piece.plan(p, rng, n, sr, bpm=140)
    lead = play(melody(piece, rng, octave=5, busy=1.6, level=0.35),
                lambda f, d, s, r: inst.square(f, d, s, r, 0.25), n, sr, rng)
    bass = play(bass_line(piece, rng, octave=2, level=0.7), inst.triangle, n, sr, rng)
    noise = {"hat": ("x.x.x.x.x.x.x.x.",), "snare": ("....x.......x...",), "kick": ("x.......x.x.....",)}
    return lead + bass + 0.5 * drums(piece, rng, n, sr, noise)
