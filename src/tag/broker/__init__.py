"""Message broker: one interface (``base``), RabbitMQ and in-process implementations."""

from tag.broker.base import (
    REASON_HEADER,
    Broker,
    BrokerError,
    Delivery,
    Message,
    Subscription,
    dead_letter_queue,
)


def create_broker(url: str) -> Broker:
    """A broker for ``amqp://``/``amqps://`` or ``memory://`` URLs (not yet connected)."""
    if url.startswith("memory://"):
        from tag.broker.memory import MemoryBroker

        return MemoryBroker.shared(url)
    if url.startswith(("amqp://", "amqps://")):
        from tag.broker.rabbit import RabbitBroker

        return RabbitBroker(url)
    raise BrokerError("broker URL must start with amqp://, amqps:// or memory://")


__all__ = [
    "REASON_HEADER",
    "Broker",
    "BrokerError",
    "Delivery",
    "Message",
    "Subscription",
    "create_broker",
    "dead_letter_queue",
]
