"""Inline keyboards and their callback data (each fits Telegram's 64 bytes).

Dialogue buttons carry the dialogue id, so a button of an older dialogue is
recognised as outdated instead of acting on the current one.
"""

from __future__ import annotations

from collections.abc import Sequence

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from tag.bot.catalogue import LANG_NAMES, Texts
from tag.bot.store import AUTO_ENGINE, DELIVERIES, RequestRecord
from tag.messages import DURATION_MIN

DURATION_CHOICES = (3, 5, 10, 20)


class DialogueCb(CallbackData, prefix="dlg"):
    dialogue: str
    action: str  # "go" (with seconds), "other", "cancel"
    seconds: int = 0


class SoundCb(CallbackData, prefix="snd"):
    action: str  # "again", "longer", "shorter", "history"
    request: str  # request id, hex


class SuggestionCb(CallbackData, prefix="try"):
    seconds: str  # the duration of the sound it replaces, as "2.5"
    prompt: str


class SettingsCb(CallbackData, prefix="set"):
    key: str  # "lang", "delivery" or "engine"
    value: str


def duration_keyboard(texts: Texts, dialogue: str, max_duration: float) -> InlineKeyboardMarkup:
    choices = [s for s in DURATION_CHOICES if s <= max_duration] or [int(max_duration)]
    row = [
        InlineKeyboardButton(
            text=texts.seconds(s),
            callback_data=DialogueCb(dialogue=dialogue, action="go", seconds=s).pack(),
        )
        for s in choices
    ]
    return InlineKeyboardMarkup(
        inline_keyboard=[
            row,
            [
                InlineKeyboardButton(
                    text=texts("btn_other"), callback_data=DialogueCb(dialogue=dialogue, action="other").pack()
                ),
                InlineKeyboardButton(
                    text=texts("btn_cancel"), callback_data=DialogueCb(dialogue=dialogue, action="cancel").pack()
                ),
            ],
        ]
    )


def cancel_keyboard(texts: Texts, dialogue: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(
                    text=texts("btn_cancel"), callback_data=DialogueCb(dialogue=dialogue, action="cancel").pack()
                )
            ]
        ]
    )


def longer(duration: float, max_duration: float) -> float | None:
    value = min(max_duration, round(duration * 2 * 2) / 2)
    return value if value > duration else None


def shorter(duration: float) -> float | None:
    value = max(DURATION_MIN, round(duration / 2 * 2) / 2)
    return value if value < duration else None


def sound_keyboard(texts: Texts, record: RequestRecord, max_duration: float) -> InlineKeyboardMarkup:
    """Buttons under a delivered sound: again (new seed), longer, shorter."""
    rid = record.request_id.replace("-", "")
    row = [InlineKeyboardButton(text=texts("btn_again"), callback_data=SoundCb(action="again", request=rid).pack())]
    if (up := longer(record.duration, max_duration)) is not None:
        row.append(
            InlineKeyboardButton(
                text=texts("btn_longer", seconds=texts.seconds(up)),
                callback_data=SoundCb(action="longer", request=rid).pack(),
            )
        )
    if (down := shorter(record.duration)) is not None:
        row.append(
            InlineKeyboardButton(
                text=texts("btn_shorter", seconds=texts.seconds(down)),
                callback_data=SoundCb(action="shorter", request=rid).pack(),
            )
        )
    return InlineKeyboardMarkup(inline_keyboard=[row])


def suggestion_keyboard(prompts: Sequence[str], duration: float) -> tuple[InlineKeyboardMarkup | None, list[str]]:
    """One button per suggested prompt that makes it at ``duration``; and the prompts too long for a button."""
    rows, left = [], []
    for prompt in prompts:
        try:
            data = SuggestionCb(seconds=f"{duration:g}", prompt=prompt).pack()
        except ValueError:  # a prompt holding the ":" separator cannot travel
            data = ""
        if not data or len(data.encode()) > 64:  # Telegram refuses longer callback data
            left.append(prompt)
            continue
        label = prompt if len(prompt) <= 40 else prompt[:39] + "…"
        rows.append([InlineKeyboardButton(text=f"🔁 {label}", callback_data=data)])
    return (InlineKeyboardMarkup(inline_keyboard=rows) if rows else None), left


def history_keyboard(texts: Texts, records: list[RequestRecord]) -> InlineKeyboardMarkup:
    rows = []
    for record in records:
        label = record.prompt if len(record.prompt) <= 40 else record.prompt[:39] + "…"
        rows.append(
            [
                InlineKeyboardButton(
                    text=f"{label} · {texts.seconds(record.duration)}",
                    callback_data=SoundCb(action="history", request=record.request_id.replace("-", "")).pack(),
                )
            ]
        )
    return InlineKeyboardMarkup(inline_keyboard=rows)


ENGINES_PER_ROW = 3


def ticked(label: str, chosen: bool) -> str:
    """A choice's label, marked when it is the current value."""
    return "✓ " + label if chosen else label


def settings_keyboard(
    texts: Texts,
    lang: str,
    engines: Sequence[str] = (),
    current_engine: str = AUTO_ENGINE,
    current_delivery: str = "audio",
) -> InlineKeyboardMarkup:
    """Language, delivery, and engine (``auto`` first, then ``engines``); every current value ticked."""
    choices = [AUTO_ENGINE, *(e for e in engines if e != AUTO_ENGINE)]
    engine_buttons = []
    for name in choices:
        try:
            data = SettingsCb(key="engine", value=name).pack()
        except ValueError:  # a name holding the ":" separator cannot travel
            continue
        if len(data.encode()) > 64:  # Telegram refuses longer callback data
            continue
        label = texts("engine_auto") if name == AUTO_ENGINE else name
        engine_buttons.append(InlineKeyboardButton(text=ticked(label, name == current_engine), callback_data=data))
    engine_rows = [engine_buttons[i : i + ENGINES_PER_ROW] for i in range(0, len(engine_buttons), ENGINES_PER_ROW)]
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(
                    text=ticked(name, code == lang), callback_data=SettingsCb(key="lang", value=code).pack()
                )
                for code, name in LANG_NAMES.items()
            ],
            [
                InlineKeyboardButton(
                    text=ticked(texts(f"delivery_{d}"), d == current_delivery),
                    callback_data=SettingsCb(key="delivery", value=d).pack(),
                )
                for d in DELIVERIES
            ],
            *engine_rows,
        ]
    )
