"""API keys and the per-client rate limit."""

from __future__ import annotations

from pydantic import SecretStr

from tag.web.access import ANONYMOUS, KeyChecker, RateLimiter, key_fingerprint, retry_after_header


def test_without_keys_everyone_is_anonymous() -> None:
    keys = KeyChecker([])
    assert not keys.enabled
    assert keys.owner(None) == ANONYMOUS
    assert keys.owner("Bearer anything") == ANONYMOUS


def test_keys_need_a_bearer_header_with_a_known_key() -> None:
    keys = KeyChecker([SecretStr("alpha"), SecretStr("beta")])
    assert keys.enabled
    assert keys.owner("Bearer alpha") == key_fingerprint("alpha")
    assert keys.owner("bearer  beta ") == key_fingerprint("beta")
    assert key_fingerprint("alpha") != key_fingerprint("beta")
    assert "alpha" not in key_fingerprint("alpha")
    for bad in (None, "", "Bearer", "Bearer ", "Bearer gamma", "Basic alpha", "alpha"):
        assert keys.owner(bad) is None, bad


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_rate_limit_burst_then_refill_per_client() -> None:
    clock = Clock()
    limiter = RateLimiter(per_minute=6, burst=2, clock=clock)  # one token per 10 s
    assert limiter.take("a") == 0 and limiter.take("a") == 0
    wait = limiter.take("a")
    assert 9.9 < wait <= 10.0
    assert limiter.take("b") == 0  # clients are independent
    clock.now += 5
    assert 4.9 < limiter.take("a") <= 5.0
    clock.now += 5
    assert limiter.take("a") == 0
    assert limiter.take("a") > 0


def test_rate_limit_memory_is_bounded() -> None:
    clock = Clock()
    limiter = RateLimiter(per_minute=60, burst=1, clock=clock, max_clients=10)
    for n in range(100):
        limiter.take(f"client-{n}")
        clock.now += 0.001
    assert len(limiter._buckets) <= 10


def test_retry_after_is_a_whole_number_of_seconds_at_least_one() -> None:
    assert retry_after_header(0.01) == "1"
    assert retry_after_header(9.2) == "10"
