"""Language defaults per team and per agent, and how each call's language was chosen (source, probability, the
detection per channel and the flags that make a call worth checking).

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("teams") as table:
        table.add_column(sa.Column("default_language", sa.String(8), nullable=True))
    with op.batch_alter_table("agents") as table:
        table.add_column(sa.Column("default_language", sa.String(8), nullable=True))
    with op.batch_alter_table("calls") as table:
        table.add_column(sa.Column("language_probability", sa.Float, nullable=True))
        table.add_column(sa.Column("language_source", sa.String(16), nullable=True))
        table.add_column(sa.Column("language_flags", sa.String(64), nullable=False, server_default=""))
        table.add_column(sa.Column("language_channels", sa.JSON, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("calls") as table:
        for column in ("language_channels", "language_flags", "language_source", "language_probability"):
            table.drop_column(column)
    with op.batch_alter_table("agents") as table:
        table.drop_column("default_language")
    with op.batch_alter_table("teams") as table:
        table.drop_column("default_language")
