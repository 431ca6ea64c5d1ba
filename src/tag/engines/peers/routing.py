"""Routing requests to workers by engine: one work queue per engine.

The broker interface has plain named work queues only, so routing is by queue
name, which works the same on RabbitMQ and on the in-process broker:

* ``<request queue>`` (``TAG_REQUEST_QUEUE``, default ``RequestQueue``) carries
  requests that name no engine (or ``auto``); any worker takes them and uses its
  default engine.
* ``<request queue>.<engine>`` (e.g. ``RequestQueue.musicgen``) carries requests
  whose ``options.engine`` names that engine; only workers that serve it consume it.

Front ends publish with ``queue_for_request(settings, request)`` instead of
``settings.request_queue`` (and may check ``engine_is_served`` against worker
heartbeats to refuse at once what nobody can render).  A worker serving engines
E1..En declares and consumes ``worker_queues(settings, [E1..En])``; a request it
finds on the shared queue naming an engine it lacks (an older front end, say) is
republished to ``forward_queue(...)`` and acknowledged, never rendered with the
wrong engine.  Each engine queue gets its own dead-letter queue and the same
delivery limit and message TTL as the shared one, so an engine nobody serves
expires instead of piling up.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable

from tag.messages import SoundRequest

if TYPE_CHECKING:
    from tag.broker import Broker
    from tag.config import Settings

AUTO = "auto"


def requested_engine(request: SoundRequest) -> str | None:
    """The engine a request insists on, or None when any engine will do."""
    engine = request.options.engine
    return None if engine in (None, "", AUTO) else engine


def engine_queue(settings: "Settings", engine: str) -> str:
    return f"{settings.request_queue}.{engine}"


def queue_for_request(settings: "Settings", request: SoundRequest) -> str:
    """The queue a front end publishes ``request`` to."""
    engine = requested_engine(request)
    return settings.request_queue if engine is None else engine_queue(settings, engine)


def worker_queues(settings: "Settings", engines: Iterable[str]) -> list[str]:
    """Queues a worker serving ``engines`` consumes: the shared one, then one per engine."""
    names = [settings.request_queue]
    for engine in engines:
        queue = engine_queue(settings, engine)
        if engine != AUTO and queue not in names:
            names.append(queue)
    return names


def forward_queue(settings: "Settings", request: SoundRequest, served: Iterable[str], arrived_on: str) -> str | None:
    """Where a worker should pass ``request`` on to, or None to render it here.

    Only requests naming an engine this worker does not serve move, and only from
    the shared queue (a request already on its engine's queue stays: forwarding it
    again would loop).
    """
    engine = requested_engine(request)
    if engine is None or engine in set(served):
        return None
    target = engine_queue(settings, engine)
    return None if arrived_on == target else target


def engine_is_served(engine: str | None, served_by_workers: Iterable[Iterable[str]]) -> bool:
    """Whether any live worker (its heartbeat's ``engines`` list) renders ``engine``."""
    if engine in (None, "", AUTO):
        return any(True for _ in served_by_workers)
    return any(engine in engines for engines in served_by_workers)


async def declare_routes(broker: "Broker", settings: "Settings", engines: Iterable[str]) -> list[str]:
    """Declare the shared queue and one queue per engine (idempotent); returns their names."""
    queues = worker_queues(settings, engines)
    for queue in queues:
        await broker.declare(queue, delivery_limit=settings.delivery_limit)
    return queues
