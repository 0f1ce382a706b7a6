"""Recording and reading the audit log. Every service that opens, plays, exports, changes or erases people's
data calls :func:`record` inside its own transaction, so the entry commits together with what it records.

Actions (``AUDIT_ACTIONS``) name what happened; ``object_kind`` is one of ``call``, ``transcript``, ``agent``,
``customer``, ``user``, ``team``, ``checklist``, ``surveys``, ``retention``, ``export``, ``audit``.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from coaching.access import User
from coaching.store.audit import append_entry

AUDIT_ACTIONS: tuple[str, ...] = (
    "analyze",
    "open",
    "play",
    "export",
    "correct",
    "propose_correction",
    "accept_correction",
    "reject_correction",
    "rescore",
    "share",
    "unshare",
    "comment",
    "delete",
    "erase",
    "legal_hold",
    "import_surveys",
    "change_user",
    "change_team",
    "change_retention",
    "change_settings",
    "change_checklist",
    "activate_checklist",
    "retention_run",
    "read_audit",
)


def record(
    session: Session, user: User, *, action: str, object_kind: str, object_id: str | None, detail: str = ""
) -> None:
    """Append one entry for ``user`` doing ``action`` to an object; ``detail`` must not hold call content."""
    if action not in AUDIT_ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    append_entry(
        session,
        actor_id=user.id,
        actor_role=user.role,
        action=action,
        object_kind=object_kind,
        object_id=object_id,
        detail=detail,
    )
