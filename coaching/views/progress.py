"""Read models over stored analyses: per-call and per-item frames with coach overrides applied, and the
agent progress view. Pure pandas over frames loaded in one query each.

Private practice calls appear only to their own agent.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from coaching.access import User, can_read_agent, require_agent_read
from coaching.checklist.reviews import OVERRIDE, RESPONSE
from coaching.checklist.scoring import weighted_score
from coaching.services.outcomes import fcr_table, nps_table
from coaching.settings import OutcomeSettings
from coaching.store.calls import agent_team, current_analysis_ids
from coaching.store.db import Database
from coaching.store.feedback import reviews_of
from coaching.store.tables import AgentRow, AnalysisRow, CallRow

CALL_COLUMNS = (
    "call_id",
    "agent_id",
    "agent",
    "team_id",
    "created_at",
    "call_type",
    "is_private",
    "language",
    "duration_s",
    "score",
    "auto_score",
    "talk_ratio_agent",
    "agent_wpm",
    "agent_sps",
    "customer_sps",
    "flagged_silences",
    "interruptions",
    "overtalk_share",
    "out_of_norm",
)
ITEM_COLUMNS = (
    "call_id",
    "agent_id",
    "team_id",
    "created_at",
    "call_type",
    "item_id",
    "label",
    "category",
    "weight",
    "auto_passed",
    "coach_passed",
    "agent_passed",
    "passed",
)


@dataclass(frozen=True)
class Results:
    """``calls``: one row per call (:data:`CALL_COLUMNS`); ``items``: one per call and item (:data:`ITEM_COLUMNS`)."""

    calls: pd.DataFrame
    items: pd.DataFrame


def _rate(speaker: dict[str, Any]) -> float | None:
    value = speaker.get("articulation_rate_sps")
    return value if value is not None else speaker.get("syllables_per_second")


def load_results(session: Session, *, agent_ids: list[str] | None, private_of: str | None = None) -> Results:
    """Current analyses of the agents' calls (None: every agent); private calls only of agent ``private_of``."""
    latest = current_analysis_ids()
    query = (
        select(CallRow, AgentRow.team_id, AgentRow.name, AnalysisRow.score, AnalysisRow.metrics, AnalysisRow.checklist)
        .join(AgentRow, AgentRow.id == CallRow.agent_id)
        .join(latest, latest.c.call_id == CallRow.id)
        .join(AnalysisRow, AnalysisRow.id == latest.c.analysis_id)
        .order_by(CallRow.created_at)
    )
    if agent_ids is not None:
        query = query.where(CallRow.agent_id.in_(agent_ids))
    calls, items = [], []
    for call, team_id, agent_name, score, metrics, checklist in session.execute(query):
        if call.is_private and call.agent_id != private_of:
            continue
        reviews = reviews_of(session, call.id)
        created = pd.Timestamp(call.created_at)
        created = created.tz_localize("UTC") if created.tzinfo is None else created.tz_convert("UTC")
        effective: list[dict[str, Any]] = []
        for item in (checklist or {}).get("items", []):
            override = reviews.get((item.get("id"), OVERRIDE))
            response = reviews.get((item.get("id"), RESPONSE))
            coach = override.passed if override is not None else None
            auto = item.get("passed")
            row = {
                "call_id": call.id,
                "agent_id": call.agent_id,
                "team_id": team_id,
                "created_at": created,
                "call_type": call.call_type,
                "item_id": item.get("id"),
                "label": item.get("label"),
                "category": item.get("category"),
                "weight": float(item.get("weight", 1.0)),
                "auto_passed": auto,
                "coach_passed": coach,
                "agent_passed": response.passed if response is not None else None,
                "passed": coach if coach is not None else auto,
            }
            items.append(row)
            effective.append(row)
        m = metrics or {}
        speakers = m.get("speakers", {})
        calls.append(
            {
                "call_id": call.id,
                "agent_id": call.agent_id,
                "agent": agent_name,
                "team_id": team_id,
                "created_at": created,
                "call_type": call.call_type,
                "is_private": bool(call.is_private),
                "language": call.language,
                "duration_s": call.duration_s,
                "score": _score(effective, score),
                "auto_score": score,
                "talk_ratio_agent": m.get("talk_ratio_agent"),
                "agent_wpm": speakers.get("agent", {}).get("words_per_minute"),
                "agent_sps": _rate(speakers.get("agent", {})),
                "customer_sps": _rate(speakers.get("customer", {})),
                "flagged_silences": sum(1 for s in m.get("silences", []) if s.get("flagged")),
                "interruptions": (m.get("interruptions") or {}).get("count"),
                "overtalk_share": (m.get("overtalk") or {}).get("share_of_talk"),
                "out_of_norm": tuple(
                    str(n.get("label", k))
                    for k, n in (m.get("norms") or {}).items()
                    if n.get("status") in ("below", "above")
                ),
            }
        )
    return Results(pd.DataFrame(calls, columns=list(CALL_COLUMNS)), pd.DataFrame(items, columns=list(ITEM_COLUMNS)))


def rows_where(frame: pd.DataFrame, column: str, value: bool | None = None) -> pd.DataFrame:
    """Rows whose ``column`` holds a bool (``value`` None) or exactly ``value`` (True/False, never None)."""
    if value is None:
        mask = frame[column].map(lambda v: isinstance(v, bool))
    else:
        mask = frame[column].map(lambda v: isinstance(v, bool) and v == value)
    return frame.loc[mask.astype(bool)]


def _score(items: list[dict[str, Any]], stored: float | None) -> float | None:
    """The stored score, or the score after coach overrides when any changed a result."""
    if all(i["coach_passed"] is None or i["coach_passed"] == i["auto_passed"] for i in items):
        return stored
    return weighted_score((i["passed"], i["weight"]) for i in items)


def period_of(stamps: pd.Series, by: str = "month") -> pd.Series:
    """``2026-05`` (month) or ``2026-W19`` (ISO week) labels of UTC timestamps."""
    if by == "week":
        iso = stamps.dt.isocalendar()
        return iso["year"].astype(str) + "-W" + iso["week"].astype(int).map("{:02d}".format)
    return stamps.dt.strftime("%Y-%m")


@dataclass(frozen=True)
class AgentProgress:
    """One agent over time: per-call figures, item pass rates per period, NPS and FCR per period."""

    agent_id: str
    agent_name: str
    calls: pd.DataFrame
    item_rates: pd.DataFrame  # period, item_id, label, n, passed, pass_rate
    nps: pd.DataFrame  # outcomes.nps_table rows (period, n, nps, ci_low, ci_high, ...)
    fcr: pd.DataFrame


def agent_progress(
    user: User, db: Database, agent_id: str, *, by: str = "month", outcome_settings: OutcomeSettings | None = None
) -> AgentProgress:
    """Checklist score and items over time beside NPS / FCR (with n and intervals), tempo and talk ratio."""
    with db.transaction() as session:
        team_id = agent_team(session, agent_id)
        require_agent_read(user, agent_id=agent_id, team_id=team_id)
        agent = session.get(AgentRow, agent_id)
        name = agent.name if agent else agent_id
        own = user.agent_id if user.role == "agent" else None
        results = load_results(session, agent_ids=[agent_id], private_of=own)
    items = rows_where(results.items, "passed").copy()
    if items.empty:
        rates = pd.DataFrame(columns=["period", "item_id", "label", "n", "passed", "pass_rate"])
    else:
        items["period"] = period_of(items["created_at"], by)
        items["passed"] = items["passed"].astype(bool)
        grouped = items.groupby(["period", "item_id", "label"], sort=True)["passed"]
        rates = grouped.agg(n="count", passed="sum").reset_index()
        rates["pass_rate"] = rates["passed"] / rates["n"]
    nps = pd.DataFrame(nps_table(user, db, by=by, agent_id=agent_id, settings=outcome_settings))
    fcr = pd.DataFrame(fcr_table(user, db, by=by, agent_id=agent_id, settings=outcome_settings))
    return AgentProgress(agent_id, name, results.calls, rates, nps, fcr)


def visible_agents(user: User, db: Database) -> list[tuple[str, str, str | None]]:
    """(agent id, name, team id) of the agents whose progress ``user`` may see."""
    with db.transaction() as session:
        rows = session.execute(select(AgentRow.id, AgentRow.name, AgentRow.team_id).order_by(AgentRow.name)).all()
    return [(a, n, t) for a, n, t in rows if can_read_agent(user, agent_id=a, team_id=t)]
