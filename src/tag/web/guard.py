"""Slow clients: deadlines for request headers and bodies, and connections per address.

uvicorn's HTTP/1.1 protocol (h11) waits for a request's headers and body as long
as the client keeps the connection open: one byte now and then holds it for
ever, and a few hundred such clients hold the process's file descriptors.
``guarded_protocol`` makes an h11 protocol class that

- closes a connection whose request headers are not complete within
  ``header_timeout`` seconds of the connection (or of the previous response),
- closes one whose body is not complete within ``body_timeout`` seconds of its
  headers, and
- closes at once a connection from an address that already holds
  ``per_client`` of them (addresses in ``exempt``, i.e. trusted reverse
  proxies that carry many users, are not counted).

A request the HTTP parser refuses is answered by the protocol itself, outside
the application; that answer carries ``SECURITY_HEADERS`` too, like every other.

It only watches the protocol's state (``cycle`` and its ``more_body``), so the
parsing and everything else stay uvicorn's.  A reverse proxy in front of the
server remains the better shield (see the README's security part).
"""

from __future__ import annotations

import asyncio
import collections
import ipaddress
import json
import logging
from typing import Any, Sequence

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

from tag.web.app import SECURITY_HEADERS

log = logging.getLogger(__name__)

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def _exempt(host: str, networks: Sequence[Network]) -> bool:
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return any(address in network for network in networks)


class GuardedH11Protocol(H11Protocol):
    """h11 with deadlines; the limits are class attributes set by ``guarded_protocol``."""

    header_timeout: float = 10.0
    body_timeout: float = 20.0
    per_client: int = 32
    exempt: Sequence[Network] = ()
    # Open connections per client address, shared by every connection of one server.
    open_per_address: collections.Counter[str] = collections.Counter()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._deadline: asyncio.TimerHandle | None = None
        self._waiting_for: str | None = None  # "headers" or "body"
        self._counted: str | None = None  # the address this connection is counted under
        self._watched_cycle: object | None = None

    # -- connections per address ---------------------------------------------------
    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        host = self.client[0] if self.client else ""
        if host and not _exempt(host, self.exempt):
            if self.open_per_address[host] >= self.per_client:
                log.info("refusing a connection: the client already holds %d", self.per_client)
                transport.close()
                return
            self.open_per_address[host] += 1
            self._counted = host
        self._expect("headers", self.header_timeout)

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_deadline()
        if self._counted is not None:
            self.open_per_address[self._counted] -= 1
            if self.open_per_address[self._counted] <= 0:
                del self.open_per_address[self._counted]
            self._counted = None
        super().connection_lost(exc)

    # -- requests the parser refuses ----------------------------------------------------
    def send_400_response(self, msg: str) -> None:
        body = json.dumps({"detail": f"the request is not valid HTTP/1.1 ({msg.rstrip('.')})"}).encode()
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            (b"connection", b"close"),
            *((name.encode(), value.encode()) for name, value in SECURITY_HEADERS.items()),
        ]
        for event in (h11.Response(status_code=400, headers=headers, reason=b"Bad Request"), h11.Data(data=body),
                      h11.EndOfMessage()):
            self.transport.write(self.conn.send(event) or b"")
        self.transport.close()

    # -- deadlines ------------------------------------------------------------------
    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        self._follow()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if self.transport.is_closing():
            return
        if self._waiting_for is None:
            # Kept alive: the next request's headers are due within the same bound.
            self._expect("headers", self.header_timeout)
        self._follow()  # a pipelined request may have started already

    def _follow(self) -> None:
        """Move the deadline on as the current request's headers, then body, complete."""
        cycle = self.cycle
        if cycle is not None and cycle is not self._watched_cycle:
            self._watched_cycle = cycle  # its headers are in
            self._cancel_deadline()
            if cycle.more_body:
                self._expect("body", self.body_timeout)
        if cycle is not None and self._waiting_for == "body" and not cycle.more_body:
            self._cancel_deadline()

    def _expect(self, what: str, seconds: float) -> None:
        self._cancel_deadline()
        if self.transport is None or self.transport.is_closing():
            return
        self._waiting_for = what
        self._deadline = self.loop.call_later(seconds, self._too_slow)

    def _cancel_deadline(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
        self._deadline = None
        self._waiting_for = None

    def _too_slow(self) -> None:
        what, self._deadline, self._waiting_for = self._waiting_for, None, None
        if self.transport.is_closing():
            return
        log.info("closing a connection that did not send its request %s in time", what)
        self.transport.close()


def guarded_protocol(
    *, header_timeout: float, body_timeout: float, per_client: int, exempt: Sequence[Network] = ()
) -> type[GuardedH11Protocol]:
    """A ``GuardedH11Protocol`` class with these limits, for ``uvicorn.Config(http=...)``."""
    return type(
        "GuardedH11Protocol",
        (GuardedH11Protocol,),
        {
            "header_timeout": header_timeout,
            "body_timeout": body_timeout,
            "per_client": per_client,
            "exempt": tuple(exempt),
            "open_per_address": collections.Counter(),
        },
    )
