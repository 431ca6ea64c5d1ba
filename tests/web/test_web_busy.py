"""A full queue is answered with the reason, not with 'cannot be reached'."""

from __future__ import annotations

import time


def test_a_full_queue_is_refused_with_a_busy_message(make_stack) -> None:
    stack = make_stack(max_queue_total=1, max_queue_per_user=1000, web_rate_burst=1000, web_rate_per_minute=10000)  # no worker: requests stay queued
    with stack.client() as client:
        first = client.post("/v1/generations", json={"prompt": "a bell", "duration": 1})
        assert first.status_code == 202, first.text
        # The queue depth is sampled, not read on every request: ask until it shows.
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            refused = client.post("/v1/generations", json={"prompt": "a gong", "duration": 1})
            if refused.status_code != 202:
                break
    assert refused.status_code == 503, refused.text
    assert "busy" in refused.text and "cannot be reached" not in refused.text
    assert refused.headers["Retry-After"] == "30"
