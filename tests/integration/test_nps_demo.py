"""Demo survey answers: six months, plausible volumes, quality-driven NPS and FCR, valid for import."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd
import pytest

from coaching.access import SYSTEM_USER
from coaching.demo.surveys import generate_demo_surveys, seed_demo_surveys
from coaching.outcomes.nps import first_contact_resolved, nps_figure, period_labels
from coaching.services.outcomes import OutcomeSettings, behaviour_outcomes, import_dataframe, nps_table
from coaching.store.db import Database
from coaching.store.tables import AgentRow, AnalysisRow, CallRow, TeamRow

AGENTS = [("good", "t1", 0.9), ("weak", "t1", 0.2), ("mid", "t2", 0.6)]
END = date(2026, 11, 30)


@pytest.fixture(scope="module")
def demo() -> pd.DataFrame:
    return generate_demo_surveys(agents=AGENTS, months=6, end=END, seed=11)


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = Database.open(f"sqlite:///{tmp_path / 'coaching.db'}")
    yield database
    database.dispose()


def test_same_seed_same_answers_other_seed_other_answers(demo: pd.DataFrame) -> None:
    assert generate_demo_surveys(agents=AGENTS, months=6, end=END, seed=11).equals(demo)
    assert not generate_demo_surveys(agents=AGENTS, months=6, end=END, seed=12)["score"].equals(demo["score"])


def test_six_months_up_to_the_end_with_plausible_volumes(demo: pd.DataFrame) -> None:
    stamps = pd.to_datetime(demo["answered_at"], utc=True)
    months = period_labels(stamps, by="month")
    assert sorted(set(months)) == ["2026-06", "2026-07", "2026-08", "2026-09", "2026-10", "2026-11"]
    assert stamps.max() < pd.Timestamp("2026-12-01", tz="UTC")
    per_agent_month = demo.assign(month=months).groupby(["agent", "month"]).size()
    assert len(per_agent_month) == 18
    assert per_agent_month.min() >= 30
    assert per_agent_month.max() <= 110
    assert 30 <= per_agent_month.median() <= 80
    assert set(demo["channel"]) == {"phone", "chat", "email", "self-service"}
    assert demo["contact_id"].is_unique


def test_better_calls_go_with_higher_nps_and_fcr(demo: pd.DataFrame) -> None:
    nps = {a: nps_figure(scores=demo.loc[demo["agent"] == a, "score"], min_n=30).nps for a, _, _ in AGENTS}
    assert nps["good"] is not None and nps["mid"] is not None and nps["weak"] is not None
    assert nps["good"] > nps["mid"] + 10 > nps["weak"] + 20
    flags = first_contact_resolved(contacts=demo, window_days=7)
    fcr = {a: flags[demo["agent"] == a].dropna().mean() for a, _, _ in AGENTS}
    assert 0.6 < fcr["weak"] < fcr["good"] < 1.0  # repeats exist, more of them for the weaker agent


def test_demo_answers_pass_the_real_import(demo: pd.DataFrame, db: Database) -> None:
    report = import_dataframe(SYSTEM_USER, db, demo, "demo")
    assert (report.new, report.agents_created, report.teams_created) == (len(demo), 3, 2)
    rows = nps_table(SYSTEM_USER, db, by="month", agent_id="good", settings=OutcomeSettings())
    assert [r["period"] for r in rows] == ["2026-06", "2026-07", "2026-08", "2026-09", "2026-10", "2026-11"]


def test_seeding_links_answers_to_the_analysed_sample_calls(db: Database) -> None:
    with db.transaction() as session:
        session.add(TeamRow(id="t1", name="Team 1"))
        session.flush()
        session.add(AgentRow(id="aino", name="Aino", team_id="t1"))
        session.flush()
        for n, passed in enumerate([True, False, True]):
            session.add(
                CallRow(
                    id=f"c{n}",
                    agent_id="aino",
                    contact_id=f"S-{n}",
                    audio_sha256=str(n) * 64,
                    audio_path="x.flac",
                    duration_s=60.0,
                    language="fi",
                    channel_mode="left",
                    model_name="base",
                    call_type="real",
                    is_private=False,
                    created_at=datetime(2026, 11, 1, tzinfo=UTC),
                )
            )
            session.flush()
            session.add(
                AnalysisRow(
                    call_id=f"c{n}",
                    created_at=datetime(2026, 11, 1, tzinfo=UTC),
                    schema_version="1.0",
                    checklist_version="1",
                    score=None,
                    metrics={},
                    checklist={"items": [{"id": "acknowledge", "passed": passed}]},
                )
            )
    report = seed_demo_surveys(SYSTEM_USER, db, end=END, seed=3)
    assert report.linked_to_calls == 3
    assert report.new > 6 * 30
    behaviour = behaviour_outcomes(SYSTEM_USER, db, settings=OutcomeSettings())
    assert behaviour.n_linked_contacts == 3
    assert [(r["item"], r["n_passed"], r["n_failed"]) for r in behaviour.rows] == [("acknowledge", 2, 1)]
