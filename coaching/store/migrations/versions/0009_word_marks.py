"""Hallucination marks and call warnings: a word the guard marked keeps its reason (``words.suspect``), and the
call keeps the warnings of its analysis (``calls.warnings``: same signal on both channels, echo, a silent side).

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("words") as table:
        table.add_column(sa.Column("suspect", sa.String(32), nullable=True))
    with op.batch_alter_table("calls") as table:
        table.add_column(sa.Column("warnings", sa.JSON, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("calls") as table:
        table.drop_column("warnings")
    with op.batch_alter_table("words") as table:
        table.drop_column("suspect")
