"""What the pages and the CLI call. Every function takes the acting user; rules are in access.py.

Long work (decoding, transcription) runs before any write transaction opens; results are
written in one short transaction, so a failure leaves the database as it was.
"""

from __future__ import annotations

import logging

from coaching.access import User, call_scope, can_analyze_for, can_read_call, require
from coaching.analysis.pipeline import AnalysisOutput, AnalysisRequest, Progress, analyse_call
from coaching.asr.transcriber import Transcriber
from coaching.audio.decode import store_original
from coaching.checklist import Checklist
from coaching.models import Analysis
from coaching.services.config import analysis_config
from coaching.settings import Settings
from coaching.store.calls import CallSummary, list_call_summaries, load_analysis, save_analysis
from coaching.store.db import Database
from coaching.store.tables import AgentRow, CallRow

logger = logging.getLogger(__name__)


def _agent_team(db: Database, agent_id: str) -> str | None:
    """The agent's team, or None for an agent not stored yet (the CLI creates it with the call)."""
    with db.transaction() as session:
        agent = session.get(AgentRow, agent_id)
        return agent.team_id if agent else None


def analyze_and_store(
    user: User,
    request: AnalysisRequest,
    *,
    settings: Settings,
    transcriber: Transcriber,
    db: Database | None,
    checklist: Checklist | None = None,
    call_type: str = "real",
    is_private: bool = False,
    progress: Progress | None = None,
) -> Analysis:
    """Analyse a recorded call and, when ``db`` is given, store it with its audio.

    ``checklist`` None scores with the organisation's active checklist (:func:`coaching.services.config.
    analysis_config`). Returns the analysis. Raises :class:`AccessError` when ``user`` may not add calls for the agent.
    """
    team_id = _agent_team(db, request.agent_id) if db is not None else None
    require(
        can_analyze_for(user, agent_id=request.agent_id, team_id=team_id),
        user=user,
        action=f"add calls for agent {request.agent_id!r}",
    )
    active = checklist or analysis_config(settings, db).checklist
    output: AnalysisOutput = analyse_call(
        request, settings=settings, transcriber=transcriber, checklist=active, progress=progress
    )
    if db is None:
        return output.analysis
    stored = store_original(request.path, audio_dir=settings.audio_dir, sha256=output.audio.sha256)
    with db.transaction() as session:
        save_analysis(session, output.analysis, audio_path=str(stored), call_type=call_type, is_private=is_private)
    logger.info("stored %s for agent %s", output.analysis.call.id, request.agent_id)
    return output.analysis


def get_analysis(user: User, call_id: str, *, db: Database) -> Analysis:
    """One stored call with its transcript and current analysis, if ``user`` may open it."""
    with db.transaction() as session:
        analysis = load_analysis(session, call_id)
        row = session.get(CallRow, call_id)
        agent = session.get(AgentRow, analysis.call.agent_id)
        private = bool(row.is_private) if row else False
    require(
        can_read_call(
            user, agent_id=analysis.call.agent_id, team_id=agent.team_id if agent else None, is_private=private
        ),
        user=user,
        action=f"open call {call_id!r}",
    )
    return analysis


def list_calls(user: User, *, db: Database) -> list[CallSummary]:
    """Calls ``user`` may open, newest first (only those are read: :func:`coaching.access.call_scope`)."""
    with db.transaction() as session:
        return list_call_summaries(session, scope=call_scope(user))
