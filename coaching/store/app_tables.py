"""Tables of the app: users, settings, checklist versions, jobs, feedback, practice, coaching sessions.

Created by migration 0003. Rows are written only through the service modules in ``coaching/``.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, DateTime, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, Session, mapped_column

from coaching.store.base import Base


class AppUserRow(Base):
    """Someone who signs in: role, the agent they are (agents) and the teams they coach (coaches)."""

    __tablename__ = "app_users"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))
    subject: Mapped[str | None] = mapped_column(String(255), nullable=True, unique=True, index=True)  # identity (0005)
    email: Mapped[str | None] = mapped_column(String(320), nullable=True, index=True)  # verified e-mail (0005)
    agent_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    team_ids: Mapped[list] = mapped_column(JSON, default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


DEFAULT_KNOWLEDGE_AREAS = ("payment plans", "energy bills", "fees and terms")


class AppSettingRow(Base):
    """One organisation-wide preference (languages, model, knowledge areas) as JSON."""

    __tablename__ = "app_settings"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[dict] = mapped_column(JSON)
    updated_by: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


def knowledge_areas(session: Session) -> tuple[str, ...]:
    """The organisation's knowledge areas (competences coaches rate), or :data:`DEFAULT_KNOWLEDGE_AREAS`."""
    row = session.get(AppSettingRow, "knowledge_areas")
    areas = (row.value or {}).get("value") if row is not None else None
    return tuple(areas) if areas is not None else DEFAULT_KNOWLEDGE_AREAS


class ChecklistVersionRow(Base):
    """A saved checklist file; the active row scores new analyses and corrections."""

    __tablename__ = "checklist_versions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    checklist_id: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer)
    version_id: Mapped[str] = mapped_column(String(120), unique=True)
    source_text: Mapped[str] = mapped_column(Text)
    note: Mapped[str] = mapped_column(Text, default="")
    is_active: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class JobRow(Base):
    """A queued analysis (``kind`` analyze: an upload; batch: a file of a batch run): status queued → running →
    done | failed, with progress and a one-line error; claimed with a lease (:mod:`coaching.store.queue`)."""

    __tablename__ = "jobs"
    __table_args__ = (Index("ix_jobs_status_kind_created_at", "status", "kind", "created_at"),)  # claims (0007)
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), default="analyze")
    status: Mapped[str] = mapped_column(String(16), index=True)
    stage: Mapped[str] = mapped_column(String(200), default="")
    fraction: Mapped[float] = mapped_column(Float, default=0.0)
    user_id: Mapped[str] = mapped_column(String(64), index=True)
    acting_user: Mapped[dict] = mapped_column(JSON)
    agent_id: Mapped[str] = mapped_column(String(64))
    params: Mapped[dict] = mapped_column(JSON)
    call_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    # leases (0007): who runs the job until when; claims so far; the batch run; what was analysed with what
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    lease_owner: Mapped[str | None] = mapped_column(String(120), nullable=True)
    lease_expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    heartbeat_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    batch_id: Mapped[str | None] = mapped_column(String(40), nullable=True, index=True)
    audio_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    fingerprint: Mapped[str | None] = mapped_column(String(64), nullable=True)


class CommentRow(Base):
    """A comment on a call, optionally at a time in the call."""

    __tablename__ = "call_comments"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    call_id: Mapped[str] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    at_s: Mapped[float | None] = mapped_column(Float, nullable=True)
    text: Mapped[str] = mapped_column(Text)
    author_id: Mapped[str] = mapped_column(String(64))
    author_name: Mapped[str] = mapped_column(String(200))
    author_role: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ItemReviewRow(Base):
    """A person's view of one checklist item of one call; the newest row per (call, item, side) counts.

    ``kind``: ``override`` (coach side; ``passed`` None clears it), ``acknowledge`` or ``dispute`` (agent side;
    ``passed`` is what the agent holds true: the shown result for acknowledge, its opposite for dispute).
    """

    __tablename__ = "item_reviews"
    __table_args__ = (Index("ix_item_reviews_call_id_kind", "call_id", "kind"),)  # call-list flags (migration 0004)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    call_id: Mapped[str] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))
    passed: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    auto_passed: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    author_id: Mapped[str] = mapped_column(String(64))
    author_role: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class TranscriptEditRow(Base):
    """A transcript correction (text edit or speaker swap). ``status``: ``applied`` (by a coach or on the
    agent's own practice call), ``proposed`` (an agent's correction of a real call, waiting for a coach),
    ``accepted`` or ``rejected`` (decided by ``decided_by``)."""

    __tablename__ = "transcript_edits"
    __table_args__ = (Index("ix_transcript_edits_call_id_status", "call_id", "status"),)  # pending flags (0005)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    call_id: Mapped[str] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    position: Mapped[int | None] = mapped_column(Integer, nullable=True)
    old_text: Mapped[str] = mapped_column(Text, default="")
    new_text: Mapped[str] = mapped_column(Text, default="")
    author_id: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(16), default="applied")
    decided_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class PracticeAttemptRow(Base):
    """A practice call and its scenario; ``shared_at`` set while the agent shares it with the coach."""

    __tablename__ = "practice_attempts"
    call_id: Mapped[str] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), primary_key=True)
    agent_id: Mapped[str] = mapped_column(String(64), index=True)
    scenario_id: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    shared_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class CoachingSessionRow(Base):
    """A coaching session with one agent; ``agenda`` is the snapshot of patterns it was built from."""

    __tablename__ = "coaching_sessions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    agent_id: Mapped[str] = mapped_column(ForeignKey("agents.id"), index=True)
    coach_id: Mapped[str] = mapped_column(String(64))
    held_on: Mapped[date] = mapped_column(Date)
    agenda: Mapped[list] = mapped_column(JSON, default=list)
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ActionItemRow(Base):
    """Something the agent agreed to work on, with a due date."""

    __tablename__ = "action_items"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("coaching_sessions.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(Text)
    item_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    due_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    done_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class CoachRatingRow(Base):
    """A coach's rating of an agent in one competence, 1 (learning) to 4 (expert)."""

    __tablename__ = "coach_ratings"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    agent_id: Mapped[str] = mapped_column(ForeignKey("agents.id"), index=True)
    competence: Mapped[str] = mapped_column(String(64))
    level: Mapped[int] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(Text, default="")
    rated_by: Mapped[str] = mapped_column(String(64))
    rated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
