"""A real browser: start the app on a small seeded database, sign in as a demo agent, upload a sample call,
wait for the background analysis (packaged tiny.en model), jump to an evidence moment, and save a screenshot
of each page for each role under tests/artifacts/."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from rapidfuzz.distance import Levenshtein

from audio_samples.truth import audio_path, load_truth
from coaching.analysis.evaluation import normalise
from tests.speech_helpers import QUICK_MODEL, speech_model

pytest_plugins = ("tests.app_helpers",)

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.browser
CHROMIUM = Path("/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ROLE_PAGES = {
    ("Kaisa Korhonen (coach)", "coach-north"): (
        "coach",
        ["Team calls", "Coaching sessions", "Agent progress", "Team", "Settings"],
    ),
    ("Maria Manager (manager)", "manager"): (
        "manager",
        ["Team", "Calls", "Agent progress", "Coaching sessions", "Settings"],
    ),
}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def app_url(app_template: Path, tmp_path: Path) -> Iterator[str]:
    if not CHROMIUM.exists():
        pytest.skip("system Chromium missing (apt-get install -y chromium)")
    pytest.importorskip("playwright")
    model = speech_model(QUICK_MODEL)  # tiny.en, or COACHING_TEST_WHISPER_MODEL
    model.require("en")
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(app_template, data / "coaching.db")
    port = _free_port()
    env = {
        **os.environ,
        "COACHING_DATA_DIR": str(data),
        "COACHING_WHISPER_MODEL": model.name,
        "COACHING_LANGUAGES": "en",
        "COACHING_DEVICE": "cpu",
        "HF_HUB_OFFLINE": "1",
    }
    env.pop("COACHING_DB_URL", None)
    log = (tmp_path / "streamlit.log").open("w")
    command = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true"]
    command += ["--server.port", str(port), "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"]
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 60
        while True:
            try:
                if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).read() == b"ok":
                    break
            except OSError:
                pass
            if time.time() > deadline or process.poll() is not None:
                raise AssertionError("the app did not start:\n" + (tmp_path / "streamlit.log").read_text())
            time.sleep(0.5)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)
        log.close()


def _settle(page: Page, timeout_ms: int = 30_000) -> None:
    page.wait_for_timeout(500)  # let the rerun an action asked for begin
    page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=timeout_ms)
    page.wait_for_function("!document.querySelector(\"[data-testid='stSkeleton']\")", timeout=timeout_ms)
    page.wait_for_timeout(300)


def _sign_in(page: Page, name: str, user_id: str) -> None:
    page.get_by_test_id("stSidebar").get_by_test_id("stSelectbox").click()
    page.get_by_role("option", name=name).wait_for()
    page.wait_for_timeout(300)
    page.get_by_role("option", name=name).click()
    page.wait_for_function(f"window.location.search.includes('as={user_id}')", timeout=30_000)
    _settle(page)


def _open(page: Page, title: str) -> None:
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=title, exact=True).click()
    _settle(page)
    page.get_by_role("heading", name=title, level=1).wait_for()


def _shows_turn(page_text: str, turn_text: str) -> bool:
    """The page holds the turn as recognised: some run of its words is within a word error rate of 1/3."""
    shown, turn = normalise(page_text, language="en"), normalise(turn_text, language="en")
    windows = (shown[i : i + len(turn)] for i in range(max(1, len(shown) - len(turn) + 1)))
    return min(Levenshtein.distance(turn, window) for window in windows) <= len(turn) / 3


def _shot(page: Page, name: str) -> None:
    assert page.get_by_test_id("stException").count() == 0, name
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_agent_uploads_a_call_and_jumps_to_evidence_then_every_page_renders(app_url: str) -> None:
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(app_url)
        _settle(page)
        _shot(page, "00_sign_in")
        _sign_in(page, "Emma Wilson (agent)", "emma")
        page.get_by_role("heading", name="Practice", level=1).wait_for()
        _shot(page, "agent_practice")

        _open(page, "My calls")
        page.get_by_text("Upload a recorded call").click()
        page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(audio_path("en_short")))
        page.get_by_role("button", name="Analyse").click()
        review = page.get_by_role("button", name="Review en_short.flac")
        review.wait_for(timeout=240_000)  # the worker transcribes (tiny.en) while the page keeps polling
        _settle(page)
        _shot(page, "agent_my_calls")
        review.click()
        _settle(page)
        page.get_by_role("heading", name="Call review", level=1).wait_for()
        assert _shows_turn(page.locator("body").text_content() or "", load_truth("en_short")["turns"][0]["text"])
        page.get_by_role("tab", name="Checklist").click()
        greeting = page.get_by_test_id("stExpander").filter(has_text="Greets")
        greeting.locator("summary").click()  # passed items start folded
        jump = greeting.locator("button", has_text="▶").first
        jump_to = jump.inner_text().split("▶")[-1].strip()
        jump.click()
        _settle(page)
        page.get_by_test_id("stSidebar").get_by_text(f"Playing from {jump_to}").wait_for()
        assert page.get_by_test_id("stSidebar").locator("audio").count() == 1
        _shot(page, "agent_call_review")
        for title in ("My progress", "My coaching"):
            _open(page, title)
            _shot(page, f"agent_{title.lower().replace(' ', '_')}")

        for (name, user_id), (role, titles) in ROLE_PAGES.items():
            _sign_in(page, name, user_id)
            for title in titles:
                _open(page, title)
                _shot(page, f"{role}_{title.lower().replace(' ', '_')}")
            _open(page, "Call review")
            _shot(page, f"{role}_call_review")
        browser.close()
