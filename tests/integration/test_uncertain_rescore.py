"""Re-scoring a stored call whose agent transcript is unsure gives the same uncertain items and score: the
transcript quality comes from the stored words, through the one scoring step."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from coaching.analysis.scoring import score_call
from coaching.checklist import load_checklist, parse_checklist
from coaching.checklist.loader import DEFAULT_PATH
from coaching.checklist.quality import LOW_PROBABILITY
from coaching.demo.seed import demo_user, ensure_demo_users
from coaching.models import CallInfo, Segment
from coaching.services.checklists import rescore_calls
from coaching.store.calls import load_analysis, save_analysis
from coaching.store.db import Database
from tests.unit.test_checklist_helpers import call
from tests.unit.test_uncertain_items import NO_CLOSING


@pytest.fixture(autouse=True)
def _no_embeddings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("coaching.checklist.scoring.default_semantic_matcher", lambda: None)


def test_rescoring_a_stored_unsure_call_gives_the_same_result(tmp_path: Path) -> None:
    def unsure(s: Segment) -> Segment:
        low = LOW_PROBABILITY * 0.6 if s.speaker == "agent" else 0.95
        return replace(s, words=tuple(replace(w, probability=low) for w in s.words))

    transcript = call("en", NO_CLOSING)
    transcript = replace(transcript, segments=tuple(unsure(s) for s in transcript.segments))
    info = CallInfo("call-unsure", "aino", 30.0, "en", "1" * 64, "left", "fixed")
    first = score_call(info, transcript, checklist=load_checklist())
    assert first.checklist.item("closing").status == "uncertain"
    db = Database.open(f"sqlite:///{tmp_path / 'coaching.db'}")
    ensure_demo_users(db)
    with db.transaction() as session:
        save_analysis(session, first, audio_path="")
    newer = parse_checklist(DEFAULT_PATH.read_text(encoding="utf-8").replace("version: 1", "version: 2", 1))
    report = rescore_calls(demo_user("manager", db), db, checklist=newer)
    assert report.rescored == 1
    with db.transaction() as session:
        again = load_analysis(session, "call-unsure").checklist
    db.dispose()
    assert again.version_id == newer.version_id != first.checklist.version_id
    assert [(i.id, i.status, i.reason) for i in again.items] == [
        (i.id, i.status, i.reason) for i in first.checklist.items
    ]
    assert (again.score, again.scored_items, again.total_items) == (
        first.checklist.score,
        first.checklist.scored_items,
        first.checklist.total_items,
    )
    assert again.quality is not None and first.checklist.quality is not None
    assert again.quality.to_dict() == first.checklist.quality.to_dict()
