"""CLI commands for outcomes: ``import-nps``, ``nps``, ``fcr`` and ``nps-behaviour``."""

from __future__ import annotations

import argparse
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from coaching.exports import write_csv
from coaching.outcomes.nps import FCR_COLUMNS, LEVELS, NPS_COLUMNS, PERIODS
from coaching.outcomes.surveys import parse_mapping_options
from coaching.services.audit import record_export
from coaching.services.outcomes import (
    behaviour_outcomes,
    fcr_table,
    get_mapping,
    import_surveys,
    nps_table,
    save_mapping,
)

if TYPE_CHECKING:
    from coaching.cli.context import CliContext

FORMATS = ("json", "csv", "table")
BEHAVIOUR_COLUMNS = (
    "item",
    "n_passed",
    "nps_passed",
    "n_failed",
    "nps_failed",
    "difference",
    "difference_ci_low",
    "difference_ci_high",
    "enough_data",
    "note",
)


def add_commands(subparsers: Any) -> None:
    """Register the outcome commands on the main parser's sub-parsers."""
    imp = subparsers.add_parser("import-nps", help="import a survey export (CSV or XLSX); all rows or none")
    imp.add_argument("file", type=Path, help="survey export (.csv or .xlsx)")
    imp.add_argument(
        "--mapping",
        nargs="+",
        action="extend",
        default=[],
        metavar="SRC=DST",
        help="map an export column to a survey column, e.g. Suositteluindeksi=score",
    )
    imp.add_argument("--saved-mapping", metavar="NAME", help="use a mapping saved earlier (--mapping adds to it)")
    imp.add_argument("--save-mapping", metavar="NAME", help="save the mapping used under NAME after the import")
    imp.set_defaults(handler=import_nps_command)

    for name, table, columns, help_text in (
        ("nps", nps_table, NPS_COLUMNS, "NPS by week or month"),
        ("fcr", fcr_table, FCR_COLUMNS, "first-contact resolution by week or month"),
    ):
        cmd = subparsers.add_parser(name, help=help_text)
        cmd.add_argument("--by", choices=PERIODS, required=True)
        cmd.add_argument("--level", choices=LEVELS, default="agent", help="rows per agent, team or organisation")
        _add_filters(cmd)
        cmd.set_defaults(handler=period_table_command, table=table, columns=columns)

    beh = subparsers.add_parser("nps-behaviour", help="NPS of linked calls where each checklist item passed vs failed")
    _add_filters(beh)
    beh.set_defaults(handler=behaviour_command)


def _add_filters(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--agent", metavar="ID", help="only this agent")
    parser.add_argument("--team", metavar="ID", help="only this team")
    parser.add_argument("--format", choices=FORMATS, default="table")


def import_nps_command(args: argparse.Namespace, context: CliContext) -> int:
    db = context.database()
    mapping = get_mapping(context.user, db, args.saved_mapping) if args.saved_mapping else {}
    mapping.update(parse_mapping_options(items=args.mapping))
    report = import_surveys(context.user, db, args.file, mapping=mapping or None)
    if args.save_mapping:
        save_mapping(context.user, db, args.save_mapping, mapping)
    print(
        f"imported {report.rows} survey answers from {report.source_name}: {report.new} new, "
        f"{report.updated} updated, {report.unchanged} unchanged; {report.linked_to_calls} linked to calls",
        file=context.stdout,
    )
    return 0


def period_table_command(args: argparse.Namespace, context: CliContext) -> int:
    """``nps`` and ``fcr``: the command's table service (``args.table``) by week or month, as ``args.columns``."""
    rows = args.table(
        context.user,
        context.database(),
        by=args.by,
        agent_id=args.agent,
        team_id=args.team,
        level=args.level,
        settings=context.settings.outcomes,
    )
    _record_export(args, context, rows=len(rows))
    write_rows(rows=rows, columns=args.columns, fmt=args.format, out=context.stdout)
    return 0


def _record_export(args: argparse.Namespace, context: CliContext, *, rows: int) -> None:
    """CSV and JSON output is an export and is recorded in the audit log (the text table is not)."""
    if args.format in ("csv", "json"):
        scope = " ".join(f"{k}={v}" for k, v in (("agent", args.agent), ("team", args.team)) if v)
        detail = f"cli {args.command} --format {args.format}" + (f" {scope}" if scope else "")
        record_export(context.user, context.database(), args.command, rows=rows, detail=detail)


def behaviour_command(args: argparse.Namespace, context: CliContext) -> int:
    report = behaviour_outcomes(
        context.user, context.database(), agent_id=args.agent, team_id=args.team, settings=context.settings.outcomes
    )
    _record_export(args, context, rows=len(report.rows))
    if args.format == "json":
        payload = {
            "n_linked_contacts": report.n_linked_contacts,
            "min_n": report.min_n,
            "note": report.note,
            "items": list(report.rows),
        }
        print(json.dumps(payload, indent=2, ensure_ascii=False), file=context.stdout)
        return 0
    write_rows(rows=list(report.rows), columns=BEHAVIOUR_COLUMNS, fmt=args.format, out=context.stdout)
    if args.format == "table":
        print(report.note, file=context.stdout)
    return 0


def write_rows(*, rows: Sequence[Mapping[str, object]], columns: Sequence[str], fmt: str, out: TextIO) -> None:
    """Write rows as JSON (a list), CSV (header + rows, formula-like text neutralised) or an aligned text table."""
    if fmt == "json":
        print(json.dumps(list(rows), indent=2, ensure_ascii=False), file=out)
    elif fmt == "csv":
        write_csv(out, rows, columns)  # spreadsheet-safe cells (coaching.exports)
    else:
        if not rows:
            print("no data", file=out)
            return
        cells = [[_cell(row.get(c)) for c in columns] for row in rows]
        widths = [max(len(c), *(len(r[i]) for r in cells)) for i, c in enumerate(columns)]
        for line in ([*columns], *cells):
            print("  ".join(v.ljust(w) for v, w in zip(line, widths, strict=True)).rstrip(), file=out)


def _cell(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)
