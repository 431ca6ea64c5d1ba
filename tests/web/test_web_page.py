"""The web page in headless Chromium against a real server, worker and RabbitMQ."""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path
from typing import Any, Iterator

import pytest
import soundfile as sf
from web_stack import WebStack

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
