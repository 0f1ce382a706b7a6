"""The queue's worker: claims jobs with a lease (:mod:`coaching.store.queue`), renews it while a job runs, runs the
job as its acting user and finishes it in the transaction that stores the call.

Kinds:

- ``analyze``, an upload from the app, runs as the user who submitted it, rebuilt from ``app_users`` when the job
  runs (a deactivated user, or one who may no longer add calls for the agent, fails the job with a one-line
  reason); the upload is deleted once the job is finished;
- ``reanalyze``, a stored call analysed again with its language forced from the review page
  (:mod:`coaching.services.reanalysis`), runs as the user who asked;
- ``batch``, a file of ``python -m coaching batch``, runs as the user who started the batch and is read where it
  lies.

``python -m coaching worker`` runs :meth:`JobWorker.run` (the app's queue); a batch run and each Ray actor run
:meth:`JobWorker.run_batch`. A worker that dies leaves its job running until the lease runs out; another worker
then claims it again, at most :data:`coaching.store.queue.MAX_ATTEMPTS` times in all. Each job is analysed with
:func:`coaching.services.config.analysis_config` resolved when it starts, like the CLI's ``analyze``.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from types import TracebackType

from sqlalchemy.orm import Session

from coaching.access import SYSTEM_USER, User, can_analyze_for, require
from coaching.analysis.pipeline import AnalysisRequest
from coaching.asr.transcriber import Transcriber
from coaching.errors import AccessError, CoachingError, ConflictError, InputError, LeaseLostError, NotFoundError
from coaching.jsonable import JsonObject
from coaching.models import Analysis
from coaching.services.admin import user_by_id
from coaching.services.calls import analyze_and_store
from coaching.services.config import analysis_config, request_fingerprint
from coaching.services.jobs import ANALYZE, BATCH, DONE, FAILED, REANALYZE, one_line
from coaching.services.practice import record_attempt
from coaching.services.reanalysis import reanalyse_call
from coaching.settings import Settings
from coaching.store.calls import agent_team
from coaching.store.db import Database
from coaching.store.queue import (
    LEASE_S,
    MAX_ATTEMPTS,
    QUEUED,
    RUNNING,
    Claim,
    batch_counts,
    claim_next,
    finish_claimed,
    renew_lease,
    report_progress,
)

logger = logging.getLogger(__name__)

TranscriberFactory = Callable[[Settings], Transcriber]
SettingsProvider = Callable[[], Settings]


def worker_name() -> str:
    """A unique lease owner: host, process and a random part."""
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class Heartbeat:
    """Renews a claim's lease every quarter of its length in a daemon thread while the job runs.

    :meth:`check` raises :class:`LeaseLostError` once the job is no longer this worker's (another worker claimed it
    after the lease ran out, or renewing failed until it ran out)."""

    def __init__(self, db: Database, claim: Claim) -> None:
        self._db = db
        self._claim = claim
        self._interval_s = max(claim.lease_s / 4, 0.05)
        self._stop = threading.Event()
        self._deadline = time.monotonic() + claim.lease_s
        self.lost = False
        self._thread = threading.Thread(target=self._beat, name=f"lease-{claim.job_id[:8]}", daemon=True)

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *_exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self._stop.set()
        self._thread.join(5.0)

    def _beat(self) -> None:
        while not self._stop.wait(self._interval_s):
            try:
                held = renew_lease(self._db, self._claim)
            except CoachingError:  # the database is away for a moment: the lease holds until its deadline
                held = time.monotonic() < self._deadline
            else:
                self._deadline = time.monotonic() + self._claim.lease_s
            if not held:
                self.lost = True
                return

    def check(self) -> None:
        if self.lost:
            raise LeaseLostError(f"job {self._claim.job_id}: the lease ran out and another worker may run it")


class JobWorker:
    """Runs queued jobs one at a time: in :meth:`run` (a worker process), in a thread (:meth:`start`), on demand
    (:meth:`process_next`), or the jobs of one batch (:meth:`run_batch`).

    ``settings`` gives the environment settings; ``transcriber_factory`` loads the speech model of the analysis
    settings, kept per model and device. ``maintenance`` runs when the queue is empty
    (:func:`coaching.services.retention.daily_retention`). ``kinds`` and ``batch_id`` say which jobs it claims.
    """

    def __init__(
        self,
        *,
        db: Database,
        settings: SettingsProvider,
        transcriber_factory: TranscriberFactory,
        poll_s: float = 1.0,
        maintenance: Callable[[], object] | None = None,
        lease_s: float = LEASE_S,
        max_attempts: int = MAX_ATTEMPTS,
        kinds: tuple[str, ...] = (ANALYZE, REANALYZE),
        batch_id: str | None = None,
        owner: str | None = None,
    ) -> None:
        self.db = db
        self.owner = owner or worker_name()
        self._maintenance = maintenance
        self._settings = settings
        self._factory = transcriber_factory
        self._poll_s = poll_s
        self._lease_s = lease_s
        self._max_attempts = max_attempts
        self._kinds = kinds
        self._batch_id = batch_id
        self._transcribers: dict[tuple[str | None, str], Transcriber] = {}
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Run :meth:`run` in a daemon thread (once)."""
        if self._thread is None:
            self._thread = threading.Thread(target=self.run, name="coaching-jobs", daemon=True)
            self._thread.start()

    def wake(self) -> None:
        self._wake.set()

    def stop(self, timeout_s: float = 5.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout_s)

    def run(self, *, until_idle: bool = False) -> None:
        """Claim and run jobs until :meth:`stop` (or, ``until_idle``, until none waits); maintenance when idle."""
        while not self._stop.is_set():
            try:
                if self.process_next() is not None:
                    continue
                if until_idle:
                    return
                if self._maintenance is not None:
                    self._maintenance()
            except Exception:  # the loop must survive a broken database moment
                logger.exception("job worker iteration failed")
            self._wake.wait(self._poll_s)
            self._wake.clear()

    def run_batch(self) -> int:
        """Run the jobs of this worker's batch until none is queued or running; return how many it ran. A job held
        by a worker that died is claimed once its lease runs out."""
        ran = 0
        while not self._stop.is_set():
            if self.process_next() is not None:
                ran += 1
                continue
            counts = batch_counts(self.db, str(self._batch_id))
            if not counts.get(QUEUED) and not counts.get(RUNNING):
                break
            self._wake.wait(self._poll_s)
        return ran

    def process_next(self) -> str | None:
        """Claim and run the oldest claimable job; return its id, or None when nothing waits."""
        claim = claim_next(
            self.db,
            owner=self.owner,
            kinds=self._kinds,
            lease_s=self._lease_s,
            max_attempts=self._max_attempts,
            batch_id=self._batch_id,
        )
        if claim is None:
            return None
        path = Path(str(claim.params.get("path", "")))
        finished = True
        with Heartbeat(self.db, claim) as beat:
            try:
                self._run(claim, beat, path)
            except LeaseLostError:
                finished = False
                logger.warning("job %s: lease lost; left to the worker that holds it now", claim.job_id)
            except Exception as error:  # every failure ends the job with one line, never the worker
                if not isinstance(error, CoachingError):
                    logger.exception("job %s failed", claim.job_id)
                finished = self._fail(claim, one_line(error))
        if finished and claim.kind == ANALYZE:
            _remove_upload(path, claim.job_id)
        return claim.job_id

    def _fail(self, claim: Claim, error: str) -> bool:
        try:
            with self.db.transaction() as session:
                finish_claimed(session, claim, status=FAILED, error=error)
        except LeaseLostError:
            return False
        return True

    def _acting_user(self, claim: Claim) -> User:
        """The submitter with their rights as they are now (never the copy stored with the job); a batch started
        from the command line runs as its CLI user."""
        if claim.user_id == SYSTEM_USER.id:
            name = str(claim.acting_user.get("name") or SYSTEM_USER.name)
            user: User | None = replace(SYSTEM_USER, name=name) if claim.kind == BATCH else SYSTEM_USER
        else:
            user = user_by_id(self.db, claim.user_id)
        if user is None:
            raise AccessError(f"user {claim.user_id!r} who queued this job is no longer active")
        if claim.kind in (BATCH, REANALYZE):  # analyze_and_store / reanalyse_call check access (the agent may be new)
            return user
        with self.db.transaction() as session:
            team_id = agent_team(session, claim.agent_id)
        require(can_analyze_for(user, agent_id=claim.agent_id, team_id=team_id), user=user, action=_adding(claim))
        if claim.params.get("call_type") == "practice":
            require(user.agent_id == claim.agent_id, user=user, action="record practice calls for another agent")
        return user

    def _run(self, claim: Claim, beat: Heartbeat, path: Path) -> None:
        params = claim.params
        user = self._acting_user(claim)
        if claim.kind == REANALYZE:
            self._reanalyse(claim, beat, user)
            return
        if not path.is_file():
            gone = f"{params.get('filename')}: the uploaded file is gone; upload it again"
            raise NotFoundError(gone if claim.kind == ANALYZE else f"{path}: no such file")
        config = analysis_config(self._settings(), self.db)
        asked = AnalysisRequest(path=path, agent_id=claim.agent_id, language=params.get("language"))
        fingerprint = request_fingerprint(config, asked, self.db)
        if params.get("fingerprint") not in (None, fingerprint):
            raise ConflictError(
                "this worker's analysis configuration (model, languages, checklist, decoding settings or the "
                "agent's default language) differs from the batch's; run every worker with the same settings and "
                "database, and the batch again"
            )

        def progress(stage: str, fraction: float) -> None:
            beat.check()
            self._progress(claim, stage, fraction)

        def finish(session: Session, analysis: Analysis) -> None:
            beat.check()
            call = analysis.call
            finish_claimed(
                session, claim, status=DONE, call_id=call.id, audio_sha256=call.audio_sha256, fingerprint=fingerprint
            )

        practice = params.get("call_type") == "practice"
        analysis = analyze_and_store(
            user,
            AnalysisRequest(
                path=path,
                agent_id=claim.agent_id,
                language=params.get("language"),
                contact_id=params.get("contact_id"),
                source_filename=params.get("filename"),
            ),
            settings=config.settings,
            transcriber=self._transcriber(config.settings),
            db=self.db,
            checklist=config.checklist,
            call_type="practice" if practice else "real",
            is_private=practice,
            progress=progress,
            customer_id=params.get("customer_id"),
            recorded_at=_recorded_at(params),
            in_transaction=finish,
        )
        if practice:
            scenario_id = params.get("scenario_id")
            record_attempt(self.db, call_id=analysis.call.id, agent_id=claim.agent_id, scenario_id=scenario_id)

    def _reanalyse(self, claim: Claim, beat: Heartbeat, user: User) -> None:
        config = analysis_config(self._settings(), self.db)

        def progress(stage: str, fraction: float) -> None:
            beat.check()
            self._progress(claim, stage, fraction)

        def finish(session: Session, analysis: Analysis) -> None:
            beat.check()
            finish_claimed(session, claim, status=DONE, call_id=analysis.call.id)

        reanalyse_call(
            user,
            self.db,
            str(claim.params["call_id"]),
            language=str(claim.params["language"]),
            settings=config.settings,
            transcriber=self._transcriber(config.settings),
            checklist=config.checklist,
            progress=progress,
            in_transaction=finish,
        )

    def _progress(self, claim: Claim, stage: str, fraction: float) -> None:
        if not report_progress(self.db, claim, stage, fraction):
            raise LeaseLostError(f"job {claim.job_id}: another worker holds it now")

    def _transcriber(self, settings: Settings) -> Transcriber:
        key = (settings.whisper_model, settings.device)
        if key not in self._transcribers:
            self._transcribers[key] = self._factory(settings)
        return self._transcribers[key]


def _adding(claim: Claim) -> str:
    return f"add calls for {claim.agent_id!r}"


def _recorded_at(params: JsonObject) -> datetime | None:
    text = params.get("recorded_at")
    if not text:
        return None
    try:
        return datetime.fromisoformat(str(text))
    except ValueError:
        raise InputError(f"recorded_at {text!r} is not an ISO date and time") from None


def _remove_upload(upload: Path, job_id: str) -> None:
    upload.unlink(missing_ok=True)
    if upload.parent.name == job_id and upload.parent.is_dir() and not any(upload.parent.iterdir()):
        upload.parent.rmdir()
