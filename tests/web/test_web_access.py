"""API keys, the client address behind trusted proxies, and the per-client rate limit."""

from __future__ import annotations

import ipaddress

import httpx
import pytest
from pydantic import SecretStr

from tag.config import SettingsError, load_settings
from tag.web.access import ANONYMOUS, KeyChecker, RateLimiter, client_address, key_fingerprint, retry_after_header
from tag.web.app import _SecureApp


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


PROXIES = [ipaddress.ip_network("10.0.0.1/32"), ipaddress.ip_network("fd00::/8")]


def test_forwarded_for_is_ignored_unless_the_peer_is_a_trusted_proxy() -> None:
    assert client_address("198.51.100.1", ["203.0.113.9"], PROXIES) == "198.51.100.1"
    assert client_address("127.0.0.1", ["203.0.113.9"], []) == "127.0.0.1"


def test_the_client_is_the_right_most_address_that_is_not_a_trusted_proxy() -> None:
    assert client_address("10.0.0.1", ["203.0.113.9"], PROXIES) == "203.0.113.9"
    # Whatever the client wrote itself (the left part) does not count.
    assert client_address("10.0.0.1", ["6.6.6.6, 203.0.113.9"], PROXIES) == "203.0.113.9"
    # Several headers are one list; trusted hops on the right are skipped.
    assert client_address("fd00::2", ["6.6.6.6", "203.0.113.9, 10.0.0.1", "fd00::1"], PROXIES) == "203.0.113.9"
    assert client_address("10.0.0.1", [" 2001:DB8::1 "], PROXIES) == "2001:db8::1"
    # Only trusted hops, or none: the left-most trusted one / the proxy itself.
    assert client_address("10.0.0.1", ["fd00::5, 10.0.0.1"], PROXIES) == "fd00::5"
    assert client_address("10.0.0.1", [], PROXIES) == "10.0.0.1"
    # A hop that is not an address stops the walk at the last one vouched for.
    assert client_address("10.0.0.1", ["203.0.113.9, unknown"], PROXIES) == "10.0.0.1"


@pytest.mark.parametrize(
    "value, expected",
    [
        ("", []),
        ("127.0.0.1", ["127.0.0.1/32"]),
        (" 10.0.0.0/8, ::1 ,", ["10.0.0.0/8", "::1/128"]),
        ('["192.168.1.0/24", "fd00::/8"]', ["192.168.1.0/24", "fd00::/8"]),
    ],
)
def test_trusted_proxies_setting_takes_a_plain_or_json_list(monkeypatch, settings, value, expected) -> None:
    monkeypatch.setenv("TAG_TRUSTED_PROXIES", value)
    assert [str(n) for n in load_settings(_env_file=None).trusted_proxies] == expected


@pytest.mark.parametrize("value", ["proxy.internal", "10.0.0.0/33", "[10.0.0.1"])
def test_bad_trusted_proxies_name_the_variable(monkeypatch, settings, value) -> None:
    monkeypatch.setenv("TAG_TRUSTED_PROXIES", value)
    with pytest.raises(SettingsError, match="TAG_TRUSTED_PROXIES"):
        load_settings(_env_file=None)


async def test_an_unexpected_error_is_answered_with_the_security_headers() -> None:
    app = _SecureApp()

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("a bug")

    @app.get("/fine/{number}")
    async def fine(number: int) -> dict[str, int]:
        return {"number": number}

    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        ok = await client.get("/fine/1")
        answers = [await client.get("/boom"), await client.get("/nowhere"), await client.post("/fine/1"),
                   await client.get("/fine/one")]
    assert [r.status_code for r in answers] == [500, 404, 405, 422]
    assert ok.status_code == 200 and ok.headers["x-content-type-options"] == "nosniff"
    for response in answers:  # the same headers as the 200
        for name in ("content-security-policy", "x-content-type-options", "referrer-policy"):
            assert response.headers[name] == ok.headers[name], (response.status_code, name)
