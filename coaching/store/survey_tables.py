"""Tables for imported survey answers (one row per contact) and saved column mappings, and the import upsert.

Scoped reads and the NPS / FCR tables are in :mod:`coaching.store.outcomes`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import pandas as pd
from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Index, Integer, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from coaching.store.base import Base
from coaching.store.tables import AgentRow, CallRow, TeamRow


class SurveyRow(Base):
    """One survey answer; ``contact_id`` is the key, so re-imports update instead of adding.

    Links to calls are made when read (``calls.contact_id``), so a call analysed after the import links too.
    """

    __tablename__ = "surveys"
    __table_args__ = (  # outcome tables per team or agent, in time order (migration 0004)
        Index("ix_surveys_team_id_answered_at", "team_id", "answered_at"),
        Index("ix_surveys_agent_id_answered_at", "agent_id", "answered_at"),
    )
    contact_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    agent_id: Mapped[str] = mapped_column(ForeignKey("agents.id"), index=True)
    team_id: Mapped[str | None] = mapped_column(ForeignKey("teams.id"), nullable=True, index=True)
    answered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    score: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str | None] = mapped_column(Text, nullable=True)
    channel: Mapped[str | None] = mapped_column(String(16), nullable=True)
    customer_id: Mapped[str | None] = mapped_column(String(128), nullable=True, index=True)
    resolved: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    source_name: Mapped[str] = mapped_column(Text)
    imported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class SurveyMappingRow(Base):
    """A named column mapping (export column → canonical column) saved in the app."""

    __tablename__ = "survey_mappings"
    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    mapping: Mapped[dict] = mapped_column(JSON)
    saved_by: Mapped[str] = mapped_column(String(64))
    saved_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


_CHUNK = 500
_COMPARED = ("agent_id", "team_id", "answered_at", "score", "comment", "channel", "customer_id", "resolved")


@dataclass(frozen=True)
class UpsertCounts:
    new: int
    updated: int
    unchanged: int
    linked_to_calls: int
    agents_created: int
    teams_created: int


def upsert_surveys(*, session: Session, frame: pd.DataFrame, source_name: str, now: datetime) -> UpsertCounts:
    """Insert or update validated survey rows (the canonical frame of :mod:`coaching.outcomes.surveys`),
    keyed by contact_id.

    Missing agents and teams are created (id = name = the file's value); a row without a team takes its agent's.
    """
    teams_created, agents_created, agent_teams = _ensure_agents(session=session, frame=frame)
    ids = frame["contact_id"].tolist()
    existing = {
        r.contact_id: r
        for chunk in chunks(ids)
        for r in session.scalars(select(SurveyRow).where(SurveyRow.contact_id.in_(chunk)))
    }
    new = updated = unchanged = 0
    for record in frame.to_dict("records"):
        values = {
            "agent_id": record["agent"],
            "team_id": record["team"] or agent_teams.get(record["agent"]),
            "answered_at": record["answered_at"].to_pydatetime(),
            "score": int(record["score"]),
            **{k: record[k] for k in ("comment", "channel", "customer_id", "resolved")},
        }
        row = existing.get(record["contact_id"])
        if row is None:
            session.add(SurveyRow(contact_id=record["contact_id"], source_name=source_name, imported_at=now, **values))
            new += 1
        elif all(_same(getattr(row, k), values[k]) for k in _COMPARED):
            unchanged += 1
        else:
            for key, value in values.items():
                setattr(row, key, value)
            row.source_name, row.imported_at = source_name, now
            updated += 1
    linked = sum(
        len(set(session.scalars(select(CallRow.contact_id).where(CallRow.contact_id.in_(chunk)))))
        for chunk in chunks(ids)
    )
    return UpsertCounts(new, updated, unchanged, linked, agents_created, teams_created)


def _ensure_agents(*, session: Session, frame: pd.DataFrame) -> tuple[int, int, dict[str, str | None]]:
    """Create missing teams and agents; return the counts created and each agent's team."""
    team_ids = sorted({t for t in frame["team"] if t})
    known_teams = set(session.scalars(select(TeamRow.id).where(TeamRow.id.in_(team_ids))))
    for team in team_ids:
        if team not in known_teams:
            session.add(TeamRow(id=team, name=team))
    session.flush()
    first_team = frame.dropna(subset=["team"]).groupby("agent")["team"].first().to_dict()
    agent_ids = sorted(set(frame["agent"]))
    agents = {
        a.id: a for chunk in chunks(agent_ids) for a in session.scalars(select(AgentRow).where(AgentRow.id.in_(chunk)))
    }
    missing = [a for a in agent_ids if a not in agents]
    for agent in missing:
        agents[agent] = AgentRow(id=agent, name=agent, team_id=first_team.get(agent))
        session.add(agents[agent])
    session.flush()
    return len(team_ids) - len(known_teams), len(missing), {a: row.team_id for a, row in agents.items()}


def chunks(values: Sequence[str]) -> list[list[str]]:
    """Split ids into lists short enough for an SQL ``IN``."""
    items = list(values)
    return [items[i : i + _CHUNK] for i in range(0, len(items), _CHUNK)]


def as_utc(value: datetime) -> datetime:
    """A stored datetime as aware UTC (SQLite hands back naive UTC)."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _same(old: object, new: object) -> bool:
    if isinstance(old, datetime) and isinstance(new, datetime):
        return as_utc(old) == as_utc(new)
    return old == new
