"""Retention, legal hold and erasure.

- The retention policy (:class:`coaching.settings.RetentionSettings`): days to keep audio, whole calls
  (transcripts with everything attached) and survey answers; the environment gives the defaults, an admin's
  saved values (``app_settings`` key ``retention``) win. :func:`run_retention` deletes what expired; the app's
  job worker calls :func:`run_retention_if_due`, which runs it at most once a day.
- A legal hold (``calls.legal_hold``) exempts a call from retention and from erasure (GDPR Art. 17(3)(e):
  data needed for legal claims); a manager or admin sets and releases it, and releasing is the explicit step
  before such a call can be erased.
- :func:`erase_call`, :func:`erase_agent`, :func:`erase_customer` delete every row and file of the subject.

Rows go in one transaction with the audit entry (counts only, never content); files are removed after it
commits, and only inside the data directory. A dry run does the same deletes and rolls them back.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, fields, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy.orm import Session

from coaching.access import (
    SYSTEM_USER,
    User,
    can_change_retention,
    can_erase,
    can_set_legal_hold,
    may_read,
    require,
)
from coaching.errors import ConflictError, InputError, NotFoundError
from coaching.services.audit import record
from coaching.settings import RetentionSettings, Settings
from coaching.store import erase as store
from coaching.store.app_tables import AppSettingRow
from coaching.store.audit import read_entries
from coaching.store.calls import call_context
from coaching.store.db import Database
from coaching.store.tables import AgentRow, CallRow

logger = logging.getLogger(__name__)

RETENTION_KEY = "retention"
RUN_EVERY = timedelta(days=1)
_REASON_CHARS = 200


# --- the policy ----------------------------------------------------------------------------------


def retention_policy(db: Database, *, settings: Settings) -> RetentionSettings:
    """The saved policy, or the environment's (``COACHING_RETAIN_*_DAYS``) when none is saved."""
    with db.transaction() as session:
        row = session.get(AppSettingRow, RETENTION_KEY)
        saved = dict(row.value or {}) if row is not None else None
    if saved is None:
        return settings.retention
    return RetentionSettings(**{f.name: saved.get(f.name) for f in fields(RetentionSettings)})


def describe(policy: RetentionSettings) -> str:
    """``audio 90 d, transcripts 365 d, surveys forever``."""
    parts = (("audio", policy.audio_days), ("transcripts", policy.transcript_days), ("surveys", policy.survey_days))
    return ", ".join(f"{name} {'forever' if days is None else f'{days} d'}" for name, days in parts)


def save_retention(user: User, db: Database, policy: RetentionSettings) -> RetentionSettings:
    """Save the organisation's policy (admins); each value is whole days >= 1 or None (keep forever)."""
    require(can_change_retention(user), user=user, action="change the retention policy")
    for f in fields(RetentionSettings):
        days = getattr(policy, f.name)
        if days is not None and (isinstance(days, bool) or not isinstance(days, int) or days < 1):
            raise InputError(f"{f.name.replace('_', ' ')}: {days!r} is not a whole number of days (1 or more)")
    value = {f.name: getattr(policy, f.name) for f in fields(RetentionSettings)}
    with db.transaction() as session:
        row = session.get(AppSettingRow, RETENTION_KEY)
        if row is None:
            row = AppSettingRow(key=RETENTION_KEY, value=value, updated_by=user.id, updated_at=datetime.now(UTC))
            session.add(row)
        row.value, row.updated_by, row.updated_at = value, user.id, datetime.now(UTC)
        record(
            session, user, action="change_retention", object_kind="retention", object_id=None, detail=describe(policy)
        )
    return policy


# --- running it ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class RetentionReport:
    """What one run deleted (or, in a dry run, would delete)."""

    policy: RetentionSettings
    calls_deleted: int  # whole calls whose transcripts expired
    audio_deleted: int  # calls that lost only their recording
    surveys_deleted: int
    held: int  # expired calls kept under legal hold
    rows: tuple[tuple[str, int], ...]
    files_removed: int
    files_left: tuple[str, ...]
    dry_run: bool

    def summary(self) -> str:
        verb = "would delete" if self.dry_run else "deleted"
        return (
            f"retention ({describe(self.policy)}): {verb} {self.calls_deleted} calls with their transcripts, "
            f"the audio of {self.audio_deleted} more, {self.surveys_deleted} survey answers and "
            f"{self.files_removed} files; {self.held} expired calls kept under legal hold"
        )


def run_retention(
    user: User, db: Database, *, settings: Settings, now: datetime | None = None, dry_run: bool = False
) -> RetentionReport:
    """Delete what the policy says has expired, except calls under legal hold (admins and the system user)."""
    require(can_erase(user), user=user, action="run the retention policy")
    policy = retention_policy(db, settings=settings)
    now = now or datetime.now(UTC)
    limits = [d for d in (policy.audio_days, policy.transcript_days) if d is not None]
    rows: Counter[str] = Counter()
    paths: list[str] = []
    calls = audio = surveys = held = 0
    with db.transaction() as session:
        store.overwrite_deleted(session)
        if policy.transcript_days is not None:
            counts, files = store.delete_calls(
                session, store.calls_stored_before(session, _cut(now, policy.transcript_days))
            )
            rows.update(counts)
            paths += files
            calls = counts["calls"]
        if policy.audio_days is not None:
            expired = store.calls_stored_before(session, _cut(now, policy.audio_days), with_audio=True)
            audio, files = store.drop_audio(session, expired)
            paths += files
        if policy.survey_days is not None:
            surveys = store.delete_surveys(
                session, contact_ids=store.surveys_answered_before(session, _cut(now, policy.survey_days))
            )
        held = store.count_held_before(session, _cut(now, min(limits))) if limits else 0
        rows.update(audio_dropped=audio, surveys=surveys)
        detail = _counts_text(rows) + f" held={held}"
        _finish(session, user, dry_run, action="retention_run", kind="retention", object_id=None, detail=detail)
    if not dry_run:
        store.truncate_log(db.engine)
    removed, left = _remove_files(paths, data_dir=settings.data_dir, dry_run=dry_run)
    report = RetentionReport(policy, calls, audio, surveys, held, _sorted(rows), removed, left, dry_run)
    logger.info("%s", report.summary())
    return report


def run_retention_if_due(
    db: Database, *, settings: Settings, now: datetime | None = None, every: timedelta = RUN_EVERY
) -> RetentionReport | None:
    """Run the policy as the system user unless a run is logged within ``every``, or nothing has a limit.
    The app's job worker calls this when idle; the audit log's ``retention_run`` entries are the clock, so
    several server processes still run it about once a day."""
    now = now or datetime.now(UTC)
    policy = retention_policy(db, settings=settings)
    if policy == RetentionSettings():
        return None
    with db.transaction() as session:
        recent = read_entries(session, since=now - every, actions=("retention_run",), limit=1)
    if recent:
        return None
    return run_retention(replace(SYSTEM_USER, name="the app's daily retention run"), db, settings=settings, now=now)


def _cut(now: datetime, days: int) -> datetime:
    return now - timedelta(days=days)


# --- legal hold ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CallPrivacy:
    """What the review page shows about a call's hold and audio."""

    legal_hold: bool
    audio_deleted: bool  # removed under the retention policy
    can_set_hold: bool


def call_privacy(user: User, db: Database, call_id: str) -> CallPrivacy:
    """The call's legal hold and whether its audio was deleted, for whoever may open it or set holds."""
    with db.transaction() as session:
        ctx = call_context(session, call_id)
        require(may_read(user, ctx) or can_set_legal_hold(user), user=user, action=f"open call {call_id!r}")
        row = session.get(CallRow, call_id)
        assert row is not None
        return CallPrivacy(bool(row.legal_hold), row.audio_path == store.AUDIO_DELETED, can_set_legal_hold(user))


def set_legal_hold(user: User, db: Database, call_id: str, *, held: bool, reason: str) -> None:
    """Place (``held``) or release a legal hold on a call (managers, admins, system); a reason is required and
    goes into the audit log (it must not quote the call)."""
    require(can_set_legal_hold(user), user=user, action="set legal holds")
    reason = " ".join(reason.split())[:_REASON_CHARS]
    if not reason:
        raise InputError("give a reason for the legal hold (e.g. a case reference)")
    with db.transaction() as session:
        row = session.get(CallRow, call_id)
        if row is None:
            raise NotFoundError(f"no call {call_id!r}")
        row.legal_hold = held
        detail = f"{'placed' if held else 'released'}: {reason}"
        record(session, user, action="legal_hold", object_kind="call", object_id=call_id, detail=detail)


# --- erasure -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ErasureReport:
    """What an erasure deleted (or would delete): counts per kind of row, files, calls kept under hold."""

    object_kind: str  # call | agent | customer
    object_id: str
    rows: tuple[tuple[str, int], ...]
    held_kept: int
    files_removed: int
    files_left: tuple[str, ...]
    dry_run: bool

    def count(self, name: str) -> int:
        return dict(self.rows).get(name, 0)

    def summary(self) -> str:
        verb = "would erase" if self.dry_run else "erased"
        rows = ", ".join(f"{n} {name.replace('_', ' ')}" for name, n in self.rows if n) or "no rows"
        held = f"; {self.held_kept} calls kept under legal hold" if self.held_kept else ""
        return f"{verb} {self.object_kind} {self.object_id}: {rows}; {self.files_removed} files{held}"


def erase_call(user: User, db: Database, call_id: str, *, settings: Settings, dry_run: bool = False) -> ErasureReport:
    """Erase one call: audio, transcript, analyses, comments, reviews, corrections, practice attempt, jobs and
    uploads, and the survey answer linked to it. A call under legal hold is refused (release it first)."""
    require(can_erase(user), user=user, action="erase calls")
    with db.transaction() as session:
        store.overwrite_deleted(session)
        row = session.get(CallRow, call_id)
        if row is None:
            raise NotFoundError(f"no call {call_id!r}")
        if row.legal_hold:
            raise ConflictError(f"call {call_id} is under legal hold; release the hold first (hold --release)")
        rows, paths = _erase_calls(session, [call_id])
        _finish(session, user, dry_run, action="erase", kind="call", object_id=call_id, detail=_counts_text(rows))
    return _report(db, "call", call_id, rows, 0, paths, settings=settings, dry_run=dry_run)


def erase_agent(user: User, db: Database, agent_id: str, *, settings: Settings, dry_run: bool = False) -> ErasureReport:
    """Erase an agent: their calls (except those under legal hold), survey answers about them, coaching sessions,
    action items, ratings, jobs, their sign-in account, and the agent (kept only while held calls name them)."""
    require(can_erase(user), user=user, action="erase agents")
    with db.transaction() as session:
        store.overwrite_deleted(session)
        if session.get(AgentRow, agent_id) is None:
            raise NotFoundError(f"no agent {agent_id!r}")
        calls = store.calls_of(session, agent_id=agent_id)
        held = store.held_among(session, calls)
        rows, paths = _erase_calls(session, [c for c in calls if c not in held])
        rows["surveys"] += store.delete_surveys(session, agent_id=agent_id)
        counts, files = store.delete_agent_rows(session, agent_id, keep_agent=bool(held))
        rows.update(counts)
        detail = _counts_text(rows) + f" held={len(held)}"
        _finish(session, user, dry_run, action="erase", kind="agent", object_id=agent_id, detail=detail)
    return _report(db, "agent", agent_id, rows, len(held), [*paths, *files], settings=settings, dry_run=dry_run)


def erase_customer(
    user: User, db: Database, customer_id: str, *, settings: Settings, dry_run: bool = False
) -> ErasureReport:
    """Erase a customer: their calls (``calls.customer_id``; except those under legal hold), the survey answers
    they gave (``surveys.customer_id``, and those linked to their calls), and jobs submitted for them."""
    require(can_erase(user), user=user, action="erase customers")
    customer_id = customer_id.strip()
    if not customer_id:
        raise InputError("give the customer id to erase")
    with db.transaction() as session:
        store.overwrite_deleted(session)
        calls = store.calls_of(session, customer_id=customer_id)
        held = store.held_among(session, calls)
        rows, paths = _erase_calls(session, [c for c in calls if c not in held])
        rows["surveys"] += store.delete_surveys(session, customer_id=customer_id)
        jobs, uploads = store.delete_jobs_for_customer(session, customer_id)
        rows["jobs"] += jobs
        detail = _counts_text(rows) + f" held={len(held)}"
        _finish(session, user, dry_run, action="erase", kind="customer", object_id=customer_id, detail=detail)
    return _report(db, "customer", customer_id, rows, len(held), [*paths, *uploads], settings=settings, dry_run=dry_run)


def _erase_calls(session: Session, call_ids: list[str]) -> tuple[Counter[str], list[str]]:
    contacts = store.contact_ids_of(session, call_ids)
    rows, paths = store.delete_calls(session, call_ids)
    rows["surveys"] += store.delete_surveys(session, contact_ids=contacts)
    return rows, paths


def _report(
    db: Database,
    kind: str,
    object_id: str,
    rows: Counter[str],
    held: int,
    paths: list[str],
    *,
    settings: Settings,
    dry_run: bool,
) -> ErasureReport:
    if not dry_run:
        store.truncate_log(db.engine)
    removed, left = _remove_files(paths, data_dir=settings.data_dir, dry_run=dry_run)
    report = ErasureReport(kind, object_id, _sorted(rows), held, removed, left, dry_run)
    if left:
        logger.warning("erasure of %s %s left %d files behind", kind, object_id, len(left))
    return report


# --- shared steps --------------------------------------------------------------------------------


def _finish(
    session: Session, user: User, dry_run: bool, *, action: str, kind: str, object_id: str | None, detail: str
) -> None:
    """Record the change in the same transaction, or undo it all for a dry run (nothing is written)."""
    if dry_run:
        session.rollback()
    else:
        record(session, user, action=action, object_kind=kind, object_id=object_id, detail=detail)


def _counts_text(rows: Counter[str]) -> str:
    return " ".join(f"{name}={n}" for name, n in _sorted(rows))


def _sorted(rows: Counter[str]) -> tuple[tuple[str, int], ...]:
    return tuple(sorted((name, int(n)) for name, n in rows.items()))


def _remove_files(paths: Iterable[str], *, data_dir: Path, dry_run: bool) -> tuple[int, tuple[str, ...]]:
    """Remove the files (only inside ``data_dir``); the number removed (or present, in a dry run) and the paths
    left behind (outside the data directory, or not removable)."""
    root = data_dir.resolve()
    removed, left = 0, []
    for name in sorted(set(paths)):
        path = Path(name).resolve()
        if not path.exists():
            continue
        if not path.is_relative_to(root) or not path.is_file():
            left.append(name)
            continue
        if dry_run:
            removed += 1
            continue
        try:
            path.unlink()
        except OSError as error:
            logger.warning("cannot remove a file: %s", error.strerror)
            left.append(name)
            continue
        removed += 1
        _remove_empty_upload_folder(path.parent, root / "uploads")
    return removed, tuple(left)


def _remove_empty_upload_folder(folder: Path, uploads: Path) -> None:
    if folder.parent == uploads and folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()


def daily_retention(
    db: Database, settings: Callable[[], Settings], *, check_every_s: float = 600.0
) -> Callable[[], None]:
    """The job worker's idle task: :func:`run_retention_if_due` with the current settings, looked at no more than
    every ``check_every_s`` (a failed run is logged by the worker and tried again at the next look)."""
    due_s = [0.0]

    def maintain() -> None:
        if time.monotonic() >= due_s[0]:
            due_s[0] = time.monotonic() + check_every_s
            run_retention_if_due(db, settings=settings())

    return maintain
