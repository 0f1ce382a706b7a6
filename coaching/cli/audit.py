"""CLI command ``audit``: print the audit log, filtered, as a table, CSV or JSON (CSV and JSON are recorded as
exports of the log; reading it is recorded as ``read_audit``)."""

from __future__ import annotations

import argparse
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from coaching.cli.outcomes import FORMATS, write_rows
from coaching.errors import InputError
from coaching.services.audit import (
    AUDIT_ACTIONS,
    AUDIT_COLUMNS,
    DEFAULT_LIMIT,
    entry_records,
    list_audit,
    record_export,
)

if TYPE_CHECKING:
    from coaching.cli.context import CliContext


def add_commands(subparsers: Any) -> None:
    """Register ``audit`` on the main parser's sub-parsers."""
    cmd = subparsers.add_parser("audit", help="print the audit log (who opened, played, exported or changed what)")
    cmd.add_argument("--since", metavar="DATE", help="from this day (YYYY-MM-DD) or moment (ISO 8601, UTC if no zone)")
    cmd.add_argument("--until", metavar="DATE", help="up to and including this day, or before this moment")
    cmd.add_argument("--actor", metavar="ID", help="only entries of this user id ('system' for the command line)")
    cmd.add_argument(
        "--action", nargs="+", action="extend", default=[], choices=AUDIT_ACTIONS, metavar="A", help="only these"
    )
    cmd.add_argument("--object", metavar="ID", help="only entries about this object (a call id, user id, ...)")
    cmd.add_argument("--limit", type=int, default=DEFAULT_LIMIT, help=f"the newest N entries (default {DEFAULT_LIMIT})")
    cmd.add_argument("--format", choices=FORMATS, default="table")
    cmd.set_defaults(handler=run_audit)


def parse_moment(text: str, *, option: str, end: bool = False) -> datetime:
    """``YYYY-MM-DD`` (the start of that day in UTC, or of the next day when ``end``) or an ISO 8601 moment."""
    try:
        if len(text.strip()) == 10:
            day = date.fromisoformat(text.strip())
            return datetime.combine(day + timedelta(days=1 if end else 0), time(), tzinfo=UTC)
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise InputError(f"{option} {text!r} is not a date (YYYY-MM-DD) or ISO 8601 time") from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def run_audit(args: argparse.Namespace, context: CliContext) -> int:
    since = parse_moment(args.since, option="--since") if args.since else None
    until = parse_moment(args.until, option="--until", end=True) if args.until else None
    if args.limit < 1:
        raise InputError(f"--limit {args.limit} must be at least 1")
    db = context.existing_database()
    if db is None:  # no database yet, so no log: reading must not create one
        write_rows(rows=[], columns=AUDIT_COLUMNS, fmt=args.format, out=context.stdout)
        return 0
    entries = list_audit(
        context.user,
        db,
        since=since,
        until=until,
        actor_id=args.actor,
        actions=tuple(args.action),
        object_id=args.object,
        limit=args.limit,
    )
    rows = entry_records(entries)
    if args.format in ("csv", "json"):
        record_export(context.user, db, "audit log", rows=len(rows), detail=f"cli audit --format {args.format}")
    write_rows(rows=rows, columns=AUDIT_COLUMNS, fmt=args.format, out=context.stdout)
    return 0
