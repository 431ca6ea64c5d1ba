"""The HTTP API against a real server, a real worker and the real RabbitMQ."""

from __future__ import annotations

import io
import ipaddress
import json
import re
import threading
import uuid
from typing import Any, Iterator

import httpx
import pytest
import soundfile as sf
from pydantic import SecretStr

from tag.broker import Message
from tag.messages import PROMPT_MAX_CHARS, SoundResponse
from tag.web.service import reply_queue
from tag.web.store import Store
from support.engines import FailingEngine, SlowEngine
from web_stack import WebStack, wait_for

pytestmark = pytest.mark.rabbitmq


def events(client: httpx.Client, generation_id: str) -> Iterator[dict[str, Any]]:
    """The generation documents sent by the server-sent events endpoint, in order."""
    with client.stream("GET", f"/v1/generations/{generation_id}/events") as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        kind = None
        for line in response.iter_lines():
            if line.startswith("event:"):
                kind = line.split(":", 1)[1].strip()
            elif line.startswith("data:") and kind == "status":
                yield json.loads(line.split(":", 1)[1])


def follow_to_end(client: httpx.Client, generation_id: str) -> list[dict[str, Any]]:
    return list(events(client, generation_id))


def create(client: httpx.Client, **body: Any) -> httpx.Response:
    body.setdefault("prompt", "rain on a tin roof")
    body.setdefault("duration", 1.5)
    return client.post("/v1/generations", json=body)


# -- the whole life cycle -------------------------------------------------------------
def test_lifecycle_queued_to_done_with_progress_and_audio(make_stack, synth_engine) -> None:
    stack: WebStack = make_stack(engine=synth_engine)
    with stack.client() as client:
        response = create(client, prompt="  a  dog barking  ", duration=2.5, seed=7, format="ogg")
        assert response.status_code == 202
        accepted = response.json()
        generation_id = accepted["id"]
        assert len(generation_id) >= 20 and accepted["status"] == "queued"
        assert response.headers["location"] == f"/v1/generations/{generation_id}"

        documents = follow_to_end(client, generation_id)
        statuses = [d["status"] for d in documents]
        assert statuses[-1] == "done", documents[-1]
        assert set(statuses) <= {"queued", "generating", "done"}
        percents = [d["percent"] for d in documents if d["status"] == "generating"]
        assert percents == sorted(percents), "progress never goes backwards"

        final = client.get(f"/v1/generations/{generation_id}").json()
        assert final["status"] == "done" and final["percent"] == 100
        assert final["parameters"] == {
            "prompt": "a dog barking", "duration": 2.5, "engine": None, "seed": 7,
            "steps": None, "candidates": None, "adapter": None, "format": "ogg",
        }
        timings = final["timings"]
        assert timings["created_at"] <= timings["started_at"] <= timings["finished_at"]
        assert timings["generation_seconds"] >= 0 and timings["queued_seconds"] >= 0
        assert final["result"]["engine"] == synth_engine.name
        assert final["result"]["duration"] == pytest.approx(2.5, abs=0.01)

        # Default format is the one asked for; others are converted on demand.
        expected_types = {None: "audio/ogg", "wav": "audio/wav", "ogg": "audio/ogg", "mp3": "audio/mpeg"}
        for fmt, content_type in expected_types.items():
            params = {"format": fmt} if fmt else {}
            audio = client.get(f"/v1/generations/{generation_id}/audio", params=params)
            assert audio.status_code == 200, audio.text
            assert audio.headers["content-type"] == content_type
            samples, rate = sf.read(io.BytesIO(audio.content))
            assert len(samples) / rate == pytest.approx(2.5, abs=0.06), fmt
        wav = client.get(f"/v1/generations/{generation_id}/audio", params={"format": "wav", "download": "true"})
        assert wav.headers["content-disposition"] == 'attachment; filename="a-dog-barking.wav"'


def test_engine_failure_is_reported_with_its_reason(make_stack) -> None:
    stack: WebStack = make_stack(engine=FailingEngine())
    with stack.client() as client:
        generation_id = create(client, prompt="make it fail").json()["id"]
        final = follow_to_end(client, generation_id)[-1]
        assert final["status"] == "failed"
        assert final["error"]["code"] and final["error"]["message"]
        assert final["result"] is None
        assert client.get(f"/v1/generations/{generation_id}/audio").status_code == 409


def test_engines_list_limits_and_live_workers(make_stack, synth_engine) -> None:
    stack: WebStack = make_stack(engine=synth_engine, max_duration=12.0)
    with stack.client() as client:
        body = client.get("/v1/engines").json()
    assert body["auth_required"] is False
    assert body["limits"]["max_duration"] == 12.0
    assert body["limits"]["prompt_max_chars"] == PROMPT_MAX_CHARS
    synth = next(e for e in body["engines"] if e["name"] == synth_engine.name)
    assert synth["available"] is True and synth["max_duration"] <= 12.0
    assert synth["served_by_workers"] == 1
    assert synth["accepts_requests"] is True and synth["unavailable_reason"] is None
    tone = next(e for e in body["engines"] if e["name"] == "test-tone")
    assert tone["accepts_requests"] is False and tone["unavailable_reason"] == "no running worker serves engine 'test-tone'"
    # An engine no live worker renders is refused at once, not queued for nobody.
    with stack.client() as client:
        refused = create(client, engine="test-tone")
        assert refused.status_code == 503 and "no worker serves engine 'test-tone'" in refused.json()["detail"]
        assert create(client, engine=synth_engine.name).status_code == 202


def test_without_a_worker_the_status_says_so_and_engines_are_refused(make_stack, synth_engine) -> None:
    """No worker alive: no "position 2" forever, but why it waits and for how long."""
    stack: WebStack = make_stack(web_worker_max_age=1.0, request_ttl=600.0)
    with stack.client() as client:
        # Once the server has listened for one heartbeat age, it knows nobody is there.
        def nobody_serves() -> dict[str, Any] | None:
            body = client.get("/v1/engines").json()
            return None if any(e["accepts_requests"] for e in body["engines"]) else body

        body = wait_for(nobody_serves)
        assert body["workers_alive"] == 0 and body["request_ttl"] == 600.0
        synth = next(e for e in body["engines"] if e["name"] == synth_engine.name)
        assert synth["unavailable_reason"] == "no worker is running right now"
        refused = create(client, engine=synth_engine.name)
        assert refused.status_code == 503 and refused.headers["retry-after"] == "30"
        assert refused.json()["detail"] == (
            f"no worker serves engine {synth_engine.name!r} right now; choose another engine or try again later"
        )

        accepted = create(client)  # the default engine: queued, and told why nothing happens
        assert accepted.status_code == 202
        notice = accepted.json()["notice"]
        assert notice == (
            "no worker is running right now; the request is kept for 10 minutes and given up if no worker takes it by then"
        )
        doc = client.get(accepted.json()["url"]).json()
        assert doc["status"] == "queued" and doc["notice"] == notice
        assert doc["expires_at"] == pytest.approx(doc["timings"]["created_at"] + 600.0)

        # A worker starting takes the request, and its engine can be chosen again.
        stack.start_worker(synth_engine, heartbeat_interval=0.3)
        documents = follow_to_end(client, doc["id"])
        assert documents[-1]["status"] == "done"
        assert documents[-1]["notice"] is None and documents[-1]["expires_at"] is None
        synth = next(e for e in client.get("/v1/engines").json()["engines"] if e["name"] == synth_engine.name)
        assert synth["accepts_requests"] is True
        assert create(client, engine=synth_engine.name).status_code == 202


# -- validation --------------------------------------------------------------------------
BAD_BODIES = [
    ({"prompt": "", "duration": 2}, "prompt", "the prompt is empty"),
    ({"prompt": "   \n\t ", "duration": 2}, "prompt", "the prompt is empty"),
    ({"prompt": "x" * (PROMPT_MAX_CHARS + 1), "duration": 2}, "prompt", "at most 500"),
    ({"prompt": 42, "duration": 2}, "prompt", "the prompt must be text"),
    # A lone surrogate cannot be encoded: refused by check_prompt, not a 500.
    ({"prompt": "rain \ud800", "duration": 2}, "prompt", "the prompt holds an invalid character"),
    ({"prompt": "rain\x07", "duration": 2}, "prompt", "U+0007, a control character"),
    # Only zero-width / format characters (Unicode Cf) is as empty as only spaces.
    ({"prompt": "\u200b\u2060 \ufeff\u200d", "duration": 2}, "prompt", "the prompt is empty"),
    ({"prompt": "🎵 !!", "duration": 2}, "prompt", "in words"),
    ({"duration": 2}, "prompt", "the prompt is required"),
    ({"prompt": "rain"}, "duration", "the duration is required"),
    ({"prompt": "rain", "duration": 0.1}, "duration", "between 0.5 and 20"),
    ({"prompt": "rain", "duration": 20.5}, "duration", "between 0.5 and 20"),
    ({"prompt": "rain", "duration": "long"}, "duration", "the duration must be a number of seconds from 0.5 to 20"),
    # Booleans are not numbers (JSON true is not one second).
    ({"prompt": "rain", "duration": True}, "duration", "must be a number of seconds from 0.5 to 20, not true"),
    ({"prompt": "rain", "duration": False}, "duration", "not false"),
    ({"prompt": "rain", "duration": 2, "steps": True}, "steps", "steps must be a whole number from 1 to 500, not true"),
    ({"prompt": "rain", "duration": 2, "candidates": True}, "candidates", "from 1 to 8, not true"),
    ({"prompt": "rain", "duration": 2, "seed": True}, "seed", "the seed must be a whole number from 0 to 4294967295"),
    ({"prompt": "rain", "duration": 2, "steps": 0}, "steps", "steps must be a whole number from 1 to 500, not 0"),
    ({"prompt": "rain", "duration": 2, "steps": 501}, "steps", "from 1 to 500, not 501"),
    ({"prompt": "rain", "duration": 2, "candidates": 0}, "candidates", "candidates must be a whole number from 1 to 8"),
    ({"prompt": "rain", "duration": 2, "candidates": 9}, "candidates", "from 1 to 8, not 9"),
    ({"prompt": "rain", "duration": 2, "seed": -1}, "seed", "from 0 to 4294967295, not -1"),
    ({"prompt": "rain", "duration": 2, "seed": 2**32}, "seed", f"from 0 to 4294967295, not {2**32}"),
    ({"prompt": "rain", "duration": 2, "format": "flac"}, "format", "the format must be 'wav', 'ogg' or 'mp3'"),
    ({"prompt": "rain", "duration": 2, "engine": "no-such-engine"}, "engine", "unknown engine 'no-such-engine'"),
    ({"prompt": "rain", "duration": 2, "engine": "\ud800"}, "engine", "the engine holds an invalid character"),
    ({"prompt": "rain", "duration": 2, "adapter": "../models"}, "adapter", "is a path; name a folder of the workers'"),
    ({"prompt": "rain", "duration": 2, "adapter": "-x"}, "adapter", "the adapter name '-x' is not valid"),
    ({"prompt": "rain", "duration": 2, "adapter": 7}, "adapter", "the adapter must be text"),
    ({"prompt": "rain", "duration": 2, "volume": 11}, "volume", "'volume' is not a known field"),
    ({"prompt": "rain", "duration": 2, "\udc80": 1}, "body", "the request body holds an invalid character"),
]
SECURITY_HEADERS = ("content-security-policy", "x-content-type-options", "referrer-policy")


@pytest.fixture
def idle_stack(make_stack) -> WebStack:
    """A server with no worker: requests stay queued."""
    return make_stack(max_duration=20.0, web_rate_burst=100, max_queue_per_user=100)


def test_every_validation_error_is_422_with_a_readable_reason(idle_stack: WebStack) -> None:
    with idle_stack.client() as client:
        for body, field, words in BAD_BODIES:
            # Sent as ASCII JSON: a lone surrogate travels as the escape "\ud800".
            response = client.post(
                "/v1/generations", content=json.dumps(body).encode(), headers={"content-type": "application/json"}
            )
            assert response.status_code == 422, (body, response.text)
            assert all(name in response.headers for name in SECURITY_HEADERS), (body, response.headers)
            problem = response.json()
            assert field in [e["field"] for e in problem["errors"]], (body, problem)
            assert words in problem["detail"], (body, problem["detail"])
            # One plain sentence: no "prompt: " style prefix, no pydantic wording.
            assert not re.match(r"^[\w.]+: ", problem["detail"]), problem["detail"]
            assert "Value error" not in problem["detail"] and "Input should" not in problem["detail"]

        not_json = client.post("/v1/generations", content=b"{not json", headers={"content-type": "application/json"})
        assert not_json.status_code == 422
        # The parser's own words and the place, in the sentence; the field is the body, not an offset.
        problem = not_json.json()
        assert problem["detail"].startswith(
            "the request body is not valid JSON: expecting property name enclosed in double quotes at character 2; "
            "send a JSON object such as"
        ), problem
        assert [e["field"] for e in problem["errors"]] == ["body"]
        as_text = client.post("/v1/generations", content=b"prompt=rain", headers={"content-type": "text/plain"})
        assert as_text.status_code == 422 and "send a JSON object" in as_text.json()["detail"]
        a_list = client.post("/v1/generations", json=[{"prompt": "rain", "duration": 2}])
        assert a_list.status_code == 422 and "send a JSON object" in a_list.json()["detail"]
        too_big = client.post(
            "/v1/generations", content=b"{" + b" " * 20000 + b"}", headers={"content-type": "application/json"}
        )
        assert too_big.status_code == 413
        assert client.get("/v1/generations/no").status_code == 422  # not an id at all
        assert client.get("/v1/generations/" + "A" * 22).status_code == 404
        assert client.delete("/v1/generations/" + "A" * 22).status_code == 404
        assert client.get("/v1/generations/" + "A" * 22 + "/audio", params={"format": "aiff"}).status_code == 422
        # Nothing of that reached the queue.
        assert idle_stack.run(idle_stack.web_broker.queue_depth(idle_stack.settings.request_queue)) == 0


# -- queue position and cancel ------------------------------------------------------------
def test_cancel_a_queued_request_but_not_a_started_one(make_stack) -> None:
    release = threading.Event()
    engine = SlowEngine(release=release, timeout=60)
    stack: WebStack = make_stack(engine=engine)
    try:
        with stack.client() as client:
            first = create(client, prompt="first").json()["id"]
            assert engine.entered.wait(20), "the worker never started the first request"
            # The worker's progress event (sampling, 10 %) reached the server.
            running = wait_for(lambda: (d := client.get(f"/v1/generations/{first}").json())["stage"] == "sampling" and d)
            assert running["status"] == "generating" and running["percent"] == 10 and running["position"] is None
            second = create(client, prompt="second").json()["id"]
            third = create(client, prompt="third").json()
            doc = client.get(f"/v1/generations/{second}").json()
            assert doc["status"] == "queued" and doc["position"] == 1
            assert third["position"] == 2

            cancelled = client.delete(f"/v1/generations/{second}")
            assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
            assert client.delete(f"/v1/generations/{second}").json()["status"] == "cancelled"  # idempotent
            started = client.delete(f"/v1/generations/{first}")
            assert started.status_code == 409 and "generating" in started.json()["detail"]
            # The third moves up once the second is out of the way.
            assert client.get(f"/v1/generations/{third['id']}").json()["position"] == 1
    finally:
        release.set()
    with stack.client() as client:
        assert follow_to_end(client, first)[-1]["status"] == "done"
        assert follow_to_end(client, third["id"])[-1]["status"] == "done"
        # Whatever the worker did with the cancelled one, it stays cancelled.
        wait_for(lambda: stack.worker is not None and sum(stack.worker.counts.values()) >= 3)
        doc = client.get(f"/v1/generations/{second}").json()
        assert doc["status"] == "cancelled" and doc["result"] is None
        assert client.get(f"/v1/generations/{second}/audio").status_code == 409
        done = client.delete(f"/v1/generations/{first}")
        assert done.status_code == 409 and "done" in done.json()["detail"]


# -- range requests -------------------------------------------------------------------------
def test_range_requests_on_audio(make_stack, synth_engine) -> None:
    stack: WebStack = make_stack(engine=synth_engine)
    with stack.client() as client:
        generation_id = create(client, duration=1.0).json()["id"]
        assert follow_to_end(client, generation_id)[-1]["status"] == "done"
        url = f"/v1/generations/{generation_id}/audio"
        whole = client.get(url)
        assert whole.headers["accept-ranges"] == "bytes"
        size = len(whole.content)

        head = client.get(url, headers={"Range": "bytes=0-99"})
        assert head.status_code == 206
        assert head.headers["content-range"] == f"bytes 0-99/{size}"
        assert head.content == whole.content[:100]

        middle = client.get(url, headers={"Range": f"bytes=1000-{size - 1}"})
        assert middle.status_code == 206 and middle.content == whole.content[1000:]

        tail = client.get(url, headers={"Range": "bytes=-10"})
        assert tail.status_code == 206 and tail.content == whole.content[-10:]

        beyond = client.get(url, headers={"Range": f"bytes={size + 10}-"})
        assert beyond.status_code == 416
        assert beyond.headers["content-range"] == f"bytes */{size}"


# -- API keys ------------------------------------------------------------------------------------
def test_auth_on_keys_scope_results(make_stack, synth_engine) -> None:
    stack: WebStack = make_stack(engine=synth_engine, api_keys=[SecretStr("key-one"), SecretStr("key-two")])
    one = {"Authorization": "Bearer key-one"}
    two = {"Authorization": "Bearer key-two"}
    with stack.client() as client:
        assert client.get("/healthz").status_code == 200
        assert client.get("/v1/engines").json()["auth_required"] is True

        missing = create(client)
        assert missing.status_code == 401
        assert missing.headers["www-authenticate"] == "Bearer"
        wrong = client.post("/v1/generations", json={"prompt": "x", "duration": 1}, headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 401 and "nope" not in wrong.text
        assert client.post(
            "/v1/generations", json={"prompt": "x", "duration": 1}, headers={"Authorization": "Basic a2V5LW9uZQ=="}
        ).status_code == 401

        made = client.post("/v1/generations", json={"prompt": "a bell", "duration": 1}, headers=one)
        assert made.status_code == 202
        generation_id = made.json()["id"]
        assert client.get(f"/v1/generations/{generation_id}").status_code == 401
        assert client.get(f"/v1/generations/{generation_id}", headers=two).status_code == 404  # not yours
        with httpx.Client(base_url=stack.url, headers=one, timeout=30) as owner:
            assert follow_to_end(owner, generation_id)[-1]["status"] == "done"
            assert owner.get(f"/v1/generations/{generation_id}/audio").status_code == 200
        assert client.get(f"/v1/generations/{generation_id}/audio").status_code == 401
        assert client.get(f"/v1/generations/{generation_id}/audio", headers=two).status_code == 404
        assert client.delete(f"/v1/generations/{generation_id}", headers=two).status_code == 404


def test_auth_off_the_id_alone_reads_the_result(make_stack, synth_engine) -> None:
    stack: WebStack = make_stack(engine=synth_engine)
    with stack.client() as client:
        generation_id = create(client, duration=1.0).json()["id"]
    with stack.client() as stranger:  # another client, same id: allowed
        assert follow_to_end(stranger, generation_id)[-1]["status"] == "done"
        assert stranger.get(f"/v1/generations/{generation_id}/audio").status_code == 200


def test_lookups_of_unknown_ids_are_limited_per_client(make_stack) -> None:
    # Without API keys an id is the only secret: guessing ids is what this stops.
    proxies = [ipaddress.ip_network("127.0.0.1/32")]
    stack: WebStack = make_stack(
        web_unknown_id_burst=3, web_unknown_id_per_minute=1.0, trusted_proxies=proxies, max_queue_per_user=100
    )
    guesser = {"X-Forwarded-For": "203.0.113.66"}
    with stack.client() as client:
        known = create(client).json()["id"]
        # Each request shape counts: status, audio, events, cancel.
        for path, method in [("", "GET"), ("/audio", "GET"), ("/events", "GET")]:
            guess = client.request(method, f"/v1/generations/{uuid.uuid4().hex[:22]}{path}", headers=guesser)
            assert guess.status_code == 404, guess.text
        limited = client.get(f"/v1/generations/{uuid.uuid4().hex[:22]}", headers=guesser)
        assert limited.status_code == 429 and 1 <= int(limited.headers["retry-after"]) <= 60
        assert "unknown generations" in limited.json()["detail"]
        # While limited, a right guess is not told apart from a wrong one.
        assert client.get(f"/v1/generations/{known}", headers=guesser).status_code == 429
        assert client.delete(f"/v1/generations/{known}", headers=guesser).status_code == 429
        assert stack.metrics.value("tag_requests_rejected_total", reason="unknown_ids") == 3
        # Other clients, and their own ids, are not affected.
        assert client.get(f"/v1/generations/{known}").status_code == 200
        assert client.get(f"/v1/generations/{known}", headers={"X-Forwarded-For": "203.0.113.7"}).status_code == 200


# -- rate limit ------------------------------------------------------------------------------------
def test_rate_limit_per_client(make_stack) -> None:
    stack: WebStack = make_stack(
        web_rate_burst=2, web_rate_per_minute=1.0, max_queue_per_user=100,
        api_keys=[SecretStr("alice"), SecretStr("bob")],
    )
    alice = {"Authorization": "Bearer alice"}
    bob = {"Authorization": "Bearer bob"}
    with stack.client() as client:
        for _ in range(2):
            assert client.post("/v1/generations", json={"prompt": "a", "duration": 1}, headers=alice).status_code == 202
        limited = client.post("/v1/generations", json={"prompt": "a", "duration": 1}, headers=alice)
        assert limited.status_code == 429
        assert 1 <= int(limited.headers["retry-after"]) <= 60
        assert "too many" in limited.json()["detail"]
        assert stack.metrics.value("tag_requests_rejected_total", reason="rate_limit") == 1
        # Another client is not affected.
        assert client.post("/v1/generations", json={"prompt": "b", "duration": 1}, headers=bob).status_code == 202
        # An invalid body is refused by validation, before the allowance is counted.
        assert client.post("/v1/generations", json={"prompt": "", "duration": 1}, headers=bob).status_code == 422


def post_from(client: httpx.Client, forwarded_for: str) -> int:
    """POST a generation carrying ``X-Forwarded-For``; the status code."""
    body = {"prompt": "a bell", "duration": 1}
    return client.post("/v1/generations", json=body, headers={"X-Forwarded-For": forwarded_for}).status_code


def test_forwarded_for_from_an_untrusted_peer_does_not_escape_the_limit(make_stack) -> None:
    # The test client is 127.0.0.1, which uvicorn would trust by default.
    stack: WebStack = make_stack(web_rate_burst=2, web_rate_per_minute=1.0, max_queue_per_user=100)
    with stack.client() as client:
        codes = [post_from(client, f"203.0.113.{n}") for n in range(1, 4)]
    assert codes == [202, 202, 429]


def test_forwarded_for_from_trusted_proxies_names_the_client(make_stack) -> None:
    proxies = [ipaddress.ip_network("127.0.0.1/32"), ipaddress.ip_network("10.1.0.0/16")]
    stack: WebStack = make_stack(
        web_rate_burst=2, web_rate_per_minute=1.0, max_queue_per_user=100, trusted_proxies=proxies
    )
    with stack.client() as client:
        # Distinct clients behind the proxy get distinct buckets.
        assert [post_from(client, f"203.0.113.{n}") for n in range(1, 5)] == [202] * 4
        # One client is limited, however the part it wrote itself (left) varies,
        # and through a chain of trusted proxies (right) too.
        assert post_from(client, "198.51.100.7") == 202
        assert post_from(client, "1.1.1.1, 198.51.100.7") == 202
        assert post_from(client, "2.2.2.2, 198.51.100.7, 10.1.2.3") == 429
        # Without the header the proxy itself is the client.
        assert client.post("/v1/generations", json={"prompt": "a", "duration": 1}).status_code == 202


def test_waiting_requests_per_client_are_capped(make_stack) -> None:
    stack: WebStack = make_stack(max_queue_per_user=2, web_rate_burst=100)
    with stack.client() as client:
        assert create(client).status_code == 202
        assert create(client).status_code == 202
        third = create(client)
        assert third.status_code == 429 and "waiting" in third.json()["detail"]
    assert stack.metrics.value("tag_requests_rejected_total", reason="user_queue_full") == 1
    assert stack.metrics.value("tag_requests_received_total") == 2


# -- readiness -------------------------------------------------------------------------------------
def test_readiness_follows_workers_and_broker(make_stack, synth_engine) -> None:
    stack: WebStack = make_stack(web_worker_max_age=1.5)
    with stack.client() as client:
        assert client.get("/healthz").json() == {"ok": True}
        alone = client.get("/readyz")
        assert alone.status_code == 503
        assert alone.json() | {"reason": None} == {"ready": False, "broker": True, "workers": 0, "reason": None}

        stack.start_worker(synth_engine, heartbeat_interval=0.3)
        ready = wait_for(lambda: (r := client.get("/readyz")).status_code == 200 and r)
        assert ready.json()["workers"] == 1 and ready.json()["ready"] is True
        assert stack.metrics.value("tag_workers_alive") == 1

        stack.stop_worker()
        gone = wait_for(lambda: (r := client.get("/readyz")).status_code == 503 and r, timeout=10)
        assert gone.json()["workers"] == 0 and "no worker" in gone.json()["reason"]

        # The broker going away makes the server unready, but it stays up.
        assert stack.web_broker is not None
        stack.run(stack.web_broker.close())
        down = client.get("/readyz")
        assert down.status_code == 503 and down.json()["broker"] is False
        assert client.get("/healthz").status_code == 200
        refused = create(client)
        assert refused.status_code == 503 and "queue" in refused.json()["detail"]


# -- expiry and retention ------------------------------------------------------------------------
def test_unanswered_requests_expire_and_old_results_are_purged(make_stack) -> None:
    stack: WebStack = make_stack(request_ttl=0.5, web_retention_hours=3 / 3600)
    with stack.client() as client:
        generation_id = create(client).json()["id"]
        final = follow_to_end(client, generation_id)[-1]
        assert final["status"] == "failed" and final["error"]["code"] == "expired"
        assert client.get(f"/v1/generations/{generation_id}").status_code == 200
        wait_for(lambda: client.get(f"/v1/generations/{generation_id}").status_code == 404, timeout=15)


def test_a_generation_that_stops_reporting_progress_times_out(make_stack) -> None:
    release = threading.Event()
    engine = SlowEngine(release=release, timeout=60)  # reports once, then hangs
    stack: WebStack = make_stack(engine=engine, request_timeout=1.0)
    try:
        with stack.client() as client:
            generation_id = create(client).json()["id"]
            documents = follow_to_end(client, generation_id)
            assert "generating" in [d["status"] for d in documents]
            final = documents[-1]
            assert final["status"] == "failed" and final["error"]["code"] == "timeout"
    finally:
        release.set()
    # The late answer does not bring it back.
    wait_for(lambda: stack.metrics.value("tag_requests_answered_total", status="ok") == 1)
    with stack.client() as client:
        assert client.get(f"/v1/generations/{generation_id}").json()["status"] == "failed"


def test_generations_survive_a_restart_of_the_web_server(make_stack, synth_engine) -> None:
    first: WebStack = make_stack()  # no worker yet: the request waits in the queue
    with first.client() as client:
        generation_id = create(client, prompt="a clock ticking").json()["id"]
    first.stop_web()
    second: WebStack = make_stack(engine=synth_engine)  # same settings: same queues and data folder
    with second.client() as client:
        final = follow_to_end(client, generation_id)[-1]
        assert final["status"] == "done" and final["parameters"]["prompt"] == "a clock ticking"
        assert client.get(f"/v1/generations/{generation_id}/audio").status_code == 200


# -- the page and its documents ------------------------------------------------------------------
def test_page_static_files_and_openapi(idle_stack: WebStack) -> None:
    with idle_stack.client() as client:
        page = client.get("/")
        assert page.status_code == 200 and "text/html" in page.headers["content-type"]
        assert "default-src 'self'" in page.headers["content-security-policy"]
        for asset in ("/static/app.js", "/static/app.css", "/static/favicon.svg"):
            assert client.get(asset).status_code == 200, asset
        # Everything the page loads is local: no other host is named.
        assert "http://" not in page.text and "https://" not in page.text
        schema = client.get("/openapi.json").json()
        body = schema["components"]["schemas"]["GenerationCreate"]["properties"]
        assert body["duration"]["maximum"] == 20.0
        assert body["prompt"]["maxLength"] == PROMPT_MAX_CHARS
        assert {"/v1/generations", "/v1/generations/{generation_id}/audio", "/healthz", "/readyz"} <= set(schema["paths"])


# -- seeds ----------------------------------------------------------------------------------------
def test_the_seed_a_sound_was_made_with_is_reported(make_stack) -> None:
    stack: WebStack = make_stack()
    requests = stack.answer_requests(seed=123456)  # a worker that reports the seed it drew
    with stack.client() as client:
        generation_id = create(client).json()["id"]
        final = follow_to_end(client, generation_id)[-1]
    assert final["status"] == "done"
    assert final["result"]["seed"] == 123456
    assert final["parameters"]["seed"] is None  # what was asked: nothing
    # The web sends no seed of its own, so the worker draws a fresh one each time.
    assert [r.options.seed for r in requests] == [None]


def test_without_a_seed_each_sound_is_new_and_says_its_seed(make_stack, synth_engine) -> None:
    """Needs the worker to draw a fresh seed when none is given (issue 11, item 3)."""
    stack: WebStack = make_stack(engine=synth_engine)
    results = []
    with stack.client() as client:
        for _ in range(2):
            generation_id = create(client, prompt="rain on a tin roof", duration=1.0).json()["id"]
            final = follow_to_end(client, generation_id)[-1]
            assert final["status"] == "done", final
            audio = client.get(f"/v1/generations/{generation_id}/audio").content
            results.append((final["result"]["seed"], audio))
        (first_seed, first), (second_seed, second) = results
        assert isinstance(first_seed, int) and isinstance(second_seed, int) and first_seed != second_seed
        assert first != second
        # The reported seed makes the same sound again.
        again = create(client, prompt="rain on a tin roof", duration=1.0, seed=first_seed).json()["id"]
        assert follow_to_end(client, again)[-1]["result"]["seed"] == first_seed
        assert client.get(f"/v1/generations/{again}/audio").content == first


# -- a worker that answers with garbage -----------------------------------------------------------
async def _request_id(stack: WebStack, generation_id: str) -> uuid.UUID:
    """The queue request id behind a public generation id (read from the real store)."""
    store = Store(stack.settings.data_dir / "web")
    await store.open()
    try:
        record = await store.get(generation_id)
        assert record is not None
        return uuid.UUID(record.request_id)
    finally:
        await store.close()


def test_unreadable_audio_fails_the_generation(make_stack) -> None:
    """A response whose audio is not audio ends the generation instead of looping."""
    stack: WebStack = make_stack()
    with stack.client() as client:
        generation_id = create(client).json()["id"]
        garbage = SoundResponse(
            request_id=stack.run(_request_id(stack, generation_id)), chat_id=0, user_id=0, status="ok",
            audio=b"definitely not a wav file", format="wav", sample_rate=16000, duration=1.5, engine="x",
        )
        assert stack.web_broker is not None
        stack.run(stack.web_broker.publish(reply_queue(stack.settings), Message(body=garbage.to_json())))
        final = follow_to_end(client, generation_id)[-1]
        assert final["status"] == "failed" and final["error"]["code"] == "no_audio"
        assert client.get(f"/v1/generations/{generation_id}/audio").status_code == 409


# -- honest results ------------------------------------------------------------------------------
def test_a_prompt_with_nothing_recognised_is_done_with_warnings_and_suggestions(make_stack, synth_engine) -> None:
    stack: WebStack = make_stack(engine=synth_engine)
    with stack.client() as client:
        nothing = create(client, prompt="qwzx blorf", duration=1.0).json()["id"]
        final = follow_to_end(client, nothing)[-1]
        assert final["status"] == "done"  # the ambience is delivered ...
        result = final["result"]
        # ... but said not to be what was asked for, with what to try instead.
        assert result["warnings"] == [
            "Nothing in the prompt was recognised as a sound: this is a neutral ambience, not what you asked for. "
            "Not recognised: qwzx, blorf."
        ]
        assert len(result["suggestions"]) == 5 and "rain" in result["suggestions"]
        assert client.get(f"/v1/generations/{nothing}").json()["result"]["warnings"] == result["warnings"]

        partly = create(client, prompt="дождь и шмяк", duration=1.0).json()["id"]
        result = follow_to_end(client, partly)[-1]["result"]
        assert result["warnings"] == ["Понята только часть запроса: сделано — дождь; пропущено — шмяк."]

        understood = create(client, prompt="rain on a tin roof", duration=1.0).json()["id"]
        result = follow_to_end(client, understood)[-1]["result"]
        assert (result["warnings"], result["suggestions"]) == ([], [])


@pytest.mark.parametrize(
    ("query", "accept", "language", "family", "title"),
    [
        ({}, None, "en", "Natural sounds", "rain"),
        ({}, "ru-RU,ru;q=0.9,en;q=0.8", "ru", "Природа", "дождь"),
        ({}, "de-DE,ru;q=0.5,en;q=0.7", "en", "Natural sounds", "rain"),
        ({"language": "ru"}, "en-GB", "ru", "Природа", "дождь"),
    ],
)
def test_known_sounds_are_listed_by_family_in_the_users_language(
    idle_stack: WebStack, query: dict[str, str], accept: str | None, language: str, family: str, title: str
) -> None:
    with idle_stack.client() as client:
        response = client.get("/v1/sounds", params=query, headers={"Accept-Language": accept} if accept else {})
    assert response.status_code == 200
    listing = response.json()
    assert listing["language"] == language
    groups = {f["family"]: f["sounds"] for f in listing["families"]}
    assert title in [s["title"] for s in groups[family]]
    assert all(s["example"] for sounds in groups.values() for s in sounds)
    assert "ambience" not in [s["name"] for sounds in groups.values() for s in sounds]


def test_known_sounds_refuse_an_unknown_language(idle_stack: WebStack) -> None:
    with idle_stack.client() as client:
        response = client.get("/v1/sounds", params={"language": "xx"})
    assert response.status_code == 422


def test_an_adapter_travels_to_the_worker_and_an_engine_without_adapters_says_so(make_stack, synth_engine) -> None:
    """options.adapter reaches the worker (which answers for it) and is kept with the generation."""
    stack: WebStack = make_stack(engine=synth_engine)
    with stack.client() as client:
        response = create(client, adapter="my-dogs")
        assert response.status_code == 202, response.text
        final = follow_to_end(client, response.json()["id"])[-1]
        assert final["status"] == "failed" and final["error"]["code"] == "bad_options", final
        assert final["error"]["message"] == "the engine 'synth' takes no adapters; adapters are for make-an-audio"
        assert client.get(response.json()["url"]).json()["parameters"]["adapter"] == "my-dogs"
