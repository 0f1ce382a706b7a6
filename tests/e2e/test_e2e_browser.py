"""A real browser: start the app on a small seeded database, sign in as a demo agent, upload a sample call,
wait for the background analysis (packaged tiny.en model), jump to an evidence moment, and save a screenshot
of each page for each role under tests/artifacts/."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from rapidfuzz.distance import Levenshtein

from audio_samples.truth import audio_path, load_truth
from coaching.analysis.evaluation import normalise
from tests.e2e.app_server import CHROMIUM, CHROMIUM_ARGS, ROOT, free_port, open_page, running_app, settle, sign_in
from tests.speech_helpers import QUICK_MODEL, speech_model

pytest_plugins = ("tests.app_helpers",)

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.browser
ARTIFACTS = ROOT / "tests" / "artifacts"
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
    env = {
        **os.environ,
        "COACHING_DATA_DIR": str(data),
        "COACHING_WHISPER_MODEL": model.name,
        "COACHING_LANGUAGES": "en",
        "COACHING_DEVICE": "cpu",
        "HF_HUB_OFFLINE": "1",
    }
    env.pop("COACHING_DB_URL", None)
    with running_app(env, port=free_port(), log_path=tmp_path / "streamlit.log") as url:
        yield url


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
        settle(page)
        _shot(page, "00_sign_in")
        sign_in(page, "Emma Wilson (agent)", "emma")
        page.get_by_role("heading", name="Practice", level=1).wait_for()
        _shot(page, "agent_practice")

        open_page(page, "My calls")
        page.get_by_text("Upload a recorded call").click()
        page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(audio_path("en_short")))
        page.get_by_role("button", name="Analyse", exact=True).click()
        review = page.get_by_role("button", name="Review en_short.flac")
        review.wait_for(timeout=240_000)  # the worker transcribes (tiny.en) while the page keeps polling
        settle(page)
        _shot(page, "agent_my_calls")
        review.click()
        settle(page)
        page.get_by_role("heading", name="Call review", level=1).wait_for()
        assert _shows_turn(page.locator("body").text_content() or "", load_truth("en_short")["turns"][0]["text"])
        page.get_by_role("tab", name="Checklist").click()
        greeting = page.get_by_test_id("stExpander").filter(has_text="Greets")
        greeting.locator("summary").click()  # passed items start folded
        jump = greeting.locator("button", has_text="▶").first
        jump_to = jump.inner_text().split("▶")[-1].strip()
        jump.click()
        settle(page)
        page.get_by_test_id("stSidebar").get_by_text(f"Playing from {jump_to}").wait_for()
        assert page.get_by_test_id("stSidebar").locator("audio").count() == 1
        _shot(page, "agent_call_review")
        for title in ("My progress", "My coaching"):
            open_page(page, title)
            _shot(page, f"agent_{title.lower().replace(' ', '_')}")

        for (name, user_id), (role, titles) in ROLE_PAGES.items():
            sign_in(page, name, user_id)
            for title in titles:
                open_page(page, title)
                _shot(page, f"{role}_{title.lower().replace(' ', '_')}")
            open_page(page, "Call review")
            _shot(page, f"{role}_call_review")
        browser.close()
