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
# Each language by its own name: how a user finds theirs in any language.
LANG_NAMES: dict[Lang, str] = {"en": "English", "ru": "Русский"}

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
        "2. Pick a duration (up to {max_duration}) or type your own.\n"
        "3. Wait a little: I show the progress and then send the sound.\n\n"
        "Shortcuts: <i>thunder and rain, 10s</i> or <code>/generate thunder</code> skip the buttons.\n"
        "One sound at a time: a description sent meanwhile waits as the next one; /cancel stops waiting.\n"
        "/settings: language, file type, engine · /history: last prompts · /sounds: the sounds I know"
    ),
    "ask_duration": "🎧 <i>{prompt}</i>\nHow long should it be?",
    "ask_custom_duration": "Type the duration in seconds, from {min} to {max}, for example <code>7</code>.",
    "seconds": "{value} s",
    "btn_other": "✏️ Other…",
    "btn_cancel": "✖️ Cancel",
    "queued": "⏳ <i>{prompt}</i>, {duration}\nIn the queue.",
    "queued_position": "⏳ <i>{prompt}</i>, {duration}\nIn the queue, position {position}.",
    "generating": "🎛 <i>{prompt}</i>, {duration}\nGenerating… {percent}%",
    "done": "✅ <i>{prompt}</i>, {duration}\nDone.",
    "done_warning": "⚠️ <i>{prompt}</i>, {duration}\nNot what you asked for: see the warning under the sound.",
    "failed": "❌ <i>{prompt}</i>, {duration}\nFailed.",
    "timed_out": "⌛ <i>{prompt}</i>, {duration}\nNo answer in time.",
    "cancelled_status": "✖️ <i>{prompt}</i>, {duration}\nCancelled.",
    "caption": "🔊 <i>{prompt}</i> · {duration}",
    "caption_seed": "🎲 Seed: {seed}",
    "btn_again": "🔁 Again",
    "btn_longer": "➕ Longer ({seconds})",
    "btn_shorter": "➖ Shorter ({seconds})",
    "next_queued": "📝 Got it: I'll make <i>{prompt}</i>, {duration} next, when the current sound is ready.",
    "next_ask_duration": (
        "📝 Got it: I'll make <i>{prompt}</i> next, when the current sound is ready.\nHow long should it be?"
    ),
    "next_replaced": "It takes the place of <i>{prompt}</i>: one description can wait at a time.",
    "cancelled": "Cancelled. Send a new description whenever you like.",
    "cancelled_with_next": "Cancelled, and <i>{prompt}</i> will not be made next. Send a new description whenever you like.",
    "nothing_to_cancel": "There is nothing to cancel. Send a description of a sound.",
    "error_worker": "Sorry, the sound could not be generated: {reason}\nYou can try again.",
    "error_timeout": "Sorry, no answer came within {seconds}. The service may be busy; please try again.",
    "error_broker": "Sorry, the generation service is unavailable right now. Please try again in a minute.",
    "error_send": "Sorry, I could not send the sound to you. Please try again.",
    "error_too_many": "You already have sounds being made. Please wait for them before asking for more.",
    "error_queue_full": "The service is very busy right now. Please try again in a few minutes.",
    "bad_prompt_empty": "The description is empty: tell me what sound you want.",
    "bad_prompt_long": "The description is {length} characters long; at most {max} are allowed.",
    "bad_prompt_words": "Please describe the sound in words (emoji alone are not enough).",
    "bad_prompt_character": "The description holds a character I cannot use; please send plain text.",
    "bad_duration_nan": "The duration must be a number of seconds, like <code>7</code>.",
    "bad_duration_range": "The duration must be between {min} and {max} seconds (this bot's limit; its operator can raise it with TAG_MAX_DURATION).",
    "rate_limited": "You are sending requests too fast. Please wait {seconds}.",
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
    "decimal_point": ".",
    "delivery_audio": "audio (MP3)",
    "delivery_voice": "voice note (OGG)",
    "delivery_document": "WAV file",
    "saved": "Saved.",
    "history_empty": "No prompts yet. Send a description of a sound.",
    "history": "🕘 Your last prompts (tap to generate again):",
    "notice": "ℹ️ {notice}",
    "warning": "⚠️ {warning}",
    "suggestions": "⚠️ {warning}\n\nTry one of these instead (tap to make it, {duration}):",
    "suggestion_line": "• <code>{prompt}</code>",
    "sounds_title": "🎼 <b>Sounds I know</b>, each with an example to send:",
    "sounds_family": "\n<b>{family}</b>",
    "sounds_item": "• {title}: <code>{example}</code>",
    "cmd_start": "What this bot does",
    "cmd_help": "How to use it",
    "cmd_generate": "Generate a sound: /generate rain, 5s",
    "cmd_cancel": "Stop waiting",
    "cmd_settings": "Language, file type, engine",
    "cmd_history": "Last prompts",
    "cmd_sounds": "Sounds I know, with examples",
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
        "2. Выберите длительность (до {max_duration}) или введите свою.\n"
        "3. Немного подождите: я покажу ход работы и пришлю звук.\n\n"
        "Быстро: <i>гром и дождь, 10с</i> или <code>/generate гром</code> без кнопок.\n"
        "Один звук за раз: описание, присланное в это время, будет следующим; /cancel — перестать ждать.\n"
        "/settings: язык, тип файла, движок · /history: последние запросы · /sounds: какие звуки я знаю"
    ),
    "ask_duration": "🎧 <i>{prompt}</i>\nКакой длительности?",
    "ask_custom_duration": "Введите длительность в секундах, от {min} до {max}, например <code>7</code>.",
    "seconds": "{value} с",
    "btn_other": "✏️ Другая…",
    "btn_cancel": "✖️ Отмена",
    "queued": "⏳ <i>{prompt}</i>, {duration}\nВ очереди.",
    "queued_position": "⏳ <i>{prompt}</i>, {duration}\nВ очереди, место {position}.",
    "generating": "🎛 <i>{prompt}</i>, {duration}\nГенерирую… {percent}%",
    "done": "✅ <i>{prompt}</i>, {duration}\nГотово.",
    "done_warning": "⚠️ <i>{prompt}</i>, {duration}\nЭто не то, что вы просили: см. предупреждение под звуком.",
    "failed": "❌ <i>{prompt}</i>, {duration}\nНе получилось.",
    "timed_out": "⌛ <i>{prompt}</i>, {duration}\nОтвет не пришёл вовремя.",
    "cancelled_status": "✖️ <i>{prompt}</i>, {duration}\nОтменено.",
    "caption": "🔊 <i>{prompt}</i> · {duration}",
    "caption_seed": "🎲 Зерно (seed): {seed}",
    "btn_again": "🔁 Ещё раз",
    "btn_longer": "➕ Длиннее ({seconds})",
    "btn_shorter": "➖ Короче ({seconds})",
    "next_queued": "📝 Принято: следующим сделаю <i>{prompt}</i>, {duration}, когда будет готов текущий звук.",
    "next_ask_duration": (
        "📝 Принято: следующим сделаю <i>{prompt}</i>, когда будет готов текущий звук.\nКакой длительности?"
    ),
    "next_replaced": "Это вместо <i>{prompt}</i>: ждать может только одно описание.",
    "cancelled": "Отменено. Присылайте новое описание, когда захотите.",
    "cancelled_with_next": "Отменено, и <i>{prompt}</i> следующим не будет. Присылайте новое описание, когда захотите.",
    "nothing_to_cancel": "Отменять нечего. Пришлите описание звука.",
    "error_worker": "Извините, звук не удалось создать: {reason}\nМожно попробовать ещё раз.",
    "error_timeout": "Извините, ответ не пришёл за {seconds}. Сервис может быть занят, попробуйте ещё раз.",
    "error_broker": "Извините, сервис генерации сейчас недоступен. Попробуйте через минуту.",
    "error_send": "Извините, не удалось отправить вам звук. Попробуйте ещё раз.",
    "error_too_many": "Ваши звуки ещё создаются. Дождитесь их, прежде чем просить новые.",
    "error_queue_full": "Сервис сейчас очень загружен. Попробуйте через несколько минут.",
    "bad_prompt_empty": "Описание пустое: напишите, какой звук вам нужен.",
    "bad_prompt_long": "Описание длиной {length} символов; можно не больше {max}.",
    "bad_prompt_words": "Опишите звук словами (одних эмодзи недостаточно).",
    "bad_prompt_character": "В описании есть символ, с которым я не могу работать; пришлите обычный текст.",
    "bad_duration_nan": "Длительность должна быть числом секунд, например <code>7</code>.",
    "bad_duration_range": "Длительность должна быть от {min} до {max} секунд (предел этого бота; его владелец может поднять его через TAG_MAX_DURATION).",
    "rate_limited": "Слишком много запросов. Подождите {seconds}.",
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
    "decimal_point": ",",
    "delivery_audio": "аудио (MP3)",
    "delivery_voice": "голосовое (OGG)",
    "delivery_document": "файл WAV",
    "saved": "Сохранено.",
    "history_empty": "Запросов пока нет. Пришлите описание звука.",
    "history": "🕘 Ваши последние запросы (нажмите, чтобы повторить):",
    "notice": "ℹ️ {notice}",
    "warning": "⚠️ {warning}",
    "suggestions": "⚠️ {warning}\n\nПопробуйте вместо этого (нажмите, чтобы создать, {duration}):",
    "suggestion_line": "• <code>{prompt}</code>",
    "sounds_title": "🎼 <b>Звуки, которые я знаю</b>, с примером запроса для каждого:",
    "sounds_family": "\n<b>{family}</b>",
    "sounds_item": "• {title}: <code>{example}</code>",
    "cmd_start": "Что умеет бот",
    "cmd_help": "Как пользоваться",
    "cmd_generate": "Создать звук: /generate дождь, 5с",
    "cmd_cancel": "Перестать ждать",
    "cmd_settings": "Язык, тип файла, движок",
    "cmd_history": "Последние запросы",
    "cmd_sounds": "Какие звуки я знаю",
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
    """The catalogue bound to one language: ``texts("saved")``."""

    def __init__(self, lang: str) -> None:
        self.lang: Lang = lang if lang in LANGS else DEFAULT_LANG  # type: ignore[assignment]
        self._table = CATALOGUE[self.lang]

    def __call__(self, key: str, **values: object) -> str:
        escaped = {k: html.escape(v) if isinstance(v, str) else v for k, v in values.items()}
        return self._table[key].format(**escaped)

    def seconds(self, value: float) -> str:
        """A duration as the user reads it ("2.5 s", "2,5 с"): every duration shown goes through here."""
        return self("seconds", value=number(value).replace(".", self._table["decimal_point"]))

    def raw(self, key: str) -> str:
        return self._table[key]
