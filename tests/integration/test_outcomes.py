"""Outcome services on a real SQLite database: import, idempotence, all-or-nothing, access, linking."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from sqlalchemy import select

from coaching.access import SYSTEM_USER, User
from coaching.errors import AccessError, NotFoundError, SettingsError, SurveyImportError
from coaching.services.outcomes import (
    OutcomeSettings,
    fcr_table,
    get_mapping,
    import_dataframe,
    import_surveys,
    list_mappings,
    nps_table,
    save_mapping,
)
from coaching.store.db import Database
from coaching.store.survey_tables import SurveyMappingRow, SurveyRow
from coaching.store.tables import AgentRow, TeamRow
from tests.unit.test_surveys import DATA, FI_MAPPING

MANAGER = User(id="maija", role="manager")
SETTINGS = OutcomeSettings(min_n=3, fcr_window_days=7)


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = Database.open(f"sqlite:///{tmp_path / 'coaching.db'}")
    yield database
    database.dispose()


def snapshot(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the tables an import touches, in a stable order."""
    with db.transaction() as session:
        return {
            "surveys": [
                (
                    r.contact_id,
                    r.agent_id,
                    r.team_id,
                    r.answered_at,
                    r.score,
                    r.comment,
                    r.channel,
                    r.customer_id,
                    r.resolved,
                    r.source_name,
                    r.imported_at,
                )
                for r in session.scalars(select(SurveyRow).order_by(SurveyRow.contact_id))
            ],
            "agents": [(a.id, a.name, a.team_id) for a in session.scalars(select(AgentRow).order_by(AgentRow.id))],
            "teams": [(t.id, t.name) for t in session.scalars(select(TeamRow).order_by(TeamRow.id))],
            "mappings": [(m.name, m.mapping) for m in session.scalars(select(SurveyMappingRow))],
        }


def test_import_creates_agents_teams_and_rows_in_utc(db: Database) -> None:
    report = import_surveys(MANAGER, db, DATA / "export_fi.csv", mapping=FI_MAPPING)
    assert (report.rows, report.new, report.updated, report.unchanged) == (5, 5, 0, 0)
    assert (report.agents_created, report.teams_created, report.linked_to_calls) == (2, 2, 0)
    state = snapshot(db)
    assert state["agents"] == [("aino", "aino", "perinta-1"), ("bertil", "bertil", "perinta-2")]
    assert state["teams"] == [("perinta-1", "perinta-1"), ("perinta-2", "perinta-2")]
    with db.transaction() as session:
        row = session.get(SurveyRow, "K-1003")
        assert row is not None
        assert (row.score, row.customer_id, row.source_name) == (7, "AS-1", "export_fi.csv")
        assert row.answered_at.replace(tzinfo=UTC) == datetime(2026, 11, 4, 10, 0, tzinfo=UTC)


def test_reimport_of_the_same_contacts_does_not_double_count(db: Database) -> None:
    import_surveys(MANAGER, db, DATA / "export_fi.csv", mapping=FI_MAPPING)
    before = snapshot(db)
    again = import_surveys(MANAGER, db, DATA / "export_fi.csv", mapping=FI_MAPPING)
    assert (again.new, again.updated, again.unchanged) == (0, 0, 5)
    assert snapshot(db) == before
    rows = nps_table(MANAGER, db, by="month", level="organisation", settings=SETTINGS)
    assert [(r["n"], r["promoters"], r["detractors"], r["nps"]) for r in rows] == [(5, 2, 2, 0.0)]


def test_reimport_with_a_changed_score_updates_that_contact(db: Database, tmp_path: Path) -> None:
    import_surveys(MANAGER, db, DATA / "export_fi.csv", mapping=FI_MAPPING)
    changed = (
        (DATA / "export_fi.csv")
        .read_text(encoding="utf-8")
        .replace("K-1005;bertil;2026-11-06;3", "K-1005;bertil;2026-11-06;10")
    )
    path = tmp_path / "export_fi_v2.csv"
    path.write_text(changed, encoding="utf-8")
    report = import_surveys(MANAGER, db, path, mapping=FI_MAPPING)
    assert (report.new, report.updated, report.unchanged) == (0, 1, 4)
    with db.transaction() as session:
        row = session.get(SurveyRow, "K-1005")
        assert row is not None
        assert (row.score, row.source_name) == (10, "export_fi_v2.csv")


BAD_FILES = {
    "bad_score.csv": (
        b"contact_id,agent,answered_at,score,team\nN-1,new-agent,2026-11-02,9,new-team\nN-2,x,2026-11-03,11,t\n"
    ),
    "bad_date.csv": b"contact_id,agent,answered_at,score\nN-1,new-agent,2026-11-02,9\nN-2,x,yesterday,9\n",
    "missing_column.csv": b"contact_id,agent,score\nN-1,new-agent,9\n",
    "empty.csv": b"",
    "broken.xlsx": b"PK\x03\x04 this is not really a workbook",
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_a_bad_file_is_rejected_whole_and_the_database_is_unchanged(db: Database, tmp_path: Path, name: str) -> None:
    import_surveys(MANAGER, db, DATA / "export_fi.csv", mapping=FI_MAPPING)
    before = snapshot(db)
    path = tmp_path / name
    path.write_bytes(BAD_FILES[name])
    with pytest.raises(SurveyImportError) as caught:
        import_surveys(MANAGER, db, path)
    assert str(caught.value).startswith(name)
    assert snapshot(db) == before


def test_import_dataframe_uses_the_same_validation(db: Database) -> None:
    frame = pd.DataFrame(
        {
            "contact_id": ["D-1", "D-2"],
            "agent": ["a", "a"],
            "answered_at": [datetime(2026, 11, 2, tzinfo=UTC), "not a date"],
            "score": [9, 9],
        }
    )
    with pytest.raises(SurveyImportError, match=r"demo row 3, column 'answered_at': 'not a date'"):
        import_dataframe(SYSTEM_USER, db, frame, "demo")
    assert snapshot(db)["surveys"] == []


def test_only_managers_and_the_system_import(db: Database) -> None:
    for user in (User(id="u1", role="agent", agent_id="aino"), User(id="u2", role="coach", team_ids=("perinta-1",))):
        with pytest.raises(AccessError, match="may not import surveys"):
            import_surveys(user, db, DATA / "export_fi.csv", mapping=FI_MAPPING)
    assert snapshot(db)["surveys"] == []


def test_saved_mappings_round_trip_and_replace(db: Database) -> None:
    save_mapping(MANAGER, db, "Lowell export", FI_MAPPING)
    save_mapping(MANAGER, db, "Lowell export", {"NPS": "score"})
    save_mapping(MANAGER, db, "Another", {"Pvm": "answered_at"})
    assert list_mappings(MANAGER, db) == {"Another": {"Pvm": "answered_at"}, "Lowell export": {"NPS": "score"}}
    assert get_mapping(MANAGER, db, "Another") == {"Pvm": "answered_at"}
    with pytest.raises(NotFoundError, match="no saved survey mapping 'Nope'"):
        get_mapping(MANAGER, db, "Nope")
    with pytest.raises(SurveyImportError, match="'rating' is not a survey column"):
        save_mapping(MANAGER, db, "bad", {"x": "rating"})
    with pytest.raises(AccessError):
        save_mapping(User(id="a", role="agent", agent_id="aino"), db, "mine", {"x": "score"})


def test_agent_sees_own_nps_only(db: Database) -> None:
    import_surveys(MANAGER, db, DATA / "export_fi.csv", mapping=FI_MAPPING)
    aino = User(id="u-aino", role="agent", agent_id="aino")
    rows = nps_table(aino, db, by="month", settings=SETTINGS)
    # aino: 10, 9, 7 → P2, passive 1 → 66.7
    assert [(r["agent"], r["period"], r["n"], r["nps"], r["reliable"]) for r in rows] == [
        ("aino", "2026-11", 3, 66.7, True)
    ]
    with pytest.raises(AccessError, match="read outcomes of agent 'bertil'"):
        nps_table(aino, db, by="month", agent_id="bertil", settings=SETTINGS)
    with pytest.raises(AccessError):
        nps_table(aino, db, by="month", level="team", settings=SETTINGS)
    with pytest.raises(AccessError):
        nps_table(aino, db, by="month", level="organisation", settings=SETTINGS)


def test_coach_sees_own_teams_and_not_the_organisation(db: Database) -> None:
    import_surveys(MANAGER, db, DATA / "export_fi.csv", mapping=FI_MAPPING)
    coach = User(id="c", role="coach", team_ids=("perinta-2",))
    rows = nps_table(coach, db, by="week", settings=SETTINGS)
    # bertil: 6, 3 → two detractors → −100, n 2 below min_n 3
    assert [(r["agent"], r["team"], r["period"], r["nps"], r["reliable"]) for r in rows] == [
        ("bertil", "perinta-2", "2026-W45", -100.0, False)
    ]
    assert nps_table(coach, db, by="month", level="team", settings=SETTINGS)[0]["team"] == "perinta-2"
    with pytest.raises(AccessError):
        nps_table(coach, db, by="month", agent_id="aino", settings=SETTINGS)
    with pytest.raises(AccessError):
        nps_table(coach, db, by="month", team_id="perinta-1", settings=SETTINGS)
    with pytest.raises(AccessError):
        nps_table(coach, db, by="month", level="organisation", settings=SETTINGS)


def test_manager_filters_and_bad_options(db: Database) -> None:
    import_surveys(MANAGER, db, DATA / "export_fi.csv", mapping=FI_MAPPING)
    rows = nps_table(MANAGER, db, by="month", team_id="perinta-1", level="team", settings=SETTINGS)
    assert [(r["team"], r["n"], r["promoters"], r["passives"], r["detractors"]) for r in rows] == [
        ("perinta-1", 3, 2, 1, 0)
    ]
    assert nps_table(MANAGER, db, by="month", agent_id="nobody", settings=SETTINGS) == []
    with pytest.raises(SettingsError, match="by='day'"):
        nps_table(MANAGER, db, by="day")
    with pytest.raises(SettingsError, match="level='region'"):
        nps_table(MANAGER, db, by="month", level="region")  # type: ignore[arg-type]


def test_fcr_counts_repeats_handled_by_another_agent(db: Database) -> None:
    frame = pd.DataFrame(
        {
            "contact_id": ["F-1", "F-2", "F-3", "F-4"],
            "agent": ["aino", "bertil", "aino", "aino"],
            "team": ["t1", "t2", "t1", "t1"],
            "answered_at": ["2026-11-02", "2026-11-05", "2026-11-03", "2026-11-30"],
            "score": [9, 9, 9, 9],
            "customer_id": ["X", "X", "Y", "Z"],
        }
    )
    import_dataframe(SYSTEM_USER, db, frame, "fcr")
    aino = User(id="u", role="agent", agent_id="aino")
    rows = fcr_table(aino, db, by="month", settings=SETTINGS)
    # F-1: X called again on Nov 5 (to bertil) → not resolved; F-3 resolved; F-4 window still open → unknown
    assert [(r["agent"], r["n"], r["resolved"], r["fcr"], r["unknown"]) for r in rows] == [("aino", 2, 1, 50.0, 1)]


def test_outcome_settings_from_env() -> None:
    assert OutcomeSettings.from_env({}) == OutcomeSettings(min_n=30, fcr_window_days=7)
    assert OutcomeSettings.from_env({"COACHING_NPS_MIN_N": "50", "COACHING_FCR_WINDOW_DAYS": "3"}) == OutcomeSettings(
        min_n=50, fcr_window_days=3
    )
    with pytest.raises(SettingsError, match="COACHING_NPS_MIN_N='many'"):
        OutcomeSettings.from_env({"COACHING_NPS_MIN_N": "many"})
    with pytest.raises(SettingsError, match="COACHING_FCR_WINDOW_DAYS='0' must be at least 1"):
        OutcomeSettings.from_env({"COACHING_FCR_WINDOW_DAYS": "0"})
