"""Start a throw-away PostgreSQL server on loopback for tests (as in shared/docs/testing.md)."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager


def _free_port() -> int:
    """A loopback port nothing listens on now, so two servers (tests and a benchmark) never meet."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def pg_bin() -> str | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return os.path.dirname(found[-1]) if found else None


def pg_usable() -> bool:
    """Whether a throw-away server can start here: the server binaries, and root (to run them as ``postgres``)."""
    return pg_bin() is not None and os.geteuid() == 0


@contextmanager
def postgres_or_skip() -> Iterator[str]:
    """:func:`postgres_server`, or skip the test where none can start here."""
    import pytest

    if not pg_usable():
        pytest.skip("PostgreSQL cannot start here: server binaries missing (scripts/ensure-system-deps.sh) or not root")
    with postgres_server() as url:
        yield url


@contextmanager
def postgres_server() -> Iterator[str]:
    """Yield a SQLAlchemy URL of a fresh server; stop and delete it afterwards."""
    bindir = pg_bin()
    if bindir is None:
        raise RuntimeError("PostgreSQL server binaries not found")
    workdir = tempfile.mkdtemp(prefix="pgtest-")
    shutil.chown(workdir, "postgres")
    as_pg = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    data = f"{workdir}/db"
    subprocess.run(
        [*as_pg, f"{bindir}/initdb", "-D", data, "-U", "coaching", "--auth=trust"], check=True, capture_output=True
    )
    port = _free_port()
    options = f"-p {port} -k {workdir} -c listen_addresses=127.0.0.1"
    subprocess.run(
        [*as_pg, f"{bindir}/pg_ctl", "-D", data, "-o", options, "-l", f"{workdir}/log", "-w", "start"],
        check=True,
        capture_output=True,
    )
    try:
        yield f"postgresql+psycopg://coaching@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([*as_pg, f"{bindir}/pg_ctl", "-D", data, "-m", "fast", "stop"], capture_output=True)
        shutil.rmtree(workdir, ignore_errors=True)
