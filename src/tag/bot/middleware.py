"""Per-update context: the allow-list and the user's language.

Handlers receive ``texts`` (the catalogue in the user's language) through the
dispatcher's data, next to the dependencies set at start-up.
"""

from __future__ import annotations

from typing import Any, Awaitable, Callable

from aiogram import BaseMiddleware
from aiogram.types import CallbackQuery, Message, TelegramObject, User

from tag.bot.catalogue import Texts, pick_lang
from tag.bot.store import BotStore

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


class UserContext(BaseMiddleware):
    def __init__(self, store: BotStore, allowed_users: list[int]) -> None:
        self.store = store
        self.allowed = frozenset(allowed_users)

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        user: User | None = data.get("event_from_user")
        if user is None or user.is_bot:
            return None
        prefs = await self.store.prefs(user.id)
        texts = Texts(pick_lang(prefs.lang, user.language_code))
        if self.allowed and user.id not in self.allowed:
            if isinstance(event, Message):
                await event.answer(texts("not_allowed"))
            elif isinstance(event, CallbackQuery):
                await event.answer(texts("not_allowed"))
            return None
        data["texts"] = texts
        data["prefs"] = prefs
        return await handler(event, data)
