"""/start and /help: what the bot does, with examples."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command, CommandStart
from aiogram.types import Message

from tag.bot.catalogue import Texts, number
from tag.config import Settings
from tag.messages import PROMPT_MAX_CHARS

router = Router(name="start")


@router.message(CommandStart())
async def start(message: Message, texts: Texts) -> None:
    await message.answer(texts("start"))


@router.message(Command("help"))
async def help_(message: Message, texts: Texts, settings: Settings) -> None:
    await message.answer(texts("help", max_chars=PROMPT_MAX_CHARS, max_duration=number(settings.max_duration)))
