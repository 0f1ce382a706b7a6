"""Repository for calls and their analyses: save one analysis in one transaction, read it back."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, delete, exists, func, select
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql import Subquery

from coaching.checklist.types import ChecklistResult
from coaching.errors import ConflictError, NotFoundError, NotVisibleError, StoreError
from coaching.jsonable import from_jsonable
from coaching.metrics.types import CallMetrics
from coaching.models import Analysis, CallInfo, Segment, SpeechSpan, Transcript, Word
from coaching.scopes import CallContext, CallScope
from coaching.store.app_tables import TranscriptEditRow
from coaching.store.languages import call_language, set_call_language
from coaching.store.scope import call_scope_where
from coaching.store.tables import AgentRow, AnalysisRow, CallRow, SegmentRow, SpeechSpanRow, TeamRow, WordRow


@dataclass(frozen=True)
class CallSummary:
    """One row of a call list."""

    id: str
    agent_id: str
    team_id: str | None
    created_at: datetime
    duration_s: float
    language: str
    channel_mode: str
    call_type: str
    is_private: bool
    score: float | None
    source_filename: str | None
    contact_id: str | None
    correction_pending: bool = False  # an agent's transcript correction waits for a coach
    corrected: bool = False  # the transcript was corrected (by a coach, or a proposal they accepted)


CORRECTED_STATUSES = ("applied", "accepted")  # transcript_edits.status values that changed the transcript
CORRECTION_PENDING = exists().where(TranscriptEditRow.call_id == CallRow.id, TranscriptEditRow.status == "proposed")
CORRECTED = exists().where(TranscriptEditRow.call_id == CallRow.id, TranscriptEditRow.status.in_(CORRECTED_STATUSES))


def is_current_analysis() -> ColumnElement[bool]:
    """Condition on ``AnalysisRow``: it is its call's current analysis, the newest row (highest id) of the call.

    The one definition of a call's current analysis (:func:`current_analysis_ids` and
    :func:`current_analysis_row` apply it); as ``NOT EXISTS`` a newer row it is an index probe per row, so
    queries that join a page of calls, or group many, never build the whole list first.
    """
    newer = aliased(AnalysisRow)
    return ~exists().where(newer.call_id == AnalysisRow.call_id, newer.id > AnalysisRow.id)


def current_analysis_ids() -> Subquery:
    """The current analysis of each call (:func:`is_current_analysis`): columns ``call_id`` and ``analysis_id``,
    one row per call that has an analysis; join ``AnalysisRow.id == sub.c.analysis_id``. Older rows stay (they
    keep their checklist version).
    """
    return (
        select(AnalysisRow.call_id, AnalysisRow.id.label("analysis_id"))
        .where(is_current_analysis())
        .subquery("current_analysis")
    )


def current_analysis_row(session: Session, call_id: str) -> AnalysisRow | None:
    """The current analysis row of one call (see :func:`current_analysis_ids`), or None."""
    return session.scalars(
        select(AnalysisRow).where(AnalysisRow.call_id == call_id).order_by(AnalysisRow.id.desc()).limit(1)
    ).first()


def ensure_agent(session: Session, agent_id: str, *, name: str | None = None, team_id: str | None = None) -> AgentRow:
    """The agent row, created (with its team) when missing."""
    agent = session.get(AgentRow, agent_id)
    if agent is None:  # inserted unless another worker just did (two batch workers, one new agent)
        if team_id is not None and session.get(TeamRow, team_id) is None:
            _insert_if_missing(session, TeamRow, {"id": team_id, "name": team_id})  # the team before its agent
        _insert_if_missing(session, AgentRow, {"id": agent_id, "name": name or agent_id, "team_id": team_id})
        agent = session.get(AgentRow, agent_id)
        if agent is None:
            raise StoreError(f"agent {agent_id!r} could not be created")
    return agent


def _insert_if_missing(session: Session, table: type[Any], values: dict[str, Any]) -> None:
    """INSERT … ON CONFLICT DO NOTHING (SQLite and PostgreSQL): a row another transaction added meanwhile stays."""
    from sqlalchemy.dialects import postgresql, sqlite

    if session.get_bind().dialect.name == "postgresql":
        session.execute(postgresql.insert(table).values(**values).on_conflict_do_nothing())
    else:
        session.execute(sqlite.insert(table).values(**values).on_conflict_do_nothing())


def save_analysis(
    session: Session,
    analysis: Analysis,
    *,
    audio_path: str,
    call_type: str = "real",
    is_private: bool = False,
    now: datetime | None = None,
    customer_id: str | None = None,
) -> None:
    """Insert or replace the call, its transcript and its analysis (same audio → same call); ``customer_id``
    (for erasure) is kept from an earlier save when not given."""
    call = analysis.call
    created = now or datetime.now(UTC)
    row = session.get(CallRow, call.id)
    if row is not None and row.agent_id != call.agent_id:
        raise ConflictError("this recording is already stored for another agent")  # names no call and no agent
    ensure_agent(session, call.agent_id)
    if row is None:
        row = CallRow(id=call.id, created_at=created, call_type=call_type, is_private=is_private)
        session.add(row)
    row.agent_id = call.agent_id
    row.contact_id = call.contact_id
    if customer_id is not None:
        row.customer_id = customer_id
    row.audio_sha256 = call.audio_sha256
    row.audio_path = audio_path
    row.source_filename = call.source_filename
    row.duration_s = call.duration_s
    row.language = call.language
    row.channel_mode = call.channel_mode
    row.model_name = call.model_name
    row.diarization_confidence = analysis.transcript.diarization_confidence
    set_call_language(row, analysis.transcript.language_check)
    row.warnings = list(call.warnings) or None
    session.flush()
    replace_transcript(session, call.id, analysis.transcript)
    session.execute(delete(AnalysisRow).where(AnalysisRow.call_id == call.id))
    add_analysis_row(session, analysis, now=created)


def replace_transcript(session: Session, call_id: str, transcript: Transcript) -> None:
    """Replace the stored segments, words and speech spans of a call."""
    segment_ids = select(SegmentRow.id).where(SegmentRow.call_id == call_id)
    session.execute(delete(WordRow).where(WordRow.segment_id.in_(segment_ids)))
    session.execute(delete(SegmentRow).where(SegmentRow.call_id == call_id))
    session.execute(delete(SpeechSpanRow).where(SpeechSpanRow.call_id == call_id))
    for position, seg in enumerate(transcript.segments):
        seg_row = SegmentRow(
            call_id=call_id, position=position, speaker=seg.speaker, start_s=seg.start_s, end_s=seg.end_s, text=seg.text
        )
        session.add(seg_row)
        session.flush()
        session.add_all(
            WordRow(
                segment_id=seg_row.id,
                position=i,
                word=w.word,
                start_s=w.start_s,
                end_s=w.end_s,
                probability=w.probability,
                suspect=w.suspect,
            )
            for i, w in enumerate(seg.words)
        )
    session.add_all(
        SpeechSpanRow(call_id=call_id, speaker=s.speaker, start_s=s.start_s, end_s=s.end_s)
        for s in transcript.speech_spans
    )


def add_analysis_row(session: Session, analysis: Analysis, *, now: datetime | None = None) -> None:
    """Add a scored analysis; the newest row is the current one (older rows keep their checklist version)."""
    checklist = analysis.checklist.to_dict()
    session.add(
        AnalysisRow(
            call_id=analysis.call.id,
            created_at=now or datetime.now(UTC),
            schema_version=analysis.schema_version,
            checklist_version=str(checklist["version"]),
            score=checklist["score"],
            metrics=analysis.metrics.to_dict(),
            checklist=checklist,
        )
    )


def load_analysis(session: Session, call_id: str) -> Analysis:
    """The call with its transcript and current analysis; :class:`NotFoundError` if absent."""
    row = session.get(CallRow, call_id)
    if row is None:
        raise NotFoundError(f"no call {call_id!r}")
    current = current_analysis_row(session, call_id)
    segments = session.scalars(select(SegmentRow).where(SegmentRow.call_id == call_id).order_by(SegmentRow.position))
    words_by_segment: dict[int, list[Word]] = {}
    word_rows = session.scalars(
        select(WordRow)
        .join(SegmentRow, WordRow.segment_id == SegmentRow.id)
        .where(SegmentRow.call_id == call_id)
        .order_by(WordRow.segment_id, WordRow.position)
    )
    for w in word_rows:
        words_by_segment.setdefault(w.segment_id, []).append(Word(w.word, w.start_s, w.end_s, w.probability, w.suspect))
    spans = session.scalars(
        select(SpeechSpanRow).where(SpeechSpanRow.call_id == call_id).order_by(SpeechSpanRow.start_s)
    )
    transcript = Transcript(
        language=row.language,
        segments=tuple(
            Segment(s.speaker, s.start_s, s.end_s, s.text, tuple(words_by_segment.get(s.id, ())))  # type: ignore[arg-type]
            for s in segments
        ),
        speech_spans=tuple(SpeechSpan(s.speaker, s.start_s, s.end_s) for s in spans),  # type: ignore[arg-type]
        channel_mode=row.channel_mode,  # type: ignore[arg-type]
        diarization_confidence=row.diarization_confidence,
        language_probability=row.language_probability,
        language_check=call_language(row),
    )
    info = CallInfo(
        id=row.id,
        agent_id=row.agent_id,
        duration_s=row.duration_s,
        language=row.language,
        audio_sha256=row.audio_sha256,
        channel_mode=row.channel_mode,  # type: ignore[arg-type]
        model_name=row.model_name,
        contact_id=row.contact_id,
        source_filename=row.source_filename,
        warnings=tuple(row.warnings or ()),
    )
    if current is None:
        raise NotFoundError(f"call {call_id!r} has no analysis")
    return Analysis(info, transcript, *results_of(current))


def results_of(row: AnalysisRow) -> tuple[CallMetrics, ChecklistResult]:
    """The typed metrics and checklist result of an analysis row; :class:`StoreError` when the JSON does not fit."""
    try:
        return from_jsonable(CallMetrics, row.metrics), ChecklistResult.from_dict(row.checklist)
    except (KeyError, TypeError, ValueError) as error:
        raise StoreError(f"analysis {row.id} of call {row.call_id!r} cannot be read: {error}") from None


def list_call_summaries(
    session: Session, *, agent_ids: list[str] | None = None, scope: CallScope | None = None
) -> list[CallSummary]:
    """Calls, newest first, with their current score; ``agent_ids`` None means all agents; ``scope`` narrows to
    the calls a user may open (:func:`coaching.access.call_scope`)."""
    latest = current_analysis_ids()
    query = (
        select(
            CallRow.id,
            CallRow.agent_id,
            AgentRow.team_id,
            CallRow.created_at,
            CallRow.duration_s,
            CallRow.language,
            CallRow.channel_mode,
            CallRow.call_type,
            CallRow.is_private,
            AnalysisRow.score.label("score"),
            CallRow.source_filename,
            CallRow.contact_id,
            CORRECTION_PENDING.label("correction_pending"),
            CORRECTED.label("corrected"),
        )
        .join(AgentRow, AgentRow.id == CallRow.agent_id)
        .outerjoin(latest, latest.c.call_id == CallRow.id)
        .outerjoin(AnalysisRow, AnalysisRow.id == latest.c.analysis_id)
        .order_by(CallRow.created_at.desc(), CallRow.id)
    )
    if agent_ids is not None:
        query = query.where(CallRow.agent_id.in_(agent_ids))
    if scope is not None:
        query = query.where(call_scope_where(scope))
    return [
        CallSummary(
            **{**row._asdict(), "correction_pending": bool(row.correction_pending), "corrected": bool(row.corrected)}
        )
        for row in session.execute(query)
    ]


def call_by_audio(session: Session, audio_sha256: str) -> CallRow | None:
    """The stored call of a recording (``calls.audio_sha256``: the sha256 of the uploaded original), or None."""
    return session.scalars(select(CallRow).where(CallRow.audio_sha256 == audio_sha256)).first()


def has_corrections(session: Session, call_id: str) -> bool:
    """Whether the call's transcript was corrected (applied or accepted corrections)."""
    found = session.scalar(
        select(TranscriptEditRow.id)
        .where(TranscriptEditRow.call_id == call_id, TranscriptEditRow.status.in_(CORRECTED_STATUSES))
        .limit(1)
    )
    return found is not None


def count_calls(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(CallRow)) or 0)


def call_context(session: Session, call_id: str) -> CallContext:
    """The owner of ``call_id`` for access checks; :class:`NotVisibleError` when there is no such call (the same
    answer :func:`coaching.access.require_read` gives for a call the user may not open)."""
    row = session.get(CallRow, call_id)
    if row is None:
        raise NotVisibleError.of("call", call_id)
    agent = session.get(AgentRow, row.agent_id)
    return CallContext(
        call_id=row.id,
        agent_id=row.agent_id,
        team_id=agent.team_id if agent else None,
        is_private=bool(row.is_private),
        call_type=row.call_type,
    )


def agent_team(session: Session, agent_id: str) -> str | None:
    """The team of ``agent_id``; :class:`NotFoundError` when there is no such agent."""
    agent = session.get(AgentRow, agent_id)
    if agent is None:
        raise NotFoundError(f"no agent {agent_id!r}")
    return agent.team_id
