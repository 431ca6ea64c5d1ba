"""Assembly and life cycle of the bot: ``serve_bot`` (in a running loop) and ``run_bot``.

``serve_bot`` gets a connected broker from its caller (the process entry point
owns the connection), opens the state store, starts the response consumer and
the watcher, and then receives updates by long polling, or through a webhook
when ``webhook_url`` is set, until ``stop`` is set.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import signal
from contextlib import suppress
from pathlib import Path
from urllib.parse import urlsplit

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.types import BotCommand, BotCommandScopeDefault
from aiogram.webhook.aiohttp_server import SimpleRequestHandler
from aiohttp import web

from tag.bot.catalogue import LANGS, Texts
from tag.bot.delivery import Courier
from tag.bot.generations import Generations
from tag.bot.middleware import OneAtATimePerUser, UserContext
from tag.bot.ratelimit import RateLimiter
from tag.bot.redaction import SecretFilter
from tag.bot.routers import all_routers
from tag.bot.store import BotStore
from tag.broker import Broker, BrokerError, create_broker
from tag.config import Settings, redact_url
from tag.frontend import RequestClient
from tag.backpressure import Admission
from tag.observability.metrics import Metrics
from tag.observability.process import operations_endpoint

log = logging.getLogger(__name__)

COMMANDS = ("start", "help", "generate", "cancel", "settings", "history", "sounds")


def db_path(settings: Settings) -> Path:
    return settings.bot_db_path or settings.data_dir / "bot.sqlite3"


def create_bot(settings: Settings) -> Bot:
    if settings.telegram_token is None:
        raise ValueError("TAG_TELEGRAM_TOKEN is not set")
    base = settings.telegram_api_url
    server = TelegramAPIServer(base=f"{base}/bot{{token}}/{{method}}", file=f"{base}/file/bot{{token}}/{{path}}")
    return Bot(
        token=settings.telegram_token.get_secret_value(),
        session=AiohttpSession(api=server),
        default=DefaultBotProperties(parse_mode=ParseMode.HTML, link_preview_is_disabled=True),
    )


def build_dispatcher(**dependencies: object) -> Dispatcher:
    """Routers, middleware, and the dependencies handlers receive by name."""
    store = dependencies["store"]
    settings = dependencies["settings"]
    assert isinstance(store, BotStore) and isinstance(settings, Settings)
    dispatcher = Dispatcher(**dependencies)
    # On the update itself, after aiogram's own outer middleware has found the user.
    dispatcher.update.outer_middleware(OneAtATimePerUser())
    context = UserContext(store, settings.allowed_users)
    dispatcher.message.outer_middleware(context)
    dispatcher.callback_query.outer_middleware(context)
    dispatcher.include_routers(*all_routers())
    return dispatcher


async def set_commands(bot: Bot) -> None:
    for lang in LANGS:
        texts = Texts(lang)
        commands = [BotCommand(command=name, description=texts(f"cmd_{name}")) for name in COMMANDS]
        await bot.set_my_commands(commands, scope=BotCommandScopeDefault(), language_code=lang)
    english = Texts("en")
    await bot.set_my_commands([BotCommand(command=n, description=english(f"cmd_{n}")) for n in COMMANDS])


async def serve_bot(
    settings: Settings, broker: Broker, stop: asyncio.Event, *, metrics: Metrics | None = None
) -> None:
    """Run the bot on a connected ``broker`` until ``stop`` is set."""
    bot = create_bot(settings)
    secret_filter = SecretFilter.install([settings.telegram_token, settings.webhook_secret])
    store = BotStore(db_path(settings))
    await store.open()
    client = RequestClient(broker, settings, settings.response_queue)
    # Queue limits (users told the service is busy) and /metrics counters.
    client.admission = Admission(broker, settings, metrics)
    client.metrics = metrics
    tasks: list[asyncio.Task[None]] = []
    halt = asyncio.Event()  # ends the watcher; the caller's ``stop`` is theirs to set
    courier: Courier | None = None
    try:
        me = await bot.me()
        courier = Courier(bot, store, settings, performer=me.first_name)
        generations = Generations(
            bot=bot,
            store=store,
            client=client,
            broker=broker,
            courier=courier,
            limiter=RateLimiter(settings.bot_rate_limit, settings.bot_rate_window),
            settings=settings,
        )
        dispatcher = build_dispatcher(
            store=store, settings=settings, courier=courier, generations=generations, broker=broker
        )
        courier.after_free = generations.start_next
        await client.start(courier.on_response, courier.on_progress)
        await generations.resume_waiting()
        await set_commands(bot)
        tasks.append(asyncio.create_task(courier.watch(halt), name="bot-watcher"))
        log.info("bot @%s started (Bot API %s)", me.username, redact_url(settings.telegram_api_url))
        if settings.webhook_url:
            await _serve_webhook(settings, bot, dispatcher, stop)
        else:
            await _poll(bot, dispatcher, stop)
    finally:
        halt.set()
        for task in tasks:
            with suppress(asyncio.CancelledError, Exception):
                await asyncio.wait_for(task, 5)
        if courier is not None:
            courier.close()
        with suppress(Exception):
            await asyncio.wait_for(client.stop(), 3)  # bounded: the broker may be gone
        await bot.session.close()
        await store.close()
        secret_filter.remove()
        log.info("bot stopped")


async def _poll(bot: Bot, dispatcher: Dispatcher, stop: asyncio.Event) -> None:
    await bot.delete_webhook(drop_pending_updates=False)
    polling = asyncio.create_task(
        dispatcher.start_polling(bot, handle_signals=False, close_bot_session=False, polling_timeout=10)
    )
    waiter = asyncio.create_task(stop.wait())
    done, _ = await asyncio.wait({polling, waiter}, return_when=asyncio.FIRST_COMPLETED)
    if polling in done:
        waiter.cancel()
        polling.result()  # re-raise what ended polling early
        return
    try:
        await dispatcher.stop_polling()
    except RuntimeError:  # stopped before polling had even begun
        polling.cancel()
    with suppress(asyncio.CancelledError):
        await polling


async def _serve_webhook(settings: Settings, bot: Bot, dispatcher: Dispatcher, stop: asyncio.Event) -> None:
    assert settings.webhook_url is not None
    # Telegram echoes the secret in a header with every update; others are refused.
    secret = (
        settings.webhook_secret.get_secret_value() if settings.webhook_secret else secrets.token_urlsafe(32)
    )
    path = urlsplit(settings.webhook_url).path or "/"
    app = web.Application()
    SimpleRequestHandler(dispatcher, bot, secret_token=secret, handle_in_background=True).register(app, path=path)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, settings.webhook_host, settings.webhook_port)
    await site.start()
    try:
        await bot.set_webhook(
            settings.webhook_url,
            secret_token=secret,
            allowed_updates=dispatcher.resolve_used_update_types(),
            drop_pending_updates=False,
        )
        log.info("webhook listening on %s:%s%s", settings.webhook_host, settings.webhook_port, path)
        await stop.wait()
    finally:
        await runner.cleanup()


def run_bot(settings: Settings) -> int:
    """``tag bot``: connect the broker, serve until SIGINT/SIGTERM. Returns the exit code."""
    return asyncio.run(_main(settings))


async def _main(settings: Settings) -> int:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    url = settings.broker()
    broker = create_broker(url)
    try:
        await broker.connect()
    except (BrokerError, OSError) as exc:
        log.error("cannot connect to the broker %s: %s", redact_url(url), type(exc).__name__)
        return 1
    metrics = Metrics("bot")
    try:
        async with operations_endpoint(settings, broker, metrics):
            await serve_bot(settings, broker, stop, metrics=metrics)
    except Exception as exc:
        log.error("bot failed: %s: %s", type(exc).__name__, exc)
        return 1
    finally:
        await broker.close()
    return 0
