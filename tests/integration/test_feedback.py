"""Comments, coach overrides and agent acknowledge / dispute: rules, access and the effective checklist."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from coaching.access import User
from coaching.checklist.reviews import apply_reviews
from coaching.errors import AccessError, FeedbackError, NotFoundError
from coaching.services.feedback import (
    add_comment,
    delete_comment,
    list_comments,
    override_item,
    respond_to_item,
)
from coaching.store.db import Database
from coaching.store.feedback import current_checklist, reviews_of

pytest_plugins = ("tests.app_helpers",)
People = Callable[[str], User]


def _auto(db: Database, call_id: str, item_id: str) -> bool | None:
    with db.transaction() as session:
        return current_checklist(session, call_id).item(item_id).passed


def test_comments_come_back_in_call_time_order_and_only_to_readers(app_db: Database, people: People) -> None:
    coach, agent = people("coach-north"), people("aino")
    add_comment(coach, app_db, "t-aino-2", text="Later moment", at_s=40.0)
    add_comment(agent, app_db, "t-aino-2", text="Whole call note")
    add_comment(coach, app_db, "t-aino-2", text="  Early moment  ", at_s=3.5)
    assert [(c.at_s, c.text) for c in list_comments(agent, app_db, "t-aino-2")] == [
        (3.5, "Early moment"),
        (40.0, "Later moment"),
        (None, "Whole call note"),
    ]
    with pytest.raises(AccessError):
        list_comments(people("coach-south"), app_db, "t-aino-2")  # another team's coach
    with pytest.raises(AccessError):
        add_comment(people("emma"), app_db, "t-aino-2", text="not my call")


def test_a_comment_needs_text_and_a_valid_time(app_db: Database, people: People) -> None:
    coach = people("coach-north")
    with pytest.raises(FeedbackError, match="needs some text"):
        add_comment(coach, app_db, "t-aino-2", text="   ")
    with pytest.raises(FeedbackError, match="negative"):
        add_comment(coach, app_db, "t-aino-2", text="x", at_s=-1)
    with pytest.raises(NotFoundError):
        add_comment(coach, app_db, "no-such-call", text="x")


def test_only_the_author_or_a_manager_deletes_a_comment(app_db: Database, people: People) -> None:
    comment = add_comment(people("coach-north"), app_db, "t-aino-2", text="mine", at_s=1.0)
    with pytest.raises(AccessError):
        delete_comment(people("aino"), app_db, comment.id)
    delete_comment(people("manager"), app_db, comment.id)
    assert all(c.id != comment.id for c in list_comments(people("aino"), app_db, "t-aino-2"))


def test_private_practice_calls_take_no_coach_feedback(app_db: Database, people: People) -> None:
    with pytest.raises(AccessError):
        add_comment(people("coach-north"), app_db, "t-aino-practice", text="hi")
    with pytest.raises(AccessError):
        override_item(people("coach-north"), app_db, "t-aino-practice", "greeting", passed=False, reason="x")


def test_an_override_that_changes_the_result_needs_a_reason_and_changes_the_score(
    app_db: Database, people: People
) -> None:
    coach = people("coach-north")
    assert _auto(app_db, "t-aino-1", "greeting") is False
    with pytest.raises(FeedbackError, match="reason is required"):
        override_item(coach, app_db, "t-aino-1", "greeting", passed=True, reason=" ")
    override_item(coach, app_db, "t-aino-1", "greeting", passed=True, reason="Greeted in other words")
    with app_db.transaction() as session:
        checklist = current_checklist(session, "t-aino-1")
        effective = apply_reviews(checklist, reviews_of(session, "t-aino-1"))
    greeting = effective.item("greeting")
    assert greeting.passed is True and greeting.auto_passed is False
    assert greeting.override is not None and greeting.override.reason == "Greeted in other words"
    assert effective.auto_score == checklist.score
    assert (effective.score or 0.0) > (checklist.score or 0.0)
    assert checklist.item("greeting").passed is False  # the automatic result is kept


def test_confirming_needs_no_reason_and_clearing_returns_to_automatic(app_db: Database, people: People) -> None:
    coach = people("coach-north")
    auto = _auto(app_db, "t-aino-1", "options")
    override_item(coach, app_db, "t-aino-1", "options", passed=auto, reason="")
    override_item(coach, app_db, "t-aino-1", "options", passed=not auto, reason="Heard it at 0:40")
    override_item(coach, app_db, "t-aino-1", "options", passed=None, reason="")
    with app_db.transaction() as session:
        effective = apply_reviews(current_checklist(session, "t-aino-1"), reviews_of(session, "t-aino-1"))
    options = effective.item("options")
    assert options.passed is auto and options.override is None


def test_agents_cannot_override_and_coaches_cannot_respond(app_db: Database, people: People) -> None:
    with pytest.raises(AccessError):
        override_item(people("aino"), app_db, "t-aino-1", "greeting", passed=True, reason="I did")
    with pytest.raises(AccessError):
        respond_to_item(people("coach-north"), app_db, "t-aino-1", "greeting", agrees=True)
    with pytest.raises(AccessError):
        respond_to_item(people("emma"), app_db, "t-aino-1", "greeting", agrees=True)


def test_agent_acknowledges_or_disputes_the_result_shown_after_overrides(app_db: Database, people: People) -> None:
    agent, coach = people("aino"), people("coach-north")
    ack = respond_to_item(agent, app_db, "t-aino-1", "greeting", agrees=True)
    assert (ack.kind, ack.passed, ack.auto_passed) == ("acknowledge", False, False)
    with pytest.raises(FeedbackError, match="reason is required"):
        respond_to_item(agent, app_db, "t-aino-1", "greeting", agrees=False)
    override_item(coach, app_db, "t-aino-1", "greeting", passed=True, reason="counts")
    dispute = respond_to_item(agent, app_db, "t-aino-1", "greeting", agrees=False, reason="I did not greet properly")
    assert (dispute.kind, dispute.passed) == ("dispute", False)  # disputes the coach's pass
    with app_db.transaction() as session:
        latest = reviews_of(session, "t-aino-1")[("greeting", "response")]
    assert latest.kind == "dispute"
