"""Resolve the one :class:`~coaching.analysis.config.AnalysisConfig` from the environment and the database.

:func:`analysis_config` is the only place that puts the organisation's saved speech model and languages and
the active checklist version together; the CLI, the app, the job worker, corrections, demo seeding and
re-scoring all call it. With no database, or nothing saved, the environment and the packaged checklist apply.
:func:`with_language_default` is the one place a request's language is decided (forced, the agent's or the team's
default, or detection), and :func:`request_fingerprint` fingerprints a request with the language so decided.
"""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import select

from coaching.analysis.config import AnalysisConfig
from coaching.analysis.fingerprint import config_fingerprint
from coaching.analysis.pipeline import AnalysisRequest
from coaching.checklist import Checklist, load_checklist, parse_checklist
from coaching.services.admin import effective_settings
from coaching.settings import Settings
from coaching.store.app_tables import ChecklistVersionRow
from coaching.store.db import Database
from coaching.store.languages import language_defaults


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


def with_language_default(request: AnalysisRequest, db: Database | None) -> AnalysisRequest:
    """``request`` with its language decided, the same for every entry point (CLI, upload worker, re-analysis): a
    forced language (``--language``, the upload form) beats the agent's default, which beats the team's; with
    none of them the language is detected. ``db`` None (nothing to read): forced or detected. Idempotent."""
    if request.language_source is not None:
        return request
    if request.language and request.language != "auto":
        return replace(request, language_source="forced")
    if db is not None:
        with db.transaction() as session:
            defaults = language_defaults(session, request.agent_id)
        if defaults.agent_language:
            return replace(request, language=defaults.agent_language, language_source="agent_default")
        if defaults.team_language:
            return replace(request, language=defaults.team_language, language_source="team_default")
    return replace(request, language=None, language_source="detected")


def request_fingerprint(config: AnalysisConfig, request: AnalysisRequest, db: Database | None) -> str:
    """The fingerprint of analysing ``request`` with ``config``, in the language it will be analysed in
    (:func:`with_language_default`): a batch planned before an agent's or team's default language changed is not
    taken for one analysed after."""
    return config_fingerprint(config, language=with_language_default(request, db).language)
