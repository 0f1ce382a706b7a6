"""CLI commands ``retention run|show|set``, ``hold`` and ``erase`` (:mod:`coaching.services.retention`)."""

from __future__ import annotations

import argparse
from dataclasses import replace
from typing import Any

from coaching.cli.context import CliContext
from coaching.errors import InputError
from coaching.services.retention import (
    ErasureReport,
    describe,
    erase_agent,
    erase_call,
    erase_customer,
    retention_policy,
    run_retention,
    save_retention,
    set_legal_hold,
)


def add_commands(subparsers: Any) -> None:
    retention = subparsers.add_parser("retention", help="the retention policy: show, set, or run it now")
    actions = retention.add_subparsers(dest="retention_command", required=True, metavar="ACTION")
    run = actions.add_parser("run", help="delete the audio, calls and survey answers that expired")
    run.add_argument("--dry-run", action="store_true", help="print what would be deleted; change nothing")
    run.set_defaults(handler=run_retention_now)
    show = actions.add_parser("show", help="print the policy in force")
    show.set_defaults(handler=run_show)
    change = actions.add_parser("set", help="save the policy (values: days, or 'forever'); others stay")
    for name, what in (("audio", "recordings"), ("transcript", "whole calls"), ("survey", "survey answers")):
        change.add_argument(f"--{name}-days", metavar="DAYS", type=_days, default=None, help=f"keep {what}")
    change.set_defaults(handler=run_set)

    hold = subparsers.add_parser("hold", help="put a call under legal hold (exempt from retention and erasure)")
    hold.add_argument("--call", required=True, metavar="ID")
    hold.add_argument("--release", action="store_true", help="release the hold instead")
    hold.add_argument("--reason", required=True, help="why (e.g. a case reference); goes into the audit log")
    hold.set_defaults(handler=run_hold)

    erase = subparsers.add_parser("erase", help="erase a call, an agent or a customer (audio, transcript, ...)")
    target = erase.add_mutually_exclusive_group(required=True)
    target.add_argument("--call", metavar="ID")
    target.add_argument("--agent", metavar="ID")
    target.add_argument("--customer", metavar="ID")
    erase.add_argument("--yes", action="store_true", help="erase; without it only print what would be erased")
    erase.set_defaults(handler=run_erase)


FOREVER = 0  # ``--audio-days forever`` (argparse cannot tell None from "not given")


def _days(text: str) -> int:
    if text.strip().lower() == "forever":
        return FOREVER
    try:
        days = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of days or 'forever'") from None
    if days < 1:
        raise argparse.ArgumentTypeError(f"{text!r}: keep at least 1 day, or 'forever'")
    return days


def run_retention_now(args: argparse.Namespace, context: CliContext) -> int:
    report = run_retention(context.user, context.database(), settings=context.settings, dry_run=args.dry_run)
    print(report.summary(), file=context.stdout)
    return _files_left(report.files_left, context)


def run_show(_args: argparse.Namespace, context: CliContext) -> int:
    print(describe(retention_policy(context.database(), settings=context.settings)), file=context.stdout)
    return 0


def run_set(args: argparse.Namespace, context: CliContext) -> int:
    db = context.database()
    given = {f"{n}_days": getattr(args, f"{n}_days") for n in ("audio", "transcript", "survey")}
    changes = {name: None if days == FOREVER else days for name, days in given.items() if days is not None}
    if not changes:
        raise InputError("give --audio-days, --transcript-days or --survey-days")
    policy = save_retention(context.user, db, replace(retention_policy(db, settings=context.settings), **changes))
    print(describe(policy), file=context.stdout)
    return 0


def run_hold(args: argparse.Namespace, context: CliContext) -> int:
    set_legal_hold(context.user, context.database(), args.call, held=not args.release, reason=args.reason)
    state = "released from legal hold" if args.release else "under legal hold"
    print(f"call {args.call} is {state}", file=context.stdout)
    return 0


def run_erase(args: argparse.Namespace, context: CliContext) -> int:
    db, settings, dry_run = context.database(), context.settings, not args.yes
    report: ErasureReport
    if args.call:
        report = erase_call(context.user, db, args.call, settings=settings, dry_run=dry_run)
    elif args.agent:
        report = erase_agent(context.user, db, args.agent, settings=settings, dry_run=dry_run)
    else:
        report = erase_customer(context.user, db, args.customer, settings=settings, dry_run=dry_run)
    print(report.summary(), file=context.stdout)
    if dry_run:
        print("error: nothing was erased; run again with --yes to erase", file=context.stderr)
        return 1
    return _files_left(report.files_left, context)


def _files_left(paths: tuple[str, ...], context: CliContext) -> int:
    """Exit 1 when files could not be removed (outside the data directory, or not removable), naming them."""
    for path in paths:
        print(f"warning: not removed: {path}", file=context.stderr)
    if paths:
        print(f"error: {len(paths)} files were left behind; remove them by hand", file=context.stderr)
        return 1
    return 0
