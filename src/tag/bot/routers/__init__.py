"""One aiogram router per concern; ``all_routers`` builds them in matching order."""

from __future__ import annotations

from aiogram import Router

from tag.bot.routers import dialogue, fallback, history, settings, sounds, start


def all_routers() -> list[Router]:
    # Commands and buttons first; the catch-all prompt handler and the
    # non-text fallback last.
    return [m.build() for m in (start, settings, history, sounds, dialogue, fallback)]
