"""Every text the bot shows, in English and Russian (the one catalogue).

Texts are HTML (the bot's parse mode); placeholders are filled with ``str.format``
and user-supplied values must be escaped by the caller (``Texts.__call__`` does it
for every argument).
"""

from __future__ import annotations

import html
from typing import Literal

Lang = Literal["en", "ru"]
LANGS: tuple[Lang, ...] = ("en", "ru")
DEFAULT_LANG: Lang = "en"

_EN: dict[str, str] = {
    "start": (
        "Hi! I turn a text description into a sound.\n\n"
        "Send me what you want to hear, for example:\n"
        "• <i>rain on a tin roof</i>\n"
        "• <i>a dog barks in the distance, 7s</i>\n"
        "• <code>/generate birds singing at dawn</code>\n\n"
        "Then pick a duration. /settings: language, file type, engine; "
        "/history: your last prompts, /cancel: stop waiting, /help: this text."
    ),
    "help": (
        "<b>How it works</b>\n"
        "1. Send a description of a sound (up to {max_chars} characters).\n"
        "2. Pick a duration (up to {max_duration} s) or type your own.\n"
        "3. Wait a little: I show the progress and then send the sound.\n\n"
        "Shortcuts: <i>thunder and rain, 10s</i> or <code>/generate thunder</code> skip the buttons.\n"
        "One request at a time; /cancel stops waiting.\n"
        "/settings: language, file type, engine · /history: last prompts"
    ),
    "ask_duration": "🎧 <i>{prompt}</i>\nHow long should it be?",
    "ask_custom_duration": "Type the duration in seconds ({min}–{max}), for example <code>7</code>.",
    "btn_seconds": "{seconds} s",
    "btn_other": "✏️ Other…",
    "btn_cancel": "✖️ Cancel",
    "queued": "⏳ <i>{prompt}</i>, {duration} s\nIn the queue.",
    "queued_position": "⏳ <i>{prompt}</i>, {duration} s\nIn the queue, position {position}.",
    "generating": "🎛 <i>{prompt}</i>, {duration} s\nGenerating… {percent}%",
    "done": "✅ <i>{prompt}</i>, {duration} s\nDone.",
    "failed": "❌ <i>{prompt}</i>, {duration} s\nFailed.",
    "timed_out": "⌛ <i>{prompt}</i>, {duration} s\nNo answer in time.",
    "cancelled_status": "✖️ <i>{prompt}</i>, {duration} s\nCancelled.",
    "caption": "🔊 <i>{prompt}</i> · {duration} s",
    "btn_again": "🔁 Again",
    "btn_longer": "➕ Longer ({seconds} s)",
    "btn_shorter": "➖ Shorter ({seconds} s)",
    "busy": "⏳ I'm still generating your previous sound. Wait a little, or /cancel to stop waiting.",
    "cancelled": "Cancelled. Send a new description whenever you like.",
    "nothing_to_cancel": "There is nothing to cancel. Send a description of a sound.",
    "error_worker": "Sorry, the sound could not be generated: {reason}\nYou can try again.",
    "error_timeout": "Sorry, no answer came within {seconds} s. The service may be busy; please try again.",
    "error_broker": "Sorry, the generation service is unavailable right now. Please try again in a minute.",
    "error_send": "Sorry, I could not send the sound to you. Please try again.",
    "error_too_many": "You already have sounds being made. Please wait for them before asking for more.",
    "error_queue_full": "The service is very busy right now. Please try again in a few minutes.",
    "bad_prompt_empty": "The description is empty: tell me what sound you want.",
    "bad_prompt_long": "The description is {length} characters long; at most {max} are allowed.",
    "bad_prompt_words": "Please describe the sound in words (emoji alone are not enough).",
    "bad_duration_nan": "The duration must be a number of seconds, like <code>7</code>.",
    "bad_duration_range": "The duration must be between {min} and {max} seconds.",
    "rate_limited": "You are sending requests too fast. Please wait {seconds} s.",
    "not_allowed": "Sorry, this bot is private.",
    "non_text": "I understand only text. Send a description of a sound, e.g. <i>waves on a beach</i>.",
    "old_button": "This button is outdated.",
    "settings": (
        "⚙️ <b>Settings</b>\nLanguage: {lang_name}\nSounds arrive as: {delivery_name}\nEngine: {engine_name}"
    ),
    "engine_auto": "auto",
    "error_engine": (
        "Sorry, the engine you chose cannot make sounds right now: {reason}\n"
        "Choose another one (or auto) in /settings and try again."
    ),
    "lang_name": "English",
    "delivery_audio": "audio (MP3)",
    "delivery_voice": "voice note (OGG)",
    "delivery_document": "WAV file",
    "btn_lang": "🌐 Русский",
    "saved": "Saved.",
    "history_empty": "No prompts yet. Send a description of a sound.",
    "history": "🕘 Your last prompts (tap to generate again):",
    "notices": "ℹ️ {notices}",
    "cmd_start": "What this bot does",
    "cmd_help": "How to use it",
    "cmd_generate": "Generate a sound: /generate rain, 5s",
    "cmd_cancel": "Stop waiting",
    "cmd_settings": "Language, file type, engine",
    "cmd_history": "Last prompts",
}

_RU: dict[str, str] = {
    "start": (
        "Привет! Я превращаю текстовое описание в звук.\n\n"
        "Напишите, что хотите услышать, например:\n"
        "• <i>дождь по жестяной крыше</i>\n"
        "• <i>вдали лает собака, 7с</i>\n"
        "• <code>/generate пение птиц на рассвете</code>\n\n"
        "Потом выберите длительность. /settings: язык, тип файла, движок; "
        "/history: последние запросы, /cancel: перестать ждать, /help: эта справка."
    ),
    "help": (
        "<b>Как это работает</b>\n"
        "1. Отправьте описание звука (до {max_chars} символов).\n"
        "2. Выберите длительность (до {max_duration} с) или введите свою.\n"
        "3. Немного подождите: я покажу ход работы и пришлю звук.\n\n"
        "Быстро: <i>гром и дождь, 10с</i> или <code>/generate гром</code> без кнопок.\n"
        "Один запрос за раз; /cancel — перестать ждать.\n"
        "/settings: язык, тип файла, движок · /history: последние запросы"
    ),
    "ask_duration": "🎧 <i>{prompt}</i>\nКакой длительности?",
    "ask_custom_duration": "Введите длительность в секундах ({min}–{max}), например <code>7</code>.",
    "btn_seconds": "{seconds} с",
    "btn_other": "✏️ Другая…",
    "btn_cancel": "✖️ Отмена",
    "queued": "⏳ <i>{prompt}</i>, {duration} с\nВ очереди.",
    "queued_position": "⏳ <i>{prompt}</i>, {duration} с\nВ очереди, место {position}.",
    "generating": "🎛 <i>{prompt}</i>, {duration} с\nГенерирую… {percent}%",
    "done": "✅ <i>{prompt}</i>, {duration} с\nГотово.",
    "failed": "❌ <i>{prompt}</i>, {duration} с\nНе получилось.",
    "timed_out": "⌛ <i>{prompt}</i>, {duration} с\nОтвет не пришёл вовремя.",
    "cancelled_status": "✖️ <i>{prompt}</i>, {duration} с\nОтменено.",
    "caption": "🔊 <i>{prompt}</i> · {duration} с",
    "btn_again": "🔁 Ещё раз",
    "btn_longer": "➕ Длиннее ({seconds} с)",
    "btn_shorter": "➖ Короче ({seconds} с)",
    "busy": "⏳ Я ещё генерирую предыдущий звук. Подождите немного или нажмите /cancel, чтобы не ждать.",
    "cancelled": "Отменено. Присылайте новое описание, когда захотите.",
    "nothing_to_cancel": "Отменять нечего. Пришлите описание звука.",
    "error_worker": "Извините, звук не удалось создать: {reason}\nМожно попробовать ещё раз.",
    "error_timeout": "Извините, ответ не пришёл за {seconds} с. Сервис может быть занят, попробуйте ещё раз.",
    "error_broker": "Извините, сервис генерации сейчас недоступен. Попробуйте через минуту.",
    "error_send": "Извините, не удалось отправить вам звук. Попробуйте ещё раз.",
    "error_too_many": "Ваши звуки ещё создаются. Дождитесь их, прежде чем просить новые.",
    "error_queue_full": "Сервис сейчас очень загружен. Попробуйте через несколько минут.",
    "bad_prompt_empty": "Описание пустое: напишите, какой звук вам нужен.",
    "bad_prompt_long": "Описание длиной {length} символов; можно не больше {max}.",
    "bad_prompt_words": "Опишите звук словами (одних эмодзи недостаточно).",
    "bad_duration_nan": "Длительность должна быть числом секунд, например <code>7</code>.",
    "bad_duration_range": "Длительность должна быть от {min} до {max} секунд.",
    "rate_limited": "Слишком много запросов. Подождите {seconds} с.",
    "not_allowed": "Извините, это закрытый бот.",
    "non_text": "Я понимаю только текст. Пришлите описание звука, например <i>волны на пляже</i>.",
    "old_button": "Эта кнопка устарела.",
    "settings": (
        "⚙️ <b>Настройки</b>\nЯзык: {lang_name}\nЗвуки приходят как: {delivery_name}\nДвижок: {engine_name}"
    ),
    "engine_auto": "авто",
    "error_engine": (
        "Извините, выбранный движок сейчас не может создавать звуки: {reason}\n"
        "Выберите другой (или «авто») в /settings и попробуйте ещё раз."
    ),
    "lang_name": "русский",
    "delivery_audio": "аудио (MP3)",
    "delivery_voice": "голосовое (OGG)",
    "delivery_document": "файл WAV",
    "btn_lang": "🌐 English",
    "saved": "Сохранено.",
    "history_empty": "Запросов пока нет. Пришлите описание звука.",
    "history": "🕘 Ваши последние запросы (нажмите, чтобы повторить):",
    "notices": "ℹ️ {notices}",
    "cmd_start": "Что умеет бот",
    "cmd_help": "Как пользоваться",
    "cmd_generate": "Создать звук: /generate дождь, 5с",
    "cmd_cancel": "Перестать ждать",
    "cmd_settings": "Язык, тип файла, движок",
    "cmd_history": "Последние запросы",
}

CATALOGUE: dict[Lang, dict[str, str]] = {"en": _EN, "ru": _RU}


def pick_lang(stored: str | None, telegram_code: str | None) -> Lang:
    """The user's chosen language, else their Telegram client's, else English."""
    if stored in LANGS:
        return stored  # type: ignore[return-value]
    if telegram_code and telegram_code.lower().split("-")[0] in ("ru", "uk", "be", "kk"):
        return "ru"
    return DEFAULT_LANG


def number(value: float) -> str:
    """Seconds shown to users: 5, 2.5 (never 5.0)."""
    return f"{value:g}"


class Texts:
    """The catalogue bound to one language: ``texts("busy")``."""

    def __init__(self, lang: str) -> None:
        self.lang: Lang = lang if lang in LANGS else DEFAULT_LANG  # type: ignore[assignment]
        self._table = CATALOGUE[self.lang]

    def __call__(self, key: str, **values: object) -> str:
        escaped = {k: html.escape(v) if isinstance(v, str) else v for k, v in values.items()}
        return self._table[key].format(**escaped)

    def raw(self, key: str) -> str:
        return self._table[key]
