"""A real browser: a Swedish call detected with low probability is flagged and can be re-analysed as Swedish from
the review page.

The doubtful detection is made deterministic: the first 15 s of the Swedish sample call are stored through the
product's path with a scripted detection (English, probability 0.60: the issue's fault) and no words. The
re-analysis is queued from the page and really runs in the job worker beside the app, with the packaged
multilingual base model (or COACHING_TEST_WHISPER_MODEL, skipped when it lacks Swedish), and the page must show
Swedish and the Swedish words.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pytest
import soundfile as sf
from rapidfuzz.distance import Levenshtein

from audio_samples.truth import audio_path, load_truth
from coaching.access import SYSTEM_USER
from coaching.analysis.evaluation import normalise
from coaching.analysis.pipeline import AnalysisRequest
from coaching.asr.transcriber import AsrSegment
from coaching.services.calls import analyze_and_store
from coaching.settings import Settings
from coaching.store.db import Database
from tests.e2e.app_server import CHROMIUM, CHROMIUM_ARGS, free_port, open_page, running_app, settle, sign_in
from tests.speech_helpers import SAMPLE_MODEL, speech_model

pytest_plugins = ("tests.app_helpers",)

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.browser
SAMPLE, CUT_S, FILE = "sv_poor", 15.0, "swedish_call.wav"


class DoubtfulDetection:
    """Detects every channel as English with probability 0.60 and hears no words."""

    name: str = "scripted"
    languages: tuple[str, ...] = ("fi", "sv", "en")

    def detect_language(self, *, samples: np.ndarray, allowed: Sequence[str]) -> tuple[str, float]:
        return "en", 0.60

    def transcribe(self, *, samples: np.ndarray, language: str) -> tuple[AsrSegment, ...]:
        return ()


def _swedish_turns() -> list[str]:
    return [" ".join(normalise(t["text"], language="sv")) for t in load_truth(SAMPLE)["turns"] if t["end_s"] <= CUT_S]


@pytest.fixture
def app_url(app_template: Path, tmp_path: Path) -> Iterator[str]:
    if not CHROMIUM.exists():
        pytest.skip("system Chromium missing (apt-get install -y chromium)")
    pytest.importorskip("playwright")
    model = speech_model(SAMPLE_MODEL)
    model.require("sv")
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(app_template, data / "coaching.db")
    samples, rate = sf.read(str(audio_path(SAMPLE)), dtype="float32")
    call = tmp_path / FILE
    sf.write(str(call), samples[: int(CUT_S * rate)], rate)
    env = {
        **os.environ,
        "COACHING_DATA_DIR": str(data),
        "COACHING_WHISPER_MODEL": model.name,
        "COACHING_LANGUAGES": "fi,sv,en",
        "COACHING_DEVICE": "cpu",
        "HF_HUB_OFFLINE": "1",
    }
    env.pop("COACHING_DB_URL", None)
    db = Database.open(f"sqlite:///{data / 'coaching.db'}")
    request = AnalysisRequest(path=call, agent_id="johan", source_filename=FILE)
    settings = Settings.from_env({"COACHING_DATA_DIR": str(data)})
    stored = analyze_and_store(SYSTEM_USER, request, settings=settings, transcriber=DoubtfulDetection(), db=db)
    db.dispose()
    assert stored.transcript.language_check is not None and stored.transcript.language_check.flagged
    with running_app(env, port=free_port(), log_path=tmp_path / "streamlit.log") as url:
        yield url


def _closeness(page: Page) -> float:
    """Mean over the call's Swedish turns of the character error rate of the best-matching stretch of the
    transcript tab (1.0: nothing like it)."""
    page.get_by_role("tab", name="Transcript", exact=True).click()
    panel = page.get_by_role("tabpanel").filter(has_text="Shaded words").first
    shown = " ".join(normalise(panel.inner_text(), language="sv"))
    rates = [
        min(
            Levenshtein.normalized_distance(turn, shown[i : i + len(turn)])
            for i in range(max(1, len(shown) - len(turn) + 1))
        )
        for turn in _swedish_turns()
    ]
    return sum(rates) / len(rates)


def _segments(page: Page) -> int:
    """Segments on the transcript tab (each has a jump button)."""
    page.get_by_role("tab", name="Transcript", exact=True).click()
    panel = page.get_by_role("tabpanel").filter(has_text="Shaded words").first
    return panel.get_by_role("button").filter(has_text="▶").count()


def _open_call(page: Page) -> None:
    open_page(page, "Call review")
    page.get_by_test_id("stMain").get_by_test_id("stSelectbox").first.click()
    page.get_by_role("option").filter(has_text=FILE).first.click()
    settle(page)


def test_a_swedish_call_detected_with_low_probability_is_flagged_and_reanalysed_as_swedish(app_url: str) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(app_url)
        settle(page)
        sign_in(page, "Liam Nilsson (coach)", "coach-south")
        _open_call(page)
        page.get_by_text("en · detected, probability 60%").wait_for()
        page.get_by_text("Language doubtful").wait_for()
        before = _closeness(page)
        assert _segments(page) == 0
        page.get_by_role("button", name="Analyse again as sv").click()
        settle(page)
        # the worker process (started beside the app, as `make run` does) transcribes it again with the base model;
        # the page follows the job and reloads when it is done
        page.get_by_text("sv · chosen at upload or re-analysis").wait_for(timeout=480_000)
        settle(page)  # the rerun that shows it may still be drawing, beside the last run's stale tabs
        assert page.get_by_text("Language doubtful").count() == 0
        assert page.get_by_test_id("stException").count() == 0
        after = _closeness(page)
        assert _segments(page) >= 2  # the call was transcribed again: it had no words before
        # and in Swedish: each Swedish turn is on the page (measured: a turn's best stretch CER 0.48 on average
        # with the base model on espeak Swedish, 0.77 against the page before, which had no transcript)
        assert after < 0.6 and after < before - 0.15, (before, after)
        browser.close()
