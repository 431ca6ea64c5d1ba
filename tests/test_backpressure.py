"""Back-pressure against the real broker: per-user and total limits, release, TTL."""

import asyncio
import time

import pytest

from tag.backpressure import TOTAL_LIMIT, USER_LIMIT, Admission, ServiceBusy
from tag.broker import BrokerError, create_broker
from tag.frontend import RequestClient
from tag.messages import SoundRequest, SoundResponse
from tag.observability.metrics import Metrics

pytestmark = pytest.mark.rabbitmq


def request(user: int) -> SoundRequest:
    return SoundRequest(chat_id=user, user_id=user, prompt="rain", duration=1)


@pytest.fixture
async def client(settings):
    broker = create_broker(settings.broker())
    await broker.connect()
    client = RequestClient(broker, settings, settings.response_queue)
    answers: list[SoundResponse] = []

    async def on_response(response: SoundResponse) -> None:
        answers.append(response)

    await client.start(on_response)
    client.answers = answers
    yield client
    await client.stop()
    for queue in (settings.request_queue, settings.response_queue):
        await broker.delete_queue(queue)
    await broker.close()


async def test_each_user_may_have_only_so_many_requests_waiting(settings, client):
    settings = settings.model_copy(update={"max_queue_per_user": 2})
    metrics = Metrics("bot")
    client.admission = Admission(client.broker, settings, metrics)
    first, second = request(1), request(1)
    await client.submit(first)
    await client.submit(second)
    with pytest.raises(ServiceBusy) as refused:
        await client.submit(request(1))
    assert refused.value.reason == USER_LIMIT and "2 request(s)" in refused.value.message
    assert isinstance(refused.value, BrokerError)  # front ends that only know BrokerError still cope
    await client.submit(request(2))  # another user is not affected
    await client.submit(first)  # a retry of an admitted request is not a new one
    assert await client.broker.queue_depth(settings.request_queue) == 4

    # The answer frees the place (RequestClient settles it as it arrives).
    answer = SoundResponse.failure(first, "test", "done")
    await client.broker.publish(settings.response_queue, _message(answer))
    await _wait(lambda: client.answers)
    assert client.admission.pending(1) == 1
    await client.submit(request(1))
    assert metrics.value("tag_requests_rejected_total", reason=USER_LIMIT) == 1


async def test_a_full_queue_turns_everybody_away(settings, client):
    settings = settings.model_copy(update={"max_queue_total": 3, "max_queue_per_user": 100})
    client.admission = Admission(client.broker, settings, depth_every=0)
    for user in range(3):
        await client.submit(request(user))
    with pytest.raises(ServiceBusy) as refused:
        await client.submit(request(99))
    assert refused.value.reason == TOTAL_LIMIT and "3 requests are waiting" in refused.value.message
    assert client.admission.pending() == 3  # the refused one holds no place


async def test_a_failed_publish_holds_no_place(settings, client):
    admission = Admission(client.broker, settings.model_copy(update={"max_queue_per_user": 1}))
    dead = create_broker(settings.broker())  # never connected: publish fails
    failing = RequestClient(dead, settings, settings.response_queue)
    failing.admission = admission
    with pytest.raises(BrokerError):
        await failing.submit(request(7))
    assert admission.pending(7) == 0


async def test_places_are_forgotten_once_no_answer_can_come(settings):
    now = [1000.0]
    async with create_broker("memory://backpressure-test") as broker:
        await broker.declare(settings.request_queue)
        admission = Admission(broker, settings, clock=lambda: now[0])
        await admission.admit(request(5))
        assert admission.pending(5) == 1
        now[0] += settings.request_ttl + settings.request_timeout
        assert admission.pending(5) == 0
        assert admission.settle("not-a-pending-id") is False


async def test_stale_requests_expire_in_the_queue(settings, client):
    # Nobody consumes: after the TTL the broker drops the request (to the DLQ),
    # so no worker ever generates it for a user who has given up.
    quick = RequestClient(client.broker, settings.model_copy(update={"request_ttl": 0.2}), settings.response_queue)
    await quick.submit(request(3))
    deadline = time.monotonic() + 15
    while await client.broker.queue_depth(settings.request_queue) != 0:
        assert time.monotonic() < deadline, "the request never expired"
        await asyncio.sleep(0.05)
    assert await client.broker.queue_depth(settings.request_queue + ".dlq") == 1


def _message(response: SoundResponse):
    from tag.broker import Message

    return Message(body=response.to_json(), correlation_id=str(response.request_id))


async def _wait(predicate, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline
        await asyncio.sleep(0.02)


async def test_per_user_limit_can_be_left_to_the_front_end(settings, client):
    # The web page sends every request under one user id and limits its clients itself.
    settings = settings.model_copy(update={"max_queue_per_user": 1, "max_queue_total": 3})
    client.admission = Admission(client.broker, settings, per_user=False, depth_every=0)
    for _ in range(3):
        await client.submit(request(0))
    with pytest.raises(ServiceBusy) as refused:
        await client.submit(request(0))
    assert refused.value.reason == TOTAL_LIMIT
