"""The spec's ``sound_receiver``: responses and progress back to the user.

Runs concurrently with polling (it is fed by the ``RequestClient`` consumer), so
no user ever waits on another.  Every request ends exactly once (done, failed,
timed out or cancelled) through ``BotStore.finish``; duplicate or stale
responses find nothing pending and are dropped.  A watcher ends requests that
get no answer within ``request_timeout`` and keeps a chat action showing while
users wait.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence

from aiogram import Bot
from aiogram.enums import ChatAction
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.types import BufferedInputFile, InlineKeyboardMarkup

from tag.bot.catalogue import Texts
from tag.bot.keyboards import sound_keyboard, suggestion_keyboard
from tag.bot.store import BotStore, RequestRecord, RequestState
from tag.config import Settings
from tag.messages import ProgressEvent, SoundResponse

log = logging.getLogger(__name__)

# Telegram shows a chat action for about 5 s; refresh a little before it fades.
CHAT_ACTION_EVERY = 4.5
TITLE_MAX = 64
# Ended requests are kept this long (history, again/longer/shorter buttons).
KEEP_REQUESTS_FOR = 90 * 24 * 3600.0
# Status edits for progress, all users together (Telegram allows ~30 messages/s).
PROGRESS_EDITS_PER_SECOND = 10.0
# Flood control ("retry after N s") is waited out in place this many times.
RETRY_AFTER_ATTEMPTS = 3
RETRY_AFTER_MAX = 30
# Failures worth a redelivery of the response (Telegram briefly unreachable).
_TRANSIENT = (TelegramNetworkError, TelegramServerError, TelegramRetryAfter)
# Characters of engine notes a caption carries (Telegram allows 1024 in all).
NOTES_MAX = 300
# Worker error codes meaning the requested engine cannot run (the user picked it).
ENGINE_ERRORS = frozenset({"engine_unavailable", "unknown_engine"})


def status_values(record: RequestRecord, texts: Texts) -> dict[str, object]:
    prompt = record.prompt if len(record.prompt) <= 200 else record.prompt[:199] + "…"
    return {"prompt": prompt, "duration": texts.seconds(record.duration)}


def caption(
    texts: Texts, record: RequestRecord, seed: int, notices: Sequence[str], warnings: Sequence[str] = ()
) -> str:
    """A delivered sound's caption: what and how long, the seed to make it again, each warning
    (what was made, what left out) and note on its line."""
    lines = [texts("caption", **status_values(record, texts)), texts("caption_seed", seed=seed)]
    kept = _fitting([*warnings, *notices], NOTES_MAX)
    lines += [texts("warning", warning=line) for line in kept[: len(warnings)]]
    lines += [texts("notice", notice=line) for line in kept[len(warnings) :]]
    return "\n".join(lines)


def _fitting(notices: Sequence[str], room: int) -> list[str]:
    # Cut before escaping, so no HTML entity is ever cut in half.
    kept = []
    for notice in notices:
        note = " ".join(notice.split())
        if not note:
            continue
        if room <= 0:
            break
        if len(note) > room:
            note = note[: room - 1] + "…"
        kept.append(note)
        room -= len(note)
    return kept


class Courier:
    def __init__(self, bot: Bot, store: BotStore, settings: Settings, performer: str) -> None:
        self.bot = bot
        self.store = store
        self.settings = settings
        self.performer = performer
        self._last_edit: dict[str, float] = {}
        self._locks: dict[str, asyncio.Lock] = {}
        self._latest: dict[str, float] = {}  # last reported percent per request
        self._deferred: dict[str, asyncio.Task[None]] = {}  # scheduled status edits
        # Called with a user id once their request has ended: starts what they queued meanwhile.
        self.after_free: Callable[[int], Awaitable[None]] | None = None

    def lock(self, request_id: str) -> asyncio.Lock:
        """Serialises everything that changes one request's status message."""
        return self._locks.setdefault(request_id, asyncio.Lock())

    def _forget(self, request_id: str) -> None:
        self._locks.pop(request_id, None)
        self._last_edit.pop(request_id, None)
        self._latest.pop(request_id, None)
        deferred = self._deferred.pop(request_id, None)
        if deferred is not None:
            deferred.cancel()

    def close(self) -> None:
        """Drop scheduled status edits (on shutdown)."""
        for task in list(self._deferred.values()):
            task.cancel()
        self._deferred.clear()

    # Status message
    async def edit_status(self, record: RequestRecord, key: str, **values: object) -> None:
        if record.status_message_id is None:
            return
        texts = Texts(record.lang)
        text = texts(key, **status_values(record, texts), **values)
        try:
            await self.bot.edit_message_text(
                text=text, chat_id=record.chat_id, message_id=record.status_message_id
            )
        except TelegramBadRequest as exc:
            # "message is not modified" or deleted by the user: nothing to fix.
            log.debug("status edit refused: %s", exc.message)
        except TelegramAPIError as exc:
            log.warning("status edit failed: %s", type(exc).__name__)

    async def end(self, request_id: str, state: RequestState, status_key: str, message: str | None) -> bool:
        """End a pending request: status message, a message to the user, session cleared."""
        async with self.lock(request_id):
            record = await self.store.finish(request_id, state)
            if record is None:
                return False
            await self.edit_status(record, status_key)
        self._forget(request_id)
        if message is not None:
            await self._send_text(record.chat_id, message)
        await self.free(record.user_id, request_id)
        return True

    async def free(self, user_id: int, request_id: str) -> None:
        """start_after_audio_sent: the user may ask again, and what they queued meanwhile starts."""
        if not await self.store.clear_session(user_id, request_id=request_id) or self.after_free is None:
            return
        try:
            await self.after_free(user_id)
        except Exception:  # the ended request is settled whatever happens to the next one
            log.exception("starting a user's next request failed")

    async def _send_text(self, chat_id: int, text: str) -> None:
        try:
            await self.bot.send_message(chat_id=chat_id, text=text)
        except TelegramAPIError as exc:
            log.warning("message to a chat failed: %s", type(exc).__name__)

    # Broker callbacks
    async def on_progress(self, event: ProgressEvent) -> None:
        if event.stage == "done":
            return  # the response itself follows
        request_id = str(event.request_id)
        self._latest[request_id] = event.percent
        if request_id in self._deferred:
            return  # an edit is already scheduled; it will show this value
        wait = self._edit_due(request_id) - time.monotonic()
        if wait > 0:
            # Telegram allows about 30 messages/s in all: edit at most every
            # interval, but do show the latest value once the interval is over.
            self._deferred[request_id] = asyncio.create_task(self._edit_progress_later(request_id, wait))
            return
        await self._edit_progress(request_id)

    def _edit_due(self, request_id: str) -> float:
        last = self._last_edit.get(request_id)
        if last is None:
            return float("-inf")
        # With many sounds generating at once, space each one's edits further
        # apart so that all of them together stay within the overall budget.
        interval = max(self.settings.bot_progress_interval, len(self._latest) / PROGRESS_EDITS_PER_SECOND)
        return last + interval

    async def _edit_progress_later(self, request_id: str, wait: float) -> None:
        try:
            await asyncio.sleep(wait)
            await self._edit_progress(request_id)
        finally:
            self._deferred.pop(request_id, None)

    async def _edit_progress(self, request_id: str) -> None:
        percent = self._latest.get(request_id)
        if percent is None:
            return
        self._last_edit[request_id] = time.monotonic()
        async with self.lock(request_id):
            record = await self.store.request(request_id)
            if record is not None and record.state == "pending":
                await self.edit_status(record, "generating", percent=int(percent))
                return
        # A late event for a request that has ended (or is not ours): forget it.
        self._latest.pop(request_id, None)
        self._last_edit.pop(request_id, None)
        self._locks.pop(request_id, None)

    async def on_response(self, response: SoundResponse) -> None:
        request_id = str(response.request_id)
        async with self.lock(request_id):
            ok = response.status == "ok" and bool(response.audio)
            # An interrupted earlier delivery (the bot was killed mid-upload) is
            # claimable again: better a sound twice than never.
            record = await self.store.finish(request_id, "delivering" if ok else "failed", unless_ended=True)
            if record is None:
                log.info("dropping a duplicate or stale response for %s", request_id)
                return
            texts = Texts(record.lang)
            if ok:
                try:
                    await self._send_sound(record, response, texts)
                except _TRANSIENT as exc:
                    # Put it back and let the broker redeliver the response.
                    await self.store.reopen(request_id)
                    log.warning("sending a sound failed (%s); will retry", type(exc).__name__)
                    raise
                except TelegramAPIError as exc:
                    log.warning("sending a sound failed: %s", type(exc).__name__)
                    await self.store.finish(request_id, "failed", unless_ended=True)
                    await self.edit_status(record, "failed")
                    await self._send_text(record.chat_id, texts("error_send"))
                else:
                    log.info("request %s: sound delivered", request_id)  # the end of the request's trace
                    await self.store.finish(request_id, "done", unless_ended=True)
                    # Not what was asked for is not "✅ Done": say so, and offer what to try instead.
                    await self.edit_status(record, "done_warning" if response.warnings else "done")
                    if response.warnings and response.suggestions:
                        await self._suggest(record, response, texts)
            else:
                reason = response.error.message if response.error else "no audio"
                await self.edit_status(record, "failed")
                # A missing engine is the user's choice to change: point them to /settings.
                engine_gone = response.error is not None and response.error.code in ENGINE_ERRORS
                await self._send_text(
                    record.chat_id, texts("error_engine" if engine_gone else "error_worker", reason=reason)
                )
        self._forget(request_id)
        await self.free(record.user_id, request_id)

    async def _send_sound(self, record: RequestRecord, response: SoundResponse, texts: Texts) -> None:
        assert response.audio is not None
        duration = response.duration if response.duration is not None else record.duration
        # The worker's word on the seed wins (it may have drawn one); else the one we sent.
        seed = response.seed if response.seed is not None else record.seed
        text = caption(texts, record, seed, response.notices, response.warnings)
        markup: InlineKeyboardMarkup = sound_keyboard(texts, record, self.settings.max_duration)
        fmt = response.format or "wav"
        file = BufferedInputFile(response.audio, filename=f"{_slug(record.prompt)}.{fmt}")
        seconds = max(1, round(duration))
        for attempt in range(RETRY_AFTER_ATTEMPTS):
            try:
                await self._upload(record, fmt, file, seconds, text, markup)
                return
            except TelegramRetryAfter as exc:
                # Flood control: wait as told (a little), else let the broker redeliver.
                if attempt == RETRY_AFTER_ATTEMPTS - 1 or exc.retry_after > RETRY_AFTER_MAX:
                    raise
                await asyncio.sleep(exc.retry_after)

    async def _suggest(self, record: RequestRecord, response: SoundResponse, texts: Texts) -> None:
        """The warning again, with a button per suggested prompt that makes it at the same length."""
        duration = response.duration if response.duration is not None else record.duration
        markup, left = suggestion_keyboard(response.suggestions, duration)
        warning = " ".join(_fitting(response.warnings, NOTES_MAX))
        lines = [texts("suggestions", warning=warning, duration=texts.seconds(duration))]
        lines += [texts("suggestion_line", prompt=prompt) for prompt in left]
        try:
            await self.bot.send_message(chat_id=record.chat_id, text="\n".join(lines), reply_markup=markup)
        except TelegramAPIError as exc:  # the sound is delivered; the suggestions are a help
            log.warning("sending suggestions failed: %s", type(exc).__name__)

    async def _upload(
        self,
        record: RequestRecord,
        fmt: str,
        file: BufferedInputFile,
        seconds: int,
        caption: str,
        markup: InlineKeyboardMarkup,
    ) -> None:
        # Telegram plays MP3 as audio and OGG/Opus as voice; anything else is a file.
        if fmt == "mp3":
            title = record.prompt if len(record.prompt) <= TITLE_MAX else record.prompt[: TITLE_MAX - 1] + "…"
            await self.bot.send_audio(
                chat_id=record.chat_id,
                audio=file,
                title=title,
                performer=self.performer,
                duration=seconds,
                caption=caption,
                reply_markup=markup,
            )
        elif fmt == "ogg":
            await self.bot.send_voice(
                chat_id=record.chat_id, voice=file, duration=seconds, caption=caption, reply_markup=markup
            )
        else:
            await self.bot.send_document(
                chat_id=record.chat_id, document=file, caption=caption, reply_markup=markup
            )

    # Cancellation by the user
    async def cancel(self, request_id: str) -> bool:
        return await self.end(request_id, "cancelled", "cancelled_status", None)

    # Watcher: timeouts and chat actions
    async def watch(self, stop: asyncio.Event) -> None:
        tick = min(1.0, self.settings.request_timeout / 4)
        last_action = last_prune = 0.0
        while not stop.is_set():
            try:
                await self.expire_overdue()
                now = time.monotonic()
                if now - last_action >= CHAT_ACTION_EVERY:
                    last_action = now
                    await self.show_chat_actions()
                if now - last_prune >= 3600:
                    last_prune = now
                    await self.store.prune(time.time() - KEEP_REQUESTS_FOR)
            except Exception:  # one bad tick must not end the watcher
                log.exception("bot watcher tick failed")
            try:
                await asyncio.wait_for(stop.wait(), tick)
            except asyncio.TimeoutError:
                pass

    async def expire_overdue(self) -> None:
        deadline = time.time() - self.settings.request_timeout
        for record in await self.store.pending():
            if record.created <= deadline:
                texts = Texts(record.lang)
                message = texts("error_timeout", seconds=texts.seconds(self.settings.request_timeout))
                await self.end(record.request_id, "timeout", "timed_out", message)

    async def show_chat_actions(self) -> None:
        chats = {record.chat_id: record.delivery for record in await self.store.pending()}
        for chat_id, delivery in chats.items():
            await self.show_chat_action(chat_id, delivery)

    async def show_chat_action(self, chat_id: int, delivery: str) -> None:
        action = ChatAction.UPLOAD_DOCUMENT if delivery == "document" else ChatAction.UPLOAD_VOICE
        try:
            await self.bot.send_chat_action(chat_id=chat_id, action=action)
        except TelegramAPIError as exc:
            log.debug("chat action failed: %s", type(exc).__name__)


def _slug(prompt: str) -> str:
    words = "".join(ch if ch.isalnum() else " " for ch in prompt).split()
    return "_".join(words)[:40] or "sound"


def request_key(hex_or_uuid: str) -> str:
    """The stored form of a request id (callback data carries it as bare hex)."""
    return str(uuid.UUID(hex_or_uuid))
