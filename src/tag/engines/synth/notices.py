"""What the engine tells the user, in the language of the prompt (English or Russian)."""

from __future__ import annotations

_TEXT = {
    "en": {
        "fallback": "Nothing in the prompt was recognised as a sound: this is a neutral ambience, "
        "not what you asked for.",
        "not_recognised": "Not recognised: {words}.",
        "partial": "Only part of the prompt was understood: made {sources}; left out {words}.",
        "frequency": "{asked:g} Hz is outside {low:g}-{high:g} Hz; used {used:g} Hz.",
        "rate": "{asked:g} per minute is too fast; used {used:g}.",
        "corrected": "Read '{typed}' as '{meant}'.",
    },
    "ru": {
        "fallback": "В запросе не нашлось ни одного знакомого звука: это нейтральный фон, "
        "а не то, что вы просили.",
        "not_recognised": "Не распознано: {words}.",
        "partial": "Понята только часть запроса: сделано — {sources}; пропущено — {words}.",
        "frequency": "{asked:g} Гц вне диапазона {low:g}–{high:g} Гц; взято {used:g} Гц.",
        "rate": "{asked:g} в минуту — слишком часто; взято {used:g}.",
        "corrected": "«{typed}» прочитано как «{meant}».",
    },
}



def say(language: str, key: str, **values: object) -> str:
    return _TEXT.get(language, _TEXT["en"])[key].format(**values)
