"""The Telegram bot (aiogram 3): dialogue, sessions, delivery of sounds.

Entry points: ``run_bot(settings)`` for ``tag bot`` and
``serve_bot(settings, broker, stop)`` for ``tag run``.
"""

from tag.bot.app import run_bot, serve_bot

__all__ = ["run_bot", "serve_bot"]
