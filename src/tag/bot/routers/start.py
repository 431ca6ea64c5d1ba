"""/start and /help: what the bot does, with examples."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command, CommandStart
from aiogram.types import Message

from tag.bot.catalogue import Texts
from tag.config import Settings
from tag.messages import PROMPT_MAX_CHARS


async def start(message: Message, texts: Texts) -> None:
    await message.answer(texts("start"))


async def help_(message: Message, texts: Texts, settings: Settings) -> None:
    await message.answer(texts("help", max_chars=PROMPT_MAX_CHARS, max_duration=texts.seconds(settings.max_duration)))


def build() -> Router:
    """A fresh router (aiogram attaches a router to one dispatcher only)."""
    router = Router(name="start")
    router.message.register(start, CommandStart())
    router.message.register(help_, Command("help"))
    return router
