"""Read models of the call list (with filters and flags) and of one call's review page.

The call list asks the database only for the calls the acting user may open (:func:`coaching.access.call_scope`)
and narrows by date, type, agent, score and flags in SQL where it can; what SQL cannot decide (the labels out
of norm, the score after coach overrides) is checked on the rows that come back. Flag thresholds come
from the norms file (:func:`coaching.metrics.norms.flag_rules`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any, NamedTuple

import pandas as pd
from sqlalchemy import ColumnElement, Select, and_, exists, false, or_, select
from sqlalchemy.orm import Session

from coaching.access import (
    User,
    call_scope,
    can_comment,
    can_correct_transcript,
    can_decide_correction,
    can_override_items,
    can_reanalyse_call,
    can_respond_to_items,
    can_share_practice,
    require_read,
)
from coaching.checklist.quality import TranscriptQuality
from coaching.checklist.reviews import ReviewedChecklist, apply_reviews
from coaching.checklist.scoring import transcript_quality
from coaching.metrics.norms import FlagRules, flag_rules
from coaching.models import Analysis
from coaching.store.app_tables import CommentRow, ItemReviewRow, PracticeAttemptRow
from coaching.store.audit import REPEAT_S, append_entry
from coaching.store.calls import (
    CORRECTED,
    CORRECTION_PENDING,
    call_context,
    current_analysis_ids,
    is_current_analysis,
    load_analysis,
)
from coaching.store.db import Database
from coaching.store.feedback import Comment, comments_of, corrections_of, reviews_of
from coaching.store.results import effective_scores
from coaching.store.scope import call_scope_exists, call_scope_where
from coaching.store.tables import AgentRow, AnalysisRow, CallRow

FLAGS = (
    "low score",
    "long silence",
    "interruptions",
    "outside norms",
    "uncertain speakers",
    "commented",
    "coach reviewed",
    "disputed",
    "correction pending",
    "corrected",
    "language doubtful",
)


class ListedCall(NamedTuple):
    """One row of :func:`call_table`."""

    call: str
    date: pd.Timestamp  # naive UTC
    agent: str
    agent_id: str
    team: str | None
    type: str  # "real", "practice" or "practice (private)"
    language: str
    duration_s: float
    score: int | None  # after coach overrides, rounded
    flags: str  # names of FLAGS, comma separated
    contact_id: str | None
    file: str | None


class TranscriptEdit(NamedTuple):
    """One logged transcript correction; ``status``: applied, proposed (waiting for a coach), accepted, rejected."""

    when: datetime
    by: str
    kind: str
    segment: int | None
    old: str
    new: str
    status: str = "applied"
    id: int = 0


COLUMNS = ListedCall._fields


@dataclass(frozen=True)
class CallFilters:
    since: date | None = None
    until: date | None = None
    call_types: tuple[str, ...] = ()
    min_score: float | None = None
    max_score: float | None = None
    flags: tuple[str, ...] = ()  # a call matches when it has any of them
    agent_ids: tuple[str, ...] = ()


_COMMENTED = exists().where(CommentRow.call_id == CallRow.id)
_REVIEWED = exists().where(ItemReviewRow.call_id == CallRow.id, ItemReviewRow.kind == "override")
_DISPUTED = exists().where(ItemReviewRow.call_id == CallRow.id, ItemReviewRow.kind == "dispute")


def call_table(
    user: User, db: Database, filters: CallFilters | None = None, *, limit: int | None = None, offset: int = 0
) -> pd.DataFrame:
    """The calls ``user`` may open, newest first, with score and flags, narrowed by ``filters``; with ``limit``
    only that many from the ``offset``-th match on (a page; a few queries however many calls there are).

    ``score`` is the score after coach overrides, rounded; ``flags`` the names of :data:`FLAGS` that apply.
    """
    f, rules = filters or CallFilters(), flag_rules()
    query = call_list_query(user, f, rules)
    exact = _sql_is_exact(f)
    pages: list[pd.DataFrame] = []
    with db.transaction() as session:
        if limit is None:
            pages.append(_checked(session, session.execute(query).all(), f, rules))
        else:  # rows SQL keeps but the exact filters drop are read past, in growing batches
            position, wanted, batch = (offset, limit, limit) if exact else (0, offset + limit, 2 * (offset + limit))
            while True:
                ids = list(session.scalars(call_page_query(user, f, rules).limit(batch).offset(position)))
                rows = session.execute(query.where(CallRow.id.in_(ids))).all() if ids else []
                pages.append(_checked(session, rows, f, rules))
                position += len(ids)
                if len(ids) < batch or sum(len(p) for p in pages) >= wanted:
                    break
                batch *= 2
    table = pd.concat(pages, ignore_index=True) if len(pages) > 1 else pages[0]
    if limit is not None:
        table = table.iloc[0 if exact else offset :][:limit].reset_index(drop=True)
    return table


def _checked(session: Session, rows: Sequence[Any], f: CallFilters, rules: FlagRules) -> pd.DataFrame:
    """The list rows of ``rows`` (scores after coach overrides, flags) that pass the exact filters."""
    reviewed = [r.id for r in rows if r.reviewed]
    overridden = effective_scores(session, reviewed) if reviewed else {}
    table = pd.DataFrame([_row(r, overridden.get(r.id, r.score), rules) for r in rows], columns=list(COLUMNS))
    table["date"] = pd.to_datetime(table["date"])
    return _filter(table, f)


def _sql_is_exact(f: CallFilters) -> bool:
    """Whether the SQL conditions keep exactly the calls :func:`_filter` keeps (no score bounds, no flag that is
    read from the metric figures or from the score after coach overrides)."""
    decided = {"uncertain speakers", "commented", "coach reviewed", "disputed", "correction pending", "corrected"}
    decided.add("language doubtful")
    return f.min_score is None and f.max_score is None and all(flag in decided for flag in f.flags)


def call_list_query(user: User, f: CallFilters, rules: FlagRules) -> Select[*tuple[Any, ...]]:
    """The calls ``user`` may open with what the list shows; filters that SQL can decide are in the query."""
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
            CallRow.contact_id,
            CallRow.source_filename,
            CallRow.diarization_confidence,
            CallRow.language_flags,
            AgentRow.name.label("agent_name"),
            AgentRow.team_id,
            AnalysisRow.score,
            AnalysisRow.flagged_silences,  # figures of the metrics JSON, stored beside it (coaching.store.figures)
            AnalysisRow.interruptions,
            AnalysisRow.out_of_norm,
            _COMMENTED.label("commented"),
            _REVIEWED.label("reviewed"),
            _DISPUTED.label("disputed"),
            CORRECTION_PENDING.label("correction_pending"),
            CORRECTED.label("corrected"),
        )
        .join(AgentRow, AgentRow.id == CallRow.agent_id)
        .outerjoin(latest, latest.c.call_id == CallRow.id)
        .outerjoin(AnalysisRow, AnalysisRow.id == latest.c.analysis_id)
        .where(call_scope_where(call_scope(user)))
        .order_by(CallRow.created_at.desc(), CallRow.id)
    )
    return query.where(*_sql_filters(f, rules))


def call_page_query(user: User, f: CallFilters, rules: FlagRules) -> Select[str]:
    """Ids of the calls of :func:`call_list_query`, in its order, from the calls table alone (the current analysis
    joined only for filters that read it), so that a page walks the date index instead of sorting every call."""
    query = select(CallRow.id).where(call_scope_exists(call_scope(user)), *_sql_filters(f, rules))
    if f.min_score is not None or f.max_score is not None or f.flags:
        query = query.outerjoin(AnalysisRow, and_(AnalysisRow.call_id == CallRow.id, is_current_analysis()))
    return query.order_by(CallRow.created_at.desc(), CallRow.id)


def _sql_filters(f: CallFilters, rules: FlagRules) -> list[ColumnElement[bool]]:
    """Conditions that keep at least every call :func:`_filter` keeps (a score changed by a coach override and
    the labels out of norm are decided on the rows)."""
    where: list[ColumnElement[bool]] = []
    if f.since is not None:
        where.append(CallRow.created_at >= datetime.combine(f.since, time(), tzinfo=UTC))
    if f.until is not None:
        where.append(CallRow.created_at < datetime.combine(f.until + timedelta(days=1), time(), tzinfo=UTC))
    if f.call_types:
        where.append(CallRow.call_type.in_(f.call_types))
    if f.agent_ids:
        where.append(CallRow.agent_id.in_(f.agent_ids))
    score = AnalysisRow.score
    if f.min_score is not None:  # the list shows round(score); a missing score counts as -1
        missing = [score.is_(None)] if f.min_score <= -1 else []
        where.append(or_(_REVIEWED, score >= f.min_score - 0.5, *missing))
    if f.max_score is not None:  # ... and as 1000 here
        missing = [score.is_(None)] if f.max_score >= 1000 else []
        where.append(or_(_REVIEWED, score <= f.max_score + 0.5, *missing))
    if f.flags:
        by_flag = {
            "low score": or_(_REVIEWED, score < rules.low_score),
            "long silence": AnalysisRow.flagged_silences > 0,
            "interruptions": AnalysisRow.interruptions >= rules.min_interruptions,
            "uncertain speakers": CallRow.diarization_confidence < rules.min_speaker_confidence,
            "commented": _COMMENTED,
            "coach reviewed": _REVIEWED,
            "disputed": _DISPUTED,
            "correction pending": CORRECTION_PENDING,
            "corrected": CORRECTED,
            "language doubtful": CallRow.language_flags != "",
        }
        if all(flag in by_flag or flag not in FLAGS for flag in f.flags):
            where.append(or_(false(), *(by_flag[flag] for flag in f.flags if flag in by_flag)))
    return where


def call_flags(row: Any, score: float | None, rules: FlagRules) -> list[str]:
    """The names of :data:`FLAGS` that apply to one row of :func:`call_list_query` (``score`` after overrides)."""
    checks = (
        ("low score", score is not None and score == score and score < rules.low_score),
        ("long silence", (row.flagged_silences or 0) > 0),
        ("interruptions", (row.interruptions or 0) >= rules.min_interruptions),
        ("outside norms", bool(row.out_of_norm)),
        (
            "uncertain speakers",
            row.diarization_confidence is not None and row.diarization_confidence < rules.min_speaker_confidence,
        ),
        ("commented", bool(row.commented)),
        ("coach reviewed", bool(row.reviewed)),
        ("disputed", bool(row.disputed)),
        ("correction pending", bool(row.correction_pending)),
        ("corrected", bool(row.corrected)),
        ("language doubtful", bool(row.language_flags)),  # coaching.models.LanguageCheck.flags
    )
    return [name for name, hit in checks if hit]


def _row(row: Any, score: float | None, rules: FlagRules) -> ListedCall:
    return ListedCall(
        call=row.id,
        date=_naive_utc(row.created_at),
        agent=row.agent_name,
        agent_id=row.agent_id,
        team=row.team_id,
        type=row.call_type + (" (private)" if row.is_private else ""),
        language=row.language,
        duration_s=round(row.duration_s, 1),
        score=None if score is None or score != score else round(float(score)),
        flags=", ".join(call_flags(row, score, rules)),
        contact_id=row.contact_id,
        file=row.source_filename,
    )


def _naive_utc(value: datetime) -> pd.Timestamp:
    stamp = pd.Timestamp(value)
    return stamp if stamp.tzinfo is None else stamp.tz_convert("UTC").tz_localize(None)


def _filter(table: pd.DataFrame, f: CallFilters) -> pd.DataFrame:
    """The exact filters on the rows SQL returned (SQL may keep a few more, never fewer)."""
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
    checklist: ReviewedChecklist  # with overrides applied
    comments: tuple[Comment, ...]
    edits: tuple[TranscriptEdit, ...]
    audio_path: str | None
    agent_name: str
    created_at: datetime
    call_type: str
    is_private: bool
    scenario_id: str | None  # practice calls: the scenario (coaching.services.practice.get_scenario)
    can_override: bool
    can_respond: bool
    can_comment: bool
    can_correct: bool
    can_share: bool
    can_decide: bool = False  # corrections apply at once, and proposals wait for this user's decision
    quality: TranscriptQuality | None = None  # how sure the recogniser was, per speaker
    can_reanalyse: bool = False  # analyse the call again with its language forced


def call_review(user: User, db: Database, call_id: str) -> CallReview:
    """One call for the review page, if ``user`` may open it (:class:`AccessError` otherwise)."""
    with db.transaction() as session:
        ctx = call_context(session, call_id)
        require_read(user, ctx)
        analysis = load_analysis(session, call_id)
        row = session.get(CallRow, call_id)
        assert row is not None
        agent_name = session.scalar(select(AgentRow.name).where(AgentRow.id == row.agent_id)) or row.agent_id
        scenario_id = session.scalar(
            select(PracticeAttemptRow.scenario_id).where(PracticeAttemptRow.call_id == call_id)
        )
        checklist = apply_reviews(analysis.checklist, reviews_of(session, call_id))
        comments = tuple(comments_of(session, call_id))
        edits = tuple(
            TranscriptEdit(c.created_at, c.author_id, c.kind, c.position, c.old_text, c.new_text, c.status, c.id)
            for c in corrections_of(session, call_id)
        )
        audio = row.audio_path if row.audio_path and Path(row.audio_path).is_file() else None
        created, call_type, private = row.created_at, row.call_type, bool(row.is_private)
        append_entry(  # opening a call's transcript and analysis is recorded (the store checks the action)
            session,
            actor_id=user.id,
            actor_role=user.role,
            action="open",
            object_kind="call",
            object_id=call_id,
            coalesce_s=REPEAT_S,
        )
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
        scenario_id=scenario_id,
        can_override=can_override_items(user, ctx),
        can_respond=can_respond_to_items(user, ctx),
        can_comment=can_comment(user, ctx),
        can_correct=can_correct_transcript(user, ctx),
        can_share=can_share_practice(user, ctx),
        can_decide=can_decide_correction(user, ctx),
        can_reanalyse=can_reanalyse_call(user, ctx),
        quality=analysis.checklist.quality or transcript_quality(analysis.transcript),
    )
