"""The FastAPI application: HTTP API under ``/v1``, health probes and the page.

``create_app`` takes every dependency (settings, the generation service, the
worker watch, the broker) so tests and ``tag run`` can assemble it as they like.
"""

# No ``from __future__ import annotations`` here: FastAPI reads the route
# signatures at run time, and some of their types are made inside create_app.
import asyncio
import json
import re
import time
from pathlib import Path
from typing import Annotated, Any, AsyncIterator, Literal

from fastapi import Depends, FastAPI, Path as PathParam, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, Response, StreamingResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from fastapi.staticfiles import StaticFiles
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Receive, Scope, Send
from starlette.types import Message as ASGIMessage

from tag import audio
from tag.backpressure import TOTAL_LIMIT, USER_LIMIT
from tag.backpressure import ServiceBusy
from tag.broker import Broker, BrokerError
from tag.config import Settings
from tag.engines import EngineError, registry
from tag.engines.peers.routing import engine_is_served
from tag.frontend import WorkerWatch
from tag.messages import LimitError
from tag.observability.metrics import Metrics
from tag.web.access import KeyChecker, RateLimiter, client_address, retry_after_header
from tag.web.schemas import (
    TERMINAL,
    Accepted,
    EngineInfo,
    Engines,
    ErrorInfo,
    Generation,
    KnownSound,
    KnownSounds,
    Limits,
    Parameters,
    Problem,
    Readiness,
    Result,
    SoundFamily,
    Timings,
    error_sentence,
    generation_create_model,
)
from tag.web.service import Conflict, GenerationService, NewGeneration
from tag.web.store import Record

STATIC_DIR = Path(__file__).parent / "static"
# Server-sent events: re-check at least this often (queue position moves without
# an event of ours), and send a comment when idle so proxies keep the stream.
EVENTS_POLL_SECONDS = 1.0
EVENTS_KEEPALIVE_SECONDS = 15.0
# Languages the known-sounds listing is written in; the first is the default.
LANGUAGES = ("en", "ru")
# Ids are ``secrets.token_urlsafe(16)``; anything else cannot exist.
ID_PATTERN = r"^[A-Za-z0-9_-]{8,64}$"

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; "
        "style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    # Generation ids are capabilities: never leak them to other sites.
    "Referrer-Policy": "no-referrer",
}

_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": Problem, "description": "API keys are on and no valid key was given"},
    404: {"model": Problem, "description": "No such generation (or not yours)"},
    413: {"model": Problem, "description": "Request body too large"},
    422: {"model": Problem, "description": "Invalid request, with the reason"},
}


class SecurityHeaders:
    """Adds ``SECURITY_HEADERS`` to every response.

    Plain ASGI rather than ``@app.middleware``: it never buffers or wraps the
    body, so event streams and file ranges pass through untouched.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: ASGIMessage) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)


class _SecureApp(FastAPI):
    """FastAPI with ``SecurityHeaders`` outside every other layer.

    Added as ordinary middleware it would sit inside Starlette's error handler,
    and the answer to an unexpected error would go out without the headers.
    """

    def build_middleware_stack(self) -> ASGIApp:
        return SecurityHeaders(super().build_middleware_stack())


class ProblemResponse(JSONResponse):
    """An error body in ASCII JSON: errors may quote input that is not valid
    Unicode (a lone surrogate in a field name), which UTF-8 cannot encode."""

    def render(self, content: Any) -> bytes:
        return json.dumps(content, ensure_ascii=True, separators=(",", ":")).encode("ascii")


def _problem(status: int, detail: str, headers: dict[str, str] | None = None, **extra: Any) -> JSONResponse:
    return ProblemResponse({"detail": detail, **extra}, status_code=status, headers=headers)


def _span(seconds: float) -> str:
    """A time to live in words: "45 seconds", "10 minutes", "2 hours"."""
    if seconds < 120:
        return f"{seconds:g} second" + ("" if seconds == 1 else "s")
    if seconds < 7200:
        return f"{round(seconds / 60)} minutes"
    return f"{seconds / 3600:.3g} hours"


def _slug(prompt: str) -> str:
    words = re.findall(r"[a-z0-9]+", prompt.lower())[:6]
    return "-".join(words) or "sound"


def preferred_language(accept_language: str | None) -> str:
    """The first of ``LANGUAGES`` an Accept-Language header prefers ("ru-RU,ru;q=0.9,en;q=0.8" -> "ru")."""
    ranked = []
    for position, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                continue
        primary = tag.strip().split("-")[0].lower()
        if primary in LANGUAGES and quality > 0:
            ranked.append((-quality, position, primary))
    return min(ranked)[2] if ranked else LANGUAGES[0]


def create_app(
    settings: Settings,
    service: GenerationService,
    watch: WorkerWatch,
    broker: Broker,
    metrics: Metrics | None = None,
) -> FastAPI:
    # Refusals and probe results are counted; without a caller's Metrics they
    # go to a private registry nobody scrapes.
    metrics = metrics if metrics is not None else Metrics("web")
    keys = KeyChecker(settings.api_keys)
    limiter = RateLimiter(settings.web_rate_per_minute, settings.web_rate_burst)
    misses = RateLimiter(settings.web_unknown_id_per_minute, settings.web_unknown_id_burst)
    GenerationCreate = generation_create_model(settings.max_duration)
    bearer = HTTPBearer(auto_error=False, description="Required when the server has API keys (TAG_API_KEYS).")

    app = _SecureApp(
        title="TAG text-to-audio",
        version="1",
        description="Describe a sound, get audio. Requests go through a queue to generator workers.",
        docs_url=None,  # the interactive docs page loads scripts from a CDN
        redoc_url=None,
        max_body_size=settings.web_max_body_bytes,
    )

    @app.exception_handler(RequestValidationError)
    async def validation_failed(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = []
        for error in exc.errors():
            field, message = error_sentence(error, GenerationCreate)
            errors.append({"field": field, "message": message, "type": error.get("type")})
        # Each sentence names its field itself; the same one is said once.
        detail = "; ".join(dict.fromkeys(e["message"] for e in errors)) or "the request is invalid"
        return _problem(422, detail, errors=errors)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        return _problem(500, "internal error; please try again later")

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> JSONResponse:
        return _problem(exc.status_code, str(exc.detail), headers=dict(exc.headers or {}))

    async def caller(
        request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
    ) -> str:
        owner = keys.owner(request.headers.get("authorization"))
        if owner is None:
            raise HTTPException(401, "a valid API key is required: Authorization: Bearer <key>",
                                headers={"WWW-Authenticate": "Bearer"})
        return owner

    Owner = Annotated[str, Depends(caller)]
    GenerationId = Annotated[str, PathParam(pattern=ID_PATTERN, description="Id returned by POST /v1/generations")]

    def client_of(request: Request, owner: str) -> str:
        """Who a request counts against: the API key, else the client's address."""
        peer = request.client.host if request.client else "unknown"
        return owner or client_address(peer, request.headers.getlist("x-forwarded-for"), settings.trusted_proxies)

    async def load(generation_id: str, owner: str, request: Request) -> Record:
        # Ids are unguessable (store.new_id); a client that keeps asking for ids
        # that do not exist is guessing, and is stopped before the next look,
        # whether that id exists or not (the answer would tell).
        client = client_of(request, owner)
        wait = misses.waiting(client)
        if wait > 0:
            metrics.rejected("unknown_ids")
            raise HTTPException(429, f"too many requests for unknown generations; try again in {retry_after_header(wait)} s",
                                headers={"Retry-After": retry_after_header(wait)})
        record = await service.get(generation_id, owner)
        if record is None:
            misses.take(client)
            raise HTTPException(404, "no such generation (it may have expired)")
        return record

    # Heartbeats come every few seconds: until one max_age has passed since we
    # started listening, "no worker heard of" may only mean "not heard yet".
    listening_since = time.monotonic()

    def unserved(engine: str | None) -> str | None:
        """Why no live worker would take a request for ``engine`` now, or None."""
        alive = watch.alive()
        if engine_is_served(engine, [w.engines for w in alive]):
            return None
        if not alive and time.monotonic() - listening_since < watch.max_age:
            return None
        if not alive:
            return "no worker is running right now"
        return f"no running worker serves engine {engine!r}"

    def waiting_notice(record: Record) -> tuple[str | None, float | None]:
        """(notice, expires_at) of a queued generation; (None, None) otherwise."""
        if record.status != "queued":
            return None, None
        reason = unserved(record.engine)
        notice = None
        if reason is not None:
            notice = (f"{reason}; the request is kept for {_span(settings.request_ttl)} "
                      "and given up if no worker takes it by then")
        return notice, record.created_at + settings.request_ttl

    async def document(record: Record) -> Generation:
        base = f"/v1/generations/{record.id}"
        result = None
        if record.status == "done":
            result = Result(
                engine=record.result_engine,
                sample_rate=record.sample_rate,
                duration=record.audio_duration,
                notices=record.notices,
                seed=record.result_seed,
                warnings=record.warnings,
                suggestions=record.suggestions,
                audio_url=f"{base}/audio",
                formats={fmt: f"{base}/audio?format={fmt}" for fmt in audio.CONTENT_TYPES},
            )
        error = None
        if record.status == "failed":
            error = ErrorInfo(code=record.error_code or "error", message=record.error_message or "failed")
        queued = generated = None
        if record.started_at is not None:
            queued = round(record.started_at - record.created_at, 3)
            if record.finished_at is not None:
                generated = round(record.finished_at - record.started_at, 3)
        notice, expires_at = waiting_notice(record)
        return Generation(
            id=record.id,
            status=record.status,  # type: ignore[arg-type]
            position=await service.position(record),
            stage=record.stage if record.status == "generating" else None,
            percent=record.percent if record.status in ("generating", "done") else None,
            notice=notice,
            expires_at=expires_at,
            parameters=Parameters(
                prompt=record.prompt,
                duration=record.duration,
                engine=record.engine,
                seed=record.seed,
                steps=record.steps,
                candidates=record.candidates,
                adapter=record.adapter,
                format=record.format,  # type: ignore[arg-type]
            ),
            timings=Timings(
                created_at=record.created_at,
                started_at=record.started_at,
                finished_at=record.finished_at,
                queued_seconds=queued,
                generation_seconds=generated,
            ),
            result=result,
            error=error,
            events_url=f"{base}/events",
        )

    # -- probes ---------------------------------------------------------------
    @app.get("/healthz", tags=["health"], summary="The process is up")
    async def healthz() -> dict[str, bool]:
        return {"ok": True}

    @app.get("/readyz", tags=["health"], summary="Broker reachable and a worker seen recently",
             response_model=Readiness, responses={503: {"model": Readiness, "description": "Not ready"}})
    async def readyz() -> JSONResponse:
        try:
            await asyncio.wait_for(broker.queue_depth(settings.request_queue), 3.0)
            broker_ok = True
        except (BrokerError, TimeoutError, OSError):
            broker_ok = False
        workers = len(watch.alive())
        metrics.set_workers_alive(workers)
        metrics.set_broker_up(broker_ok)
        reason = None
        if not broker_ok:
            reason = "the broker cannot be reached"
        elif workers == 0:
            reason = f"no worker has been heard from in the last {watch.max_age:g} s"
        ready = Readiness(ready=reason is None, broker=broker_ok, workers=workers, reason=reason)
        return JSONResponse(ready.model_dump(), status_code=200 if ready.ready else 503)

    # -- engines --------------------------------------------------------------
    @app.get("/v1/engines", tags=["engines"], summary="Engines, their weights and limits")
    async def engines() -> Engines:
        specs = await asyncio.to_thread(registry.available)
        alive = watch.alive()
        infos = []
        for spec in specs:
            present = await asyncio.to_thread(spec.is_available, settings)
            reason = unserved(spec.name)
            infos.append(
                EngineInfo(
                    name=spec.name,
                    description=spec.description,
                    available=present,
                    served_by_workers=sum(spec.name in w.engines for w in alive),
                    accepts_requests=reason is None,
                    unavailable_reason=reason,
                    max_duration=registry.max_duration_on(spec, settings.max_duration),
                    defaults=dict(spec.defaults),
                )
            )
        return Engines(
            default_engine=settings.engine,
            workers_alive=len(alive),
            request_ttl=settings.request_ttl,
            auth_required=keys.enabled,
            limits=Limits(max_duration=settings.max_duration),
            engines=infos,
        )

    # -- known sounds -----------------------------------------------------------
    @app.get("/v1/sounds", tags=["engines"], summary="The sounds the synth engine knows, by family, with examples")
    async def sounds(
        request: Request,
        language: Annotated[
            Literal["en", "ru"] | None, Query(description="en or ru (default: from Accept-Language, else en)")
        ] = None,
    ) -> KnownSounds:
        from tag.engines.synth.catalogue import listing

        chosen = language or preferred_language(request.headers.get("accept-language"))
        families = [
            SoundFamily(family=family, sounds=[KnownSound(name=s.name, title=s.title, example=s.example) for s in kin])
            for family, kin in listing(chosen)
        ]
        return KnownSounds(language=chosen, families=families)

    # -- generations ----------------------------------------------------------
    @app.post(
        "/v1/generations",
        status_code=202,
        tags=["generations"],
        summary="Queue a generation",
        responses={**_ERRORS, 429: {"model": Problem, "description": "Too many requests from this client"},
                   503: {"model": Problem, "description": "The request queue cannot be reached"}},
    )
    async def create_generation(body: GenerationCreate, request: Request, owner: Owner) -> JSONResponse:  # type: ignore[valid-type]
        client = client_of(request, owner)
        wait = limiter.take(client)
        if wait > 0:
            metrics.rejected("rate_limit")
            return _problem(429, f"too many generations; try again in {retry_after_header(wait)} s",
                            headers={"Retry-After": retry_after_header(wait)})
        active = await service.store.active_count(client)
        if active >= settings.max_queue_per_user:
            metrics.rejected(USER_LIMIT)
            return _problem(429, f"you already have {active} generations waiting; let one finish first",
                            headers={"Retry-After": "5"})
        depth = await service.queue_depth()
        if depth is not None and depth >= settings.max_queue_total:
            metrics.rejected(TOTAL_LIMIT)
            return _problem(503, "the service is busy; try again in a minute", headers={"Retry-After": "60"})
        engine = body.engine if body.engine not in (None, "", "auto") else None
        if engine is not None:
            try:
                await asyncio.to_thread(registry.get_spec, engine)
            except EngineError as exc:
                return _problem(422, str(exc), errors=[{"field": "engine", "message": str(exc)}])
            try:  # the engine's own limit and the service's, in one check
                registry.check_engine_duration(body.duration, settings.max_duration, engine)
            except LimitError as exc:
                return _problem(422, str(exc), errors=[{"field": "duration", "message": str(exc)}])
            # Refuse at once what no live worker renders (see ``unserved`` for a
            # fresh start); requests for the default engine wait, with a notice.
            if unserved(engine) is not None:
                return _problem(503, f"no worker serves engine {engine!r} right now; choose another engine or try again later",
                                headers={"Retry-After": "30"})
        new = NewGeneration(
            prompt=body.prompt, duration=body.duration, engine=engine, seed=body.seed,
            steps=body.steps, candidates=body.candidates, format=body.format, adapter=body.adapter,
        )
        try:
            record = await service.create(new, owner, client)
        except ServiceBusy as busy:
            return _problem(503, busy.message, headers={"Retry-After": "30"})
        except BrokerError:
            return _problem(503, "the request queue cannot be reached; try again later",
                            headers={"Retry-After": "10"})
        url = f"/v1/generations/{record.id}"
        notice, expires_at = waiting_notice(record)
        accepted = Accepted(
            id=record.id, status="queued", position=await service.position(record), notice=notice,
            expires_at=expires_at, url=url, events_url=f"{url}/events",
        )
        return JSONResponse(accepted.model_dump(), status_code=202, headers={"Location": url})

    @app.get("/v1/generations/{generation_id}", tags=["generations"], summary="Status, parameters, timings",
             responses={404: _ERRORS[404], 401: _ERRORS[401]})
    async def get_generation(generation_id: GenerationId, owner: Owner, request: Request) -> Generation:
        return await document(await load(generation_id, owner, request))

    @app.delete("/v1/generations/{generation_id}", tags=["generations"], summary="Cancel if not started",
                responses={404: _ERRORS[404], 401: _ERRORS[401],
                           409: {"model": Problem, "description": "Already started or finished"}})
    async def cancel_generation(generation_id: GenerationId, owner: Owner, request: Request) -> Generation:
        record = await load(generation_id, owner, request)
        try:
            record = await service.cancel(record)
        except Conflict as exc:
            raise HTTPException(409, str(exc)) from None
        return await document(record)

    @app.get(
        "/v1/generations/{generation_id}/audio",
        tags=["generations"],
        summary="The audio file (Range requests supported)",
        response_class=FileResponse,
        responses={
            200: {"content": {t: {} for t in audio.CONTENT_TYPES.values()}, "description": "The audio"},
            206: {"description": "Part of the audio (Range)"},
            404: _ERRORS[404],
            401: _ERRORS[401],
            409: {"model": Problem, "description": "Not finished yet"},
        },
    )
    async def get_audio(
        generation_id: GenerationId,
        owner: Owner,
        request: Request,
        format: Annotated[Literal["wav", "ogg", "mp3"] | None, Query(description="Defaults to the requested format")] = None,
        download: Annotated[bool, Query(description="Ask the browser to save the file")] = False,
    ) -> Response:
        record = await load(generation_id, owner, request)
        if record.status != "done":
            raise HTTPException(409, f"the generation is {record.status}; its audio is not ready")
        fmt = format or record.format
        try:
            path = await service.audio_file(record, fmt)
        except FileNotFoundError:
            raise HTTPException(404, "the audio file is gone (retention)") from None
        name = f"{_slug(record.prompt)}.{fmt}"
        return FileResponse(
            path,
            media_type=audio.CONTENT_TYPES[fmt],
            filename=name,
            content_disposition_type="attachment" if download else "inline",
            headers={"Cache-Control": "private, max-age=3600"},
        )

    @app.get(
        "/v1/generations/{generation_id}/events",
        tags=["generations"],
        summary="Server-sent events: the generation document at every change",
        response_class=StreamingResponse,
        responses={200: {"content": {"text/event-stream": {}}, "description": "event: status, data: Generation"},
                   404: _ERRORS[404], 401: _ERRORS[401]},
    )
    async def events(generation_id: GenerationId, owner: Owner, request: Request) -> StreamingResponse:
        await load(generation_id, owner, request)

        async def stream() -> AsyncIterator[str]:
            last, sent_at = "", time.monotonic()
            yield "retry: 2000\n\n"
            while True:
                record = await service.get(generation_id, owner)
                if record is None:
                    yield "event: gone\ndata: {}\n\n"
                    return
                data = (await document(record)).model_dump_json()
                if data != last:
                    yield f"event: status\ndata: {data}\n\n"
                    last, sent_at = data, time.monotonic()
                elif time.monotonic() - sent_at > EVENTS_KEEPALIVE_SECONDS:
                    yield ": keep-alive\n\n"
                    sent_at = time.monotonic()
                if record.status in TERMINAL or service.closing.is_set():
                    return
                await service.wait_change(EVENTS_POLL_SECONDS)

        return StreamingResponse(
            stream(), media_type="text/event-stream", headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
        )

    # -- the page -------------------------------------------------------------
    @app.get("/", include_in_schema=False)
    async def page() -> FileResponse:
        return FileResponse(STATIC_DIR / "index.html", headers={"Cache-Control": "no-cache"})

    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    return app
