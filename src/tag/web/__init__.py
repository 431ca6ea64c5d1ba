"""Web page and HTTP API over the same queue as the bot (``tag serve``).

Endpoints (the OpenAPI document at ``/openapi.json`` has the details):

- ``POST /v1/generations`` {prompt, duration, engine?, seed?, steps?, candidates?,
  format?} -> 202 {id, position, url, events_url}; 422 names each invalid field.
- ``GET /v1/generations/{id}`` -> status (queued + position, generating + percent,
  done + result, failed + error, cancelled), parameters, timings.  A result with
  ``warnings`` is not what was asked for (nothing or only part of the prompt was
  recognised); its ``suggestions`` are prompts to try instead.
- ``GET /v1/generations/{id}/events`` -> server-sent events, one ``status`` event
  carrying the document above at every change, until the generation ends.
- ``GET /v1/generations/{id}/audio[?format=wav|ogg|mp3][&download=true]`` -> the
  file; ``Range`` requests are answered with 206.
- ``DELETE /v1/generations/{id}`` -> cancels a generation no worker has started.
- ``GET /v1/engines`` -> engines, limits, and whether API keys are required.
- ``GET /v1/sounds[?language=en|ru]`` -> the sounds the synth engine knows, by
  family, each with an example prompt (language: else from Accept-Language).
- ``GET /healthz`` (process up), ``GET /readyz`` (broker reachable, a worker seen).
- ``GET /`` -> the page (``static/``: plain HTML, CSS and JavaScript).

Ids are random 128-bit tokens: whoever has one may read that generation, unless
``TAG_API_KEYS`` is set; then every ``/v1/generations`` call needs
``Authorization: Bearer <key>`` and sees only that key's generations.  Results and
their audio live in ``TAG_DATA_DIR/web`` for ``TAG_WEB_RETENTION_HOURS``.
"""

from tag.web.app import create_app
from tag.web.server import run_web, serve_web

__all__ = ["create_app", "run_web", "serve_web"]
