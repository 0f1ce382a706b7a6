"""Batch analysis of many recordings (``python -m coaching batch DIR_OR_MANIFEST``): plan, run locally, summarise.

Items come from a folder (audio files, recursive; one ``--agent``) or a CSV manifest (columns ``path``, ``agent``,
``contact_id``, ``language``, ``recorded_at``; a bad manifest is refused with one line before anything is stored).
Each item becomes a job of kind ``batch`` in the queue table, keyed by the audio's sha256 and the fingerprint of the
analysis configuration and the language the item will be analysed in
(:func:`coaching.services.config.request_fingerprint`): a recording already analysed with
both is skipped; one left queued or running by an interrupted run is taken over, never queued twice; one that failed
keeps its reason (``retry_failed`` queues it again). The engines, :func:`run_local` here and
:func:`coaching.services.batch_ray.run_ray`, run the jobs with the leases of the app's worker
(:class:`coaching.services.worker.JobWorker`), so an interrupted batch resumes where it stopped.
"""

from __future__ import annotations

import csv
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from coaching.access import User, can_analyze_for, require
from coaching.analysis.config import AnalysisConfig
from coaching.analysis.pipeline import AnalysisRequest
from coaching.audio.decode import sha256_file
from coaching.errors import InputError
from coaching.services.config import request_fingerprint
from coaching.services.jobs import BATCH, queued_job
from coaching.services.worker import JobWorker, TranscriberFactory
from coaching.settings import SUPPORTED_LANGUAGES, Settings
from coaching.store.app_tables import JobRow
from coaching.store.db import Database
from coaching.store.queue import DONE, FAILED, LEASE_S, MAX_ATTEMPTS, QUEUED, RUNNING, analysed_call, newest_item
from coaching.store.tables import AgentRow, CallRow

AUDIO_SUFFIXES = frozenset({".wav", ".mp3", ".m4a", ".ogg", ".opus", ".flac"})
MANIFEST_COLUMNS = ("path", "agent", "contact_id", "language", "recorded_at")


@dataclass(frozen=True)
class BatchItem:
    """One recording to analyse, for one agent; ``language`` None detects it; ``recorded_at`` dates the call."""

    path: Path
    agent_id: str
    contact_id: str | None = None
    language: str | None = None
    recorded_at: datetime | None = None


@dataclass(frozen=True)
class BatchPlan:
    """What a run has to do: ``queued`` jobs of ``batch_id``; what it skips and what failed before, with reasons."""

    batch_id: str
    queued: int
    skipped: tuple[tuple[str, str], ...] = ()
    failed_before: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class BatchSummary:
    """The outcome of a run: files analysed (with their audio seconds), skipped, failed (reasons), left for later."""

    analysed: int
    audio_s: float
    skipped: tuple[tuple[str, str], ...]
    failed: tuple[tuple[str, str], ...]
    left: int
    wall_s: float


def read_items(source: Path, *, agent_id: str | None = None) -> list[BatchItem]:
    """The items of a folder (every audio file below it, for ``agent_id``) or of a CSV manifest."""
    if source.is_dir():
        if not agent_id:
            raise InputError(f"{source}: a folder needs --agent ID (a manifest names the agent on each row)")
        files = sorted(
            p
            for p in source.rglob("*")
            if p.is_file() and p.suffix.lower() in AUDIO_SUFFIXES and not p.name.startswith(".")
        )
        return [BatchItem(path=p.resolve(), agent_id=agent_id) for p in files]
    if source.is_file():
        return read_manifest(source, default_agent=agent_id)
    raise InputError(f"{source}: no such folder or manifest")


def read_manifest(path: Path, *, default_agent: str | None = None) -> list[BatchItem]:
    """Read and check a whole CSV manifest; :class:`InputError` names the first bad row and column."""
    name = path.name
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            rows = [{(k.strip() if isinstance(k, str) else k): v for k, v in r.items()} for r in reader]
            columns = tuple(c.strip() for c in reader.fieldnames or ())
    except UnicodeDecodeError:
        raise InputError(f"{name}: not a UTF-8 CSV manifest") from None
    except csv.Error as error:
        raise InputError(f"{name}: not a CSV manifest ({error})") from None
    unknown = [c for c in columns if c not in MANIFEST_COLUMNS]
    if "path" not in columns or unknown:
        what = f"unknown column {unknown[0]!r}" if unknown else "no 'path' column"
        raise InputError(f"{name}: {what} (columns: {', '.join(MANIFEST_COLUMNS)})")
    if not rows:
        raise InputError(f"{name}: the manifest has no rows")
    return [_item(row, number=n, manifest=path, default_agent=default_agent) for n, row in enumerate(rows, start=2)]


def _item(row: dict[str | None, str | None], *, number: int, manifest: Path, default_agent: str | None) -> BatchItem:
    def cell(column: str) -> str:
        value = row.get(column)
        if isinstance(value, list) or None in row:
            raise InputError(f"{manifest.name} row {number}: more cells than columns")
        return (value or "").strip()

    where = f"{manifest.name} row {number}, column"
    if not cell("path"):
        raise InputError(f"{where} 'path': empty")
    agent = cell("agent") or (default_agent or "")
    if not agent:
        raise InputError(f"{where} 'agent': empty (or give --agent for every row)")
    language = cell("language").lower() or None
    if language not in (None, "auto", *SUPPORTED_LANGUAGES):
        raise InputError(f"{where} 'language': {language!r} is not one of {', '.join(SUPPORTED_LANGUAGES)}, auto")
    recorded_at = None
    if text := cell("recorded_at"):
        try:
            recorded_at = datetime.fromisoformat(text)
        except ValueError:
            raise InputError(
                f"{where} 'recorded_at': {text!r} is not an ISO date (2026-11-30 or 2026-11-30T09:15)"
            ) from None
        recorded_at = recorded_at if recorded_at.tzinfo else recorded_at.replace(tzinfo=UTC)
    path = Path(cell("path")).expanduser()
    return BatchItem(
        path=(path if path.is_absolute() else manifest.parent / path).resolve(),
        agent_id=agent,
        contact_id=cell("contact_id") or None,
        language=None if language == "auto" else language,
        recorded_at=recorded_at,
    )


def plan_batch(
    user: User,
    db: Database,
    items: list[BatchItem],
    *,
    config: AnalysisConfig,
    retry_failed: bool = False,
    on_item: Callable[[], None] | None = None,
) -> BatchPlan:
    """Queue the items not yet analysed with this configuration as jobs of a new batch (see the module);
    :class:`AccessError` before anything is queued when ``user`` may not add calls for one of the agents."""
    with db.transaction() as session:
        for agent_id in sorted({item.agent_id for item in items}):
            agent = session.get(AgentRow, agent_id)  # a new agent is stored with its first call
            allowed = can_analyze_for(user, agent_id=agent_id, team_id=agent.team_id if agent else None)
            require(allowed, user=user, action=f"add calls for agent {agent_id!r}")
    batch_id = uuid.uuid4().hex
    skipped: list[tuple[str, str]] = []
    failed_before: list[tuple[str, str]] = []
    seen: dict[tuple[str, str], Path] = {}
    queued = 0
    for item in items:
        asked = AnalysisRequest(path=item.path, agent_id=item.agent_id, language=item.language)
        fingerprint = request_fingerprint(config, asked, db)
        try:
            sha = sha256_file(item.path)
        except OSError as error:
            sha, reason = None, f"{item.path.name}: cannot read the file ({error.strerror or error})"
        key = (str(sha), fingerprint)
        with db.transaction() as session:
            now = datetime.now(UTC)
            if sha is None:
                unread = _job_row(item, batch_id, user, None, fingerprint, now)
                unread.status, unread.stage, unread.error, unread.finished_at = FAILED, "failed", reason, now
                session.add(unread)
            elif key in seen:
                skipped.append((str(item.path), f"the same recording as {seen[key].name}"))
            elif (call_id := analysed_call(session, audio_sha256=sha, fingerprint=fingerprint)) is not None:
                skipped.append((str(item.path), f"already analysed as call {call_id}"))
            elif job := newest_item(
                session, kind=BATCH, audio_sha256=sha, fingerprint=fingerprint, statuses=(QUEUED, RUNNING)
            ):
                job.batch_id = batch_id  # left by an interrupted run: this run takes it over
                queued += 1
            elif not retry_failed and (
                failed := newest_item(
                    session, kind=BATCH, audio_sha256=sha, fingerprint=fingerprint, statuses=(FAILED,)
                )
            ):
                failed_before.append((str(item.path), str(failed.error or "failed")))
            else:
                session.add(_job_row(item, batch_id, user, sha, fingerprint, now))
                queued += 1
        if sha is not None:
            seen.setdefault(key, item.path)
        if on_item is not None:
            on_item()
    return BatchPlan(batch_id=batch_id, queued=queued, skipped=tuple(skipped), failed_before=tuple(failed_before))


def _job_row(
    item: BatchItem,
    batch_id: str,
    user: User,
    sha: str | None,
    fingerprint: str,
    now: datetime,
) -> JobRow:
    params = {
        "path": str(item.path),
        "filename": item.path.name,
        "language": item.language,
        "contact_id": item.contact_id,
        "recorded_at": item.recorded_at.isoformat() if item.recorded_at else None,
        "call_type": "real",
        "fingerprint": fingerprint,
    }
    return queued_job(
        user,
        kind=BATCH,
        agent_id=item.agent_id,
        params=params,
        stage="waiting for the batch",
        now=now,
        batch_id=batch_id,
        audio_sha256=sha,
        fingerprint=fingerprint,
        attempts=0,
    )


def batch_worker(
    db: Database,
    settings: Settings,
    transcriber_factory: TranscriberFactory,
    *,
    batch_id: str,
    lease_s: float = LEASE_S,
    max_attempts: int = MAX_ATTEMPTS,
    poll_s: float = 0.5,
) -> JobWorker:
    """The worker that runs one batch's jobs (the local engine; each Ray actor holds one)."""
    return JobWorker(
        db=db,
        settings=lambda: settings,
        transcriber_factory=transcriber_factory,
        poll_s=poll_s,
        lease_s=lease_s,
        max_attempts=max_attempts,
        kinds=(BATCH,),
        batch_id=batch_id,
    )


def summarise(db: Database, plan: BatchPlan, *, wall_s: float) -> BatchSummary:
    """What the batch's jobs came to, read back from the database."""
    with db.transaction() as session:
        rows = session.execute(
            select(JobRow.status, JobRow.params, JobRow.error, CallRow.duration_s)
            .outerjoin(CallRow, CallRow.id == JobRow.call_id)
            .where(JobRow.batch_id == plan.batch_id)
            .order_by(JobRow.created_at)
        ).all()
    done = [r for r in rows if r.status == DONE]
    failed = [(str(r.params.get("path")), (r.error or "failed").splitlines()[0]) for r in rows if r.status == FAILED]
    return BatchSummary(
        analysed=len(done),
        audio_s=sum(float(r.duration_s or 0.0) for r in done),
        skipped=plan.skipped,
        failed=(*plan.failed_before, *failed),
        left=sum(1 for r in rows if r.status not in (DONE, FAILED)),
        wall_s=wall_s,
    )
