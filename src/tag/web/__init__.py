"""Web page and HTTP API over the same queue as the bot (``tag serve``)."""

from tag.web.app import create_app
from tag.web.server import run_web, serve_web

__all__ = ["create_app", "run_web", "serve_web"]
