"""Read models of the call list (with filters and flags) and of one call's review page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import func, select

from coaching.access import (
    User,
    can_comment,
    can_correct_transcript,
    can_override_items,
    can_respond_to_items,
    can_share_practice,
)
from coaching.checklist.reviews import apply_reviews
from coaching.models import Analysis
from coaching.services.calls import get_analysis, list_calls
from coaching.services.practice import get_scenario
from coaching.store.app_tables import CommentRow, ItemReviewRow, PracticeAttemptRow, TranscriptEditRow
from coaching.store.calls import call_context
from coaching.store.db import Database
from coaching.store.feedback import Comment, comments_of, current_checklist, reviews_of
from coaching.store.tables import AgentRow, CallRow
from coaching.views.progress import load_results

FLAGS = (
    "low score",
    "long silence",
    "interruptions",
    "outside norms",
    "uncertain speakers",
    "commented",
    "coach reviewed",
    "disputed",
)
LOW_SCORE = 60.0


@dataclass(frozen=True)
class CallFilters:
    since: date | None = None
    until: date | None = None
    call_types: tuple[str, ...] = ()
    min_score: float | None = None
    max_score: float | None = None
    flags: tuple[str, ...] = ()  # a call matches when it has any of them
    agent_ids: tuple[str, ...] = ()


def call_table(user: User, db: Database, filters: CallFilters | None = None) -> pd.DataFrame:
    """The calls ``user`` may open, newest first, with score and flags, narrowed by ``filters``."""
    f = filters or CallFilters()
    summaries = list_calls(user, db=db)
    ids = [s.id for s in summaries]
    own = user.agent_id if user.role == "agent" else None
    with db.transaction() as session:
        results = load_results(session, agent_ids=sorted({s.agent_id for s in summaries}), private_of=own)
        names = dict(session.execute(select(AgentRow.id, AgentRow.name)).all())
        commented = _counted(session, CommentRow.call_id, ids)
        reviewed = _counted(session, ItemReviewRow.call_id, ids, ItemReviewRow.kind == "override")
        disputed = _counted(session, ItemReviewRow.call_id, ids, ItemReviewRow.kind == "dispute")
        diarization = dict(session.execute(select(CallRow.id, CallRow.diarization_confidence)).all())
    by_call = results.calls.set_index("call_id") if len(results.calls) else pd.DataFrame()
    rows = []
    for s in summaries:
        info: Any = by_call.loc[s.id] if s.id in by_call.index else None
        score = None if info is None else info["score"]
        flags = []
        if score is not None and score == score and score < LOW_SCORE:
            flags.append("low score")
        if info is not None and info["flagged_silences"]:
            flags.append("long silence")
        if info is not None and (info["interruptions"] or 0) >= 2:
            flags.append("interruptions")
        if info is not None and len(info["out_of_norm"]):
            flags.append("outside norms")
        confidence = diarization.get(s.id)
        if confidence is not None and confidence < 0.6:
            flags.append("uncertain speakers")
        flags += [
            name
            for name, hit in (("commented", commented), ("coach reviewed", reviewed), ("disputed", disputed))
            if s.id in hit
        ]
        rows.append(
            {
                "call": s.id,
                "date": _naive_utc(s.created_at),
                "agent": names.get(s.agent_id, s.agent_id),
                "agent_id": s.agent_id,
                "team": s.team_id,
                "type": s.call_type + (" (private)" if s.is_private else ""),
                "language": s.language,
                "duration_s": round(s.duration_s, 1),
                "score": None if score is None or score != score else round(float(score)),
                "flags": ", ".join(flags),
                "contact_id": s.contact_id,
                "file": s.source_filename,
            }
        )
    table = pd.DataFrame(
        rows,
        columns=[
            "call",
            "date",
            "agent",
            "agent_id",
            "team",
            "type",
            "language",
            "duration_s",
            "score",
            "flags",
            "contact_id",
            "file",
        ],
    )
    table["date"] = pd.to_datetime(table["date"])
    return _filter(table, f)


def _naive_utc(value: datetime) -> pd.Timestamp:
    stamp = pd.Timestamp(value)
    return stamp if stamp.tzinfo is None else stamp.tz_convert("UTC").tz_localize(None)


def _counted(session: Any, column: Any, ids: list[str], *where: Any) -> set[str]:
    query = select(column, func.count()).where(column.in_(ids), *where).group_by(column)
    return {call_id for call_id, _ in session.execute(query)}


def _filter(table: pd.DataFrame, f: CallFilters) -> pd.DataFrame:
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


@dataclass(frozen=True)
class CallReview:
    """Everything the review page shows of one call, and what the user may do there."""

    analysis: Analysis
    checklist: dict[str, Any]  # with overrides applied (see coaching.checklist.reviews.apply_reviews)
    comments: tuple[Comment, ...]
    edits: tuple[dict[str, Any], ...]
    audio_path: str | None
    agent_name: str
    created_at: datetime
    call_type: str
    is_private: bool
    scenario_title: str | None
    can_override: bool
    can_respond: bool
    can_comment: bool
    can_correct: bool
    can_share: bool


def call_review(user: User, db: Database, call_id: str) -> CallReview:
    """One call for the review page (access checked by :func:`coaching.services.calls.get_analysis`)."""
    analysis = get_analysis(user, call_id, db=db)
    with db.transaction() as session:
        ctx = call_context(session, call_id)
        row = session.get(CallRow, call_id)
        assert row is not None
        agent = session.get(AgentRow, row.agent_id)
        attempt = session.get(PracticeAttemptRow, call_id)
        checklist = apply_reviews(current_checklist(session, call_id), reviews_of(session, call_id))
        comments = tuple(comments_of(session, call_id))
        edits = tuple(
            {
                "when": e.created_at,
                "by": e.author_id,
                "kind": e.kind,
                "segment": e.position,
                "old": e.old_text,
                "new": e.new_text,
            }
            for e in session.scalars(
                select(TranscriptEditRow).where(TranscriptEditRow.call_id == call_id).order_by(TranscriptEditRow.id)
            )
        )
        audio = row.audio_path if row.audio_path and Path(row.audio_path).is_file() else None
        created, call_type, private = row.created_at, row.call_type, bool(row.is_private)
        agent_name = agent.name if agent else row.agent_id
    scenario = get_scenario(attempt.scenario_id, analysis.call.language) if attempt else None
    return CallReview(
        analysis=analysis,
        checklist=checklist,
        comments=comments,
        edits=edits,
        audio_path=audio,
        agent_name=agent_name,
        created_at=created,
        call_type=call_type,
        is_private=private,
        scenario_title=scenario.title if scenario else None,
        can_override=can_override_items(user, ctx),
        can_respond=can_respond_to_items(user, ctx),
        can_comment=can_comment(user, ctx),
        can_correct=can_correct_transcript(user, ctx),
        can_share=can_share_practice(user, ctx),
    )
