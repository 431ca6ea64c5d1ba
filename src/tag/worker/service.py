"""GeneratorService: consume requests, run the engine, publish responses.

One service per worker process (or per ``tag run``).  For each delivery:

1. parse it; an unusable message (one in a content encoding such as gzip, or
   whose JSON, schema or prompt is wrong) is dead-lettered with the reason (and,
   when the sender can be identified, the user is told);
2. a request its front end cancelled (a ``CancelEvent`` seen on the progress
   exchange, remembered for the request TTL, so a cancel that overtakes its
   request counts too) is acked without generating; its front end gets a
   short ``cancelled`` answer (no sound) that frees the user's queue place;
3. a request already answered (a redelivery after a lost ack) is just acked;
4. a request on its last allowed delivery is a poison message (every earlier
   delivery ended without an answer, e.g. it killed the worker): it is not run
   again: it goes to the dead-letter queue with the reason and the user gets
   an error, before any other generation in this process may start;
5. otherwise the engine runs on a worker thread, the audio is encoded, and the
   ``SoundResponse`` is published (confirmed) to ``reply_to`` before the ack.
   A cancel seen meanwhile stops the engine at its next progress call (or is
   noticed when the engine returns); the request is then acked and answered
   ``cancelled`` as above, never with a sound.

Any failure of the engine becomes an error response for that one user; the
service itself keeps going.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import json
import logging
import os
import socket
import threading
import time
import uuid
from typing import Any

from pydantic import ValidationError

from tag import audio as audio_codec
from tag.broker.base import Broker, BrokerError, Delivery, Message, Subscription, UnroutableError, encoding_problem
from tag.config import Settings
from tag.engines.adapters import refuse_adapter, takes_adapters
from tag.engines.base import Audio, Engine, EngineError
from tag.engines.batching import BatchingEngine, BatchJob
from tag.engines.registry import EngineSpec, check_engine_duration, get_spec, ignored_notice
from tag.engines.peers.routing import forward_queue, worker_queues
from tag.frontend import CANCEL_BINDING, REPLY_DELIVERY_LIMIT, CancelEvent
from tag.observability.logging import bound_request_id
from tag.observability.metrics import Metrics
from tag.messages import (
    InvalidMessage,
    LimitError,
    ProgressEvent,
    ResponseError,
    SoundRequest,
    SoundResponse,
    new_seed,
    parse_request,
)
from tag.worker.answered import RecentIds
from tag.worker.batching import Batcher
from tag.worker.progress import GenerationCancelled, ProgressReporter
from tag.worker.threads import DaemonPool

log = logging.getLogger(__name__)

HEARTBEAT_INTERVAL = 5.0
# Error code of the answer to a request its front end cancelled.
CANCELLED = "cancelled"


def make_worker_id() -> str:
    # Dots separate words in topic routing keys, so keep them out of the id.
    host = socket.gethostname().replace(".", "-")
    return f"{host}-{os.getpid()}-{uuid.uuid4().hex[:4]}"


def encode_audio(sound: Audio, duration: float, fmt: str) -> tuple[bytes, int]:
    """Exactly ``duration`` long, loudness-normalised, encoded (``audio.condition``)."""
    return audio_codec.condition(sound.samples, sound.sample_rate, duration, fmt)  # type: ignore[arg-type]


def _addressee(body: bytes) -> tuple[uuid.UUID, int, int] | None:
    """request_id, chat_id and user_id of an invalid v1 request, if they are readable."""
    try:
        data = json.loads(body)
        if not isinstance(data, dict) or data.get("version") != 1:
            return None
        chat, user = data["chat_id"], data["user_id"]
        if type(chat) is not int or type(user) is not int:
            return None
        return uuid.UUID(str(data["request_id"])), chat, user
    except (ValueError, KeyError, TypeError):
        return None


class GeneratorService:
    def __init__(
        self,
        settings: Settings,
        broker: Broker,
        engine: Engine,
        *,
        worker_id: str | None = None,
        heartbeat_interval: float = HEARTBEAT_INTERVAL,
        remember: int = 10_000,
        metrics: Metrics | None = None,
    ) -> None:
        self.settings = settings
        self.broker = broker
        self.engine = engine
        self.worker_id = worker_id or make_worker_id()
        self.heartbeat_interval = heartbeat_interval
        self.concurrency = settings.worker_concurrency
        self.metrics = metrics if metrics is not None else Metrics("worker")
        self._answered = RecentIds(remember)
        # Cancelled requests stay worth skipping while they can still be queued.
        self._cancelled = RecentIds(remember, max_age=settings.request_ttl)
        # request_id -> set when a request being generated here is cancelled.
        self._cancel_flags: dict[str, threading.Event] = {}
        self._cancel_subscription: Subscription | None = None
        # Requests on their last delivery being dead-lettered right now (_set_aside).
        self._setting_aside = 0
        self._set_aside_changed = asyncio.Condition()
        # request_id -> future resolved with "answered?" when the first copy finishes.
        self._running: dict[str, asyncio.Future[bool]] = {}
        self._jobs: set[asyncio.Task[Any]] = set()
        # Deliveries received but not yet handed to the batcher (nor settled otherwise):
        # batch mates on their way, which a batch being collected waits for.
        self._arriving: set[asyncio.Task[Any]] = set()
        self._pool: DaemonPool | None = None
        self.batcher: Batcher | None = None  # with TAG_WORKER_BATCH > 1 and an engine that batches
        self._subscriptions: list[Subscription] = []
        self.queues: list[str] = []
        self._heartbeat: asyncio.Task[None] | None = None
        self._stopping = False
        self.counts: dict[str, int] = {"ok": 0, "error": 0, "dead_lettered": 0, "duplicate": 0, "cancelled": 0}

    @property
    def in_flight(self) -> int:
        return len(self._jobs)

    # -- life cycle ---------------------------------------------------------------
    async def start(self) -> None:
        settings = self.settings
        # The shared queue, plus the queue of requests that insist on this engine.
        self.queues = worker_queues(settings, [self.engine.name])
        for queue in self.queues:
            await self.broker.declare(queue, delivery_limit=settings.delivery_limit)
        # The default reply queue belongs to the bot, which declares it with its own
        # arguments; create it only if missing, so replies wait for a bot that is down.
        if await self.broker.queue_depth(settings.response_queue) is None:
            await self.broker.declare(settings.response_queue, delivery_limit=REPLY_DELIVERY_LIMIT)
        callbacks = getattr(self.broker, "reconnect_callbacks", None)  # RabbitMQ only
        if callbacks is not None:
            callbacks.append(self.metrics.reconnected)
        self._pool = DaemonPool(self.concurrency, name=f"engine-{self.engine.name}")
        prefetch = self.concurrency
        if settings.worker_batch > 1 and isinstance(self.engine, BatchingEngine):
            self.batcher = Batcher(
                self.engine, self._pool, settings.worker_batch, settings.worker_batch_wait, self._requests_coming,
                on_sizes=functools.partial(self.metrics.set_batch_sizes, self.worker_id),
            )
            self.metrics.set_batch_sizes(self.worker_id, 0, 0)
            prefetch = max(prefetch, settings.worker_batch)  # a batch's requests are all unacked at once
        # Before consuming: a cancel published while we start must not be missed.
        self._cancel_subscription = await self.broker.subscribe_events(
            settings.progress_exchange, CANCEL_BINDING, self._on_cancel
        )
        # Prefetch = concurrency (or the batch): a worker never holds requests it cannot start.
        for queue in self.queues:
            self._subscriptions.append(
                await self.broker.consume(queue, functools.partial(self._on_delivery, queue), prefetch=prefetch)
            )
        await self._send_heartbeat()
        self._heartbeat = asyncio.create_task(self._heartbeats(), name="heartbeat")
        log.info(
            "worker %s: engine %r serves %s on %s (concurrency %d, batch %d)",
            self.worker_id,
            self.engine.name,
            " and ".join(repr(q) for q in self.queues),
            self.broker.url_for_logs,
            self.concurrency,
            self.batcher.size if self.batcher else 1,
        )

    async def stop(self, grace: float | None = None) -> None:
        """Stop consuming, give jobs in hand ``grace`` seconds, requeue the rest."""
        grace = self.settings.worker_grace if grace is None else grace
        if self._subscriptions:
            for subscription in self._subscriptions:
                await subscription.cancel()
            self._subscriptions = []
            self._stopping = True
            await self._send_heartbeat()  # tells monitors at once that no more work is taken
        if self._jobs:
            log.info("stopping: waiting up to %.0f s for %d job(s) in hand", grace, len(self._jobs))
            _, pending = await asyncio.wait(set(self._jobs), timeout=grace)
            for task in pending:
                task.cancel()  # the job requeues its delivery as it unwinds
            if pending:
                await asyncio.wait(pending, timeout=10)
        if self._cancel_subscription is not None:
            await self._cancel_subscription.cancel()
            self._cancel_subscription = None
        if self._heartbeat is not None:
            self._heartbeat.cancel()
            await asyncio.gather(self._heartbeat, return_exceptions=True)
            self._heartbeat = None
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None
        log.info("worker %s stopped (%s)", self.worker_id, ", ".join(f"{k} {v}" for k, v in self.counts.items()))

    # -- heartbeats ---------------------------------------------------------------
    async def _send_heartbeat(self) -> None:
        body = json.dumps(
            {
                "worker_id": self.worker_id,
                "engines": [self.engine.name],
                "in_flight": self.in_flight,
                "concurrency": self.concurrency,
                # Batching (TAG_WORKER_BATCH): the most requests one batch takes, how many
                # the engine has in hand now and how many the last batch started had.
                "batch": self.batcher.size if self.batcher else 1,
                "batch_running": self.batcher.running if self.batcher else 0,
                "batch_last": self.batcher.last if self.batcher else 0,
                "time": time.time(),
                "stopping": self._stopping,
            }
        ).encode()
        try:
            await self.broker.publish_event(self.settings.progress_exchange, f"heartbeat.{self.worker_id}", body)
        except BrokerError as exc:
            log.debug("heartbeat not sent: %s", exc)

    async def _heartbeats(self) -> None:
        while True:
            await asyncio.sleep(self.heartbeat_interval)
            await self._send_heartbeat()

    # -- cancellations -------------------------------------------------------------
    def was_cancelled(self, request_id: uuid.UUID | str) -> bool:
        """Whether a front end cancelled ``request_id`` (within the request TTL)."""
        return str(request_id) in self._cancelled

    async def _on_cancel(self, body: bytes) -> None:
        try:
            rid = str(CancelEvent.model_validate_json(body).request_id)
        except ValidationError:
            log.debug("ignoring a malformed cancel event")
            return
        self._cancelled.add(rid)
        flag = self._cancel_flags.get(rid)
        if flag is not None:
            flag.set()
            log.info("request %s was cancelled while generating; stopping it", rid)

    async def _skip_cancelled(self, delivery: Delivery, request: SoundRequest, reply_to: str) -> None:
        """Ack a cancelled request; its front end gets a short "cancelled" answer, no sound.

        The front end has already ended the request for its user and drops this
        answer, but it learns that the request has left the queue (its
        back-pressure ledger frees the user's place only now).
        """
        rid = str(request.request_id)
        log.info("request %s was cancelled by its front end; acknowledged without a sound", rid)
        self.counts["cancelled"] += 1
        await self._respond(self._failure(request, CANCELLED, "the request was cancelled"), reply_to)
        await self._settle(delivery.ack(), f"ack of cancelled request {rid}")

    # -- one delivery -------------------------------------------------------------
    async def _on_delivery(self, queue: str, delivery: Delivery) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._jobs.add(task)
        self._arriving.add(task)
        self.metrics.set_in_flight(self.worker_id, len(self._jobs))
        settled = False
        try:
            settled = await self._process(queue, delivery)
        except asyncio.CancelledError:
            if not settled:
                await self._settle(delivery.requeue(), "requeue (worker stopping)")
                log.info("job abandoned at shutdown; the request goes back to the queue")
            raise
        finally:
            self._jobs.discard(task)
            self._arrived(task)
            self.metrics.set_in_flight(self.worker_id, len(self._jobs))

    def _arrived(self, task: asyncio.Task[Any] | None = None) -> None:
        """This delivery's triage is over: no batch being collected need wait for it."""
        task = task or asyncio.current_task()
        if task in self._arriving:
            self._arriving.discard(task)  # type: ignore[arg-type]
            if self.batcher is not None:
                self.batcher.reconsider()

    async def _requests_coming(self) -> bool:
        """Whether another request may soon join a batch being collected: a delivery
        still in triage here, or a message ready in a queue this worker consumes."""
        await asyncio.sleep(0)  # deliveries received with this one start their triage first
        if self._arriving:
            return True
        for queue in self.queues:
            if await self.broker.queue_depth(queue):
                return True
        # Deliveries that came in while the broker answered (they travel ahead of its answer).
        await asyncio.sleep(0)
        return bool(self._arriving)

    async def _settle(self, operation: Any, what: str) -> bool:
        try:
            await operation
            return True
        except BrokerError as exc:
            log.warning("%s failed: %s", what, exc)
            return False

    async def _process(self, queue: str, delivery: Delivery) -> bool:
        """Handle one delivery; True once it has been settled."""
        self.metrics.received()
        unreadable = encoding_problem(delivery.message)
        if unreadable is not None:
            await self._reject_invalid(delivery, unreadable)
            return True
        try:
            request = parse_request(delivery.message.body, max_duration=self.settings.max_duration)
        except InvalidMessage as exc:
            await self._reject_invalid(delivery, str(exc))
            return True
        with bound_request_id(request.request_id):
            return await self._process_request(queue, delivery, request)

    async def _process_request(self, queue: str, delivery: Delivery, request: SoundRequest) -> bool:
        settings = self.settings
        rid = str(request.request_id)
        reply_to = delivery.message.reply_to or settings.response_queue
        if self.was_cancelled(rid):
            await self._skip_cancelled(delivery, request, reply_to)
            return True
        target = forward_queue(settings, request, [self.engine.name], queue)
        if target is not None:
            await self._forward(delivery, request, target, reply_to)
            return True
        if rid in self._answered:
            log.info("request %s was already answered; acknowledging the redelivery", rid)
            self.counts["duplicate"] += 1
            await self._settle(delivery.ack(), "ack of a duplicate")
            return True
        first = self._running.get(rid)
        if first is not None:
            # A copy redelivered while the first is still generating (after a
            # reconnect): let the first finish rather than generate twice.
            self._arrived()
            answered = await asyncio.shield(first)
            self.counts["duplicate"] += 1
            await self._settle(delivery.ack() if answered else delivery.requeue(), "settling a duplicate")
            return True

        if delivery.delivery_count > settings.delivery_limit:
            await self._set_aside(delivery, request, reply_to)
            return True

        running: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._running[rid] = running
        self._cancel_flags[rid] = threading.Event()
        answered = False
        try:
            await self._set_asides_done()
            try:
                response: SoundResponse | None = await self._generate(request, reply_to)
            except GenerationCancelled:
                response = None
            if response is None or self.was_cancelled(rid):
                answered = True  # settled for good: a duplicate copy is just acked
                await self._skip_cancelled(delivery, request, reply_to)
                return True
            answered = await self._respond(response, reply_to)
            if answered:
                self._answered.add(rid)
                await self._settle(delivery.ack(), f"ack of request {rid}")
            else:
                await self._settle(delivery.requeue(), f"requeue of request {rid}")
            return True
        finally:
            running.set_result(answered)
            self._running.pop(rid, None)
            self._cancel_flags.pop(rid, None)

    async def _generate(self, request: SoundRequest, reply_to: str) -> SoundResponse:
        assert self._pool is not None
        loop = asyncio.get_running_loop()
        options = request.options
        rid = request.request_id
        spec = self._spec()
        try:
            check_engine_duration(request.duration, self.settings.max_duration, spec.name if spec else None)
        except LimitError as exc:
            return self._failure(request, "bad_duration", str(exc))
        if options.adapter is not None and not takes_adapters(self.engine):
            return self._failure(request, "bad_options", str(refuse_adapter(self.engine.name)))
        # No seed named: a fresh one, reported in the response so the sound can be made again.
        seed = new_seed() if options.seed is None else options.seed
        progress = ProgressReporter(
            loop, lambda event: self._publish_progress(event, reply_to), rid, cancelled=self._cancel_flags.get(str(rid))
        )
        await progress.emit("started", 0)
        started = time.monotonic()
        try:
            # One hop to a worker thread for generation and encoding together (each
            # hop costs a scheduler time slice on a busy machine); the copied
            # context carries the request id into the engine's log lines.
            if self.batcher is not None:
                job = self._batch_job(request, seed, progress)
                self._arrived()
                sound, data, rate = await self.batcher.generate(
                    job, functools.partial(self._encode, request, progress=progress)
                )
            else:
                sound, data, rate = await asyncio.wrap_future(
                    self._pool.submit(contextvars.copy_context().run, self._render, request, seed, progress)
                )
        except EngineError as exc:
            log.warning("request %s failed in engine %r: %s", rid, self.engine.name, exc)
            return self._failure(request, exc.code, str(exc))
        except Exception:
            log.exception("request %s: engine %r crashed", rid, self.engine.name)
            return self._failure(request, "engine_failed", "the sound could not be generated (internal error); please try again")
        finally:
            progress.close()
        await progress.emit("done", 100)
        self.metrics.observe_generation(self.engine.name, request.duration, time.monotonic() - started)
        log.info(
            "request %s: %.1f s of %r by %s in %.2f s (%s, %d bytes)",
            rid,
            request.duration,
            request.prompt[:80],
            sound.engine,
            time.monotonic() - started,
            options.format,
            len(data),
        )
        return SoundResponse(
            request_id=rid,
            chat_id=request.chat_id,
            user_id=request.user_id,
            status="ok",
            audio=data,
            format=options.format,
            sample_rate=rate,
            duration=request.duration,
            engine=sound.engine or self.engine.name,
            notices=self._ignored_options(spec, request) + list(sound.notices),
            sources=sound.summary()["sources"],  # type: ignore[arg-type]
            seed=seed,
            warnings=list(sound.warnings),
            suggestions=list(sound.suggestions),
        )

    def _spec(self) -> EngineSpec | None:
        """This worker's engine as registered (None for an engine built by hand)."""
        try:
            return get_spec(self.engine.name)
        except EngineError:
            return None

    def _ignored_options(self, spec: EngineSpec | None, request: SoundRequest) -> list[str]:
        options = request.options
        ignored = [] if spec is None else spec.ignored(
            steps=options.steps, guidance=options.guidance, candidates=options.candidates, stereo=options.stereo
        )
        return [ignored_notice(spec.name, ignored)] if spec is not None and ignored else []

    def _render(self, request: SoundRequest, seed: int, progress: ProgressReporter) -> tuple[Audio, bytes, int]:
        """Generate and encode (on a worker thread)."""
        options = request.options
        # Only engines that take adapters get the keyword (checked in _generate).
        adapter = {"adapter": options.adapter} if options.adapter is not None else {}
        sound = self.engine.generate(
            request.prompt,
            request.duration,
            seed=seed,
            candidates=options.candidates,
            steps=options.steps,
            guidance=options.guidance,
            stereo=options.stereo,
            progress=progress,
            **adapter,
        )
        return self._encode(request, sound, progress)

    def _encode(self, request: SoundRequest, sound: Audio, progress: ProgressReporter) -> tuple[Audio, bytes, int]:
        progress.close()  # late engine callbacks must not follow "done"
        data, rate = encode_audio(sound, request.duration, request.options.format)
        return sound, data, rate

    def _batch_job(self, request: SoundRequest, seed: int, progress: ProgressReporter) -> BatchJob:
        options = request.options
        flag = self._cancel_flags.get(str(request.request_id))
        return BatchJob(
            request.prompt,
            request.duration,
            seed,
            candidates=options.candidates,
            steps=options.steps,
            guidance=options.guidance,
            stereo=options.stereo,
            progress=progress,
            adapter=options.adapter,
            cancelled=flag.is_set if flag is not None else (lambda: False),
        )

    def _failure(self, request: SoundRequest, code: str, message: str) -> SoundResponse:
        failure = SoundResponse.failure(request, code, message)
        return failure.model_copy(update={"engine": self.engine.name})

    async def _publish_progress(self, event: ProgressEvent, reply_to: str) -> None:
        await self.broker.publish_event(self.settings.progress_exchange, f"progress.{reply_to}", event.to_json())

    async def _respond(self, response: SoundResponse, reply_to: str) -> bool:
        """Publish (confirmed); True when the request needs no further delivery."""
        message = Message(
            body=response.to_json(),
            correlation_id=str(response.request_id),
            message_id=str(uuid.uuid4()),
            headers={"x-tag-worker": self.worker_id},
        )
        try:
            await self.broker.publish(reply_to, message)
        except UnroutableError:
            # Nobody will ever read this answer (the front end's queue is gone);
            # generating again would not help either.
            log.warning("reply queue %r does not exist; response to %s dropped", reply_to, response.request_id)
            return True
        except BrokerError as exc:
            log.error("response to %s not published: %s", response.request_id, exc)
            return False
        self.counts[response.status] += 1
        self.metrics.answered(response.status, response.error.code if response.error else None)
        return True

    async def _forward(self, delivery: Delivery, request: SoundRequest, target: str, reply_to: str) -> None:
        """Pass a request naming another engine on to that engine's queue."""
        original = delivery.message
        headers = {k: v for k, v in original.headers.items() if not k.startswith("x-delivery")}
        copy = Message(
            body=original.body,
            reply_to=original.reply_to,
            correlation_id=original.correlation_id,
            message_id=original.message_id,
            headers=headers,
            content_type=original.content_type,
            expiration_ms=original.expiration_ms,
        )
        try:
            await self.broker.publish(target, copy)
        except UnroutableError:
            engine = request.options.engine
            log.warning("request %s asks for engine %r, which no worker serves", request.request_id, engine)
            response = self._failure(request, "engine_unavailable", f"no worker serves the engine {engine!r}")
            if not await self._respond(response, reply_to):
                await self._settle(delivery.requeue(), "requeue")
                return
        except BrokerError as exc:
            log.warning("request %s not forwarded to %r: %s", request.request_id, target, exc)
            await self._settle(delivery.requeue(), "requeue")
            return
        else:
            log.info("request %s forwarded to %r", request.request_id, target)
        await self._settle(delivery.ack(), "ack of a forwarded request")

    async def _reject_invalid(self, delivery: Delivery, reason: str) -> None:
        log.warning("dead-lettering an unusable message: %s", reason)
        addressee = _addressee(delivery.message.body)
        if addressee is not None:
            request_id, chat_id, user_id = addressee
            response = SoundResponse(
                request_id=request_id,
                chat_id=chat_id,
                user_id=user_id,
                status="error",
                engine=self.engine.name,
                error=ResponseError(code="invalid_request", message=reason),
            )
            await self._respond(response, delivery.message.reply_to or self.settings.response_queue)
        if await self._settle(delivery.dead_letter(reason), "dead-lettering"):
            self.counts["dead_lettered"] += 1
            self.metrics.dead_lettered(reason)

    async def _set_aside(self, delivery: Delivery, request: SoundRequest, reply_to: str) -> None:
        """Dead-letter a request on its last allowed delivery, with no generation
        in this process starting meanwhile.

        Had the process died before this is done (killed by another request it
        holds: concurrency > 1, or one request from each queue it consumes), the
        broker would drop the message into the dead-letter queue itself, with no
        reason and no word to the user.  Counted synchronously, before any await,
        so that jobs received in the same moment see it.
        """
        self._setting_aside += 1
        try:
            await self._reject_poison(delivery, request, reply_to)
        finally:
            self._setting_aside -= 1
            async with self._set_aside_changed:
                self._set_aside_changed.notify_all()

    async def _set_asides_done(self) -> None:
        """Wait while a request on its last delivery is being set aside (see ``_set_aside``)."""
        await asyncio.sleep(0)  # deliveries received with this one reach their triage first
        async with self._set_aside_changed:
            await self._set_aside_changed.wait_for(lambda: self._setting_aside == 0)

    async def _reject_poison(self, delivery: Delivery, request: SoundRequest, reply_to: str) -> None:
        tries = delivery.delivery_count - 1
        log.error(
            "request %s was delivered %d times without an answer (limit %d): dead-lettering it",
            request.request_id,
            delivery.delivery_count,
            self.settings.delivery_limit,
        )
        # The dead letter first: it is the record of why, and settles the delivery.
        reason = f"delivery limit exceeded: delivery {delivery.delivery_count} > limit {self.settings.delivery_limit}"
        if await self._settle(delivery.dead_letter(reason), "dead-lettering"):
            self.counts["dead_lettered"] += 1
            self.metrics.dead_lettered(reason)
        self._answered.add(str(request.request_id))
        response = self._failure(
            request,
            "poison",
            f"this request stopped the generator {tries} times, so it was set aside; "
            "try a different prompt or duration",
        )
        await self._respond(response, reply_to)
