"""Who may do what. Every access rule lives here; sign-in happens at the UI edge (``ui/auth``: the identity
provider's subject or verified e-mail matched to an app user by ``services.admin.user_for_identity``), which
hands a :class:`User` built from the database to the service layer.

Roles: ``agent`` (own calls and figures only; practice calls private until shared), ``coach``
(the agents and calls of the teams they coach), ``manager`` (the whole organisation), ``admin`` (users,
teams, retention and the audit log; no call content), ``system`` (the CLI and background jobs acting for
an operator).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from coaching.errors import AccessError, NotVisibleError
from coaching.scopes import SHARED_CALLS, AgentScope, CallContext, CallScope, OutcomeScope

Role = Literal["agent", "coach", "manager", "admin", "system"]
ROLES: tuple[Role, ...] = ("agent", "coach", "manager", "admin", "system")


@dataclass(frozen=True)
class User:
    """The acting user. ``agent_id`` is set for agents; ``team_ids`` for coaches."""

    id: str
    role: Role
    name: str = ""
    agent_id: str | None = None
    team_ids: tuple[str, ...] = ()


SYSTEM_USER = User(id="system", role="system", name="command line")


def require(allowed: bool, *, user: User, action: str) -> None:
    """Raise :class:`AccessError` unless ``allowed``."""
    if not allowed:
        raise AccessError(f"user {user.id!r} ({user.role}) may not {action}")


# --- people and teams -------------------------------------------------------------------------


def can_coach_team(user: User, *, team_id: str | None) -> bool:
    """Coaches of the team and managers: coaching sessions, ratings, team read models."""
    if user.role in ("manager", "system"):
        return True
    return user.role == "coach" and team_id is not None and team_id in user.team_ids


def can_read_agent(user: User, *, agent_id: str | None, team_id: str | None) -> bool:
    """An agent's progress, outcomes (NPS, FCR) and sessions: the agent, the team's coaches, managers."""
    if user.role == "agent":
        return agent_id is not None and user.agent_id == agent_id
    return can_coach_team(user, team_id=team_id)


# Adding a call for an agent, and reading an agent's NPS/FCR figures, follow the same rule.
can_analyze_for = can_read_agent
can_read_outcomes = can_read_agent


def can_coach_agent(user: User, *, team_id: str | None) -> bool:
    """Run coaching sessions, write notes and action items, rate competences."""
    return can_coach_team(user, team_id=team_id)


def can_read_team(user: User, *, team_id: str | None) -> bool:
    """Team read models (competence map, calibration): the team's coaches and managers."""
    return can_coach_team(user, team_id=team_id)


def visible_team_ids(user: User, all_team_ids: list[str]) -> list[str]:
    """The teams whose read models ``user`` may see."""
    return [t for t in all_team_ids if can_read_team(user, team_id=t)]


# --- scopes: the rules above as query filters (coaching.scopes; the store turns them into SQL) ----


def call_scope(user: User) -> CallScope:
    """:func:`can_read_call` as a filter: agents their own calls (private ones too), coaches their teams' shared
    calls, managers every shared call, the system user everything."""
    if user.role == "agent":
        return CallScope(agent_ids=(user.agent_id,) if user.agent_id else (), private=True)
    if user.role == "system":
        return CallScope(private=True)
    if user.role == "coach":
        return CallScope(team_ids=tuple(user.team_ids))
    if user.role != "manager":
        return CallScope(agent_ids=())  # admins: no call content
    return SHARED_CALLS


def agent_scope(user: User) -> AgentScope:
    """:func:`can_read_agent` as a filter: the agent only, a coach's teams, everyone for managers."""
    if user.role == "agent":
        return AgentScope(agent_ids=(user.agent_id,) if user.agent_id else ())
    if user.role == "coach":
        return AgentScope(team_ids=tuple(user.team_ids))
    if user.role not in ("manager", "system"):
        return AgentScope(agent_ids=())  # admins: no agent figures
    return AgentScope()


def outcome_scope(
    user: User, *, level: str, agent_id: str | None, team_id: str | None, team_of: Callable[[str], str | None]
) -> OutcomeScope:
    """Check that ``user`` may read NPS / FCR at ``level`` for the agent or team asked for, and narrow to what
    they see (agents: their own figures; coaches without a team or agent: their teams); ``team_of(agent_id)``
    gives an agent's team. Raise :class:`AccessError` otherwise."""
    if level == "organisation" or (level == "team" and user.role == "agent"):
        require(can_read_outcomes(user, agent_id=None, team_id=None), user=user, action=f"read {level} outcomes")
    if agent_id is None and user.role == "agent":
        agent_id = user.agent_id
    if agent_id is not None:
        allowed = can_read_outcomes(user, agent_id=agent_id, team_id=team_of(agent_id))
        require(allowed, user=user, action=f"read outcomes of agent {agent_id!r}")
    if team_id is not None:
        allowed = can_read_outcomes(user, agent_id=None, team_id=team_id)
        require(allowed, user=user, action=f"read outcomes of team {team_id!r}")
    if agent_id is None and team_id is None and user.role not in ("manager", "system"):
        require(user.role == "coach", user=user, action="read outcomes of every agent")
        return OutcomeScope(None, tuple(user.team_ids))
    return OutcomeScope(agent_id, None if team_id is None else (team_id,))


def can_import_surveys(user: User) -> bool:
    return user.role in ("manager", "system")


def can_edit_checklist(user: User) -> bool:
    """Write and save checklist versions (and re-score with the active one): coaches and managers."""
    return user.role in ("coach", "manager", "system")


def can_activate_checklist(user: User) -> bool:
    """Make a version the organisation's active checklist (it scores every new analysis): managers only."""
    return user.role in ("manager", "system")


def can_administer(user: User) -> bool:
    """Users, teams and roles (and who signs in as whom): admins and the command line. Managers no longer do."""
    return user.role in ("admin", "system")


def can_change_preferences(user: User) -> bool:
    """The organisation's languages, speech model and knowledge areas: managers (and the command line)."""
    return user.role in ("manager", "system")


def can_set_team_language(user: User) -> bool:
    """A team's default call language (used when a call's language is not forced): managers, like the
    organisation's languages (and the command line); admins manage teams but not analysis preferences."""
    return user.role in ("manager", "system")


def can_set_agent_language(user: User, *, team_id: str | None) -> bool:
    """An agent's default call language (beats the team's): the coaches of the agent's team and managers."""
    return can_coach_team(user, team_id=team_id)


def can_list_team(user: User, *, team_id: str, own_team_id: str | None = None) -> bool:
    """A team's name and size: managers, admins and the system every team, coaches their teams, an agent only
    their own team (``own_team_id``)."""
    if user.role in ("manager", "admin", "system"):
        return True
    if user.role == "coach":
        return team_id in user.team_ids
    return user.role == "agent" and own_team_id is not None and team_id == own_team_id


def can_read_audit(user: User) -> bool:
    """Read (and export) the audit log: managers, admins and the command line; nobody edits or deletes it."""
    return user.role in ("manager", "admin", "system")


def can_change_retention(user: User) -> bool:
    """How long audio, transcripts and survey answers are kept: admins (and the command line)."""
    return user.role in ("admin", "system")


def can_erase(user: User) -> bool:
    """Erase a call, an agent or a customer, and run the retention policy: admins (and the command line)."""
    return user.role in ("admin", "system")


def can_set_legal_hold(user: User) -> bool:
    """Put a call under legal hold (exempt from retention and erasure) or release it: managers, admins, system."""
    return user.role in ("manager", "admin", "system")


def can_read_original_audio(user: User) -> bool:
    """The unredacted original of a recording (kept only with ``COACHING_KEEP_ORIGINAL_AUDIO=1``): admins and the
    system user only; everyone else hears the redacted copy."""
    return user.role in ("admin", "system")


# --- calls ------------------------------------------------------------------------------------


def can_read_call(user: User, *, agent_id: str, team_id: str | None, is_private: bool = False) -> bool:
    """Whether ``user`` may open a call made by ``agent_id`` in ``team_id``; private practice calls
    are the agent's alone."""
    if user.role == "agent":
        return user.agent_id == agent_id
    if user.role == "system":
        return True
    return not is_private and can_coach_team(user, team_id=team_id)


def may_read(user: User, ctx: CallContext) -> bool:
    return can_read_call(user, agent_id=ctx.agent_id, team_id=ctx.team_id, is_private=ctx.is_private)


def require_read(user: User, ctx: CallContext) -> None:
    """Raise :class:`NotVisibleError` (the same answer as for a missing call) unless ``user`` may open the call."""
    if not may_read(user, ctx):
        raise NotVisibleError.of("call", ctx.call_id)


def can_override_items(user: User, ctx: CallContext) -> bool:
    """Coaches of the agent's team and managers confirm or override automatic results (not the agent)."""
    return user.role in ("coach", "manager", "system") and may_read(user, ctx)


def can_respond_to_items(user: User, ctx: CallContext) -> bool:
    """Only the agent whose call it is acknowledges or disputes results."""
    return user.role == "agent" and user.agent_id == ctx.agent_id


def can_comment(user: User, ctx: CallContext) -> bool:
    """Whoever may open the call may comment on it."""
    return may_read(user, ctx)


def can_correct_transcript(user: User, ctx: CallContext) -> bool:
    """Whoever may open the call may correct its transcript; every correction is logged. Whether it applies at
    once or waits for a coach is :func:`can_decide_correction`."""
    return may_read(user, ctx)


can_propose_correction = can_correct_transcript  # an agent's correction of a real call is a proposal


def can_decide_correction(user: User, ctx: CallContext) -> bool:
    """Corrections that change the official score: coaches of the agent's team and managers (who accept or reject
    an agent's proposals, and whose own corrections apply at once), and the agent on their own practice call."""
    if user.role == "agent":
        return user.agent_id == ctx.agent_id and ctx.call_type == "practice"
    return user.role in ("coach", "manager", "system") and may_read(user, ctx)


def can_reanalyse_call(user: User, ctx: CallContext) -> bool:
    """Analyse a stored call again with its language forced (it replaces the transcript and the score): whoever
    decides its corrections (:func:`can_decide_correction`)."""
    return can_decide_correction(user, ctx)


def can_share_practice(user: User, ctx: CallContext) -> bool:
    """Only the agent shares (or stops sharing) their own practice call."""
    return user.role == "agent" and user.agent_id == ctx.agent_id and ctx.call_type == "practice"


def require_agent_read(user: User, *, agent_id: str, team_id: str | None) -> None:
    require(can_read_agent(user, agent_id=agent_id, team_id=team_id), user=user, action=f"see agent {agent_id!r}")


def require_coach(user: User, *, agent_id: str, team_id: str | None) -> None:
    require(can_coach_agent(user, team_id=team_id), user=user, action=f"coach agent {agent_id!r}")
