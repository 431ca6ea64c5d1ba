"""The web front end's side of a generation: submit, follow, store, cancel, expire.

``GenerationService`` sits between the HTTP routes and the queue: it records every
request in the ``Store``, publishes it with ``RequestClient``, turns worker
progress events and responses into status changes, and wakes whoever waits for
a change (the server-sent events endpoint).
"""

from __future__ import annotations

import asyncio
import io
import logging
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile as sf

from tag import audio
from tag.broker import Broker, BrokerError
from tag.config import Settings
from tag.frontend import RequestClient, WorkerWatch
from tag.messages import ProgressEvent, RequestOptions, SoundRequest, SoundResponse
from tag.web.schemas import TERMINAL
from tag.web.store import Record, Store, new_id

log = logging.getLogger(__name__)

# Front ends other than the bot use chat/user id 0: the web has no such ids.
WEB_CHAT_ID = 0
# How often expiry and retention run, and how stale a cached queue depth may be.
HOUSEKEEPING_SECONDS = 2.0
DEPTH_CACHE_SECONDS = 1.0
# A queued request is given up once the broker has surely discarded it (its
# time to live, plus a margin for a worker that took it at the last moment).
EXPIRY_GRACE_SECONDS = 5.0


class Conflict(Exception):
    """The generation is in a state where the operation makes no sense."""


@dataclass
class NewGeneration:
    prompt: str
    duration: float
    engine: str | None
    seed: int | None
    steps: int | None
    candidates: int | None
    format: str
    adapter: str | None = None


def reply_queue(settings: Settings) -> str:
    return settings.response_queue + ".web"


class GenerationService:
    def __init__(self, settings: Settings, broker: Broker, store: Store, watch: WorkerWatch) -> None:
        self.settings = settings
        self.broker = broker
        self.store = store
        self.watch = watch
        self.client = RequestClient(broker, settings, reply_queue(settings))
        # request_id -> generation id of our requests still waiting, in submit order.
        self._queued: dict[str, str] = {}
        self._changed = asyncio.Event()
        self.closing = asyncio.Event()
        self._depth: tuple[float, int | None] = (0.0, None)
        self._convert_locks: dict[str, asyncio.Lock] = {}
        # request_id -> time of the latest progress event: a long generation that
        # still reports progress is alive, however long it has been running.
        self._last_progress: dict[str, float] = {}
        self._housekeeper: asyncio.Task[None] | None = None

    # -- life cycle ---------------------------------------------------------
    async def start(self) -> None:
        for record in await self.store.unfinished():
            if record.status == "queued":
                self._queued[record.request_id] = record.id
        await self.client.start(self._on_response, self._on_progress)
        self._housekeeper = asyncio.create_task(self._housekeeping(), name="web-housekeeping")

    async def stop(self) -> None:
        self.closing.set()
        self._notify()
        if self._housekeeper is not None:
            self._housekeeper.cancel()
            await asyncio.gather(self._housekeeper, return_exceptions=True)
        await self.client.stop()

    # -- change notification ------------------------------------------------
    def _notify(self) -> None:
        event, self._changed = self._changed, asyncio.Event()
        event.set()

    async def wait_change(self, timeout: float) -> None:
        """Return after the next status change anywhere, or after ``timeout`` seconds."""
        event = self._changed
        try:
            await asyncio.wait_for(event.wait(), timeout)
        except TimeoutError:
            pass

    # -- operations ---------------------------------------------------------
    async def create(self, new: NewGeneration, owner: str, client: str = "") -> Record:
        request = SoundRequest(
            chat_id=WEB_CHAT_ID,
            user_id=WEB_CHAT_ID,
            prompt=new.prompt,
            duration=new.duration,
            # The worker always sends WAV; other formats are made on download.
            options=RequestOptions(
                engine=new.engine, seed=new.seed, steps=new.steps, candidates=new.candidates,
                adapter=new.adapter, format="wav",
            ),
        )
        record = Record(
            id=new_id(),
            request_id=str(request.request_id),
            owner=owner,
            client=client,
            prompt=request.prompt,
            duration=request.duration,
            engine=new.engine,
            seed=new.seed,
            steps=new.steps,
            candidates=new.candidates,
            adapter=new.adapter,
            format=new.format,
            status="queued",
            created_at=time.time(),
        )
        await self.store.add(record)
        self._queued[record.request_id] = record.id
        try:
            await self.client.submit(request)
        except BrokerError:
            self._queued.pop(record.request_id, None)
            await self.store.update(
                record.id,
                status="failed",
                finished_at=time.time(),
                error_code="broker_unavailable",
                error_message="the request queue cannot be reached; try again later",
            )
            raise
        self._notify()
        return record

    async def get(self, generation_id: str, owner: str) -> Record | None:
        record = await self.store.get(generation_id)
        if record is None or record.owner != owner:
            return None
        return record

    async def cancel(self, record: Record) -> Record:
        if record.status == "cancelled":
            return record
        changed = await self.store.update(
            record.id, only_if_status=("queued",), status="cancelled", finished_at=time.time()
        )
        if not changed:
            current = await self.store.get(record.id)
            state = current.status if current else "gone"
            raise Conflict(f"the generation is {state} and can no longer be cancelled")
        self._queued.pop(record.request_id, None)
        await self.client.cancel(record.request_id)  # workers skip it; a late answer is dropped
        self._notify()
        updated = await self.store.get(record.id)
        assert updated is not None
        return updated

    async def position(self, record: Record) -> int | None:
        """Estimated place in the request queue (1 = next), while queued.

        The broker tells how many requests wait in all; our own pending requests
        are in submit order, so the ones we sent after this one are behind it.
        """
        if record.status != "queued" or record.request_id not in self._queued:
            return None
        order = list(self._queued)
        index = order.index(record.request_id)
        behind = len(order) - index - 1
        depth = await self._queue_depth()
        if depth is None:
            return index + 1
        return max(index + 1, depth - behind)

    async def queue_depth(self) -> int | None:
        """Requests waiting in the shared request queue (cached for a second)."""
        return await self._queue_depth()

    async def _queue_depth(self) -> int | None:
        stamp, depth = self._depth
        if time.monotonic() - stamp > DEPTH_CACHE_SECONDS:
            try:
                depth = await asyncio.wait_for(self.broker.queue_depth(self.settings.request_queue), 2.0)
            except (BrokerError, TimeoutError):
                depth = None
            self._depth = (time.monotonic(), depth)
        return depth

    async def audio_file(self, record: Record, fmt: str) -> Path:
        """The audio of a finished generation as ``fmt``, converted once and kept."""
        path = self.store.audio_path(record.id, fmt)
        if path.exists():
            return path
        lock = self._convert_locks.setdefault(str(path), asyncio.Lock())
        async with lock:
            if not path.exists():
                wav = self.store.audio_path(record.id, "wav")
                await asyncio.to_thread(_convert, wav, path, fmt)
        self._convert_locks.pop(str(path), None)
        return path

    # -- queue callbacks ----------------------------------------------------
    async def _on_progress(self, event: ProgressEvent) -> None:
        record = await self.store.by_request(str(event.request_id))
        if record is None or record.status in TERMINAL:
            return
        changes: dict[str, object] = {"stage": event.stage}
        # Events are best effort and may arrive out of order: never go backwards.
        changes["percent"] = max(event.percent, record.percent or 0.0)
        if record.status == "queued":
            changes.update(status="generating", started_at=time.time())
        if await self.store.update(record.id, only_if_status=("queued", "generating"), **changes):
            self._queued.pop(record.request_id, None)
            self._last_progress[record.request_id] = time.time()
            self._notify()

    async def _on_response(self, response: SoundResponse) -> None:
        record = await self.store.by_request(str(response.request_id))
        if record is None:
            log.info("dropping a response for unknown request %s", response.request_id)
            return
        self._queued.pop(record.request_id, None)
        self._last_progress.pop(record.request_id, None)
        if record.status in TERMINAL:
            # A duplicate delivery, or the user cancelled: nothing to do.
            return
        finished = time.time()
        started = record.started_at or finished
        unreadable = False
        if response.status == "ok" and response.audio:
            path = self.store.audio_path(record.id, "wav")
            try:
                await asyncio.to_thread(_write_wav, response.audio, response.format or "wav", path)
            except (ValueError, RuntimeError, sf.LibsndfileError):
                # Retrying cannot fix bad bytes: fail the generation instead.
                log.warning("unreadable audio in the response to %s", response.request_id)
                unreadable = True
        if response.status == "ok" and response.audio and not unreadable:
            await self.store.update(
                record.id,
                status="done",
                percent=100.0,
                stage="done",
                started_at=started,
                finished_at=finished,
                result_engine=response.engine,
                sample_rate=response.sample_rate,
                audio_duration=response.duration,
                notices=response.notices,
                result_seed=response.seed,
                warnings=response.warnings,
                suggestions=response.suggestions,
            )
        else:
            error = response.error
            code, message = (error.code, error.message) if error else ("no_audio", "the worker sent no usable audio")
            await self.store.update(
                record.id,
                status="failed",
                finished_at=finished,
                error_code=code,
                error_message=message,
                notices=response.notices,
            )
        self._notify()

    # -- housekeeping -------------------------------------------------------
    async def _housekeeping(self) -> None:
        while True:
            try:
                await self.expire()
                await self.store.purge(time.time() - self.settings.web_retention_hours * 3600)
            except Exception:  # keep the loop alive; the next round may succeed
                log.exception("web housekeeping failed")
            await asyncio.sleep(HOUSEKEEPING_SECONDS)

    async def expire(self) -> None:
        """Fail requests no worker will ever answer (discarded, or a worker died)."""
        now = time.time()
        changed = False
        for record in await self.store.unfinished():
            grace = min(EXPIRY_GRACE_SECONDS, self.settings.request_ttl)
            if record.status == "queued" and now - record.created_at > self.settings.request_ttl + grace:
                code, message = "expired", "no worker took the request in time; try again later"
            elif (
                record.status == "generating"
                and now - self._last_progress.get(record.request_id, record.started_at or now)
                > self.settings.request_timeout
            ):
                code, message = "timeout", "the worker stopped reporting progress and did not finish"
            else:
                continue
            if await self.store.update(
                record.id,
                only_if_status=(record.status,),
                status="failed",
                finished_at=now,
                error_code=code,
                error_message=message,
            ):
                self._queued.pop(record.request_id, None)
                self._last_progress.pop(record.request_id, None)
                changed = True
        if changed:
            self._notify()


def _write_wav(data: bytes, fmt: str, path: Path) -> None:
    """Store the worker's audio as WAV; raises if the bytes are not audio at all."""
    if fmt == "wav":
        sf.info(io.BytesIO(data))  # reads the header: the file must be playable
    else:
        samples, rate = audio.decode(data)
        data = audio.encode(samples, rate, "wav")
    _write_atomically(path, data)


def _convert(wav: Path, path: Path, fmt: str) -> None:
    samples, rate = audio.decode(wav.read_bytes())
    _write_atomically(path, audio.encode(np.asarray(samples), rate, fmt))  # type: ignore[arg-type]


def _write_atomically(path: Path, data: bytes) -> None:
    # A reader never sees half a file: write beside it, then rename over.
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    tmp.write_bytes(data)
    tmp.replace(path)


__all__ = ["Conflict", "GenerationService", "NewGeneration", "reply_queue"]
