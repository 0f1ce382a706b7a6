"""Survey answers (NPS, resolution) and saved survey column mappings.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "surveys",
        sa.Column("contact_id", sa.String(128), primary_key=True),
        sa.Column("agent_id", sa.String(64), sa.ForeignKey("agents.id"), nullable=False, index=True),
        sa.Column("team_id", sa.String(64), sa.ForeignKey("teams.id"), nullable=True, index=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=False, index=True),
        sa.Column("score", sa.Integer, nullable=False),
        sa.Column("comment", sa.Text, nullable=True),
        sa.Column("channel", sa.String(16), nullable=True),
        sa.Column("customer_id", sa.String(128), nullable=True, index=True),
        sa.Column("resolved", sa.Boolean, nullable=True),
        sa.Column("source_name", sa.Text, nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("score >= 0 AND score <= 10", name="ck_surveys_score_0_10"),
    )
    op.create_table(
        "survey_mappings",
        sa.Column("name", sa.String(100), primary_key=True),
        sa.Column("mapping", sa.JSON, nullable=False),
        sa.Column("saved_by", sa.String(64), nullable=False),
        sa.Column("saved_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    for table in ("survey_mappings", "surveys"):
        op.drop_table(table)
