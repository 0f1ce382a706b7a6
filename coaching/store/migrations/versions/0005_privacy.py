"""Privacy: sign-in identities on app users, an append-only audit log, legal hold and customer id on calls,
the unredacted original (kept only when the setting allows), and transcript corrections as proposals.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_NO_CHANGE = "audit log is append-only"


def upgrade() -> None:
    with op.batch_alter_table("app_users") as table:
        table.add_column(sa.Column("subject", sa.String(255), nullable=True))
        table.add_column(sa.Column("email", sa.String(320), nullable=True))
        table.create_index("ix_app_users_subject", ["subject"], unique=True)
        table.create_index("ix_app_users_email", ["email"])
    with op.batch_alter_table("calls") as table:
        table.add_column(sa.Column("customer_id", sa.String(128), nullable=True))
        table.add_column(sa.Column("legal_hold", sa.Boolean, nullable=False, server_default=sa.false()))
        table.add_column(sa.Column("original_audio_path", sa.Text, nullable=True))
        table.create_index("ix_calls_customer_id", ["customer_id"])
    with op.batch_alter_table("transcript_edits") as table:
        table.add_column(sa.Column("status", sa.String(16), nullable=False, server_default="applied"))
        table.add_column(sa.Column("decided_by", sa.String(64), nullable=True))
        table.add_column(sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True))
        table.create_index("ix_transcript_edits_call_id_status", ["call_id", "status"])
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False, index=True),
        sa.Column("actor_id", sa.String(64), nullable=False, index=True),
        sa.Column("actor_role", sa.String(16), nullable=False),
        sa.Column("action", sa.String(32), nullable=False, index=True),
        sa.Column("object_kind", sa.String(32), nullable=False),
        sa.Column("object_id", sa.String(128), nullable=True, index=True),
        sa.Column("detail", sa.Text, nullable=False),
    )
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for event in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER audit_log_no_{event.lower()} BEFORE {event} ON audit_log "
                f"BEGIN SELECT RAISE(ABORT, '{_NO_CHANGE}'); END"
            )
    elif dialect == "postgresql":
        op.execute(
            "CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS "
            f"$$ BEGIN RAISE EXCEPTION '{_NO_CHANGE}'; END $$"
        )
        op.execute(
            "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log "
            "FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()"
        )
        op.execute(
            "CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log "
            "FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()"
        )


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("DROP TRIGGER audit_log_no_truncate ON audit_log")
        op.execute("DROP TRIGGER audit_log_append_only ON audit_log")
        op.execute("DROP FUNCTION audit_log_append_only()")
    op.drop_table("audit_log")
    with op.batch_alter_table("transcript_edits") as table:
        table.drop_index("ix_transcript_edits_call_id_status")
        for column in ("decided_at", "decided_by", "status"):
            table.drop_column(column)
    with op.batch_alter_table("calls") as table:
        table.drop_index("ix_calls_customer_id")
        for column in ("original_audio_path", "legal_hold", "customer_id"):
            table.drop_column(column)
    with op.batch_alter_table("app_users") as table:
        table.drop_index("ix_app_users_email")
        table.drop_index("ix_app_users_subject")
        table.drop_column("email")
        table.drop_column("subject")
