"""The agent progress read model: checklist score and items over time beside NPS and FCR.

Every query is narrowed to what the acting user may see (:mod:`coaching.access` scopes, applied in SQL by the
store); private practice calls appear only to their own agent.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from sqlalchemy import select

from coaching.access import User, agent_scope, call_scope, outcome_scope, require_agent_read
from coaching.outcomes.nps import check_level, check_period, json_frame, period_labels
from coaching.settings import OutcomeSettings
from coaching.store.calls import agent_team
from coaching.store.db import Database
from coaching.store.outcomes import outcome_frames, team_lookup
from coaching.store.results import load_results, rows_where
from coaching.store.scope import agent_scope_where
from coaching.store.tables import AgentRow


@dataclass(frozen=True)
class AgentProgress:
    """One agent over time: per-call figures, item pass rates per period, NPS and FCR per period."""

    agent_id: str
    agent_name: str
    calls: pd.DataFrame  # coaching.store.results.CALL_COLUMNS
    item_rates: pd.DataFrame  # period, item_id, label, n, passed, pass_rate
    nps: pd.DataFrame  # NPS rows (period, n, nps, ci_low, ci_high, ...), see coaching.services.outcomes.nps_table
    fcr: pd.DataFrame


def agent_progress(
    user: User, db: Database, agent_id: str, *, by: str = "month", outcome_settings: OutcomeSettings | None = None
) -> AgentProgress:
    """Checklist score and items over time beside NPS / FCR (with n and intervals), tempo and talk ratio."""
    period, config = check_period(by), outcome_settings or OutcomeSettings()
    with db.transaction() as session:
        team_id = agent_team(session, agent_id)
        require_agent_read(user, agent_id=agent_id, team_id=team_id)
        name = session.scalar(select(AgentRow.name).where(AgentRow.id == agent_id)) or agent_id
        results = load_results(session, agent_ids=[agent_id], scope=call_scope(user))
        outcomes = outcome_scope(
            user, level=check_level("agent"), agent_id=agent_id, team_id=None, team_of=team_lookup(session)
        )
        found = outcome_frames(session, outcomes, by=period, levels=("agent",), settings=config)["agent"]
        nps, fcr = (json_frame(frame) for frame in found)  # the agent's answers read once for both
    items = rows_where(results.items, "passed").copy()
    if items.empty:
        rates = pd.DataFrame(columns=["period", "item_id", "label", "n", "passed", "pass_rate"])
    else:
        items["period"] = period_labels(items["created_at"], by=period)
        items["passed"] = items["passed"].astype(bool)
        grouped = items.groupby(["period", "item_id", "label"], sort=True)["passed"]
        rates = grouped.agg(n="count", passed="sum").reset_index()
        rates["pass_rate"] = rates["passed"] / rates["n"]
    return AgentProgress(agent_id, name, results.calls, rates, nps, fcr)


def visible_agents(user: User, db: Database) -> list[tuple[str, str, str | None]]:
    """(agent id, name, team id) of the agents whose progress ``user`` may see, by name."""
    query = select(AgentRow.id, AgentRow.name, AgentRow.team_id).where(agent_scope_where(agent_scope(user)))
    with db.transaction() as session:
        rows = session.execute(query.order_by(AgentRow.name, AgentRow.id)).all()
    return [(a, n, t) for a, n, t in rows]
