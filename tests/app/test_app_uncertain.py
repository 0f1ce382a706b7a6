"""AppTest: the review page shows the transcript quality per speaker, what the score stands on, and uncertain
items (a phrase not found in a transcript the recogniser was unsure of) without a "say it like this" example."""

from __future__ import annotations

from dataclasses import replace

from streamlit.testing.v1 import AppTest

from coaching.analysis.scoring import score_call
from coaching.checklist import load_checklist
from coaching.checklist.quality import LOW_PROBABILITY
from coaching.models import Segment
from coaching.store.calls import add_analysis_row, load_analysis, replace_transcript
from coaching.store.db import Database
from tests.app_helpers import Open, assert_ok

pytest_plugins = ("tests.app_helpers",)

CALL = "t-aino-1"  # fi_poor: the agent misses several phrase items


def _review(at: AppTest) -> AppTest:
    at.session_state["review_call_id"] = CALL  # ui.widgets.CALL_KEY
    at.switch_page("pages/call_review.py").run()
    assert_ok(at)
    return at


def _agent_unsure(db: Database) -> None:
    """Store the call again with every agent word recognised at half the low-probability threshold."""

    def unsure(s: Segment) -> Segment:
        if s.speaker != "agent":
            return s
        return replace(s, words=tuple(replace(w, probability=LOW_PROBABILITY / 2) for w in s.words))

    with db.transaction() as session:
        current = load_analysis(session, CALL)
        transcript = replace(current.transcript, segments=tuple(unsure(s) for s in current.transcript.segments))
        replace_transcript(session, CALL, transcript)
        add_analysis_row(session, score_call(current.call, transcript, checklist=load_checklist()))


def test_an_unsure_transcript_shows_its_quality_and_uncertain_items_without_an_example(
    open_app: Open, app_db: Database
) -> None:
    confident = _review(open_app("coach-north"))
    failed = [e for e in confident.expander if ":red[" in e.label]
    assert failed and any(e.info for e in failed)  # confident failures offer "say it like this"
    assert not [e for e in confident.expander if "uncertain" in e.label]
    assert not [w for w in confident.warning if "uncertain" in w.value]

    _agent_unsure(app_db)
    with app_db.transaction() as session:
        stored = load_analysis(session, CALL).checklist
    uncertain = [r for r in stored.items if r.uncertain]
    assert uncertain

    at = _review(open_app("coach-north"))
    captions = [c.value for c in at.caption]
    quality = next(c for c in captions if c.startswith("Transcript quality"))
    assert "agent 100% of" in quality and "customer 0% of" in quality
    assert f"on {stored.scored_items} of {stored.total_items} items" in captions
    assert stored.scored_items < stored.total_items
    assert any("uncertain" in w.value for w in at.warning)
    shown = [e for e in at.expander if e.label.endswith("· uncertain")]
    assert len(shown) == len(uncertain)
    for expander in shown:
        assert not expander.info, expander.label  # no "say it like this" where the item did not fail for sure
        assert any("low transcript quality" in c.value for c in expander.caption), expander.label
