"""CLI command ``seed-demo``."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from coaching.asr.transcriber import load_transcriber
from coaching.checklist import load_checklist
from coaching.cli.context import CliContext
from coaching.demo.seed import seed_demo
from coaching.services.checklists import rescore_calls
from coaching.services.config import analysis_config


def add_commands(subparsers: Any) -> None:
    seed = subparsers.add_parser("seed-demo", help="create demo teams, agents and analysed sample calls")
    seed.add_argument("--if-empty", action="store_true", help="only when the database holds no calls")
    seed.add_argument(
        "--model", metavar="NAME_OR_DIR", default=None, help="Whisper model name or directory (default: the saved one)"
    )
    seed.set_defaults(handler=run_seed)

    rescore = subparsers.add_parser("rescore", help="score stored calls again with a checklist version")
    rescore.add_argument("--call", action="append", metavar="ID", help="a call id (repeat); default all calls")
    rescore.add_argument("--checklist", type=Path, metavar="FILE", help="checklist YAML (default: the active one)")
    rescore.set_defaults(handler=run_rescore)


def run_seed(args: argparse.Namespace, context: CliContext) -> int:
    config = analysis_config(context.settings, context.database()).with_model(args.model)
    transcriber = load_transcriber(config.settings)
    report = seed_demo(
        settings=context.settings,
        db=context.database(),
        transcriber=transcriber,
        if_empty=args.if_empty,
        progress=lambda message: print(message, file=context.stderr, flush=True),
    )
    print(report.message, file=context.stdout)
    return 0


def run_rescore(args: argparse.Namespace, context: CliContext) -> int:
    db = context.database()
    checklist = load_checklist(args.checklist) if args.checklist else analysis_config(context.settings, db).checklist
    report = rescore_calls(context.user, db, checklist=checklist, call_ids=args.call)
    print(
        f"re-scored {report.rescored} calls with {report.version_id}; {report.skipped} already used it",
        file=context.stdout,
    )
    return 0
