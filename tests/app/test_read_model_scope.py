"""The read models ask the database only for what the acting user may see, and give what the old
load-everything-then-filter code gave: each result is compared with a reference that reads every row and filters
in Python with the predicates of :mod:`coaching.access`, on the app's small database plus calls of more agents
and teams (private practice of two agents, a third team, an agent without a team, a call without an analysis).
"""

from __future__ import annotations

import copy
import dataclasses
import hashlib
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pandas as pd
import pytest
from sqlalchemy import event, func, select

from coaching.access import User, call_scope, can_read_agent, can_read_call, outcome_scope
from coaching.checklist import ChecklistResult
from coaching.checklist.reviews import apply_reviews
from coaching.errors import LanguageDataError, SettingsError
from coaching.metrics import norms
from coaching.metrics.norms import flag_rules
from coaching.outcomes.nps import (
    check_level,
    fcr_by_period,
    first_contact_resolved,
    json_records,
    nps_by_period,
    period_labels,
)
from coaching.scopes import CallScope
from coaching.services.calls import list_calls
from coaching.services.feedback import add_comment, override_item, respond_to_item
from coaching.services.outcomes import OutcomeSettings, fcr_table, nps_table
from coaching.store.app_tables import CommentRow, ItemReviewRow
from coaching.store.calls import current_analysis_row, ensure_agent, list_call_summaries
from coaching.store.db import Database
from coaching.store.feedback import reviews_of
from coaching.store.outcomes import EVERY_ANSWER, load_surveys, team_lookup
from coaching.store.results import load_results
from coaching.store.tables import AgentRow, AnalysisRow, CallRow, TeamRow
from coaching.views.calls import COLUMNS, FLAGS, CallFilters, call_table
from coaching.views.progress import agent_progress, visible_agents

pytest_plugins = ("tests.app_helpers",)
People = Callable[[str], User]
SETTINGS = OutcomeSettings(min_n=3)

# new call id, source call, agent, team of a new agent, call type, private, days ago, metric changes
EXTRA_CALLS: tuple[tuple[str, str, str, str | None, str, bool, int, dict[str, float]], ...] = (
    ("x-emma-practice", "t-emma-2", "emma", None, "practice", True, 3, {}),
    ("x-johan-shared", "t-johan-1", "johan", None, "practice", False, 4, {}),
    ("x-sara-1", "t-aino-1", "sara", None, "real", False, 12, {"diarization": 0.3}),
    ("x-eero-1", "t-aino-2", "eero", None, "real", False, 8, {"interruptions": 3}),
    ("x-wilma-1", "t-emma-1", "wilma", "team-west", "real", False, 6, {}),
    ("x-nomad-1", "t-emma-2", "nomad", None, "real", False, 1, {}),
)


def clone_call(db: Database, new_id: str, source_id: str, *, agent_id: str, team_id: str | None, **how: Any) -> None:
    """Store a copy of a stored call (and its current analysis) under another id and agent."""
    with db.transaction() as session:
        if team_id is not None and session.get(TeamRow, team_id) is None:
            session.add(TeamRow(id=team_id, name=team_id))
            session.flush()
        ensure_agent(session, agent_id, team_id=team_id)
        source = session.get(CallRow, source_id)
        analysis = current_analysis_row(session, source_id)
        assert source is not None and analysis is not None
        created = datetime.now(UTC) - timedelta(days=how["days_ago"], hours=1)
        fields = {c.name: getattr(source, c.name) for c in CallRow.__table__.columns}
        fields |= {"id": new_id, "agent_id": agent_id, "created_at": created, "contact_id": f"C-{new_id}"}
        fields |= {"audio_sha256": hashlib.sha256(new_id.encode()).hexdigest(), "call_type": how["call_type"]}
        fields |= {"is_private": how["private"], "diarization_confidence": how.get("diarization")}
        session.add(CallRow(**fields))
        session.flush()
        metrics = copy.deepcopy(analysis.metrics)
        if "interruptions" in how:
            metrics["interruptions"]["count"] = how["interruptions"]
        session.add(
            AnalysisRow(
                call_id=new_id,
                created_at=created,
                schema_version=analysis.schema_version,
                checklist_version=analysis.checklist_version,
                score=analysis.score,
                metrics=metrics,
                checklist=copy.deepcopy(analysis.checklist),
            )
        )


@pytest.fixture
def wide_db(app_db: Database, people: People) -> Database:
    """The app database with the extra calls, a call without analysis, and some reviews and comments."""
    for new_id, source, agent, team, call_type, private, days, changes in EXTRA_CALLS:
        how = {"call_type": call_type, "private": private, "days_ago": days, **changes}
        clone_call(app_db, new_id, source, agent_id=agent, team_id=team, **how)
    with app_db.transaction() as session:
        row = session.get(CallRow, "t-johan-1")
        assert row is not None
        fields = {c.name: getattr(row, c.name) for c in CallRow.__table__.columns}
        fields |= {"id": "x-oliver-unanalysed", "agent_id": "oliver", "audio_sha256": "f" * 64, "contact_id": None}
        fields["created_at"] = datetime.now(UTC) - timedelta(days=2)
        session.add(CallRow(**fields))
    coach_north, coach_south = people("coach-north"), people("coach-south")
    override_item(coach_north, app_db, "t-aino-2", "greeting", passed=False, reason="no company name")
    override_item(coach_north, app_db, "x-sara-1", "greeting", passed=True, reason="said it her way")
    respond_to_item(people("aino"), app_db, "t-aino-2", "greeting", agrees=False, reason="I said it")
    with app_db.transaction() as session:
        analysis = current_analysis_row(session, "x-eero-1")
        assert analysis is not None
        items = [str(i["id"]) for i in analysis.checklist["items"] if i.get("passed")]
    for item_id in items[: len(items) // 2 + 1]:  # a passing call that the coach fails: low score after review
        override_item(coach_north, app_db, "x-eero-1", item_id, passed=False, reason="not heard")
    add_comment(coach_south, app_db, "t-emma-1", text="Slow down on the amounts.", at_s=3.0)
    return app_db


def scope_users(people: People) -> list[User]:
    return [
        people("aino"),
        people("emma"),
        people("coach-north"),
        people("coach-south"),
        people("manager"),
        User("coach-two", "coach", team_ids=("team-north", "team-west")),
        User("coach-none", "coach"),
        User("agent-unlinked", "agent"),
        User("system", "system"),
    ]


# --- the reference: every row read, then filtered in Python with the access predicates ----------------------------


def reference_call_table(user: User, db: Database, f: CallFilters) -> pd.DataFrame:
    rules, rows = flag_rules(), []
    with db.transaction() as session:
        for s in list_call_summaries(session):
            if not can_read_call(user, agent_id=s.agent_id, team_id=s.team_id, is_private=s.is_private):
                continue
            analysis = current_analysis_row(session, s.id)
            metrics = analysis.metrics if analysis else {}
            reviews = reviews_of(session, s.id)
            score = apply_reviews(ChecklistResult.from_dict(analysis.checklist), reviews).score if analysis else None
            kinds = set(session.scalars(select(ItemReviewRow.kind).where(ItemReviewRow.call_id == s.id)))
            comments = session.scalar(select(func.count()).where(CommentRow.call_id == s.id))
            call = session.get(CallRow, s.id)
            agent = session.get(AgentRow, s.agent_id)
            assert call is not None and agent is not None
            norms_out = [n for n in (metrics.get("norms") or {}).values() if n.get("status") in ("below", "above")]
            confidence = call.diarization_confidence
            flags = [
                name
                for name, hit in (
                    ("low score", score is not None and score < rules.low_score),
                    ("long silence", any(g.get("flagged") for g in metrics.get("silences", []))),
                    (
                        "interruptions",
                        ((metrics.get("interruptions") or {}).get("count") or 0) >= rules.min_interruptions,
                    ),
                    ("outside norms", bool(norms_out)),
                    ("uncertain speakers", confidence is not None and confidence < rules.min_speaker_confidence),
                    ("commented", bool(comments)),
                    ("coach reviewed", "override" in kinds),
                    ("disputed", "dispute" in kinds),
                )
                if hit
            ]
            stamp = pd.Timestamp(s.created_at)
            rows.append(
                {
                    "call": s.id,
                    "date": stamp if stamp.tzinfo is None else stamp.tz_convert("UTC").tz_localize(None),
                    "agent": agent.name,
                    "agent_id": s.agent_id,
                    "team": s.team_id,
                    "type": s.call_type + (" (private)" if s.is_private else ""),
                    "language": s.language,
                    "duration_s": round(s.duration_s, 1),
                    "score": None if score is None else round(float(score)),
                    "flags": ", ".join(flags),
                    "contact_id": s.contact_id,
                    "file": s.source_filename,
                }
            )
    table = pd.DataFrame(rows, columns=list(COLUMNS))
    table["date"] = pd.to_datetime(table["date"])
    table = table.sort_values(["date", "call"], ascending=[False, True], kind="stable")
    keep = pd.Series(True, index=table.index)
    if f.since is not None:
        keep &= table["date"].dt.date >= f.since
    if f.until is not None:
        keep &= table["date"].dt.date <= f.until
    if f.call_types:
        keep &= table["type"].str.split(" ").str[0].isin(f.call_types)
    if f.min_score is not None:
        keep &= table["score"].fillna(-1) >= f.min_score
    if f.max_score is not None:
        keep &= table["score"].fillna(1000) <= f.max_score
    if f.flags:
        keep &= table["flags"].map(lambda text: any(flag in text.split(", ") for flag in f.flags))
    if f.agent_ids:
        keep &= table["agent_id"].isin(f.agent_ids)
    return table[keep].reset_index(drop=True)


def filter_cases() -> list[CallFilters]:
    today = date.today()
    cases = [
        CallFilters(),
        CallFilters(since=today - timedelta(days=9)),
        CallFilters(until=today - timedelta(days=9)),
        CallFilters(since=today - timedelta(days=35), until=today - timedelta(days=5)),
        CallFilters(call_types=("practice",)),
        CallFilters(call_types=("real",), agent_ids=("aino", "sara", "emma")),
        CallFilters(min_score=50),
        CallFilters(max_score=50),
        CallFilters(min_score=-5),
        CallFilters(max_score=2000),
        CallFilters(min_score=10, max_score=99),
        CallFilters(min_score=5),  # a call stored at 0 that a coach review lifted
        CallFilters(max_score=95),  # a call stored at 100 that a coach review lowered
        CallFilters(min_score=100),
        CallFilters(max_score=0),
        CallFilters(flags=("long silence", "disputed")),
        CallFilters(flags=("no such flag",)),
    ]
    return cases + [CallFilters(flags=(flag,)) for flag in FLAGS]


def test_the_call_table_is_what_reading_everything_and_filtering_gave(wide_db: Database, people: People) -> None:
    for user in scope_users(people):
        for f in filter_cases():
            got = call_table(user, wide_db, f)
            want = reference_call_table(user, wide_db, f)
            pd.testing.assert_frame_equal(got, want, check_dtype=False, obj=f"{user.id} {f}")


def test_a_coach_never_gets_another_teams_calls_and_agents_only_their_own(wide_db: Database, people: People) -> None:
    with wide_db.transaction() as session:
        team_of = dict(session.execute(select(CallRow.id, AgentRow.team_id).join(AgentRow)).all())
    north = call_table(people("coach-north"), wide_db)
    assert set(north["team"]) == {"team-north"} and {"x-sara-1", "x-eero-1"} <= set(north["call"])
    assert {team_of[c] for c in call_table(people("coach-south"), wide_db)["call"]} == {"team-south"}
    aino, emma = call_table(people("aino"), wide_db), call_table(people("emma"), wide_db)
    assert set(aino["agent_id"]) == {"aino"} and "t-aino-practice" in set(aino["call"])
    assert "x-emma-practice" in set(emma["call"]) and "t-aino-practice" not in set(emma["call"])
    everyone = set(call_table(people("manager"), wide_db)["call"])
    assert {"x-wilma-1", "x-nomad-1", "x-johan-shared"} <= everyone
    assert not {"t-aino-practice", "x-emma-practice"} & everyone
    assert call_table(User("coach-none", "coach"), wide_db).empty
    assert call_table(User("agent-unlinked", "agent"), wide_db).empty


def test_call_lists_and_results_are_scoped_in_the_query_as_access_says(wide_db: Database, people: People) -> None:
    with wide_db.transaction() as session:
        every_call = list_call_summaries(session)
        every_result = load_results(session, scope=CallScope(private=True)).calls
    assert len(every_call) == len(EXTRA_CALLS) + 7
    for user in scope_users(people):
        allowed = [
            c.id
            for c in every_call
            if can_read_call(user, agent_id=c.agent_id, team_id=c.team_id, is_private=c.is_private)
        ]
        assert [c.id for c in list_calls(user, db=wide_db)] == allowed, user.id
        with wide_db.transaction() as session:
            results = load_results(session, scope=call_scope(user)).calls
        expected = every_result[every_result["call_id"].isin(allowed)].reset_index(drop=True)
        pd.testing.assert_frame_equal(results, expected, check_dtype=not expected.empty, obj=user.id)
        every_agent = visible_agents(User("system", "system"), wide_db)
        readable = [a for a in every_agent if can_read_agent(user, agent_id=a[0], team_id=a[2])]
        assert visible_agents(user, wide_db) == readable, user.id


@pytest.fixture
def statements(wide_db: Database) -> Iterator[list[str]]:
    """The SQL statements run on ``wide_db`` while the test runs."""
    seen: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(statement)

    event.listen(wide_db.engine, "before_cursor_execute", record)
    yield seen
    event.remove(wide_db.engine, "before_cursor_execute", record)


def test_reviews_come_in_one_query_however_many_calls(wide_db: Database, people: People, statements: list[str]) -> None:
    manager = people("manager")

    def counted(read: Callable[[], object]) -> int:
        statements.clear()
        read()
        return len([s for s in statements if s.lstrip().upper().startswith("SELECT")])

    def results() -> object:
        with wide_db.transaction() as session:
            return load_results(session)

    few = (counted(results), counted(lambda: call_table(manager, wide_db)))
    for n in range(12):
        how = {"call_type": "real", "private": False, "days_ago": n}
        clone_call(wide_db, f"y-{n}", "t-aino-2", agent_id="aino", team_id=None, **how)
        override_item(people("coach-north"), wide_db, f"y-{n}", "greeting", passed=False, reason="checked")
    many = (counted(results), counted(lambda: call_table(manager, wide_db)))
    assert many == few and few[0] <= 2 and few[1] <= 3


def test_outcome_tables_read_only_the_scope_and_match_reading_every_answer(wide_db: Database, people: People) -> None:
    with wide_db.transaction() as session:
        every = load_surveys(session=session, scope=EVERY_ANSWER)
    assert {"team-north", "team-south"} <= set(every["team"])
    flags = first_contact_resolved(contacts=every, window_days=SETTINGS.fcr_window_days)
    as_of = every["answered_at"].max()
    cases: list[tuple[User, dict[str, Any], pd.Series]] = [
        (people("coach-north"), {}, every["team"] == "team-north"),
        (people("coach-south"), {"level": "team"}, every["team"] == "team-south"),
        (people("aino"), {}, every["agent"] == "aino"),
        (people("manager"), {"team_id": "team-north", "level": "team"}, every["team"] == "team-north"),
        (people("manager"), {"agent_id": "emma"}, every["agent"] == "emma"),
        (people("manager"), {"level": "organisation"}, pd.Series(True, index=every.index)),
    ]
    for user, how, mask in cases:
        level = how.get("level", "agent")
        for by in ("month", "week"):
            nps = nps_table(user, wide_db, by=by, settings=SETTINGS, **how)
            assert nps == json_records(nps_by_period(surveys=every[mask], by=by, level=level, min_n=SETTINGS.min_n))
            fcr = fcr_table(user, wide_db, by=by, settings=SETTINGS, **how)
            visible = every.assign(resolved=flags)[mask]
            want = fcr_by_period(
                contacts=visible,
                by=by,
                level=level,
                window_days=SETTINGS.fcr_window_days,
                min_n=SETTINGS.min_n,
                as_of=as_of,
            )
            assert fcr == json_records(want), (user.id, how, by)
    coach = people("coach-north")
    with wide_db.transaction() as session:
        scope = outcome_scope(
            coach, level=check_level("agent"), agent_id=None, team_id=None, team_of=team_lookup(session)
        )
        own = load_surveys(session=session, scope=scope)
        with_repeats = load_surveys(session=session, scope=scope, repeats=True)
    assert set(own["team"]) == {"team-north"} and len(own) == int((every["team"] == "team-north").sum())
    assert set(with_repeats.loc[with_repeats["in_scope"], "team"]) == {"team-north"}
    others = with_repeats[~with_repeats["in_scope"]]
    assert set(others["customer_id"]) <= set(own["customer_id"].dropna())


def test_progress_reads_the_agents_calls_and_labels_periods_like_the_outcomes(
    wide_db: Database, people: People
) -> None:
    progress = agent_progress(people("coach-north"), wide_db, "aino", by="week", outcome_settings=SETTINGS)
    assert set(progress.calls["call_id"]) == {"t-aino-1", "t-aino-2"}
    assert set(progress.item_rates["period"]) == set(period_labels(progress.calls["created_at"], by="week"))
    with wide_db.transaction() as session:
        answers = load_surveys(
            session=session,
            scope=outcome_scope(
                people("aino"), level=check_level("agent"), agent_id=None, team_id=None, team_of=team_lookup(session)
            ),
        )
    assert len(answers) and set(progress.nps["period"]) == set(period_labels(answers["answered_at"], by="week"))
    assert int(progress.nps["n"].sum()) == len(answers)
    with pytest.raises(SettingsError):
        agent_progress(people("aino"), wide_db, "aino", by="day")
    assert [a for a, _, _ in visible_agents(people("coach-north"), wide_db)] == ["aino", "eero", "sara"]
    assert [a for a, _, _ in visible_agents(people("emma"), wide_db)] == ["emma"]
    assert len(visible_agents(people("manager"), wide_db)) == 8  # six demo agents, wilma and nomad
    assert visible_agents(User("coach-none", "coach"), wide_db) == []


def test_flag_thresholds_come_from_the_norms_file(
    wide_db: Database, people: People, monkeypatch: pytest.MonkeyPatch
) -> None:
    rules = flag_rules()
    manager = people("manager")
    table = call_table(manager, wide_db)
    scored = table.dropna(subset=["score"])
    assert any(s >= rules.low_score for s in scored["score"])
    assert "uncertain speakers" in table.set_index("call").loc["x-sara-1", "flags"]
    strict = dataclasses.replace(rules, low_score=101.0, min_speaker_confidence=0.0)
    monkeypatch.setattr("coaching.views.calls.flag_rules", lambda: strict)
    flagged = call_table(manager, wide_db, CallFilters(flags=("low score",)))
    assert set(flagged["call"]) == set(scored["call"])
    assert "uncertain speakers" not in ",".join(call_table(manager, wide_db)["flags"])


def test_flags_are_set_once_for_the_organisation(monkeypatch: pytest.MonkeyPatch) -> None:
    real = norms.read_data_file

    def with_language_flags(name: str) -> dict[str, Any]:
        data = real(name)
        return {**data, "flags": {"low_score": 50}} if name == "norms_sv.yaml" else data

    monkeypatch.setattr(norms, "read_data_file", with_language_flags)
    with pytest.raises(LanguageDataError, match=r"norms_sv\.yaml"):
        norms.flag_rules.__wrapped__()

    def missing_one(name: str) -> dict[str, Any]:
        data = real(name)
        if name == "norms_common.yaml":
            data = {**data, "flags": {k: v for k, v in data["flags"].items() if k != "low_score"}}
        return data

    monkeypatch.setattr(norms, "read_data_file", missing_one)
    with pytest.raises(LanguageDataError, match="low_score"):
        norms.flag_rules.__wrapped__()
