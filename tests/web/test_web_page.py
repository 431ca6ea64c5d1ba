"""The web page in headless Chromium against a real server, worker and RabbitMQ."""

from __future__ import annotations

import os
import re
import tempfile
import threading
from pathlib import Path
from typing import Any, Iterator

import pytest
import soundfile as sf
from pydantic import SecretStr
from support.engines import SlowEngine
from web_stack import WebStack, wait_for

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # The test plays audio without a click on the player itself.
    "--autoplay-policy=no-user-gesture-required",
]
ARTIFACTS = Path(os.environ.get("TAG_TEST_ARTIFACTS", Path(tempfile.gettempdir()) / "tag-test-artifacts")) / "web"
DONE_TIMEOUT_MS = 60_000

pytestmark = [
    pytest.mark.browser,
    pytest.mark.rabbitmq,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed at /usr/bin/chromium"),
]

# Records every text the status line shows, so a fast generation's
# intermediate states (queued, generating) are not missed by polling.
RECORD_STATUS = """() => {
  window.statusLog = [];
  window.progressLog = [];
  const status = document.getElementById('status');
  const progress = document.getElementById('progress');
  new MutationObserver(() => window.statusLog.push(status.textContent))
    .observe(status, {childList: true, characterData: true, subtree: true});
  new MutationObserver(() => window.progressLog.push([progress.hidden, progress.getAttribute('value')]))
    .observe(progress, {attributes: true});
}"""


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def stack(make_stack, synth_engine) -> WebStack:
    return make_stack(engine=synth_engine)


def test_generate_play_download_and_history(browser, stack: WebStack, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    # Console errors include Content-Security-Policy violations.
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(stack.url + "/")
    expect(page.locator("#engine option[value='synth']")).to_have_count(1)

    page.get_by_label("Describe the sound").fill("rain on a tin roof")
    slider = page.locator("#duration-range")
    slider.focus()
    page.keyboard.press("Home")
    for _ in range(5):
        page.keyboard.press("ArrowRight")
    expect(page.locator("#duration")).to_have_value("3")

    page.evaluate(RECORD_STATUS)
    page.get_by_role("button", name="Generate").click()
    expect(page.locator("#status")).to_contain_text("Done", timeout=DONE_TIMEOUT_MS)
    shown = page.evaluate("window.statusLog")
    assert any(re.match(r"Queued|Generating — \d+%", text) for text in shown), shown
    assert any(not hidden for hidden, _ in page.evaluate("window.progressLog")), "the progress bar never showed"
    expect(page.locator("#progress")).to_be_hidden()

    # The player holds exactly the requested duration, and plays.
    page.wait_for_function("() => document.getElementById('player').duration > 0")
    assert page.evaluate("document.getElementById('player').duration") == pytest.approx(3.0, abs=0.05)
    page.evaluate("document.getElementById('player').play()")
    page.wait_for_function("() => document.getElementById('player').currentTime > 0.1", timeout=10_000)
    page.wait_for_function("() => document.getElementById('picture').dataset.drawn === 'yes'")

    for fmt in ("wav", "mp3"):
        with page.expect_download() as download_info:
            page.locator(f"#download-{fmt}").click()
        download = download_info.value
        assert download.suggested_filename == f"rain-on-a-tin-roof.{fmt}"
        saved = tmp_path / download.suggested_filename
        download.save_as(saved)
        info = sf.info(str(saved))
        assert info.duration == pytest.approx(3.0, abs=0.08), fmt

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "desktop-finished.png"), full_page=True)

    # The history survives a reload and brings the result back.
    page.reload()
    item = page.locator("#history-list .history-item").first
    expect(item).to_contain_text("rain on a tin roof")
    expect(item).to_contain_text("done")
    expect(page.locator("#result")).to_be_hidden()
    item.click()
    expect(page.locator("#result")).to_be_visible()
    page.wait_for_function("() => document.getElementById('player').duration > 0")
    assert page.evaluate("document.getElementById('player').duration") == pytest.approx(3.0, abs=0.05)
    assert errors == []
    # Everything came from this server: no CDN, fonts or trackers.
    foreign = [url for url in requested if not url.startswith((stack.url + "/", "blob:", "data:"))]
    assert foreign == [] and len(requested) > 5
    context.close()


def test_phone_keyboard_only_with_errors_shown(browser, stack: WebStack) -> None:
    from playwright.sync_api import expect

    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(stack.url + "/")
    expect(page.locator("#engine option[value='synth']")).to_have_count(1)

    # Every control has an accessible name.
    unnamed = page.evaluate(
        """() => [...document.querySelectorAll('input, select, textarea, button')]
            .filter(el => !el.closest('[hidden]'))
            .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label')
                          && !el.getAttribute('aria-labelledby') && !el.textContent.trim())
            .map(el => el.id || el.outerHTML)"""
    )
    assert unnamed == []
    assert page.locator("#status").get_attribute("aria-live") == "polite"

    # Keyboard only: the skip link leads to the prompt; Ctrl+Enter generates.
    page.keyboard.press("Tab")
    expect(page.locator("a.skip")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#prompt")).to_be_focused()
    page.keyboard.press("Control+Enter")  # empty prompt: the server's reason is shown
    expect(page.locator("#status")).to_contain_text("the prompt is empty")
    expect(page.locator("#prompt")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#prompt")).to_be_focused()

    page.keyboard.type("birds singing in a forest")
    page.keyboard.press("Tab")  # to the first example prompt
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")  # past the six examples, onto the slider
    expect(page.locator("#duration-range")).to_be_focused()
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    expect(page.locator("#duration")).to_have_value("4")
    page.locator("#prompt").focus()
    page.keyboard.press("Control+Enter")
    expect(page.locator("#status")).to_contain_text("Done", timeout=DONE_TIMEOUT_MS)
    page.wait_for_function("() => document.getElementById('player').duration > 0")
    assert page.evaluate("document.getElementById('player').duration") == pytest.approx(4.0, abs=0.05)
    page.wait_for_function("() => document.getElementById('picture').dataset.drawn === 'yes'")

    # Nothing is wider than the phone's screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "phone-finished.png"), full_page=True)
    context.close()


def test_queue_position_and_cancel_on_the_page(browser, make_stack) -> None:
    from playwright.sync_api import expect

    release = threading.Event()
    engine = SlowEngine(release=release, timeout=60)
    stack: WebStack = make_stack(engine=engine)
    context = browser.new_context(viewport={"width": 1024, "height": 800})
    try:
        with stack.client() as client:  # somebody else keeps the only worker busy
            busy = client.post("/v1/generations", json={"prompt": "busy", "duration": 1}).json()["id"]
        assert engine.entered.wait(20)
        page = context.new_page()
        page.goto(stack.url + "/")
        page.get_by_label("Describe the sound").fill("a kettle whistling")
        page.get_by_role("button", name="Generate").click()
        expect(page.locator("#status")).to_have_text("Queued — position 1 in line")
        expect(page.locator("#generate")).to_be_disabled()
        expect(page.locator("#generate")).to_have_text("Generating…")
        # A reload picks the running generation up again from the history.
        page.reload()
        expect(page.locator("#status")).to_have_text("Queued — position 1 in line")
        page.get_by_role("button", name="Cancel", exact=True).click()
        expect(page.locator("#status")).to_have_text("Cancelled")
        expect(page.get_by_role("button", name="Generate")).to_be_enabled()
        expect(page.get_by_role("button", name="Cancel", exact=True)).to_be_hidden()
        expect(page.locator("#history-list .history-item").first).to_contain_text("cancelled")
    finally:
        release.set()
        context.close()
    with stack.client() as client:
        with client.stream("GET", f"/v1/generations/{busy}/events") as events:
            assert any('"status":"done"' in line for line in events.iter_lines())


def test_api_key_flow_on_the_page(browser, make_stack, synth_engine, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    stack: WebStack = make_stack(engine=synth_engine, api_keys=[SecretStr("s3cret-key")])
    context = browser.new_context(viewport={"width": 1024, "height": 800}, accept_downloads=True)
    page = context.new_page()
    page.goto(stack.url + "/")
    expect(page.locator("#api-key-field")).to_be_visible()
    page.get_by_label("Describe the sound").fill("a door creaking")
    page.get_by_role("button", name="Generate").click()
    expect(page.locator("#status")).to_contain_text("a valid API key is required")
    expect(page.get_by_label("API key")).to_be_focused()

    page.get_by_label("API key").fill("s3cret-key")
    page.get_by_label("API key").press("Tab")
    page.get_by_role("button", name="Generate").click()
    expect(page.locator("#status")).to_contain_text("Done", timeout=DONE_TIMEOUT_MS)
    # The browser cannot add a header to <audio>, so the page plays a fetched copy.
    page.wait_for_function("() => document.getElementById('player').duration > 0")
    assert page.evaluate("document.getElementById('player').src").startswith("blob:")
    assert page.evaluate("document.getElementById('player').duration") == pytest.approx(5.0, abs=0.05)
    with page.expect_download() as download_info:
        page.locator("#download-ogg").click()
    saved = tmp_path / "with-key.ogg"
    download_info.value.save_as(saved)
    assert sf.info(str(saved)).duration == pytest.approx(5.0, abs=0.08)

    page.reload()
    expect(page.get_by_label("API key")).to_have_value("s3cret-key")
    expect(page.locator("#history-list .history-item").first).to_contain_text("a door creaking")
    context.close()


def test_no_worker_is_said_plainly_and_unserved_engines_cannot_be_chosen(browser, make_stack) -> None:
    from playwright.sync_api import expect

    stack: WebStack = make_stack(web_worker_max_age=1.0, request_ttl=600.0)  # no worker at all
    with stack.client() as client:
        wait_for(lambda: not any(e["accepts_requests"] for e in client.get("/v1/engines").json()["engines"]))
    context = browser.new_context(viewport={"width": 1024, "height": 800})
    page = context.new_page()
    page.goto(stack.url + "/")
    synth = page.locator("#engine option[value='synth']")
    expect(synth).to_be_disabled()
    expect(synth).to_have_text("synth — unavailable: no worker is running right now")
    expect(page.locator("#engine option[value='']")).to_contain_text("no worker running")

    page.get_by_label("Describe the sound").fill("a kettle whistling")
    page.get_by_role("button", name="Generate").click()
    status = page.locator("#status")
    expect(status).to_contain_text("Queued — no worker is running right now; the request is kept for 10 minutes")
    expect(status).to_have_text(re.compile(r"given up if no worker takes it by then \(until \d\d:\d\d.*\)\.$"))
    expect(status).not_to_contain_text("position")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "no-worker.png"), full_page=True)
    context.close()


def test_the_seed_is_shown_next_to_the_result(browser, make_stack) -> None:
    from playwright.sync_api import expect

    stack: WebStack = make_stack()
    stack.answer_requests(seed=123456)  # a worker reporting the seed it drew
    context = browser.new_context(viewport={"width": 1024, "height": 800})
    page = context.new_page()
    page.goto(stack.url + "/")
    page.get_by_label("Describe the sound").fill("rain on a tin roof")
    page.get_by_role("button", name="Generate").click()
    expect(page.locator("#status")).to_contain_text("Done", timeout=DONE_TIMEOUT_MS)
    expect(page.locator("#result-meta")).to_contain_text("seed 123456")
    context.close()


def test_a_prompt_with_nothing_recognised_shows_a_warning_and_suggestions_that_fill_the_prompt(
    browser, stack: WebStack
) -> None:
    from playwright.sync_api import expect

    context = browser.new_context(viewport={"width": 1024, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.goto(stack.url + "/")
    page.get_by_label("Describe the sound").fill("qwzx blorf")
    page.locator("#duration").fill("1")
    page.get_by_role("button", name="Generate").click()
    status = page.locator("#status")
    expect(status).to_contain_text("Not what you asked for", timeout=DONE_TIMEOUT_MS)
    expect(status).not_to_contain_text("Done")
    assert "warning" in (status.get_attribute("class") or "")
    warning = page.locator("#result-warning")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("Nothing in the prompt was recognised as a sound")
    suggestions = page.locator("#suggestions button")
    expect(suggestions).to_have_count(5)
    expect(page.locator("#history-list .history-item").first).to_contain_text("not as asked")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "nothing-recognised.png"), full_page=True)

    # A suggestion fills the prompt and makes that sound instead: a plain success this time.
    page.locator("#suggestions button", has_text="rain").click()
    expect(page.locator("#prompt")).to_have_value("rain")
    expect(status).to_contain_text("Done", timeout=DONE_TIMEOUT_MS)
    expect(page.locator("#result-prompt")).to_contain_text("rain")
    expect(warning).to_be_hidden()
    assert errors == []
    context.close()


@pytest.mark.parametrize(("locale", "family", "title", "example"), [
    ("en-US", "Natural sounds", "thunder", "thunder"),
    ("ru-RU", "Природа", "гром", "раскаты грома"),
])
def test_known_sounds_are_listed_in_the_browsers_language_and_fill_the_prompt(
    browser, stack: WebStack, locale: str, family: str, title: str, example: str
) -> None:
    from playwright.sync_api import expect

    context = browser.new_context(viewport={"width": 1024, "height": 900}, locale=locale)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.goto(stack.url + "/")
    listing = page.locator("#sounds-list")
    expect(listing).to_be_hidden()  # collapsed until asked for
    page.get_by_text("Known sounds").click()
    heading = listing.get_by_role("heading", name=family)
    expect(heading).to_be_visible()
    group = listing.get_by_role("group", name=family)
    group.get_by_role("button", name=title, exact=True).click()
    expect(page.locator("#prompt")).to_have_value(example)
    assert errors == []
    context.close()
