"""App tables: users, settings, checklist versions, jobs, comments, item reviews, transcript edits,
practice attempts, coaching sessions, action items, coach ratings.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def _call_id() -> sa.Column:
    return sa.Column(
        "call_id", sa.String(64), sa.ForeignKey("calls.id", ondelete="CASCADE"), nullable=False, index=True
    )


def _now(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "app_users",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("agent_id", sa.String(64), nullable=True),
        sa.Column("team_ids", sa.JSON, nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        _now("created_at"),
    )
    op.create_table(
        "app_settings",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("value", sa.JSON, nullable=False),
        sa.Column("updated_by", sa.String(64), nullable=False),
        _now("updated_at"),
    )
    op.create_table(
        "checklist_versions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("checklist_id", sa.String(64), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("version_id", sa.String(120), nullable=False, unique=True),
        sa.Column("source_text", sa.Text, nullable=False),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("is_active", sa.Boolean, nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        _now("created_at"),
    )
    op.create_table(
        "jobs",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False, index=True),
        sa.Column("stage", sa.String(200), nullable=False),
        sa.Column("fraction", sa.Float, nullable=False),
        sa.Column("user_id", sa.String(64), nullable=False, index=True),
        sa.Column("acting_user", sa.JSON, nullable=False),
        sa.Column("agent_id", sa.String(64), nullable=False),
        sa.Column("params", sa.JSON, nullable=False),
        sa.Column("call_id", sa.String(64), nullable=True),
        sa.Column("error", sa.Text, nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, index=True),
        _now("updated_at"),
        _now("finished_at", nullable=True),
    )
    op.create_table(
        "call_comments",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        _call_id(),
        sa.Column("at_s", sa.Float, nullable=True),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("author_id", sa.String(64), nullable=False),
        sa.Column("author_name", sa.String(200), nullable=False),
        sa.Column("author_role", sa.String(16), nullable=False),
        _now("created_at"),
    )
    op.create_table(
        "item_reviews",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        _call_id(),
        sa.Column("item_id", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("passed", sa.Boolean, nullable=True),
        sa.Column("auto_passed", sa.Boolean, nullable=True),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("author_id", sa.String(64), nullable=False),
        sa.Column("author_role", sa.String(16), nullable=False),
        _now("created_at"),
    )
    op.create_table(
        "transcript_edits",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        _call_id(),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("position", sa.Integer, nullable=True),
        sa.Column("old_text", sa.Text, nullable=False),
        sa.Column("new_text", sa.Text, nullable=False),
        sa.Column("author_id", sa.String(64), nullable=False),
        _now("created_at"),
    )
    op.create_table(
        "practice_attempts",
        sa.Column("call_id", sa.String(64), sa.ForeignKey("calls.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("agent_id", sa.String(64), nullable=False, index=True),
        sa.Column("scenario_id", sa.String(64), nullable=False),
        _now("created_at"),
        _now("shared_at", nullable=True),
    )
    op.create_table(
        "coaching_sessions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("agent_id", sa.String(64), sa.ForeignKey("agents.id"), nullable=False, index=True),
        sa.Column("coach_id", sa.String(64), nullable=False),
        sa.Column("held_on", sa.Date, nullable=False),
        sa.Column("agenda", sa.JSON, nullable=False),
        sa.Column("notes", sa.Text, nullable=False),
        _now("created_at"),
    )
    op.create_table(
        "action_items",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "session_id",
            sa.Integer,
            sa.ForeignKey("coaching_sessions.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("item_id", sa.String(64), nullable=True),
        sa.Column("due_on", sa.Date, nullable=True),
        _now("done_at", nullable=True),
        sa.Column("created_by", sa.String(64), nullable=False),
        _now("created_at"),
    )
    op.create_table(
        "coach_ratings",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("agent_id", sa.String(64), sa.ForeignKey("agents.id"), nullable=False, index=True),
        sa.Column("competence", sa.String(64), nullable=False),
        sa.Column("level", sa.Integer, nullable=False),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("rated_by", sa.String(64), nullable=False),
        _now("rated_at"),
        sa.CheckConstraint("level >= 1 AND level <= 4", name="ck_coach_ratings_level_1_4"),
    )


def downgrade() -> None:
    for table in (
        "coach_ratings",
        "action_items",
        "coaching_sessions",
        "practice_attempts",
        "transcript_edits",
        "item_reviews",
        "call_comments",
        "jobs",
        "checklist_versions",
        "app_settings",
        "app_users",
    ):
        op.drop_table(table)
