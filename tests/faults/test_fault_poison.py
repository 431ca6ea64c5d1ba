"""A request that kills the engine every time: dead-lettered, its user told, others served."""

import pytest

from harness import Ledger, make_requests

pytestmark = [pytest.mark.rabbitmq, pytest.mark.slow]

POISON = {13, 57}


async def test_poison_requests_are_set_aside_and_their_users_told(stage):
    # One request per worker at a time, so a poison request never takes an
    # innocent neighbour down with it.
    stage.settings = stage.settings.model_copy(update={"worker_concurrency": 1})
    requests = make_requests(100, poison=POISON)
    ledger = Ledger(requests)
    await stage.start_front_end(ledger)
    await stage.start_workers(3, TAG_TEST_FAULT_SECONDS="0.05")
    await stage.submit(requests)
    await ledger.wait_answered(100, timeout=180)

    assert ledger.problems() == []
    poisoned = {str(requests[i].request_id) for i in POISON}
    for rid, items in ledger.answers.items():
        if rid in poisoned:
            assert items[0].status == "error" and items[0].error.code == "poison"
        else:
            assert items[0].status == "ok", items[0].error
    dlq = await stage.broker.queue_depth(stage.settings.request_queue + ".dlq")
    assert dlq == len(POISON)
    # Each poison request killed a worker once per allowed delivery.
    assert stage.supervisor.restarts == len(POISON) * stage.settings.delivery_limit
    print(f"poison requests: {len(POISON)}, worker crashes: {stage.supervisor.restarts}, dead-lettered: {dlq}")
