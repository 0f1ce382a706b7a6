"""The job queue's claims: one lease per running job, shared by the app's worker and batch runs.

A worker claims the oldest claimable job of the kinds it runs in one statement,
``UPDATE jobs … WHERE id = (SELECT id … LIMIT 1 FOR UPDATE SKIP LOCKED) AND <still claimable> RETURNING …``:
on PostgreSQL two workers never wait on, nor take, the same row; SQLite ignores ``FOR UPDATE`` and runs the
statement under its single writer lock, so the repeated condition makes it a compare-and-set. Claimable: queued, or
running with a lease that ran out (its worker died) and fewer than ``max_attempts`` claims; a job whose lease ran
out on its last attempt fails with a one-line reason (:func:`fail_exhausted`). The holder renews the lease while it
runs (:func:`renew_lease`) and finishes the job only while it still holds it (:func:`finish_claimed`), in the
transaction that stores the result, so a result is stored once even when a stalled worker wakes up late.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from coaching.errors import LeaseLostError
from coaching.jsonable import JsonObject
from coaching.store.app_tables import JobRow
from coaching.store.db import Database
from coaching.store.tables import CallRow

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
MAX_ATTEMPTS = 3  # claims of one job; a job whose worker died this often (lease ran out) fails
LEASE_S = 60.0  # how long a claim holds without a heartbeat; the heartbeat renews it every quarter of this


@dataclass(frozen=True)
class Claim:
    """A job this worker holds: run it, renew the lease, finish it with :func:`finish_claimed`."""

    job_id: str
    owner: str
    attempts: int
    kind: str
    user_id: str
    acting_user: JsonObject
    agent_id: str
    params: JsonObject
    lease_s: float


def now_utc() -> datetime:
    return datetime.now(UTC)


def _lease_ran_out(now: datetime) -> ColumnElement[bool]:
    return or_(JobRow.lease_expires_at.is_(None), JobRow.lease_expires_at < now)  # None: left by an older worker


def _claimable(now: datetime, kinds: Sequence[str], batch_id: str | None, max_attempts: int) -> ColumnElement[bool]:
    expired = and_(JobRow.status == RUNNING, _lease_ran_out(now), JobRow.attempts < max_attempts)
    condition = and_(JobRow.kind.in_(tuple(kinds)), or_(JobRow.status == QUEUED, expired))
    return and_(condition, JobRow.batch_id == batch_id) if batch_id is not None else condition


def fail_exhausted(
    db: Database, *, kinds: Sequence[str], max_attempts: int, batch_id: str | None = None, now: datetime | None = None
) -> list[str]:
    """Fail the running jobs whose lease ran out on their last allowed attempt; return their ids."""
    now = now or now_utc()
    where = [
        JobRow.kind.in_(tuple(kinds)),
        JobRow.status == RUNNING,
        _lease_ran_out(now),
        JobRow.attempts >= max_attempts,
    ]
    if batch_id is not None:
        where.append(JobRow.batch_id == batch_id)
    reason = f"its worker stopped while running it {max_attempts} times (the lease ran out); not tried again"
    statement = (
        update(JobRow)
        .where(*where)
        .values(status=FAILED, stage="failed", error=reason, lease_owner=None, lease_expires_at=None)
        .values(updated_at=now, finished_at=now)
        .returning(JobRow.id)
        .execution_options(synchronize_session=False)
    )
    with db.transaction() as session:
        return list(session.scalars(statement).all())


def claim_next(
    db: Database,
    *,
    owner: str,
    kinds: Sequence[str],
    lease_s: float = LEASE_S,
    max_attempts: int = MAX_ATTEMPTS,
    batch_id: str | None = None,
    now: datetime | None = None,
) -> Claim | None:
    """Claim the oldest claimable job of ``kinds`` (of one batch when ``batch_id``) for ``owner``; None when none."""
    now = now or now_utc()
    fail_exhausted(db, kinds=kinds, max_attempts=max_attempts, batch_id=batch_id, now=now)
    claimable = _claimable(now, kinds, batch_id, max_attempts)
    pick = (
        select(JobRow.id)
        .where(claimable)
        .order_by(JobRow.created_at, JobRow.id)
        .limit(1)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    statement = (
        update(JobRow)
        .where(JobRow.id == pick, claimable)
        .values(status=RUNNING, lease_owner=owner, lease_expires_at=now + timedelta(seconds=lease_s))
        .values(heartbeat_at=now, attempts=JobRow.attempts + 1, stage="starting", fraction=0.01, updated_at=now)
        .returning(
            JobRow.id, JobRow.attempts, JobRow.kind, JobRow.user_id, JobRow.acting_user, JobRow.agent_id, JobRow.params
        )
        .execution_options(synchronize_session=False)
    )
    with db.transaction() as session:  # the UPDATE is the transaction's first statement (SQLite: no stale read)
        row = session.execute(statement).first()
    if row is None:
        return None
    job_id, attempts, kind, user_id, acting, agent_id, params = row
    return Claim(
        job_id=job_id,
        owner=owner,
        attempts=attempts,
        kind=kind,
        user_id=user_id,
        acting_user=dict(acting or {}),
        agent_id=agent_id,
        params=dict(params or {}),
        lease_s=lease_s,
    )


def _held(claim: Claim) -> ColumnElement[bool]:
    return and_(JobRow.id == claim.job_id, JobRow.lease_owner == claim.owner, JobRow.status == RUNNING)


def renew_lease(db: Database, claim: Claim, *, now: datetime | None = None) -> bool:
    """Extend the lease (the heartbeat); False when ``claim`` no longer holds the job."""
    now = now or now_utc()
    statement = (
        update(JobRow)
        .where(_held(claim))
        .values(lease_expires_at=now + timedelta(seconds=claim.lease_s), heartbeat_at=now)
        .execution_options(synchronize_session=False)
    )
    with db.transaction() as session:
        return getattr(session.execute(statement), "rowcount", 0) == 1


def report_progress(db: Database, claim: Claim, stage: str, fraction: float) -> bool:
    """Write the stage and fraction (below 1) of a held job; False when ``claim`` no longer holds it."""
    statement = (
        update(JobRow)
        .where(_held(claim))
        .values(stage=stage[:200], fraction=max(0.0, min(float(fraction), 0.99)), updated_at=now_utc())
        .execution_options(synchronize_session=False)
    )
    with db.transaction() as session:
        return getattr(session.execute(statement), "rowcount", 0) == 1


def finish_claimed(
    session: Session,
    claim: Claim,
    *,
    status: str,
    call_id: str | None = None,
    error: str | None = None,
    audio_sha256: str | None = None,
    fingerprint: str | None = None,
) -> None:
    """Mark a held job done or failed inside ``session`` (the transaction that stores its result);
    :class:`LeaseLostError` (the caller's transaction then rolls back) when ``claim`` no longer holds it."""
    now = now_utc()
    values: dict[str, object] = {
        "status": status,
        "call_id": call_id,
        "error": error,
        "stage": "done" if status == DONE else "failed",
        "lease_expires_at": None,  # lease_owner stays: who ran it
        "updated_at": now,
        "finished_at": now,
    }
    if status == DONE:
        values["fraction"] = 1.0
    if audio_sha256 is not None:
        values["audio_sha256"] = audio_sha256
    if fingerprint is not None:
        values["fingerprint"] = fingerprint
    result = session.execute(
        update(JobRow).where(_held(claim)).values(**values).execution_options(synchronize_session=False)
    )
    if getattr(result, "rowcount", 0) != 1:
        raise LeaseLostError(f"job {claim.job_id}: the lease ran out and another worker may run it; nothing stored")


def release(db: Database, *, owner: str) -> int:
    """Queue again the jobs ``owner`` holds (a worker stopping on purpose: the claim does not count as an attempt)."""
    statement = (
        update(JobRow)
        .where(JobRow.lease_owner == owner, JobRow.status == RUNNING)
        .values(status=QUEUED, stage="queued again (its worker stopped)", fraction=0.0, lease_owner=None)
        .values(lease_expires_at=None, attempts=JobRow.attempts - 1, updated_at=now_utc())
        .execution_options(synchronize_session=False)
    )
    with db.transaction() as session:
        return int(getattr(session.execute(statement), "rowcount", 0) or 0)


def analysed_call(session: Session, *, audio_sha256: str, fingerprint: str) -> str | None:
    """The stored call of a job done with this audio and configuration fingerprint (None when none, or the call
    is gone: erased or past retention)."""
    return session.scalars(
        select(JobRow.call_id)
        .join(CallRow, CallRow.id == JobRow.call_id)
        .where(JobRow.audio_sha256 == audio_sha256, JobRow.fingerprint == fingerprint, JobRow.status == DONE)
        .limit(1)
    ).first()


def newest_item(
    session: Session, *, kind: str, audio_sha256: str, fingerprint: str, statuses: tuple[str, ...]
) -> JobRow | None:
    """The newest job of ``kind`` for this audio and fingerprint in one of ``statuses``: (QUEUED, RUNNING) finds a
    batch run that was interrupted, (FAILED,) the reason a file failed before."""
    return session.scalars(
        select(JobRow)
        .where(
            JobRow.kind == kind,
            JobRow.audio_sha256 == audio_sha256,
            JobRow.fingerprint == fingerprint,
            JobRow.status.in_(statuses),
        )
        .order_by(JobRow.created_at.desc())
        .limit(1)
    ).first()


def batch_counts(db: Database, batch_id: str) -> dict[str, int]:
    """How many jobs of a batch are in each status."""
    with db.transaction() as session:
        rows = session.execute(
            select(JobRow.status, func.count()).where(JobRow.batch_id == batch_id).group_by(JobRow.status)
        ).all()
    return {str(status): int(n) for status, n in rows}
