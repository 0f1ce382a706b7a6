"""Scale data: a contact centre's year (100 000 calls, 200 agents in 20 teams, survey answers) in bulk inserts.

Run from the repository root: .venv/bin/python -m coaching.demo.scale --db sqlite:///data/scale.db [--calls N]
(bench/bench_scale.py times the dashboards on it).
Each call has an analysis row of the stored shape (metrics JSON with speakers, silences, interruptions,
overtalk, norms and a short tempo series, and its figure columns; checklist JSON with nine items in three
categories) and its item rows (:func:`coaching.store.tables.item_result_values`, as the store writes them);
10 % are practice calls (half private), 30 % of contacts have a survey answer linked by contact id (customers
call again now and then, some answers carry a resolved flag), and a few percent of the calls have coach
overrides, agent responses and comments.
Agents' pass rates differ and drift over the year, so the dashboards show levels that move.
"""

from __future__ import annotations

import argparse
import functools
import random
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, select, text

from coaching.checklist.types import ChecklistResult, ItemResult
from coaching.metrics.compute import compute_metrics
from coaching.models import Segment, Speaker, SpeechSpan, Transcript, spread_words
from coaching.store.app_tables import CoachRatingRow, CommentRow, ItemReviewRow
from coaching.store.db import Database
from coaching.store.figures import call_figures
from coaching.store.survey_tables import SurveyRow
from coaching.store.tables import (
    AgentRow,
    AnalysisRow,
    CallRow,
    CategoryResultRow,
    ItemResultRow,
    TeamRow,
    category_result_values,
    item_result_values,
)
from coaching.store.totals import refill_item_totals

ITEMS = (  # (id, category) as in the stored checklist
    *(("greeting", "respect"), ("listening", "attentive"), ("empathy", "attentive")),
    *(("check", "attentive"), ("options", "delivery"), ("next_steps", "delivery")),
    *(("respect_time", "respect"), ("summary", "delivery"), ("close", "respect")),
)
_CHUNK = 5000


_WORDS = "hyvää päivää kiitos että soitit miten voin auttaa laskusta eräpäivä maksu sopimus selvä hetki".split()


@functools.cache
def metrics_templates(language: str = "fi", count: int = 6) -> tuple[dict[str, Any], ...]:
    """Metrics JSON of real shape: :func:`coaching.metrics.compute.compute_metrics` of a few synthetic
    transcripts (turns of words at a conversational pace, with pauses and some overtalk)."""
    rng = random.Random(count)
    found = []
    for _ in range(count):
        segments, at_s = [], 0.5
        for turn in range(rng.randint(12, 30)):
            speaker: Speaker = "agent" if turn % 2 == 0 else "customer"
            tokens = [rng.choice(_WORDS) for _ in range(rng.randint(3, 25))]
            end_s = at_s + len(tokens) * rng.uniform(0.3, 0.45)
            segments.append(
                Segment(speaker, at_s, end_s, " ".join(tokens), spread_words(tokens, start_s=at_s, end_s=end_s))
            )
            at_s = end_s + rng.choice((-0.4, 0.3, 0.6, 1.0, 2.5, 7.0, 12.0))
        spans = tuple(sorted((SpeechSpan(g.speaker, g.start_s, g.end_s) for g in segments), key=lambda x: x.start_s))
        segments.sort(key=lambda g: g.start_s)
        transcript = Transcript(language, tuple(segments), spans, "left", None)  # stereo, agent on the left
        metrics = compute_metrics(transcript=transcript).to_dict()
        trajectory = metrics["customer_trajectory"]
        trajectory |= {k: v[:8] for k, v in trajectory.items() if isinstance(v, list)}  # shape kept, series short
        found.append(metrics | {"tempo_series": metrics["tempo_series"][:8]})
    return tuple(found)


def metrics_json(rng: random.Random, duration_s: float) -> dict[str, Any]:
    """A template's metrics JSON (:func:`metrics_templates`) with this call's duration, talk ratio and
    interruption count."""
    template = rng.choice(metrics_templates())
    interruptions = template["interruptions"] | {"count": rng.choice((0, 0, 0, 1, 2, 3))}
    return (
        template
        | {"duration_s": duration_s, "talk_ratio_agent": round(rng.uniform(0.3, 0.7), 3)}
        | {"interruptions": interruptions}
    )


def checklist_json(rng: random.Random, skill: float) -> dict[str, Any]:
    """Checklist JSON of real shape (:meth:`ChecklistResult.to_dict`); each item passes with probability ``skill``
    and a few are uncertain (passed None: never counted)."""
    items = []
    for item_id, category in ITEMS:
        passed: bool | None = rng.random() < skill
        uncertain = rng.random() < 0.02
        items.append(
            ItemResult(
                id=item_id,
                label=item_id.replace("_", " ").capitalize(),
                phase="middle",
                category=category,
                weight=1.0,
                detector="phrases",
                passed=None if uncertain else passed,
                confidence=round(rng.uniform(0.5, 0.95), 2),
                uncertain=uncertain,
            )
        )
    known = [i for i in items if i.passed is not None]
    score = 100.0 * sum(1 for i in known if i.passed) / len(known) if known else None
    return ChecklistResult("scale", 1, "scale-1", "fi", score, tuple(items), ()).to_dict()


def _agents(teams: int, agents: int) -> list[tuple[str, str]]:
    return [(f"agent-{n:03d}", f"team-{n % teams:02d}") for n in range(agents)]


def _rows(
    rng: random.Random, n_calls: int, agents: list[tuple[str, str]], end: datetime, first_id: int
) -> Iterator[dict[str, Any]]:
    """One dict per call with the rows it adds (call, analysis, items, survey, reviews, comments)."""
    base_skill = {agent: rng.uniform(0.45, 0.85) for agent, _ in agents}
    drift = {agent: rng.uniform(-0.1, 0.15) for agent, _ in agents}
    customers = max(1, n_calls // 4)
    for n in range(n_calls):
        agent, team = agents[rng.randrange(len(agents))]
        age = rng.uniform(0, 365)
        created = end - timedelta(days=age)
        practice = rng.random() < 0.1
        call_id, contact = f"scale-{n:06d}", f"K{n:06d}"
        skill = min(0.97, base_skill[agent] + drift[agent] * (1 - age / 365))
        duration = rng.uniform(60, 900)
        checklist = checklist_json(rng, skill)
        metrics = metrics_json(rng, duration)
        rows: dict[str, Any] = {
            "call": {"id": call_id, "agent_id": agent, "contact_id": contact, "audio_sha256": f"{n:064x}"}
            | {"audio_path": "/nonexistent.flac", "source_filename": f"{call_id}.flac", "duration_s": duration}
            | {"language": "fi", "channel_mode": "left", "model_name": "scale", "created_at": created}
            | {"call_type": "practice" if practice else "real", "is_private": practice and rng.random() < 0.5}
            | {"diarization_confidence": None, "customer_id": None, "legal_hold": False},
            "analysis": {"id": first_id + n, "call_id": call_id, "created_at": created, "schema_version": "1"}
            | {"checklist_version": "1", "score": checklist["score"], "checklist": checklist}
            | {"metrics": metrics}
            | call_figures(metrics),  # the figure columns, once (as their defaults give)
        }
        if not practice and rng.random() < 0.3:
            score = max(0, min(10, round(rng.gauss(5 + 5 * skill, 2))))
            resolved = rng.choice((None, None, True, False)) if rng.random() < 0.3 else None
            rows["survey"] = {"contact_id": contact, "agent_id": agent, "team_id": team, "score": score}
            rows["survey"] |= {"answered_at": created + timedelta(hours=rng.uniform(1, 48)), "resolved": resolved}
            rows["survey"] |= {"customer_id": f"P{rng.randrange(customers):06d}", "source_name": "scale"}
            rows["survey"] |= {"imported_at": end}
        if not practice and rng.random() < 0.04:
            item_id = rng.choice(ITEMS)[0]
            auto = next(i["passed"] for i in checklist["items"] if i["id"] == item_id)
            rows["reviews"] = [
                {"call_id": call_id, "item_id": item_id, "kind": kind, "passed": passed, "auto_passed": auto}
                | {"reason": "scale", "author_id": author, "author_role": role, "created_at": created}
                for kind, passed, author, role in (
                    ("override", not auto if rng.random() < 0.6 else auto, "coach", "coach"),
                    *((("dispute", not auto, agent, "agent"),) if rng.random() < 0.5 else ()),
                )
            ]
        if rng.random() < 0.03:
            rows["comment"] = {"call_id": call_id, "at_s": 1.0, "text": "Listen to this part.", "author_id": "coach"}
            rows["comment"] |= {"author_name": "Coach", "author_role": "coach", "created_at": created}
        yield rows


def build(db: Database, *, calls: int = 100_000, agents: int = 200, teams: int = 20, seed: int = 7) -> None:
    """Store ``calls`` calls of ``agents`` agents in ``teams`` teams over the year before now, in bulk."""
    rng = random.Random(seed)
    end = datetime.now(UTC)
    people = _agents(teams, agents)
    with db.transaction() as session:
        session.execute(insert(TeamRow), [{"id": f"team-{t:02d}", "name": f"Team {t:02d}"} for t in range(teams)])
        session.execute(insert(AgentRow), [{"id": a, "name": f"Agent {a[6:]}", "team_id": t} for a, t in people])
        ratings = [
            {"agent_id": a, "competence": c, "level": rng.randint(1, 4), "note": "", "rated_by": "coach"}
            | {"rated_at": end - timedelta(days=rng.uniform(0, 200))}
            for a, _ in people
            for c in ("respect", "payment plans")
        ]
        session.execute(insert(CoachRatingRow), ratings)
        first_id = int(session.scalar(select(func.max(AnalysisRow.id))) or 0) + 1
    chunk: list[dict[str, Any]] = []
    for rows in _rows(rng, calls, people, end, first_id):
        chunk.append(rows)
        if len(chunk) == _CHUNK:
            _insert(db, chunk)
            chunk = []
    if chunk:
        _insert(db, chunk)
    with db.transaction() as session:
        if db.engine.dialect.name == "postgresql":  # the ids were given: move the sequence past them
            session.execute(text("SELECT setval(pg_get_serial_sequence('analyses', 'id'), max(id)) FROM analyses"))
        refill_item_totals(session, [agent for agent, _ in people])  # as each stored analysis does


def _insert(db: Database, chunk: list[dict[str, Any]]) -> None:
    items = [
        v for r in chunk for v in item_result_values(r["analysis"]["id"], r["call"]["id"], r["analysis"]["checklist"])
    ]
    with db.transaction() as session:
        session.execute(insert(CallRow), [r["call"] for r in chunk])
        session.execute(insert(AnalysisRow), [r["analysis"] for r in chunk])
        session.execute(insert(ItemResultRow), items)
        if categories := category_result_values(items):
            session.execute(insert(CategoryResultRow), categories)
        for key, table in (("survey", SurveyRow), ("comment", CommentRow)):
            if found := [r[key] for r in chunk if key in r]:
                session.execute(insert(table), found)
        if reviews := [v for r in chunk for v in r.get("reviews", ())]:
            session.execute(insert(ItemReviewRow), reviews)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, help="database URL (an empty database; it is migrated first)")
    parser.add_argument("--calls", type=int, default=100_000)
    parser.add_argument("--agents", type=int, default=200)
    parser.add_argument("--teams", type=int, default=20)
    args = parser.parse_args()
    db = Database.open(args.db)
    started = time.perf_counter()
    build(db, calls=args.calls, agents=args.agents, teams=args.teams)
    print(
        f"stored {args.calls} calls, {args.agents} agents, {args.teams} teams in {time.perf_counter() - started:.0f} s"
    )
    db.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
