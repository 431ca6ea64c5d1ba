"""How often the synth engine understands everyday prompts, per language.

    .venv/bin/python bench/synth_recognition.py [--language en|ru] [--misses | --all] [--json]

Reads ``bench/prompts/everyday_<language>.txt`` (one prompt a line, "#" lines
skipped) and parses every prompt.  A prompt is *recognised* when the engine did
not fall back to its neutral ambience and at least one source it chose is a real
sound, not a generic tone or noise, unless the prompt asked for one ("a 440 Hz
tone", "white noise", "three beeps").  It is *fully understood* when it is
recognised and no word of it was left unknown.  The parser is what the engine
runs first, and its events are exactly the engine's ``details`` (``fallback`` is
"no events", ``sources`` their names), so parsing is enough and fast.
"""

from __future__ import annotations

import argparse
import json
import re
from dataclasses import asdict, dataclass
from pathlib import Path

from tag.engines.synth.parser import parse

PROMPTS = Path(__file__).parent / "prompts"
LANGUAGES = ("en", "ru")

# Sources that are a bare signal rather than a sound of the world: they only
# count when the prompt asked for a signal ("ambience" is the fallback itself).
GENERIC = frozenset({"tone", "beep", "hum", "white_noise", "pink_noise", "brown_noise", "ambience"})
# Words that ask for such a signal.  Kept strict on purpose: the bare Russian
# "шум" ("шум дождя") and the English "noise" ("traffic noise") name a sound of
# something, "hiss"/"buzz"/"сигнал"/"гудок" often a snake, bees, a horn, so none
# of them asks for a generic source.
_ASKS_FOR_SIGNAL = re.compile(
    r"\b(?:tones?|sine|sinewave|k?hz|beeps?|beeping|bleeps?|hums?|humming|drones?"
    r"|(?:white|pink|brown|brownian)\s+noise|static|ambien(?:t|ce)"
    r"|тон\w*|синус\w*|к?гц|герц\w*|писк\w*|бип\w*|гул\w*|гудени\w*|гудит|гудят"
    r"|(?:бел|розов|коричнев)\w*\s+шум\w*|помех\w*|эмбиент\w*)\b"
)


@dataclass
class Result:
    prompt: str
    sources: list[str]
    unknown: list[str]
    fallback: bool
    recognised: bool
    understood: bool


def asks_for_signal(prompt: str) -> bool:
    return bool(_ASKS_FOR_SIGNAL.search(prompt.lower().replace("ё", "е")))


def counts_as_recognised(prompt: str, sources: list[str], fallback: bool) -> bool:
    """The counting rule: no fallback, and a real sound or a signal that was asked for."""
    if fallback or not sources:
        return False
    return any(s not in GENERIC for s in sources) or asks_for_signal(prompt)


def judge(prompt: str) -> Result:
    parsed = parse(prompt)
    sources = list(dict.fromkeys(e.source for e in parsed.events))
    unknown = list(dict.fromkeys(parsed.unknown))
    fallback = not parsed.events
    recognised = counts_as_recognised(prompt, sources, fallback)
    return Result(prompt, sources, unknown, fallback, recognised, recognised and not unknown)


def load(language: str) -> list[str]:
    lines = (PROMPTS / f"everyday_{language}.txt").read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


def measure(language: str) -> dict[str, object]:
    results = [judge(p) for p in load(language)]
    total = len(results)
    recognised = sum(r.recognised for r in results)
    understood = sum(r.understood for r in results)
    return {
        "language": language,
        "prompts": total,
        "recognised": recognised,
        "recognised_share": recognised / total if total else 0.0,
        "understood": understood,
        "understood_share": understood / total if total else 0.0,
        "misses": [asdict(r) for r in results if not r.recognised],
        "partly_understood": [asdict(r) for r in results if r.recognised and not r.understood],
    }


def _describe(miss: dict[str, object]) -> str:
    sources = ", ".join(miss["sources"]) or "(fallback)"  # type: ignore[arg-type]
    unknown = ", ".join(miss["unknown"]) or "-"  # type: ignore[arg-type]
    return f"  {miss['prompt']} -> {sources}; unknown: {unknown}"


def main() -> None:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--language", choices=LANGUAGES, help="one language only (default: both)")
    args.add_argument("--misses", action="store_true", help="list every prompt that was not recognised")
    args.add_argument("--all", action="store_true", help="list every prompt with its sources, to spot wrong guesses")
    args.add_argument("--json", action="store_true", help="print everything as JSON")
    opts = args.parse_args()
    reports = [measure(lang) for lang in ([opts.language] if opts.language else LANGUAGES)]
    if opts.json:
        print(json.dumps(reports, ensure_ascii=False, indent=2))
        return
    for r in reports:
        print(
            f"{r['language']}: recognised {r['recognised']}/{r['prompts']} ({100 * r['recognised_share']:.1f} %), "
            f"fully understood {r['understood']}/{r['prompts']} ({100 * r['understood_share']:.1f} %)"
        )
        if opts.all:
            for prompt in load(r["language"]):  # type: ignore[arg-type]
                result = asdict(judge(prompt))
                print(("+" if result["recognised"] else "-") + _describe(result)[1:])
        elif opts.misses:
            for miss in r["misses"]:  # type: ignore[union-attr]
                print(_describe(miss))


if __name__ == "__main__":
    main()
