"""AppTest flows of score integrity: an agent proposes a transcript correction and the coach accepts it on the
review page; a stored recording is named before analysis; activating a checklist asks first, with a count."""

from __future__ import annotations

from typing import Any

from streamlit.testing.v1 import AppTest

from audio_samples.truth import audio_path
from coaching.services.jobs import list_jobs
from coaching.store.calls import load_analysis
from coaching.store.db import Database
from tests.app_helpers import Open, assert_ok, button

pytest_plugins = ("tests.app_helpers",)


def _review(at: AppTest, call_id: str) -> AppTest:
    at.session_state["review_call_id"] = call_id  # ui.widgets.CALL_KEY
    at.switch_page("pages/call_review.py").run()
    assert_ok(at)
    return at


def _score(db: Database, call_id: str) -> float | None:
    with db.transaction() as session:
        return load_analysis(session, call_id).checklist.score


def _texts(at: AppTest) -> str:
    shown = " ".join(
        str(getattr(e, "value", ""))
        for kind in ("markdown", "caption", "info", "success", "warning")
        for e in at.get(kind)
    )
    return shown.replace("\\", "")  # people's text is shown with its punctuation escaped (ui.text.plain)


def test_the_agent_proposes_and_the_coach_accepts_on_the_review_page(open_app: Open, app_db: Database) -> None:
    before = _score(app_db, "t-aino-1")
    agent = _review(open_app("aino"), "t-aino-1")
    agent.selectbox(key="fix-segment").set_value(0).run()
    agent.text_area(key="fix-text-0").input("Hyvää päivää, nimeni on Aino, Perintä Oy. Miten voin auttaa?")
    button(agent, "Propose correction").click().run(timeout=30)
    assert_ok(agent)
    assert "proposed, waiting for your coach" in _texts(agent)
    assert _score(app_db, "t-aino-1") == before
    assert not [b for b in agent.button if b.label in ("Accept", "Reject")]

    coach = _review(open_app("coach-north"), "t-aino-1")
    shown = _texts(coach)
    assert "Proposed corrections (1)" in shown and "Aino, Perintä Oy" in shown
    button(coach, "Accept").click().run(timeout=30)
    assert_ok(coach)
    assert (_score(app_db, "t-aino-1") or 0) > (before or 0)
    assert "Proposed corrections" not in _texts(coach)


def test_uploading_a_stored_recording_names_it_before_analysis(
    open_app: Open, app_db: Database, people: Any, jobs_runner: Any
) -> None:
    recording = ("en_short.flac", audio_path("en_short").read_bytes(), "audio/flac")
    at = open_app("emma")
    at.switch_page("pages/calls.py").run()
    at.file_uploader[0].set_value(recording)
    button(at, "Analyse").click().run()
    jobs_runner("en_short")
    call_id = list_jobs(people("emma"), app_db)[0].call_id
    at.file_uploader[0].set_value(recording)
    button(at, "Analyse").click().run()
    assert_ok(at)
    assert any("already stored" in w.value and str(call_id) in w.value.replace("\\", "") for w in at.warning)
    assert len(list_jobs(people("emma"), app_db)) == 1  # nothing queued
    button(at, "Open the stored call").click().run()
    assert at.title[0].value == "Call review"

    other = open_app("aino")
    other.switch_page("pages/calls.py").run()
    other.file_uploader[0].set_value(recording)
    button(other, "Analyse").click().run()
    (said,) = [w.value for w in other.warning]
    assert "already stored" in said and "call" not in said.replace("already stored", "").lower().split()
    assert str(call_id) not in said.replace("\\", "") and "emma" not in said.lower()
    assert not [b for b in other.button if b.label == "Open the stored call"]


def test_a_manager_confirms_activation_with_the_count(open_app: Open, app_db: Database) -> None:
    coach = open_app("coach-north")
    coach.switch_page("pages/settings.py").run()
    assert_ok(coach)
    assert not [b for b in coach.button if b.label == "Make this version active"]
    text = (coach.text_area[0].value or "").replace("\nversion: 1\n", "\nversion: 2\n")
    coach.text_area[0].input(text)
    button(coach, "Save as a new version").click().run()
    assert_ok(coach)
    assert any("a manager makes it the active version" in s.value for s in coach.success)

    manager = open_app("manager")
    manager.switch_page("pages/settings.py").run()
    newest = manager.selectbox(key="checklist_base").options[0]
    manager.selectbox(key="checklist_base").set_value(newest).run()
    button(manager, "Make this version active").click().run()
    assert_ok(manager)
    assert any("5 stored calls" in w.value for w in manager.warning)  # the shared ones a manager opens
    button(manager, "Activate and re-score 5 calls").click().run(timeout=60)
    assert_ok(manager)
    assert any("re-scored 5 calls" in s.value for s in manager.success)
