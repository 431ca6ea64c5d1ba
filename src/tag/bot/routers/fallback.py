"""Anything the other routers did not take: non-text input, unknown commands."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.types import CallbackQuery, Message

from tag.bot.catalogue import Texts


async def unknown_command(message: Message, texts: Texts) -> None:
    await message.answer(texts("start"))


async def non_text(message: Message, texts: Texts) -> None:
    # Photos, stickers, voice notes, files, locations...
    await message.answer(texts("non_text"))


async def unknown_button(query: CallbackQuery, texts: Texts) -> None:
    # Every callback query must be answered, even one we do not recognise.
    await query.answer(texts("old_button"))


def build() -> Router:
    """A fresh router (aiogram attaches a router to one dispatcher only)."""
    router = Router(name="fallback")
    router.message.register(unknown_command, F.text)
    router.message.register(non_text)
    router.callback_query.register(unknown_button)
    return router
