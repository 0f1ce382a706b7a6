"""The append-only audit log: who did what to which object, and when. Rows are only ever inserted (the
database refuses UPDATE and DELETE on ``audit_log``, migration 0005); ``detail`` never holds call content."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import DateTime, Integer, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from coaching.store.base import Base

AUDIT_ACTIONS: tuple[str, ...] = (  # what an entry may say happened
    "analyze",
    "open",
    "play",
    "export",
    "correct",
    "propose_correction",
    "accept_correction",
    "reject_correction",
    "rescore",
    "reanalyze",
    "override",
    "share",
    "unshare",
    "comment",
    "delete",
    "erase",
    "legal_hold",
    "import_surveys",
    "change_user",
    "change_team",
    "change_retention",
    "change_settings",
    "change_checklist",
    "activate_checklist",
    "retention_run",
    "read_audit",
)
REPEAT_S = 600.0  # opening / playing a call or reading the log again within this many seconds is one entry


class AuditRow(Base):
    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    actor_id: Mapped[str] = mapped_column(String(64), index=True)
    actor_role: Mapped[str] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(32), index=True)
    object_kind: Mapped[str] = mapped_column(String(32))
    object_id: Mapped[str | None] = mapped_column(String(128), nullable=True, index=True)
    detail: Mapped[str] = mapped_column(Text, default="")


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: datetime
    actor_id: str
    actor_role: str
    action: str
    object_kind: str
    object_id: str | None
    detail: str


def append_entry(
    session: Session,
    *,
    actor_id: str,
    actor_role: str,
    action: str,
    object_kind: str,
    object_id: str | None,
    detail: str = "",
    at: datetime | None = None,
    coalesce_s: float | None = None,
) -> bool:
    """Add one entry in the caller's transaction (it commits with the change it records); returns whether it did.

    ``coalesce_s``: skip the entry when the same actor did the same action to the same object within that many
    seconds (a page that re-runs on every click opens the call once, not once per click)."""
    if action not in AUDIT_ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    now = at or datetime.now(UTC)
    if coalesce_s is not None and _recent(session, actor_id, action, object_kind, object_id, now, coalesce_s):
        return False
    session.add(
        AuditRow(
            at=now,
            actor_id=actor_id,
            actor_role=actor_role,
            action=action,
            object_kind=object_kind,
            object_id=object_id,
            detail=detail,
        )
    )
    return True


def _recent(
    session: Session,
    actor_id: str,
    action: str,
    object_kind: str,
    object_id: str | None,
    now: datetime,
    within_s: float,
) -> bool:
    same_object = AuditRow.object_id.is_(None) if object_id is None else AuditRow.object_id == object_id
    query = select(AuditRow.id).where(
        AuditRow.actor_id == actor_id,
        AuditRow.action == action,
        AuditRow.object_kind == object_kind,
        same_object,
        AuditRow.at >= now - timedelta(seconds=within_s),
    )
    return session.scalars(query.limit(1)).first() is not None


def read_entries(
    session: Session,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    actor_id: str | None = None,
    actions: Sequence[str] = (),
    object_id: str | None = None,
    limit: int | None = None,
) -> list[AuditEntry]:
    """Entries matching every filter given, oldest first."""
    query = select(AuditRow).order_by(AuditRow.id)
    if since is not None:
        query = query.where(AuditRow.at >= since)
    if until is not None:
        query = query.where(AuditRow.at < until)
    if actor_id is not None:
        query = query.where(AuditRow.actor_id == actor_id)
    if actions:
        query = query.where(AuditRow.action.in_(list(actions)))
    if object_id is not None:
        query = query.where(AuditRow.object_id == object_id)
    if limit is not None:
        query = query.order_by(None).order_by(AuditRow.id.desc()).limit(limit)
    rows = session.scalars(query).all()
    entries = [
        AuditEntry(r.id, r.at, r.actor_id, r.actor_role, r.action, r.object_kind, r.object_id, r.detail) for r in rows
    ]
    return sorted(entries, key=lambda e: e.id)
