"""Demo survey answers: months of plausible NPS answers per agent, driven by each agent's call quality.

Better checklist results → more promoters; weaker agents improve slowly (coaching) and cause more repeat
contacts within a week (lower FCR). Seeding goes through :func:`coaching.services.outcomes.import_dataframe`,
so demo data passes the same validation as a real export.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta

import numpy as np
import pandas as pd
from sqlalchemy import select

from coaching.access import User
from coaching.services.outcomes import ImportReport, import_dataframe
from coaching.store.calls import current_analysis_ids
from coaching.store.db import Database
from coaching.store.tables import AgentRow, AnalysisRow, CallRow

CHANNELS = ("phone", "chat", "email", "self-service")
CHANNEL_WEIGHTS = (0.62, 0.2, 0.12, 0.06)
DETRACTOR_WEIGHTS = (0.08, 0.04, 0.05, 0.07, 0.1, 0.26, 0.4)  # scores 0–6
COMMENTS = {
    "promoter": (
        "Ystävällinen ja selkeä palvelu, kiitos!",
        "Sain maksusuunnitelman heti.",
        "Trevlig och hjälpsam.",
        "Very understanding, thank you.",
    ),
    "passive": ("Asia hoitui, mutta jonotin pitkään.", "Ihan ok.", "Det gick bra."),
    "detractor": (
        "En saanut selvää mitä seuraavaksi tapahtuu.",
        "Tuntui syyllistävältä.",
        "Jag fick ringa igen.",
        "Nobody explained the fees.",
    ),
}
UNKNOWN_QUALITY = 0.6


def generate_demo_surveys(
    *, agents: Sequence[tuple[str, str, float]], months: int = 6, end: date, seed: int
) -> pd.DataFrame:
    """Survey rows (canonical columns, no ``resolved``) for ``months`` calendar months up to ``end``.

    Each agent tuple is (agent_id, team_id, quality 0–1). About 30–80 answers per agent and full month (fewer in a
    partial last month), weekday office hours, mixed channels, repeat customers within 7 days more often for
    weaker agents.
    """
    rng = np.random.default_rng(seed)
    first = _add_months(date(end.year, end.month, 1), -(months - 1))
    rows: list[dict[str, object]] = []
    customers = 0
    team_of = {agent_id: team for agent_id, team, _ in agents}
    for month_index in range(months):
        start = _add_months(first, month_index)
        stop = min(_add_months(start, 1) - timedelta(days=1), end)
        days = [start + timedelta(days=d) for d in range((stop - start).days + 1)]
        workdays = [d for d in days if d.weekday() < 5] or days
        share = len(days) / ((_add_months(start, 1) - start).days)
        for agent_id, team_id, quality in agents:
            trend = 0.03 * (month_index - (months - 1)) * (1.0 - quality)
            q_month = float(np.clip(quality + trend + rng.normal(0.0, 0.04), 0.0, 1.0))
            volume = max(1, round(int(rng.integers(30, 71)) * share))  # + repeats ≈ 30–80
            for _ in range(volume):
                customers += 1
                customer = f"CUST-{customers:05d}"
                when = _office_time(rng=rng, day=workdays[int(rng.integers(len(workdays)))])
                repeats = rng.random() < 0.28 - 0.2 * q_month
                rows.append(
                    _answer(
                        rng=rng,
                        agent=agent_id,
                        team=team_id,
                        quality=q_month - 0.15 * repeats,
                        when=when,
                        customer=customer,
                    )
                )
                if repeats:
                    later = when + timedelta(days=int(rng.integers(1, 7)), hours=float(rng.uniform(-2, 2)))
                    if later.date() <= end:
                        mates = [a for a, t, _ in agents if t == team_id]
                        handler = agent_id if rng.random() < 0.5 else mates[int(rng.integers(len(mates)))]
                        rows.append(
                            _answer(
                                rng=rng,
                                agent=handler,
                                team=team_of[handler],
                                quality=q_month - 0.1,
                                when=later,
                                customer=customer,
                            )
                        )
                elif rng.random() < 0.08:  # same customer, much later: a new matter, not a failed first contact
                    later = when + timedelta(days=int(rng.integers(20, 60)))
                    if later.date() <= end:
                        rows.append(
                            _answer(
                                rng=rng, agent=agent_id, team=team_id, quality=q_month, when=later, customer=customer
                            )
                        )
    frame = pd.DataFrame(rows, columns=["agent", "team", "answered_at", "score", "comment", "channel", "customer_id"])
    frame = frame.sort_values(["answered_at", "customer_id"], kind="stable").reset_index(drop=True)
    frame.insert(0, "contact_id", [f"DEMO-{seed}-{i:06d}" for i in range(1, len(frame) + 1)])
    return frame


def _add_months(day: date, months: int) -> date:
    total = day.year * 12 + day.month - 1 + months
    return date(total // 12, total % 12 + 1, 1)


def _office_time(*, rng: np.random.Generator, day: date) -> datetime:
    seconds = int(rng.integers(6 * 3600, 15 * 3600))  # 08–17 Finnish time, in UTC
    return datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(seconds=seconds)


def _answer(
    *, rng: np.random.Generator, agent: str, team: str | None, quality: float, when: datetime, customer: str
) -> dict[str, object]:
    q = float(np.clip(quality, 0.0, 1.0))
    p_promoter, p_detractor = 0.20 + 0.55 * q, 0.40 - 0.32 * q
    draw = rng.random()
    if draw < p_promoter:
        kind, score = "promoter", 9 + int(rng.random() < 0.55)
    elif draw < p_promoter + p_detractor:
        kind, score = "detractor", int(rng.choice(7, p=DETRACTOR_WEIGHTS))
    else:
        kind, score = "passive", 7 + int(rng.random() < 0.6)
    comment = COMMENTS[kind][int(rng.integers(len(COMMENTS[kind])))] if rng.random() < 0.25 else None
    channel = CHANNELS[int(rng.choice(len(CHANNELS), p=CHANNEL_WEIGHTS))]
    return {
        "agent": agent,
        "team": team,
        "answered_at": when,
        "score": score,
        "comment": comment,
        "channel": channel,
        "customer_id": customer,
    }


def demo_agents_from_database(db: Database) -> tuple[list[tuple[str, str, float]], list[tuple[str, str, float]]]:
    """(agents as (id, team, quality), linked calls as (contact_id, agent_id, quality)) from stored analyses.

    Quality is the share of passed checklist items in the current analysis; agents without one get 0.6.
    Agents without a team are left out (the demo groups by team).
    """
    with db.transaction() as session:
        agents = session.execute(select(AgentRow.id, AgentRow.team_id).order_by(AgentRow.id)).all()
        current_ids = current_analysis_ids()
        analyses = session.execute(
            select(CallRow.id, CallRow.agent_id, CallRow.contact_id, AnalysisRow.checklist)
            .join(current_ids, current_ids.c.call_id == CallRow.id)
            .join(AnalysisRow, AnalysisRow.id == current_ids.c.analysis_id)
            .where(CallRow.is_private.is_(False))
        ).all()
    current = {call_id: (agent, contact, _pass_share(checklist)) for call_id, agent, contact, checklist in analyses}
    per_agent: dict[str, list[float]] = {}
    linked = []
    for agent, contact, share in current.values():
        if share is not None:
            per_agent.setdefault(agent, []).append(share)
            if contact:
                linked.append((contact, agent, share))
    demo_agents = [(a, t, float(np.mean(per_agent.get(a, [UNKNOWN_QUALITY])))) for a, t in agents if t]
    return demo_agents, linked


def _pass_share(checklist: object) -> float | None:
    items = checklist.get("items", []) if isinstance(checklist, dict) else []
    flags = [i["passed"] for i in items if isinstance(i, dict) and isinstance(i.get("passed"), bool)]
    return sum(flags) / len(flags) if flags else None


def seed_demo_surveys(user: User, db: Database, *, end: date, seed: int, months: int = 6) -> ImportReport:
    """Generate answers for the stored agents (plus one per analysed call with a contact_id) and import them."""
    agents, linked = demo_agents_from_database(db)
    frame = generate_demo_surveys(agents=agents, months=months, end=end, seed=seed)
    rng = np.random.default_rng(seed + 1)
    team_of = {a: t for a, t, _ in agents}
    end_at = datetime(end.year, end.month, end.day, 16, tzinfo=UTC)
    extra = [
        {
            "contact_id": contact,
            **_answer(
                rng=rng,
                agent=agent,
                team=team_of.get(agent),
                quality=quality,
                customer=f"CALL-{contact}",
                when=end_at - timedelta(hours=float(rng.uniform(1, 24 * 14))),
            ),
        }
        for contact, agent, quality in linked
    ]
    if extra:
        frame = pd.concat([frame, pd.DataFrame(extra, columns=frame.columns)], ignore_index=True)
    return import_dataframe(user, db, frame, source_name=f"demo surveys (seed {seed})")
