"""Per-call and per-item frames of current analyses with coach overrides applied, read in a few queries.

The read models (progress, team views) and the coaching sessions share them. The calls are chosen in SQL by an
access scope (:class:`coaching.access.CallScope`) and optional agent ids; the reviews of all of them come in
one query.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import pandas as pd
from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from coaching.checklist.reviews import OVERRIDE, RESPONSE, Review, effective_passed, reviewed_score, side_of
from coaching.scopes import SHARED_CALLS, CallScope
from coaching.store.app_tables import ItemReviewRow
from coaching.store.calls import current_analysis_ids
from coaching.store.feedback import review_of
from coaching.store.scope import call_scope_where
from coaching.store.tables import AgentRow, AnalysisRow, CallRow

JsonObject = Mapping[str, Any]  # a part of the stored analysis JSON, read only


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
# The parts of the metrics JSON the frames show (the rest, e.g. tempo series and trajectory, stays in the database).
_METRIC_PARTS = ("talk_ratio_agent", "speakers", "silences", "interruptions", "overtalk", "norms")

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
    analysis, oldest first; ``metrics`` adds the parts of the metrics JSON that the call frame shows."""
    latest = current_analysis_ids()
    parts = _METRIC_PARTS if metrics else ()
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
            AnalysisRow.checklist,
            *(AnalysisRow.metrics[part].label(part) for part in parts),
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


def load_results(
    session: Session,
    *,
    agent_ids: Sequence[str] | None = None,
    scope: CallScope = SHARED_CALLS,
    call_types: Sequence[str] | None = None,
    metrics: bool = True,
) -> Results:
    """Current analyses of the calls in ``scope`` (default: every call but private practice), of ``agent_ids``
    and ``call_types`` when given (None: all). Without ``metrics`` the call frame's metric columns are empty."""
    query = results_query(scope, agent_ids, call_types, metrics=metrics)
    rows = session.execute(query).all()
    reviews = reviews_by_call(session, query.with_only_columns(CallRow.id).order_by(None)) if rows else {}
    calls, items = [], []
    for row in rows:
        created = pd.Timestamp(row.created_at)
        created = created.tz_localize("UTC") if created.tzinfo is None else created.tz_convert("UTC")
        own = reviews.get(row.id, {})
        effective = [_item_row(row, item, created, own) for item in (row.checklist or {}).get("items", [])]
        items += effective
        calls.append(_call_row(row, created, effective))
    return Results(pd.DataFrame(calls, columns=list(CALL_COLUMNS)), pd.DataFrame(items, columns=list(ITEM_COLUMNS)))


def effective_scores(session: Session, call_ids: Select[*tuple[Any, ...]] | Sequence[str]) -> dict[str, float | None]:
    """Each call's score after coach overrides (its current checklist and reviews, read in two queries)."""
    if isinstance(call_ids, Select):
        call_ids = call_ids.correlate(None)  # a subquery over calls stands on its own
    latest = current_analysis_ids()
    query = (
        select(CallRow.id, CallRow.agent_id, CallRow.created_at, CallRow.call_type, AgentRow.team_id)
        .add_columns(AnalysisRow.score, AnalysisRow.checklist)
        .join(AgentRow, AgentRow.id == CallRow.agent_id)
        .join(latest, latest.c.call_id == CallRow.id)
        .join(AnalysisRow, AnalysisRow.id == latest.c.analysis_id)
        .where(CallRow.id.in_(call_ids))
    )
    reviews = reviews_by_call(session, call_ids)
    scores = {}
    for row in session.execute(query):
        created = pd.Timestamp(row.created_at)
        own = reviews.get(row.id, {})
        items = [_item_row(row, item, created, own) for item in (row.checklist or {}).get("items", [])]
        scores[row.id] = effective_score(items, row.score)
    return scores


def _item_row(row: Any, item: JsonObject, created: pd.Timestamp, reviews: CallReviews) -> ItemResult:
    item_id = str(item.get("id"))
    override, response = reviews.get((item_id, OVERRIDE)), reviews.get((item_id, RESPONSE))
    coach = override.passed if override is not None else None
    auto = item.get("passed")
    return ItemResult(
        call_id=row.id,
        agent_id=row.agent_id,
        team_id=row.team_id,
        created_at=created,
        call_type=row.call_type,
        item_id=item.get("id"),
        label=item.get("label"),
        category=item.get("category"),
        weight=float(item.get("weight", 1.0)),
        auto_passed=auto,
        coach_passed=coach,
        agent_passed=response.passed if response is not None else None,
        passed=effective_passed(auto, override),
    )


def _rate(speaker: JsonObject) -> float | None:
    value = speaker.get("articulation_rate_sps")
    return value if value is not None else speaker.get("syllables_per_second")


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
    if "norms" not in row._mapping:  # read without metrics
        return call
    speakers = row.speakers or {}
    return call._replace(
        talk_ratio_agent=row.talk_ratio_agent,
        agent_wpm=speakers.get("agent", {}).get("words_per_minute"),
        agent_sps=_rate(speakers.get("agent", {})),
        customer_sps=_rate(speakers.get("customer", {})),
        flagged_silences=flagged_silences(row.silences),
        interruptions=(row.interruptions or {}).get("count"),
        overtalk_share=(row.overtalk or {}).get("share_of_talk"),
        out_of_norm=out_of_norm(row.norms),
    )


def flagged_silences(silences: Sequence[JsonObject] | None) -> int:
    """How many of a call's listed silences are flagged (metrics JSON ``silences``)."""
    return sum(1 for s in silences or [] if s.get("flagged"))


def out_of_norm(norms: JsonObject | None) -> tuple[str, ...]:
    """Labels of the metrics outside their norm band (metrics JSON ``norms``)."""
    return tuple(str(n.get("label", k)) for k, n in (norms or {}).items() if n.get("status") in ("below", "above"))


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
