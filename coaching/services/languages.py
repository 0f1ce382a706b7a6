"""Default call languages per team and per agent: set in the app's settings, used by every new analysis whose
language is not forced (:func:`coaching.services.config.with_language_default`; the agent's beats the team's).

Managers set a team's default, the coaches of the team and managers an agent's (:mod:`coaching.access`); every
change is recorded in the audit log (``change_settings``).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from coaching.access import User, can_set_agent_language, can_set_team_language, require
from coaching.errors import InputError, NotFoundError
from coaching.services.audit import record
from coaching.settings import SUPPORTED_LANGUAGES
from coaching.store.db import Database
from coaching.store.tables import AgentRow, TeamRow


@dataclass(frozen=True)
class LanguageDefault:
    """A team's or an agent's default language as the settings page lists it; ``editable`` for the viewer."""

    kind: str  # "team" or "agent"
    id: str
    name: str
    team_id: str | None
    language: str | None
    editable: bool


def _checked(language: str | None) -> str | None:
    value = (language or "").strip().lower() or None
    if value in ("auto", "detect"):
        return None
    if value is not None and value not in SUPPORTED_LANGUAGES:
        raise InputError(f"language {value!r} must be one of {', '.join(SUPPORTED_LANGUAGES)} (or empty: detect)")
    return value


def language_defaults_of(user: User, db: Database) -> list[LanguageDefault]:
    """The teams and agents whose defaults ``user`` may set (managers: all; coaches: their teams' agents)."""
    found: list[LanguageDefault] = []
    with db.transaction() as session:
        if can_set_team_language(user):
            for team in session.scalars(select(TeamRow).order_by(TeamRow.id)):
                found.append(LanguageDefault("team", team.id, team.name, team.id, team.default_language, True))
        for agent in session.scalars(select(AgentRow).order_by(AgentRow.id)):
            if can_set_agent_language(user, team_id=agent.team_id):
                found.append(
                    LanguageDefault("agent", agent.id, agent.name, agent.team_id, agent.default_language, True)
                )
    return found


def set_team_language(user: User, db: Database, team_id: str, language: str | None) -> str | None:
    """Set (``language`` None or empty: clear) the default language of a team's calls; returns it."""
    require(can_set_team_language(user), user=user, action="set a team's default language")
    value = _checked(language)
    with db.transaction() as session:
        team = session.get(TeamRow, team_id)
        if team is None:
            raise NotFoundError(f"no team {team_id!r}")
        team.default_language = value
        detail = f"default language {value or 'detect'}"
        record(session, user, action="change_settings", object_kind="team", object_id=team_id, detail=detail)
    return value


def set_agent_language(user: User, db: Database, agent_id: str, language: str | None) -> str | None:
    """Set (``language`` None or empty: clear, the team's default applies) an agent's default language."""
    value = _checked(language)
    with db.transaction() as session:
        agent = session.get(AgentRow, agent_id)
        if agent is None:
            raise NotFoundError(f"no agent {agent_id!r}")
        allowed = can_set_agent_language(user, team_id=agent.team_id)
        require(allowed, user=user, action=f"set the default language of agent {agent_id!r}")
        agent.default_language = value
        detail = f"default language {value or 'team or detect'}"
        record(session, user, action="change_settings", object_kind="agent", object_id=agent_id, detail=detail)
    return value
