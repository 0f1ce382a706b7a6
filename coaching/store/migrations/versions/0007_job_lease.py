"""Job leases: the worker claims a job with a lease and heartbeat; batch items are jobs too.

``lease_owner`` and ``lease_expires_at`` say who runs a job and until when (renewed by the heartbeat);
``attempts`` counts claims (a job whose lease ran out this often fails); ``batch_id`` groups the items of one
``python -m coaching batch`` run; ``audio_sha256`` and ``fingerprint`` (of the analysis configuration) let a
batch skip what was already analysed with the same audio and settings.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("jobs") as table:
        table.add_column(sa.Column("attempts", sa.Integer, nullable=False, server_default="0"))
        table.add_column(sa.Column("lease_owner", sa.String(120), nullable=True))
        table.add_column(sa.Column("lease_expires_at", sa.DateTime(timezone=True), nullable=True))
        table.add_column(sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=True))
        table.add_column(sa.Column("batch_id", sa.String(40), nullable=True))
        table.add_column(sa.Column("audio_sha256", sa.String(64), nullable=True))
        table.add_column(sa.Column("fingerprint", sa.String(64), nullable=True))
        table.create_index("ix_jobs_status_kind_created_at", ["status", "kind", "created_at"])
        table.create_index("ix_jobs_batch_id", ["batch_id"])
        table.create_index("ix_jobs_audio_sha256", ["audio_sha256"])
    # a job left running by the thread worker of an older server has no lease: queue it again (as that worker did)
    op.execute("UPDATE jobs SET status = 'queued' WHERE status = 'running'")


def downgrade() -> None:
    with op.batch_alter_table("jobs") as table:
        table.drop_index("ix_jobs_audio_sha256")
        table.drop_index("ix_jobs_batch_id")
        table.drop_index("ix_jobs_status_kind_created_at")
        for column in ("fingerprint", "audio_sha256", "batch_id", "heartbeat_at", "lease_expires_at", "lease_owner"):
            table.drop_column(column)
        table.drop_column("attempts")
