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

NAMES_RU = {
    "rain": "дождь",
    "wind": "ветер",
    "thunder": "гром",
    "sea": "море",
    "stream": "ручей",
    "drip": "капель",
    "fire": "костёр",
    "birds": "птицы",
    "crickets": "сверчки",
    "frogs": "лягушки",
    "dog": "собака",
    "cat": "кошка",
    "clock": "часы",
    "knock": "стук",
    "typing": "клавиатура",
    "door_creak": "скрип двери",
    "glass": "стекло",
    "church_bell": "колокол",
    "doorbell": "дверной звонок",
    "footsteps": "шаги",
    "heartbeat": "сердцебиение",
    "applause": "аплодисменты",
    "crowd": "толпа",
    "car": "автомобиль",
    "motorbike": "мотоцикл",
    "train": "поезд",
    "aeroplane": "самолёт",
    "helicopter": "вертолёт",
    "engine_hum": "гул мотора",
    "tone": "тон",
    "beep": "писк",
    "hum": "гул",
    "dial_tone": "длинный гудок",
    "busy_tone": "короткие гудки",
    "phone_ring": "телефонный звонок",
    "alarm_clock": "будильник",
    "siren": "сирена",
    "white_noise": "белый шум",
    "pink_noise": "розовый шум",
    "brown_noise": "коричневый шум",
    "whoosh": "свист",
    "explosion": "взрыв",
    "laser": "лазер",
    "coin": "монетка",
    "gunshot": "выстрел",
    "ambience": "фон",
}


def say(language: str, key: str, **values: object) -> str:
    return _TEXT.get(language, _TEXT["en"])[key].format(**values)


def source_name(source: str, language: str) -> str:
    if language == "ru":
        return NAMES_RU.get(source, source.replace("_", " "))
    return source.replace("_", " ")
