"""The competence map of many teams: each analysis's automatic results summed per checklist category
(``category_results``, :class:`coaching.store.tables.CategoryResultRow`), filled here from the item rows and
written with every new analysis, so each agent's recent calls give a row per category instead of one per item.

Revision ID: 0012
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "category_results",
        sa.Column("analysis_id", sa.Integer, sa.ForeignKey("analyses.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("category", sa.String(64), primary_key=True),
        sa.Column("first_position", sa.Integer, nullable=False),
        sa.Column("items", sa.Integer, nullable=False),
        sa.Column("passed", sa.Integer, nullable=False),
    )
    op.execute(
        "INSERT INTO category_results (analysis_id, category, first_position, items, passed) "
        "SELECT analysis_id, category, min(position), count(passed), "
        "sum(CASE WHEN passed THEN 1 ELSE 0 END) "
        "FROM item_results WHERE category IS NOT NULL GROUP BY analysis_id, category"
    )


def downgrade() -> None:
    op.drop_table("category_results")
