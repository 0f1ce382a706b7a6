"""Dashboards at scale: the metric figures that call lists and agent progress show (talk ratio, tempo, flagged
silences, interruptions, overtalk, labels out of norm) as columns of ``analyses``, filled from the stored metrics
JSON here and written with each new analysis (:mod:`coaching.store.figures`), so no read model parses the JSON.

Revision ID: 0010
Revises: 0009
"""

import json

import sqlalchemy as sa
from alembic import op

from coaching.store.figures import FIGURES, call_figures

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

_BATCH = 2000


def upgrade() -> None:
    with op.batch_alter_table("analyses") as table:
        for name, kind in FIGURES.items():
            table.add_column(sa.Column(name, kind, nullable=True))
    _backfill(op.get_bind())


def _backfill(bind: sa.Connection) -> None:
    """The figures of every stored analysis, in batches of ids."""
    analyses = sa.table(
        "analyses", sa.column("id"), sa.column("metrics", sa.JSON), *(sa.column(n, k) for n, k in FIGURES.items())
    )
    update = (
        sa.update(analyses)
        .where(analyses.c.id == sa.bindparam("analysis_id"))
        .values({name: sa.bindparam(f"v_{name}", type_=kind) for name, kind in FIGURES.items()})
    )
    last = 0
    while True:
        rows = bind.execute(
            sa.select(analyses.c.id, analyses.c.metrics)
            .where(analyses.c.id > last)
            .order_by(analyses.c.id)
            .limit(_BATCH)
        ).all()
        if not rows:
            return
        values = []
        for row in rows:
            metrics = json.loads(row.metrics) if isinstance(row.metrics, str) else row.metrics
            values.append({"analysis_id": row.id} | {f"v_{k}": v for k, v in call_figures(metrics).items()})
        bind.execute(update, values)
        last = rows[-1].id


def downgrade() -> None:
    with op.batch_alter_table("analyses") as table:
        for name in reversed(FIGURES):
            table.drop_column(name)
