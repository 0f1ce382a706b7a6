"""The queue's leases on SQLite and PostgreSQL: a claim is exclusive, a lease that runs out lets another worker claim
the job, at most ``max_attempts`` times, and a worker process killed mid-job leaves the job to the others, which run
it to completion exactly once."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from sqlalchemy import create_engine, func, select, text

from audio_samples.truth import audio_path
from coaching.access import SYSTEM_USER
from coaching.errors import LeaseLostError
from coaching.services.jobs import DONE, FAILED, QUEUED, RUNNING, submit_analysis
from coaching.settings import Settings
from coaching.store.app_tables import JobRow
from coaching.store.audit import AuditRow
from coaching.store.calls import ensure_agent
from coaching.store.db import Database
from coaching.store.queue import claim_next, finish_claimed, now_utc, release, renew_lease
from tests.pg import pg_usable, postgres_server

ROOT = Path(__file__).resolve().parents[2]
LEASE_S = 2.0


@pytest.fixture(scope="module")
def pg_url() -> Iterator[str | None]:
    if not pg_usable():
        yield None
        return
    with postgres_server() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path, pg_url: str | None) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'data' / 'coaching.db'}"
    if pg_url is None:
        pytest.skip("PostgreSQL server binaries not installed")
    name = f"lease_{uuid.uuid4().hex[:10]}"
    admin = create_engine(pg_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"CREATE DATABASE {name}"))
    admin.dispose()
    return pg_url.rsplit("/", 1)[0] + f"/{name}"


@pytest.fixture
def settings(tmp_path: Path, db_url: str) -> Settings:
    return Settings.from_env({"COACHING_DATA_DIR": str(tmp_path / "data"), "COACHING_DB_URL": db_url})


@pytest.fixture
def db(settings: Settings) -> Iterator[Database]:
    database = Database.open(settings.db_url)
    with database.transaction() as session:
        ensure_agent(session, "emma")
    yield database
    database.dispose()


def _recording(n: int) -> bytes:
    """The short English sample with ``n`` quarter seconds of silence added: another recording, the same words."""
    samples, rate = sf.read(audio_path("en_short"), dtype="float32", always_2d=True)
    padded = np.concatenate([samples, np.zeros((int(rate * 0.25 * n), samples.shape[1]), dtype=np.float32)])
    out = io.BytesIO()
    sf.write(out, padded, rate, format="WAV")
    return out.getvalue()


def _queue(db: Database, settings: Settings, n: int) -> list[str]:
    return [
        submit_analysis(
            SYSTEM_USER, db, settings=settings, data=_recording(i + 1), filename=f"call{i}.wav", agent_id="emma"
        ).id
        for i in range(n)
    ]


def _job(db: Database, job_id: str) -> JobRow:
    with db.transaction() as session:
        row = session.get(JobRow, job_id)
        assert row is not None
        return row


def test_a_claim_is_exclusive_until_its_lease_runs_out(db: Database, settings: Settings) -> None:
    (job_id,) = _queue(db, settings, 1)
    now = now_utc()
    first = claim_next(db, owner="a", kinds=("analyze",), lease_s=LEASE_S, now=now)
    assert first is not None and first.job_id == job_id and first.attempts == 1
    assert claim_next(db, owner="b", kinds=("analyze",), lease_s=LEASE_S, now=now + timedelta(seconds=1)) is None
    assert claim_next(db, owner="b", kinds=("batch",), lease_s=LEASE_S, now=now + timedelta(seconds=9)) is None
    second = claim_next(db, owner="b", kinds=("analyze",), lease_s=LEASE_S, now=now + timedelta(seconds=3))
    assert second is not None and second.job_id == job_id and second.attempts == 2
    assert not renew_lease(db, first)  # the first worker woke up late: the job is no longer its own
    with pytest.raises(LeaseLostError), db.transaction() as session:
        finish_claimed(session, first, status=DONE, call_id="call-x")
    assert _job(db, job_id).status == RUNNING
    with db.transaction() as session:
        finish_claimed(session, second, status=FAILED, error="a reason")
    done = _job(db, job_id)
    assert (done.status, done.error, done.lease_owner) == (FAILED, "a reason", "b")


def test_a_job_whose_worker_keeps_dying_fails_after_the_attempt_limit(db: Database, settings: Settings) -> None:
    (job_id,) = _queue(db, settings, 1)
    now = now_utc()
    for n, owner in enumerate(("a", "b")):
        claim = claim_next(db, owner=owner, kinds=("analyze",), lease_s=LEASE_S, max_attempts=2, now=now)
        assert claim is not None and claim.attempts == n + 1
        now += timedelta(seconds=LEASE_S + 1)  # the worker dies: its lease runs out
    assert claim_next(db, owner="c", kinds=("analyze",), lease_s=LEASE_S, max_attempts=2, now=now) is None
    failed = _job(db, job_id)
    assert failed.status == FAILED and failed.attempts == 2
    assert failed.error is not None and "2 times" in failed.error and "\n" not in failed.error


def test_a_worker_that_stops_on_purpose_queues_its_job_again_without_using_an_attempt(
    db: Database, settings: Settings
) -> None:
    (job_id,) = _queue(db, settings, 1)
    claim = claim_next(db, owner="a", kinds=("analyze",))
    assert claim is not None
    assert release(db, owner="a") == 1
    row = _job(db, job_id)
    assert (row.status, row.attempts) == (QUEUED, 0)


def test_workers_racing_for_jobs_claim_each_one_once(db: Database, settings: Settings) -> None:
    jobs = set(_queue(db, settings, 12))
    claimed: dict[str, list[str]] = {"a": [], "b": [], "c": []}
    start = threading.Barrier(len(claimed))

    def claim_all(owner: str) -> None:
        start.wait()
        while (claim := claim_next(db, owner=owner, kinds=("analyze",))) is not None:
            claimed[owner].append(claim.job_id)

    threads = [threading.Thread(target=claim_all, args=(owner,)) for owner in claimed]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    every = [job for jobs_of_one in claimed.values() for job in jobs_of_one]
    assert sorted(every) == sorted(jobs)  # each job once, none left


def _worker(settings: Settings, log: Path, slow_s: float) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "COACHING_DATA_DIR": str(settings.data_dir),
        "COACHING_DB_URL": settings.db_url,
        "PYTHONPATH": str(ROOT),
    }
    options = ["--lease-s", str(LEASE_S), "--poll-s", "0.2", "--max-attempts", "3"]
    return subprocess.Popen(
        [sys.executable, "-m", "tests.queue_worker", str(log), str(slow_s), *options],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _lines(log: Path) -> list[tuple[int, str]]:
    if not log.is_file():
        return []
    return [(int(pid), what) for pid, what in (line.split() for line in log.read_text().splitlines())]


def _until(condition: object, timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if callable(condition) and condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def test_a_worker_killed_mid_job_leaves_it_to_the_others_which_run_it_once(
    db: Database, settings: Settings, tmp_path: Path
) -> None:
    jobs = _queue(db, settings, 3)
    log = tmp_path / "transcriptions.log"
    doomed = _worker(settings, log, slow_s=60.0)
    _until(lambda: (doomed.pid, "start") in _lines(log), 90, "the first worker to start transcribing")
    assert _job(db, jobs[0]).status == RUNNING
    doomed.send_signal(signal.SIGKILL)
    doomed.wait(10)
    others = [_worker(settings, log, slow_s=0.3) for _ in range(2)]
    try:
        _until(lambda: all(_job(db, j).status in (DONE, FAILED) for j in jobs), 180, "every job to finish")
    finally:
        for worker in others:
            worker.send_signal(signal.SIGTERM)
        errors = [worker.communicate(timeout=30)[1].decode() for worker in others]
    assert [worker.returncode for worker in others] == [0, 0], errors
    rows = [_job(db, j) for j in jobs]
    assert [r.status for r in rows] == [DONE] * 3, [r.error for r in rows]
    assert [r.attempts for r in rows] == [2, 1, 1]  # the killed worker's claim, then one more; the others once
    assert rows[0].lease_owner is not None and f":{doomed.pid}:" not in rows[0].lease_owner
    lines = _lines(log)
    assert lines.count((doomed.pid, "end")) == 0
    survivors = {w.pid for w in others}
    assert sum(1 for pid, what in lines if what == "end" and pid in survivors) == 2 * 3  # both channels, once per job
    with db.transaction() as session:
        stored = session.scalars(
            select(func.count()).select_from(AuditRow).where(AuditRow.action == "analyze").group_by(AuditRow.object_id)
        ).all()
    assert sorted(stored) == [1, 1, 1]  # each call stored exactly once


def test_two_workers_creating_the_same_new_agent_both_go_on(db: Database) -> None:
    """Batch workers analysing two calls of one new agent: the second insert of the agent (and team) is skipped."""
    from coaching.store.calls import _insert_if_missing
    from coaching.store.tables import AgentRow, TeamRow

    with db.transaction() as session:
        for _ in range(2):  # what the second worker's insert meets once the first has committed
            _insert_if_missing(session, TeamRow, {"id": "north", "name": "north"})
            _insert_if_missing(session, AgentRow, {"id": "aino", "name": "Aino", "team_id": "north"})
        assert ensure_agent(session, "aino", team_id="north").name == "Aino"
    with db.transaction() as session:
        assert session.query(AgentRow).filter_by(id="aino").count() == 1
        assert session.query(TeamRow).filter_by(id="north").count() == 1
