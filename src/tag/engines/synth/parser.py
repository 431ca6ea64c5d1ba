"""From a free English or Russian prompt to sound events with parameters.

The grammar is deliberately shallow: words are stemmed and looked up; modifiers
("distant", "heavy", "440 Hz", "three") collect until a source word takes them,
or attach to the source just before them when a joining word or the end of the
part comes; "then"/"затем" starts a new part that follows the previous one in
time ("X after Y"/"после Y" puts Y first, "X before Y"/"X перед Y" keeps X first),
while "with"/"and"/"while"/"пока" keep sources sounding together.  Place words ("in a
cave", "в лесу") set where the part sounds; the mixer turns them into reverb and beds.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field, replace

from tag.engines.synth import vocabulary as vocab
from tag.engines.synth.catalogue import phrases as known_phrases
from tag.engines.synth.sources.base import Params
from tag.engines.synth.sources.places import PLACE_AMBIENCES

_TOKEN = re.compile(r"\d+(?:[.,]\d+)?|[a-zа-я]+(?:-[a-zа-я]+)*|[,;.!?]")
_CYRILLIC = re.compile(r"[а-я]")
_EN_SUFFIXES = ("ings", "ing", "iest", "ied", "ies", "est", "ers", "ed", "es", "er", "ly", "s", "y")
# Common Russian noun, adjective and verb endings, longest first.
_RU_ENDINGS = tuple(
    sorted(
        "иями ями ами ого его ому ему ыми ими ешь ает яет ет ут ют ат ят ит ая яя ое ее ые ие ый ий ой ей ом ем ую юю "
        "ах ях ов ев ам ям ью ия ию ии ся сь ь а я о е у ю ы и й".split(),
        key=len,
        reverse=True,
    )
)
_MIN_STEM = 3


@dataclass
class Event:
    """One sound source to render, with everything the prompt said about it."""

    source: str
    params: Params = field(default_factory=Params)
    gain_db: float = 0.0
    part: int = 0  # which "then"-separated part of the prompt it belongs to
    words: list[str] = field(default_factory=list)


@dataclass
class Parsed:
    events: list[Event]
    parts: int
    unknown: list[str]
    language: str  # "en" or "ru"
    silence: bool = False  # the prompt asks for silence: no room tone under quiet stretches
    corrected: list[tuple[str, str]] = field(default_factory=list)  # (typed, read as): "explossion" -> "explosion"


def stem_candidates(token: str) -> set[str]:
    """The token and what it may be with one (Russian: up to two) ending removed."""
    out = {token}
    if _CYRILLIC.search(token):
        frontier = {token}
        for _ in range(2):
            nxt = {
                w[: -len(e)] for w in frontier for e in _RU_ENDINGS if w.endswith(e) and len(w) - len(e) >= _MIN_STEM
            }
            out |= nxt
            frontier = nxt
        return out
    for suffix in _EN_SUFFIXES:
        if token.endswith(suffix) and len(token) - len(suffix) >= _MIN_STEM:
            stem = token[: -len(suffix)]
            out |= {stem, stem + "e"}
            if suffix in ("ies", "ied", "iest"):
                out.add(stem + "y")  # puppies -> puppy
            if len(stem) > 3 and stem[-1] == stem[-2]:
                out.add(stem[:-1])  # dripping -> drip
    return out


def _build_phrases() -> list[tuple[tuple[str, ...], list[str], dict[str, object]]]:
    phrases = [(tuple(text.split()), sources.split("+"), implied) for text, sources, implied in known_phrases()]
    return sorted(phrases, key=lambda p: -len(p[0]))


_PHRASES = _build_phrases()
_PHRASE_INDEX: dict[str, list[tuple[tuple[str, ...], list[str], dict[str, object]]]] = {}
for _phrase in _PHRASES:
    _PHRASE_INDEX.setdefault(_phrase[0][0], []).append(_phrase)


def _lookup(cands: set[str], table: dict[str, object] | set[str]) -> object | None:
    for c in sorted(cands, key=len, reverse=True):  # prefer the least-stripped reading
        if c in table:
            return table[c] if isinstance(table, dict) else c
    return None


def _match_phrase(stems: list[set[str]], i: int):
    for first in sorted(stems[i], key=len, reverse=True):
        for words, sources, implied in _PHRASE_INDEX.get(first, ()):
            if i + len(words) <= len(stems) and all(w in stems[i + k] for k, w in enumerate(words)):
                return words, sources, implied
    return None


def _match_modifier(stems: list[set[str]], i: int) -> tuple[int, dict[str, object]] | None:
    for words, mods in _MODIFIER_PHRASES:
        if i + len(words) <= len(stems) and all(w in stems[i + k] for k, w in enumerate(words)):
            return len(words), mods
    return None


_MODIFIER_PHRASES = sorted(vocab.MODIFIER_PHRASES.items(), key=lambda p: -len(p[0]))


def _collective(tokens: list[str], stems: list[set[str]], i: int) -> tuple[int, dict[str, object]] | None:
    """'a crowd of dogs', 'толпа собак': a group of the next source, not the crowd source."""
    mods = _lookup(stems[i], vocab.COLLECTIVE_WORDS)
    if mods is None:
        return None
    used = 2 if i + 1 < len(tokens) and tokens[i + 1] == "of" else 1
    nxt = _match_phrase(stems, i + used) if i + used < len(tokens) else None
    own = _match_phrase(stems, i)
    if own is not None and len(own[0]) > 1:
        return None  # a longer name that starts with it ("crowd cheering") is that source
    if nxt is None or (own is not None and nxt[1] == own[1]):
        return None
    return used, mods  # type: ignore[return-value]


def _spread_places(events: list[Event]) -> None:
    """A place named anywhere in a part holds for the whole part; later parts stay there until another is named."""
    places = {}
    for e in events:
        if e.params.place and e.part not in places:
            places[e.part] = e.params.place
    if not places:
        return
    current = None
    for part in range(max(e.part for e in events) + 1):
        current = places.get(part, current)
        for e in events:
            if e.part == part and not e.params.place:
                e.params.place = current


def _apply(event: Event, mods: dict[str, object]) -> None:
    p = event.params
    for key, value in mods.items():
        if key == "gain_db":
            event.gain_db += float(value)  # type: ignore[arg-type]
        elif key in ("density", "tempo", "pitch"):
            # Stacked words ("heavy downpour") multiply, within a range the models handle.
            setattr(p, key, min(max(getattr(p, key) * float(value), 0.1), 4.0))  # type: ignore[arg-type]
        else:
            setattr(p, key, value)


def _merge(into: dict[str, object], mods: dict[str, object]) -> None:
    for key, value in mods.items():
        if key == "gain_db":
            into[key] = float(into.get(key, 0.0)) + float(value)  # type: ignore[arg-type]
        elif key in ("density", "tempo", "pitch"):
            into[key] = float(into.get(key, 1.0)) * float(value)  # type: ignore[arg-type]
        else:
            into[key] = value


def _number(tokens: list[str], stems: list[set[str]], i: int) -> tuple[dict[str, object], int]:
    """Read a number and what it measures: Hz, per-minute rates, or a count."""
    value = float(tokens[i].replace(",", "."))
    nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
    if nxt in vocab.FREQ_UNITS:
        return {"freq": value * vocab.FREQ_UNITS[nxt]}, 2
    if nxt in vocab.RATE_UNITS:
        return {"bpm": value}, 2
    # "60 beats per minute", "2 times a second", "120 ударов в минуту"
    j = i + 1
    if j < len(tokens) and (stems[j] & vocab.TIMES_WORDS):
        j += 1
    if j + 1 < len(tokens) and tokens[j] in vocab.PER_WORDS:
        if stems[j + 1] & vocab.MINUTE_WORDS:
            return {"bpm": value}, j + 2 - i
        if stems[j + 1] & vocab.SECOND_WORDS:
            return {"bpm": value * 60}, j + 2 - i
    if j < len(tokens) and (stems[j] & vocab.SECOND_WORDS):
        return {}, j + 1 - i  # a duration inside the prompt: the request's duration rules
    if value == int(value) and 1 <= value <= 100:
        return {"count": int(value)}, j - i
    return {}, 1


class _Reader:
    """Parser state while walking the tokens of one prompt."""

    def __init__(self) -> None:
        self.events: list[Event] = []
        self.pending: dict[str, object] = {}
        self.part = 0
        self.last: Event | None = None  # the latest source of the current part
        self.adjacent = False  # no joining word since ``last``
        self.from_verb: set[int] = set()  # ids of events named only by a verb ("ringing")
        self.from_compound: set[int] = set()  # ids of events implied by "storm", "гроза"
        self.goes_before: set[int] = set()  # parts that sound before the part preceding them ("after")
        self.close_after = False  # "after the rain, ...": the comma ends the earlier part
        self.close_before = False  # "before the rain, birds": the part after the comma sounds first

    def flush(self) -> None:
        """Modifiers still waiting belong to the source just before them."""
        if self.pending and self.last is not None:
            _apply(self.last, self.pending)
            self.pending = {}

    def join(self, comma: bool = False) -> None:
        if comma and (self.close_after or self.close_before) and self.last is not None:
            self.next_part()
            if self.close_before:
                self.goes_before.add(self.part)
            self.close_after = self.close_before = False
            return
        self.flush()
        self.adjacent = False

    def after(self) -> None:
        """'thunder after rain': what follows sounds first; 'after the rain, birds': so does it."""
        if any(e.part == self.part for e in self.events):
            self.next_part()
            self.goes_before.add(self.part)
        else:
            self.close_after = True

    def before(self, that: bool) -> None:
        """'X before Y': X first (a plain sequence); 'before that Y' / 'before Y, X': the later words first."""
        if any(e.part == self.part for e in self.events):
            self.next_part()
            if that:
                self.goes_before.add(self.part)
        else:
            self.close_before = True

    def ordered_parts(self) -> None:
        """Renumber parts into playing order, honouring 'after'."""
        order: list[int] = []
        for k in range(max((e.part for e in self.events), default=-1) + 1):
            order.insert(len(order) - 1 if k in self.goes_before and order else len(order), k)
        position = {k: i for i, k in enumerate(order)}
        for e in self.events:
            e.part = position[e.part]
        self.events.sort(key=lambda e: e.part)  # stable: within a part, prompt order

    def next_part(self) -> None:
        self.flush()
        if any(e.part == self.part for e in self.events):
            self.part += 1
        self.last, self.adjacent = None, False

    def add(self, words: list[str], sources: list[str], implied: dict[str, object], verb: bool, single: bool) -> None:
        last = self.last
        closing = self.close_after or self.close_before
        if closing and last is not None and self.adjacent and not verb and sources != [last.source]:
            # "после дождя поют птицы": a second source not joined by "and" starts the later part.
            waiting, self.pending = self.pending, {}  # words just before this source are its own
            self.next_part()
            if self.close_before:
                self.goes_before.add(self.part)
            self.close_after = self.close_before = False
            self.pending, last = waiting, None
        if last is not None and self.adjacent and (verb or sources == [last.source]):
            # "clock ticking", "bell ringing": the verb describes the source before it.
            _apply(last, {k: v for k, v in implied.items() if k not in ("density", "tempo", "pitch")})
            last.words += words
            return
        carried: Event | None = None
        if last is not None and self.adjacent and id(last) in self.from_verb:
            # "a loud ringing bell", "звонит телефон": the verb was describing this noun.
            self.events.remove(last)
            carried = last
        same = [e for e in self.events if e.part == self.part and id(e) in self.from_compound and [e.source] == sources]
        if same:  # "thunderstorm with heavy rain": the storm's rain is this rain
            _apply(same[0], {**implied, **self.pending})
            self.pending, self.last, self.adjacent = {}, same[0], True
            return
        for name in sources:
            event = Event(name, replace(Params()), part=self.part, words=list(words))
            if carried is not None:
                event.params, event.gain_db = replace(carried.params), carried.gain_db
                event.words = carried.words + event.words
            _apply(event, {**implied, **({"count": 1} if single else {})})
            _apply(event, self.pending)
            self.events.append(event)
            if verb:
                self.from_verb.add(id(event))
            if len(sources) > 1:
                self.from_compound.add(id(event))
            self.last = event
        self.pending = {}
        self.adjacent = True


_NOTES = {"c": 0, "d": 2, "e": 4, "f": 5, "g": 7, "a": 9, "b": 11, "до": 0, "ре": 2, "ми": 4, "фа": 5, "соль": 7,
          "ля": 9, "си": 11}
_SHARP_NAMES = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")
_KEY = re.compile(
    r"(?:\bтональност[а-я]*\s+)?\b(?:(?P<note>[a-g]|до|ре|ми|фа|соль|ля|си)"
    r"(?P<acc>[#♯♭]|b(?=[\s-])|[\s-]*(?:sharp|flat|диез|бемоль))?[\s-]+)?"
    r"(?P<mode>major|minor|мажор[а-я]*|минор[а-я]*)(?![a-z])(?:\s+key\b)?"
)
_MOOD = re.compile(
    r"\b(?P<minor>sad|melanchol[a-z]*|грустн[а-я]*|печальн[а-я]*)\b"
    r"|\b(?:happy|cheerful|joyful|весел[а-я]*|радостн[а-я]*)\b"
)
_EIGHT_BIT = re.compile(r"\b(?:8|16)[\s-]?(?:(bit)|бит)[a-zа-я]*")


def read_key(text: str) -> tuple[str | None, str]:
    """A musical key ("in A minor", "C# major", "в ре бемоль мажоре", "sad") and the text without it.

    Note names become sharps ("Bb" is "A#"); a mode alone ("minor", "весёлая") leaves the tonic to the seed.
    """
    key = None
    if m := _KEY.search(text):
        mode = "minor" if m["mode"].startswith(("minor", "минор")) else "major"
        key = mode
        if m["note"]:
            shift = 1 if m["acc"] and m["acc"].strip(" -") in ("#", "♯", "sharp", "диез") else -1 if m["acc"] else 0
            key = f"{_SHARP_NAMES[(_NOTES[m['note']] + shift) % 12]} {mode}"
        text = text[: m.start()] + " " + text[m.end() :]
    elif m := _MOOD.search(text):
        key = "minor" if m["minor"] else "major"
        text = text[: m.start()] + " " + text[m.end() :]
    # "8-bit" would read as a count of eight: it names the chiptune style.
    text = _EIGHT_BIT.sub(lambda b: " chiptune " if b[1] else " чиптюн ", text)
    return key, text


def parse(prompt: str) -> Parsed:
    key, text = read_key(prompt.lower().replace("ё", "е"))
    tokens = _TOKEN.findall(text)
    stems = [stem_candidates(t) for t in tokens]
    language = "ru" if _CYRILLIC.search(text) else "en"
    state = _Reader()
    unknown: list[str] = []
    corrected: list[tuple[str, str]] = []
    weak: list[tuple[str, dict[str, object]]] = []
    silence = False

    i = 0
    while i < len(tokens):
        tok, cands = tokens[i], stems[i]
        if tok[0].isdigit():
            mods, used = _number(tokens, stems, i)
            _merge(state.pending, mods)
            i += used
            continue
        if tok in ",;.!?":
            state.join(comma=True)
            i += 1
            continue
        phrase = _match_phrase(stems, i)
        grouped = _collective(tokens, stems, i)
        if grouped is None:
            grouped = _match_modifier(stems, i)
            if grouped is not None and phrase is not None and grouped[0] <= len(phrase[0]):
                grouped = None  # "church bell" is a bell, not a place
        if grouped is not None:
            _merge(state.pending, grouped[1])
            i += grouped[0]
            continue
        if phrase:
            words, sources, implied = phrase
            verb = len(words) == 1 and bool(cands & vocab.VERBS)
            single = i > 0 and tokens[i - 1] in vocab.ARTICLES and tok in vocab.SINGLE_EVENT_WORDS
            state.add(tokens[i : i + len(words)], sources, implied, verb, single)
            i += len(words)
            continue
        count = _lookup(cands, vocab.NUMBER_WORDS)
        modifier = _lookup(cands, vocab.MODIFIERS)
        if modifier is not None:
            _merge(state.pending, modifier)  # type: ignore[arg-type]
        elif count is not None:
            _merge(state.pending, {"count": count})
        elif tok in vocab.AFTER_WORDS:
            if i + 1 < len(tokens) and tokens[i + 1] in vocab.AFTER_THAT:
                state.next_part()
                i += 1
            else:
                state.after()
        elif tok in vocab.BEFORE_WORDS and _source_follows(stems, i + 1):
            joiners = []
            while i + 1 < len(tokens) and tokens[i + 1] in vocab.BEFORE_JOINERS | vocab.AFTER_THAT | {"этим"}:
                i += 1
                joiners.append(tokens[i])
            state.before(that=len(joiners) == 1 and joiners[0] != "как")  # "before that", not "до того как"
        elif tok in vocab.SEQUENCE_WORDS or cands & vocab.SEQUENCE_WORDS:
            state.next_part()
        elif cands & vocab.SILENCE_WORDS:
            silence = True
        elif tok in vocab.OVERLAP_WORDS:
            state.join()
        elif (weak_source := _lookup(cands, vocab.WEAK_SOURCES)) is not None:
            weak.append((weak_source, dict(state.pending)))  # type: ignore[arg-type]
        elif _lookup(cands, vocab.FILLER_WORDS) is None:
            if (near := _misspelt(tok)) is not None:
                words, sources, implied = near
                state.add([tok], sources, implied, False, False)
                corrected.append((tok, words[0]))
            else:
                unknown.append(tok)
        i += 1

    state.ordered_parts()
    events = state.events
    if state.last is None and events and state.pending:
        state.last = events[-1]
    state.flush()
    pending = state.pending
    if not events and pending.get("place") in PLACE_AMBIENCES:
        weak = []  # "шум города", "sounds of the forest": the place's own sound
    if not events and weak:
        name, mods = weak[0]
        event = Event(name, Params())
        _apply(event, {**mods, **pending})
        events.append(event)
        pending = {}
    if not events and pending.get("place"):
        # "in a forest", "на улице": the place alone is its ambience (or, where it has none, its room tone).
        event = Event(PLACE_AMBIENCES.get(pending["place"], "ambience"), Params())
        _apply(event, pending)
        events.append(event)
        pending = {}
    if pending.get("freq"):
        # A bare frequency ("880 Hz") is a tone.
        event = Event("tone", Params(), part=state.part)
        _apply(event, pending)
        events.append(event)
    for e in events:
        e.params.key = e.params.key or key
    _spread_places(events)
    parts = max((e.part for e in events), default=0) + 1
    return Parsed(events, parts, unknown, language, silence, corrected)


_SINGLE_WORDS = {p[0][0]: p for p in _PHRASES if len(p[0]) == 1}
_MISSPELT = 0.9  # similarity at which an unknown word is read as a known one ("explossion")
_MISSPELT_LENGTH = 5  # shorter words are too alike to guess ("rian" could be rain or ran)


def _misspelt(token: str):
    """The one-word phrase an unknown, clearly misspelt word stands for, if one is close enough."""
    if len(token) < _MISSPELT_LENGTH:
        return None
    near = difflib.get_close_matches(token, _SINGLE_WORDS, n=1, cutoff=_MISSPELT)
    return _SINGLE_WORDS[near[0]] if near else None


def _source_follows(stems: list[set[str]], start: int) -> bool:
    """Whether a source is named from ``start`` on ("до" also means "up to": "шаги до двери")."""
    return any(_match_phrase(stems, j) for j in range(start, len(stems)))
