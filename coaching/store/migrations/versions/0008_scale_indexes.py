"""Dashboards at scale: the checklist items of every analysis as rows (``item_results``, filled from the stored
checklist JSON here and written with each new analysis), so competence maps and calibration group in SQL.

Revision ID: 0008
Revises: 0007
"""

import json
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_BATCH = 2000


def upgrade() -> None:
    op.create_table(
        "item_results",
        sa.Column("analysis_id", sa.Integer, sa.ForeignKey("analyses.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("position", sa.Integer, primary_key=True),
        sa.Column("call_id", sa.String(64), sa.ForeignKey("calls.id", ondelete="CASCADE"), nullable=False),
        sa.Column("item_id", sa.String(64), nullable=False),
        sa.Column("label", sa.Text, nullable=True),
        sa.Column("category", sa.String(64), nullable=True),
        sa.Column("weight", sa.Float, nullable=False),
        sa.Column("passed", sa.Boolean, nullable=True),
    )
    op.create_index("ix_item_results_call_id", "item_results", ["call_id"])
    _backfill(op.get_bind())


def _backfill(bind: sa.Connection) -> None:
    """One item row per checklist item of every stored analysis (``passed`` that is not a bool: None)."""
    analyses = sa.table("analyses", sa.column("id"), sa.column("call_id"), sa.column("checklist", sa.JSON))
    items = sa.table(
        "item_results",
        *(sa.column(c) for c in ("analysis_id", "position", "call_id", "item_id", "label", "category", "weight")),
        sa.column("passed"),
    )
    last = 0
    while True:
        rows = bind.execute(
            sa.select(analyses.c.id, analyses.c.call_id, analyses.c.checklist)
            .where(analyses.c.id > last)
            .order_by(analyses.c.id)
            .limit(_BATCH)
        ).all()
        if not rows:
            return
        values = [v for row in rows for v in _item_values(row.id, row.call_id, row.checklist)]
        if values:
            bind.execute(sa.insert(items), values)
        last = rows[-1].id


def _item_values(analysis_id: int, call_id: str, checklist: Any) -> list[dict[str, Any]]:
    if isinstance(checklist, str):
        checklist = json.loads(checklist)
    found = checklist.get("items", []) if isinstance(checklist, dict) else []
    return [
        {
            "analysis_id": analysis_id,
            "position": position,
            "call_id": call_id,
            "item_id": str(item["id"]),
            "label": item.get("label"),
            "category": item.get("category"),
            "weight": float(item.get("weight", 1.0)),
            "passed": item.get("passed") if isinstance(item.get("passed"), bool) else None,
        }
        for position, item in enumerate(found)
        if isinstance(item, dict) and item.get("id") is not None
    ]


def downgrade() -> None:
    op.drop_index("ix_item_results_call_id", table_name="item_results")
    op.drop_table("item_results")
