"""Fixtures of the web tests: a running server (and worker) per test."""

from __future__ import annotations

from typing import Any, Callable, Iterator

import pytest
from web_stack import WebStack

from tag.config import Settings
from tag.engines import Engine, EngineError, create_engine


@pytest.fixture
def make_stack(settings: Settings) -> Iterator[Callable[..., WebStack]]:
    """``make_stack(engine=..., **settings_changes)`` -> a running WebStack."""
    stacks: list[WebStack] = []

    def make(engine: Engine | None = None, **changes: Any) -> WebStack:
        stack = WebStack(settings.model_copy(update=changes))
        stacks.append(stack)
        stack.start_web()
        if engine is not None:
            stack.start_worker(engine)
        return stack

    yield make
    for stack in stacks:
        stack.close()


@pytest.fixture(scope="session")
def synth_engine() -> Engine:
    """The offline engine every worker test generates with (made once: it is pure)."""
    try:
        return create_engine("synth", Settings(_env_file=None))
    except EngineError as exc:
        if exc.code != "unknown_engine":
            raise
        pytest.skip("the synth engine (tag.engines.synth) is not registered in this tree")
