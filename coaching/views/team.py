"""Team read models: competence map (levels, growth, coverage), calibration, NPS / FCR per agent and team.

Competences are the checklist categories plus the organisation's knowledge areas. An agent's level in a
category, 1 (learning) to 4 (expert), comes from the pass share of its items over the agent's last
:data:`WINDOW_CALLS` real calls up to a month's end, averaged with the coach's newest rating when there is
one; knowledge areas have coach ratings only. Proficient means level 3 or more.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import pandas as pd
from sqlalchemy import select

from coaching.access import User, can_read_team, outcome_scope, require, visible_team_ids
from coaching.outcomes.nps import Level, check_period, json_frame, json_records
from coaching.scopes import CallScope, OutcomeScope
from coaching.settings import OutcomeSettings
from coaching.store.aggregates import category_counts_by_end, item_agreement
from coaching.store.app_tables import CoachRatingRow, knowledge_areas
from coaching.store.db import Database
from coaching.store.outcomes import outcome_frames, team_lookup, teams_outcome_frames
from coaching.store.survey_tables import as_utc
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
    ends = month_ends(last=now or pd.Timestamp.now(tz="UTC"), months=months)
    with db.transaction() as session:
        by_end = category_counts_by_end(session, teams, ends=[end.to_pydatetime() for end in ends], calls=WINDOW_CALLS)
        counts = {end: {(c.agent_id, c.category): c for c in by_end[end.to_pydatetime()]} for end in ends}
        areas = knowledge_areas(session)
        ratings = session.execute(
            select(CoachRatingRow.agent_id, CoachRatingRow.competence, CoachRatingRow.level, CoachRatingRow.rated_at)
            .where(CoachRatingRow.agent_id.in_(agents["agent_id"].tolist()))
            .order_by(CoachRatingRow.id)
        ).all()
    rated: dict[tuple[str, str], list[tuple[datetime, int]]] = {}
    for agent_id, competence, level, rated_at in ratings:
        rated.setdefault((agent_id, competence), []).append((as_utc(rated_at), level))
    first: dict[str, int] = {}
    for found in counts.values():
        for c in found.values():
            first[c.category] = min(first.get(c.category, c.first), c.first)
    categories = sorted(first, key=lambda c: (first[c], c))
    competences = categories + [a for a in areas if a not in categories]
    rows = []
    for end in ends:
        month, until = end.strftime("%Y-%m"), end.to_pydatetime().astimezone(UTC)  # one zone: quick comparisons
        for agent in agents.itertuples():
            for competence in competences:
                count = counts[end].get((agent.agent_id, competence))
                auto = float(level_from_share(count.passed / count.n)) if count else None
                coach = _rating(rated.get((agent.agent_id, competence), []), until)
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
                        "level": round(sum(known) / len(known), 1) if known else None,  # one or two levels
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


def _rating(ratings: list[tuple[datetime, int]], end: datetime) -> float | None:
    """The newest (last saved) of an agent's ratings in a competence given by ``end``."""
    for rated_at, level in reversed(ratings):
        if rated_at <= end:
            return float(level)
    return None


def calibration(user: User, db: Database, *, team_id: str | None = None) -> pd.DataFrame:
    """Per checklist item: how often the coach's and the agent's views agree with the automatic result."""
    teams, _ = _scope(user, db, team_id)
    with db.transaction() as session:
        found = item_agreement(session, CallScope(team_ids=tuple(teams)))
    return pd.DataFrame(
        [
            {
                "item": a.item_id,
                "label": a.label,
                "calls": a.calls,
                "auto_pass_rate": _share(a.auto_passed, a.calls),
                "coach_reviews": a.coach_reviews,
                "coach_agrees": _share(a.coach_agrees, a.coach_reviews),
                "agent_responses": a.agent_responses,
                "agent_agrees": _share(a.agent_agrees, a.agent_responses),
                "coach_and_agent": a.coach_and_agent,
                "coach_agent_agree": _share(a.coach_agent_agree, a.coach_and_agent),
            }
            for a in found
        ]
    )


def _share(hits: int, n: int) -> float | None:
    return round(hits / n, 3) if n else None


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
    """NPS and first-contact resolution per agent and per team, with n and intervals (each team's answers
    tabulated on their own; the answers of all the teams read at once)."""
    period, config = check_period(by), outcome_settings or OutcomeSettings()
    teams, _ = _scope(user, db, team_id)
    levels = tuple(level for _, level in _LEVELS)
    frames: dict[str, list[dict[str, object]]] = {"na": [], "nt": [], "fa": [], "ft": []}
    with db.transaction() as session:
        scopes = {
            (team, level): outcome_scope(user, level=level, agent_id=None, team_id=team, team_of=team_lookup(session))
            for team in teams
            for level in levels
        }
        if all(scope == OutcomeScope(None, (team,)) for (team, _), scope in scopes.items()):  # every team's answers
            found = teams_outcome_frames(session, teams, by=period, levels=levels, settings=config)
            return TeamOutcomes(*(json_frame(found[level][k]) for k in (0, 1) for level in levels))
        for team in teams:  # narrower scopes: each read on its own
            for scope in dict.fromkeys(scopes[team, level] for level in levels):
                shared = tuple(level for level in levels if scopes[team, level] == scope)
                by_level = outcome_frames(session, scope, by=period, levels=shared, settings=config)
                for key, level in _LEVELS:
                    if level in by_level:
                        frames["n" + key] += json_records(by_level[level][0])
                        frames["f" + key] += json_records(by_level[level][1])
    return TeamOutcomes(*(pd.DataFrame(frames[k]) for k in ("na", "nt", "fa", "ft")))
