"""Resolve the one :class:`~coaching.analysis.config.AnalysisConfig` from the environment and the database.

:func:`analysis_config` is the only place that puts the organisation's saved speech model and languages and
the active checklist version together; the CLI, the app, the job worker, corrections, demo seeding and
re-scoring all call it. With no database, or nothing saved, the environment and the packaged checklist apply.
"""

from __future__ import annotations

from sqlalchemy import select

from coaching.analysis.config import AnalysisConfig
from coaching.checklist import Checklist, load_checklist, parse_checklist
from coaching.services.admin import effective_settings
from coaching.settings import Settings
from coaching.store.app_tables import ChecklistVersionRow
from coaching.store.db import Database


def active_checklist(db: Database) -> Checklist:
    """The checklist new analyses and corrections use: the active saved version, else the packaged default."""
    with db.transaction() as session:
        row = session.scalars(select(ChecklistVersionRow).where(ChecklistVersionRow.is_active.is_(True))).first()
        text = row.source_text if row else None
        source = row.version_id if row else None
    return parse_checklist(text, source=source or "saved checklist") if text else load_checklist()


def analysis_config(settings: Settings, db: Database | None) -> AnalysisConfig:
    """``settings`` (the environment) with the organisation's saved model and languages, and the active
    checklist; ``db`` None (nothing to read) gives the environment and the packaged checklist."""
    if db is None:
        return AnalysisConfig.from_environment(settings)
    return AnalysisConfig(settings=effective_settings(db, settings), checklist=active_checklist(db))
