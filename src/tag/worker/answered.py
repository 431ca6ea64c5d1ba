"""A bounded memory of recently answered request ids (idempotent redeliveries)."""

from __future__ import annotations

from collections import OrderedDict


class RecentIds:
    """Least-recently-used set of at most ``capacity`` ids.

    RabbitMQ delivers at least once: a request whose ack was lost with the
    connection comes back.  Remembering what was answered lets the worker ack
    such a copy instead of generating (and sending) the sound twice.
    """

    def __init__(self, capacity: int = 10_000) -> None:
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        self.capacity = capacity
        self._ids: OrderedDict[str, None] = OrderedDict()

    def add(self, key: str) -> None:
        self._ids[key] = None
        self._ids.move_to_end(key)
        while len(self._ids) > self.capacity:
            self._ids.popitem(last=False)

    def __contains__(self, key: object) -> bool:
        if key in self._ids:
            self._ids.move_to_end(key)  # type: ignore[arg-type]
            return True
        return False

    def __len__(self) -> int:
        return len(self._ids)
