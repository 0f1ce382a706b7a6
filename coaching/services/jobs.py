"""Background analysis: queueing uploads and reading jobs back.

:func:`submit_analysis` checks access, keeps the upload under ``<data dir>/uploads`` and queues a job row; the
worker process (:class:`coaching.services.worker.JobWorker`, ``python -m coaching worker``) claims it with a lease,
runs it as the user who submitted it and writes the stage and fraction as it goes. Because the state lives in the
database, a browser refresh (or a new session) finds the job again; a job whose worker died is claimed again when
its lease runs out. A failure keeps its one-line reason.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from coaching.access import User, can_analyze_for, require
from coaching.errors import (
    AudioTooLargeError,
    CoachingError,
    DuplicateRecordingError,
    EmptyAudioError,
    InputError,
    NotFoundError,
)
from coaching.jsonable import JsonObject
from coaching.redaction import redact_filename, redaction_policy
from coaching.services.calls import stored_recording
from coaching.settings import Settings
from coaching.store.app_tables import JobRow
from coaching.store.calls import agent_team
from coaching.store.db import Database
from coaching.store.queue import DONE as DONE  # the job statuses (re-exported for the pages)
from coaching.store.queue import FAILED as FAILED
from coaching.store.queue import QUEUED as QUEUED
from coaching.store.queue import RUNNING as RUNNING

# job kinds: an upload from the app, a file of a batch run, a stored call analysed again with its language forced
ANALYZE, BATCH, REANALYZE = "analyze", "batch", "reanalyze"
CALL_TYPES = ("real", "practice")
_UNSAFE = re.compile(r"[^\w .-]")
MAX_NAME_CHARS = 200  # the upload's name as shown and stored (calls.source_filename)
MAX_STORED_NAME_BYTES = 100  # the upload's file name under uploads/ (file systems allow 255 bytes)


@dataclass(frozen=True)
class Job:
    id: str
    status: str
    stage: str
    fraction: float
    agent_id: str
    call_type: str
    filename: str
    scenario_id: str | None
    call_id: str | None
    error: str | None
    created_at: datetime
    finished_at: datetime | None
    kind: str = ANALYZE

    @property
    def active(self) -> bool:
        return self.status in (QUEUED, RUNNING)


def _now() -> datetime:
    return datetime.now(UTC)


def uploads_dir(settings: Settings) -> Path:
    return settings.data_dir / "uploads"


def upload_name(filename: str) -> str:
    """The name of an upload as shown and stored: its last path part (``/`` or ``\\``), without control characters,
    at most :data:`MAX_NAME_CHARS` characters (the extension kept), ``upload`` when nothing is left."""
    name = re.split(r"[/\\]", filename or "")[-1]
    name = "".join(c for c in unicodedata.normalize("NFC", name) if unicodedata.category(c)[0] != "C").strip()
    if len(name) > MAX_NAME_CHARS:
        stem, dot, suffix = name.rpartition(".")
        suffix = suffix[:10] if dot and stem else ""
        name = name[: MAX_NAME_CHARS - len(suffix) - 2] + "…" + (f".{suffix}" if suffix else "")
    return name if name.strip(". ") else "upload"


def _stored_name(name: str) -> str:
    """A safe file name for the upload folder: word characters, at most :data:`MAX_STORED_NAME_BYTES` bytes."""
    safe = _UNSAFE.sub("_", name).strip(" .") or "upload"
    stem, dot, suffix = safe.rpartition(".")
    suffix = f".{suffix[:10]}" if dot and stem else ""
    cut = (stem if dot and stem else safe).encode("utf-8")[: MAX_STORED_NAME_BYTES - len(suffix.encode("utf-8"))]
    return (cut.decode("utf-8", errors="ignore").strip(" .") or "upload") + suffix


def submit_analysis(
    user: User,
    db: Database,
    *,
    settings: Settings,
    data: bytes,
    filename: str,
    agent_id: str,
    language: str | None = None,
    contact_id: str | None = None,
    call_type: str = "real",
    scenario_id: str | None = None,
    again: bool = False,
    customer_id: str | None = None,
) -> Job:
    """Queue the analysis of an uploaded recording; practice calls are the agent's own and private.

    A recording already stored is refused before anything is queued (:class:`DuplicateRecordingError`, naming the
    call only when ``user`` may open it), unless ``again`` and :func:`coaching.services.calls.stored_recording`
    allows analysing it again. Any name (path parts, control characters, 1000 characters) is shortened to
    :func:`upload_name`."""
    filename = upload_name(filename)
    if call_type not in CALL_TYPES:
        raise InputError(f"call type {call_type!r} must be real or practice")
    if not data:
        raise EmptyAudioError(f"{filename}: the file is empty")
    if len(data) > settings.max_file_bytes:
        limit_mb = settings.max_file_bytes / 1024 / 1024
        raise AudioTooLargeError(f"{filename}: {len(data) / 1024 / 1024:.1f} MB is over the {limit_mb:.0f} MB limit")
    with db.transaction() as session:
        team_id = agent_team(session, agent_id)
    require(can_analyze_for(user, agent_id=agent_id, team_id=team_id), user=user, action=f"add calls for {agent_id!r}")
    if call_type == "practice":
        require(user.agent_id == agent_id, user=user, action="record practice calls for another agent")
    with db.transaction() as session:
        existing = stored_recording(
            user, session, hashlib.sha256(data).hexdigest(), agent_id=agent_id, call_type=call_type
        )
    if existing is not None and not again:
        raise DuplicateRecordingError(
            f"this recording is already stored as call {existing}; open it, or analyse it again", call_id=existing
        )
    job_id = uuid.uuid4().hex
    filename = redact_filename(filename, redaction_policy(settings.redaction))  # "call-0401234567.wav"
    upload = uploads_dir(settings) / job_id / _stored_name(filename)  # messages then name the person's own file
    upload.parent.mkdir(parents=True, exist_ok=True)
    upload.write_bytes(data)
    params = {
        "path": str(upload),
        "filename": filename,
        "language": language if language and language != "auto" else None,
        "contact_id": (contact_id or "").strip() or None,
        "customer_id": (customer_id or "").strip() or None,  # for erasure; erase --customer drops queued jobs too
        "call_type": call_type,
        "scenario_id": scenario_id,
    }
    row = queued_job(user, kind=ANALYZE, agent_id=agent_id, params=params, job_id=job_id)
    with db.transaction() as session:
        session.add(row)
        session.flush()
        return job_of(row)


def queued_job(
    submitter: User,
    *,
    kind: str,
    agent_id: str,
    params: JsonObject,
    job_id: str | None = None,
    stage: str = "waiting for the worker",
    now: datetime | None = None,
    **columns: object,
) -> JobRow:
    """A new queued job row of ``kind`` submitted by ``submitter`` (a record of who they were, for reading only: the
    worker rebuilds the acting user when the job runs); ``columns`` sets other :class:`JobRow` columns."""
    now = now or _now()
    acting = {"id": submitter.id, "role": submitter.role, "name": submitter.name, "agent_id": submitter.agent_id}
    return JobRow(
        id=job_id or uuid.uuid4().hex,
        kind=kind,
        status=QUEUED,
        stage=stage,
        fraction=0.0,
        user_id=submitter.id,
        acting_user={**acting, "team_ids": list(submitter.team_ids)},
        agent_id=agent_id,
        params=params,
        created_at=now,
        updated_at=now,
        **columns,
    )


def list_jobs(user: User, db: Database, *, limit: int = 10) -> list[Job]:
    """The newest jobs ``user`` submitted."""
    with db.transaction() as session:
        rows = session.scalars(
            select(JobRow).where(JobRow.user_id == user.id).order_by(JobRow.created_at.desc()).limit(limit)
        ).all()
        return [job_of(r) for r in rows]


def get_job(user: User, db: Database, job_id: str) -> Job:
    """One job that ``user`` submitted."""
    with db.transaction() as session:
        row = session.get(JobRow, job_id)
        if row is None or row.user_id != user.id:
            raise NotFoundError(f"no job {job_id!r} of yours")
        return job_of(row)


def job_of(row: JobRow) -> Job:
    """The job as pages show it."""
    p = row.params
    return Job(
        id=row.id,
        status=row.status,
        stage=row.stage,
        fraction=row.fraction,
        agent_id=row.agent_id,
        call_type=str(p.get("call_type", "real")),
        filename=str(p.get("filename", "")),
        scenario_id=p.get("scenario_id"),
        call_id=row.call_id or p.get("call_id"),
        error=row.error,
        created_at=row.created_at,
        finished_at=row.finished_at,
        kind=row.kind,
    )


def one_line(error: BaseException) -> str:
    """The first line of an error message; unexpected errors keep their class name."""
    text = str(error).strip().splitlines()[0] if str(error).strip() else error.__class__.__name__
    return text if isinstance(error, CoachingError) else f"{error.__class__.__name__}: {text}"
