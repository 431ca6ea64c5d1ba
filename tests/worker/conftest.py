import uuid
from typing import AsyncIterator

import pytest

from support.fixtures import memory, rabbit  # noqa: F401  (fixtures; tests/ is on sys.path)
from tag.broker.memory import MemoryBroker
from tag.broker.rabbit import RabbitBroker
from tag.config import Settings


@pytest.fixture
async def worker_broker(settings: Settings, rabbit: RabbitBroker) -> AsyncIterator[RabbitBroker]:  # noqa: F811
    """The worker's own connection (so it can be closed without the test's)."""
    broker = RabbitBroker(settings.broker(), connection_name=f"tag-test-worker-{settings.request_queue}")
    await broker.connect()
    yield broker
    await broker.close()


@pytest.fixture
async def broker() -> AsyncIterator[MemoryBroker]:
    """An in-process broker of its own (a fresh name: no state shared between tests)."""
    broker = MemoryBroker(f"memory://{uuid.uuid4().hex}")
    await broker.connect()
    yield broker
    await broker.close()
