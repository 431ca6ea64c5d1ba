"""Buttons under a delivered sound (again, longer, shorter) and history entries."""

from __future__ import annotations

from aiogram import Router
from aiogram.types import CallbackQuery

from tag.bot.catalogue import Texts
from tag.bot.delivery import request_key
from tag.bot.generations import Generations
from tag.bot.keyboards import SoundCb, longer, shorter
from tag.bot.store import BotStore
from tag.config import Settings


async def regenerate(
    query: CallbackQuery,
    callback_data: SoundCb,
    texts: Texts,
    store: BotStore,
    generations: Generations,
    settings: Settings,
) -> None:
    try:
        record = await store.request(request_key(callback_data.request))
    except ValueError:
        record = None
    if record is None or record.user_id != query.from_user.id:
        await query.answer(texts("old_button"))
        return
    duration: float | None = record.duration
    if callback_data.action == "longer":
        duration = longer(record.duration, settings.max_duration)
    elif callback_data.action == "shorter":
        duration = shorter(record.duration)
    elif callback_data.action not in ("again", "history"):
        duration = None
    # A longer sound than the (possibly lowered) maximum is no longer possible.
    if duration is None or duration > settings.max_duration:
        await query.answer(texts("old_button"))
        return
    await query.answer()
    await generations.start(
        user_id=query.from_user.id,
        chat_id=record.chat_id,
        prompt=record.prompt,
        duration=duration,
        texts=texts,
    )


def build() -> Router:
    """A fresh router (aiogram attaches a router to one dispatcher only)."""
    router = Router(name="sounds")
    router.callback_query.register(regenerate, SoundCb.filter())
    return router
