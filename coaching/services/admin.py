"""Users, teams and roles, and the organisation's preferences (languages, model, knowledge areas).

Sign-in: with an identity provider, :func:`user_for_identity` matches the signed-in identity to an active app user
by its subject, or (when no user has that subject yet) by a verified e-mail, and then stores the subject on that
user; an unknown identity gets no user, never a default role. Without a provider (demo mode) the app lists the
users here (:func:`sign_in_choices`) and :func:`user_by_id` turns the chosen id into the acting :class:`User`.
Admins manage users, teams and roles (:func:`save_user`, :func:`save_team`); managers the preferences.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select

from coaching.access import User, can_administer, can_change_preferences, can_list_team, require
from coaching.asr.models import ModelInfo, available_models
from coaching.errors import AdminError
from coaching.services.audit import record
from coaching.settings import SUPPORTED_LANGUAGES, Settings, parse_languages
from coaching.store.app_tables import DEFAULT_KNOWLEDGE_AREAS, AppSettingRow, AppUserRow
from coaching.store.calls import ensure_agent
from coaching.store.db import Database
from coaching.store.tables import AgentRow, TeamRow

APP_ROLES = ("agent", "coach", "manager", "admin")
_ID = re.compile(r"[a-z0-9][a-z0-9_.-]{0,63}")
_EMAIL = re.compile(r"[^@\s]{1,64}@[^@\s]+\.[^@\s]+")


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
    subject: str  # the identity provider's subject this user signs in with ("" until linked)
    email: str  # the e-mail a verified sign-in is matched on when no user has its subject yet


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


def _clean_email(email: str | None) -> str | None:
    return email.strip().lower() if email and email.strip() else None


def user_for_identity(
    db: Database, *, subject: str, email: str | None = None, email_verified: bool = False
) -> User | None:
    """The active app user a signed-in identity is: the user with this ``subject``; else, only when the provider
    verified the e-mail, the one user with that e-mail and no subject yet, which then keeps the subject (audited).
    None (no access) for an unknown, ambiguous or deactivated identity."""
    subject = subject.strip()
    if not subject:
        return None
    with db.transaction() as session:
        row = session.scalars(select(AppUserRow).where(AppUserRow.subject == subject)).one_or_none()
        if row is not None:
            return _to_user(row) if row.active else None
        address = _clean_email(email)
        if not email_verified or address is None:
            return None
        rows = session.scalars(select(AppUserRow).where(AppUserRow.email == address)).all()
        if len(rows) != 1 or rows[0].subject is not None or not rows[0].active:
            return None  # nobody, several people, or a user already linked to another identity
        row = rows[0]
        row.subject = subject
        acting = _to_user(row)
        record(session, acting, action="change_user", object_kind="user", object_id=row.id, detail="sign-in linked")
        return acting


def list_users(user: User, db: Database) -> list[UserEntry]:
    """Every user with role, agent, teams and sign-in identity (admins)."""
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
                subject=r.subject or "",
                email=r.email or "",
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
    subject: str | None = None,
    email: str | None = None,
) -> str:
    """Create or update a user (admins); returns its id. An agent is its own agent record (same id) in its team.
    ``subject`` / ``email``: the sign-in identity; None keeps what is stored, "" clears it."""
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
    clean_subject = None if subject is None else subject.strip()
    if clean_subject is not None and len(clean_subject) > 255:
        raise AdminError("a sign-in subject may have at most 255 characters")
    clean_email = None if email is None else (_clean_email(email) or "")
    if clean_email and (len(clean_email) > 320 or not _EMAIL.fullmatch(clean_email)):
        raise AdminError(f"{email!r} is not an e-mail address")
    with db.transaction() as session:
        for column, value, what in (
            (AppUserRow.subject, clean_subject, "subject"),
            (AppUserRow.email, clean_email, "e-mail"),
        ):
            if (
                value
                and session.scalars(select(AppUserRow.id).where(column == value, AppUserRow.id != clean_id)).first()
            ):
                raise AdminError(f"another user already signs in with this {what}")
        known = set(session.scalars(select(TeamRow.id)))
        unknown = [t for t in team_ids if t not in known]
        if unknown:
            raise AdminError(f"no team {unknown[0]!r}; create it first")
        row = session.get(AppUserRow, clean_id)
        if row is None:
            row = AppUserRow(id=clean_id, created_at=_now())
            session.add(row)
        row.name, row.role, row.active = name.strip(), role, active
        if clean_subject is not None:
            row.subject = clean_subject or None
        if clean_email is not None:
            row.email = clean_email or None
        row.team_ids = list(team_ids) if role == "coach" else []
        row.agent_id = clean_id if role == "agent" else None
        if role == "agent":
            team = team_ids[0] if team_ids else None
            agent = ensure_agent(session, clean_id, name=name.strip(), team_id=team)
            agent.name, agent.team_id = name.strip(), team
        sign_in = "subject" if row.subject else "e-mail" if row.email else "none"
        detail = f"role={role} teams={','.join(team_ids)} active={active} sign-in={sign_in}"
        record(session, user, action="change_user", object_kind="user", object_id=clean_id, detail=detail)
    return clean_id


def list_teams(user: User, db: Database) -> list[TeamEntry]:
    """The teams ``user`` may see (:func:`coaching.access.can_list_team`) with their number of agents."""
    with db.transaction() as session:
        own = session.get(AgentRow, user.agent_id) if user.agent_id else None
        own_team = own.team_id if own is not None else None
        teams = [
            t
            for t in session.scalars(select(TeamRow).order_by(TeamRow.name))
            if can_list_team(user, team_id=t.id, own_team_id=own_team)
        ]
        agents = session.scalars(select(AgentRow)).all()
        return [TeamEntry(t.id, t.name, sum(1 for a in agents if a.team_id == t.id)) for t in teams]


def save_team(user: User, db: Database, *, team_id: str, name: str) -> str:
    """Create a team or rename it (admins); returns its id."""
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
        record(
            session,
            user,
            action="change_team",
            object_kind="team",
            object_id=clean,
            detail="created" if row is None else "renamed",
        )
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
    require(can_change_preferences(user), user=user, action="change the organisation's settings")
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
        record(
            session,
            user,
            action="change_settings",
            object_kind="settings",
            object_id=None,
            detail="languages, model, areas",
        )
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
