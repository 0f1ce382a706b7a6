"""The access scopes of :mod:`coaching.access` as SQL conditions, so read models ask only for what a user sees."""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, exists, false, true

from coaching.scopes import AgentScope, CallScope
from coaching.store.tables import AgentRow, CallRow


def call_scope_where(scope: CallScope) -> ColumnElement[bool]:
    """Condition on ``CallRow`` joined with its ``AgentRow`` (``AgentRow.id == CallRow.agent_id``)."""
    parts: list[ColumnElement[bool]] = []
    if scope.agent_ids is not None:
        parts.append(CallRow.agent_id.in_(scope.agent_ids) if scope.agent_ids else false())
    if scope.team_ids is not None:
        parts.append(AgentRow.team_id.in_(scope.team_ids) if scope.team_ids else false())
    if not scope.private:
        parts.append(CallRow.is_private.is_(False))
    return and_(true(), *parts)


def call_scope_exists(scope: CallScope) -> ColumnElement[bool]:
    """The same condition as :func:`call_scope_where` on ``CallRow`` alone (the team through ``EXISTS`` an agent),
    so a query over calls only can walk a calls index in order (a page of the call list)."""
    parts: list[ColumnElement[bool]] = []
    if scope.agent_ids is not None:
        parts.append(CallRow.agent_id.in_(scope.agent_ids) if scope.agent_ids else false())
    if scope.team_ids is not None:
        in_team = exists().where(AgentRow.id == CallRow.agent_id, AgentRow.team_id.in_(scope.team_ids))
        parts.append(in_team if scope.team_ids else false())
    if not scope.private:
        parts.append(CallRow.is_private.is_(False))
    return and_(true(), *parts)


def agent_scope_where(scope: AgentScope) -> ColumnElement[bool]:
    """Condition on ``AgentRow``."""
    parts: list[ColumnElement[bool]] = []
    if scope.agent_ids is not None:
        parts.append(AgentRow.id.in_(scope.agent_ids) if scope.agent_ids else false())
    if scope.team_ids is not None:
        parts.append(AgentRow.team_id.in_(scope.team_ids) if scope.team_ids else false())
    return and_(true(), *parts)
