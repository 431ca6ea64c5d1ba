"""The ``synth`` engine: prompt -> parsed events -> rendered, mixed audio."""

from __future__ import annotations

import math

from tag.engines.base import Audio, EngineError, ProgressCallback
from tag.engines.synth.mixer import AMBIENCE_LUFS, PLACE_LUFS, TARGET_LUFS, mix
from tag.engines.synth.notices import say
from tag.engines.synth.parser import Event, parse
from tag.engines.synth.sources import SOURCES
from tag.engines.synth.sources.places import PLACE_AMBIENCES
from tag.engines.synth.verdict import assess

DEFAULT_SAMPLE_RATE = 32000
# With no seed the same prompt always gives the same sound (a fixed default seed).
DEFAULT_SEED = 0

LOWEST_HZ = 20.0
MOST_PER_MINUTE = 12000.0  # also engine rpm


class SynthEngine:
    """Procedural sound design: no weights, deterministic per seed, many times real time.

    ``candidates``, ``steps`` and ``guidance`` are accepted for protocol
    compatibility and ignored: there is nothing to sample or rank.
    """

    name = "synth"

    def __init__(self, sample_rate: int = DEFAULT_SAMPLE_RATE) -> None:
        self.sample_rate = sample_rate

    def _clamp(self, events: list[Event], language: str) -> list[str]:
        """Keep asked frequencies audible and below Nyquist, rates sane; say so when changed."""
        notices = []
        highest = round(0.45 * self.sample_rate)
        for e in events:
            f = e.params.freq
            if f is not None and not LOWEST_HZ <= f <= highest:
                e.params.freq = min(max(f, LOWEST_HZ), highest)
                notices.append(say(language, "frequency", asked=f, low=LOWEST_HZ, high=highest, used=e.params.freq))
            if e.params.bpm is not None and e.params.bpm > MOST_PER_MINUTE:
                notices.append(say(language, "rate", asked=e.params.bpm, used=MOST_PER_MINUTE))
                e.params.bpm = MOST_PER_MINUTE
        return notices

    def generate(
        self,
        prompt: str,
        duration: float,
        *,
        seed: int | None = None,
        candidates: int | None = None,
        steps: int | None = None,
        guidance: float | None = None,
        stereo: bool = False,
        progress: ProgressCallback | None = None,
    ) -> Audio:
        if not (isinstance(duration, (int, float)) and math.isfinite(duration) and duration > 0):
            raise EngineError(
                f"the duration must be a positive number of seconds, not {duration!r}", code="bad_duration"
            )
        n = round(duration * self.sample_rate)
        seed = DEFAULT_SEED if seed is None else int(seed)
        parsed = parse(prompt or "")
        events, notices = parsed.events, []
        target = TARGET_LUFS
        language = parsed.language
        # Not understanding (part of) a prompt is a warning, not a notice: front ends must not call it success.
        warnings, suggestions = assess(parsed)
        if not events:
            events = [Event("ambience")]
            target = AMBIENCE_LUFS
        notices += [say(language, "corrected", typed=typed, meant=meant) for typed, meant in parsed.corrected]
        notices += self._clamp(events, language)
        if parsed.events and all(e.source == "ambience" or e.source in PLACE_AMBIENCES.values() for e in events):
            target = PLACE_LUFS
        if events and all(e.gain_db < 0 for e in events):
            target += max(max(e.gain_db for e in events), -12.0)  # "quiet rain" is quieter overall
        if events and all(e.params.distance > 1.05 for e in events):
            # Only far sources: the whole clip is quieter, about 3 dB per doubling of distance.
            target -= 10 * math.log10(min(e.params.distance for e in events))

        def report(percent: float) -> None:
            if progress:
                progress("sampling", percent)

        report(0.0)
        samples = mix(
            events,
            parsed.parts,
            n,
            self.sample_rate,
            seed,
            stereo=stereo,
            target_lufs=target,
            progress=report,
            room_tone=not parsed.silence,
        )
        if progress:
            progress("done", 100.0)
        sources = list(dict.fromkeys(e.source for e in events))
        return Audio(
            samples=samples,
            sample_rate=self.sample_rate,
            engine=self.name,
            notices=notices,
            warnings=warnings,
            suggestions=suggestions,
            details={
                "sources": sources,
                "not_understood": list(dict.fromkeys(parsed.unknown)),
                "fallback": not parsed.events,
                "unknown_words": list(dict.fromkeys(parsed.unknown)),
                "language": parsed.language,
                "seed": seed,
                "parts": parsed.parts,
                "events": [
                    {
                        "source": e.source,
                        "part": e.part,
                        "gain_db": e.gain_db,
                        "words": e.words,
                        "params": {k: v for k, v in vars(e.params).items() if v is not None},
                    }
                    for e in events
                ],
                "standards": {s: SOURCES[s].standard for s in sources if SOURCES[s].standard},
            },
        )
