"""Feedback on a call: timestamped comments, coach overrides of checklist items, agent acknowledge / dispute.

Overrides and responses never change the stored automatic result; :func:`coaching.checklist.reviews.apply_reviews`
lays them over it.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.orm import Session

from coaching.access import (
    User,
    can_comment,
    can_override_items,
    can_respond_to_items,
    may_read,
    require,
    require_read,
)
from coaching.checklist.reviews import ACKNOWLEDGE, DISPUTE, OVERRIDE, Review, effective_passed
from coaching.checklist.types import ItemResult
from coaching.errors import FeedbackError, NotFoundError, NotVisibleError
from coaching.redaction import environment_policy, redact_text
from coaching.services.audit import record
from coaching.store.app_tables import CommentRow, ItemReviewRow
from coaching.store.calls import call_context
from coaching.store.db import Database
from coaching.store.feedback import Comment, comment_of, comments_of, current_checklist, review_of, reviews_of

MAX_COMMENT_CHARS = 2000


def _now() -> datetime:
    return datetime.now(UTC)


def add_comment(user: User, db: Database, call_id: str, *, text: str, at_s: float | None = None) -> Comment:
    """Add a comment, at ``at_s`` seconds into the call when given."""
    clean = redact_text(text.strip(), None, environment_policy())  # ids, cards, e-mails typed in a comment
    if not clean:
        raise FeedbackError("a comment needs some text")
    if len(clean) > MAX_COMMENT_CHARS:
        raise FeedbackError(f"a comment may have at most {MAX_COMMENT_CHARS} characters (this has {len(clean)})")
    if at_s is not None and at_s < 0:
        raise FeedbackError(f"comment time {at_s} s must not be negative")
    with db.transaction() as session:
        ctx = call_context(session, call_id)
        require_read(user, ctx)  # a call one may not open gets the answer of a missing one
        require(can_comment(user, ctx), user=user, action=f"comment on call {call_id!r}")
        row = CommentRow(
            call_id=call_id,
            at_s=None if at_s is None else round(float(at_s), 2),
            text=clean,
            author_id=user.id,
            author_name=user.name or user.id,
            author_role=user.role,
            created_at=_now(),
        )
        session.add(row)
        session.flush()
        record(session, user, action="comment", object_kind="comment", object_id=call_id, detail=f"comment {row.id}")
        return comment_of(row)


def list_comments(user: User, db: Database, call_id: str) -> list[Comment]:
    """Comments on a call, in call-time order (comments without a time last)."""
    with db.transaction() as session:
        require_read(user, call_context(session, call_id))
        return comments_of(session, call_id)


def delete_comment(user: User, db: Database, comment_id: int) -> None:
    """The author (or a manager) deletes a comment."""
    with db.transaction() as session:
        row = session.get(CommentRow, comment_id)
        if row is None or not may_read(user, call_context(session, row.call_id)):
            raise NotVisibleError.of("comment", comment_id)
        require(user.id == row.author_id or user.role == "manager", user=user, action="delete another's comment")
        session.delete(row)
        record(
            session, user, action="delete", object_kind="comment", object_id=row.call_id, detail=f"comment {comment_id}"
        )


def override_item(user: User, db: Database, call_id: str, item_id: str, *, passed: bool | None, reason: str) -> Review:
    """A coach confirms (same as automatic) or overrides an item; ``passed`` None returns it to automatic.

    A reason is required whenever the coach's result differs from the automatic one.
    """
    with db.transaction() as session:
        ctx = call_context(session, call_id)
        require_read(user, ctx)
        require(can_override_items(user, ctx), user=user, action=f"override checklist results of call {call_id!r}")
        auto = _auto_item(session, call_id, item_id)
        if passed is not None and passed != auto.passed and not reason.strip():
            raise FeedbackError(f"say why you change {item_id!r}: a reason is required for an override")
        shown = "automatic" if passed is None else "passed" if passed else "failed"
        record(session, user, action="override", object_kind="call", object_id=call_id, detail=f"{item_id}: {shown}")
        return _add_review(session, user, call_id, item_id, OVERRIDE, passed, auto.passed, reason)


def respond_to_item(user: User, db: Database, call_id: str, item_id: str, *, agrees: bool, reason: str = "") -> Review:
    """The agent acknowledges (agrees) or disputes the result shown for an item; a dispute needs a reason."""
    with db.transaction() as session:
        ctx = call_context(session, call_id)
        require_read(user, ctx)
        require(can_respond_to_items(user, ctx), user=user, action=f"respond to results of call {call_id!r}")
        auto = _auto_item(session, call_id, item_id)
        shown = effective_passed(auto.passed, reviews_of(session, call_id).get((item_id, OVERRIDE)))
        if not agrees and not reason.strip():
            raise FeedbackError(f"say why you dispute {item_id!r}: a reason is required")
        if shown is None:
            raise FeedbackError(f"{item_id!r} has no pass or fail to acknowledge or dispute")
        kind, view = (ACKNOWLEDGE, shown) if agrees else (DISPUTE, not shown)
        return _add_review(session, user, call_id, item_id, kind, view, auto.passed, reason)


def _add_review(
    session: Session,
    user: User,
    call_id: str,
    item_id: str,
    kind: str,
    passed: bool | None,
    auto_passed: bool | None,
    reason: str,
) -> Review:
    row = ItemReviewRow(
        call_id=call_id,
        item_id=item_id,
        kind=kind,
        passed=passed,
        auto_passed=auto_passed,
        reason=redact_text(reason.strip(), None, environment_policy()),  # ids typed in a reason too
        author_id=user.id,
        author_role=user.role,
        created_at=_now(),
    )
    session.add(row)
    session.flush()
    return review_of(row)


def _auto_item(session: Session, call_id: str, item_id: str) -> ItemResult:
    for item in current_checklist(session, call_id).items:
        if item.id == item_id:
            return item
    raise NotFoundError(f"call {call_id!r} has no checklist item {item_id!r}")
