"""Users, teams and roles, and the organisation's preferences (languages, model, knowledge areas).

Until an identity provider is configured, the app signs people in from the users here (demo mode):
:func:`sign_in_choices` lists them and :func:`user_by_id` turns the chosen id into the acting :class:`User`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select

from coaching.access import User, can_administer, require
from coaching.asr.models import ModelInfo, available_models
from coaching.errors import AdminError
from coaching.settings import SUPPORTED_LANGUAGES, Settings, parse_languages
from coaching.store.app_tables import DEFAULT_KNOWLEDGE_AREAS, AppSettingRow, AppUserRow
from coaching.store.calls import ensure_agent
from coaching.store.db import Database
from coaching.store.tables import AgentRow, TeamRow

APP_ROLES = ("agent", "coach", "manager")
_ID = re.compile(r"[a-z0-9][a-z0-9_.-]{0,63}")


@dataclass(frozen=True)
class Preferences:
    languages: tuple[str, ...]
    whisper_model: str | None
    knowledge_areas: tuple[str, ...]


@dataclass(frozen=True)
class UserEntry:
    """A user as managers see it in the user list."""

    id: str
    name: str
    role: str
    agent_id: str | None
    teams: str  # the agent's team, or a coach's teams joined with ", "
    active: bool


@dataclass(frozen=True)
class TeamEntry:
    id: str
    name: str
    agents: int


def _now() -> datetime:
    return datetime.now(UTC)


def _to_user(row: AppUserRow) -> User:
    return User(
        id=row.id,
        role=row.role,  # type: ignore[arg-type]
        name=row.name,
        agent_id=row.agent_id,
        team_ids=tuple(row.team_ids or ()),
    )


def sign_in_choices(db: Database) -> list[User]:
    """Active users to pick from in demo mode, agents first."""
    with db.transaction() as session:
        rows = session.scalars(select(AppUserRow).where(AppUserRow.active.is_(True))).all()
    order = {role: i for i, role in enumerate(APP_ROLES)}
    return sorted((_to_user(r) for r in rows), key=lambda u: (order.get(u.role, 9), u.name))


def user_by_id(db: Database, user_id: str) -> User | None:
    """The active user with this id (None when unknown or deactivated)."""
    with db.transaction() as session:
        row = session.get(AppUserRow, user_id)
        return _to_user(row) if row is not None and row.active else None


def list_users(user: User, db: Database) -> list[UserEntry]:
    """Every user with role, agent and teams (managers)."""
    require(can_administer(user), user=user, action="list users")
    with db.transaction() as session:
        rows = session.scalars(select(AppUserRow).order_by(AppUserRow.role, AppUserRow.name)).all()
        agent_teams = {a: t for a, t in session.execute(select(AgentRow.id, AgentRow.team_id))}
        return [
            UserEntry(
                id=r.id,
                name=r.name,
                role=r.role,
                agent_id=r.agent_id,
                teams=(agent_teams.get(r.agent_id) or "") if r.agent_id else ", ".join(r.team_ids or ()),
                active=r.active,
            )
            for r in rows
        ]


def save_user(
    user: User,
    db: Database,
    *,
    user_id: str,
    name: str,
    role: str,
    team_ids: tuple[str, ...] = (),
    active: bool = True,
) -> str:
    """Create or update a user; returns its id. An agent is its own agent record (same id) in its team."""
    require(can_administer(user), user=user, action="manage users")
    clean_id = user_id.strip().lower()
    if not _ID.fullmatch(clean_id):
        raise AdminError(f"user id {user_id!r} must be 1–64 lowercase letters, digits, '.', '_' or '-'")
    if role not in APP_ROLES:
        raise AdminError(f"role {role!r} must be one of {', '.join(APP_ROLES)}")
    if not name.strip():
        raise AdminError("a user needs a name")
    if role == "agent" and len(team_ids) > 1:
        raise AdminError("an agent belongs to one team")
    if clean_id == user.id and (role != user.role or not active):
        raise AdminError("you cannot change your own role or deactivate yourself")
    with db.transaction() as session:
        known = set(session.scalars(select(TeamRow.id)))
        unknown = [t for t in team_ids if t not in known]
        if unknown:
            raise AdminError(f"no team {unknown[0]!r}; create it first")
        row = session.get(AppUserRow, clean_id)
        if row is None:
            row = AppUserRow(id=clean_id, created_at=_now())
            session.add(row)
        row.name, row.role, row.active = name.strip(), role, active
        row.team_ids = list(team_ids) if role == "coach" else []
        row.agent_id = clean_id if role == "agent" else None
        if role == "agent":
            team = team_ids[0] if team_ids else None
            agent = ensure_agent(session, clean_id, name=name.strip(), team_id=team)
            agent.name, agent.team_id = name.strip(), team
    return clean_id


def list_teams(user: User, db: Database) -> list[TeamEntry]:
    """Teams with their number of agents (everyone signed in may see team names)."""
    with db.transaction() as session:
        teams = session.scalars(select(TeamRow).order_by(TeamRow.name)).all()
        agents = session.scalars(select(AgentRow)).all()
        return [TeamEntry(t.id, t.name, sum(1 for a in agents if a.team_id == t.id)) for t in teams]


def save_team(user: User, db: Database, *, team_id: str, name: str) -> str:
    """Create a team or rename it (managers); returns its id."""
    require(can_administer(user), user=user, action="manage teams")
    clean = team_id.strip().lower()
    if not _ID.fullmatch(clean):
        raise AdminError(f"team id {team_id!r} must be 1–64 lowercase letters, digits, '.', '_' or '-'")
    if not name.strip():
        raise AdminError("a team needs a name")
    with db.transaction() as session:
        row = session.get(TeamRow, clean)
        if row is None:
            session.add(TeamRow(id=clean, name=name.strip()))
        else:
            row.name = name.strip()
    return clean


def preferences(db: Database) -> Preferences:
    """Saved preferences; languages and model fall back to the environment settings (None)."""
    with db.transaction() as session:
        rows = {r.key: r.value for r in session.scalars(select(AppSettingRow))}
    languages = tuple(rows.get("languages", {}).get("value", ()))
    areas = rows.get("knowledge_areas", {}).get("value")
    return Preferences(
        languages=languages,
        whisper_model=rows.get("whisper_model", {}).get("value"),
        knowledge_areas=tuple(areas) if areas is not None else DEFAULT_KNOWLEDGE_AREAS,
    )


def save_preferences(
    user: User,
    db: Database,
    *,
    languages: tuple[str, ...],
    whisper_model: str | None,
    knowledge_areas: tuple[str, ...],
) -> Preferences:
    """Save languages detection may choose, the speech model for new analyses and the knowledge areas."""
    require(can_administer(user), user=user, action="change the organisation's settings")
    langs = parse_languages(",".join(languages), setting="languages")
    areas = tuple(dict.fromkeys(a.strip().lower() for a in knowledge_areas if a.strip()))
    if any(len(a) > 60 for a in areas):
        raise AdminError("a knowledge area name may have at most 60 characters")
    values = {"languages": list(langs), "whisper_model": whisper_model or None, "knowledge_areas": list(areas)}
    with db.transaction() as session:
        for key, value in values.items():
            row = session.get(AppSettingRow, key)
            if row is None:
                row = AppSettingRow(key=key)
                session.add(row)
            row.value, row.updated_by, row.updated_at = {"value": value}, user.id, _now()
    return preferences(db)


def effective_settings(db: Database, base: Settings) -> Settings:
    """``base`` (environment) with the saved languages and model applied."""
    prefs = preferences(db)
    changes: dict[str, object] = {}
    if prefs.languages:
        changes["languages"] = tuple(lang for lang in prefs.languages if lang in SUPPORTED_LANGUAGES)
    if prefs.whisper_model:
        changes["whisper_model"] = prefs.whisper_model
    return base.with_overrides(**changes) if changes else base


def models_here(settings: Settings) -> list[ModelInfo]:
    """Speech models that load here without a download."""
    return available_models(models_dir=settings.models_dir, configured=settings.whisper_model)
