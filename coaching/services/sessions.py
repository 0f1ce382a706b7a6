"""Coaching sessions: an agenda from patterns that repeat across an agent's recent calls, notes, action items
with due dates, coach competence ratings, and a follow-up that shows whether each agenda pattern changed.

A pattern is a checklist item failed (after coach overrides) in at least :data:`MIN_REPEATS` of the agent's
last :data:`RECENT_CALLS` real calls, or a metric outside its norm band as often.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from coaching.access import User, can_coach_agent, can_read_agent, require_agent_read, require_coach
from coaching.errors import NotFoundError, NotVisibleError, SessionError
from coaching.jsonable import JsonObject, from_jsonable, to_jsonable
from coaching.redaction import environment_policy, redact_text
from coaching.store.app_tables import ActionItemRow, CoachingSessionRow, CoachRatingRow
from coaching.store.calls import agent_team
from coaching.store.db import Database
from coaching.store.results import Results, load_results, rows_where
from coaching.store.tables import AgentRow

RECENT_CALLS = 5
MIN_REPEATS = 3


@dataclass(frozen=True)
class Pattern:
    key: str  # "item:<id>" or "norm:<label>"
    label: str
    hits: int
    calls: int
    call_ids: tuple[str, ...]

    @property
    def text(self) -> str:
        return f"{self.label}: {self.hits} of the last {self.calls} calls"

    def agenda_entry(self) -> AgendaEntry:
        return AgendaEntry(key=self.key, label=self.label, hits=self.hits, calls=self.calls)


@dataclass(frozen=True)
class AgendaEntry:
    """A pattern as it stood when a session was held (stored with the session as JSON)."""

    key: str  # "item:<id>" or "norm:<label>"
    label: str
    hits: int
    calls: int

    @property
    def share(self) -> float:
        """Share of the calls with the pattern (0 when there were none)."""
        return self.hits / self.calls if self.calls else 0.0


@dataclass(frozen=True)
class ActionItem:
    id: int
    text: str
    item_id: str | None
    due_on: date | None
    done: bool
    overdue: bool


@dataclass(frozen=True)
class FollowUp:
    pattern: AgendaEntry
    calls_since: int
    hits_since: int
    verdict: str  # improved | unchanged | worse | no calls yet


@dataclass(frozen=True)
class SessionView:
    id: int
    agent_id: str
    coach_id: str
    held_on: date
    agenda: tuple[AgendaEntry, ...]
    notes: str
    actions: tuple[ActionItem, ...]
    follow_up: tuple[FollowUp, ...]


@dataclass(frozen=True)
class CoachingOverview:
    agent_id: str
    agent_name: str
    patterns: tuple[Pattern, ...]
    sessions: tuple[SessionView, ...]  # newest first
    can_edit: bool


def _now() -> datetime:
    return datetime.now(UTC)


def find_patterns(results: Results, *, recent: int = RECENT_CALLS, min_repeats: int = MIN_REPEATS) -> list[Pattern]:
    """Failed items and out-of-norm metrics repeating across the newest ``recent`` real calls."""
    calls = results.calls[results.calls["call_type"] == "real"].sort_values("created_at").tail(recent)
    ids = calls["call_id"].tolist()
    found: list[Pattern] = []
    items = results.items[results.items["call_id"].isin(ids)]
    for (item_id, label), group in items.groupby(["item_id", "label"], sort=False):
        failed = rows_where(group, "passed", False)
        if len(failed) >= min_repeats:
            found.append(Pattern(f"item:{item_id}", str(label), len(failed), len(ids), tuple(failed["call_id"])))
    norms: dict[str, list[str]] = {}
    for call_id, labels in zip(calls["call_id"], calls["out_of_norm"], strict=True):
        for label in labels:
            norms.setdefault(label, []).append(call_id)
    for label, hit_ids in norms.items():
        if len(hit_ids) >= min_repeats:
            found.append(Pattern(f"norm:{label}", f"{label} outside its norm", len(hit_ids), len(ids), tuple(hit_ids)))
    return sorted(found, key=lambda p: -p.hits)


def _hits(results: Results, key: str, call_ids: list[str]) -> int:
    kind, _, name = key.partition(":")
    if kind == "item":
        items = results.items[(results.items["call_id"].isin(call_ids)) & (results.items["item_id"] == name)]
        return len(rows_where(items, "passed", False))
    calls = results.calls[results.calls["call_id"].isin(call_ids)]
    return int(sum(1 for labels in calls["out_of_norm"] if name in labels))


def follow_up(
    results: Results, *, agenda: Sequence[AgendaEntry], since: date, recent: int = RECENT_CALLS
) -> list[FollowUp]:
    """For each agenda pattern: how often it happened in the real calls after ``since`` (up to ``recent``)."""
    start = pd.Timestamp(since, tz="UTC") + pd.Timedelta(days=1)
    calls = results.calls[(results.calls["call_type"] == "real") & (results.calls["created_at"] >= start)]
    ids = calls.sort_values("created_at")["call_id"].head(recent).tolist()
    out = []
    for entry in agenda:
        hits = _hits(results, entry.key, ids)
        before = entry.share
        after = hits / len(ids) if ids else 0.0
        if not ids:
            verdict = "no calls yet"
        elif after <= before - 0.2:
            verdict = "improved"
        elif after >= before + 0.2:
            verdict = "worse"
        else:
            verdict = "unchanged"
        out.append(FollowUp(entry, len(ids), hits, verdict))
    return out


def _agent(session: Session, agent_id: str) -> tuple[str, str | None]:
    agent = session.get(AgentRow, agent_id)
    if agent is None:
        raise NotFoundError(f"no agent {agent_id!r}")
    return agent.name, agent.team_id


def coaching_overview(user: User, db: Database, agent_id: str) -> CoachingOverview:
    """Current patterns, and every session with its agenda, notes, action items and follow-up."""
    with db.transaction() as session:
        name, team_id = _agent(session, agent_id)
        require_agent_read(user, agent_id=agent_id, team_id=team_id)
        results = load_results(session, agent_ids=[agent_id])
        rows = session.scalars(
            select(CoachingSessionRow)
            .where(CoachingSessionRow.agent_id == agent_id)
            .order_by(CoachingSessionRow.held_on.desc(), CoachingSessionRow.id.desc())
        ).all()
        actions = session.scalars(
            select(ActionItemRow).where(ActionItemRow.session_id.in_([r.id for r in rows])).order_by(ActionItemRow.id)
        ).all()
        agendas = {r.id: read_agenda(r.agenda) for r in rows}
        views = tuple(
            SessionView(
                id=r.id,
                agent_id=r.agent_id,
                coach_id=r.coach_id,
                held_on=r.held_on,
                agenda=agendas[r.id],
                notes=r.notes,
                actions=tuple(_action(a) for a in actions if a.session_id == r.id),
                follow_up=tuple(follow_up(results, agenda=agendas[r.id], since=r.held_on)),
            )
            for r in rows
        )
    return CoachingOverview(
        agent_id, name, tuple(find_patterns(results)), views, can_coach_agent(user, team_id=team_id)
    )


def read_agenda(stored: list[JsonObject] | None) -> tuple[AgendaEntry, ...]:
    """The agenda of a session from its JSON column."""
    return tuple(from_jsonable(AgendaEntry, entry) for entry in stored or ())


def stored_agenda(agenda: Sequence[AgendaEntry]) -> list[JsonObject]:
    """The JSON column form of an agenda."""
    return [to_jsonable(entry) for entry in agenda]


def _action(row: ActionItemRow) -> ActionItem:
    return ActionItem(
        id=row.id,
        text=row.text,
        item_id=row.item_id,
        due_on=row.due_on,
        done=row.done_at is not None,
        overdue=row.done_at is None and row.due_on is not None and row.due_on < date.today(),
    )


def start_session(user: User, db: Database, agent_id: str, *, held_on: date) -> int:
    """Open a session with an agenda of the agent's current patterns; returns its id."""
    with db.transaction() as session:
        _, team_id = _agent(session, agent_id)
        require_coach(user, agent_id=agent_id, team_id=team_id)
        patterns = find_patterns(load_results(session, agent_ids=[agent_id]))
        row = CoachingSessionRow(
            agent_id=agent_id,
            coach_id=user.id,
            held_on=held_on,
            agenda=stored_agenda([p.agenda_entry() for p in patterns]),
            notes="",
            created_at=_now(),
        )
        session.add(row)
        session.flush()
        return row.id


def _session_for_coach(session: Session, user: User, session_id: int) -> CoachingSessionRow:
    row = session.get(CoachingSessionRow, session_id)
    if row is None or not can_read_agent(user, agent_id=row.agent_id, team_id=agent_team(session, row.agent_id)):
        raise NotVisibleError.of("coaching session", session_id)  # missing and not one's own: one answer
    require_coach(user, agent_id=row.agent_id, team_id=agent_team(session, row.agent_id))
    return row


def save_notes(user: User, db: Database, session_id: int, notes: str) -> int:
    """Replace a session's notes; returns the session id."""
    with db.transaction() as session:
        _session_for_coach(session, user, session_id).notes = redact_text(notes.strip(), None, environment_policy())
    return session_id


def add_action(
    user: User, db: Database, session_id: int, *, text: str, due_on: date | None, item_id: str | None = None
) -> int:
    """Add an action item to a session; returns its id."""
    if not text.strip():
        raise SessionError("an action item needs a description")
    with db.transaction() as session:
        _session_for_coach(session, user, session_id)
        row = ActionItemRow(
            session_id=session_id,
            text=redact_text(text.strip(), None, environment_policy()),  # ids typed in a note are redacted
            item_id=item_id,
            due_on=due_on,
            created_by=user.id,
            created_at=_now(),
        )
        session.add(row)
        session.flush()
        return row.id


def set_action_done(user: User, db: Database, action_id: int, *, done: bool) -> bool:
    """The coach or the agent marks an action item done (or not done); returns ``done``."""
    with db.transaction() as session:
        action = session.get(ActionItemRow, action_id)
        owner = session.get(CoachingSessionRow, action.session_id) if action is not None else None
        team_id = agent_team(session, owner.agent_id) if owner is not None else None
        is_agent = owner is not None and user.role == "agent" and user.agent_id == owner.agent_id
        if action is None or owner is None or not (is_agent or can_coach_agent(user, team_id=team_id)):
            raise NotVisibleError.of("action item", action_id)  # missing and not one's own: one answer
        action.done_at = _now() if done else None
    return done


def rate_competence(user: User, db: Database, agent_id: str, *, competence: str, level: int, note: str = "") -> int:
    """A coach rates an agent in one competence, 1 (learning) to 4 (expert); returns the rating id."""
    if level not in (1, 2, 3, 4):
        raise SessionError(f"level {level} must be 1, 2, 3 or 4")
    if not competence.strip():
        raise SessionError("name the competence to rate")
    with db.transaction() as session:
        _, team_id = _agent(session, agent_id)
        require_coach(user, agent_id=agent_id, team_id=team_id)
        row = CoachRatingRow(
            agent_id=agent_id,
            competence=competence.strip().lower(),
            level=level,
            note=note.strip(),
            rated_by=user.id,
            rated_at=_now(),
        )
        session.add(row)
        session.flush()
        return row.id
