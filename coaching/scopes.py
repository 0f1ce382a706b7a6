"""What a call belongs to and which rows a user may see, as plain data: :mod:`coaching.access` decides them
(the rules live there), the store turns them into SQL (:mod:`coaching.store.scope`) and never sees a rule."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CallContext:
    """Who a call belongs to, for access checks (see ``store.calls.call_context``)."""

    call_id: str
    agent_id: str
    team_id: str | None
    is_private: bool
    call_type: str


@dataclass(frozen=True)
class CallScope:
    """The calls a user may open, as filters: ``agent_ids`` / ``team_ids`` None means any; private practice
    calls count only when ``private`` is True (together with ``agent_ids`` that is the agent's own)."""

    agent_ids: tuple[str, ...] | None = None
    team_ids: tuple[str, ...] | None = None
    private: bool = False


SHARED_CALLS = CallScope()  # every call but private practice: what coaching sessions and team views use


@dataclass(frozen=True)
class AgentScope:
    """The agents whose figures a user may see; None means any."""

    agent_ids: tuple[str, ...] | None = None
    team_ids: tuple[str, ...] | None = None


@dataclass(frozen=True)
class OutcomeScope:
    """The survey answers an outcome table covers: one agent's, some teams', or (both None) all."""

    agent_id: str | None = None
    team_ids: tuple[str, ...] | None = None
