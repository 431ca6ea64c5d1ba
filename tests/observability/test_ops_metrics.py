from prometheus_client.parser import text_string_to_metric_families

from tag.observability.metrics import Metrics, duration_bucket


def _samples(metrics: Metrics) -> dict[tuple[str, tuple], float]:
    found = {}
    for family in text_string_to_metric_families(metrics.render().decode()):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def test_duration_buckets_are_few_and_ordered():
    assert [duration_bucket(s) for s in (0.5, 2, 2.01, 5, 9, 30, 31, 600)] == [
        "<=2s", "<=2s", "<=5s", "<=5s", "<=10s", "<=30s", ">30s", ">30s",
    ]


def test_counters_and_gauges_render_in_the_text_format():
    m = Metrics("worker")
    m.received()
    m.received()
    m.answered("ok")
    m.answered("error", "engine_error")
    m.dead_lettered("invalid JSON: Expecting value: line 1 column 1")
    m.rejected("user_queue_full")
    m.reconnected()
    m.set_queue_depth("RequestQueue", 7)
    m.set_in_flight("w1", 2)
    m.set_workers_alive(3)
    m.set_broker_up(False)
    found = _samples(m)
    c = ("component", "worker")
    assert found[("tag_requests_received_total", (c,))] == 2
    assert found[("tag_requests_answered_total", (c, ("status", "ok")))] == 1
    assert found[("tag_requests_answered_total", (c, ("status", "error")))] == 1
    assert found[("tag_requests_failed_total", (("code", "engine_error"), c))] == 1
    assert ("tag_requests_failed_total", (("code", "unknown"), c)) not in found
    assert found[("tag_requests_dead_lettered_total", (c, ("reason", "invalid_json")))] == 1
    assert found[("tag_requests_rejected_total", (c, ("reason", "user_queue_full")))] == 1
    assert found[("tag_broker_reconnects_total", (c,))] == 1
    assert found[("tag_queue_depth", (c, ("queue", "RequestQueue")))] == 7
    assert found[("tag_in_flight", (c, ("worker_id", "w1")))] == 2
    assert found[("tag_workers_alive", (c,))] == 3
    assert found[("tag_broker_up", (c,))] == 0


def test_generation_histogram_is_split_by_engine_and_duration():
    m = Metrics("worker")
    m.observe_generation("synth", 4.0, 0.3)
    m.observe_generation("synth", 4.0, 3.0)
    m.observe_generation("synth", 20.0, 12.0)
    assert m.value("tag_generation_seconds_count", engine="synth", duration_bucket="<=5s") == 2
    assert m.value("tag_generation_seconds_sum", engine="synth", duration_bucket="<=5s") == 3.3
    assert m.value("tag_generation_seconds_bucket", engine="synth", duration_bucket="<=5s", le="0.5") == 1
    assert m.value("tag_generation_seconds_count", engine="synth", duration_bucket="<=30s") == 1


def test_each_metrics_object_has_its_own_registry():
    # Two components in one process (``tag run``) must not collide or share counts.
    bot, worker = Metrics("bot"), Metrics("worker")
    bot.received()
    assert bot.value("tag_requests_received_total") == 1
    assert worker.value("tag_requests_received_total") == 0
