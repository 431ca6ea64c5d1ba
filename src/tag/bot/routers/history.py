"""/history: the user's last 10 prompts, each a button that generates it again."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import Message

from tag.bot.catalogue import Texts
from tag.bot.keyboards import history_keyboard
from tag.bot.store import BotStore


HISTORY_SIZE = 10


async def show(message: Message, texts: Texts, store: BotStore) -> None:
    assert message.from_user is not None
    records = await store.history(message.from_user.id, HISTORY_SIZE)
    if not records:
        await message.answer(texts("history_empty"))
        return
    await message.answer(texts("history"), reply_markup=history_keyboard(texts, records))


def build() -> Router:
    """A fresh router (aiogram attaches a router to one dispatcher only)."""
    router = Router(name="history")
    router.message.register(show, Command("history"))
    return router
