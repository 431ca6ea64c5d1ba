"""Collecting responses and events in tests, waiting on them with timeouts (no sleeps)."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from typing import Any, Callable

from tag.broker.base import Broker, Delivery, Subscription
from tag.messages import ProgressEvent, SoundResponse


class Responses:
    """Consumes a response queue; every response is kept, duplicates included."""

    def __init__(self) -> None:
        self.items: list[SoundResponse] = []
        self.correlation_ids: list[str | None] = []
        self._changed = asyncio.Condition()
        self._subscription: Subscription | None = None

    async def start(self, broker: Broker, queue: str) -> "Responses":
        self._subscription = await broker.consume(queue, self._on_delivery, prefetch=50)
        return self

    async def stop(self) -> None:
        if self._subscription is not None:
            await self._subscription.cancel()

    async def _on_delivery(self, delivery: Delivery) -> None:
        response = SoundResponse.from_json(delivery.message.body)
        await delivery.ack()
        async with self._changed:
            self.items.append(response)
            self.correlation_ids.append(delivery.message.correlation_id)
            self._changed.notify_all()

    async def wait_for(self, count: int, timeout: float = 20.0) -> list[SoundResponse]:
        async def enough() -> None:
            async with self._changed:
                await self._changed.wait_for(lambda: len(self.items) >= count)

        await asyncio.wait_for(enough(), timeout)
        return list(self.items)

    def by_request(self) -> Counter[str]:
        return Counter(str(r.request_id) for r in self.items)


class Events:
    """Subscribes to an event exchange and keeps decoded JSON bodies."""

    def __init__(self) -> None:
        self.items: list[dict[str, Any]] = []
        self._changed = asyncio.Condition()
        self._subscription: Subscription | None = None

    async def start(self, broker: Broker, exchange: str, routing_key: str) -> "Events":
        self._subscription = await broker.subscribe_events(exchange, routing_key, self._on_event)
        return self

    async def stop(self) -> None:
        if self._subscription is not None:
            await self._subscription.cancel()

    async def _on_event(self, body: bytes) -> None:
        async with self._changed:
            self.items.append(json.loads(body))
            self._changed.notify_all()

    async def wait_until(self, predicate: Callable[[list[dict[str, Any]]], bool], timeout: float = 20.0) -> None:
        async def satisfied() -> None:
            async with self._changed:
                await self._changed.wait_for(lambda: predicate(self.items))

        await asyncio.wait_for(satisfied(), timeout)

    def progress(self) -> list[ProgressEvent]:
        return [ProgressEvent.model_validate(item) for item in self.items if "stage" in item]

    def workers(self) -> set[str]:
        return {item["worker_id"] for item in self.items if "worker_id" in item}


async def take_dead_letters(broker: Broker, queue: str, count: int, timeout: float = 10.0) -> list[Delivery]:
    """Consume (and ack) the first ``count`` messages of the dead-letter queue ``queue``."""
    letters: asyncio.Queue[Delivery] = asyncio.Queue()

    async def keep(delivery: Delivery) -> None:
        await delivery.ack()
        await letters.put(delivery)

    subscription = await broker.consume(queue, keep, prefetch=max(1, count))
    try:
        return [await asyncio.wait_for(letters.get(), timeout) for _ in range(count)]
    finally:
        await subscription.cancel()
