"""AppTest flows: upload → background analysis → review, override, comment, transcript correction,
a coaching session, and practice feedback with sharing."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from streamlit.testing.v1 import AppTest

from audio_samples.truth import audio_path
from coaching.services.jobs import list_jobs
from coaching.store.app_tables import CoachingSessionRow, CommentRow, TranscriptEditRow
from coaching.store.calls import load_analysis
from coaching.store.db import Database
from coaching.store.feedback import reviews_of
from coaching.store.tables import AnalysisRow, CallRow
from tests.app_helpers import Open, assert_ok, button
from ui.review import flag_moments
from ui.text import plain

pytest_plugins = ("tests.app_helpers",)


def test_upload_is_analysed_in_the_background_and_opens_in_review(
    open_app: Open, app_db: Database, people: Any, jobs_runner: Any
) -> None:
    at = open_app("emma")
    at.switch_page("pages/calls.py").run()
    at.file_uploader[0].set_value(("en_short.flac", audio_path("en_short").read_bytes(), "audio/flac"))
    next(t for t in at.text_input if t.label.startswith("Customer id")).set_value("CUST-9")
    button(at, "Analyse").click().run()
    assert_ok(at)
    assert any("queued" in s.value for s in at.success)
    jobs = list_jobs(people("emma"), app_db)
    assert [j.status for j in jobs] == ["queued"]
    # the page shows the waiting job, read back from the database (a refresh finds it again)
    fresh = open_app("emma")
    fresh.switch_page("pages/calls.py").run()
    assert any("waiting for the worker" in str(p.proto) for p in fresh.get("progress"))

    assert jobs_runner("en_short") == [jobs[0].id]
    done = list_jobs(people("emma"), app_db)[0]
    assert done.status == "done" and done.call_id
    with app_db.transaction() as session:  # the customer id from the form, for erase --customer
        stored = session.get(CallRow, done.call_id)
        assert stored is not None and stored.customer_id == "CUST-9"
    fresh.run()
    assert_ok(fresh)
    assert any("analysed" in c.value for c in fresh.caption)
    button(fresh, f"Review {plain('en_short.flac')}").click().run()  # the file name is shown as plain text
    assert_ok(fresh)
    assert fresh.title[0].value == "Call review"
    page_text = " ".join(m.value for m in fresh.markdown)
    assert "my name is Emma" in page_text  # the transcript of the uploaded call
    assert fresh.query_params["call"] == [done.call_id] or fresh.query_params["call"] == done.call_id


def test_a_failed_upload_shows_its_one_line_reason(open_app: Open, jobs_runner: Any) -> None:
    at = open_app("emma")
    at.switch_page("pages/calls.py").run()
    at.file_uploader[0].set_value(("notes.wav", b"this is not audio at all" * 50, "audio/wav"))
    button(at, "Analyse").click().run()
    jobs_runner("en_short")
    at.run()
    failed = [e.value for e in at.error]
    # shown as plain text (ui.text.plain escapes markdown characters with a backslash)
    assert len(failed) == 1 and "notes.wav" in failed[0].replace("\\", "") and "\n" not in failed[0]


def _review(at: AppTest, call_id: str) -> AppTest:
    at.switch_page("pages/calls.py").run()
    at.selectbox(key="open_call").set_value(call_id).run()
    button(at, "Review this call").click().run()
    assert_ok(at)
    assert at.title[0].value == "Call review"
    return at.switch_page("pages/call_review.py").run()  # later runs stay on the review page


def test_coach_overrides_an_item_with_a_reason_and_the_score_changes(open_app: Open, app_db: Database) -> None:
    at = _review(open_app("coach-north"), "t-aino-1")
    before = load_analysis_score(app_db, "t-aino-1")
    at.radio(key="ov-choice-greeting").set_value("passed")  # form widgets: set, then submit in one run
    at.button(key="ov-save-greeting").click().run()
    assert any("reason is required" in e.value for e in at.error)  # changing a result needs a reason
    at.radio(key="ov-choice-greeting").set_value("passed")
    at.text_input(key="ov-reason-greeting").input("Greeted in other words")
    at.button(key="ov-save-greeting").click().run()
    assert_ok(at)
    with app_db.transaction() as session:
        review = reviews_of(session, "t-aino-1")[("greeting", "override")]
    assert review.passed is True and review.auto_passed is False and review.reason == "Greeted in other words"
    score_metric = next(m for m in at.metric if m.label == "Checklist score")
    assert float(score_metric.value) > before
    assert "after coach review" in str(score_metric.proto.delta)


def load_analysis_score(db: Database, call_id: str) -> float:
    with db.transaction() as session:
        score = load_analysis(session, call_id).checklist.score
    assert score is not None
    return score


def test_agent_disputes_with_a_reason_and_comments_at_a_time(open_app: Open, app_db: Database) -> None:
    at = _review(open_app("aino"), "t-aino-1")
    at.text_input(key="dis-reason-options").input("I offered a payment plan").run()
    at.button(key="dis-options").click().run()
    assert_ok(at)
    at.number_input[0].set_value(12.0)
    at.text_area[0].input("Here I should have slowed down")
    button(at, "Add comment").click().run()
    assert_ok(at)
    with app_db.transaction() as session:
        review = reviews_of(session, "t-aino-1")[("options", "response")]
        comments = session.scalars(select(CommentRow).where(CommentRow.author_id == "aino")).all()
    assert review.kind == "dispute" and review.reason == "I offered a payment plan"
    assert [(c.at_s, c.text) for c in comments] == [(12.0, "Here I should have slowed down")]
    assert any("Here I should have slowed down" in m.value for m in at.markdown)
    # the comment's jump button moves the player
    at.button(key=f"cm-{comments[0].id}").click().run()
    assert at.session_state["jump_s"] == 12.0


def test_transcript_correction_rescores_and_stores_a_new_analysis(open_app: Open, app_db: Database) -> None:
    at = _review(open_app("coach-north"), "t-aino-2")
    with app_db.transaction() as session:
        rows_before = session.scalar(select(func.count()).where(AnalysisRow.call_id == "t-aino-2"))
        first = load_analysis(session, "t-aino-2")
    assert first.checklist.item("greeting").passed is True
    at.selectbox(key="fix-segment").set_value(0).run()
    at.text_area(key="fix-text-0").input("Joo.")
    button(at, "Save correction and re-score").click().run(timeout=30)
    assert_ok(at)
    with app_db.transaction() as session:
        rows_after = session.scalar(select(func.count()).where(AnalysisRow.call_id == "t-aino-2"))
        now = load_analysis(session, "t-aino-2")
        edits = session.scalars(select(TranscriptEditRow)).all()
    assert rows_after == (rows_before or 0) + 1
    assert now.transcript.segments[0].text == "Joo."
    assert now.checklist.item("greeting").passed is False
    assert [(e.kind, e.position, e.new_text, e.author_id) for e in edits] == [("text", 0, "Joo.", "coach-north")]


def test_coach_runs_a_coaching_session_with_notes_and_an_action_item(open_app: Open, app_db: Database) -> None:
    at = open_app("coach-north")
    at.switch_page("pages/coaching_sessions.py").run()
    at.selectbox(key="coach_agent").set_value("aino").run()
    button(at, "Start a session with this agenda").click().run()
    assert_ok(at)
    with app_db.transaction() as session:
        sessions = session.scalars(select(CoachingSessionRow)).all()
    assert len(sessions) == 1 and sessions[0].agent_id == "aino" and sessions[0].coach_id == "coach-north"
    session_id = sessions[0].id
    at.text_area(key=f"notes-{session_id}").input("Work on the greeting").run()
    at.button(key=f"save-notes-{session_id}").click().run()
    at.text_input[0].input("Say your name and company first")
    button(at, "Add action item").click().run()
    assert_ok(at)
    labels = [c.label for c in at.checkbox]
    assert any(label.startswith("Say your name and company first · due") for label in labels)
    agent = open_app("aino")
    agent.switch_page("pages/coaching_sessions.py").run()
    assert_ok(agent)
    assert any("Work on the greeting" in m.value for m in agent.markdown)
    box = next(c for c in agent.checkbox if c.label.startswith("Say your name"))
    box.check().run()
    assert_ok(agent)
    assert next(c for c in agent.checkbox if c.label.startswith("Say your name")).value is True


def test_practice_feedback_appears_and_sharing_opens_it_to_the_coach(open_app: Open, stored_call: Any) -> None:
    at = open_app("aino")
    assert_ok(at)
    assert at.title[0].value == "Practice"
    assert at.selectbox(key="practice_attempt").value == "t-aino-practice"
    assert any(m.label == "Score" for m in at.metric)
    at.toggle(key="practice-share-t-aino-practice").set_value(True).run()
    assert_ok(at)
    assert stored_call("t-aino-practice").is_private is False
    coach = open_app("coach-north")
    coach.switch_page("pages/calls.py").run()
    assert "t-aino-practice" in set(coach.dataframe[0].value["call"])


def test_flagged_moments_jump_the_player_to_the_silence(open_app: Open, app_db: Database) -> None:
    with app_db.transaction() as session:
        silences = load_analysis(session, "t-emma-1").metrics.silences
    flagged = [s for s in silences if s.flagged]
    assert flagged  # the poor English sample has dead air over 10 s
    at = _review(open_app("emma"), "t-emma-1")
    assert any(f"flagged silence of {flagged[0].duration_s:.0f} s" in m.value for m in at.markdown)
    with app_db.transaction() as session:
        moments = flag_moments(load_analysis(session, "t-emma-1").metrics)
    moment = next(n for n, (at_s, text) in enumerate(moments) if text.startswith("flagged silence"))
    at.button(key=f"flag-{moment}").click().run()
    assert at.session_state["jump_s"] == flagged[0].start_s
    assert at.sidebar.get("audio")[0].proto.start_time == int(flagged[0].start_s)
