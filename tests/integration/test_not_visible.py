"""A missing and a forbidden record get the same answer: one exception type and one message (the id aside), so
an id tells nobody whether someone else's call, comment, correction, session or action item exists."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from coaching.access import User
from coaching.errors import AccessError, NotFoundError, NotVisibleError
from coaching.services.calls import call_audio, get_analysis
from coaching.services.corrections import edit_segment, list_corrections, swap_call_speakers
from coaching.services.feedback import add_comment, delete_comment, list_comments, override_item, respond_to_item
from coaching.services.practice import practice_feedback, share_practice_call
from coaching.services.sessions import add_action, save_notes, set_action_done, start_session
from coaching.settings import Settings
from coaching.store.db import Database
from coaching.views.calls import call_review

pytest_plugins = ("tests.app_helpers",)
People = Callable[[str], User]
MISSING = "call-0123456789abcdef"

CALL_FUNCTIONS: dict[str, Callable[[User, Database, Settings, str], Any]] = {
    "get_analysis": lambda u, db, s, c: get_analysis(u, c, db=db),
    "call_review": lambda u, db, s, c: call_review(u, db, c),
    "call_audio": lambda u, db, s, c: call_audio(u, db, c),
    "list_comments": lambda u, db, s, c: list_comments(u, db, c),
    "add_comment": lambda u, db, s, c: add_comment(u, db, c, text="x"),
    "override_item": lambda u, db, s, c: override_item(u, db, c, "greeting", passed=False, reason="x"),
    "respond_to_item": lambda u, db, s, c: respond_to_item(u, db, c, "greeting", agrees=True),
    "edit_segment": lambda u, db, s, c: edit_segment(u, db, c, position=0, text="x", settings=s),
    "swap_call_speakers": lambda u, db, s, c: swap_call_speakers(u, db, c, settings=s),
    "list_corrections": lambda u, db, s, c: list_corrections(u, db, c),
    "practice_feedback": lambda u, db, s, c: practice_feedback(u, db, c),
    "share_practice_call": lambda u, db, s, c: share_practice_call(u, db, c, shared=True),
}
# who, a call they may not open (another agent's, another team's, a private practice call)
FORBIDDEN = [("aino", "t-emma-2"), ("eero", "t-aino-1"), ("coach-south", "t-aino-2"), ("manager", "t-aino-practice")]


def _answer(action: Callable[[], Any], object_id: str) -> tuple[type[BaseException], str]:
    with pytest.raises(NotFoundError) as caught:
        action()
    return type(caught.value), str(caught.value).replace(object_id, "<id>")


@pytest.mark.parametrize("function", list(CALL_FUNCTIONS))
@pytest.mark.parametrize("who, call_id", FORBIDDEN)
def test_a_call_one_may_not_open_answers_like_a_missing_one(
    app_db: Database, app_settings: Settings, people: People, function: str, who: str, call_id: str
) -> None:
    run, user = CALL_FUNCTIONS[function], people(who)
    forbidden = _answer(lambda: run(user, app_db, app_settings, call_id), call_id)
    missing = _answer(lambda: run(user, app_db, app_settings, MISSING), MISSING)
    assert forbidden == missing == (NotVisibleError, "call '<id>' not found or not yours")
    assert issubclass(NotVisibleError, AccessError)  # code that catches AccessError still does


def test_comments_sessions_and_action_items_of_others_answer_like_missing_ones(
    app_db: Database, people: People
) -> None:
    comment = add_comment(people("coach-north"), app_db, "t-aino-2", text="north only")
    held = start_session(people("coach-north"), app_db, "aino", held_on=date.today())
    action = add_action(people("coach-north"), app_db, held, text="greet first", due_on=None)
    outsiders = [people("coach-south"), people("emma"), people("eero")]
    cases: list[tuple[Callable[[User, int], Any], int, int]] = [
        (lambda u, i: delete_comment(u, app_db, i), comment.id, 987654),
        (lambda u, i: save_notes(u, app_db, i, "x"), held, 987654),
        (lambda u, i: add_action(u, app_db, i, text="x", due_on=None), held, 987654),
        (lambda u, i: set_action_done(u, app_db, i, done=True), action, 987654),
    ]
    for run, real_id, missing_id in cases:
        for user in outsiders:
            forbidden = _answer(lambda: run(user, real_id), str(real_id))  # noqa: B023 - called at once
            missing = _answer(lambda: run(user, missing_id), str(missing_id))  # noqa: B023
            assert forbidden == missing and forbidden[0] is NotVisibleError
            assert "not found or not yours" in forbidden[1]
    # the agent sees their own session's action item and marks it done
    assert set_action_done(people("aino"), app_db, action, done=True) is True
