"""Dashboards at scale: p95 and median time of each page's read model at 100 000 calls, on SQLite and PostgreSQL.

Run from the repository root: .venv/bin/python -m bench.bench_scale [--calls 100000] [--repeats 20]
[--sqlite URL] [--postgres URL | --no-postgres]. The data come from :mod:`coaching.demo.scale` (200 agents in
20 teams, a year of calls and survey answers); ``--sqlite`` / ``--postgres`` reuse a database it filled, otherwise
a temporary SQLite file and a throw-away PostgreSQL server on loopback (as in tests/pg.py) are filled first.
Each read model runs as the user the page shows it to (scoped in the query): a coach of one team, an agent,
a manager choosing one team, and a manager on all teams (the team page's first view). The process's start-up
objects are frozen out of garbage collection first, as the app server does (:mod:`coaching.runtime`).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

from coaching.access import User
from coaching.demo.scale import build
from coaching.runtime import freeze_startup_heap
from coaching.store.db import Database
from coaching.views.calls import CallFilters, call_table
from coaching.views.progress import agent_progress
from coaching.views.team import calibration, competence_map, team_outcomes

PAGE = 50


def read_models(db: Database) -> dict[str, Callable[[], object]]:
    """The page queries, each as its user runs it."""
    coach = User("coach", "coach", team_ids=("team-03",))
    agent = User("agent", "agent", agent_id="agent-003")
    manager = User("manager", "manager")
    month = (datetime.now(UTC) - timedelta(days=30)).date()
    return {
        "call list coach, page 1": lambda: call_table(coach, db, limit=PAGE),
        "call list coach, page 5": lambda: call_table(coach, db, limit=PAGE, offset=4 * PAGE),
        "call list coach, low score 30 days": lambda: call_table(
            coach, db, CallFilters(since=month, flags=("low score",)), limit=PAGE
        ),
        "call list coach, one agent, commented": lambda: call_table(
            coach, db, CallFilters(agent_ids=("agent-023",), flags=("commented",)), limit=PAGE
        ),
        "call list agent, page 1": lambda: call_table(agent, db, limit=PAGE),
        "call list manager, page 1": lambda: call_table(manager, db, limit=PAGE),
        "agent progress agent": lambda: agent_progress(agent, db, "agent-003"),
        "agent progress coach": lambda: agent_progress(coach, db, "agent-023"),
        "competence map coach": lambda: competence_map(coach, db),
        "competence map manager, one team": lambda: competence_map(manager, db, team_id="team-07"),
        "team outcomes coach": lambda: team_outcomes(coach, db),
        "team outcomes manager, one team": lambda: team_outcomes(manager, db, team_id="team-07"),
        "calibration coach": lambda: calibration(coach, db),
        "calibration manager, one team": lambda: calibration(manager, db, team_id="team-07"),
        # the team page's first view for a manager: every team (20 teams, 100 000 calls)
        "competence map manager, all teams": lambda: competence_map(manager, db),
        "team outcomes manager, all teams": lambda: team_outcomes(manager, db),
        "calibration manager, all teams": lambda: calibration(manager, db),
    }


def _times_s(fn: Callable[[], object], repeats: int) -> list[float]:
    fn()  # warm: imports, caches, the database's page cache
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return times


def p95(times: list[float]) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, max(0, round(0.95 * len(ordered)) - 1))]


@contextmanager
def _database(url: str | None, kind: str, calls: int, stack: ExitStack) -> Iterator[Database]:
    if url is None:
        if kind == "sqlite":
            url = f"sqlite:///{Path(stack.enter_context(tempfile.TemporaryDirectory())) / 'scale.db'}"
        else:
            from tests.pg import postgres_server  # the bench's own throw-away server, as the tests start it

            url = stack.enter_context(postgres_server())
        db = Database.open(url)
        started = time.perf_counter()
        build(db, calls=calls)
        print(f"{kind}: stored {calls} calls in {time.perf_counter() - started:.0f} s", flush=True)
    else:
        db = Database.open(url)
    try:
        yield db
    finally:
        db.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--sqlite", help="a SQLite URL already filled by coaching.demo.scale")
    parser.add_argument("--postgres", help="a PostgreSQL URL already filled by coaching.demo.scale")
    parser.add_argument("--no-postgres", action="store_true", help="SQLite only")
    parser.add_argument("--only", nargs="*", default=[], help="read models whose name contains one of these")
    args = parser.parse_args()
    kinds = [("sqlite", args.sqlite)] + ([] if args.no_postgres else [("postgresql", args.postgres)])
    results: dict[str, dict[str, list[float]]] = {}
    for kind, url in kinds:
        with ExitStack() as stack, _database(url, kind, args.calls, stack) as db:
            freeze_startup_heap()  # as the app server does after its first run
            for name, read in read_models(db).items():
                if args.only and not any(part in name for part in args.only):
                    continue
                results.setdefault(name, {})[kind] = _times_s(read, args.repeats)
                print(f"  {kind:<11}{name:<42}{1000 * p95(results[name][kind]):>9.0f} ms p95", flush=True)
    names = [k for k, _ in kinds]
    header = "".join(f"{n + ' p95':>16}{n + ' median':>19}" for n in names)
    print(f"\n{'read model (' + str(args.repeats) + ' runs, ms)':<42}{header}")
    for name, by_kind in results.items():
        cells = "".join(
            f"{1000 * p95(by_kind[n]):>16.0f}{1000 * statistics.median(by_kind[n]):>19.0f}" if n in by_kind else ""
            for n in names
        )
        print(f"{name:<42}{cells}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
