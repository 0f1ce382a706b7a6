"""Indexes for the read models: call lists newest first (per agent and overall), the current analysis of a
call (newest id per call), review flags per call and kind, and survey answers per team and agent over time.

Revision ID: 0004
Revises: 0003
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

INDEXES = (
    ("ix_calls_agent_id_created_at", "calls", ("agent_id", "created_at")),
    ("ix_calls_created_at", "calls", ("created_at",)),
    ("ix_analyses_call_id_id", "analyses", ("call_id", "id")),
    ("ix_item_reviews_call_id_kind", "item_reviews", ("call_id", "kind")),
    ("ix_surveys_team_id_answered_at", "surveys", ("team_id", "answered_at")),
    ("ix_surveys_agent_id_answered_at", "surveys", ("agent_id", "answered_at")),
)


def upgrade() -> None:
    for name, table, columns in INDEXES:
        op.create_index(name, table, list(columns))


def downgrade() -> None:
    for name, table, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)
