"""Property-based fuzzing of the API from its own OpenAPI document: never a 5xx."""

from __future__ import annotations

import json

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from web_stack import WebStack

pytestmark = pytest.mark.rabbitmq

EXAMPLES = 25
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    derandomize=True,  # the same inputs on every run: a failure is reproducible
    suppress_health_check=list(HealthCheck),
)


def test_no_server_error_for_any_generated_input(make_stack, synth_engine) -> None:
    # No queue limits: every valid request should reach the queue code paths.
    stack: WebStack = make_stack(engine=synth_engine, web_rate_burst=10_000, max_queue_per_user=10_000)
    # One finished generation, so operations on an id also run on a real one.
    with stack.client() as client:
        real_id = client.post("/v1/generations", json={"prompt": "a bell", "duration": 1}).json()["id"]
        with client.stream("GET", f"/v1/generations/{real_id}/events") as events:
            assert any('"status":"done"' in line for line in events.iter_lines())
    stack.stop_worker()  # what the fuzzer queues stays queued (and is deleted with the queue)

    schema = schemathesis.openapi.from_url(stack.url + "/openapi.json")
    session = requests.Session()
    failures: list[str] = []
    operations = 0
    calls = 0

    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        runs = [{}]
        if "{generation_id}" in operation.path:
            runs.append({"path_parameters": {"generation_id": real_id}})
        for mode in (schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE):
            for fixed in runs:
                strategy = operation.as_strategy(generation_mode=mode, **fixed)

                @FUZZ
                @given(case=strategy)
                def check(case: schemathesis.Case) -> None:
                    nonlocal calls
                    calls += 1
                    response = case.call(base_url=stack.url, session=session, timeout=15)
                    # /readyz answers 503 by design here: the worker was stopped above.
                    not_ready = case.formatted_path == "/readyz" and response.status_code == 503
                    if response.status_code >= 500 and not not_ready:
                        failures.append(
                            f"{case.method} {case.formatted_path} -> {response.status_code}: "
                            f"{response.text[:200]} (body {json.dumps(case.body, default=str)[:200]})"
                        )

                try:
                    check()
                except Unsatisfiable:
                    # No invalid input exists (an operation without parameters).
                    assert mode is schemathesis.GenerationMode.NEGATIVE, operation.label

    assert operations >= 8 and calls >= operations * EXAMPLES
    assert failures == [], "\n".join(failures[:10])
