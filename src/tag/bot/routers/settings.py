"""/settings: language, how sounds are delivered (audio, voice note, WAV file), and engine."""

from __future__ import annotations

import asyncio
from contextlib import suppress

from aiogram import F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

from tag.bot.catalogue import LANGS, Texts
from tag.bot.keyboards import SettingsCb, settings_keyboard
from tag.bot.store import AUTO_ENGINE, DELIVERIES, BotStore, UserPrefs
from tag.config import Settings
from tag.engines import registry


def offered_engines(settings: Settings) -> list[str]:
    """Engines a user may pick: registered ones whose weights and dependencies are here.

    The bot hears no worker heartbeats, so this is what a worker configured like
    the bot could serve; a worker lacking the engine answers engine_unavailable,
    and that message points the user back here.
    """
    return [spec.name for spec in registry.available() if spec.is_available(settings)]


def _render(texts: Texts, delivery: str, engine: str) -> str:
    return texts(
        "settings",
        lang_name=texts("lang_name"),
        delivery_name=texts(f"delivery_{delivery}"),
        engine_name=texts("engine_auto") if engine == AUTO_ENGINE else engine,
    )


async def _keyboard(texts: Texts, settings: Settings, prefs: UserPrefs) -> InlineKeyboardMarkup:
    # Availability checks look at files on disk: keep them off the event loop.
    engines = await asyncio.to_thread(offered_engines, settings)
    return settings_keyboard(texts, texts.lang, engines, prefs.engine, prefs.delivery)


async def _redraw(query: CallbackQuery, texts: Texts, settings: Settings, prefs: UserPrefs) -> None:
    if not isinstance(query.message, Message):  # an old, inaccessible message
        return
    keyboard = await _keyboard(texts, settings, prefs)
    # Pressing the current choice again changes nothing: Telegram refuses that edit.
    with suppress(TelegramBadRequest):
        await query.message.edit_text(_render(texts, prefs.delivery, prefs.engine), reply_markup=keyboard)


async def show(message: Message, texts: Texts, prefs: UserPrefs, settings: Settings) -> None:
    keyboard = await _keyboard(texts, settings, prefs)
    await message.answer(_render(texts, prefs.delivery, prefs.engine), reply_markup=keyboard)


async def set_lang(query: CallbackQuery, callback_data: SettingsCb, store: BotStore, settings: Settings) -> None:
    if callback_data.value not in LANGS:
        await query.answer()
        return
    await store.set_lang(query.from_user.id, callback_data.value)
    texts = Texts(callback_data.value)
    await query.answer(texts("saved"))
    await _redraw(query, texts, settings, await store.prefs(query.from_user.id))


async def set_delivery(
    query: CallbackQuery, callback_data: SettingsCb, store: BotStore, texts: Texts, settings: Settings
) -> None:
    if callback_data.value not in DELIVERIES:
        await query.answer()
        return
    await store.set_delivery(query.from_user.id, callback_data.value)  # type: ignore[arg-type]
    await query.answer(texts("saved"))
    await _redraw(query, texts, settings, await store.prefs(query.from_user.id))


async def set_engine(
    query: CallbackQuery, callback_data: SettingsCb, store: BotStore, texts: Texts, settings: Settings
) -> None:
    value = callback_data.value
    # Any registered engine is accepted (the panel may predate a change in what
    # is installed); forged names are ignored.
    known = {spec.name for spec in await asyncio.to_thread(registry.available)}
    if value != AUTO_ENGINE and value not in known:
        await query.answer()
        return
    await store.set_engine(query.from_user.id, value)
    await query.answer(texts("saved"))
    await _redraw(query, texts, settings, await store.prefs(query.from_user.id))


def build() -> Router:
    """A fresh router (aiogram attaches a router to one dispatcher only)."""
    router = Router(name="settings")
    router.message.register(show, Command("settings"))
    router.callback_query.register(set_lang, SettingsCb.filter(F.key == "lang"))
    router.callback_query.register(set_delivery, SettingsCb.filter(F.key == "delivery"))
    router.callback_query.register(set_engine, SettingsCb.filter(F.key == "engine"))
    return router
