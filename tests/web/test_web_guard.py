"""Slow clients against the real server: header and body deadlines, connections per address,
and the answer to a request the HTTP parser refuses."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest

from web_stack import WebStack, wait_for

pytestmark = pytest.mark.rabbitmq

SECURITY_HEADERS = ("content-security-policy", "x-content-type-options", "referrer-policy")
# How long a test waits for the server to close a stalled connection: far beyond the
# 1 s deadlines the stacks below are given, so a loaded machine does not fail them.
CLOSE_WITHIN = 20.0
# A slow client sends its next byte when this long has passed without the server closing.
TRICKLE_EVERY = 0.25


async def _closed(reader: asyncio.StreamReader, patience: float) -> bool:
    """Whether the server closes the connection within ``patience`` s (EOF or reset)."""
    try:
        data = await asyncio.wait_for(reader.read(65536), patience)
    except asyncio.TimeoutError:
        return False
    except ConnectionError:
        return True
    return data == b""


async def _trickle(port: int, payload: bytes, *, start: int = 0) -> float:
    """Open a connection, send ``payload[:start]`` at once, then one byte per
    ``TRICKLE_EVERY``; the seconds until the server closed it (``CLOSE_WITHIN`` = never)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    opened = time.monotonic()
    try:
        writer.write(payload[:start])
        await writer.drain()
        for position in range(start, len(payload)):
            if time.monotonic() - opened > CLOSE_WITHIN:
                return CLOSE_WITHIN
            if await _closed(reader, TRICKLE_EVERY):
                return time.monotonic() - opened
            writer.write(payload[position : position + 1])
            await writer.drain()
        # Everything sent (a body stopped midway sends no more): wait for the close.
        closed = await _closed(reader, CLOSE_WITHIN - (time.monotonic() - opened))
        return time.monotonic() - opened if closed else CLOSE_WITHIN
    except ConnectionError:
        return time.monotonic() - opened
    finally:
        writer.close()


HEADERS_FOREVER = b"GET /healthz HTTP/1.1\r\nHost: x\r\n" + b"X-Slow: " + b"a" * 400 + b"\r\n\r\n"
HALF_A_BODY = (
    b"POST /v1/generations HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
    b"Content-Length: 200\r\n\r\n" + b'{"prompt": "rain", "duration": 2'
)


def test_stalled_headers_and_bodies_are_closed_while_health_stays_answered(make_stack) -> None:
    stack: WebStack = make_stack(web_header_timeout=1.0, web_body_timeout=1.0, web_connections_per_client=1000)

    async def attack() -> tuple[list[float], list[float]]:
        slow_headers = [asyncio.create_task(_trickle(stack.port, HEADERS_FOREVER)) for _ in range(40)]
        slow_bodies = [
            asyncio.create_task(_trickle(stack.port, HALF_A_BODY, start=len(HALF_A_BODY) - 10)) for _ in range(40)
        ]
        # Meanwhile the server answers others (asserted to answer, not timed).
        async with httpx.AsyncClient(base_url=stack.url, timeout=30.0) as client:
            for _ in range(5):
                health = await client.get("/healthz")
                assert health.status_code == 200 and health.json() == {"ok": True}
        return await asyncio.gather(*slow_headers), await asyncio.gather(*slow_bodies)

    headers, bodies = asyncio.run(attack())
    # Closed by the server, not left open until the client gave up.
    assert max(headers) < CLOSE_WITHIN, sorted(headers)[-5:]
    assert max(bodies) < CLOSE_WITHIN, sorted(bodies)[-5:]
    # A slow but steady client still got the whole deadline, not less.
    assert min(headers) >= 0.8 and min(bodies) >= 0.8
    with stack.client() as client:
        assert client.get("/healthz").status_code == 200


def test_a_prompt_client_keeps_its_connection_for_request_after_request(make_stack) -> None:
    stack: WebStack = make_stack(web_header_timeout=1.0, web_body_timeout=1.0)
    with stack.client() as client:
        for _ in range(4):  # one kept-alive connection
            assert client.get("/healthz").status_code == 200
            assert client.post("/v1/generations", json={"prompt": ""}).status_code == 422


def test_connections_per_client_address_are_capped(make_stack) -> None:
    stack: WebStack = make_stack(web_connections_per_client=4, web_header_timeout=30.0)
    request = b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"

    async def scenario() -> None:
        held = []
        for _ in range(4):  # each one served, and kept open
            reader, writer = await asyncio.open_connection("127.0.0.1", stack.port)
            writer.write(request)
            assert b" 200 " in await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 30)
            held.append((reader, writer))
        reader, writer = await asyncio.open_connection("127.0.0.1", stack.port)
        writer.write(request)
        assert await _closed(reader, CLOSE_WITHIN), "a connection beyond the cap was served"
        writer.close()
        # Once one is given back, the address may connect again.
        held.pop()[1].close()
        async with httpx.AsyncClient(base_url=stack.url, timeout=30.0) as client:
            deadline = time.monotonic() + CLOSE_WITHIN
            while True:
                try:
                    assert (await client.get("/healthz")).status_code == 200
                    break
                except httpx.TransportError:  # the server has not seen the close yet
                    if time.monotonic() > deadline:
                        raise
        for _, writer in held:
            writer.close()

    asyncio.run(scenario())


def test_a_request_the_parser_refuses_is_answered_with_the_security_headers(make_stack) -> None:
    stack: WebStack = make_stack()

    async def send_garbage() -> bytes:
        reader, writer = await asyncio.open_connection("127.0.0.1", stack.port)
        writer.write(b"NOT HTTP AT ALL\r\n\r\n")
        answer = await asyncio.wait_for(reader.read(), 30)
        writer.close()
        return answer

    answer = asyncio.run(send_garbage())
    head, _, body = answer.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    assert lines[0].startswith("HTTP/1.1 400"), lines
    names = {line.split(":", 1)[0].strip().lower() for line in lines[1:]}
    assert all(name in names for name in SECURITY_HEADERS), lines
    assert b"not valid HTTP" in body
    # The server goes on serving.
    wait_for(lambda: httpx.get(stack.url + "/healthz", timeout=30).status_code == 200)
