"""Fixtures of the fault suite (see harness.py)."""

from __future__ import annotations

import os
from typing import AsyncIterator

import pytest
from pydantic import SecretStr

from harness import Stage, vhost_url
from tag.config import Settings


@pytest.fixture(scope="session")
def faults_url() -> str:
    base = os.environ.get("TAG_TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/")
    return vhost_url(base)


@pytest.fixture
def fault_settings(settings: Settings, faults_url: str) -> Settings:
    return settings.model_copy(
        update={"broker_url": SecretStr(faults_url), "engine": "fault", "delivery_limit": 3, "worker_concurrency": 2}
    )


@pytest.fixture
async def stage(fault_settings: Settings, tmp_path) -> AsyncIterator[Stage]:
    async with Stage(fault_settings, tmp_path) as stage:
        yield stage
