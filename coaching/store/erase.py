"""Deleting stored rows for retention and erasure: whole calls with every row that refers to them, a call's
audio only, survey answers, and an agent's own rows. Child rows are deleted explicitly (not every foreign key
cascades, and SQLite only cascades with its pragma on), in chunks short enough for an SQL ``IN``.

Functions return counts per kind of row and the file paths that no remaining row refers to; removing those
files is the caller's step, after the transaction commits.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import Delete, Engine, Update, delete, func, or_, select, text, update
from sqlalchemy.orm import Session

from coaching.store.app_tables import (
    ActionItemRow,
    AppUserRow,
    CoachingSessionRow,
    CoachRatingRow,
    CommentRow,
    ItemReviewRow,
    JobRow,
    PracticeAttemptRow,
    TranscriptEditRow,
)
from coaching.store.survey_tables import SurveyRow, chunks
from coaching.store.tables import AgentRow, AnalysisRow, CallRow, SegmentRow, SpeechSpanRow, WordRow
from coaching.store.totals import ItemTotalRow, call_agents, refill_item_totals

AUDIO_DELETED = "retention:deleted"
"""``calls.audio_path`` of a call whose recording the retention policy deleted (its transcript stays)."""

Counts = Counter[str]


def _run(session: Session, statement: Delete | Update) -> int:
    """Execute a bulk DELETE / UPDATE without touching the session's loaded objects; the rows it hit."""
    result = session.execute(statement.execution_options(synchronize_session=False))
    return int(getattr(result, "rowcount", 0) or 0)


def overwrite_deleted(session: Session) -> None:
    """SQLite: zero deleted content on disk (``secure_delete``) instead of leaving it in free pages."""
    if session.get_bind().dialect.name == "sqlite":
        session.execute(text("PRAGMA secure_delete=ON"))


def truncate_log(engine: Engine) -> None:
    """SQLite: copy the write-ahead log into the database and truncate it, so no old page image of deleted rows
    stays in the ``-wal`` file (best effort: a reader holding an old snapshot makes SQLite skip it)."""
    if engine.dialect.name == "sqlite":
        with engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")


# --- what to delete ------------------------------------------------------------------------------


def calls_stored_before(session: Session, before: datetime, *, with_audio: bool = False) -> list[str]:
    """Ids of calls stored before ``before`` and not under legal hold (``with_audio``: only those whose
    recording is still kept)."""
    query = select(CallRow.id).where(CallRow.created_at < before, CallRow.legal_hold.is_(False))
    if with_audio:
        query = query.where(CallRow.audio_path != AUDIO_DELETED)
    return list(session.scalars(query.order_by(CallRow.id)))


def count_held_before(session: Session, before: datetime) -> int:
    """Calls stored before ``before`` that a legal hold keeps."""
    query = select(func.count()).select_from(CallRow).where(CallRow.created_at < before, CallRow.legal_hold)
    return int(session.scalar(query) or 0)


def surveys_answered_before(session: Session, before: datetime) -> list[str]:
    """Contact ids of survey answers given before ``before``."""
    query = select(SurveyRow.contact_id).where(SurveyRow.answered_at < before)
    return list(session.scalars(query.order_by(SurveyRow.contact_id)))


def calls_of(session: Session, *, agent_id: str | None = None, customer_id: str | None = None) -> list[str]:
    """Ids of the calls of an agent or of a customer (held ones included)."""
    column = CallRow.agent_id if agent_id is not None else CallRow.customer_id
    return list(session.scalars(select(CallRow.id).where(column == (agent_id or customer_id)).order_by(CallRow.id)))


def held_among(session: Session, call_ids: Sequence[str]) -> list[str]:
    """The calls of ``call_ids`` under legal hold."""
    return [
        call_id
        for chunk in chunks(call_ids)
        for call_id in session.scalars(select(CallRow.id).where(CallRow.id.in_(chunk), CallRow.legal_hold))
    ]


def contact_ids_of(session: Session, call_ids: Sequence[str]) -> list[str]:
    """The survey contact ids the calls are linked to."""
    return [
        contact
        for chunk in chunks(call_ids)
        for contact in session.scalars(
            select(CallRow.contact_id).where(CallRow.id.in_(chunk), CallRow.contact_id.is_not(None))
        )
        if contact
    ]


# --- deleting ------------------------------------------------------------------------------------


def delete_calls(session: Session, call_ids: Sequence[str]) -> tuple[Counts, list[str]]:
    """Delete the calls with their transcript (segments, words, speech spans), analyses, comments, item reviews,
    transcript corrections, practice attempts and jobs. Returns the counts and the audio and upload files
    that no remaining call refers to."""
    counts: Counts = Counter()
    paths: set[str] = set()
    agents = {agent for chunk in chunks(call_ids) for agent in call_agents(session, chunk)}
    for chunk in chunks(call_ids):
        for audio, original in session.execute(
            select(CallRow.audio_path, CallRow.original_audio_path).where(CallRow.id.in_(chunk))
        ):
            paths.update(p for p in (audio, original) if p and p != AUDIO_DELETED)
        counts.update(_delete_jobs(session, JobRow.call_id.in_(chunk), paths))
        segment_ids = select(SegmentRow.id).where(SegmentRow.call_id.in_(chunk))
        counts["words"] += _run(session, delete(WordRow).where(WordRow.segment_id.in_(segment_ids)))
        for name, table in (
            ("segments", SegmentRow),
            ("speech_spans", SpeechSpanRow),
            ("analyses", AnalysisRow),
            ("comments", CommentRow),
            ("item_reviews", ItemReviewRow),
            ("transcript_edits", TranscriptEditRow),
            ("practice_attempts", PracticeAttemptRow),
        ):
            counts[name] += _run(session, delete(table).where(table.call_id.in_(chunk)))
        counts["calls"] += _run(session, delete(CallRow).where(CallRow.id.in_(chunk)))
    refill_item_totals(session, sorted(agents))  # the agents' item totals without these calls
    return counts, _unreferenced(session, paths)


def drop_audio(session: Session, call_ids: Sequence[str]) -> tuple[int, list[str]]:
    """Mark the calls' recordings (and any kept original) as deleted; the transcripts stay. Returns the number of
    calls changed and the files no remaining call refers to."""
    paths: set[str] = set()
    changed = 0
    for chunk in chunks(call_ids):
        for audio, original in session.execute(
            select(CallRow.audio_path, CallRow.original_audio_path).where(CallRow.id.in_(chunk))
        ):
            paths.update(p for p in (audio, original) if p and p != AUDIO_DELETED)
        values = {"audio_path": AUDIO_DELETED, "original_audio_path": None}
        changed += _run(session, update(CallRow).where(CallRow.id.in_(chunk)).values(**values))
    return changed, _unreferenced(session, paths)


def delete_surveys(
    session: Session,
    *,
    contact_ids: Sequence[str] = (),
    agent_id: str | None = None,
    customer_id: str | None = None,
) -> int:
    """Delete survey answers by contact id, and every answer about an agent or given by a customer."""
    deleted = sum(_run(session, delete(SurveyRow).where(SurveyRow.contact_id.in_(c))) for c in chunks(contact_ids))
    if agent_id is not None:
        deleted += _run(session, delete(SurveyRow).where(SurveyRow.agent_id == agent_id))
    if customer_id is not None:
        deleted += _run(session, delete(SurveyRow).where(SurveyRow.customer_id == customer_id))
    return deleted


def delete_agent_rows(session: Session, agent_id: str, *, keep_agent: bool) -> tuple[Counts, list[str]]:
    """An agent's coaching sessions (with their action items), competence ratings, jobs and their uploads, and
    their sign-in account (an agent's account; another role only loses the link). The agent row itself goes
    unless ``keep_agent`` (calls under legal hold still name the agent). Calls and surveys are deleted apart."""
    counts: Counts = Counter()
    sessions = select(CoachingSessionRow.id).where(CoachingSessionRow.agent_id == agent_id)
    counts["action_items"] = _run(session, delete(ActionItemRow).where(ActionItemRow.session_id.in_(sessions)))
    counts["coaching_sessions"] = _run(
        session, delete(CoachingSessionRow).where(CoachingSessionRow.agent_id == agent_id)
    )
    counts["coach_ratings"] = _run(session, delete(CoachRatingRow).where(CoachRatingRow.agent_id == agent_id))
    paths: set[str] = set()
    users = session.scalars(select(AppUserRow).where(AppUserRow.agent_id == agent_id)).all()
    user_ids = [u.id for u in users if u.role == "agent"]
    counts.update(_delete_jobs(session, or_(JobRow.agent_id == agent_id, JobRow.user_id.in_(user_ids)), paths))
    counts["app_users"] = _run(session, delete(AppUserRow).where(AppUserRow.id.in_(user_ids)))
    others = [u.id for u in users if u.role != "agent"]
    counts["app_user_links"] = _run(session, update(AppUserRow).where(AppUserRow.id.in_(others)).values(agent_id=None))
    if not keep_agent:
        session.execute(delete(ItemTotalRow).where(ItemTotalRow.agent_id == agent_id))  # counts, gone with the agent
        counts["agents"] = _run(session, delete(AgentRow).where(AgentRow.id == agent_id))
    return counts, sorted(paths)


def delete_jobs_for_customer(session: Session, customer_id: str) -> tuple[int, list[str]]:
    """Jobs (queued, running or finished) submitted with ``customer_id``, and their upload files."""
    ids = [job.id for job in session.scalars(select(JobRow)) if (job.params or {}).get("customer_id") == customer_id]
    paths: set[str] = set()
    deleted = sum(_delete_jobs(session, JobRow.id.in_(chunk), paths)["jobs"] for chunk in chunks(ids))
    return deleted, sorted(paths)


def _delete_jobs(session: Session, where: object, paths: set[str]) -> Counts:
    """Delete the jobs matching ``where``; add their upload files to ``paths``."""
    for params in session.scalars(select(JobRow.params).where(where)):  # type: ignore[arg-type]
        if isinstance(params, dict) and params.get("path"):
            paths.add(str(params["path"]))
    return Counter(jobs=_run(session, delete(JobRow).where(where)))  # type: ignore[arg-type]


def _unreferenced(session: Session, paths: Iterable[str]) -> list[str]:
    """The paths that no remaining call names as its audio or kept original (derived demo calls share one)."""
    left = []
    for path in sorted(set(paths)):
        used = select(CallRow.id).where(or_(CallRow.audio_path == path, CallRow.original_audio_path == path))
        if session.scalars(used.limit(1)).first() is None:
            left.append(path)
    return left
