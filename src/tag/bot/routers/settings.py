"""/settings: language and how sounds are delivered (audio, voice note, WAV file)."""

from __future__ import annotations

from contextlib import suppress

from aiogram import F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message

from tag.bot.catalogue import LANGS, Texts
from tag.bot.keyboards import SettingsCb, settings_keyboard
from tag.bot.store import DELIVERIES, BotStore, UserPrefs


def _render(texts: Texts, delivery: str) -> str:
    return texts("settings", lang_name=texts("lang_name"), delivery_name=texts(f"delivery_{delivery}"))


async def _redraw(query: CallbackQuery, texts: Texts, delivery: str) -> None:
    if not isinstance(query.message, Message):  # an old, inaccessible message
        return
    # Pressing the current choice again changes nothing: Telegram refuses that edit.
    with suppress(TelegramBadRequest):
        await query.message.edit_text(_render(texts, delivery), reply_markup=settings_keyboard(texts, texts.lang))


async def show(message: Message, texts: Texts, prefs: UserPrefs) -> None:
    await message.answer(_render(texts, prefs.delivery), reply_markup=settings_keyboard(texts, texts.lang))


async def set_lang(query: CallbackQuery, callback_data: SettingsCb, store: BotStore, prefs: UserPrefs) -> None:
    if callback_data.value not in LANGS:
        await query.answer()
        return
    await store.set_lang(query.from_user.id, callback_data.value)
    texts = Texts(callback_data.value)
    await query.answer(texts("saved"))
    await _redraw(query, texts, prefs.delivery)


async def set_delivery(query: CallbackQuery, callback_data: SettingsCb, store: BotStore, texts: Texts) -> None:
    if callback_data.value not in DELIVERIES:
        await query.answer()
        return
    await store.set_delivery(query.from_user.id, callback_data.value)  # type: ignore[arg-type]
    await query.answer(texts("saved"))
    await _redraw(query, texts, callback_data.value)


def build() -> Router:
    """A fresh router (aiogram attaches a router to one dispatcher only)."""
    router = Router(name="settings")
    router.message.register(show, Command("settings"))
    router.callback_query.register(set_lang, SettingsCb.filter(F.key == "lang"))
    router.callback_query.register(set_delivery, SettingsCb.filter(F.key == "delivery"))
    return router
