"""Outcome services over the database: survey import, saved mappings, NPS, FCR, behaviour vs outcome.

Each function takes the acting user first and checks access (:mod:`coaching.access`): managers see all,
coaches their teams, agents only their own agent-level figures.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
from sqlalchemy import select

from coaching.access import User, can_import_surveys, outcome_scope, require
from coaching.errors import NotFoundError, SurveyImportError
from coaching.jsonable import JsonObject
from coaching.outcomes.nps import Level, behaviour_vs_outcome, check_level, check_period, json_records
from coaching.outcomes.surveys import check_mapping, read_survey_file, validate_surveys
from coaching.services.audit import record
from coaching.settings import OutcomeSettings
from coaching.store.db import Database
from coaching.store.outcomes import fcr_frame, linked_checklist_items, nps_frame, team_lookup
from coaching.store.survey_tables import SurveyMappingRow, upsert_surveys


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
    """Rows from :func:`coaching.outcomes.nps.behaviour_vs_outcome` as JSON records (CLI output), and one note."""

    rows: tuple[JsonObject, ...]
    n_linked_contacts: int
    min_n: int
    note: str


def import_surveys(user: User, db: Database, path: Path, mapping: Mapping[str, str] | None = None) -> ImportReport:
    """Validate a CSV/XLSX export and store it all, or raise :class:`SurveyImportError` and store nothing."""
    require(can_import_surveys(user), user=user, action="import surveys")
    frame = read_survey_file(path=Path(path), mapping=mapping)
    return _store(user, db=db, frame=frame, source_name=Path(path).name)


def import_dataframe(
    user: User, db: Database, df: pd.DataFrame, source_name: str, mapping: Mapping[str, str] | None = None
) -> ImportReport:
    """Like :func:`import_surveys` for a DataFrame (row numbers count as if it were a sheet with a header)."""
    require(can_import_surveys(user), user=user, action="import surveys")
    frame = validate_surveys(raw=df, source_name=source_name, mapping=mapping)
    return _store(user, db=db, frame=frame, source_name=source_name)


def _store(user: User, *, db: Database, frame: pd.DataFrame, source_name: str) -> ImportReport:
    with db.transaction() as session:
        counts = upsert_surveys(session=session, frame=frame, source_name=source_name, now=datetime.now(UTC))
        what = f"{len(frame)} rows: {counts.new} new, {counts.updated} updated, {counts.unchanged} unchanged"
        record(session, user, action="import_surveys", object_kind="surveys", object_id=source_name[:128], detail=what)
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


def nps_table(
    user: User,
    db: Database,
    *,
    by: str,
    agent_id: str | None = None,
    team_id: str | None = None,
    level: Level = "agent",
    settings: OutcomeSettings | None = None,
) -> list[JsonObject]:  # JSON records for the CLI
    """NPS rows {agent, team, period, n, promoters, passives, detractors, nps, ci_low, ci_high, reliable}.

    Only the answers ``user`` may see are read (:func:`coaching.access.outcome_scope`)."""
    return _period_records(
        nps_frame, user, db, by=by, agent_id=agent_id, team_id=team_id, level=level, settings=settings
    )


def fcr_table(
    user: User,
    db: Database,
    *,
    by: str,
    agent_id: str | None = None,
    team_id: str | None = None,
    level: Level = "agent",
    settings: OutcomeSettings | None = None,
) -> list[JsonObject]:  # JSON records for the CLI
    """FCR rows {agent, team, period, n, resolved, fcr, ci_low, ci_high, unknown, reliable}.

    Repeats are looked for among all contacts of the same customers (any agent) before the rows are narrowed to
    what ``user`` sees.
    """
    return _period_records(
        fcr_frame, user, db, by=by, agent_id=agent_id, team_id=team_id, level=level, settings=settings
    )


def _period_records(
    frame: Callable[..., pd.DataFrame],
    user: User,
    db: Database,
    *,
    by: str,
    agent_id: str | None,
    team_id: str | None,
    level: Level,
    settings: OutcomeSettings | None,
) -> list[JsonObject]:
    """``frame`` (NPS or FCR per period) over the answers ``user`` may see, as JSON records."""
    period, config = check_period(by), settings or OutcomeSettings()
    with db.transaction() as session:
        scope = outcome_scope(
            user, level=check_level(level), agent_id=agent_id, team_id=team_id, team_of=team_lookup(session)
        )
        return json_records(frame(session, scope, by=period, level=level, settings=config))


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
        scope = outcome_scope(
            user, level=check_level("agent"), agent_id=agent_id, team_id=team_id, team_of=team_lookup(session)
        )
        linked = linked_checklist_items(session=session, scope=scope)
    table = behaviour_vs_outcome(linked=linked, min_n=config.min_n)
    n_contacts = int(linked["contact_id"].nunique())
    rows = tuple(json_records(table))
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
