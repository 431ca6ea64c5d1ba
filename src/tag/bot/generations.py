"""Starting a generation: the spec's ``callback_worker`` and ``sender_queue``.

One path for every way a user asks (duration button, typed duration,
"prompt, 7s", /generate, again/longer/shorter, history): rate limit, claim the
user's single in-flight slot, persist the request, post the status message,
publish.  A broker outage ends the request at once with a clear message, so no
session is left stuck.
"""

from __future__ import annotations

import logging
import secrets
import uuid

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError

from tag.bot.catalogue import Texts, number
from tag.bot.delivery import Courier, status_values
from tag.bot.ratelimit import RateLimiter
from tag.bot.store import AUTO_ENGINE, BotStore
from tag.backpressure import USER_LIMIT, ServiceBusy
from tag.broker import Broker, BrokerError
from tag.config import Settings
from tag.frontend import RequestClient
from tag.messages import RequestOptions, SoundRequest
from tag.observability.logging import request_id as current_request_id

log = logging.getLogger(__name__)

# What the worker should encode, by how the user wants the sound delivered.
FORMAT_FOR_DELIVERY = {"audio": "mp3", "voice": "ogg", "document": "wav"}


class Generations:
    def __init__(
        self,
        *,
        bot: Bot,
        store: BotStore,
        client: RequestClient,
        broker: Broker,
        courier: Courier,
        limiter: RateLimiter,
        settings: Settings,
    ) -> None:
        self.bot = bot
        self.store = store
        self.client = client
        self.broker = broker
        self.courier = courier
        self.limiter = limiter
        self.settings = settings

    async def start(
        self,
        *,
        user_id: int,
        chat_id: int,
        prompt: str,
        duration: float,
        texts: Texts,
        dialogue: str | None = None,
    ) -> bool:
        """Send one request for the user; False (and the user told why) if not possible."""
        wait = self.limiter.retry_after(user_id)
        if wait > 0:
            await self.bot.send_message(chat_id=chat_id, text=texts("rate_limited", seconds=max(1, round(wait))))
            return False
        request_id = str(uuid.uuid4())
        current_request_id.set(request_id)  # this update's task logs it from here on
        if not await self.store.begin_request(user_id, chat_id, request_id, dialogue=dialogue):
            await self.bot.send_message(chat_id=chat_id, text=texts("busy"))
            return False
        self.limiter.hit(user_id)
        prefs = await self.store.prefs(user_id)
        seed = secrets.randbelow(2**31)
        await self.store.add_request(
            request_id=request_id,
            user_id=user_id,
            chat_id=chat_id,
            prompt=prompt,
            duration=duration,
            seed=seed,
            delivery=prefs.delivery,
            lang=texts.lang,
        )
        # Hold the request's lock until it is queued with its status message known,
        # so a timeout or an answer cannot end it half-made.
        async with self.courier.lock(request_id):
            record = await self.store.request(request_id)
            assert record is not None
            position = await self._queue_position()
            values = status_values(record)
            text = texts("queued_position", position=position, **values) if position else texts("queued", **values)
            try:
                status = await self.bot.send_message(chat_id=chat_id, text=text)
            except TelegramAPIError:
                await self.store.finish(request_id, "failed")
                await self.store.clear_session(user_id, request_id=request_id)
                raise
            await self.store.set_status_message(request_id, status.message_id)
            request = SoundRequest(
                request_id=uuid.UUID(request_id),
                chat_id=chat_id,
                user_id=user_id,
                prompt=prompt,
                duration=duration,
                options=RequestOptions(
                    seed=seed,
                    format=FORMAT_FOR_DELIVERY[prefs.delivery],
                    # "auto" leaves the choice to the workers.
                    engine=None if prefs.engine == AUTO_ENGINE else prefs.engine,
                ),
            )
            refusal: str | None = None
            try:
                await self.client.submit(request)
            except ServiceBusy as exc:
                log.info("request refused: %s", exc.reason)
                refusal = texts("error_too_many" if exc.reason == USER_LIMIT else "error_queue_full")
            except BrokerError as exc:
                log.warning("request not queued, broker unavailable: %s", type(exc).__name__)
                refusal = texts("error_broker")
        if refusal is not None:
            await self.courier.end(request_id, "failed", "failed", refusal)
            return False
        log.info("request %s queued (%s s)", request_id, number(duration))
        # Show "sending a file…" at once; the courier's watcher keeps it alive.
        await self.courier.show_chat_action(chat_id, prefs.delivery)
        return True

    async def _queue_position(self) -> int | None:
        try:
            depth = await self.broker.queue_depth(self.settings.request_queue)
        except Exception:  # the position is a nicety; publishing will report a real outage
            return None
        return depth + 1 if depth is not None else None
