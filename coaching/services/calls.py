"""What the pages and the CLI call. Every function takes the acting user; rules are in access.py.

Long work (decoding, transcription) runs before any write transaction opens; results are
written in one short transaction, so a failure leaves the database as it was.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session

from coaching.access import (
    User,
    call_scope,
    can_analyze_for,
    can_read_original_audio,
    may_read,
    require,
    require_read,
)
from coaching.analysis.pipeline import AnalysisOutput, AnalysisRequest, Progress, analyse_call
from coaching.asr.transcriber import Transcriber
from coaching.audio.decode import sha256_file, store_original
from coaching.audio.files import store_audio
from coaching.checklist import Checklist
from coaching.errors import DuplicateRecordingError
from coaching.models import Analysis
from coaching.services.audit import REPEAT_S, record
from coaching.services.config import analysis_config, with_language_default
from coaching.settings import Settings
from coaching.store.calls import (
    CallSummary,
    call_by_audio,
    call_context,
    has_corrections,
    list_call_summaries,
    load_analysis,
    save_analysis,
)
from coaching.store.db import Database
from coaching.store.tables import AgentRow, CallRow

logger = logging.getLogger(__name__)


def _agent_team(db: Database, agent_id: str) -> str | None:
    """The agent's team, or None for an agent not stored yet (the CLI creates it with the call)."""
    with db.transaction() as session:
        agent = session.get(AgentRow, agent_id)
        return agent.team_id if agent else None


def stored_recording(user: User, session: Session, sha256: str, *, agent_id: str, call_type: str) -> str | None:
    """The id of the call already stored for this recording when ``user`` may analyse it again, None when none is
    stored; :class:`DuplicateRecordingError` when analysing it again is not allowed: the call is not one ``user``
    may open (the message names no call and no agent), belongs to another agent, is of the other type (a real
    call never becomes a practice attempt), or has transcript corrections (analysing again would discard them)."""
    row = call_by_audio(session, sha256)
    if row is None:
        return None
    if not may_read(user, call_context(session, row.id)):
        raise DuplicateRecordingError("this recording is already stored; it was not analysed again")
    if row.agent_id != agent_id:
        raise DuplicateRecordingError(
            f"this recording is already stored as call {row.id} of agent {row.agent_id!r}", call_id=row.id
        )
    if row.call_type != call_type:
        raise DuplicateRecordingError(
            f"this recording is already stored as {row.call_type} call {row.id}; it stays one", call_id=row.id
        )
    if has_corrections(session, row.id):
        raise DuplicateRecordingError(
            f"call {row.id} has transcript corrections; analysing the recording again would discard them "
            "(re-score it instead)",
            call_id=row.id,
        )
    return str(row.id)


def stored_call_of(user: User, db: Database, path: Path, *, agent_id: str, call_type: str = "real") -> str | None:
    """:func:`stored_recording` for the file at ``path`` (None when there is no such file: decoding says so)."""
    if not path.is_file():
        return None
    with db.transaction() as session:
        return stored_recording(user, session, sha256_file(path), agent_id=agent_id, call_type=call_type)


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
    customer_id: str | None = None,
    recorded_at: datetime | None = None,
    in_transaction: Callable[[Session, Analysis], None] | None = None,
) -> Analysis:
    """Analyse a recorded call and, when ``db`` is given, store it with its audio.

    ``checklist`` None scores with the organisation's active checklist (:func:`coaching.services.config.
    analysis_config`). Returns the analysis. Raises :class:`AccessError` when ``user`` may not add calls for the agent.
    ``recorded_at`` dates a new call (default now); ``in_transaction`` runs inside the transaction that stores it (the
    job queue finishes its job there: a call is stored exactly when its job is done).
    """
    request = with_language_default(request, db)  # forced, else the agent's or team's default, else detected
    team_id = _agent_team(db, request.agent_id) if db is not None else None
    require(
        can_analyze_for(user, agent_id=request.agent_id, team_id=team_id),
        user=user,
        action=f"add calls for agent {request.agent_id!r}",
    )
    if db is not None:  # a stored recording: refused before the analysis, not after
        stored_call_of(user, db, request.path, agent_id=request.agent_id, call_type=call_type)
    active = checklist or analysis_config(settings, db).checklist
    output: AnalysisOutput = analyse_call(
        request, settings=settings, transcriber=transcriber, checklist=active, progress=progress
    )
    if db is None:
        return output.analysis
    stored = store_audio(output.redacted_audio(), audio_dir=settings.audio_dir)  # a tone over what was redacted
    original = None  # the unredacted upload is kept only with COACHING_KEEP_ORIGINAL_AUDIO=1 (admins only)
    if settings.redaction.keep_original_audio:
        original = store_original(request.path, audio_dir=settings.original_audio_dir, sha256=output.audio.sha256)
    with db.transaction() as session:
        stored_recording(user, session, output.audio.sha256, agent_id=request.agent_id, call_type=call_type)
        save_analysis(
            session,
            output.analysis,
            audio_path=str(stored),
            call_type=call_type,
            is_private=is_private,
            customer_id=(customer_id or "").strip() or None,  # for erasure (python -m coaching erase --customer)
            now=recorded_at,
        )
        if original is not None and (row := session.get(CallRow, output.analysis.call.id)) is not None:
            row.original_audio_path = str(original)
        record(session, user, action="analyze", object_kind="call", object_id=output.analysis.call.id, detail=call_type)
        if in_transaction is not None:
            in_transaction(session, output.analysis)
    logger.info("stored %s for agent %s", output.analysis.call.id, request.agent_id)
    return output.analysis


def get_analysis(user: User, call_id: str, *, db: Database) -> Analysis:
    """One stored call with its transcript and current analysis, if ``user`` may open it (recorded: ``open``)."""
    with db.transaction() as session:
        require_read(user, call_context(session, call_id))
        analysis = load_analysis(session, call_id)
        record(session, user, action="open", object_kind="call", object_id=call_id, coalesce_s=REPEAT_S)
    return analysis


def call_audio(user: User, db: Database, call_id: str) -> Path | None:
    """The stored recording of a call to play, if ``user`` may open the call (recorded: ``play``); None when
    the file is not on this server."""
    with db.transaction() as session:
        require_read(user, call_context(session, call_id))
        row = session.get(CallRow, call_id)
        path = Path(row.audio_path) if row is not None and row.audio_path else None
        if path is None or not path.is_file():
            return None
        record(session, user, action="play", object_kind="call", object_id=call_id, coalesce_s=REPEAT_S)
    return path


def call_original_audio(user: User, db: Database, call_id: str) -> Path | None:
    """The unredacted original of a call (kept only with ``COACHING_KEEP_ORIGINAL_AUDIO=1``), for admins only
    (:func:`coaching.access.can_read_original_audio`; recorded: ``play``, detail ``original``); None when none
    was kept."""
    require(can_read_original_audio(user), user=user, action=f"hear the unredacted original of call {call_id!r}")
    with db.transaction() as session:
        row = session.get(CallRow, call_id)
        path = Path(row.original_audio_path) if row is not None and row.original_audio_path else None
        if path is None or not path.is_file():
            return None
        record(session, user, action="play", object_kind="call", object_id=call_id, detail="original")
    return path


def list_calls(user: User, *, db: Database) -> list[CallSummary]:
    """Calls ``user`` may open, newest first (only those are read: :func:`coaching.access.call_scope`)."""
    with db.transaction() as session:
        return list_call_summaries(session, scope=call_scope(user))
