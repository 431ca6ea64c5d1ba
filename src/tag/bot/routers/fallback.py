"""Anything the other routers did not take: non-text input, unknown commands."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.types import CallbackQuery, Message

from tag.bot.catalogue import Texts

router = Router(name="fallback")


@router.message(F.text)
async def unknown_command(message: Message, texts: Texts) -> None:
    await message.answer(texts("start"))


@router.message()
async def non_text(message: Message, texts: Texts) -> None:
    # Photos, stickers, voice notes, files, locations...
    await message.answer(texts("non_text"))


@router.callback_query()
async def unknown_button(query: CallbackQuery, texts: Texts) -> None:
    # Every callback query must be answered, even one we do not recognise.
    await query.answer(texts("old_button"))
