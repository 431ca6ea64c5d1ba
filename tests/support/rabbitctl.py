"""Server-side operations through ``rabbitmqctl`` (on PATH, run as root in tests)."""

from __future__ import annotations

import asyncio
import subprocess


def _ctl(*args: str) -> str:
    done = subprocess.run(["rabbitmqctl", "-q", *args], capture_output=True, text=True, timeout=60, check=True)
    return done.stdout


async def close_connections(connection_name: str) -> int:
    """Close, from the server side, the connections a client opened under ``connection_name``.

    Only those: other test runs share this RabbitMQ, so ``close_all_connections``
    would break them.  Returns how many were closed.
    """
    listing = await asyncio.to_thread(_ctl, "list_connections", "pid", "client_properties")
    pids = [line.split("\t", 1)[0] for line in listing.splitlines() if f'"{connection_name}"' in line]
    for pid in pids:
        await asyncio.to_thread(_ctl, "close_connection", pid, "test")
    return len(pids)
