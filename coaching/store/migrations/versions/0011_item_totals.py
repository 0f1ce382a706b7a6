"""Dashboards of many teams: checklist item totals per agent (``item_totals``, counted here from the item rows of
the current analyses of shared calls and recounted for an agent whenever its calls change; see
:mod:`coaching.store.totals`), so the calibration table of all teams sums a few rows per agent; and an index that
gives each agent's newest real shared calls without reading the call rows (the competence map's windows).

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

from coaching.store.totals import refill_item_totals

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

WINDOW_INDEX = (
    "ix_calls_agent_id_type_private_created_at",
    ("agent_id", "call_type", "is_private", "created_at", "id"),
)


def upgrade() -> None:
    op.create_table(
        "item_totals",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("agent_id", sa.String(64), sa.ForeignKey("agents.id", ondelete="CASCADE"), nullable=False),
        sa.Column("item_id", sa.String(64), nullable=False),
        sa.Column("label", sa.Text, nullable=True),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("items", sa.Integer, nullable=False),
        sa.Column("calls", sa.Integer, nullable=False),
        sa.Column("passed", sa.Integer, nullable=False),
    )
    op.create_index("ix_item_totals_agent_id", "item_totals", ["agent_id"])
    op.create_index(WINDOW_INDEX[0], "calls", list(WINDOW_INDEX[1]))
    refill_item_totals(op.get_bind())


def downgrade() -> None:
    op.drop_index(WINDOW_INDEX[0], table_name="calls")
    op.drop_index("ix_item_totals_agent_id", table_name="item_totals")
    op.drop_table("item_totals")
