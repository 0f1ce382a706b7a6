"""Outcome services over the database: survey import, saved mappings, NPS, FCR, behaviour vs outcome.

Each function takes the acting user first and checks access (:mod:`coaching.access`): managers see all,
coaches their teams, agents only their own agent-level figures.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from coaching.access import User, can_import_surveys, can_read_outcomes, require
from coaching.checklist.reviews import apply_reviews
from coaching.errors import NotFoundError, SettingsError, SurveyImportError
from coaching.outcomes.nps import (
    LEVELS,
    PERIODS,
    Level,
    Period,
    behaviour_vs_outcome,
    fcr_by_period,
    first_contact_resolved,
    nps_by_period,
)
from coaching.outcomes.surveys import check_mapping, read_survey_file, validate_surveys
from coaching.settings import OutcomeSettings
from coaching.store.db import Database
from coaching.store.feedback import reviews_of
from coaching.store.survey_tables import SurveyMappingRow, linked_checklist_items, load_surveys, upsert_surveys
from coaching.store.tables import AgentRow


@dataclass(frozen=True)
class ImportReport:
    """What an import did; ``linked_to_calls`` counts imported contacts that have a call with that contact_id."""

    source_name: str
    rows: int
    new: int
    updated: int
    unchanged: int
    linked_to_calls: int
    agents_created: int
    teams_created: int


@dataclass(frozen=True)
class BehaviourReport:
    """Rows from :func:`coaching.outcomes.nps.behaviour_vs_outcome` as dicts, and one plain-language note."""

    rows: tuple[dict[str, Any], ...]
    n_linked_contacts: int
    min_n: int
    note: str


def import_surveys(user: User, db: Database, path: Path, mapping: Mapping[str, str] | None = None) -> ImportReport:
    """Validate a CSV/XLSX export and store it all, or raise :class:`SurveyImportError` and store nothing."""
    require(can_import_surveys(user), user=user, action="import surveys")
    frame = read_survey_file(path=Path(path), mapping=mapping)
    return _store(db=db, frame=frame, source_name=Path(path).name)


def import_dataframe(
    user: User, db: Database, df: pd.DataFrame, source_name: str, mapping: Mapping[str, str] | None = None
) -> ImportReport:
    """Like :func:`import_surveys` for a DataFrame (row numbers count as if it were a sheet with a header)."""
    require(can_import_surveys(user), user=user, action="import surveys")
    frame = validate_surveys(raw=df, source_name=source_name, mapping=mapping)
    return _store(db=db, frame=frame, source_name=source_name)


def _store(*, db: Database, frame: pd.DataFrame, source_name: str) -> ImportReport:
    with db.transaction() as session:
        counts = upsert_surveys(session=session, frame=frame, source_name=source_name, now=datetime.now(UTC))
    return ImportReport(source_name=source_name, rows=len(frame), **asdict(counts))


def save_mapping(user: User, db: Database, name: str, mapping: Mapping[str, str]) -> None:
    """Save (or replace) a named column mapping for later imports."""
    require(can_import_surveys(user), user=user, action="save survey mappings")
    clean = name.strip()
    if not clean or len(clean) > 100:
        raise SurveyImportError(f"mapping name {name!r} must be 1–100 characters")
    checked = check_mapping(mapping=mapping)
    with db.transaction() as session:
        row = session.get(SurveyMappingRow, clean)
        if row is None:
            row = SurveyMappingRow(name=clean)
            session.add(row)
        row.mapping, row.saved_by, row.saved_at = checked, user.id, datetime.now(UTC)


def list_mappings(user: User, db: Database) -> dict[str, dict[str, str]]:
    """Saved mappings by name, sorted by name."""
    require(can_import_surveys(user), user=user, action="list survey mappings")
    with db.transaction() as session:
        rows = session.scalars(select(SurveyMappingRow).order_by(SurveyMappingRow.name)).all()
        return {r.name: {str(k): str(v) for k, v in r.mapping.items()} for r in rows}


def get_mapping(user: User, db: Database, name: str) -> dict[str, str]:
    """One saved mapping; :class:`NotFoundError` naming it when there is none."""
    mappings = list_mappings(user, db)
    if name.strip() not in mappings:
        raise NotFoundError(f"no saved survey mapping {name!r} (saved: {', '.join(mappings) or 'none'})")
    return mappings[name.strip()]


@dataclass(frozen=True)
class _Scope:
    agent_id: str | None
    team_ids: tuple[str, ...] | None  # None: every team

    def apply(self, frame: pd.DataFrame) -> pd.DataFrame:
        if self.agent_id is not None:
            frame = frame[frame["agent"] == self.agent_id]
        if self.team_ids is not None:
            frame = frame[frame["team"].isin(self.team_ids)]
        return frame


def _scope(user: User, session: Session, *, agent_id: str | None, team_id: str | None, level: str) -> _Scope:
    """Check access and narrow what ``user`` sees; raise :class:`AccessError` otherwise."""
    if level not in LEVELS:
        raise SettingsError(f"level={level!r} must be one of {', '.join(LEVELS)}")
    if level == "organisation" or (level == "team" and user.role == "agent"):
        require(can_read_outcomes(user, agent_id=None, team_id=None), user=user, action=f"read {level} outcomes")
    if agent_id is None and user.role == "agent":
        agent_id = user.agent_id
    if agent_id is not None:
        agent = session.get(AgentRow, agent_id)
        agent_team = agent.team_id if agent is not None else None
        require(
            can_read_outcomes(user, agent_id=agent_id, team_id=agent_team),
            user=user,
            action=f"read outcomes of agent {agent_id!r}",
        )
    if team_id is not None:
        require(
            can_read_outcomes(user, agent_id=None, team_id=team_id),
            user=user,
            action=f"read outcomes of team {team_id!r}",
        )
    if agent_id is None and team_id is None and user.role not in ("manager", "system"):
        require(user.role == "coach", user=user, action="read outcomes of every agent")
        return _Scope(None, user.team_ids)
    return _Scope(agent_id, None if team_id is None else (team_id,))


def _check_by(by: str) -> Period:
    if by not in PERIODS:
        raise SettingsError(f"by={by!r} must be week or month")
    return by


def nps_table(
    user: User,
    db: Database,
    *,
    by: str,
    agent_id: str | None = None,
    team_id: str | None = None,
    level: Level = "agent",
    settings: OutcomeSettings | None = None,
) -> list[dict[str, Any]]:
    """NPS rows {agent, team, period, n, promoters, passives, detractors, nps, ci_low, ci_high, reliable}."""
    period, config = _check_by(by), settings or OutcomeSettings()
    with db.transaction() as session:
        scope = _scope(user, session, agent_id=agent_id, team_id=team_id, level=level)
        surveys = scope.apply(load_surveys(session=session))
    return _records(nps_by_period(surveys=surveys, by=period, level=level, min_n=config.min_n))


def fcr_table(
    user: User,
    db: Database,
    *,
    by: str,
    agent_id: str | None = None,
    team_id: str | None = None,
    level: Level = "agent",
    settings: OutcomeSettings | None = None,
) -> list[dict[str, Any]]:
    """FCR rows {agent, team, period, n, resolved, fcr, ci_low, ci_high, unknown, reliable}.

    Repeats are looked for among all contacts (any agent) before the rows are narrowed to what ``user`` sees.
    """
    period, config = _check_by(by), settings or OutcomeSettings()
    with db.transaction() as session:
        scope = _scope(user, session, agent_id=agent_id, team_id=team_id, level=level)
        surveys = load_surveys(session=session)
    if surveys.empty:
        return []
    flags = first_contact_resolved(contacts=surveys, window_days=config.fcr_window_days)
    visible = scope.apply(surveys.assign(resolved=flags))
    table = fcr_by_period(
        contacts=visible,
        by=period,
        level=level,
        window_days=config.fcr_window_days,
        min_n=config.min_n,
        as_of=surveys["answered_at"].max(),
    )
    return _records(table)


def behaviour_outcomes(
    user: User,
    db: Database,
    *,
    agent_id: str | None = None,
    team_id: str | None = None,
    settings: OutcomeSettings | None = None,
) -> BehaviourReport:
    """Per checklist item, NPS of linked contacts (survey contact_id = call contact_id) that passed vs failed.

    Uses each contact's newest non-private call and that call's newest analysis, with coach overrides applied.
    """
    config = settings or OutcomeSettings()
    with db.transaction() as session:
        scope = _scope(user, session, agent_id=agent_id, team_id=team_id, level="agent")
        linked = linked_checklist_items(
            session=session, adjust=lambda call_id, checklist: apply_reviews(checklist, reviews_of(session, call_id))
        )
    linked = scope.apply(linked)
    table = behaviour_vs_outcome(linked=linked, min_n=config.min_n)
    n_contacts = int(linked["contact_id"].nunique())
    rows = tuple(_records(table))
    if n_contacts == 0:
        note = "No survey answers are linked to analysed calls yet (a call links through its contact_id)."
    elif not any(r["enough_data"] for r in rows):
        note = (
            f"Only {n_contacts} linked contacts: too few to tell which checklist items go with higher NPS "
            f"(each item needs {config.min_n} passed and {config.min_n} failed)."
        )
    else:
        note = f"{n_contacts} linked contacts. Differences show association, not cause."
    return BehaviourReport(rows=rows, n_linked_contacts=n_contacts, min_n=config.min_n, note=note)


def _records(table: pd.DataFrame) -> list[dict[str, Any]]:
    """Plain JSON-ready dicts: NaN → None, numpy scalars → Python, floats rounded to 0.1."""
    records = []
    for record in table.astype(object).to_dict("records"):
        clean: dict[str, Any] = {}
        for key, value in record.items():
            plain = value.item() if hasattr(value, "item") else value
            if isinstance(plain, float):
                plain = None if plain != plain else round(plain, 1)
            clean[str(key)] = plain
        records.append(clean)
    return records
