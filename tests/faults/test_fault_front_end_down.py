"""Answers pile up while the front end is down and are all delivered when it returns."""

import pytest

from harness import Ledger, make_requests, wait_until
from tag.broker import create_broker
from tag.frontend import RequestClient

pytestmark = [pytest.mark.rabbitmq, pytest.mark.slow]


async def test_answers_wait_for_the_front_end(stage):
    requests = make_requests(100)
    # One ledger for both front-end lives: it stands for the users' chats.
    ledger = Ledger(requests)
    await stage.start_front_end(ledger)
    await stage.start_workers(2, TAG_TEST_FAULT_SECONDS="0.02")
    await stage.submit(requests)
    await stage.stop_front_end()  # the front end goes away with everything in flight
    before = ledger.answered

    async def piled_up() -> bool:
        return await stage.broker.queue_depth(stage.reply_queue) == 100 - before

    await wait_until(piled_up, 120, "every answer to wait in the reply queue")
    assert ledger.answered == before  # nobody was listening

    # A new front end process (its own connection) takes over the reply queue.
    async with create_broker(stage.settings.broker()) as broker:
        client = RequestClient(broker, stage.settings, stage.reply_queue)
        await client.start(ledger.on_response)
        try:
            await ledger.wait_answered(100, timeout=60)
        finally:
            await client.stop()
    assert ledger.problems() == []
    assert ledger.duplicates() == 0 and ledger.statuses() == {"ok": 100}
    print(f"answers waiting while the front end was down: {100 - before}, all delivered after")
