"""Background analysis: a job table and one worker thread.

:func:`submit_analysis` checks access, keeps the upload under ``<data dir>/uploads`` and queues a job row.
:class:`JobWorker` claims queued jobs one at a time, runs :func:`coaching.services.calls.analyze_and_store` as the user
who submitted it, rebuilt from ``app_users`` when the job runs (a deactivated user, or one who may no longer add
calls for the agent, fails the job with a one-line reason), and writes the stage and fraction as it goes.
Because the state lives in the database, a browser refresh (or a new session) finds the job again; a job
interrupted by a server stop is queued again when the worker starts. A failure keeps its one-line reason.
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
import unicodedata
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select, update

from coaching.access import SYSTEM_USER, User, can_analyze_for, require
from coaching.analysis.pipeline import AnalysisRequest
from coaching.asr.transcriber import Transcriber
from coaching.errors import (
    AccessError,
    AudioTooLargeError,
    CoachingError,
    DuplicateRecordingError,
    EmptyAudioError,
    InputError,
    NotFoundError,
)
from coaching.jsonable import JsonObject
from coaching.redaction import redact_filename, redaction_policy
from coaching.services.admin import user_by_id
from coaching.services.calls import analyze_and_store, stored_recording
from coaching.services.config import analysis_config
from coaching.services.practice import record_attempt
from coaching.settings import Settings
from coaching.store.app_tables import JobRow
from coaching.store.calls import agent_team
from coaching.store.db import Database

logger = logging.getLogger(__name__)

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
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
    acting = {"id": user.id, "role": user.role, "name": user.name, "agent_id": user.agent_id}  # a record only
    now = _now()
    row = JobRow(
        id=job_id,
        kind="analyze",
        status=QUEUED,
        stage="waiting for the worker",
        fraction=0.0,
        user_id=user.id,
        acting_user={**acting, "team_ids": list(user.team_ids)},
        agent_id=agent_id,
        params=params,
        created_at=now,
        updated_at=now,
    )
    with db.transaction() as session:
        session.add(row)
        session.flush()
        return _job(row)


def list_jobs(user: User, db: Database, *, limit: int = 10) -> list[Job]:
    """The newest jobs ``user`` submitted."""
    with db.transaction() as session:
        rows = session.scalars(
            select(JobRow).where(JobRow.user_id == user.id).order_by(JobRow.created_at.desc()).limit(limit)
        ).all()
        return [_job(r) for r in rows]


def get_job(user: User, db: Database, job_id: str) -> Job:
    """One job that ``user`` submitted."""
    with db.transaction() as session:
        row = session.get(JobRow, job_id)
        if row is None or row.user_id != user.id:
            raise NotFoundError(f"no job {job_id!r} of yours")
        return _job(row)


def _job(row: JobRow) -> Job:
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
        call_id=row.call_id,
        error=row.error,
        created_at=row.created_at,
        finished_at=row.finished_at,
    )


def one_line(error: BaseException) -> str:
    """The first line of an error message; unexpected errors keep their class name."""
    text = str(error).strip().splitlines()[0] if str(error).strip() else error.__class__.__name__
    return text if isinstance(error, CoachingError) else f"{error.__class__.__name__}: {text}"


TranscriberFactory = Callable[[Settings], Transcriber]
SettingsProvider = Callable[[], Settings]


class JobWorker:
    """Runs queued jobs one at a time in a daemon thread (:meth:`start`) or on demand (:meth:`process_next`).

    ``settings`` gives the environment settings; each job is analysed with
    :func:`coaching.services.config.analysis_config` of them and the database, resolved when the job starts
    (the organisation's saved model and languages, the active checklist), like the CLI's ``analyze``.
    ``transcriber_factory`` loads the speech model of those settings; models are kept per model and device.
    """

    def __init__(
        self,
        *,
        db: Database,
        settings: SettingsProvider,
        transcriber_factory: TranscriberFactory,
        poll_s: float = 1.0,
        maintenance: Callable[[], object] | None = None,
    ) -> None:
        """``maintenance`` runs whenever the queue is empty (:func:`coaching.services.retention.daily_retention`)."""
        self.db = db
        self._maintenance = maintenance
        self._settings = settings
        self._factory = transcriber_factory
        self._poll_s = poll_s
        self._transcribers: dict[tuple[str | None, str], Transcriber] = {}
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Queue jobs a stopped server left running, then start the thread (once)."""
        if self._thread is not None:
            return
        with self.db.transaction() as session:
            session.execute(
                update(JobRow)
                .where(JobRow.status == RUNNING)
                .values(status=QUEUED, stage="queued again after a restart", fraction=0.0, updated_at=_now())
            )
        self._thread = threading.Thread(target=self._loop, name="coaching-jobs", daemon=True)
        self._thread.start()

    def wake(self) -> None:
        self._wake.set()

    def stop(self, timeout_s: float = 5.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout_s)

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                if self.process_next() is not None:
                    continue
                if self._maintenance is not None:
                    self._maintenance()
            except Exception:  # the loop must survive a broken database moment
                logger.exception("job worker iteration failed")
            self._wake.wait(self._poll_s)
            self._wake.clear()

    def _claim(self) -> str | None:
        with self.db.transaction() as session:
            candidates = session.scalars(
                select(JobRow.id).where(JobRow.status == QUEUED).order_by(JobRow.created_at).limit(5)
            ).all()
            for job_id in candidates:
                claimed = session.execute(
                    update(JobRow)
                    .where(JobRow.id == job_id, JobRow.status == QUEUED)
                    .values(status=RUNNING, stage="starting", fraction=0.01, updated_at=_now())
                )
                if getattr(claimed, "rowcount", 0) == 1:
                    return job_id
        return None

    def process_next(self) -> str | None:
        """Claim and run the oldest queued job; return its id, or None when nothing waits."""
        job_id = self._claim()
        if job_id is None:
            return None
        with self.db.transaction() as session:
            row = session.get(JobRow, job_id)
            assert row is not None
            params, submitter, agent_id = dict(row.params), row.user_id, row.agent_id
        upload = Path(params["path"])
        try:
            call_id = self._run(job_id, params, self._submitter(submitter, agent_id, params), agent_id, upload)
        except Exception as error:  # every failure ends the job with one line, never the worker
            if not isinstance(error, CoachingError):
                logger.exception("job %s failed", job_id)
            self._finish(job_id, status=FAILED, error=one_line(error))
        else:
            self._finish(job_id, status=DONE, call_id=call_id)
        finally:
            upload.unlink(missing_ok=True)
            if upload.parent.name == job_id and upload.parent.is_dir() and not any(upload.parent.iterdir()):
                upload.parent.rmdir()
        return job_id

    def _submitter(self, user_id: str, agent_id: str, params: JsonObject) -> User:
        """The submitter with their rights as they are now (never the copy stored with the job)."""
        user = SYSTEM_USER if user_id == SYSTEM_USER.id else user_by_id(self.db, user_id)
        if user is None:
            raise AccessError(f"user {user_id!r} who queued this job is no longer active")
        with self.db.transaction() as session:
            team_id = agent_team(session, agent_id)
        allowed = can_analyze_for(user, agent_id=agent_id, team_id=team_id)
        require(allowed, user=user, action=f"add calls for {agent_id!r}")
        if params.get("call_type") == "practice":
            require(user.agent_id == agent_id, user=user, action="record practice calls for another agent")
        return user

    def _run(self, job_id: str, params: JsonObject, user: User, agent_id: str, upload: Path) -> str:
        if not upload.is_file():
            raise NotFoundError(f"{params.get('filename')}: the uploaded file is gone; upload it again")
        config = analysis_config(self._settings(), self.db)
        request = AnalysisRequest(
            path=upload,
            agent_id=agent_id,
            language=params.get("language"),
            contact_id=params.get("contact_id"),
            source_filename=params.get("filename"),
        )
        practice = params.get("call_type") == "practice"
        analysis = analyze_and_store(
            user,
            request,
            settings=config.settings,
            transcriber=self._transcriber(config.settings),
            db=self.db,
            checklist=config.checklist,
            call_type="practice" if practice else "real",
            is_private=practice,
            progress=lambda stage, fraction: self._progress(job_id, stage, fraction),
            customer_id=params.get("customer_id"),
        )
        if practice:
            record_attempt(self.db, call_id=analysis.call.id, agent_id=agent_id, scenario_id=params.get("scenario_id"))
        return analysis.call.id

    def _transcriber(self, settings: Settings) -> Transcriber:
        key = (settings.whisper_model, settings.device)
        if key not in self._transcribers:
            self._transcribers[key] = self._factory(settings)
        return self._transcribers[key]

    def _progress(self, job_id: str, stage: str, fraction: float) -> None:
        with self.db.transaction() as session:
            session.execute(
                update(JobRow)
                .where(JobRow.id == job_id)
                .values(stage=stage[:200], fraction=max(0.0, min(float(fraction), 0.99)), updated_at=_now())
            )

    def _finish(self, job_id: str, *, status: str, call_id: str | None = None, error: str | None = None) -> Job:
        now = _now()
        with self.db.transaction() as session:
            row = session.get(JobRow, job_id)
            assert row is not None
            row.status, row.call_id, row.error = status, call_id, error
            row.stage = "done" if status == DONE else "failed"
            row.fraction = 1.0 if status == DONE else row.fraction
            row.updated_at = row.finished_at = now
            session.flush()
            return _job(row)
