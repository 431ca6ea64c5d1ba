"""Fixtures shared by the broker and worker tests (imported by their conftest files)."""

from __future__ import annotations

from typing import AsyncIterator

import pytest

from tag.broker.memory import MemoryBroker
from tag.broker.rabbit import RabbitBroker
from tag.config import Settings

TEST_ENGINES = ("test-tone", "test-slow", "test-fail", "test-kill")


@pytest.fixture
async def rabbit(settings: Settings) -> AsyncIterator[RabbitBroker]:
    """A connected broker; the test's queues and exchange are deleted afterwards."""
    broker = RabbitBroker(settings.broker(), connection_name="tag-test-client")
    await broker.connect()
    yield broker
    # Workers also declare one queue per engine they serve (``<request queue>.<engine>``).
    engine_queues = [f"{settings.request_queue}.{name}" for name in TEST_ENGINES]
    for queue in (settings.request_queue, settings.response_queue, *engine_queues):
        await broker.delete_queue(queue)
    await broker.delete_exchange(settings.progress_exchange)
    await broker.close()


@pytest.fixture
async def memory() -> AsyncIterator[MemoryBroker]:
    broker = MemoryBroker("memory://test")
    await broker.connect()
    yield broker
    await broker.close()
