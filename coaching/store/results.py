"""Per-call and per-item frames of current analyses with coach overrides applied, read in a few queries.

The read models (progress, team views) and the coaching sessions share them. The calls are chosen in SQL by an
access scope (:class:`coaching.access.CallScope`) and optional agent ids; the reviews of all of them come in
one query.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import pandas as pd
from sqlalchemy import Select, and_, select
from sqlalchemy.orm import Session

from coaching.checklist.reviews import OVERRIDE, RESPONSE, Review, effective_passed, reviewed_score, side_of
from coaching.scopes import SHARED_CALLS, CallScope
from coaching.store.app_tables import ItemReviewRow
from coaching.store.calls import current_analysis_ids
from coaching.store.feedback import review_of
from coaching.store.figures import FIGURES
from coaching.store.scope import call_scope_where
from coaching.store.tables import AgentRow, AnalysisRow, CallRow, ItemResultRow


class CallFigures(NamedTuple):
    """One row of :attr:`Results.calls`; the metric fields are None when read without metrics."""

    call_id: str
    agent_id: str
    agent: str
    team_id: str | None
    created_at: pd.Timestamp
    call_type: str
    is_private: bool
    language: str
    duration_s: float
    score: float | None  # after coach overrides
    auto_score: float | None
    talk_ratio_agent: float | None = None
    agent_wpm: float | None = None
    agent_sps: float | None = None
    customer_sps: float | None = None
    flagged_silences: int | None = None
    interruptions: int | None = None
    overtalk_share: float | None = None
    out_of_norm: tuple[str, ...] | None = None


class ItemResult(NamedTuple):
    """One row of :attr:`Results.items`: a checklist item of a call with the coach's and the agent's view."""

    call_id: str
    agent_id: str
    team_id: str | None
    created_at: pd.Timestamp
    call_type: str
    item_id: str | None
    label: str | None
    category: str | None
    weight: float
    auto_passed: bool | None
    coach_passed: bool | None
    agent_passed: bool | None
    passed: bool | None


CALL_COLUMNS = CallFigures._fields
ITEM_COLUMNS = ItemResult._fields

CallReviews = dict[tuple[str, str], Review]


@dataclass(frozen=True)
class Results:
    """``calls``: one row per call (:data:`CALL_COLUMNS`); ``items``: one per call and item (:data:`ITEM_COLUMNS`)."""

    calls: pd.DataFrame
    items: pd.DataFrame


def reviews_by_call(session: Session, call_ids: Select[*tuple[Any, ...]] | Sequence[str]) -> dict[str, CallReviews]:
    """Newest review per (item id, side) of each call, for many calls in one query (a list or an id subquery)."""
    rows = session.scalars(select(ItemReviewRow).where(ItemReviewRow.call_id.in_(call_ids)).order_by(ItemReviewRow.id))
    found: dict[str, CallReviews] = {}
    for row in rows:
        found.setdefault(row.call_id, {})[(row.item_id, side_of(row.kind))] = review_of(row)
    return found


def results_query(
    scope: CallScope,
    agent_ids: Sequence[str] | None = None,
    call_types: Sequence[str] | None = None,
    *,
    metrics: bool = True,
) -> Select[*tuple[Any, ...]]:
    """Calls in ``scope`` (of ``agent_ids`` and ``call_types`` when given) joined with their agent and current
    analysis, oldest first; ``metrics`` adds the metric figures the call frame shows (columns of the analysis,
    :mod:`coaching.store.figures`)."""
    latest = current_analysis_ids()
    query = (
        select(
            CallRow.id,
            CallRow.agent_id,
            CallRow.created_at,
            CallRow.call_type,
            CallRow.is_private,
            CallRow.language,
            CallRow.duration_s,
            AgentRow.team_id,
            AgentRow.name,
            AnalysisRow.score,
            AnalysisRow.id.label("analysis_id"),
            *(getattr(AnalysisRow, name) for name in (FIGURES if metrics else ())),
        )
        .join(AgentRow, AgentRow.id == CallRow.agent_id)
        .join(latest, latest.c.call_id == CallRow.id)
        .join(AnalysisRow, AnalysisRow.id == latest.c.analysis_id)
        .where(call_scope_where(scope))
        .order_by(CallRow.created_at, CallRow.id)
    )
    if agent_ids is not None:
        query = query.where(CallRow.agent_id.in_(list(agent_ids)))
    if call_types is not None:
        query = query.where(CallRow.call_type.in_(list(call_types)))
    return query


StoredItem = tuple[str, str | None, str | None, float, bool | None]  # item id, label, category, weight, passed


def current_items(
    session: Session, analysis_ids: Select[*tuple[Any, ...]] | Sequence[int]
) -> tuple[dict[int, list[StoredItem]], dict[str, CallReviews]]:
    """The item rows (:class:`~coaching.store.tables.ItemResultRow`) of analyses in checklist order, and the newest
    review per (item id, side) of those items, in one query (reviews join the few items that have them)."""
    review = ("id", "kind", "passed", "auto_passed", "reason", "author_id", "created_at")
    rows = (
        session.connection()
        .execute(  # Core rows: no ORM loading for plain columns
            select(
                ItemResultRow.analysis_id,
                ItemResultRow.call_id,
                ItemResultRow.position,
                ItemResultRow.item_id,
                ItemResultRow.label,
                ItemResultRow.category,
                ItemResultRow.weight,
                ItemResultRow.passed,
                *(getattr(ItemReviewRow, c).label(f"review_{c}") for c in review),
            )
            .outerjoin(
                ItemReviewRow,
                and_(ItemReviewRow.call_id == ItemResultRow.call_id, ItemReviewRow.item_id == ItemResultRow.item_id),
            )
            .where(ItemResultRow.analysis_id.in_(analysis_ids))
            .order_by(ItemResultRow.analysis_id, ItemResultRow.position, ItemReviewRow.id)
        )
        .all()
    )
    items: dict[int, list[StoredItem]] = {}
    reviews: dict[str, CallReviews] = {}
    last: tuple[int, int] | None = None
    for analysis_id, call_id, position, item_id, label, category, weight, passed, review_id, *seen in rows:
        if (analysis_id, position) != last:
            items.setdefault(analysis_id, []).append((item_id, label, category, weight, passed))
            last = (analysis_id, position)
        if review_id is not None:  # ordered by review id: the newest per side ends up kept
            reviews.setdefault(call_id, {})[(item_id, side_of(seen[0]))] = Review(item_id, *seen)
    return items, reviews


def load_results(
    session: Session,
    *,
    agent_ids: Sequence[str] | None = None,
    scope: CallScope = SHARED_CALLS,
    call_types: Sequence[str] | None = None,
    metrics: bool = True,
) -> Results:
    """Current analyses of the calls in ``scope`` (default: every call but private practice), of ``agent_ids``
    and ``call_types`` when given (None: all). Without ``metrics`` the call frame's metric columns are empty.
    Two queries however many calls: the calls, then their item rows with reviews."""
    query = results_query(scope, agent_ids, call_types, metrics=metrics)
    rows = session.connection().execute(query).all()
    ids = results_query(scope, agent_ids, call_types, metrics=False).with_only_columns(AnalysisRow.id).order_by(None)
    items_of, reviews = current_items(session, ids) if rows else ({}, {})
    calls, items = [], []
    for row in rows:
        created = pd.Timestamp(row.created_at)
        created = created.tz_localize("UTC") if created.tzinfo is None else created.tz_convert("UTC")
        own = reviews.get(row.id, {})
        effective = [_item_row(row, item, created, own) for item in items_of.get(row.analysis_id, [])]
        items += effective
        calls.append(_call_row(row, created, effective))
    return Results(pd.DataFrame(calls, columns=list(CALL_COLUMNS)), pd.DataFrame(items, columns=list(ITEM_COLUMNS)))


def effective_scores(session: Session, call_ids: Select[*tuple[Any, ...]] | Sequence[str]) -> dict[str, float | None]:
    """Each call's score after coach overrides (its current item rows and reviews, read in two queries)."""
    if isinstance(call_ids, Select):
        call_ids = call_ids.correlate(None)  # a subquery over calls stands on its own
    latest = current_analysis_ids()
    query = (
        select(CallRow.id, CallRow.agent_id, CallRow.created_at, CallRow.call_type, AgentRow.team_id)
        .add_columns(AnalysisRow.score, AnalysisRow.id.label("analysis_id"))
        .join(AgentRow, AgentRow.id == CallRow.agent_id)
        .join(latest, latest.c.call_id == CallRow.id)
        .join(AnalysisRow, AnalysisRow.id == latest.c.analysis_id)
        .where(CallRow.id.in_(call_ids))
    )
    rows = session.execute(query).all()
    items_of, reviews = current_items(session, [row.analysis_id for row in rows]) if rows else ({}, {})
    scores = {}
    for row in rows:
        created = pd.Timestamp(row.created_at)
        own = reviews.get(row.id, {})
        items = [_item_row(row, item, created, own) for item in items_of.get(row.analysis_id, [])]
        scores[row.id] = effective_score(items, row.score)
    return scores


def _item_row(row: Any, item: StoredItem, created: pd.Timestamp, reviews: CallReviews) -> ItemResult:
    item_id, label, category, weight, auto = item
    override, response = reviews.get((item_id, OVERRIDE)), reviews.get((item_id, RESPONSE))
    return ItemResult(
        row.id,
        row.agent_id,
        row.team_id,
        created,
        row.call_type,
        item_id,
        label,
        category,
        weight,
        auto,
        override.passed if override is not None else None,  # coach_passed
        response.passed if response is not None else None,  # agent_passed
        effective_passed(auto, override),
    )


def _call_row(row: Any, created: pd.Timestamp, items: list[ItemResult]) -> CallFigures:
    call = CallFigures(
        call_id=row.id,
        agent_id=row.agent_id,
        agent=row.name,
        team_id=row.team_id,
        created_at=created,
        call_type=row.call_type,
        is_private=bool(row.is_private),
        language=row.language,
        duration_s=row.duration_s,
        score=effective_score(items, row.score),
        auto_score=row.score,
    )
    parts = row._mapping
    if "out_of_norm" not in parts:  # read without metrics
        return call
    return call._replace(
        **{name: parts[name] for name in FIGURES if name != "out_of_norm"},
        out_of_norm=tuple(parts["out_of_norm"] or ()),
    )


def effective_score(items: Sequence[ItemResult], stored: float | None) -> float | None:
    """The stored score, or the score after coach overrides when any changed a result."""
    return reviewed_score(((i.auto_passed, i.passed, i.weight) for i in items), stored)


def rows_where(frame: pd.DataFrame, column: str, value: bool | None = None) -> pd.DataFrame:
    """Rows whose ``column`` holds a bool (``value`` None) or exactly ``value`` (True/False, never None)."""
    if value is None:
        mask = frame[column].map(lambda v: isinstance(v, bool))
    else:
        mask = frame[column].map(lambda v: isinstance(v, bool) and v == value)
    return frame.loc[mask.astype(bool)]
