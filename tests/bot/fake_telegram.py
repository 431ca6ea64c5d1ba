"""A fake Telegram Bot API server on loopback, for driving the real aiogram bot.

It serves ``/bot<token>/<method>`` (form-encoded or multipart, like the real
API) and ``/file/bot<token>/<path>``, keeps the chat as the bot left it
(messages with their current text and keyboard), records every call, and feeds
updates either through ``getUpdates`` long polling or, once ``setWebhook`` was
called, by POSTing them to the webhook with the secret header.

Tests act as users (``FakeUser.send``/``press``) and wait for what the bot does
with ``wait_for`` (a condition with a timeout, never a sleep).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Callable

import aiohttp
from aiohttp import web

# A token shaped like a real one; tests assert it never shows up in logs.
TEST_TOKEN = "123456:TEST-token-" + uuid.uuid4().hex
BOT_USER = {"id": 777000111, "is_bot": True, "first_name": "TAG", "username": "tag_test_bot"}


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    files: dict[str, bytes]
    index: int

    @property
    def chat_id(self) -> int | None:
        value = self.params.get("chat_id")
        return int(value) if value is not None else None

    @property
    def text(self) -> str:
        return str(self.params.get("text") or self.params.get("caption") or "")

    def upload(self) -> bytes:
        """The bytes of the uploaded audio/voice/document."""
        for key in ("audio", "voice", "document"):
            if key in self.params:
                return self.files[key]
        raise KeyError(f"{self.method} carried no file")


@dataclass
class SentMessage:
    chat_id: int
    message_id: int
    text: str
    reply_markup: dict[str, Any] | None
    kind: str = "text"  # text, audio, voice, document
    history: list[str] = field(default_factory=list)  # earlier texts (edits)

    def buttons(self) -> list[dict[str, Any]]:
        if not self.reply_markup:
            return []
        return [b for row in self.reply_markup.get("inline_keyboard", []) for b in row]

    def button(self, contains: str) -> dict[str, Any]:
        for button in self.buttons():
            if contains in button["text"]:
                return button
        raise LookupError(f"no button containing {contains!r} in {[b['text'] for b in self.buttons()]}")


class TelegramError(Exception):
    def __init__(self, code: int, description: str) -> None:
        super().__init__(description)
        self.code, self.description = code, description


class FakeTelegram:
    def __init__(self, token: str) -> None:
        self.token = token
        self.calls: list[Call] = []
        self.messages: dict[tuple[int, int], SentMessage] = {}
        self.uploads: dict[str, bytes] = {}
        self.webhook: dict[str, Any] | None = None
        self.webhook_responses: list[int] = []
        self.base_url = ""
        self._updates: list[dict[str, Any]] = []
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1)
        self._changed = asyncio.Condition()
        self._failures: dict[str, list[tuple[int, str, int | None]]] = {}
        self._runner: web.AppRunner | None = None
        self._closing = False
        self._http: aiohttp.ClientSession | None = None

    # Life cycle
    async def start(self) -> str:
        app = web.Application(client_max_size=60 * 1024 * 1024)
        app.router.add_post("/bot{token}/{method}", self._api)
        app.router.add_get("/bot{token}/{method}", self._api)
        app.router.add_get("/file/bot{token}/{path:.*}", self._file)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.base_url = f"http://127.0.0.1:{port}"
        self._http = aiohttp.ClientSession()
        return self.base_url

    async def close(self) -> None:
        async with self._changed:  # release long polls still waiting
            self._closing = True
            self._changed.notify_all()
        if self._http is not None:
            await self._http.close()
        if self._runner is not None:
            await self._runner.cleanup()

    # What tests use
    def user(self, user_id: int, language_code: str | None = "en", first_name: str = "Ann") -> "FakeUser":
        return FakeUser(self, user_id, language_code, first_name)

    def fail(
        self,
        method: str,
        code: int = 500,
        description: str = "Internal Server Error",
        times: int = 1,
        retry_after: int | None = None,
    ) -> None:
        """Make the next ``times`` calls of ``method`` fail (429 with ``retry_after`` = flood control)."""
        self._failures.setdefault(method, []).extend([(code, description, retry_after)] * times)

    def mark(self) -> int:
        """A cursor: ``wait_for(since=mark)`` sees only calls made after it."""
        return len(self.calls)

    async def wait_for(
        self,
        method: str | tuple[str, ...],
        *,
        chat_id: int | None = None,
        where: Callable[[Call], bool] | None = None,
        since: int = 0,
        timeout: float = 15.0,
    ) -> Call:
        """The first call (from ``since``) of ``method`` matching; TimeoutError if none comes."""
        methods = (method,) if isinstance(method, str) else method

        def find() -> Call | None:
            for call in self.calls[since:]:
                if call.method in methods and (chat_id is None or call.chat_id == chat_id):
                    if where is None or where(call):
                        return call
            return None

        async with self._changed:
            try:
                await asyncio.wait_for(self._changed.wait_for(lambda: find() is not None), timeout)
            except asyncio.TimeoutError:
                seen = [(c.method, c.chat_id, c.text[:60]) for c in self.calls[since:]]
                raise AssertionError(f"no {methods} call for chat {chat_id} within {timeout}s; saw {seen}") from None
            found = find()
            assert found is not None
            return found

    def calls_of(self, method: str, chat_id: int | None = None, since: int = 0) -> list[Call]:
        return [
            c for c in self.calls[since:] if c.method == method and (chat_id is None or c.chat_id == chat_id)
        ]

    def message(self, call: Call) -> SentMessage:
        """The chat message a send/edit call created or changed, as it is now."""
        message_id = int(call.params.get("message_id") or call.params["_message_id"])
        return self.messages[(int(call.params["chat_id"]), message_id)]

    # Updates
    async def push_update(self, payload: dict[str, Any]) -> dict[str, Any]:
        update = {"update_id": next(self._update_ids), **payload}
        if self.webhook is not None:
            await self._post_webhook(update, self.webhook.get("secret_token"))
        else:
            async with self._changed:
                self._updates.append(update)
                self._changed.notify_all()
        return update

    async def push_updates(self, payloads: list[dict[str, Any]]) -> int:
        """Queue several updates at once, so one getUpdates answer carries them all
        (as Telegram does for a user who types fast); returns the call cursor."""
        assert self.webhook is None, "batches are for long polling"
        mark = self.mark()
        async with self._changed:
            self._updates.extend({"update_id": next(self._update_ids), **payload} for payload in payloads)
            self._changed.notify_all()
        return mark

    async def post_webhook(self, update: dict[str, Any], secret: str | None) -> int:
        """POST an update to the registered webhook with any ``secret``; returns the status."""
        return await self._post_webhook({"update_id": next(self._update_ids), **update}, secret)

    async def _post_webhook(self, update: dict[str, Any], secret: str | None) -> int:
        assert self._http is not None and self.webhook is not None
        headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret else {}
        async with self._http.post(self.webhook["url"], json=update, headers=headers) as response:
            self.webhook_responses.append(response.status)
            return response.status

    # HTTP side
    async def _file(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            return web.json_response({"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401)
        data = self.uploads.get(request.match_info["path"])
        if data is None:
            return web.json_response({"ok": False, "error_code": 404, "description": "Not Found"}, status=404)
        return web.Response(body=data)

    async def _api(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.json_response({"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401)
        method = request.match_info["method"]
        params, files = await _read_params(request)
        failures = self._failures.get(method)
        status, body = 200, None
        if failures:
            code, description, retry_after = failures.pop(0)
            status, body = code, {"ok": False, "error_code": code, "description": description}
            if retry_after is not None:
                body["parameters"] = {"retry_after": retry_after}
        else:
            handler = getattr(self, "_m_" + method, None)
            if handler is None:
                status, body = 404, {"ok": False, "error_code": 404, "description": "Not Found: method not found"}
            else:
                try:
                    result = await handler(params, files)
                    body = {"ok": True, "result": result}
                    if isinstance(result, dict) and "message_id" in result:
                        params["_message_id"] = result["message_id"]
                except TelegramError as exc:
                    status = exc.code
                    body = {"ok": False, "error_code": exc.code, "description": exc.description}
        if method != "getUpdates":
            # Recorded once answered, so a waiter sees the outcome (message id, error).
            params["_status"] = status
            async with self._changed:
                self.calls.append(Call(method=method, params=params, files=files, index=len(self.calls)))
                self._changed.notify_all()
        return web.json_response(body, status=status)

    # Bot API methods
    async def _m_getMe(self, params: dict[str, Any], files: dict[str, bytes]) -> Any:
        return BOT_USER

    async def _m_getUpdates(self, params: dict[str, Any], files: dict[str, bytes]) -> Any:
        if self.webhook is not None:
            raise TelegramError(409, "Conflict: can't use getUpdates method while webhook is active")
        offset = int(params.get("offset") or 0)
        timeout = float(params.get("timeout") or 0)
        async with self._changed:
            # Updates below the offset are confirmed: forget them, as Telegram does.
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
            if not self._updates and timeout > 0:
                try:
                    await asyncio.wait_for(self._changed.wait_for(lambda: bool(self._updates) or self._closing), timeout)
                except asyncio.TimeoutError:
                    pass
            limit = int(params.get("limit") or 100)
            return self._updates[:limit]

    async def _m_setWebhook(self, params: dict[str, Any], files: dict[str, bytes]) -> Any:
        self.webhook = {"url": params["url"], "secret_token": params.get("secret_token")}
        return True

    async def _m_deleteWebhook(self, params: dict[str, Any], files: dict[str, bytes]) -> Any:
        self.webhook = None
        return True

    async def _m_getWebhookInfo(self, params: dict[str, Any], files: dict[str, bytes]) -> Any:
        return {"url": self.webhook["url"] if self.webhook else "", "has_custom_certificate": False, "pending_update_count": 0}

    async def _m_setMyCommands(self, params: dict[str, Any], files: dict[str, bytes]) -> Any:
        for command in params["commands"]:
            if not (1 <= len(command["command"]) <= 32 and 1 <= len(command["description"]) <= 256):
                raise TelegramError(400, "Bad Request: BOT_COMMAND_INVALID")
        return True

    async def _m_answerCallbackQuery(self, params: dict[str, Any], files: dict[str, bytes]) -> Any:
        if len(str(params.get("text") or "")) > 200:
            raise TelegramError(400, "Bad Request: MESSAGE_TOO_LONG")
        return True

    async def _m_sendChatAction(self, params: dict[str, Any], files: dict[str, bytes]) -> Any:
        if params.get("action") not in ("typing", "upload_photo", "record_video", "upload_video", "record_voice",
                                        "upload_voice", "upload_document", "choose_sticker", "find_location"):
            raise TelegramError(400, "Bad Request: wrong parameter action in request")
        return True

    async def _m_sendMessage(self, params: dict[str, Any], files: dict[str, bytes]) -> Any:
        text = str(params.get("text") or "")
        if not text.strip() or len(text) > 4096:
            raise TelegramError(400, "Bad Request: message text is empty or too long")
        return self._new_message(int(params["chat_id"]), "text", text, params.get("reply_markup"), {})

    async def _m_editMessageText(self, params: dict[str, Any], files: dict[str, bytes]) -> Any:
        message = self._find(params)
        text = str(params.get("text") or "")
        markup = params.get("reply_markup")
        if text == message.text and markup == message.reply_markup:
            raise TelegramError(400, "Bad Request: message is not modified")
        message.history.append(message.text)
        message.text, message.reply_markup = text, markup
        return self._message_json(message)

    async def _m_editMessageReplyMarkup(self, params: dict[str, Any], files: dict[str, bytes]) -> Any:
        message = self._find(params)
        markup = params.get("reply_markup")
        if markup == message.reply_markup:
            raise TelegramError(400, "Bad Request: message is not modified")
        message.reply_markup = markup
        return self._message_json(message)

    async def _m_deleteMessage(self, params: dict[str, Any], files: dict[str, bytes]) -> Any:
        self.messages.pop((int(params["chat_id"]), int(params["message_id"])), None)
        return True

    async def _m_sendAudio(self, params: dict[str, Any], files: dict[str, bytes]) -> Any:
        return self._media(params, files, "audio")

    async def _m_sendVoice(self, params: dict[str, Any], files: dict[str, bytes]) -> Any:
        return self._media(params, files, "voice")

    async def _m_sendDocument(self, params: dict[str, Any], files: dict[str, bytes]) -> Any:
        return self._media(params, files, "document")

    async def _m_getFile(self, params: dict[str, Any], files: dict[str, bytes]) -> Any:
        file_id = str(params["file_id"])
        if file_id not in self.uploads:
            raise TelegramError(400, "Bad Request: invalid file_id")
        return {"file_id": file_id, "file_unique_id": file_id, "file_size": len(self.uploads[file_id]),
                "file_path": file_id}

    def _media(self, params: dict[str, Any], files: dict[str, bytes], kind: str) -> dict[str, Any]:
        if kind not in files:
            raise TelegramError(400, f"Bad Request: there is no {kind} in the request")
        data = files[kind]
        if len(data) > 50 * 1024 * 1024:
            raise TelegramError(413, "Request Entity Too Large")
        if len(str(params.get("caption") or "")) > 1024:
            raise TelegramError(400, "Bad Request: message caption is too long")
        file_id = f"file{len(self.uploads) + 1}"
        self.uploads[file_id] = data
        info: dict[str, Any] = {"file_id": file_id, "file_unique_id": file_id, "file_size": len(data)}
        if kind in ("audio", "voice"):
            info["duration"] = int(params.get("duration") or 0)
        if kind == "audio":
            info.update(title=params.get("title"), performer=params.get("performer"))
        if kind == "document":
            info["file_name"] = params.get("_filename", "file")
        return self._new_message(
            int(params["chat_id"]), kind, str(params.get("caption") or ""), params.get("reply_markup"), {kind: info}
        )

    def _new_message(
        self, chat_id: int, kind: str, text: str, markup: Any, extra: dict[str, Any]
    ) -> dict[str, Any]:
        message = SentMessage(chat_id=chat_id, message_id=next(self._message_ids), text=text,
                              reply_markup=markup, kind=kind)
        self.messages[(chat_id, message.message_id)] = message
        return {**self._message_json(message), **extra}

    def _find(self, params: dict[str, Any]) -> SentMessage:
        key = (int(params["chat_id"]), int(params["message_id"]))
        if key not in self.messages:
            raise TelegramError(400, "Bad Request: message to edit not found")
        return self.messages[key]

    def _message_json(self, message: SentMessage) -> dict[str, Any]:
        data: dict[str, Any] = {
            "message_id": message.message_id,
            "date": int(time.time()),
            "chat": {"id": message.chat_id, "type": "private"},
            "from": BOT_USER,
        }
        if message.kind == "text":
            data["text"] = message.text
        elif message.text:
            data["caption"] = message.text
        if message.reply_markup:
            data["reply_markup"] = message.reply_markup
        return data


async def _read_params(request: web.Request) -> tuple[dict[str, Any], dict[str, bytes]]:
    """Bot API parameters: JSON values decoded, ``attach://`` files resolved."""
    params: dict[str, Any] = {}
    files: dict[str, bytes] = {}
    attachments: dict[str, tuple[bytes, str]] = {}
    if request.content_type == "application/json":
        params = await request.json()
    elif request.can_read_body:
        form = await request.post()
        for key, value in form.items():
            if isinstance(value, web.FileField):
                attachments[key] = (value.file.read(), value.filename)
            else:
                params[key] = _decode(value)
    else:
        params = {k: _decode(v) for k, v in request.query.items()}
    for key, value in list(params.items()):
        if isinstance(value, str) and value.startswith("attach://"):
            data, filename = attachments.pop(value.removeprefix("attach://"))
            files[key] = data
            params["_filename"] = filename
    for key, (data, filename) in attachments.items():  # uploaded under the field name itself
        files[key], params[key], params["_filename"] = data, f"attach://{key}", filename
    return params, files


def _decode(value: str) -> Any:
    if value[:1] in ("{", "["):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


class FakeUser:
    """A Telegram user in a private chat with the bot (chat id = user id)."""

    _counter = itertools.count(1)

    def __init__(self, server: FakeTelegram, user_id: int, language_code: str | None, first_name: str) -> None:
        self.server = server
        self.id = user_id
        self.language_code = language_code
        self.first_name = first_name

    def _from(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.language_code:
            data["language_code"] = self.language_code
        return data

    def _message(self, **content: Any) -> dict[str, Any]:
        return {
            "message_id": 10_000 + next(self._counter),
            "date": int(time.time()),
            "chat": {"id": self.id, "type": "private", "first_name": self.first_name},
            "from": self._from(),
            **content,
        }

    def text_update(self, text: str) -> dict[str, Any]:
        """The update of this user sending ``text`` (not yet delivered)."""
        content: dict[str, Any] = {"text": text}
        if text.startswith("/"):
            command = text.split()[0]
            content["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        return {"message": self._message(**content)}

    async def send(self, text: str) -> int:
        """Send a text message; returns the call cursor from just before it."""
        mark = self.server.mark()
        await self.server.push_update(self.text_update(text))
        return mark

    async def send_content(self, **content: Any) -> int:
        """Send a non-text message, e.g. ``sticker={...}`` or ``photo=[...]``."""
        mark = self.server.mark()
        await self.server.push_update({"message": self._message(**content)})
        return mark

    async def press(self, message: SentMessage, button_text: str) -> int:
        """Press the inline button whose label contains ``button_text``."""
        button = message.button(button_text)
        return await self.press_data(message, button["callback_data"])

    def press_update(self, message: SentMessage, button_text: str) -> dict[str, Any]:
        """The update of this user pressing a button (not yet delivered)."""
        return self.callback_update(message, message.button(button_text)["callback_data"])

    async def press_data(self, message: SentMessage, data: str) -> int:
        mark = self.server.mark()
        await self.server.push_update(self.callback_update(message, data))
        return mark

    def callback_update(self, message: SentMessage, data: str) -> dict[str, Any]:
        return {
            "callback_query": {
                "id": str(next(self._counter)),
                "from": self._from(),
                "chat_instance": str(self.id),
                "message": {
                    "message_id": message.message_id,
                    "date": int(time.time()),
                    "chat": {"id": message.chat_id, "type": "private"},
                    "from": BOT_USER,
                    "text": message.text or "-",
                },
                "data": data,
            }
        }
