"""Score integrity: an agent's correction of a real call is a proposal; the official score changes only when a
coach of the agent's team (or a manager) accepts it, through the one scoring step; call lists flag the calls."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select

import coaching.services.corrections as corrections
from coaching.access import User
from coaching.errors import AccessError, ConflictError, NotFoundError, NotVisibleError
from coaching.models import Analysis
from coaching.services.calls import list_calls
from coaching.services.corrections import (
    accept_correction,
    edit_segment,
    list_corrections,
    reject_correction,
    swap_call_speakers,
)
from coaching.settings import Settings
from coaching.store.app_tables import CommentRow, TranscriptEditRow
from coaching.store.audit import read_entries
from coaching.store.calls import load_analysis
from coaching.store.db import Database
from coaching.store.tables import AnalysisRow
from coaching.views.calls import CallFilters, call_table

pytest_plugins = ("tests.app_helpers",)
People = Callable[[str], User]
CALL = "t-aino-1"  # aino's real call (team north), the poor Finnish sample: its greeting fails


def _stored(db: Database, call_id: str = CALL) -> Analysis:
    with db.transaction() as session:
        return load_analysis(session, call_id)


def _rows(db: Database, call_id: str = CALL) -> int:
    with db.transaction() as session:
        return int(session.scalar(select(func.count()).where(AnalysisRow.call_id == call_id)) or 0)


def _actions(db: Database, call_id: str = CALL) -> list[tuple[str, str]]:
    with db.transaction() as session:
        return [(e.action, e.actor_id) for e in read_entries(session, object_id=call_id) if "correct" in e.action]


def _model_greeting(db: Database) -> str:
    """The greeting of the good sample call (t-aino-2): the phrases the checklist looks for."""
    return _stored(db, "t-aino-2").transcript.segments[0].text


def _propose(db: Database, people: People, settings: Settings) -> tuple[Analysis, int]:
    before = _stored(db)
    assert before.transcript.segments[0].speaker == "agent" and before.checklist.item("greeting").passed is False
    returned = edit_segment(people("aino"), db, CALL, position=0, text=_model_greeting(db), settings=settings)
    assert returned.checklist.score == before.checklist.score
    (proposal,) = [c for c in list_corrections(people("aino"), db, CALL) if c.pending]
    return before, proposal.id


def test_an_agents_correction_of_a_real_call_changes_neither_transcript_nor_score(
    app_db: Database, app_settings: Settings, people: People
) -> None:
    rows = _rows(app_db)
    before, edit_id = _propose(app_db, people, app_settings)
    after = _stored(app_db)
    assert after.transcript == before.transcript
    assert after.checklist.score == before.checklist.score and after.checklist.item("greeting").passed is False
    assert _rows(app_db) == rows  # no new analysis
    (proposal,) = list_corrections(people("coach-north"), app_db, CALL)
    assert (proposal.id, proposal.status, proposal.author_id) == (edit_id, "proposed", "aino")
    assert (proposal.old_text, proposal.new_text) == (before.transcript.segments[0].text, _model_greeting(app_db))
    assert proposal.decided_by is None
    assert _actions(app_db) == [("propose_correction", "aino")]
    # a swap by the agent is a proposal too
    swap_call_speakers(people("aino"), app_db, CALL, settings=app_settings)
    assert _stored(app_db).transcript == before.transcript
    assert [c.status for c in list_corrections(people("aino"), app_db, CALL)] == ["proposed", "proposed"]


def test_the_coach_accepts_through_the_one_scoring_step(
    app_db: Database, app_settings: Settings, people: People, monkeypatch: pytest.MonkeyPatch
) -> None:
    before, edit_id = _propose(app_db, people, app_settings)
    rows = _rows(app_db)
    steps: list[Any] = []
    real_score = corrections.score_call

    def counting(*args: Any, **kwargs: Any) -> Analysis:
        steps.append(args)
        return real_score(*args, **kwargs)

    monkeypatch.setattr(corrections, "score_call", counting)
    updated = accept_correction(people("coach-north"), app_db, edit_id, settings=app_settings)
    assert len(steps) == 1  # one scoring step, the one a coach's own correction takes
    stored = _stored(app_db)
    assert stored.transcript.segments[0].text == _model_greeting(app_db)
    assert stored.checklist.item("greeting").passed is True
    assert (stored.checklist.score or 0) > (before.checklist.score or 0)
    assert stored.checklist.score == updated.checklist.score
    assert _rows(app_db) == rows + 1
    (accepted,) = list_corrections(people("aino"), app_db, CALL)
    assert (accepted.status, accepted.decided_by) == ("accepted", "coach-north") and accepted.decided_at is not None
    assert _actions(app_db) == [("propose_correction", "aino"), ("accept_correction", "coach-north")]
    with pytest.raises(ConflictError, match="not waiting"):  # decided once
        accept_correction(people("manager"), app_db, edit_id, settings=app_settings)


def test_a_rejected_proposal_leaves_the_score_and_tells_the_agent_why(
    app_db: Database, app_settings: Settings, people: People
) -> None:
    before, edit_id = _propose(app_db, people, app_settings)
    rows = _rows(app_db)
    rejected = reject_correction(people("manager"), app_db, edit_id, "the recording says otherwise")
    assert (rejected.status, rejected.decided_by) == ("rejected", "manager")
    after = _stored(app_db)
    assert after.transcript == before.transcript and after.checklist.score == before.checklist.score
    assert _rows(app_db) == rows
    with app_db.transaction() as session:
        texts = session.scalars(select(CommentRow.text).where(CommentRow.call_id == CALL)).all()
    assert any("not accepted: the recording says otherwise" in t for t in texts)
    assert _actions(app_db) == [("propose_correction", "aino"), ("reject_correction", "manager")]
    with pytest.raises(ConflictError):
        accept_correction(people("coach-north"), app_db, edit_id, settings=app_settings)


def test_coach_corrections_and_an_agents_practice_corrections_apply_at_once(
    app_db: Database, app_settings: Settings, people: People
) -> None:
    practice = "t-aino-practice"
    rows = _rows(app_db, practice)
    first = _stored(app_db, practice).transcript.segments[0]
    updated = edit_segment(people("aino"), app_db, practice, position=0, text="Joo.", settings=app_settings)
    assert updated.transcript.segments[0].text == "Joo." != first.text
    assert _rows(app_db, practice) == rows + 1
    assert [c.status for c in list_corrections(people("aino"), app_db, practice)] == ["applied"]
    assert _actions(app_db, practice) == [("correct", "aino")]

    edit_segment(people("coach-north"), app_db, "t-aino-2", position=0, text="Joo.", settings=app_settings)
    (applied,) = list_corrections(people("aino"), app_db, "t-aino-2")
    assert (applied.status, applied.decided_by) == ("applied", "coach-north")
    assert _stored(app_db, "t-aino-2").checklist.item("greeting").passed is False


def test_only_a_coach_of_the_team_or_a_manager_decides(
    app_db: Database, app_settings: Settings, people: People
) -> None:
    _, edit_id = _propose(app_db, people, app_settings)
    for outsider in ("eero", "emma", "coach-south"):  # another agent (same team or not), another team's coach
        with pytest.raises(NotVisibleError) as hidden:
            accept_correction(people(outsider), app_db, edit_id, settings=app_settings)
        with pytest.raises(NotVisibleError) as hidden_reject:
            reject_correction(people(outsider), app_db, edit_id, "no")
        with pytest.raises(NotVisibleError) as missing:
            accept_correction(people(outsider), app_db, edit_id + 1000, settings=app_settings)
        assert (
            str(hidden.value)
            == str(hidden_reject.value)
            == str(missing.value).replace(str(edit_id + 1000), str(edit_id))
        )
        with pytest.raises(NotVisibleError):
            list_corrections(people(outsider), app_db, CALL)
    with pytest.raises(AccessError) as own:  # the agent sees the call, but does not decide on it
        accept_correction(people("aino"), app_db, edit_id, settings=app_settings)
    assert not isinstance(own.value, NotFoundError)
    with app_db.transaction() as session:
        row = session.get(TranscriptEditRow, edit_id)
        assert row is not None and row.status == "proposed"


def test_a_proposal_for_a_segment_changed_since_is_refused(
    app_db: Database, app_settings: Settings, people: People
) -> None:
    _, first = _propose(app_db, people, app_settings)
    edit_segment(people("aino"), app_db, CALL, position=0, text="Hyvää päivää.", settings=app_settings)
    second = max(c.id for c in list_corrections(people("aino"), app_db, CALL))
    accept_correction(people("coach-north"), app_db, first, settings=app_settings)
    text = _stored(app_db).transcript.segments[0].text
    with pytest.raises(ConflictError, match="changed since"):
        accept_correction(people("coach-north"), app_db, second, settings=app_settings)
    assert _stored(app_db).transcript.segments[0].text == text


def test_call_lists_flag_pending_and_accepted_corrections(
    app_db: Database, app_settings: Settings, people: People
) -> None:
    def flags(who: str) -> dict[str, str]:
        table = call_table(people(who), app_db)
        return dict(zip(table["call"], table["flags"], strict=True))

    def summaries(who: str) -> dict[str, tuple[bool, bool]]:
        return {c.id: (c.correction_pending, c.corrected) for c in list_calls(people(who), db=app_db)}

    assert not any("correct" in f for f in flags("manager").values())
    _, edit_id = _propose(app_db, people, app_settings)
    for who in ("aino", "coach-north", "manager"):
        assert "correction pending" in flags(who)[CALL].split(", ")
        assert "corrected" not in flags(who)[CALL].split(", ")
        assert summaries(who)[CALL] == (True, False)
    assert summaries("aino")["t-aino-2"] == (False, False)
    pending = call_table(people("coach-north"), app_db, CallFilters(flags=("correction pending",)))
    assert list(pending["call"]) == [CALL]
    accept_correction(people("coach-north"), app_db, edit_id, settings=app_settings)
    assert flags("coach-north")[CALL].split(", ").count("corrected") == 1
    assert "correction pending" not in flags("coach-north")[CALL]
    assert summaries("coach-north")[CALL] == (False, True)
    corrected = call_table(people("manager"), app_db, CallFilters(flags=("corrected",)))
    assert list(corrected["call"]) == [CALL]
