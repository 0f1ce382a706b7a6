"""Recording and reading the audit log. Every service that opens, plays, exports, changes or erases people's
data calls :func:`record` inside its own transaction, so the entry commits together with what it records; a
change refused (:class:`coaching.errors.AccessError`) or failed leaves no entry, because it did not happen.

Actions (``AUDIT_ACTIONS``) name what happened; ``object_kind`` is one of ``call``, ``transcript``, ``comment``,
``agent``, ``customer``, ``user``, ``team``, ``checklist``, ``settings``, ``surveys``, ``retention``, ``export``,
``audit``. Actions about a call carry the call id as ``object_id``, so one filter finds everything done to it.

Looking at a call or its audio again within :data:`REPEAT_S` seconds (a page re-runs on every click) adds no new
entry. Entries of a named system user (the CLI names the command and OS account, :func:`coaching.cli.main.cli_user`;
the app's daily retention run names itself) carry that name in ``detail`` (``via cli audit, os user ...``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from coaching.access import SYSTEM_USER, User, can_read_audit, require
from coaching.errors import InputError
from coaching.jsonable import JsonObject
from coaching.store.audit import AUDIT_ACTIONS, REPEAT_S, AuditEntry, append_entry, read_entries
from coaching.store.db import Database

__all__ = ["AUDIT_ACTIONS", "AUDIT_COLUMNS", "REPEAT_S", "entry_records", "list_audit", "record", "record_export"]

DEFAULT_LIMIT = 1000
AUDIT_COLUMNS = ("id", "at", "actor_id", "actor_role", "action", "object_kind", "object_id", "detail")


def record(
    session: Session,
    user: User,
    *,
    action: str,
    object_kind: str,
    object_id: str | None,
    detail: str = "",
    coalesce_s: float | None = None,
) -> bool:
    """Append one entry for ``user`` doing ``action`` to an object; ``detail`` must not hold call content.

    ``coalesce_s``: no new entry when ``user`` did the same to the same object that recently. Returns whether an
    entry was added."""
    if user.role == "system" and user.name and user.name != SYSTEM_USER.name:  # which command or job it was
        detail = f"{detail} (via {user.name})" if detail else f"via {user.name}"
    return append_entry(
        session,
        actor_id=user.id,
        actor_role=user.role,
        action=action,
        object_kind=object_kind,
        object_id=object_id,
        detail=detail,
        coalesce_s=coalesce_s,
    )


def record_export(user: User, db: Database, what: str, *, rows: int, detail: str = "") -> None:
    """Record that ``user`` took ``rows`` rows of ``what`` (a table's name: ``calls``, ``nps``, ``audit log``) out
    of the app or the CLI as a file; called before the file is handed over."""
    note = f"{rows} rows" + (f"; {detail}" if detail else "")
    with db.transaction() as session:
        record(session, user, action="export", object_kind="export", object_id=what[:128], detail=note)


def list_audit(
    user: User,
    db: Database,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    actor_id: str | None = None,
    actions: Sequence[str] = (),
    object_id: str | None = None,
    limit: int = DEFAULT_LIMIT,
) -> list[AuditEntry]:
    """The newest ``limit`` entries matching every filter, oldest first (managers, admins, the system user).

    ``until`` is exclusive. Reading is itself recorded (``read_audit``, once per :data:`REPEAT_S` per reader)."""
    require(can_read_audit(user), user=user, action="read the audit log")
    unknown = [a for a in actions if a not in AUDIT_ACTIONS]
    if unknown:
        raise InputError(f"unknown audit action {unknown[0]!r} (one of {', '.join(AUDIT_ACTIONS)})")
    with db.transaction() as session:
        entries = read_entries(
            session,
            since=since,
            until=until,
            actor_id=actor_id,
            actions=actions,
            object_id=object_id,
            limit=limit,
        )
        record(session, user, action="read_audit", object_kind="audit", object_id=None, coalesce_s=REPEAT_S)
    return entries


def entry_records(entries: Sequence[AuditEntry]) -> list[JsonObject]:
    """Entries as JSON records (``at`` in ISO 8601, UTC) with :data:`AUDIT_COLUMNS`."""
    return [
        {
            "id": e.id,
            "at": _utc(e.at).isoformat(timespec="seconds"),
            "actor_id": e.actor_id,
            "actor_role": e.actor_role,
            "action": e.action,
            "object_kind": e.object_kind,
            "object_id": e.object_id,
            "detail": e.detail,
        }
        for e in entries
    ]


def _utc(value: datetime) -> datetime:
    """SQLite gives back naive datetimes; the log stores UTC."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
