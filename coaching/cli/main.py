"""Command line: ``python -m coaching COMMAND``.

Exit codes: 0 success; 1 bad input or failure (one line on stderr, traceback only with
``--debug``); 2 usage error. Each command module adds its sub-commands through
``add_commands(subparsers)`` and handlers ``handler(args, context) -> int``.
"""

from __future__ import annotations

import argparse
import getpass
import importlib
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

COMMAND_MODULES = ("analyze", "checklist", "outcomes", "admin", "audit", "privacy", "queue")
"""The modules under :mod:`coaching.cli` that add sub-commands, in the order ``--help`` lists them."""

MODULE_OF_COMMAND = {
    "analyze": "analyze",
    "models": "analyze",
    "schema": "analyze",
    "checklist": "checklist",
    "import-nps": "outcomes",
    "nps": "outcomes",
    "fcr": "outcomes",
    "nps-behaviour": "outcomes",
    "seed-demo": "admin",
    "rescore": "admin",
    "audit": "audit",
    "retention": "privacy",
    "hold": "privacy",
    "erase": "privacy",
    "worker": "queue",
    "batch": "queue",
}
"""Which module adds each command, so one command imports only its own module (``analyze`` does not load the
demo data, outcomes or admin code). A command missing here still works: every module is then loaded."""


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The parser; with ``argv`` naming a known command, only that command's module is imported."""
    parser = argparse.ArgumentParser(prog="python -m coaching", description=__doc__.splitlines()[0])
    parser.add_argument("--debug", action="store_true", help="show tracebacks and debug logging")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in _modules_for(argv):
        importlib.import_module(f"coaching.cli.{name}").add_commands(subparsers)
    return parser


def _modules_for(argv: Sequence[str] | None) -> tuple[str, ...]:
    """The command modules to load: the one owning the command in ``argv``, else all (no ``argv``, help, a usage
    error)."""
    words = [word for word in argv or () if not word.startswith("-")]
    module = MODULE_OF_COMMAND.get(words[0]) if words else None
    return (module,) if module else COMMAND_MODULES


def cli_user(command: str) -> User:
    """The system user, named after the command and the operating-system account (audit entries show it)."""
    try:
        account = getpass.getuser()
    except (OSError, KeyError):
        account = "unknown"
    return replace(SYSTEM_USER, name=f"cli {command}, os user {account}")


def main(argv: Sequence[str] | None = None, *, context: CliContext | None = None) -> int:
    """Run the CLI; return the exit code."""
    argv = sys.argv[1:] if argv is None else argv
    parser = build_parser(argv)
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
