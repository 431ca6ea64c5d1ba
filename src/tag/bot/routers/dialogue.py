"""The dialogue: prompt -> duration (buttons or typed) -> request; /generate; /cancel.

Session states (persisted): idle (no row), ``awaiting_duration`` (keyboard
shown), ``awaiting_custom`` (the user was asked to type seconds), ``in_flight``.
A prompt sent while in flight becomes the user's next request, with the same
duration choice (``BotStore.next_prompt``); it is sent when the current one ends.
"""

from __future__ import annotations

from dataclasses import dataclass

from aiogram import F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command, CommandObject
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

from tag.bot.catalogue import Texts
from tag.bot.delivery import Courier
from tag.bot.generations import Generations
from tag.bot.keyboards import DialogueCb, cancel_keyboard, duration_keyboard
from tag.bot.parsing import Rejection, looks_like_duration, split_prompt, validate_duration, validate_prompt
from tag.bot.store import BotStore
from tag.config import Settings
from tag.messages import DURATION_MIN


# /generate without a duration uses this (capped by the configured maximum).
DEFAULT_DURATION = 5.0


def _reason(texts: Texts, rejection: Rejection) -> str:
    return texts(rejection.key, **rejection.values)


def _custom_hint(texts: Texts, settings: Settings) -> str:
    return texts("ask_custom_duration", min=texts.seconds(DURATION_MIN), max=texts.seconds(settings.max_duration))


@dataclass(frozen=True)
class Choosing:
    """A prompt whose duration the user is choosing: now, or for their next request."""

    chat_id: int
    prompt: str
    dialogue: str
    custom: bool  # asked to type the seconds
    next: bool  # it waits for the user's current request


async def choosing(store: BotStore, user_id: int) -> Choosing | None:
    session = await store.session(user_id)
    if session is not None and session.state in ("awaiting_duration", "awaiting_custom"):
        custom = session.state == "awaiting_custom"
        return Choosing(session.chat_id, session.prompt or "", session.dialogue, custom, next=False)
    waiting = await store.next_prompt(user_id)
    if waiting is not None and waiting.duration is None:
        return Choosing(waiting.chat_id, waiting.prompt, waiting.dialogue, waiting.custom, next=True)
    return None


async def cancel(message: Message, texts: Texts, store: BotStore, courier: Courier, generations: Generations) -> None:
    assert message.from_user is not None
    session = await store.session(message.from_user.id)
    # First, so that ending the current request does not start the next one.
    waiting = await store.drop_next(message.from_user.id)
    if session is None and waiting is None:
        await message.answer(texts("nothing_to_cancel"))
        return
    if session is not None and session.state == "in_flight" and session.request_id:
        if await courier.cancel(session.request_id):
            await generations.client.cancel(session.request_id)  # workers skip or stop it
    await store.clear_session(message.from_user.id)
    await message.answer(texts("cancelled_with_next", prompt=waiting.prompt) if waiting else texts("cancelled"))


async def generate(
    message: Message,
    command: CommandObject,
    texts: Texts,
    settings: Settings,
    generations: Generations,
) -> None:
    assert message.from_user is not None
    prompt_text, duration_text = split_prompt(command.args or "")
    try:
        prompt = validate_prompt(prompt_text)
        duration = (
            validate_duration(duration_text, settings.max_duration)
            if duration_text is not None
            else min(DEFAULT_DURATION, settings.max_duration)
        )
    except Rejection as rejection:
        await message.answer(_reason(texts, rejection))
        return
    await generations.start(
        user_id=message.from_user.id, chat_id=message.chat.id, prompt=prompt, duration=duration, texts=texts
    )


async def text(
    message: Message,
    texts: Texts,
    settings: Settings,
    store: BotStore,
    generations: Generations,
) -> None:
    assert message.from_user is not None and message.text is not None
    user_id, chat_id = message.from_user.id, message.chat.id
    asked = await choosing(store, user_id)
    if asked is not None and (asked.custom or looks_like_duration(message.text)):
        try:
            duration = validate_duration(message.text, settings.max_duration)
        except Rejection as rejection:
            await message.answer(_reason(texts, rejection) + "\n" + _custom_hint(texts, settings))
            return
        await generations.start(
            user_id=user_id,
            chat_id=chat_id,
            prompt=asked.prompt,
            duration=duration,
            texts=texts,
            dialogue=asked.dialogue,
        )
        return
    prompt_text, duration_text = split_prompt(message.text)
    try:
        prompt = validate_prompt(prompt_text)
        duration = validate_duration(duration_text, settings.max_duration) if duration_text else None
    except Rejection as rejection:
        await message.answer(_reason(texts, rejection))
        return
    if duration is not None:
        await generations.start(user_id=user_id, chat_id=chat_id, prompt=prompt, duration=duration, texts=texts)
        return
    # Twice at most: the current request may end between the two steps.
    for _ in range(2):
        dialogue = await store.start_dialogue(user_id, chat_id, prompt)
        if dialogue is not None:
            break
        # A sound is being made: this prompt waits as the next one.
        if await generations.wait_next(user_id=user_id, chat_id=chat_id, prompt=prompt, duration=None, texts=texts):
            return
    else:
        return
    await message.answer(
        texts("ask_duration", prompt=prompt),
        reply_markup=duration_keyboard(texts, dialogue, settings.max_duration),
    )


async def dialogue_button(
    query: CallbackQuery,
    callback_data: DialogueCb,
    texts: Texts,
    settings: Settings,
    store: BotStore,
    generations: Generations,
) -> None:
    user_id = query.from_user.id
    asked = await choosing(store, user_id)
    message = query.message if isinstance(query.message, Message) else None
    if asked is None or asked.dialogue != callback_data.dialogue:
        await query.answer(texts("old_button"))
        if message is not None:
            await _drop_keyboard(message)
        return
    if callback_data.action == "cancel":
        if asked.next:
            await store.drop_next(user_id, dialogue=asked.dialogue)
        else:
            await store.clear_session(user_id)
        await query.answer()
        if message is not None:
            await _edit(message, texts("cancelled"))
        return
    if callback_data.action == "other":
        if asked.next:
            await store.await_next_custom_duration(user_id, asked.dialogue)
        else:
            await store.await_custom_duration(user_id, asked.dialogue)
        await query.answer()
        question = texts("next_ask_duration" if asked.next else "ask_duration", prompt=asked.prompt)
        if message is not None:
            await _edit(
                message, question + "\n" + _custom_hint(texts, settings), cancel_keyboard(texts, asked.dialogue)
            )
        return
    try:
        duration = validate_duration(callback_data.seconds, settings.max_duration)
    except Rejection as rejection:
        await query.answer(_reason(texts, rejection))
        return
    await query.answer()
    if message is not None:
        await _drop_keyboard(message)
    await generations.start(
        user_id=user_id,
        chat_id=asked.chat_id,
        prompt=asked.prompt,
        duration=duration,
        texts=texts,
        dialogue=callback_data.dialogue,
    )


async def _edit(message: Message, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
    try:
        await message.edit_text(text, reply_markup=markup)
    except TelegramBadRequest:
        pass  # a double press: the message already says this


async def _drop_keyboard(message: Message) -> None:
    try:
        await message.edit_reply_markup(reply_markup=None)
    except TelegramBadRequest:
        pass  # already gone


def build() -> Router:
    """A fresh router (aiogram attaches a router to one dispatcher only)."""
    router = Router(name="dialogue")
    router.message.register(cancel, Command("cancel"))
    router.message.register(generate, Command("generate"))
    router.message.register(text, F.text & ~F.text.startswith("/"))
    router.callback_query.register(dialogue_button, DialogueCb.filter())
    return router
