"""Team read models: competence map (levels, growth, coverage), calibration, NPS / FCR per agent and team.

Competences are the checklist categories plus the organisation's knowledge areas. An agent's level in a
category, 1 (learning) to 4 (expert), comes from the pass share of its items over the agent's last
:data:`WINDOW_CALLS` real calls up to a month's end, averaged with the coach's newest rating when there is
one; knowledge areas have coach ratings only. Proficient means level 3 or more.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy import select

from coaching.access import User, can_read_team, outcome_scope, require, visible_team_ids
from coaching.outcomes.nps import Level, check_level, check_period, json_records
from coaching.scopes import CallScope
from coaching.settings import OutcomeSettings
from coaching.store.app_tables import CoachRatingRow, knowledge_areas
from coaching.store.db import Database
from coaching.store.outcomes import fcr_frame, nps_frame, team_lookup
from coaching.store.results import load_results, rows_where
from coaching.store.tables import AgentRow, TeamRow

WINDOW_CALLS = 10
PROFICIENT = 3.0
LEVEL_NAMES = {1: "learning", 2: "developing", 3: "proficient", 4: "expert"}
_LEVELS: tuple[tuple[str, Level], ...] = (("a", "agent"), ("t", "team"))


@dataclass(frozen=True)
class CompetenceMap:
    levels: pd.DataFrame  # agent_id, agent, team_id, competence, auto_level, coach_level, level (newest month)
    growth: pd.DataFrame  # month, competence, team mean level
    coverage: pd.DataFrame  # competence, agents, proficient, gap
    months: tuple[str, ...]


def level_from_share(share: float) -> int:
    """Pass share 0–1 → level 1–4 (<50 % learning, <70 % developing, <85 % proficient, else expert)."""
    return 1 if share < 0.5 else 2 if share < 0.7 else 3 if share < 0.85 else 4


def _scope(user: User, db: Database, team_id: str | None) -> tuple[list[str], pd.DataFrame]:
    """Teams the view covers (checked) and their agents."""
    if team_id is not None:
        require(can_read_team(user, team_id=team_id), user=user, action=f"see team {team_id!r}")
    else:
        require(user.role in ("coach", "manager", "system"), user=user, action="see team views")
    with db.transaction() as session:
        teams = [team_id] if team_id is not None else list(session.scalars(select(TeamRow.id).order_by(TeamRow.id)))
        chosen = visible_team_ids(user, teams)
        agents = session.execute(
            select(AgentRow.id, AgentRow.name, AgentRow.team_id).where(AgentRow.team_id.in_(chosen))
        ).all()
    return chosen, pd.DataFrame(agents, columns=["agent_id", "agent", "team_id"])


def month_ends(*, last: pd.Timestamp, months: int) -> list[pd.Timestamp]:
    end = (last.tz_convert("UTC") if last.tzinfo else last.tz_localize("UTC")).normalize() + pd.offsets.MonthEnd(0)
    return [end - pd.offsets.MonthEnd(k) + pd.Timedelta(hours=23, minutes=59, seconds=59) for k in range(months)][::-1]


def competence_map(
    user: User, db: Database, *, team_id: str | None = None, months: int = 6, now: pd.Timestamp | None = None
) -> CompetenceMap:
    """Levels per agent and competence for the newest month, the team's growth per month, and coverage."""
    teams, agents = _scope(user, db, team_id)
    with db.transaction() as session:
        items = load_results(session, scope=CallScope(team_ids=tuple(teams)), call_types=["real"], metrics=False).items
        areas = knowledge_areas(session)
        ratings = pd.DataFrame(
            session.execute(
                select(
                    CoachRatingRow.agent_id, CoachRatingRow.competence, CoachRatingRow.level, CoachRatingRow.rated_at
                )
                .where(CoachRatingRow.agent_id.in_(agents["agent_id"].tolist()))
                .order_by(CoachRatingRow.id)
            ).all(),
            columns=["agent_id", "competence", "level", "rated_at"],
        )
    if not ratings.empty:
        ratings["rated_at"] = pd.to_datetime(ratings["rated_at"], utc=True)
    items = rows_where(items, "passed")
    categories = list(dict.fromkeys(items["category"].dropna()))
    competences = categories + [a for a in areas if a not in categories]
    ends = month_ends(last=now or pd.Timestamp.now(tz="UTC"), months=months)
    rows = []
    for end in ends:
        month = end.strftime("%Y-%m")
        for agent in agents.itertuples():
            mine = items[(items["agent_id"] == agent.agent_id) & (items["created_at"] <= end)]
            recent_calls = mine.drop_duplicates("call_id").sort_values("created_at")["call_id"].tail(WINDOW_CALLS)
            mine = mine[mine["call_id"].isin(recent_calls)]
            for competence in competences:
                in_cat = mine[mine["category"] == competence]
                auto = float(level_from_share(in_cat["passed"].astype(bool).mean())) if len(in_cat) else None
                coach = _rating(ratings, agent.agent_id, competence, end)
                known = [v for v in (auto, coach) if v is not None]
                rows.append(
                    {
                        "month": month,
                        "agent_id": agent.agent_id,
                        "agent": agent.agent,
                        "team_id": agent.team_id,
                        "competence": competence,
                        "auto_level": auto,
                        "coach_level": coach,
                        "level": round(float(np.mean(known)), 1) if known else None,
                    }
                )
    all_rows = pd.DataFrame(
        rows, columns=["month", "agent_id", "agent", "team_id", "competence", "auto_level", "coach_level", "level"]
    )
    newest = ends[-1].strftime("%Y-%m") if ends else ""
    levels = all_rows[all_rows["month"] == newest].drop(columns="month").reset_index(drop=True)
    growth = (
        all_rows.dropna(subset=["level"])
        .groupby(["month", "competence"], sort=True)["level"]
        .mean()
        .round(2)
        .reset_index()
    )
    coverage = pd.DataFrame(
        [
            {
                "competence": c,
                "agents": len(agents),
                "rated": int(levels.loc[levels["competence"] == c, "level"].notna().sum()),
                "proficient": int((levels.loc[levels["competence"] == c, "level"] >= PROFICIENT).sum()),
            }
            for c in competences
        ],
        columns=["competence", "agents", "rated", "proficient"],
    )
    coverage["gap"] = coverage["proficient"] < 2
    return CompetenceMap(levels, growth, coverage, tuple(e.strftime("%Y-%m") for e in ends))


def _rating(ratings: pd.DataFrame, agent_id: str, competence: str, end: pd.Timestamp) -> float | None:
    if ratings.empty:
        return None
    mine = ratings[
        (ratings["agent_id"] == agent_id) & (ratings["competence"] == competence) & (ratings["rated_at"] <= end)
    ]
    return float(mine["level"].iloc[-1]) if len(mine) else None


def calibration(user: User, db: Database, *, team_id: str | None = None) -> pd.DataFrame:
    """Per checklist item: how often the coach's and the agent's views agree with the automatic result."""
    teams, _ = _scope(user, db, team_id)
    with db.transaction() as session:
        items = load_results(session, scope=CallScope(team_ids=tuple(teams)), metrics=False).items
    rows = []
    for (item_id, label), group in items.groupby(["item_id", "label"], sort=False):
        auto = rows_where(group, "auto_passed")
        coach = rows_where(auto, "coach_passed")
        agent = rows_where(auto, "agent_passed")
        both = rows_where(coach, "agent_passed")
        rows.append(
            {
                "item": item_id,
                "label": label,
                "calls": len(auto),
                "auto_pass_rate": _share(auto["auto_passed"] == True) if len(auto) else None,  # noqa: E712
                "coach_reviews": len(coach),
                "coach_agrees": _share(coach["coach_passed"] == coach["auto_passed"]),
                "agent_responses": len(agent),
                "agent_agrees": _share(agent["agent_passed"] == agent["auto_passed"]),
                "coach_and_agent": len(both),
                "coach_agent_agree": _share(both["coach_passed"] == both["agent_passed"]),
            }
        )
    return pd.DataFrame(rows)


def _share(flags: pd.Series) -> float | None:
    return round(float(flags.astype(bool).mean()), 3) if len(flags) else None


@dataclass(frozen=True)
class TeamOutcomes:
    nps_agents: pd.DataFrame
    nps_teams: pd.DataFrame
    fcr_agents: pd.DataFrame
    fcr_teams: pd.DataFrame


def team_outcomes(
    user: User,
    db: Database,
    *,
    team_id: str | None = None,
    by: str = "month",
    outcome_settings: OutcomeSettings | None = None,
) -> TeamOutcomes:
    """NPS and first-contact resolution per agent and per team, with n and intervals (each team's answers read
    on their own)."""
    period, config = check_period(by), outcome_settings or OutcomeSettings()
    teams, _ = _scope(user, db, team_id)
    frames: dict[str, list[dict[str, object]]] = {"na": [], "nt": [], "fa": [], "ft": []}
    with db.transaction() as session:
        for team in teams:
            for key, level in _LEVELS:
                scope = outcome_scope(
                    user, level=check_level(level), agent_id=None, team_id=team, team_of=team_lookup(session)
                )
                frames["n" + key] += json_records(nps_frame(session, scope, by=period, level=level, settings=config))
                frames["f" + key] += json_records(fcr_frame(session, scope, by=period, level=level, settings=config))
    return TeamOutcomes(*(pd.DataFrame(frames[k]) for k in ("na", "nt", "fa", "ft")))
