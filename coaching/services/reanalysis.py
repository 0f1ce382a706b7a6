"""Analyse a stored call again with its language forced: the review page's "analyse again as fi / sv / en" for a
call whose detected language is doubtful (:attr:`coaching.models.LanguageCheck.flags`).

The stored recording (the unredacted original where one was kept) goes through the same path as an upload
(:func:`coaching.analysis.pipeline.analyse_call` with the organisation's configuration); the call keeps its id,
agent, type, contact and audio file, and its transcript and score are replaced. Recorded in the audit log as
``reanalyze``. The review page queues it (:func:`submit_reanalysis`); the worker process runs it
(:class:`coaching.services.worker.JobWorker`), so the app never transcribes in its own process.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from sqlalchemy.orm import Session

from coaching.access import User, can_reanalyse_call, require, require_read
from coaching.analysis.pipeline import AnalysisRequest, Progress, analyse_call
from coaching.asr.transcriber import Transcriber
from coaching.audio.files import store_audio
from coaching.checklist import Checklist
from coaching.errors import ConflictError, InputError, NotFoundError
from coaching.models import Analysis
from coaching.services.audit import record
from coaching.services.config import analysis_config
from coaching.services.jobs import REANALYZE, Job, job_of, queued_job
from coaching.settings import SUPPORTED_LANGUAGES, Settings
from coaching.store.calls import call_context, has_corrections, save_analysis
from coaching.store.db import Database
from coaching.store.tables import CallRow

logger = logging.getLogger(__name__)


def _check_reanalysis(user: User, session: Session, call_id: str, language: str) -> CallRow:
    """The stored call, if ``user`` may analyse it again in ``language`` (it has no transcript corrections)."""
    if language not in SUPPORTED_LANGUAGES:
        raise InputError(f"language {language!r} must be one of {', '.join(SUPPORTED_LANGUAGES)}")
    ctx = call_context(session, call_id)
    require_read(user, ctx)
    require(can_reanalyse_call(user, ctx), user=user, action=f"analyse call {call_id!r} again")
    if has_corrections(session, call_id):
        raise ConflictError(f"call {call_id} has transcript corrections; analysing it again would discard them")
    row = session.get(CallRow, call_id)
    assert row is not None
    return row


def submit_reanalysis(user: User, db: Database, call_id: str, *, language: str) -> Job:
    """Queue analysing stored call ``call_id`` again in ``language`` for the worker (checked now and again when it
    runs, as :func:`reanalyse_call`)."""
    with db.transaction() as session:
        row = _check_reanalysis(user, session, call_id, language)
        params = {
            "call_id": call_id,
            "language": language,
            "filename": row.source_filename or call_id,
            "call_type": row.call_type,
        }
        job = queued_job(user, kind=REANALYZE, agent_id=row.agent_id, params=params)
        session.add(job)
        session.flush()
        return job_of(job)


def reanalyse_call(
    user: User,
    db: Database,
    call_id: str,
    *,
    language: str,
    settings: Settings,
    transcriber: Transcriber,
    checklist: Checklist | None = None,
    progress: Progress | None = None,
    in_transaction: Callable[[Session, Analysis], None] | None = None,
) -> Analysis:
    """Analyse stored call ``call_id`` again in ``language`` (forced) and store the result under the same id.

    Allowed to whoever decides the call's corrections (:func:`coaching.access.can_reanalyse_call`); refused for a
    call with transcript corrections (they would be lost: :class:`ConflictError`) or whose audio is gone.
    ``in_transaction`` runs inside the transaction that stores the result (the worker finishes its job there)."""
    with db.transaction() as session:
        row = _check_reanalysis(user, session, call_id, language)
        kept = (row.agent_id, row.contact_id, row.source_filename, row.audio_sha256, row.channel_mode)
        call_type, is_private = row.call_type, bool(row.is_private)
        paths = [Path(p) for p in (row.original_audio_path, row.audio_path) if p]
    agent_id, contact_id, source_filename, sha256, channel_mode = kept
    path = next((p for p in paths if p.is_file()), None)
    if path is None:
        raise NotFoundError(f"the audio of call {call_id} is gone (retention); it cannot be analysed again")
    request = AnalysisRequest(
        path=path,
        agent_id=agent_id,
        language=language,
        channel_mode=channel_mode,  # type: ignore[arg-type]
        contact_id=contact_id,
        source_filename=source_filename,
        language_source="forced",
    )
    active = checklist or analysis_config(settings, db).checklist
    output = analyse_call(request, settings=settings, transcriber=transcriber, checklist=active, progress=progress)
    call = replace(output.analysis.call, id=call_id, audio_sha256=sha256, source_filename=source_filename)
    analysis = replace(output.analysis, call=call)
    # the stored copy is written again (redacted anew in this language) where the call's audio is kept
    redacted = replace(output, audio=replace(output.audio, sha256=sha256)).redacted_audio()
    stored = store_audio(redacted, audio_dir=settings.audio_dir)
    with db.transaction() as session:
        require_read(user, call_context(session, call_id))  # still there (not erased meanwhile)
        save_analysis(session, analysis, audio_path=str(stored), call_type=call_type, is_private=is_private)
        record(session, user, action="reanalyze", object_kind="call", object_id=call_id, detail=f"as {language}")
        if in_transaction is not None:
            in_transaction(session, analysis)
    logger.info("analysed %s again as %s", call_id, language)
    return analysis
