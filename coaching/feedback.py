"""Feedback on a call: timestamped comments, coach overrides of checklist items, agent acknowledge / dispute.

Overrides and responses never change the stored automatic result; :func:`apply_reviews` lays them over it,
so the automatic result, the coach's view and the agent's view stay comparable (calibration).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from coaching.access import User, can_comment, can_override_items, can_respond_to_items, require, require_read
from coaching.errors import CoachingError, NotFoundError
from coaching.store.app_tables import CommentRow, ItemReviewRow
from coaching.store.calls import call_context
from coaching.store.db import Database
from coaching.store.tables import AnalysisRow

MAX_COMMENT_CHARS = 2000
OVERRIDE = "override"
ACKNOWLEDGE = "acknowledge"
DISPUTE = "dispute"


class FeedbackError(CoachingError):
    """A comment, override or response cannot be saved as given."""


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


@dataclass(frozen=True)
class Review:
    """The newest override (coach side) or response (agent side) of one item."""

    item_id: str
    kind: str
    passed: bool | None
    auto_passed: bool | None
    reason: str
    author_id: str
    created_at: datetime


def _now() -> datetime:
    return datetime.now(UTC)


def add_comment(user: User, db: Database, call_id: str, *, text: str, at_s: float | None = None) -> Comment:
    """Add a comment, at ``at_s`` seconds into the call when given."""
    clean = text.strip()
    if not clean:
        raise FeedbackError("a comment needs some text")
    if len(clean) > MAX_COMMENT_CHARS:
        raise FeedbackError(f"a comment may have at most {MAX_COMMENT_CHARS} characters (this has {len(clean)})")
    if at_s is not None and at_s < 0:
        raise FeedbackError(f"comment time {at_s} s must not be negative")
    with db.transaction() as session:
        ctx = call_context(session, call_id)
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
        return _comment(row)


def list_comments(user: User, db: Database, call_id: str) -> list[Comment]:
    """Comments on a call, in call-time order (comments without a time last)."""
    with db.transaction() as session:
        require_read(user, call_context(session, call_id))
        return comments_of(session, call_id)


def comments_of(session: Session, call_id: str) -> list[Comment]:
    rows = session.scalars(select(CommentRow).where(CommentRow.call_id == call_id).order_by(CommentRow.id)).all()
    return sorted((_comment(r) for r in rows), key=lambda c: (c.at_s is None, c.at_s or 0.0, c.id))


def delete_comment(user: User, db: Database, comment_id: int) -> None:
    """The author (or a manager) deletes a comment."""
    with db.transaction() as session:
        row = session.get(CommentRow, comment_id)
        if row is None:
            raise NotFoundError(f"no comment {comment_id}")
        require_read(user, call_context(session, row.call_id))
        require(user.id == row.author_id or user.role == "manager", user=user, action="delete another's comment")
        session.delete(row)


def _comment(row: CommentRow) -> Comment:
    return Comment(
        row.id, row.call_id, row.at_s, row.text, row.author_id, row.author_name, row.author_role, row.created_at
    )


def override_item(user: User, db: Database, call_id: str, item_id: str, *, passed: bool | None, reason: str) -> Review:
    """A coach confirms (same as automatic) or overrides an item; ``passed`` None returns it to automatic.

    A reason is required whenever the coach's result differs from the automatic one.
    """
    with db.transaction() as session:
        ctx = call_context(session, call_id)
        require(can_override_items(user, ctx), user=user, action=f"override checklist results of call {call_id!r}")
        auto = _auto_item(session, call_id, item_id)
        if passed is not None and passed != auto.get("passed") and not reason.strip():
            raise FeedbackError(f"say why you change {item_id!r}: a reason is required for an override")
        return _add_review(session, user, call_id, item_id, OVERRIDE, passed, auto.get("passed"), reason)


def respond_to_item(user: User, db: Database, call_id: str, item_id: str, *, agrees: bool, reason: str = "") -> Review:
    """The agent acknowledges (agrees) or disputes the result shown for an item; a dispute needs a reason."""
    with db.transaction() as session:
        ctx = call_context(session, call_id)
        require(can_respond_to_items(user, ctx), user=user, action=f"respond to results of call {call_id!r}")
        auto = _auto_item(session, call_id, item_id)
        shown = effective_passed(auto.get("passed"), reviews_of(session, call_id).get((item_id, OVERRIDE)))
        if not agrees and not reason.strip():
            raise FeedbackError(f"say why you dispute {item_id!r}: a reason is required")
        if shown is None:
            raise FeedbackError(f"{item_id!r} has no pass or fail to acknowledge or dispute")
        kind, view = (ACKNOWLEDGE, shown) if agrees else (DISPUTE, not shown)
        return _add_review(session, user, call_id, item_id, kind, view, auto.get("passed"), reason)


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
        reason=reason.strip(),
        author_id=user.id,
        author_role=user.role,
        created_at=_now(),
    )
    session.add(row)
    session.flush()
    return _review(row)


def _auto_item(session: Session, call_id: str, item_id: str) -> dict[str, Any]:
    checklist = current_checklist(session, call_id)
    for item in checklist.get("items", []):
        if item.get("id") == item_id:
            return dict(item)
    raise NotFoundError(f"call {call_id!r} has no checklist item {item_id!r}")


def current_checklist(session: Session, call_id: str) -> dict[str, Any]:
    """The checklist JSON of the newest analysis of a call ({} when none)."""
    row = session.scalars(
        select(AnalysisRow)
        .where(AnalysisRow.call_id == call_id)
        .order_by(AnalysisRow.created_at.desc(), AnalysisRow.id.desc())
        .limit(1)
    ).first()
    return dict(row.checklist) if row else {}


def side_of(kind: str) -> str:
    """Overrides are the coach side; acknowledge and dispute the agent side."""
    return OVERRIDE if kind == OVERRIDE else "response"


def reviews_of(session: Session, call_id: str) -> dict[tuple[str, str], Review]:
    """Newest review per (item id, side) of a call; side is ``override`` or ``response``."""
    rows = session.scalars(select(ItemReviewRow).where(ItemReviewRow.call_id == call_id).order_by(ItemReviewRow.id))
    return {(r.item_id, side_of(r.kind)): _review(r) for r in rows}


def _review(row: ItemReviewRow) -> Review:
    return Review(row.item_id, row.kind, row.passed, row.auto_passed, row.reason, row.author_id, row.created_at)


def effective_passed(auto_passed: bool | None, override: Review | None) -> bool | None:
    if override is not None and override.passed is not None:
        return override.passed
    return auto_passed


def weighted_score(items: list[dict[str, Any]]) -> float | None:
    """0–100: weight of passed items over the weight of items with a result (None when no item has one)."""
    judged = [i for i in items if isinstance(i.get("passed"), bool)]
    total = sum(float(i.get("weight", 1.0)) for i in judged)
    if not judged or total <= 0:
        return None
    return round(100.0 * sum(float(i.get("weight", 1.0)) for i in judged if i["passed"]) / total, 1)


def apply_reviews(checklist: dict[str, Any], reviews: dict[tuple[str, str], Review]) -> dict[str, Any]:
    """A copy of the checklist JSON with overrides applied: each item gains ``auto_passed``, ``override``
    and ``response``; ``score`` is recomputed when anything was overridden and ``auto_score`` keeps the original.
    """
    result = copy.deepcopy(checklist)
    changed = False
    for item in result.get("items", []):
        override = reviews.get((item.get("id"), OVERRIDE))
        response = reviews.get((item.get("id"), "response"))
        item["auto_passed"] = item.get("passed")
        item["passed"] = effective_passed(item.get("passed"), override)
        item["override"] = None if override is None or override.passed is None else override.__dict__
        item["response"] = None if response is None else response.__dict__
        changed = changed or item["passed"] != item["auto_passed"]
    result["auto_score"] = checklist.get("score")
    if changed:
        result["score"] = weighted_score(result.get("items", []))
    return result
