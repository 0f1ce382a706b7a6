"""The checklist editor's store: saved, versioned checklist files and which one scores new analyses.

A saved file must parse (:func:`coaching.checklist.loader.parse_checklist`, errors name line and field) and
declare a higher version than every saved one. Old analyses keep the version they were scored with.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime

from sqlalchemy import func, select, update

from coaching.access import (
    User,
    call_scope,
    can_activate_checklist,
    can_edit_checklist,
    may_read,
    require,
    require_read,
)
from coaching.analysis.scoring import rescore
from coaching.checklist import Checklist, load_checklist
from coaching.checklist.loader import DEFAULT_PATH, parse_checklist
from coaching.errors import ChecklistError, NotFoundError
from coaching.services.audit import record
from coaching.services.config import active_checklist
from coaching.store.app_tables import ChecklistVersionRow
from coaching.store.calls import add_analysis_row, call_context, current_analysis_ids, load_analysis
from coaching.store.db import Database
from coaching.store.scope import call_scope_where
from coaching.store.tables import AgentRow, AnalysisRow, CallRow

PACKAGED = "packaged default"


@dataclass(frozen=True)
class ChecklistVersion:
    version_id: str
    version: int
    title: str
    note: str
    active: bool
    created_by: str
    created_at: datetime | None


def list_versions(user: User, db: Database) -> list[ChecklistVersion]:
    """Saved versions, newest first, then the packaged default."""
    require(can_edit_checklist(user), user=user, action="see checklist versions")
    with db.transaction() as session:
        rows = session.scalars(select(ChecklistVersionRow).order_by(ChecklistVersionRow.id.desc())).all()
    any_active = any(r.is_active for r in rows)
    default = load_checklist()
    versions = [
        ChecklistVersion(
            r.version_id, r.version, _title(r.source_text), r.note, r.is_active, r.created_by, r.created_at
        )
        for r in rows
    ]
    versions.append(
        ChecklistVersion(default.version_id, default.version, default.title, PACKAGED, not any_active, "", None)
    )
    return versions


def _title(text: str) -> str:
    try:
        return parse_checklist(text).title
    except ChecklistError:
        return "(unreadable)"


def version_text(user: User, db: Database, version_id: str) -> str:
    """The YAML of a saved version (or of the packaged default)."""
    require(can_edit_checklist(user), user=user, action="read checklist versions")
    default = load_checklist()
    if version_id == default.version_id:
        return DEFAULT_PATH.read_text(encoding="utf-8")
    with db.transaction() as session:
        row = session.scalars(select(ChecklistVersionRow).where(ChecklistVersionRow.version_id == version_id)).first()
        if row is None:
            raise NotFoundError(f"no checklist version {version_id!r}")
        return row.source_text


def save_version(
    user: User, db: Database, text: str, *, note: str = "", activate: bool = True, source: str = "edited checklist"
) -> ChecklistVersion:
    """Validate and save a new version; it scores new analyses when ``activate`` (a manager's action:
    :func:`coaching.access.can_activate_checklist`; coaches save with ``activate=False``; a broken file is named
    as such first). Errors name ``source``."""
    require(can_edit_checklist(user), user=user, action="edit the checklist")
    checklist = parse_checklist(text, source=source)
    default = load_checklist()
    with db.transaction() as session:
        newest = session.scalar(select(func.max(ChecklistVersionRow.version)))
        floor = max(int(newest or 0), default.version)
        if checklist.version <= floor:
            raise ChecklistError(
                f"edited checklist: field 'version': raise it to {floor + 1} (version {floor} is already in use)"
            )
        if activate:
            require(can_activate_checklist(user), user=user, action="activate a checklist for the whole organisation")
            session.execute(update(ChecklistVersionRow).values(is_active=False))
        row = ChecklistVersionRow(
            checklist_id=checklist.id,
            version=checklist.version,
            version_id=checklist.version_id,
            source_text=text,
            note=note.strip(),
            is_active=activate,
            created_by=user.id,
            created_at=datetime.now(UTC),
        )
        session.add(row)
        record(session, user, action="change_checklist", object_kind="checklist", object_id=checklist.version_id)
        if activate:
            record(session, user, action="activate_checklist", object_kind="checklist", object_id=checklist.version_id)
    return ChecklistVersion(
        checklist.version_id, checklist.version, checklist.title, note.strip(), activate, user.id, row.created_at
    )


def activate_version(user: User, db: Database, version_id: str) -> str:
    """Make a saved version (or the packaged default) the one that scores new analyses in the whole organisation
    (managers); returns its id. :func:`rescore_count` says beforehand how many stored calls it would re-score."""
    require(can_activate_checklist(user), user=user, action="activate a checklist for the whole organisation")
    with db.transaction() as session:
        if version_id == load_checklist().version_id:
            session.execute(update(ChecklistVersionRow).values(is_active=False))
            record(session, user, action="activate_checklist", object_kind="checklist", object_id=version_id)
            return version_id
        row = session.scalars(select(ChecklistVersionRow).where(ChecklistVersionRow.version_id == version_id)).first()
        if row is None:
            raise NotFoundError(f"no checklist version {version_id!r}")
        session.execute(update(ChecklistVersionRow).values(is_active=False))
        row.is_active = True
        record(session, user, action="activate_checklist", object_kind="checklist", object_id=version_id)
    return version_id


def activate_text(
    user: User, db: Database, text: str, *, note: str = "", source: str = "checklist"
) -> ChecklistVersion:
    """Make the checklist ``text`` the active one: a saved version (or the packaged default) with the same
    content becomes active again; other content is validated and saved as a new active version (managers)."""
    require(can_activate_checklist(user), user=user, action="activate a checklist for the whole organisation")
    checklist = parse_checklist(text, source=source)
    known = {v.version_id: v for v in list_versions(user, db)}
    if checklist.version_id in known:
        activate_version(user, db, checklist.version_id)
        return replace(known[checklist.version_id], active=True)
    return save_version(user, db, text, note=note, activate=True, source=source)


def rescore_count(user: User, db: Database, version_id: str) -> int:
    """How many stored calls re-scoring with ``version_id`` would change: those ``user`` may open whose current
    analysis was scored with another version (what the activation's confirmation says), counted in SQL."""
    require(can_edit_checklist(user), user=user, action="count the calls to re-score")
    current = current_analysis_ids()
    query = (
        select(func.count())
        .select_from(CallRow)
        .join(AgentRow, AgentRow.id == CallRow.agent_id)
        .join(current, current.c.call_id == CallRow.id)
        .join(AnalysisRow, AnalysisRow.id == current.c.analysis_id)
        .where(call_scope_where(call_scope(user)), AnalysisRow.checklist["version_id"].as_string() != version_id)
    )
    with db.transaction() as session:
        return int(session.scalar(query) or 0)


@dataclass(frozen=True)
class RescoreReport:
    """Calls given a new analysis row scored with ``version_id``; ``skipped`` already had that version."""

    version_id: str
    rescored: int
    skipped: int


def rescore_calls(
    user: User, db: Database, *, checklist: Checklist | None = None, call_ids: list[str] | None = None
) -> RescoreReport:
    """Score stored calls again with ``checklist`` (default: the active one, as
    :func:`coaching.services.config.analysis_config` resolves it) from their stored transcript and
    metrics. Each gets a new current analysis row; the old rows keep the version they were scored with.

    ``call_ids`` None means every call ``user`` may open. Coaches re-score their teams' calls, managers all.
    """
    require(can_edit_checklist(user), user=user, action="re-score calls")
    chosen = checklist or active_checklist(db)
    with db.transaction() as session:
        ids = call_ids if call_ids is not None else list(session.scalars(select(CallRow.id).order_by(CallRow.id)))
        contexts = [call_context(session, call_id) for call_id in ids]
    rescored = skipped = 0
    for ctx in contexts:
        if not may_read(user, ctx):
            if call_ids is not None:
                require_read(user, ctx)  # a call one may not open: the answer for a missing one
            continue
        with db.transaction() as session:
            current = load_analysis(session, ctx.call_id)
        if current.checklist.version_id == chosen.version_id:
            skipped += 1
            continue
        with db.transaction() as session:
            add_analysis_row(session, rescore(current, checklist=chosen))
            record(session, user, action="rescore", object_kind="call", object_id=ctx.call_id, detail=chosen.version_id)
        rescored += 1
    return RescoreReport(chosen.version_id, rescored, skipped)
