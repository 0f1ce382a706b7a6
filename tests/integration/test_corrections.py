"""Transcript correction: edited text and swapped speakers are measured and scored again and stored."""

from __future__ import annotations

from collections.abc import Callable
from itertools import pairwise

import pytest
from sqlalchemy import func, select

from coaching.access import User
from coaching.checklist import ChecklistResult
from coaching.errors import AccessError, CorrectionError, NotFoundError
from coaching.models import Segment, Word
from coaching.services.corrections import edit_segment, retime_words, swap_call_speakers
from coaching.settings import Settings
from coaching.store.app_tables import TranscriptEditRow
from coaching.store.calls import load_analysis
from coaching.store.db import Database
from coaching.store.tables import AnalysisRow, CallRow

pytest_plugins = ("tests.app_helpers",)
People = Callable[[str], User]


def _passed(checklist: ChecklistResult, item_id: str) -> bool | None:
    return checklist.item(item_id).passed


def _rows(db: Database, call_id: str) -> int:
    with db.transaction() as session:
        return int(session.scalar(select(func.count()).where(AnalysisRow.call_id == call_id)) or 0)


def test_unchanged_words_keep_their_timing_and_new_words_fill_the_span_they_replace() -> None:
    words = tuple(Word(f" {w}", 2.0 * i, 2.0 * i + 1, 0.4) for i, w in enumerate("hello my name is mama".split()))
    segment = Segment("agent", 0.0, 10.0, "hello my name is mama", words)
    fixed = retime_words(segment, "hello my name is Emma from North")
    assert fixed[:4] == words[:4]
    assert [w.word for w in fixed[4:]] == [" Emma", " from", " North"]
    assert fixed[4].start_s == 8.0 and fixed[-1].end_s == 9.0  # the span of the word they replace
    assert all(w.probability == 1.0 for w in fixed[4:])
    assert all(w.end_s <= n.start_s for w, n in pairwise(fixed))
    added = retime_words(segment, "hello my name is mama thanks")
    assert added[-1].word == " thanks" and (added[-1].start_s, added[-1].end_s) == (9.0, 10.0)  # the gap after


def test_editing_a_segment_rescores_the_checklist_and_keeps_the_history(
    app_db: Database, app_settings: Settings, people: People
) -> None:
    with app_db.transaction() as session:
        before = load_analysis(session, "t-emma-2")
    first_agent = next(n for n, s in enumerate(before.transcript.segments) if s.speaker == "agent")
    assert _passed(before.checklist, "greeting") is True
    rows = _rows(app_db, "t-emma-2")
    updated = edit_segment(
        people("coach-south"), app_db, "t-emma-2", position=first_agent, text="Yes.", settings=app_settings
    )
    assert _passed(updated.checklist, "greeting") is False
    assert (updated.checklist.score or 0.0) < (before.checklist.score or 0.0)
    with app_db.transaction() as session:
        stored = load_analysis(session, "t-emma-2")
        edits = session.scalars(select(TranscriptEditRow)).all()
    assert stored.transcript.segments[first_agent].text == "Yes."
    assert _passed(stored.checklist, "greeting") is False
    assert _rows(app_db, "t-emma-2") == rows + 1  # a new current analysis; the old one stays
    assert [(e.kind, e.position, e.old_text, e.new_text) for e in edits] == [
        ("text", first_agent, before.transcript.segments[first_agent].text, "Yes.")
    ]
    assert stored.metrics.speakers.agent.words < before.metrics.speakers.agent.words


def test_swapping_speakers_swaps_talk_share_and_the_agent_channel(
    app_db: Database, app_settings: Settings, people: People
) -> None:
    with app_db.transaction() as session:
        before = load_analysis(session, "t-emma-2")
    updated = swap_call_speakers(people("coach-south"), app_db, "t-emma-2", settings=app_settings)  # emma's coach
    assert before.metrics.talk_ratio_agent is not None
    assert updated.metrics.talk_ratio_agent == pytest.approx(1 - before.metrics.talk_ratio_agent, abs=0.01)
    assert [s.speaker for s in updated.transcript.segments] == [
        "customer" if s.speaker == "agent" else "agent" for s in before.transcript.segments
    ]
    with app_db.transaction() as session:
        row = session.get(CallRow, "t-emma-2")
        assert row is not None and row.channel_mode == "right"
    # the stored audio was read again for the voice figures of the swapped channels
    assert updated.metrics.speakers.agent.delivery is not None


def test_corrections_check_access_and_input(app_db: Database, app_settings: Settings, people: People) -> None:
    with pytest.raises(AccessError):
        swap_call_speakers(people("coach-north"), app_db, "t-emma-2", settings=app_settings)  # another team
    with pytest.raises(AccessError):
        edit_segment(people("coach-north"), app_db, "t-aino-practice", position=0, text="x", settings=app_settings)
    with pytest.raises(CorrectionError, match="empty"):
        edit_segment(people("emma"), app_db, "t-emma-2", position=0, text="  ", settings=app_settings)
    with pytest.raises(NotFoundError, match="no segment 999"):
        edit_segment(people("emma"), app_db, "t-emma-2", position=999, text="x", settings=app_settings)
    with app_db.transaction() as session:
        same = load_analysis(session, "t-emma-2").transcript.segments[0].text
    with pytest.raises(CorrectionError, match="unchanged"):
        edit_segment(people("emma"), app_db, "t-emma-2", position=0, text=same, settings=app_settings)
    assert _rows(app_db, "t-emma-2") == 1
