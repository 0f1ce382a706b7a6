"""Practice: a scenario library (fi/sv/en), practice attempts, feedback on an attempt, and sharing.

A practice call is analysed like any call but stored with ``call_type="practice"`` and ``is_private=True``:
only the agent sees it until the agent shares it with the coach (:func:`share_practice_call`).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from typing import Any

import yaml
from sqlalchemy import select

from coaching.access import User, call_scope, can_share_practice, require, require_read
from coaching.checklist.reviews import ReviewedChecklist, ReviewedItem, apply_reviews
from coaching.errors import InputError, NotFoundError
from coaching.models import Analysis
from coaching.services.audit import record
from coaching.services.calls import get_analysis
from coaching.settings import SUPPORTED_LANGUAGES
from coaching.store.app_tables import PracticeAttemptRow
from coaching.store.calls import call_context, current_analysis_ids
from coaching.store.db import Database
from coaching.store.feedback import reviews_of
from coaching.store.scope import call_scope_where
from coaching.store.tables import AgentRow, AnalysisRow, CallRow
from coaching.store.totals import refill_item_totals


@dataclass(frozen=True)
class Scenario:
    """One practice scenario in one language."""

    id: str
    language: str
    title: str
    situation: str
    opening: str
    good: tuple[str, ...]
    focus: tuple[str, ...]
    difficulty: str


@dataclass(frozen=True)
class Attempt:
    call_id: str
    scenario_id: str
    title: str
    created_at: datetime
    score: float | None
    shared: bool


@dataclass(frozen=True)
class PracticeFeedback:
    """An attempt's analysis with the scenario's focus items first and the score of the previous attempt."""

    analysis: Analysis
    scenario: Scenario | None
    checklist: ReviewedChecklist
    focus_items: tuple[ReviewedItem, ...]
    other_items: tuple[ReviewedItem, ...]
    previous_score: float | None
    shared: bool


@functools.cache
def load_scenarios() -> tuple[Scenario, ...]:
    """Every scenario in every language, from ``coaching/services/data/scenarios.yaml``."""
    text = resources.files("coaching.services").joinpath("data/scenarios.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    found = []
    for entry in data["scenarios"]:
        for language, body in entry["text"].items():
            found.append(
                Scenario(
                    id=str(entry["id"]),
                    language=str(language),
                    title=str(body["title"]),
                    situation=str(body["situation"]).strip(),
                    opening=str(body["opening"]),
                    good=tuple(str(g) for g in body["good"]),
                    focus=tuple(str(f) for f in entry.get("focus", ())),
                    difficulty=str(entry.get("difficulty", "medium")),
                )
            )
    return tuple(found)


def scenarios_for(language: str) -> tuple[Scenario, ...]:
    """The scenarios in one language."""
    if language not in SUPPORTED_LANGUAGES:
        raise InputError(f"language {language!r} must be one of {', '.join(SUPPORTED_LANGUAGES)}")
    return tuple(s for s in load_scenarios() if s.language == language)


def get_scenario(scenario_id: str, language: str) -> Scenario | None:
    """A scenario in ``language``, else in English, else None."""
    by_key = {(s.id, s.language): s for s in load_scenarios()}
    return by_key.get((scenario_id, language)) or by_key.get((scenario_id, "en"))


def record_attempt(db: Database, *, call_id: str, agent_id: str, scenario_id: str | None) -> None:
    """Link a stored practice call to its scenario (called by the job worker after the analysis); a real call
    never becomes a practice attempt."""
    with db.transaction() as session:
        call = session.get(CallRow, call_id)
        if call is None or call.call_type != "practice" or call.agent_id != agent_id:
            raise InputError(f"call {call_id!r} is not a practice call of this agent")
        row = session.get(PracticeAttemptRow, call_id)
        if row is None:
            session.add(
                PracticeAttemptRow(
                    call_id=call_id,
                    agent_id=agent_id,
                    scenario_id=scenario_id or "free",
                    created_at=datetime.now(UTC),
                )
            )
        else:
            row.scenario_id = scenario_id or row.scenario_id


def list_attempts(user: User, db: Database) -> list[Attempt]:
    """The signed-in agent's practice attempts, newest first (practice is private, so only one's own), with the
    current score, in one query."""
    if user.role != "agent" or not user.agent_id:
        return []
    current = current_analysis_ids()
    query = (
        select(PracticeAttemptRow, CallRow.language, CallRow.is_private, AnalysisRow.score)
        .join(CallRow, CallRow.id == PracticeAttemptRow.call_id)
        .join(AgentRow, AgentRow.id == CallRow.agent_id)
        .outerjoin(current, current.c.call_id == CallRow.id)
        .outerjoin(AnalysisRow, AnalysisRow.id == current.c.analysis_id)
        .where(call_scope_where(call_scope(user)))
        .order_by(PracticeAttemptRow.created_at.desc())
    )
    with db.transaction() as session:
        rows = session.execute(query).all()
    attempts = []
    for row, language, private, score in rows:
        scenario = get_scenario(row.scenario_id, language)
        title = scenario.title if scenario else "free practice"
        attempts.append(Attempt(row.call_id, row.scenario_id, title, row.created_at, score, not private))
    return attempts


def _scores(session: Any, call_ids: list[str]) -> dict[str, float | None]:
    current = current_analysis_ids()
    rows = session.execute(
        select(AnalysisRow.call_id, AnalysisRow.score)
        .join(current, AnalysisRow.id == current.c.analysis_id)
        .where(AnalysisRow.call_id.in_(call_ids))
    ).all()
    return {call_id: score for call_id, score in rows}


def practice_feedback(user: User, db: Database, call_id: str) -> PracticeFeedback:
    """Feedback on one practice attempt: focus items of its scenario first, then the rest."""
    analysis = get_analysis(user, call_id, db=db)
    with db.transaction() as session:
        require_read(user, call_context(session, call_id))
        attempt = session.get(PracticeAttemptRow, call_id)
        checklist = apply_reviews(analysis.checklist, reviews_of(session, call_id))
        row = session.get(CallRow, call_id)
        shared = bool(row and not row.is_private)
        previous = None
        if attempt is not None:
            earlier = session.scalars(
                select(PracticeAttemptRow.call_id)
                .where(
                    PracticeAttemptRow.agent_id == attempt.agent_id,
                    PracticeAttemptRow.scenario_id == attempt.scenario_id,
                    PracticeAttemptRow.created_at < attempt.created_at,
                )
                .order_by(PracticeAttemptRow.created_at.desc())
                .limit(1)
            ).first()
            previous = _scores(session, [earlier]).get(earlier) if earlier else None
    scenario = get_scenario(attempt.scenario_id, analysis.call.language) if attempt else None
    focus = scenario.focus if scenario else ()
    items = checklist.items
    by_id = {i.id: i for i in items}
    return PracticeFeedback(
        analysis=analysis,
        scenario=scenario,
        checklist=checklist,
        focus_items=tuple(by_id[f] for f in focus if f in by_id),
        other_items=tuple(i for i in items if i.id not in focus),
        previous_score=previous,
        shared=shared,
    )


def share_practice_call(user: User, db: Database, call_id: str, *, shared: bool) -> bool:
    """The agent shares a practice call with the team's coach (and managers), or stops sharing it; returns
    whether it is shared now."""
    with db.transaction() as session:
        ctx = call_context(session, call_id)
        require_read(user, ctx)  # a call one may not open: the same answer as a missing one
        require(can_share_practice(user, ctx), user=user, action=f"share call {call_id!r}")
        row = session.get(CallRow, call_id)
        if row is None:
            raise NotFoundError(f"no call {call_id!r}")
        row.is_private = not shared
        session.flush()
        refill_item_totals(session, [row.agent_id])  # a shared call counts in the team's calibration
        attempt = session.get(PracticeAttemptRow, call_id)
        if attempt is not None:
            attempt.shared_at = datetime.now(UTC) if shared else None
        record(session, user, action="share" if shared else "unshare", object_kind="call", object_id=call_id)
    return shared
