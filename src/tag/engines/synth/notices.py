"""What the engine tells the user, in the language of the prompt (English or Russian)."""

from __future__ import annotations

_TEXT = {
    "en": {
        "nothing": "Nothing in the prompt was recognised as a sound, so this is a soft neutral ambience. "
        "Try words such as rain, wind, thunder, footsteps, bell, siren or '440 Hz beep'.",
        "not_recognised": "Not recognised: {words}.",
        "left_out": "Not understood and left out: {words}. Made from: {sources}.",
        "frequency": "{asked:g} Hz is outside {low:g}-{high:g} Hz; used {used:g} Hz.",
        "rate": "{asked:g} per minute is too fast; used {used:g}.",
    },
    "ru": {
        "nothing": "В запросе не нашлось знакомых звуков, поэтому здесь тихий нейтральный фон. "
        "Попробуйте слова вроде «дождь», «ветер», «гром», «шаги», «колокол», «сирена» или «писк 440 Гц».",
        "not_recognised": "Не распознано: {words}.",
        "left_out": "Не понято и пропущено: {words}. Использовано: {sources}.",
        "frequency": "{asked:g} Гц вне диапазона {low:g}–{high:g} Гц; взято {used:g} Гц.",
        "rate": "{asked:g} в минуту — слишком часто; взято {used:g}.",
    },
}



def say(language: str, key: str, **values: object) -> str:
    return _TEXT.get(language, _TEXT["en"])[key].format(**values)
