"""Command line: ``python -m coaching COMMAND``.

Exit codes: 0 success; 1 bad input or failure (one line on stderr, traceback only with
``--debug``); 2 usage error. Each command module adds its sub-commands through
``add_commands(subparsers)`` and handlers ``handler(args, context) -> int``.
"""

from __future__ import annotations

import argparse
import getpass
import logging
import os
import sys
import traceback
from collections.abc import Sequence
from dataclasses import replace

from coaching.access import SYSTEM_USER, User
from coaching.cli.context import CliContext, Handler
from coaching.errors import CoachingError
from coaching.settings import Settings


def build_parser() -> argparse.ArgumentParser:
    from coaching.cli import admin, analyze, audit, checklist, outcomes, privacy

    parser = argparse.ArgumentParser(prog="python -m coaching", description=__doc__.splitlines()[0])
    parser.add_argument("--debug", action="store_true", help="show tracebacks and debug logging")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in (analyze, checklist, outcomes, admin, audit, privacy):
        module.add_commands(subparsers)
    return parser


def cli_user(command: str) -> User:
    """The system user, named after the command and the operating-system account (audit entries show it)."""
    try:
        account = getpass.getuser()
    except (OSError, KeyError):
        account = "unknown"
    return replace(SYSTEM_USER, name=f"cli {command}, os user {account}")


def main(argv: Sequence[str] | None = None, *, context: CliContext | None = None) -> int:
    """Run the CLI; return the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.debug else logging.WARNING, format="%(levelname)s %(name)s: %(message)s"
    )
    err = context.stderr if context else sys.stderr
    try:
        ctx = context or CliContext(settings=Settings.from_env(), user=cli_user(args.command))
        try:
            handler: Handler = args.handler
            return handler(args, ctx)
        finally:
            if context is None:
                ctx.close()
    except CoachingError as error:
        if args.debug:
            traceback.print_exc(file=err)
        print(f"error: {error}", file=err)
        return 1
    except KeyboardInterrupt:
        print("error: interrupted", file=err)
        return 1
    except BrokenPipeError:  # the reader went away (``... | head``): stop quietly, as Unix tools do
        if context is None:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error when Python flushes
        return 1
