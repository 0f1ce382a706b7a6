"""Dashboards at scale: the pages' queries do not grow with the number of calls, a page of the call list is a
slice of the whole list, the SQL aggregates (item rows of migration 0008) agree with reading every item, the
figure columns (0010) with the metrics JSON, and all teams' outcomes read at once with each team's own."""

from __future__ import annotations

import random
import tempfile
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import JSON, DateTime, column, event, insert, select, table

from coaching.access import User
from coaching.demo.scale import build, checklist_json, metrics_json
from coaching.outcomes.nps import Period, json_records
from coaching.scopes import CallScope, OutcomeScope
from coaching.services.feedback import override_item, respond_to_item
from coaching.settings import OutcomeSettings
from coaching.store.aggregates import CategoryCount, category_counts_by_end
from coaching.store.app_tables import ItemReviewRow
from coaching.store.db import Database
from coaching.store.figures import FIGURES, call_figures
from coaching.store.migrate import MIGRATIONS_DIR
from coaching.store.outcomes import load_surveys, outcome_frames, teams_outcome_frames
from coaching.store.results import load_results, rows_where
from coaching.store.survey_tables import SurveyRow
from coaching.store.tables import AgentRow, AnalysisRow, CallRow, ItemResultRow, TeamRow, item_result_values
from coaching.views.calls import FLAGS, CallFilters, call_table
from coaching.views.progress import agent_progress
from coaching.views.team import (
    WINDOW_CALLS,
    calibration,
    competence_map,
    level_from_share,
    month_ends,
    team_outcomes,
)
from tests.pg import postgres_or_skip

COACH = User("coach", "coach", team_ids=("team-01",))
AGENT = User("agent", "agent", agent_id="agent-001")
MANAGER = User("manager", "manager")


def _db(tmp_path: Path, name: str, calls: int) -> Database:
    db = Database.open(f"sqlite:///{tmp_path / name}")
    build(db, calls=calls, agents=10, teams=2, seed=3)
    return db


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    db = _db(tmp_path_factory.mktemp("scale"), "small.db", 60)
    yield db
    db.dispose()


@pytest.fixture(scope="module")
def large(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    db = _db(tmp_path_factory.mktemp("scale"), "large.db", 600)
    yield db
    db.dispose()


def _reviewed_db(tmp_path: Path, name: str, calls: int) -> Database:
    """Scale data where every call has a coach override, so every page reads scores after overrides."""
    db = _db(tmp_path, name, calls)
    with db.transaction() as session:
        now = datetime.now(UTC)
        session.execute(
            insert(ItemReviewRow),
            [
                {"call_id": c, "item_id": "summary", "kind": "override", "passed": True, "auto_passed": None}
                | {"reason": "", "author_id": "coach", "author_role": "coach", "created_at": now}
                for c in session.scalars(select(CallRow.id))
            ],
        )
    return db


def _pages(db: Database) -> dict[str, Callable[[], object]]:
    return {
        "call list": lambda: call_table(COACH, db, limit=20),
        "call list, a score bound": lambda: call_table(COACH, db, CallFilters(min_score=0), limit=20, offset=20),
        "call list, agent": lambda: call_table(AGENT, db, limit=20, offset=20),
        "progress": lambda: agent_progress(AGENT, db, "agent-001"),
        "competence map": lambda: competence_map(MANAGER, db),
        "calibration": lambda: calibration(COACH, db),
        "team outcomes": lambda: team_outcomes(MANAGER, db),
    }


def _statements(db: Database, read: Callable[[], object]) -> int:
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        read()
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    return len(seen)


def test_no_page_asks_more_queries_for_ten_times_the_calls(tmp_path: Path) -> None:
    small, large = _reviewed_db(tmp_path, "few.db", 400), _reviewed_db(tmp_path, "many.db", 4000)
    few = {name: _statements(small, read) for name, read in _pages(small).items()}
    many = {name: _statements(large, read) for name, read in _pages(large).items()}
    small.dispose()
    large.dispose()
    assert many == few
    assert max(many.values()) <= 20  # a handful each, not one per call


@pytest.mark.parametrize("user", [COACH, AGENT, MANAGER], ids=lambda u: u.id)
def test_pages_of_the_call_list_are_slices_of_the_whole_list(large: Database, user: User) -> None:
    month_ago = (datetime.now(UTC) - timedelta(days=30)).date()
    cases = [
        CallFilters(),
        CallFilters(since=month_ago),
        CallFilters(min_score=40, max_score=80),
        CallFilters(flags=("low score",)),
        CallFilters(flags=("long silence", "commented")),
        CallFilters(flags=("coach reviewed",), call_types=("real",)),
        CallFilters(agent_ids=("agent-001", "agent-003")),
    ]
    for f in cases:
        whole = call_table(user, large, f)
        pages = [call_table(user, large, f, limit=25, offset=start) for start in range(0, len(whole) + 25, 25)]
        assert all(len(p) == 25 for p in pages[: len(whole) // 25]), f
        assert pages[-1].empty, f
        pd.testing.assert_frame_equal(pd.concat(pages, ignore_index=True), whole, check_dtype=False, obj=str(f))
    assert len(call_table(user, large)) > 0


def test_the_call_list_pages_only_what_the_user_may_open(large: Database) -> None:
    with large.transaction() as session:
        team_of = {a: t for a, t in session.execute(select(AgentRow.id, AgentRow.team_id))}
    seen = call_table(COACH, large, limit=1000)
    assert len(seen) and {team_of[a] for a in seen["agent_id"]} == {"team-01"}
    assert set(call_table(AGENT, large, limit=1000)["agent_id"]) == {"agent-001"}
    private = call_table(MANAGER, large, limit=1000)
    assert not private["type"].str.endswith("(private)").any()  # others' private practice never listed
    assert set(FLAGS) >= {f for text in private["flags"] for f in text.split(", ") if f}


def _reference_calibration(db: Database, scope: CallScope) -> pd.DataFrame:
    """The calibration table from every item row read into Python (the frame the views used to group)."""
    with db.transaction() as session:
        items = load_results(session, scope=scope, metrics=False).items
    rows = []
    for (item_id, label), group in items.groupby(["item_id", "label"], sort=False):
        auto = rows_where(group, "auto_passed")
        coach, agent = rows_where(auto, "coach_passed"), rows_where(auto, "agent_passed")
        both = rows_where(coach, "agent_passed")

        def share(flags: pd.Series) -> float | None:
            return round(float(flags.astype(bool).mean()), 3) if len(flags) else None

        rows.append(
            {
                "item": item_id,
                "label": label,
                "calls": len(auto),
                "auto_pass_rate": share(auto["auto_passed"] == True) if len(auto) else None,  # noqa: E712
                "coach_reviews": len(coach),
                "coach_agrees": share(coach["coach_passed"] == coach["auto_passed"]),
                "agent_responses": len(agent),
                "agent_agrees": share(agent["agent_passed"] == agent["auto_passed"]),
                "coach_and_agent": len(both),
                "coach_agent_agree": share(both["coach_passed"] == both["agent_passed"]),
            }
        )
    return pd.DataFrame(rows)


def test_calibration_in_sql_is_what_grouping_every_item_gave(large: Database) -> None:
    with large.transaction() as session:
        call_id = session.scalars(
            select(CallRow.id).join(AgentRow).where(AgentRow.team_id == "team-01", CallRow.is_private.is_(False))
        ).first()
    assert call_id is not None
    override_item(COACH, large, call_id, "greeting", passed=True, reason="heard it")
    override_item(COACH, large, call_id, "greeting", passed=None, reason="cleared")  # the newest counts
    override_item(COACH, large, call_id, "empathy", passed=False, reason="not heard")
    got = calibration(COACH, large).sort_values("item").reset_index(drop=True)
    want = _reference_calibration(large, CallScope(team_ids=("team-01",))).sort_values("item").reset_index(drop=True)
    pd.testing.assert_frame_equal(got, want, check_dtype=False)
    assert got["coach_reviews"].sum() > 0 and got["agent_responses"].sum() > 0  # the data have both sides


def test_competence_levels_come_from_each_agents_last_calls_without_uncertain_items(large: Database) -> None:
    now = pd.Timestamp.now(tz="UTC")
    levels = competence_map(COACH, large, now=now).levels
    with large.transaction() as session:
        items = load_results(session, scope=CallScope(team_ids=("team-01",)), call_types=["real"], metrics=False)
    known = rows_where(items.items, "passed")
    assert len(known) < len(items.items)  # the data hold uncertain items (passed None): they are not counted
    end = now.normalize() + pd.offsets.MonthEnd(0) + pd.Timedelta(hours=23, minutes=59, seconds=59)
    checked = 0
    for agent_id, mine in known[known["created_at"] <= end].groupby("agent_id"):
        calls = items.calls[items.calls["agent_id"] == agent_id].sort_values(["created_at", "call_id"])
        recent = set(calls["call_id"].tail(WINDOW_CALLS))
        window = mine[mine["call_id"].isin(recent)]
        for category, group in window.groupby("category"):
            row = levels[(levels["agent_id"] == agent_id) & (levels["competence"] == category)]
            assert row["auto_level"].iloc[0] == level_from_share(group["passed"].astype(bool).mean())
            checked += 1
    assert checked >= 6


_ANALYSES_0007 = table(
    "analyses",
    *(column(name) for name in ("id", "call_id", "schema_version", "score")),
    column("created_at", DateTime(timezone=True)),
    column("metrics", JSON),
    column("checklist", JSON),
)


def test_item_rows_and_figures_follow_analyses_and_migrations_fill_them(tmp_path: Path, large: Database) -> None:
    with large.transaction() as session:
        rows = session.execute(select(AnalysisRow.id, AnalysisRow.call_id, AnalysisRow.checklist).limit(30)).all()
        for analysis in session.scalars(select(AnalysisRow).limit(30)):  # written by bulk inserts: figures filled
            assert {f: getattr(analysis, f) for f in FIGURES} == call_figures(analysis.metrics)
        for analysis_id, call_id, checklist in rows:
            stored = session.scalars(
                select(ItemResultRow).where(ItemResultRow.analysis_id == analysis_id).order_by(ItemResultRow.position)
            ).all()
            assert [(r.item_id, r.passed) for r in stored] == [
                (v["item_id"], v["passed"]) for v in item_result_values(analysis_id, call_id, checklist)
            ]
    database = Database.open(f"sqlite:///{tmp_path / 'm.db'}", migrate=False)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with database.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0007")
    rng = random.Random(1)
    checklists = [checklist_json(rng, 0.6) for _ in range(3)]
    with database.engine.begin() as connection:
        connection.execute(insert(TeamRow), [{"id": "t", "name": "t"}])
        connection.execute(insert(AgentRow), [{"id": "a", "name": "a", "team_id": "t"}])
        now = datetime.now(UTC)
        connection.execute(
            insert(CallRow),
            [
                {"id": f"c{n}", "agent_id": "a", "audio_sha256": f"{n:064d}", "audio_path": "x", "duration_s": 60.0}
                | {"language": "fi", "channel_mode": "stereo", "model_name": "m", "created_at": now}
                | {"call_type": "real", "is_private": False, "legal_hold": False}
                for n in range(3)
            ],
        )
        metrics = [metrics_json(rng, 60.0) for _ in checklists]
        connection.execute(  # the analyses table as 0007 has it (without the figure columns of 0010)
            insert(_ANALYSES_0007),
            [
                {"id": n + 1, "call_id": f"c{n}", "created_at": now, "schema_version": "1", "score": c["score"]}
                | {"metrics": metrics[n], "checklist": c}
                for n, c in enumerate(checklists)
            ],
        )
    database.dispose()
    database = Database.open(f"sqlite:///{tmp_path / 'm.db'}")  # up to the newest: 0008 fills item_results
    with database.transaction() as session:
        backfilled = session.execute(
            select(ItemResultRow.analysis_id, ItemResultRow.item_id, ItemResultRow.passed).order_by(
                ItemResultRow.analysis_id, ItemResultRow.position
            )
        ).all()
        figures = session.execute(select(*(getattr(AnalysisRow, f) for f in FIGURES)).order_by(AnalysisRow.id)).all()
    database.dispose()
    assert [dict(zip(FIGURES, row, strict=True)) for row in figures] == [call_figures(m) for m in metrics]  # 0010
    expected = [
        (v["analysis_id"], v["item_id"], v["passed"])
        for n, c in enumerate(checklists)
        for v in item_result_values(n + 1, f"c{n}", c)
    ]
    assert [tuple(r) for r in backfilled] == expected and any(p is None for *_, p in expected)


def test_an_agent_response_and_a_new_analysis_show_in_the_aggregates(large: Database) -> None:
    with large.transaction() as session:
        call_id = session.scalars(
            select(CallRow.id).where(CallRow.agent_id == "agent-001", CallRow.is_private.is_(False))
        ).first()
    assert call_id is not None
    respond_to_item(AGENT, large, call_id, "close", agrees=False, reason="I said it")
    got = calibration(COACH, large).set_index("item")
    want = _reference_calibration(large, CallScope(team_ids=("team-01",))).set_index("item")
    assert got.loc["close", "agent_responses"] == want.loc["close", "agent_responses"] >= 1


@pytest.mark.postgres
def test_postgresql_gives_the_same_figures_as_sqlite() -> None:
    """The PostgreSQL forms (LATERAL per agent and month end) agree with SQLite on the same generated data."""
    with postgres_or_skip() as url:
        pg = Database.open(url)
        lite = _db(Path(tempfile.mkdtemp()), "same.db", 600)
        build(pg, calls=600, agents=10, teams=2, seed=3)
        try:
            for read in (
                lambda db: calibration(COACH, db),
                lambda db: competence_map(COACH, db).levels,
                lambda db: competence_map(MANAGER, db).growth,
                lambda db: calibration(MANAGER, db),
                lambda db: competence_map(MANAGER, db).levels.sort_values(
                    ["agent_id", "competence"], ignore_index=True
                ),
                lambda db: team_outcomes(MANAGER, db).nps_agents,
                lambda db: team_outcomes(MANAGER, db).nps_teams,
                lambda db: team_outcomes(MANAGER, db).fcr_agents,
                lambda db: team_outcomes(MANAGER, db).fcr_teams,
                lambda db: agent_progress(AGENT, db, "agent-001").calls.drop(columns="created_at"),
                lambda db: call_table(COACH, db, limit=30).drop(columns="date"),
            ):
                pd.testing.assert_frame_equal(read(pg), read(lite), check_dtype=False)
        finally:
            pg.dispose()
            lite.dispose()


def test_month_end_counts_in_one_query_are_each_agents_last_calls_at_each_end(large: Database) -> None:
    _check_month_end_counts(large)


def test_month_end_counts_take_the_newest_override_of_each_item(large: Database) -> None:
    """Category sums of the automatic results, corrected where a coach overrode an item: an item without a result
    that gets one, a result turned round, and an override cleared again (the automatic result counts)."""
    with large.transaction() as session:
        newest = session.execute(
            select(ItemResultRow.call_id, ItemResultRow.item_id, ItemResultRow.passed)
            .join(AnalysisRow, AnalysisRow.id == ItemResultRow.analysis_id)
            .join(CallRow, CallRow.id == AnalysisRow.call_id)
            .join(AgentRow, AgentRow.id == CallRow.agent_id)
            .where(AgentRow.team_id == "team-01", CallRow.call_type == "real", CallRow.is_private.is_(False))
            .where(ItemResultRow.category.is_not(None))
            .order_by(CallRow.created_at.desc())
            .limit(400)
        ).all()
    before = _check_month_end_counts(large)
    unknown = next((c, i) for c, i, passed in newest if passed is None)
    known = [(c, i, passed) for c, i, passed in newest if passed is not None and (c, i) != unknown]
    override_item(COACH, large, *unknown, passed=True, reason="heard it")
    override_item(COACH, large, known[0][0], known[0][1], passed=not known[0][2], reason="the other way")
    override_item(COACH, large, known[1][0], known[1][1], passed=not known[1][2], reason="at first")
    override_item(COACH, large, known[1][0], known[1][1], passed=None, reason="cleared")
    assert _check_month_end_counts(large) != before  # the overridden items are among the counted ones


def _check_month_end_counts(large: Database) -> dict[datetime, list[CategoryCount]]:
    """Counts in one query at four month ends, each the last calls of each agent grouped from the item rows after
    overrides; returns the counts."""
    ends = month_ends(last=pd.Timestamp.now(tz="UTC"), months=4)
    with large.transaction() as session:
        got = category_counts_by_end(session, ["team-01"], ends=[e.to_pydatetime() for e in ends], calls=WINDOW_CALLS)
        items = load_results(session, scope=CallScope(team_ids=("team-01",)), call_types=["real"], metrics=False)
    known = rows_where(items.items, "passed")
    for end in ends:
        want = {}
        for agent_id, calls in items.calls[items.calls["created_at"] <= end].groupby("agent_id"):
            recent = set(calls.sort_values(["created_at", "call_id"])["call_id"].tail(WINDOW_CALLS))
            window = known[known["call_id"].isin(recent)]
            for category, group in window.groupby("category"):
                want[agent_id, category] = (len(group), int(group["passed"].astype(bool).sum()))
        assert {(c.agent_id, c.category): (c.n, c.passed) for c in got[end.to_pydatetime()]} == want
        assert want or end == ends[0]
    return got


def _surveys_team_by_team(db: Database, teams: list[str], by: Period) -> dict[str, list[Any]]:
    """NPS and FCR records of each team's answers read on their own, team after team."""
    found: dict[str, list[Any]] = {}
    with db.transaction() as session:
        for team in teams:
            scope = OutcomeScope(None, (team,))
            frames = outcome_frames(session, scope, by=by, levels=("agent", "team"), settings=OutcomeSettings())
            for level, (nps, fcr) in frames.items():
                found.setdefault(f"nps {level}", []).extend(json_records(nps))
                found.setdefault(f"fcr {level}", []).extend(json_records(fcr))
    return found


@pytest.mark.parametrize("by", ["month", "week"])
def test_all_teams_outcomes_read_at_once_are_each_teams_own_figures(tmp_path: Path, by: Period) -> None:
    db, teams = _db(tmp_path, "outcomes.db", 600), ["team-00", "team-01"]

    def at_once() -> dict[str, list[Any]]:
        with db.transaction() as session:
            found = teams_outcome_frames(session, teams, by=by, levels=("agent", "team"), settings=OutcomeSettings())
        return {f"{k} {level}": json_records(found[level][i]) for level in found for i, k in enumerate(("nps", "fcr"))}

    want = _surveys_team_by_team(db, teams, by)
    assert at_once() == want and all(want.values())
    shown = team_outcomes(MANAGER, db, by=by)
    assert json_records(shown.nps_agents) == want["nps agent"] and json_records(shown.fcr_teams) == want["fcr team"]
    with db.transaction() as session:  # an agent's answers imported under both teams: agents tabulated per team
        of_agent = select(SurveyRow).where(SurveyRow.agent_id == "agent-001").order_by(SurveyRow.answered_at)
        for answer in session.scalars(of_agent).all()[::2]:
            answer.team_id = "team-00"
    want = _surveys_team_by_team(db, teams, by)
    assert at_once() == want
    assert sum(r["agent"] == "agent-001" for r in want["nps agent"]) > len(
        set(r["period"] for r in want["nps agent"] if r["agent"] == "agent-001")
    )
    db.dispose()


def test_many_teams_answers_read_in_one_pass_are_each_teams_own_figures(tmp_path: Path) -> None:
    """More than two teams: SQLite reads the answers in one pass over the table and sorts them in Python."""
    db = Database.open(f"sqlite:///{tmp_path / 'teams.db'}")
    build(db, calls=800, agents=12, teams=4, seed=6)
    teams = [f"team-{t:02d}" for t in range(4)]
    with db.transaction() as session:  # answers at the same moment, stored out of contact id order
        at, now = datetime(2026, 10, 5, 12, 0, tzinfo=UTC), datetime.now(UTC)
        session.execute(
            insert(SurveyRow),
            [
                {"contact_id": f"TIE{n}", "agent_id": "agent-001", "team_id": "team-01", "answered_at": at}
                | {"score": n + 4, "customer_id": "P-TIE", "source_name": "t", "imported_at": now}
                for n in (3, 1, 2)
            ],
        )
    with db.transaction() as session:
        every = load_surveys(session=session, scope=OutcomeScope())  # no team asked for: by index, in SQL order
        chosen = load_surveys(session=session, scope=OutcomeScope(None, tuple(teams[1:])))
        at_once = teams_outcome_frames(session, teams, by="month", levels=("agent", "team"), settings=OutcomeSettings())
    want = every[every["team"].isin(teams[1:])].reset_index(drop=True)
    pd.testing.assert_frame_equal(chosen, want)
    assert len(want) < len(every) and want["answered_at"].duplicated().sum() >= 2  # ties: by contact id
    assert want.loc[want["customer_id"] == "P-TIE", "contact_id"].tolist() == ["TIE1", "TIE2", "TIE3"]
    found = {f"{k} {level}": json_records(at_once[level][i]) for level in at_once for i, k in enumerate(("nps", "fcr"))}
    assert found == _surveys_team_by_team(db, teams, "month")
    db.dispose()


def test_all_teams_competence_levels_are_each_teams_own_levels(large: Database) -> None:
    now = pd.Timestamp.now(tz="UTC")
    every = competence_map(MANAGER, large, now=now).levels.sort_values(["agent_id", "competence"], ignore_index=True)
    team_by_team = pd.concat(
        [competence_map(MANAGER, large, team_id=team, now=now).levels for team in ("team-00", "team-01")],
        ignore_index=True,
    ).sort_values(["agent_id", "competence"], ignore_index=True)
    pd.testing.assert_frame_equal(every, team_by_team)
    assert every["auto_level"].notna().sum() > 10 and every["coach_level"].notna().any()


def test_analyses_written_through_the_orm_get_their_figures(small: Database) -> None:
    metrics = metrics_json(random.Random(5), 120.0)
    with small.transaction() as session:
        call_id = session.scalars(select(CallRow.id)).first()
        assert call_id is not None
        now = datetime.now(UTC)
        session.add(AnalysisRow(call_id=call_id, created_at=now, schema_version="1", metrics=metrics, checklist={}))
    with small.transaction() as session:
        row = session.scalars(select(AnalysisRow).order_by(AnalysisRow.id.desc()).limit(1)).one()
        assert {f: getattr(row, f) for f in FIGURES} == call_figures(metrics)
        assert row.flagged_silences == sum(1 for s in metrics["silences"] if s.get("flagged"))
