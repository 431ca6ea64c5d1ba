"""Workers SIGKILLed mid-generation, again and again: no request is lost."""

import os
import random
import signal

import pytest

from harness import Ledger, make_requests

pytestmark = [pytest.mark.rabbitmq, pytest.mark.slow]

KILLS = 6


async def test_every_request_answered_once_while_workers_are_killed(stage):
    requests = make_requests(100)
    ledger = Ledger(requests)
    await stage.start_front_end(ledger)
    await stage.start_workers(2, TAG_TEST_FAULT_SECONDS="0.2")
    await stage.submit(requests)

    rng = random.Random(6)
    for kill in range(KILLS):
        # Spread the kills over the run; workers are busy the whole time.
        await ledger.wait_answered(10 * (kill + 1), timeout=60)
        await stage.wait_workers_ready()
        victim = rng.choice(stage.supervisor.pids())
        os.kill(victim, signal.SIGKILL)
        # Seen dead by the supervisor before the next kill picks a victim.
        await stage.supervisor.wait_for(lambda s: victim not in s.pids(), timeout=30)

    await ledger.wait_answered(100, timeout=120)
    await stage.wait_workers_ready()  # the last victim may still be coming back
    assert ledger.problems() == []
    assert ledger.statuses() == {"ok": 100}
    # A kill can only duplicate what the killed worker held (concurrency 2).
    assert ledger.duplicates() <= 2 * KILLS
    print(f"worker kills: {KILLS}, answered {ledger.answered}/100, duplicates dropped {ledger.duplicates()}")
    assert stage.supervisor.restarts == KILLS, [(s.starts, s.exit_codes) for s in stage.supervisor.slots]
    # The kills did land mid-generation: some requests were started twice.
    assert sum(1 for n in ledger.generation_starts.values() if n > 1) >= 1
