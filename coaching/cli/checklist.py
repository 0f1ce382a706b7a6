"""CLI commands ``checklist activate|list|show``: the checklist version that scores new analyses.

``activate`` is a manager's action (the CLI acts as the system user) and stays non-interactive for scripts: it
prints the active version id on stdout and, on stderr, how many stored calls ``rescore`` would score again.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

from coaching.checklist import Checklist, load_checklist
from coaching.cli.context import CliContext
from coaching.jsonable import JsonObject
from coaching.services.checklists import ChecklistVersion, activate_text, list_versions, rescore_count
from coaching.services.config import analysis_config


def add_commands(subparsers: Any) -> None:
    checklist = subparsers.add_parser("checklist", help="the checklist version that scores new analyses")
    actions = checklist.add_subparsers(dest="checklist_action", required=True, metavar="ACTION")

    activate = actions.add_parser("activate", help="validate a checklist file, store it as a version, make it active")
    activate.add_argument("file", metavar="FILE", type=Path, help="checklist YAML (raise `version:` for new content)")
    activate.add_argument("--note", default="", help="what changed (shown in the version list)")
    activate.set_defaults(handler=run_activate)

    listing = actions.add_parser("list", help="stored versions, newest first; * marks the active one")
    listing.add_argument("--json", action="store_true", help="print a JSON list")
    listing.set_defaults(handler=run_list)

    show = actions.add_parser("show", help="the active checklist (YAML, or --json)")
    show.add_argument("--json", action="store_true", help="print the parsed checklist as JSON")
    show.set_defaults(handler=run_show)


def run_activate(args: argparse.Namespace, context: CliContext) -> int:
    checklist = load_checklist(args.file)  # a bad file fails here, before the database is opened
    db = context.database()
    saved = activate_text(context.user, db, checklist.source_text, note=args.note, source=str(args.file))
    print(saved.version_id, file=context.stdout)
    count = rescore_count(context.user, db, saved.version_id)
    if count:
        print(
            f"{count} stored calls are scored with another version; `python -m coaching rescore` re-scores them",
            file=context.stderr,
        )
    return 0


def _version_dict(version: ChecklistVersion) -> JsonObject:
    return {
        "version_id": version.version_id,
        "version": version.version,
        "title": version.title,
        "note": version.note,
        "active": version.active,
        "created_by": version.created_by or None,
        "created_at": version.created_at.isoformat() if version.created_at else None,
    }


def run_list(args: argparse.Namespace, context: CliContext) -> int:
    versions = list_versions(context.user, context.database())
    if args.json:
        json.dump([_version_dict(v) for v in versions], context.stdout, indent=2, ensure_ascii=False)
        context.stdout.write("\n")
        return 0
    width = max(len(v.version_id) for v in versions)
    for v in versions:
        when = f"{v.created_at:%Y-%m-%d %H:%M} {v.created_by}" if v.created_at else ""
        columns = [f"{'*' if v.active else ' '} {v.version_id:{width}}", v.title, v.note, when]
        print("  ".join(c for c in columns if c), file=context.stdout)
    return 0


def checklist_dict(checklist: Checklist) -> JsonObject:
    """The parsed checklist as JSON-ready data (defaults filled in)."""
    return {
        "checklist_id": checklist.id,
        "version": checklist.version,
        "version_id": checklist.version_id,
        "title": checklist.title,
        "items": [asdict(item) for item in checklist.items],
    }


def run_show(args: argparse.Namespace, context: CliContext) -> int:
    active = analysis_config(context.settings, context.existing_database()).checklist
    if args.json:
        json.dump(checklist_dict(active), context.stdout, indent=2, ensure_ascii=False)
        context.stdout.write("\n")
        return 0
    print(f"# active checklist: {active.version_id}", file=context.stdout)
    context.stdout.write(active.source_text if active.source_text.endswith("\n") else active.source_text + "\n")
    return 0
