"""Starting a generation: the spec's ``callback_worker`` and ``sender_queue``.

One path for every way a user asks (duration button, typed duration,
"prompt, 7s", /generate, again/longer/shorter, history): rate limit, claim the
user's single in-flight slot, persist the request, post the status message,
publish.  While the slot is taken the request waits as the user's next one (in
the store, so a restart keeps it) and is sent once the current one has ended.
A broker outage ends the request at once with a clear message, so no session
is left stuck.
"""

from __future__ import annotations

import logging
import uuid

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.types import InlineKeyboardMarkup

from tag.bot.catalogue import Texts, number
from tag.bot.delivery import Courier, status_values
from tag.bot.keyboards import duration_keyboard
from tag.bot.ratelimit import RateLimiter
from tag.bot.store import AUTO_ENGINE, BotStore
from tag.backpressure import USER_LIMIT, ServiceBusy
from tag.broker import Broker, BrokerError
from tag.config import Settings
from tag.frontend import RequestClient
from tag.messages import RequestOptions, SoundRequest, new_seed
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
        """Send one request for the user; False (and the user told why) if not now.

        While the user's previous sound is being made, the request waits as their
        next one instead (one request in flight per user, as the design says).
        """
        wait = self.limiter.retry_after(user_id)
        if wait > 0:
            text = texts("rate_limited", seconds=texts.seconds(max(1, round(wait))))
            await self.bot.send_message(chat_id=chat_id, text=text)
            return False
        # Twice at most: the current request may end between the two steps.
        for _ in range(2):
            request_id = str(uuid.uuid4())
            if await self.store.begin_request(user_id, chat_id, request_id, dialogue=dialogue):
                return await self._send(request_id, user_id, chat_id, prompt, duration, texts)
            if await self.wait_next(
                user_id=user_id, chat_id=chat_id, prompt=prompt, duration=duration, texts=texts, dialogue=dialogue
            ):
                return False
        return False  # the dialogue was replaced meanwhile: its button is outdated

    async def wait_next(
        self,
        *,
        user_id: int,
        chat_id: int,
        prompt: str,
        duration: float | None,
        texts: Texts,
        dialogue: str | None = None,
    ) -> bool:
        """Keep ``prompt`` as the user's next request and say so; False if nothing is in flight.

        Without a duration the user is asked for one, as for any prompt.  A newer
        prompt takes the place of an older one waiting: the user is told.
        """
        earlier = await self.store.next_prompt(user_id)
        waiting = await self.store.queue_next(user_id, chat_id, prompt, duration, texts.lang, dialogue=dialogue)
        if waiting is None:
            return False
        markup: InlineKeyboardMarkup | None = None
        if duration is None:
            text = texts("next_ask_duration", prompt=prompt)
            markup = duration_keyboard(texts, waiting.dialogue, self.settings.max_duration)
        else:
            text = texts("next_queued", prompt=prompt, duration=texts.seconds(duration))
        if earlier is not None and earlier.dialogue != waiting.dialogue:
            text += "\n" + texts("next_replaced", prompt=earlier.prompt)
        log.info("a request waits as the user's next one")
        await self.bot.send_message(chat_id=chat_id, text=text, reply_markup=markup)
        return True

    async def start_next(self, user_id: int) -> None:
        """The user's request has ended: send the one they queued meanwhile, if it is complete."""
        waiting = await self.store.take_next(user_id)
        if waiting is None or waiting.duration is None:
            return  # nothing waits, or it is an ordinary dialogue now (its keyboard still works)
        request_id = str(uuid.uuid4())
        if not await self.store.begin_request(user_id, waiting.chat_id, request_id):
            # The user started another request in between: this one waits after it.
            await self.store.queue_next(
                user_id, waiting.chat_id, waiting.prompt, waiting.duration, waiting.lang, dialogue=waiting.dialogue
            )
            return
        await self._send(request_id, user_id, waiting.chat_id, waiting.prompt, waiting.duration, Texts(waiting.lang))

    async def resume_waiting(self) -> None:
        """On start-up: send next requests whose current one ended while the bot was down."""
        for user_id in await self.store.unblocked_next():
            await self.start_next(user_id)

    async def _send(
        self, request_id: str, user_id: int, chat_id: int, prompt: str, duration: float, texts: Texts
    ) -> bool:
        """Persist, post the status message and publish a request whose in-flight slot is claimed."""
        current_request_id.set(request_id)  # this update's task logs it from here on
        self.limiter.hit(user_id)
        prefs = await self.store.prefs(user_id)
        seed = new_seed()
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
            values = status_values(record, texts)
            text = texts("queued_position", position=position, **values) if position else texts("queued", **values)
            try:
                status = await self.bot.send_message(chat_id=chat_id, text=text)
            except TelegramAPIError:
                await self.store.finish(request_id, "failed")
                await self.courier.free(user_id, request_id)
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
