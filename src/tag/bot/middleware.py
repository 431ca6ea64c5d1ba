"""Per-update context: one user's updates in order, the allow-list, the language.

Handlers receive ``texts`` (the catalogue in the user's language) through the
dispatcher's data, next to the dependencies set at start-up.
"""

from __future__ import annotations

import asyncio
from typing import Any, Awaitable, Callable

from aiogram import BaseMiddleware
from aiogram.types import CallbackQuery, Message, TelegramObject, User

from tag.bot.catalogue import Texts, pick_lang
from tag.bot.store import BotStore

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


class OneAtATimePerUser(BaseMiddleware):
    """Handle one user's updates one after another, in the order they arrived.

    aiogram runs the updates of one getUpdates batch (or of concurrent webhook
    calls) as parallel tasks.  Without this, "/cancel" and a duration press sent
    in the same moment interleave their reads and writes of the user's session:
    the press may see the dialogue before the cancel clears it and answer as if a
    sound were being made.  Different users still run in parallel, and handlers
    are short (a generation runs on the workers), so the wait is a few queries.
    asyncio.Lock wakes waiters first come, first served, which keeps the order.
    """

    def __init__(self) -> None:
        self._locks: dict[int, asyncio.Lock] = {}
        self._users: dict[int, int] = {}  # how many updates hold or wait for each lock

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        user: User | None = data.get("event_from_user")
        if user is None:
            return await handler(event, data)
        lock = self._locks.setdefault(user.id, asyncio.Lock())
        self._users[user.id] = self._users.get(user.id, 0) + 1
        try:
            async with lock:
                return await handler(event, data)
        finally:
            self._users[user.id] -= 1
            if not self._users[user.id]:  # nobody else waits: forget the lock
                del self._users[user.id], self._locks[user.id]


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
