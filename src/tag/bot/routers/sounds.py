"""Sounds: the buttons under a delivered sound (again, longer, shorter), history entries,
suggested prompts after a sound that was not what was asked for, and /sounds (the known sounds)."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message

from tag.bot.catalogue import Texts
from tag.bot.delivery import request_key
from tag.bot.generations import Generations
from tag.bot.keyboards import SoundCb, SuggestionCb, longer, shorter
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


async def try_suggestion(
    query: CallbackQuery,
    callback_data: SuggestionCb,
    texts: Texts,
    generations: Generations,
    settings: Settings,
) -> None:
    """A suggested prompt, made at the length of the sound it replaces."""
    try:
        duration = float(callback_data.seconds)
    except ValueError:
        duration = 0.0
    if not 0 < duration <= settings.max_duration or query.message is None:
        await query.answer(texts("old_button"))
        return
    await query.answer()
    await generations.start(
        user_id=query.from_user.id,
        chat_id=query.message.chat.id,
        prompt=callback_data.prompt,
        duration=duration,
        texts=texts,
    )


# Telegram's limit on one message's text.
MESSAGE_MAX = 4096


def sound_pages(texts: Texts, limit: int = MESSAGE_MAX) -> list[str]:
    """The known sounds by family, in messages of at most ``limit`` characters (cut between lines)."""
    from tag.engines.synth.catalogue import listing

    lines = [texts("sounds_title")]
    for family, sounds in listing(texts.lang):
        lines.append(texts("sounds_family", family=family))
        lines += [texts("sounds_item", title=s.title, example=s.example) for s in sounds]
    pages, page = [], ""
    for line in lines:
        if page and len(page) + 1 + len(line) > limit:
            pages.append(page)
            page = line.lstrip("\n")
        else:
            page = f"{page}\n{line}" if page else line
    return [*pages, page] if page else pages


async def show_sounds(message: Message, texts: Texts) -> None:
    for page in sound_pages(texts):
        await message.answer(page)


def build() -> Router:
    """A fresh router (aiogram attaches a router to one dispatcher only)."""
    router = Router(name="sounds")
    router.callback_query.register(regenerate, SoundCb.filter())
    router.callback_query.register(try_suggestion, SuggestionCb.filter())
    router.message.register(show_sounds, Command("sounds"))
    return router
