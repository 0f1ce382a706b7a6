"""Survey reads narrowed in SQL to an :class:`coaching.access.OutcomeScope`, and the NPS / FCR tables over them.

Both the outcome services and the read models (progress, team views) build their tables here, so the figures
are the same wherever they are shown.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import ColumnElement, String, and_, case, func, or_, select, true, type_coerce
from sqlalchemy.orm import Session

from coaching.checklist.reviews import OVERRIDE, effective_passed
from coaching.outcomes.nps import (
    Level,
    Period,
    fcr_of_flags,
    first_contact_resolved,
    nps_and_fcr,
    nps_by_period,
)
from coaching.scopes import OutcomeScope
from coaching.settings import OutcomeSettings
from coaching.store.calls import current_analysis_ids
from coaching.store.results import reviews_by_call
from coaching.store.survey_tables import SurveyRow, as_utc, chunks
from coaching.store.tables import AgentRow, AnalysisRow, CallRow

EVERY_ANSWER = OutcomeScope()
_INDEXED_TEAMS = 2  # SQLite: the answers of up to this many teams by index, of more in one pass over the table
SURVEY_FRAME_COLUMNS = ("contact_id", "agent", "team", "answered_at", "score", "customer_id", "resolved")


def scope_where(scope: OutcomeScope, *, one_pass: bool = False) -> ColumnElement[bool]:
    """Condition on ``SurveyRow``: the answer's own agent and team (as imported). With ``one_pass`` the team is
    compared in a form no index serves, so SQLite reads the answers of many teams in one pass over the table
    instead of one index probe per answer."""
    parts: list[ColumnElement[bool]] = []
    if scope.agent_id is not None:
        parts.append(SurveyRow.agent_id == scope.agent_id)
    if scope.team_ids is not None:
        team = func.coalesce(SurveyRow.team_id, None) if one_pass else SurveyRow.team_id
        parts.append(team.in_(scope.team_ids))
    return and_(true(), *parts)


def load_surveys(*, session: Session, scope: OutcomeScope = EVERY_ANSWER, repeats: bool = False) -> pd.DataFrame:
    """Survey rows in ``scope`` with columns :data:`SURVEY_FRAME_COLUMNS` (``agent``/``team`` hold ids).

    With ``repeats`` the frame also holds the other answers of the same customers (a repeat contact may be
    another agent's) and a bool column ``in_scope``.
    """
    sqlite = session.get_bind().dialect.name == "sqlite"
    many_teams = scope.agent_id is None and len(scope.team_ids or ()) > _INDEXED_TEAMS
    one_pass = sqlite and many_teams  # in the table's order, sorted here (the same order: unique contact ids)
    where = scope_where(scope, one_pass=one_pass)
    # the times as ISO text in UTC, parsed for all rows at once (no datetime object per row): SQLite's stored text
    # (naive is UTC), PostgreSQL's formatted in UTC (27 000 answers: 25-66 ms instead of 87-102)
    answered_at: Any = type_coerce(SurveyRow.answered_at, String)
    if not sqlite:
        answered_at = func.to_char(func.timezone("UTC", SurveyRow.answered_at), 'YYYY-MM-DD"T"HH24:MI:SS.US')
    columns: list[Any] = [SurveyRow.contact_id, SurveyRow.agent_id, SurveyRow.team_id, answered_at]
    columns += [SurveyRow.score, SurveyRow.customer_id, SurveyRow.resolved]
    names = list(SURVEY_FRAME_COLUMNS)
    query = select(*columns)
    if repeats:
        customers = select(SurveyRow.customer_id).where(where, SurveyRow.customer_id.is_not(None))
        query = select(*columns, case((where, True), else_=False).label("in_scope"))
        query = query.where(or_(where, SurveyRow.customer_id.in_(customers.scalar_subquery())))
        names.append("in_scope")
    else:
        query = query.where(where)
    rows = (
        session.connection()
        .execute(query if one_pass else query.order_by(SurveyRow.answered_at, SurveyRow.contact_id))
        .all()
    )
    frame = pd.DataFrame([tuple(r) for r in rows], columns=names, dtype=object)
    frame["answered_at"] = pd.to_datetime(frame["answered_at"].tolist(), utc=True, format="ISO8601")
    if one_pass:
        frame = frame.sort_values(["answered_at", "contact_id"], kind="stable").reset_index(drop=True)
    frame["score"] = frame["score"].astype("int64")
    if repeats:
        frame["in_scope"] = frame["in_scope"].astype(bool)
    return frame


def newest_answer(session: Session) -> pd.Timestamp | None:
    """When the newest survey answer of all came (the end of every FCR window that is still open)."""
    newest = session.scalar(select(func.max(SurveyRow.answered_at)))
    return None if newest is None else pd.Timestamp(as_utc(newest))


def nps_frame(
    session: Session, scope: OutcomeScope, *, by: Period, level: Level, settings: OutcomeSettings
) -> pd.DataFrame:
    """NPS per group and period of the answers in ``scope`` (:func:`coaching.outcomes.nps.nps_by_period`)."""
    surveys = load_surveys(session=session, scope=scope)
    return nps_by_period(surveys=surveys, by=by, level=level, min_n=settings.min_n)


def fcr_frame(
    session: Session, scope: OutcomeScope, *, by: Period, level: Level, settings: OutcomeSettings
) -> pd.DataFrame:
    """First-contact resolution per group and period of the answers in ``scope``.

    Repeats are looked for among all contacts of the same customers (any agent), and windows still open at the
    newest answer of all are unknown, before the rows are narrowed to ``scope``.
    """
    answers = _scoped_answers(session, scope, settings=settings)
    if answers.resolved is None:
        return pd.DataFrame()
    return answers.fcr(answers.resolved, by=by, level=level, settings=settings)


@dataclass(frozen=True)
class _ScopedAnswers:
    """The answers in a scope (``visible``) and the same rows with their FCR flag (``resolved``; None when there
    are no answers), the flags found among all answers of the same customers up to ``as_of``."""

    as_of: pd.Timestamp | None
    visible: pd.DataFrame
    resolved: pd.DataFrame | None

    def fcr(self, rows: pd.DataFrame, *, by: Period, level: Level, settings: OutcomeSettings) -> pd.DataFrame:
        """FCR per group and period of ``rows`` (some of :attr:`resolved`): :func:`fcr_by_period` of them, whose
        flags among ``rows`` alone are their flags among all answers (a flag unknown there stays unknown in any
        subset), so the flags found once are used."""
        return fcr_of_flags(contacts=rows, flags=rows["resolved"], by=by, level=level, min_n=settings.min_n)


def _scoped_answers(session: Session, scope: OutcomeScope, *, settings: OutcomeSettings) -> _ScopedAnswers:
    """One read of the answers in ``scope`` with the same customers' other answers (for the repeats)."""
    as_of = newest_answer(session)
    surveys = load_surveys(session=session, scope=scope, repeats=True)
    visible = surveys[surveys["in_scope"]].drop(columns="in_scope")
    if as_of is None or surveys.empty:
        return _ScopedAnswers(as_of, visible, None)
    flags = first_contact_resolved(contacts=surveys, window_days=settings.fcr_window_days, as_of=as_of)
    return _ScopedAnswers(as_of, visible, surveys.assign(resolved=flags)[surveys["in_scope"]].drop(columns="in_scope"))


def outcome_frames(
    session: Session, scope: OutcomeScope, *, by: Period, levels: tuple[Level, ...], settings: OutcomeSettings
) -> dict[Level, tuple[pd.DataFrame, pd.DataFrame]]:
    """(NPS, FCR) per level of the answers in ``scope``, as :func:`nps_frame` and :func:`fcr_frame` give them,
    from one read of the answers (with the same customers' other answers for the repeats)."""
    answers = _scoped_answers(session, scope, settings=settings)
    frames = {}
    for level in levels:
        nps = nps_by_period(surveys=answers.visible, by=by, level=level, min_n=settings.min_n)
        fcr = pd.DataFrame()
        if answers.resolved is not None:
            fcr = answers.fcr(answers.resolved, by=by, level=level, settings=settings)
        frames[level] = (nps, fcr)
    return frames


def teams_outcome_frames(
    session: Session, teams: Sequence[str], *, by: Period, levels: tuple[Level, ...], settings: OutcomeSettings
) -> dict[Level, tuple[pd.DataFrame, pd.DataFrame]]:
    """(NPS, FCR) per level of each team's answers on its own, in the order of ``teams``: the rows
    :func:`outcome_frames` gives for ``OutcomeScope(team_ids=(team,))``, team after team (json-equal), from one
    read of the answers of all ``teams`` and one tabulation per level.

    A repeat contact is looked for among all answers of the same customers, and an FCR flag that is unknown
    among them stays unknown in any subset, so the flags of all teams at once are each team's flags. Agent rows
    are tabulated for all teams at once when no agent has answers in two of them, else team by team.
    """
    answers = _scoped_answers(session, OutcomeScope(None, tuple(teams)), settings=settings)
    visible, resolved = answers.visible, answers.resolved
    order = {team: n for n, team in enumerate(teams)}
    one_team_each = bool((visible.groupby("agent", dropna=False)["team"].nunique(dropna=False) <= 1).all())

    def tabulate(rows: pd.DataFrame, level: Level) -> tuple[pd.DataFrame, pd.DataFrame]:
        if level == "organisation" or (level == "agent" and not one_team_each):  # team by team
            found = [tables(rows[rows["team"] == team], level) for team in teams if (rows["team"] == team).any()]
            if not found:
                return tables(rows.iloc[:0], level)
            return pd.concat([n for n, _ in found], ignore_index=True), pd.concat(
                [f for _, f in found], ignore_index=True
            )
        nps, fcr = tables(rows, level)
        return in_team_order(nps), in_team_order(fcr)

    def in_team_order(frame: pd.DataFrame) -> pd.DataFrame:
        if frame.empty:
            return frame
        position = frame["team"].map(order)
        return frame.iloc[position.argsort(kind="stable")].reset_index(drop=True)

    def tables(rows: pd.DataFrame, level: Level) -> tuple[pd.DataFrame, pd.DataFrame]:
        """NPS and FCR of ``rows`` (some of the answers with their flags) from one grouping."""
        return nps_and_fcr(contacts=rows, flags=rows["resolved"], by=by, level=level, min_n=settings.min_n)

    if resolved is None:  # no answers: NPS tables of none, no FCR
        return {
            level: (nps_by_period(surveys=visible, by=by, level=level, min_n=settings.min_n), pd.DataFrame())
            for level in levels
        }
    return {level: tabulate(resolved, level) for level in levels}


def linked_checklist_items(*, session: Session, scope: OutcomeScope = EVERY_ANSWER) -> pd.DataFrame:
    """One row per (survey in ``scope`` linked to a call, checklist item with a pass/fail), coach overrides applied.

    Columns contact_id, agent, team, item, passed, score. A survey links to the newest non-private call with
    its contact_id; that call's current analysis is used.
    """
    calls = session.execute(
        select(SurveyRow.contact_id, SurveyRow.agent_id, SurveyRow.team_id, SurveyRow.score, CallRow.id)
        .join(CallRow, CallRow.contact_id == SurveyRow.contact_id)
        .where(CallRow.is_private.is_(False), scope_where(scope))
        .order_by(SurveyRow.contact_id, CallRow.created_at, CallRow.id)
    ).all()
    newest_call: dict[str, tuple[str, str | None, int, str]] = {
        contact_id: (agent, team, score, call_id) for contact_id, agent, team, score, call_id in calls
    }
    results: dict[str, list[tuple[str, bool]]] = {}  # call id -> (item, passed) after coach overrides
    for chunk in chunks([call_id for *_, call_id in newest_call.values()]):
        current = current_analysis_ids()
        query = (
            select(AnalysisRow.call_id, AnalysisRow.checklist)
            .join(current, AnalysisRow.id == current.c.analysis_id)
            .where(AnalysisRow.call_id.in_(chunk))
        )
        reviews = reviews_by_call(session, chunk)
        for call_id, checklist in session.execute(query):  # only ids and results are read from the JSON
            overrides = reviews.get(call_id, {})
            shown = [
                (str(i["id"]), effective_passed(i.get("passed"), overrides.get((str(i["id"]), OVERRIDE))))
                for i in (checklist or {}).get("items", [])
                if isinstance(i, dict) and i.get("id")
            ]
            results[call_id] = [(item_id, passed) for item_id, passed in shown if isinstance(passed, bool)]
    rows = [
        (contact_id, agent, team, item, passed, int(score))
        for contact_id, (agent, team, score, call_id) in newest_call.items()
        for item, passed in results.get(call_id, [])
    ]
    return pd.DataFrame(rows, columns=["contact_id", "agent", "team", "item", "passed", "score"])


def agent_team_or_none(session: Session, agent_id: str) -> str | None:
    """The team of ``agent_id``, None for an unknown agent or one without a team."""
    return session.scalar(select(AgentRow.team_id).where(AgentRow.id == agent_id))


def team_lookup(session: Session) -> Callable[[str], str | None]:
    """``agent id -> team id or None`` in ``session``, the ``team_of`` of :func:`coaching.access.outcome_scope`."""
    return lambda agent_id: agent_team_or_none(session, agent_id)
