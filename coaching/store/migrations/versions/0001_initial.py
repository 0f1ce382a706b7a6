"""Teams, agents, calls, segments, words, speech spans, analyses.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "teams",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
    )
    op.create_table(
        "agents",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("team_id", sa.String(64), sa.ForeignKey("teams.id"), nullable=True, index=True),
    )
    op.create_table(
        "calls",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("agent_id", sa.String(64), sa.ForeignKey("agents.id"), nullable=False, index=True),
        sa.Column("contact_id", sa.String(128), nullable=True, index=True),
        sa.Column("audio_sha256", sa.String(64), nullable=False, unique=True),
        sa.Column("audio_path", sa.Text, nullable=False),
        sa.Column("source_filename", sa.Text, nullable=True),
        sa.Column("duration_s", sa.Float, nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("channel_mode", sa.String(8), nullable=False),
        sa.Column("model_name", sa.String(200), nullable=False),
        sa.Column("call_type", sa.String(16), nullable=False),
        sa.Column("is_private", sa.Boolean, nullable=False),
        sa.Column("diarization_confidence", sa.Float, nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "segments",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("call_id", sa.String(64), sa.ForeignKey("calls.id", ondelete="CASCADE"), nullable=False, index=True),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("speaker", sa.String(16), nullable=False),
        sa.Column("start_s", sa.Float, nullable=False),
        sa.Column("end_s", sa.Float, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.UniqueConstraint("call_id", "position"),
    )
    op.create_table(
        "words",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "segment_id", sa.Integer, sa.ForeignKey("segments.id", ondelete="CASCADE"), nullable=False, index=True
        ),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("word", sa.String(200), nullable=False),
        sa.Column("start_s", sa.Float, nullable=False),
        sa.Column("end_s", sa.Float, nullable=False),
        sa.Column("probability", sa.Float, nullable=False),
        sa.UniqueConstraint("segment_id", "position"),
    )
    op.create_table(
        "speech_spans",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("call_id", sa.String(64), sa.ForeignKey("calls.id", ondelete="CASCADE"), nullable=False, index=True),
        sa.Column("speaker", sa.String(16), nullable=False),
        sa.Column("start_s", sa.Float, nullable=False),
        sa.Column("end_s", sa.Float, nullable=False),
    )
    op.create_table(
        "analyses",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("call_id", sa.String(64), sa.ForeignKey("calls.id", ondelete="CASCADE"), nullable=False, index=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("schema_version", sa.String(16), nullable=False),
        sa.Column("checklist_version", sa.String(64), nullable=True),
        sa.Column("score", sa.Float, nullable=True),
        sa.Column("metrics", sa.JSON, nullable=False),
        sa.Column("checklist", sa.JSON, nullable=False),
    )


def downgrade() -> None:
    for table in ("analyses", "speech_spans", "words", "segments", "calls", "agents", "teams"):
        op.drop_table(table)
