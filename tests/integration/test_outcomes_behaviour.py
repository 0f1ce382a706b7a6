"""Behaviour vs outcome: surveys linked to analysed calls through contact_id, with hand-built rows."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest

from coaching.access import SYSTEM_USER, User
from coaching.errors import AccessError
from coaching.services.outcomes import OutcomeSettings, behaviour_outcomes, import_dataframe
from coaching.store.app_tables import ItemReviewRow
from coaching.store.db import Database
from coaching.store.tables import AgentRow, AnalysisRow, CallRow, TeamRow

T0 = datetime(2026, 11, 2, 9, tzinfo=UTC)


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = Database.open(f"sqlite:///{tmp_path / 'coaching.db'}")
    yield database
    database.dispose()


def add_call(
    db: Database,
    *,
    call_id: str,
    agent: str,
    contact: str | None,
    items: dict[str, bool],
    private: bool = False,
    older_items: dict[str, bool] | None = None,
) -> None:
    """A call with one analysis (and optionally an older, superseded one)."""
    with db.transaction() as session:
        session.add(
            CallRow(
                id=call_id,
                agent_id=agent,
                contact_id=contact,
                audio_sha256=call_id.ljust(64, "0"),
                audio_path=f"/audio/{call_id}.flac",
                duration_s=60.0,
                language="fi",
                channel_mode="left",
                model_name="base",
                call_type="practice" if private else "real",
                is_private=private,
                created_at=T0,
            )
        )
        session.flush()
        analyses = [(older_items, T0), (items, T0 + timedelta(hours=1))] if older_items else [(items, T0)]
        for checklist_items, created in analyses:
            session.add(
                AnalysisRow(
                    call_id=call_id,
                    created_at=created,
                    schema_version="1.0",
                    checklist_version="1",
                    score=None,
                    metrics={},
                    checklist={"items": [{"id": k, "passed": v} for k, v in checklist_items.items()]},
                )
            )


@pytest.fixture
def linked_db(db: Database) -> Database:
    with db.transaction() as session:
        session.add_all([TeamRow(id="t1", name="Team 1"), TeamRow(id="t2", name="Team 2")])
        session.flush()
        session.add_all([AgentRow(id="aino", name="Aino", team_id="t1"), AgentRow(id="bo", name="Bo", team_id="t2")])
    # acknowledge passed on C1, C2 (newest analysis), failed on C3, C4; C5 is a private practice call
    add_call(db, call_id="call-1", agent="aino", contact="C1", items={"acknowledge": True, "options": True})
    add_call(
        db,
        call_id="call-2",
        agent="aino",
        contact="C2",
        items={"acknowledge": True, "options": False},
        older_items={"acknowledge": False, "options": False},
    )
    add_call(db, call_id="call-3", agent="bo", contact="C3", items={"acknowledge": False, "options": True})
    add_call(db, call_id="call-4", agent="bo", contact="C4", items={"acknowledge": False})
    add_call(db, call_id="call-5", agent="aino", contact="C5", items={"acknowledge": False}, private=True)
    add_call(db, call_id="call-6", agent="aino", contact=None, items={"acknowledge": True})
    surveys = pd.DataFrame(
        {
            "contact_id": ["C1", "C2", "C3", "C4", "C5", "C9"],
            "agent": ["aino", "aino", "bo", "bo", "aino", "aino"],
            "answered_at": ["2026-11-03"] * 6,
            "score": [10, 9, 4, 8, 0, 0],
        }
    )
    report = import_dataframe(SYSTEM_USER, db, surveys, "linked")
    assert report.linked_to_calls == 5  # C1–C5 have a call; C9 has none
    return db


def test_passed_vs_failed_nps_per_item(linked_db: Database) -> None:
    report = behaviour_outcomes(SYSTEM_USER, linked_db, settings=OutcomeSettings(min_n=2))
    assert report.n_linked_contacts == 4  # the private call's survey (C5) is left out
    rows = {r["item"]: r for r in report.rows}
    # acknowledge: passed C1 10, C2 9 → 100; failed C3 4, C4 8 → D1 of 2 → −50
    ack = rows["acknowledge"]
    assert (ack["n_passed"], ack["nps_passed"], ack["n_failed"], ack["nps_failed"]) == (2, 100.0, 2, -50.0)
    assert ack["difference"] == 150.0
    assert ack["enough_data"] is True
    # options: passed C1 10, C3 4 → 0; failed C2 9 → 100 (n 1, below min_n 2)
    opt = rows["options"]
    assert (opt["n_passed"], opt["nps_passed"], opt["n_failed"], opt["nps_failed"]) == (2, 0.0, 1, 100.0)
    assert opt["enough_data"] is False
    assert opt["note"].startswith("too little data to tell")
    assert report.note == "4 linked contacts. Differences show association, not cause."


def test_default_minimum_says_plainly_that_data_is_thin(linked_db: Database) -> None:
    report = behaviour_outcomes(SYSTEM_USER, linked_db, settings=OutcomeSettings())
    assert report.note.startswith("Only 4 linked contacts: too few to tell")
    assert all(not r["enough_data"] for r in report.rows)


def test_a_call_analysed_after_the_import_links_too(linked_db: Database) -> None:
    add_call(linked_db, call_id="call-9", agent="aino", contact="C9", items={"acknowledge": True})
    report = behaviour_outcomes(SYSTEM_USER, linked_db, settings=OutcomeSettings(min_n=2))
    assert report.n_linked_contacts == 5
    assert {r["item"]: r["n_passed"] for r in report.rows}["acknowledge"] == 3


def test_a_coach_override_replaces_the_automatic_result(linked_db: Database) -> None:
    with linked_db.transaction() as session:
        session.add(
            ItemReviewRow(
                call_id="call-3",
                item_id="acknowledge",
                kind="override",
                passed=True,
                auto_passed=False,
                reason="acknowledged at 0:42",
                author_id="coach",
                author_role="coach",
                created_at=T0,
            )
        )
    report = behaviour_outcomes(SYSTEM_USER, linked_db, settings=OutcomeSettings(min_n=2))
    ack = {r["item"]: r for r in report.rows}["acknowledge"]
    # passed now C1 10, C2 9, C3 4 → P2 D1 → 33.3; failed C4 8 → 0
    assert (ack["n_passed"], ack["nps_passed"], ack["n_failed"], ack["nps_failed"]) == (3, 33.3, 1, 0.0)


def test_agents_see_only_their_own_linked_contacts(linked_db: Database) -> None:
    aino = User(id="u", role="agent", agent_id="aino")
    report = behaviour_outcomes(aino, linked_db, settings=OutcomeSettings(min_n=2))
    assert report.n_linked_contacts == 2
    with pytest.raises(AccessError):
        behaviour_outcomes(aino, linked_db, agent_id="bo")


def test_no_links_says_so(db: Database) -> None:
    report = behaviour_outcomes(SYSTEM_USER, db)
    assert report.rows == ()
    assert report.note.startswith("No survey answers are linked to analysed calls yet")
