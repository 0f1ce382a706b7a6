"""Run ``python -m coaching`` in-process with captured output."""

from __future__ import annotations

import io

from coaching.cli.main import CliContext, main
from coaching.settings import Settings


def run_cli(settings: Settings, *argv: str) -> tuple[int, str, str]:
    """Exit code, stdout and stderr of one CLI call against ``settings``."""
    out, err = io.StringIO(), io.StringIO()
    context = CliContext(settings=settings, stdout=out, stderr=err)
    try:
        code = main(list(argv), context=context)
    finally:
        context.close()
    return code, out.getvalue(), err.getvalue()
