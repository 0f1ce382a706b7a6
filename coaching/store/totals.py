"""Checklist item totals per agent (``item_totals``): how many items each agent's shared calls have per item, with
a result and passed, over the current analyses, so the calibration table of many teams sums a few rows per agent
instead of grouping every item row (migration 0011).

The totals of an agent are refilled from ``item_results`` whenever that agent's calls change in a way they count:
an analysis is stored (:func:`_recount_after_analysis`, after its item rows are written), a call is deleted
(:func:`coaching.store.erase.delete_calls`), a practice call is shared or unshared. A refill is one grouped
statement over the agent's calls; on PostgreSQL the agent rows are locked first (``FOR NO KEY UPDATE``), so two
writers refill one agent in turn. The rows hold agent ids and counts only, and an erased agent's rows go with its
calls and its agent row.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, ForeignKey, Integer, String, Text, case, delete, event, func, insert, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from coaching.store.base import Base
from coaching.store.calls import is_current_analysis
from coaching.store.tables import AgentRow, AnalysisRow, CallRow, ItemResultRow


class ItemTotalRow(Base):
    """Items of one checklist item (id, label, position) in the current analyses of one agent's shared calls:
    ``items`` rows, ``calls`` with a result (pass or fail), ``passed`` of them (automatic results)."""

    __tablename__ = "item_totals"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    agent_id: Mapped[str] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[str] = mapped_column(String(64))
    label: Mapped[str | None] = mapped_column(Text, nullable=True)
    position: Mapped[int] = mapped_column(Integer)
    items: Mapped[int] = mapped_column(Integer)
    calls: Mapped[int] = mapped_column(Integer)
    passed: Mapped[int] = mapped_column(Integer)


def refill_item_totals(bind: Session | Connection, agent_ids: Sequence[str] | None = None) -> None:
    """Recount the totals of ``agent_ids`` (None: every agent) from their calls' current analyses."""
    agents = None if agent_ids is None else sorted(set(agent_ids))
    if agents == []:
        return
    dialect = bind.get_bind().dialect if isinstance(bind, Session) else bind.dialect
    if agents is not None and dialect.name == "postgresql":  # one refill of an agent at a time
        # FOR NO KEY UPDATE: it waits for another refill but not for the key-share lock that inserting a call of
        # the agent holds (FOR UPDATE would, and two writers storing calls of one agent would deadlock)
        locked = select(AgentRow.id).where(AgentRow.id.in_(agents)).order_by(AgentRow.id)
        bind.execute(locked.with_for_update(key_share=True))
    clear = delete(ItemTotalRow)
    counted = (
        select(
            CallRow.agent_id,
            ItemResultRow.item_id,
            ItemResultRow.label,
            ItemResultRow.position,
            func.count(),
            func.count(ItemResultRow.passed),
            func.sum(case((ItemResultRow.passed.is_(True), 1), else_=0)),
        )
        .select_from(ItemResultRow)
        .join(AnalysisRow, AnalysisRow.id == ItemResultRow.analysis_id)
        .join(CallRow, CallRow.id == AnalysisRow.call_id)
        .where(CallRow.is_private.is_(False), is_current_analysis())
        .group_by(CallRow.agent_id, ItemResultRow.item_id, ItemResultRow.label, ItemResultRow.position)
    )
    if agents is not None:
        clear = clear.where(ItemTotalRow.agent_id.in_(agents))
        counted = counted.where(CallRow.agent_id.in_(agents))
    bind.execute(clear)
    columns = ["agent_id", "item_id", "label", "position", "items", "calls", "passed"]
    bind.execute(insert(ItemTotalRow).from_select(columns, counted))


@event.listens_for(AnalysisRow, "after_insert")
def _recount_after_analysis(_mapper: Any, connection: Connection, target: AnalysisRow) -> None:
    """An analysis stored through a session (after its item rows, :mod:`coaching.store.tables`) recounts its
    agent's totals in the same flush; :mod:`coaching.store.db` imports this module, so every session does."""
    refill_item_totals(connection, call_agents(connection, [target.call_id]))


def call_agents(bind: Session | Connection, call_ids: Sequence[str]) -> list[str]:
    """The agents of ``call_ids`` (whose totals change when those calls do)."""
    if not call_ids:
        return []
    return sorted(set(bind.scalars(select(CallRow.agent_id).where(CallRow.id.in_(list(call_ids))))))
