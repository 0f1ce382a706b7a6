"""Checklist item figures grouped in SQL for the team views: pass counts per agent and category over each agent's
most recent calls (competence map), and per item with the coach's and agent's reviews (calibration).

Rows come from :class:`~coaching.store.tables.ItemResultRow` of the current analyses
(:func:`coaching.store.calls.is_current_analysis`); an item whose result is None (did not apply, uncertain)
is never counted. The number of queries does not grow with the number of calls.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, DateTime, Select, and_, case, exists, func, literal, select, true, union_all
from sqlalchemy.orm import Session, aliased

from coaching.checklist.reviews import OVERRIDE, RESPONSE, side_of
from coaching.scopes import AgentScope, CallScope
from coaching.store.app_tables import ItemReviewRow
from coaching.store.calls import is_current_analysis
from coaching.store.scope import agent_scope_where, call_scope_exists, call_scope_where
from coaching.store.tables import AgentRow, AnalysisRow, CallRow, CategoryResultRow, ItemResultRow
from coaching.store.totals import ItemTotalRow


@dataclass(frozen=True)
class CategoryCount:
    """Items of one category in one agent's recent calls: ``n`` with a result, ``passed`` of them (after coach
    overrides); ``first`` is the lowest checklist position, for ordering."""

    agent_id: str
    category: str
    first: int
    n: int
    passed: int


def _newest_override() -> tuple[type[ItemReviewRow], ColumnElement[bool]]:
    """An alias of the newest override review of an item result, and its outer-join condition."""
    override, newer = aliased(ItemReviewRow), aliased(ItemReviewRow)
    is_newest = ~exists().where(
        newer.call_id == override.call_id,
        newer.item_id == override.item_id,
        newer.kind == OVERRIDE,
        newer.id > override.id,
    )
    on = and_(
        override.call_id == ItemResultRow.call_id,
        override.item_id == ItemResultRow.item_id,
        override.kind == OVERRIDE,
        is_newest,
    )
    return override, on


def recent_category_counts(
    session: Session, team_ids: Sequence[str], *, until: datetime, calls: int
) -> list[CategoryCount]:
    """Per agent of ``team_ids`` and category: items with a result and passed among the agent's last ``calls``
    real, shared, analysed calls up to ``until`` (newest first by time, then id)."""
    return category_counts_by_end(session, team_ids, ends=[until], calls=calls)[until]


def category_counts_by_end(
    session: Session, team_ids: Sequence[str], *, ends: Sequence[datetime], calls: int
) -> dict[datetime, list[CategoryCount]]:
    """:func:`recent_category_counts` up to each of ``ends``, in one query: the category sums of each recent call's
    current analysis (:class:`~coaching.store.tables.CategoryResultRow`), then, for the items a coach overrode,
    the override in place of the automatic result."""
    ends = list(dict.fromkeys(ends))
    if not ends:
        return {}
    windows = _recent_calls(session, team_ids, ends=ends, calls=calls).cte("recent_calls")
    automatic = (
        select(
            windows.c.until,
            windows.c.agent_id,
            CategoryResultRow.category,
            CategoryResultRow.first_position.label("first"),
            CategoryResultRow.items.label("n"),
            CategoryResultRow.passed.label("passed"),
        )
        .select_from(windows)
        .join(CategoryResultRow, CategoryResultRow.analysis_id == windows.c.analysis_id)
    )
    override, on = _newest_override()
    was = ItemResultRow.passed
    overridden = (
        select(
            windows.c.until,
            windows.c.agent_id,
            ItemResultRow.category,
            ItemResultRow.position,
            case((was.is_(None), 1), else_=0),  # one more item with a result
            case((override.passed.is_(True), 1), else_=0) - case((was.is_(True), 1), else_=0),
        )
        .select_from(windows)
        .join(ItemResultRow, ItemResultRow.analysis_id == windows.c.analysis_id)
        .join(override, on)
        .where(override.passed.is_not(None), ItemResultRow.category.is_not(None))
    )
    both = union_all(automatic, overridden).subquery("counted")
    query = select(
        both.c.until,
        both.c.agent_id,
        both.c.category,
        func.min(both.c.first),
        func.sum(both.c.n),
        func.sum(both.c.passed),
    ).group_by(both.c.until, both.c.agent_id, both.c.category)
    found: dict[datetime, list[CategoryCount]] = {end: [] for end in ends}
    position = {_utc(end): end for end in ends}
    seen: dict[datetime | str, datetime] = {}  # a few month ends, many rows
    for until, agent_id, category, first, n, passed in session.execute(query):
        if n:
            end = seen.get(until) or seen.setdefault(until, position[_utc(until)])
            found[end].append(CategoryCount(agent_id, category, int(first), int(n), int(passed or 0)))
    return found


def _recent_calls(
    session: Session, team_ids: Sequence[str], *, ends: Sequence[datetime], calls: int
) -> Select[Any, str, str, int]:
    """(until, agent_id, call_id, analysis_id): each agent of ``team_ids``'s last ``calls`` real, shared,
    analysed calls up to each of ``ends``, with their current analyses."""
    stamps = [select(literal(end, DateTime(timezone=True)).label("until")) for end in ends]
    month_end = union_all(*stamps).subquery("month_ends") if len(stamps) > 1 else stamps[0].subquery("month_ends")
    recent = aliased(CallRow)
    in_window = (
        recent.agent_id == AgentRow.id,
        recent.call_type == "real",
        recent.is_private.is_(False),
        recent.created_at <= month_end.c.until,
    )
    newest_first = (recent.created_at.desc(), recent.id.desc())
    agents_and_ends = select(month_end.c.until, AgentRow.id.label("agent_id")).select_from(AgentRow)
    agents_and_ends = agents_and_ends.join(month_end, true())
    agents_and_ends = agents_and_ends.where(AgentRow.team_id.in_(list(team_ids)))
    if session.get_bind().dialect.name == "postgresql":  # each agent's newest calls straight from the index,
        # each with its current analysis (the newest, :func:`is_current_analysis`) in one probe; unanalysed calls
        # drop out before the limit
        current = (
            select(AnalysisRow.id)
            .where(AnalysisRow.call_id == recent.id)
            .order_by(AnalysisRow.id.desc())
            .limit(1)
            .lateral("current_analysis")
        )
        window = (
            select(recent.id, current.c.id.label("analysis_id"))
            .select_from(recent)
            .join(current, true())
            .where(*in_window)
            .order_by(*newest_first)
            .limit(calls)
            .lateral("newest_calls")
        )
        return agents_and_ends.add_columns(window.c.id.label("call_id"), window.c.analysis_id).join(window, true())
    analysed = exists().where(AnalysisRow.call_id == recent.id)
    newest = select(recent.id).where(*in_window, analysed).order_by(*newest_first).limit(calls)
    # SQLite: the same subquery as a list per agent and end, then the current analysis once per call
    return (
        agents_and_ends.add_columns(CallRow.id.label("call_id"), AnalysisRow.id.label("analysis_id"))
        .join(CallRow, CallRow.id.in_(newest))
        .join(AnalysisRow, and_(AnalysisRow.call_id == CallRow.id, is_current_analysis()))
    )


def _utc(stamp: datetime | str) -> datetime:
    """A month end as the database gives it back (SQLite: text without a zone) in UTC."""
    value = datetime.fromisoformat(stamp) if isinstance(stamp, str) else stamp
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _item_counts(scope: CallScope) -> Select[str, str | None, int, Any]:
    """Per item (id, label): automatic results and passes in the current analyses of the calls in ``scope``, from
    every item row, in checklist order."""
    return (
        select(
            ItemResultRow.item_id,
            ItemResultRow.label,
            func.count(ItemResultRow.passed),
            func.sum(case((ItemResultRow.passed.is_(True), 1), else_=0)),
        )
        .join(AnalysisRow, AnalysisRow.id == ItemResultRow.analysis_id)
        .join(CallRow, CallRow.id == AnalysisRow.call_id)  # the current analysis once per call, then its items
        .join(AgentRow, AgentRow.id == CallRow.agent_id)
        .where(is_current_analysis(), call_scope_where(scope))
        .group_by(ItemResultRow.item_id, ItemResultRow.label)
        .order_by(func.min(ItemResultRow.position), ItemResultRow.item_id, ItemResultRow.label)
    )


def _item_totals(scope: CallScope) -> Select[str, str | None, int, Any]:
    """:func:`_item_counts` of the shared calls of every agent (or of the agents of ``scope.team_ids``) from the
    per-agent totals (:mod:`coaching.store.totals`): the same rows in the same order."""
    return (
        select(
            ItemTotalRow.item_id,
            ItemTotalRow.label,
            func.sum(ItemTotalRow.calls),
            func.sum(ItemTotalRow.passed),
        )
        .join(AgentRow, AgentRow.id == ItemTotalRow.agent_id)
        .where(agent_scope_where(AgentScope(team_ids=scope.team_ids)))
        .group_by(ItemTotalRow.item_id, ItemTotalRow.label)
        .order_by(func.min(ItemTotalRow.position), ItemTotalRow.item_id, ItemTotalRow.label)
    )


@dataclass(frozen=True)
class ItemAgreement:
    """One row of the calibration table, counts only (the view turns them into shares)."""

    item_id: str
    label: str | None
    calls: int  # with an automatic result
    auto_passed: int
    coach_reviews: int = 0
    coach_agrees: int = 0
    agent_responses: int = 0
    agent_agrees: int = 0
    coach_and_agent: int = 0
    coach_agent_agree: int = 0


def item_agreement(session: Session, scope: CallScope) -> list[ItemAgreement]:
    """Per checklist item (id and label) of the current analyses of the calls in ``scope``: automatic results
    and how the newest coach override and agent response of each call agree with them (two queries)."""
    items = _item_totals(scope) if scope.agent_ids is None and not scope.private else _item_counts(scope)
    totals = {(i, label): ItemAgreement(i, label, int(n), int(p or 0)) for i, label, n, p in session.execute(items)}
    reviews = (  # from the few reviews to their items (the team through EXISTS, so no plan starts from agents)
        select(ItemResultRow.item_id, ItemResultRow.label, ItemResultRow.passed, ItemReviewRow.call_id)
        .add_columns(ItemReviewRow.kind, ItemReviewRow.passed.label("review_passed"))
        .select_from(ItemReviewRow)
        .join(CallRow, CallRow.id == ItemReviewRow.call_id)
        .join(AnalysisRow, and_(AnalysisRow.call_id == CallRow.id, is_current_analysis()))
        .join(
            ItemResultRow,
            and_(
                ItemResultRow.analysis_id == AnalysisRow.id,
                ItemResultRow.call_id == ItemReviewRow.call_id,  # SQLite: the call's items by index, not a temp one
                ItemResultRow.item_id == ItemReviewRow.item_id,
            ),
        )
        .where(call_scope_exists(scope), ItemResultRow.passed.is_not(None))
        .order_by(ItemReviewRow.id)
    )
    newest: dict[tuple[str, str | None, str], dict[str, bool | None]] = {}
    auto: dict[tuple[str, str | None, str], bool] = {}
    for item_id, label, passed, call_id, kind, review_passed in session.execute(reviews):
        newest.setdefault((item_id, label, call_id), {})[side_of(kind)] = review_passed
        auto[(item_id, label, call_id)] = passed
    counts: dict[tuple[str, str | None], list[int]] = {}
    for key, sides in newest.items():
        coach, agent, shown = sides.get(OVERRIDE), sides.get(RESPONSE), auto[key]
        tally = counts.setdefault(key[:2], [0] * 6)
        if coach is not None:
            tally[0:2] = [tally[0] + 1, tally[1] + (coach == shown)]
        if agent is not None:
            tally[2:4] = [tally[2] + 1, tally[3] + (agent == shown)]
        if coach is not None and agent is not None:
            tally[4:6] = [tally[4] + 1, tally[5] + (coach == agent)]
    return [
        ItemAgreement(t.item_id, t.label, t.calls, t.auto_passed, *counts.get(key, [0] * 6))
        for key, t in totals.items()
    ]
