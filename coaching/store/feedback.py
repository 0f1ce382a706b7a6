"""Reads of the feedback tables: comments on a call, the newest review per checklist item and side, and the
transcript corrections of a call with where each stands."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from coaching.checklist.reviews import Review, side_of
from coaching.checklist.types import ChecklistResult
from coaching.errors import NotFoundError
from coaching.store.app_tables import CommentRow, ItemReviewRow, TranscriptEditRow
from coaching.store.calls import current_analysis_row, results_of

APPLIED, PROPOSED, ACCEPTED, REJECTED = "applied", "proposed", "accepted", "rejected"  # transcript_edits.status


@dataclass(frozen=True)
class Comment:
    id: int
    call_id: str
    at_s: float | None
    text: str
    author_id: str
    author_name: str
    author_role: str
    created_at: datetime


def comment_of(row: CommentRow) -> Comment:
    return Comment(
        row.id, row.call_id, row.at_s, row.text, row.author_id, row.author_name, row.author_role, row.created_at
    )


def comments_of(session: Session, call_id: str) -> list[Comment]:
    """Comments on a call, in call-time order (comments without a time last)."""
    rows = session.scalars(select(CommentRow).where(CommentRow.call_id == call_id).order_by(CommentRow.id)).all()
    return sorted((comment_of(r) for r in rows), key=lambda c: (c.at_s is None, c.at_s or 0.0, c.id))


def review_of(row: ItemReviewRow) -> Review:
    return Review(row.item_id, row.kind, row.passed, row.auto_passed, row.reason, row.author_id, row.created_at)


def reviews_of(session: Session, call_id: str) -> dict[tuple[str, str], Review]:
    """Newest review per (item id, side) of a call; side is ``override`` or ``response``."""
    rows = session.scalars(select(ItemReviewRow).where(ItemReviewRow.call_id == call_id).order_by(ItemReviewRow.id))
    return {(r.item_id, side_of(r.kind)): review_of(r) for r in rows}


def current_checklist(session: Session, call_id: str) -> ChecklistResult:
    """The checklist result of the current analysis of a call; :class:`NotFoundError` when it has none."""
    row = current_analysis_row(session, call_id)
    if row is None:
        raise NotFoundError(f"call {call_id!r} has no analysis")
    return results_of(row)[1]


@dataclass(frozen=True)
class Correction:
    """One transcript correction of a call and where it stands (``status``: applied, proposed, accepted,
    rejected). ``kind`` is ``text`` (segment ``position``: ``old_text`` → ``new_text``) or ``swap``."""

    id: int
    call_id: str
    kind: str
    position: int | None
    old_text: str
    new_text: str
    author_id: str
    created_at: datetime
    status: str
    decided_by: str | None
    decided_at: datetime | None

    @property
    def pending(self) -> bool:
        return self.status == PROPOSED


def correction_of(row: TranscriptEditRow) -> Correction:
    return Correction(
        id=row.id,
        call_id=row.call_id,
        kind=row.kind,
        position=row.position,
        old_text=row.old_text,
        new_text=row.new_text,
        author_id=row.author_id,
        created_at=row.created_at,
        status=row.status or APPLIED,
        decided_by=row.decided_by,
        decided_at=row.decided_at,
    )


def corrections_of(session: Session, call_id: str) -> list[Correction]:
    """The transcript corrections of a call, oldest first."""
    rows = session.scalars(
        select(TranscriptEditRow).where(TranscriptEditRow.call_id == call_id).order_by(TranscriptEditRow.id)
    )
    return [correction_of(r) for r in rows]
