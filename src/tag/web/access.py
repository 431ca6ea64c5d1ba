"""Who is calling: optional API keys, the client's address and a per-client rate limit."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import math
import time
from dataclasses import dataclass
from typing import Callable, Iterable, Sequence

Network = ipaddress.IPv4Network | ipaddress.IPv6Network

from pydantic import SecretStr

# The owner recorded for generations made without API keys.
ANONYMOUS = ""


def key_fingerprint(key: str) -> str:
    """A stable, non-reversible name for an API key (what the store records)."""
    return hashlib.sha256(key.encode()).hexdigest()[:24]


class KeyChecker:
    """Checks ``Authorization: Bearer <key>`` against ``settings.api_keys``."""

    def __init__(self, keys: list[SecretStr]) -> None:
        self._digests = [hashlib.sha256(k.get_secret_value().encode()).digest() for k in keys]

    @property
    def enabled(self) -> bool:
        return bool(self._digests)

    def owner(self, authorization: str | None) -> str | None:
        """The caller's owner name, or None when keys are on and this one is not valid."""
        if not self.enabled:
            return ANONYMOUS
        scheme, _, key = (authorization or "").partition(" ")
        key = key.strip()
        if scheme.lower() != "bearer" or not key:
            return None
        digest = hashlib.sha256(key.encode()).digest()
        # Compare against every key so the time taken does not tell which matched.
        matched = False
        for known in self._digests:
            matched |= hmac.compare_digest(digest, known)
        return key_fingerprint(key) if matched else None


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip().strip("[]"))
    except ValueError:
        return None


def _trusted(text: str, proxies: Sequence[Network]) -> bool:
    address = _address(text)
    return address is not None and any(address in network for network in proxies)


def client_address(peer: str, forwarded_for: Iterable[str], proxies: Sequence[Network]) -> str:
    """The address a request comes from, for rate limits and queue caps.

    ``X-Forwarded-For`` counts only when the peer is one of ``proxies``
    (TAG_TRUSTED_PROXIES): then the right-most address that is not a trusted
    proxy is the client, since every hop to its right was appended by a proxy we
    trust and anything to its left may be made up by the client.
    """
    if not _trusted(peer, proxies):
        return peer
    hops = [hop.strip() for header in forwarded_for for hop in header.split(",") if hop.strip()]
    client = peer
    for hop in reversed(hops):
        if _address(hop) is None:
            break  # a proxy wrote nonsense: keep the last hop we can vouch for
        client = hop
        if not _trusted(hop, proxies):
            break
    return str(_address(client) or client)


@dataclass
class _Bucket:
    tokens: float
    stamp: float


class RateLimiter:
    """Token bucket per client: ``burst`` at once, refilled at ``per_minute``."""

    def __init__(
        self, per_minute: float, burst: int, clock: Callable[[], float] = time.monotonic, max_clients: int = 10000
    ) -> None:
        self.rate = per_minute / 60.0
        self.burst = burst
        self.clock = clock
        self.max_clients = max_clients
        self._buckets: dict[str, _Bucket] = {}

    def take(self, client: str) -> float:
        """0 if ``client`` may proceed now (a token is used), else the seconds to wait."""
        bucket = self._refilled(client)
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            return 0.0
        return (1.0 - bucket.tokens) / self.rate

    def waiting(self, client: str) -> float:
        """What ``take`` would answer, without using a token."""
        bucket = self._buckets.get(client)
        if bucket is None:
            return 0.0
        tokens = min(self.burst, bucket.tokens + (self.clock() - bucket.stamp) * self.rate)
        return 0.0 if tokens >= 1.0 else (1.0 - tokens) / self.rate

    def _refilled(self, client: str) -> _Bucket:
        now = self.clock()
        bucket = self._buckets.get(client)
        if bucket is None:
            if len(self._buckets) >= self.max_clients:
                self._forget_full(now)
            bucket = self._buckets[client] = _Bucket(float(self.burst), now)
        bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.stamp) * self.rate)
        bucket.stamp = now
        return bucket

    def _forget_full(self, now: float) -> None:
        # Clients whose bucket has refilled are indistinguishable from new ones.
        full = [c for c, b in self._buckets.items() if b.tokens + (now - b.stamp) * self.rate >= self.burst]
        for client in full:
            del self._buckets[client]
        if len(self._buckets) >= self.max_clients:
            self._buckets.clear()


def retry_after_header(seconds: float) -> str:
    return str(max(1, math.ceil(seconds)))
