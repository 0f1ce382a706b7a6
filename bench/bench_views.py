"""Read-model benchmark: median time of each read model over N synthetic calls in a temporary SQLite database.

Run from the repository root: .venv/bin/python -m bench.bench_views [--calls 1000 10000] [--repeats 5]
(bench/bench_scale.py: p95 of the paged pages at 100 000 calls on SQLite and PostgreSQL).
The calls are spread over 40 agents in 4 teams and 180 days (10 % practice, half of it private), with analysis
JSON of the stored size (about 10 kB of metrics and 10 kB of checklist per call), a survey answer per call,
and coach overrides, disputes and comments on a few percent of the calls. Each read model runs as a coach (one
team), an agent and a manager (everything) would call it.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert

from coaching.access import User
from coaching.services.calls import list_calls
from coaching.services.outcomes import fcr_table, nps_table
from coaching.services.sessions import coaching_overview
from coaching.store.app_tables import CommentRow, ItemReviewRow
from coaching.store.db import Database
from coaching.store.survey_tables import SurveyRow
from coaching.store.tables import AgentRow, AnalysisRow, CallRow, ItemResultRow, TeamRow, item_result_values
from coaching.views.calls import CallFilters, call_table
from coaching.views.progress import agent_progress
from coaching.views.team import calibration, competence_map, team_outcomes

TEAMS, AGENTS_PER_TEAM = 4, 10
ITEMS = ("greeting", "listening", "empathy", "check", "options", "next_steps", "respect_time", "summary", "close")
NORMS = (
    *("talk_ratio_agent", "agent_words_per_minute", "agent_articulation_rate_sps", "rate_matching"),
    *("longest_agent_monologue_s", "longest_customer_story_s", "longest_silence_s", "response_latency_median_s"),
    *("agent_interruptions", "overtalk_share", "agent_fillers_per_minute", "open_questions"),
)


def _metrics(rng: random.Random) -> dict[str, Any]:
    """Metrics JSON of the stored shape and size (values random)."""
    silences = [
        {"start_s": rng.uniform(0, 300), "end_s": 0.0, "duration_s": d, "flagged": d > 10}
        for d in (rng.uniform(5, 15) for _ in range(rng.randint(0, 3)))
    ]
    series = [{"speaker": "agent", "start_s": i * 5.0, "end_s": i * 5.0 + 4, "words": 9} for i in range(40)]
    norms = {
        k: {"label": k.replace("_", " "), "value": rng.random(), "status": rng.choice(("within", "within", "above"))}
        | {"low": 0.1, "high": 0.9, "unit": "", "why": "Words that explain the norm and why it matters. " * 3}
        for k in NORMS
    }
    speaker = {"talk_time_s": 60.0, "turns": 9, "words": 140, "syllables": 300, "words_per_minute": 130.0}
    return {
        "talk_ratio_agent": rng.uniform(0.3, 0.7),
        "speakers": {"agent": speaker | {"articulation_rate_sps": 4.5}, "customer": speaker},
        "silences": silences,
        "interruptions": {"count": rng.choice((0, 0, 1, 2, 3)), "events": [{"start_s": 1.0, "text": "x " * 20}]},
        "overtalk": {"share_of_talk": rng.uniform(0, 0.1), "events": [{"start_s": 2.0, "duration_s": 1.0}] * 3},
        "tempo_series": series,
        "customer_trajectory": {"series": [{"start_s": i, "balance": 0, "counts": {"worry": 1}} for i in range(60)]},
        "norms": norms,
    }


def _checklist(rng: random.Random) -> dict[str, Any]:
    items = [
        {"id": item, "label": f"{item} label", "category": ("respect", "attentive", "delivery")[n % 3], "weight": 1.0}
        | {"passed": rng.random() < 0.7, "confidence": 0.7, "suggestion": "Say it like this: " + "word " * 30}
        | {"evidence": [{"start_s": 1.0, "end_s": 2.0, "quote": "a quote of the call " * 5, "role": "expected"}]}
        for n, item in enumerate(ITEMS)
    ]
    passed = [bool(i["passed"]) for i in items]
    return {"version": 1, "score": 100.0 * sum(passed) / len(items), "items": items}


def build(db: Database, n_calls: int, *, seed: int = 7) -> None:
    """Store ``n_calls`` synthetic calls with analyses, survey answers, reviews and comments."""
    rng = random.Random(seed)
    now = datetime.now(UTC)
    agents = [(f"agent-{t}-{a}", f"team-{t}") for t in range(TEAMS) for a in range(AGENTS_PER_TEAM)]
    calls, analyses, surveys, reviews, comments = [], [], [], [], []
    for n in range(n_calls):
        agent, team = agents[n % len(agents)]
        created = now - timedelta(days=rng.uniform(0, 180))
        practice = rng.random() < 0.1
        call_id = f"call-{n:06d}"
        calls.append(
            {"id": call_id, "agent_id": agent, "contact_id": f"K-{n}", "audio_sha256": f"{n:064d}"}
            | {"audio_path": "/nonexistent.flac", "source_filename": f"{call_id}.flac", "duration_s": 300.0}
            | {"language": "fi", "channel_mode": "left", "model_name": "bench", "created_at": created}
            | {"call_type": "practice" if practice else "real", "is_private": practice and rng.random() < 0.5}
            | {"diarization_confidence": rng.choice((None, 0.9, 0.5))}
        )
        checklist = _checklist(rng)
        analyses.append(
            {"id": n + 1, "call_id": call_id, "created_at": created, "schema_version": "1", "checklist_version": "1"}
            | {"score": checklist["score"], "metrics": _metrics(rng), "checklist": checklist}
        )
        surveys.append(
            {"contact_id": f"K-{n}", "agent_id": agent, "team_id": team, "answered_at": created + timedelta(hours=2)}
            | {"score": rng.randint(0, 10), "customer_id": f"P-{rng.randint(0, n_calls // 3)}", "resolved": None}
            | {"source_name": "bench", "imported_at": now}
        )
        if rng.random() < 0.05:
            for kind, passed in (("override", False), ("dispute", True)):
                reviews.append(
                    {"call_id": call_id, "item_id": "greeting", "kind": kind, "passed": passed, "auto_passed": True}
                    | {"reason": "bench", "author_id": "bench", "author_role": "coach", "created_at": now}
                )
        if rng.random() < 0.05:
            comments.append(
                {"call_id": call_id, "at_s": 1.0, "text": "bench", "author_id": "bench", "author_name": "Bench"}
                | {"author_role": "coach", "created_at": now}
            )
    with db.transaction() as session:
        session.execute(insert(TeamRow), [{"id": f"team-{t}", "name": f"Team {t}"} for t in range(TEAMS)])
        session.execute(insert(AgentRow), [{"id": a, "name": a, "team_id": t} for a, t in agents])
        session.execute(insert(CallRow), calls)
        session.execute(insert(AnalysisRow), analyses)
        items = [
            v
            for n, a in enumerate(analyses)
            for v in item_result_values(n + 1, f"call-{n:06d}", a["checklist"])  # type: ignore[arg-type]
        ]
        session.execute(insert(ItemResultRow), items)  # as the store writes them with each analysis
        session.execute(insert(SurveyRow), surveys)
        if reviews:
            session.execute(insert(ItemReviewRow), reviews)
        if comments:
            session.execute(insert(CommentRow), comments)


def _median_s(fn: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def read_models(db: Database) -> dict[str, Callable[[], object]]:
    coach = User("coach", "coach", team_ids=("team-0",))
    agent = User("agent", "agent", agent_id="agent-0-0")
    manager = User("manager", "manager")
    return {
        "call_table coach": lambda: call_table(coach, db),
        "call_table coach, low score last 30 days": lambda: call_table(
            coach, db, CallFilters(since=(datetime.now(UTC) - timedelta(days=30)).date(), flags=("low score",))
        ),
        "call_table agent": lambda: call_table(agent, db),
        "call_table manager": lambda: call_table(manager, db),
        "list_calls manager": lambda: list_calls(manager, db=db),
        "agent_progress agent": lambda: agent_progress(agent, db, "agent-0-0"),
        "coaching_overview coach": lambda: coaching_overview(coach, db, "agent-0-0"),
        "competence_map coach": lambda: competence_map(coach, db),
        "calibration coach": lambda: calibration(coach, db),
        "team_outcomes manager": lambda: team_outcomes(manager, db),
        "nps_table coach": lambda: nps_table(coach, db, by="month"),
        "fcr_table coach": lambda: fcr_table(coach, db, by="month"),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    results: dict[str, dict[int, float]] = {}
    for n_calls in args.calls:
        with tempfile.TemporaryDirectory() as folder:
            db = Database.open(f"sqlite:///{Path(folder) / 'bench.db'}")
            started = time.perf_counter()
            build(db, n_calls)
            print(f"built {n_calls} calls in {time.perf_counter() - started:.1f} s")
            for name, read in read_models(db).items():
                read()  # warm: imports, caches, SQLite page cache
                results.setdefault(name, {})[n_calls] = _median_s(read, args.repeats)
            db.dispose()
    header = "".join(f"{f'{n} calls':>14}" for n in args.calls)
    print(f"\n{'read model (median of ' + str(args.repeats) + ')':<44}{header}")
    for name, by_n in results.items():
        print(f"{name:<44}" + "".join(f"{1000 * by_n[n]:>11.1f} ms" for n in args.calls))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
