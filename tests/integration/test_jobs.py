"""The background analysis queue: a real worker thread, failures with one line, restarts, access."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import update

from audio_samples.truth import audio_path
from coaching.access import User
from coaching.errors import AccessError, AudioTooLargeError, EmptyAudioError
from coaching.services.calls import get_analysis
from coaching.services.jobs import (
    DONE,
    FAILED,
    QUEUED,
    RUNNING,
    get_job,
    list_jobs,
    one_line,
    submit_analysis,
)
from coaching.services.practice import list_attempts
from coaching.services.worker import JobWorker
from coaching.settings import Settings
from coaching.store.app_tables import JobRow
from coaching.store.db import Database
from coaching.store.queue import Claim

pytest_plugins = ("tests.app_helpers",)
People = Callable[[str], User]
Model = Callable[[str], Any]
SHORT = audio_path("en_short").read_bytes()


def _wait(db: Database, who: User, job_id: str, timeout_s: float = 60.0) -> str:
    deadline = time.time() + timeout_s
    while time.time() < deadline:
        status = get_job(who, db, job_id).status
        if status in (DONE, FAILED):
            return status
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} still {status} after {timeout_s} s")


def test_the_worker_thread_analyses_a_queued_upload_and_reports_progress(
    app_db: Database, app_settings: Settings, people: People, truth_model: Model
) -> None:
    emma = people("emma")
    seen: list[str] = []
    fake = truth_model("en_short")

    class Watching(JobWorker):
        def _progress(self, claim: Claim, stage: str, fraction: float) -> None:
            seen.append(stage)
            super()._progress(claim, stage, fraction)

    worker = Watching(db=app_db, settings=lambda: app_settings, transcriber_factory=lambda _s: fake, poll_s=0.1)
    job = submit_analysis(emma, app_db, settings=app_settings, data=SHORT, filename="en_short.flac", agent_id="emma")
    assert job.status == QUEUED and (app_settings.data_dir / "uploads").is_dir()
    worker.start()
    try:
        worker.wake()
        assert _wait(app_db, emma, job.id) == DONE
    finally:
        worker.stop()
    finished = get_job(emma, app_db, job.id)
    assert finished.fraction == 1.0 and finished.error is None
    analysis = get_analysis(emma, str(finished.call_id), db=app_db)
    assert "How can I help" in " ".join(s.text for s in analysis.transcript.segments)
    assert fake.calls == 2  # one per stereo channel
    assert "decoding audio" in seen and any(s.startswith("transcribing") for s in seen)
    assert not list((app_settings.data_dir / "uploads").iterdir())  # the upload is cleaned up


def test_a_failure_keeps_its_one_line_reason_and_the_worker_goes_on(
    app_db: Database, app_settings: Settings, people: People, truth_model: Model
) -> None:
    emma = people("emma")
    bad = submit_analysis(
        emma, app_db, settings=app_settings, data=b"RIFF" + b"\0" * 64, filename="broken.wav", agent_id="emma"
    )
    good = submit_analysis(emma, app_db, settings=app_settings, data=SHORT, filename="en_short.flac", agent_id="emma")
    worker = JobWorker(db=app_db, settings=lambda: app_settings, transcriber_factory=lambda _s: truth_model("en_short"))
    assert worker.process_next() == bad.id
    assert worker.process_next() == good.id
    assert worker.process_next() is None
    failed, done = get_job(emma, app_db, bad.id), get_job(emma, app_db, good.id)
    assert failed.status == FAILED and failed.error is not None
    assert failed.error.startswith("broken.wav") and "\n" not in failed.error
    assert done.status == DONE


def test_a_job_left_running_by_a_stopped_server_is_queued_again(
    app_db: Database, app_settings: Settings, people: People, truth_model: Model
) -> None:
    emma = people("emma")
    job = submit_analysis(emma, app_db, settings=app_settings, data=SHORT, filename="en_short.flac", agent_id="emma")
    with app_db.transaction() as session:
        session.execute(update(JobRow).values(status=RUNNING, stage="transcribing"))
    worker = JobWorker(
        db=app_db, settings=lambda: app_settings, transcriber_factory=lambda _s: truth_model("en_short"), poll_s=0.1
    )
    worker.start()
    try:
        assert _wait(app_db, emma, job.id) == DONE
    finally:
        worker.stop()


def test_jobs_are_listed_for_their_owner_only(app_db: Database, app_settings: Settings, people: People) -> None:
    job = submit_analysis(people("emma"), app_db, settings=app_settings, data=SHORT, filename="a.flac", agent_id="emma")
    assert [j.id for j in list_jobs(people("emma"), app_db)] == [job.id]
    assert list_jobs(people("coach-south"), app_db) == []
    with pytest.raises(Exception, match="no job"):
        get_job(people("aino"), app_db, job.id)


def test_submitting_checks_access_and_size_before_queueing(
    app_db: Database, app_settings: Settings, people: People
) -> None:
    with pytest.raises(AccessError):
        submit_analysis(people("aino"), app_db, settings=app_settings, data=SHORT, filename="x.flac", agent_id="emma")
    with pytest.raises(AccessError):
        submit_analysis(
            people("coach-north"), app_db, settings=app_settings, data=SHORT, filename="x.flac", agent_id="emma"
        )
    with pytest.raises(AccessError):  # practice calls are one's own
        submit_analysis(
            people("coach-south"),
            app_db,
            settings=app_settings,
            data=SHORT,
            filename="x.flac",
            agent_id="emma",
            call_type="practice",
        )
    with pytest.raises(EmptyAudioError):
        submit_analysis(people("emma"), app_db, settings=app_settings, data=b"", filename="x.flac", agent_id="emma")
    tiny = app_settings.with_overrides(max_file_bytes=1000)
    with pytest.raises(AudioTooLargeError, match=r"x\.flac"):
        submit_analysis(people("emma"), app_db, settings=tiny, data=SHORT, filename="x.flac", agent_id="emma")
    assert list_jobs(people("emma"), app_db) == []


def test_a_practice_job_stores_a_private_call_linked_to_its_scenario(
    app_db: Database, app_settings: Settings, people: People, truth_model: Model
) -> None:
    emma = people("emma")
    submit_analysis(
        emma,
        app_db,
        settings=app_settings,
        data=SHORT,
        filename="take1.flac",
        agent_id="emma",
        call_type="practice",
        scenario_id="due-date",
    )
    JobWorker(
        db=app_db, settings=lambda: app_settings, transcriber_factory=lambda _s: truth_model("en_short")
    ).process_next()
    attempts = list_attempts(emma, app_db)
    assert [(a.scenario_id, a.shared) for a in attempts] == [("due-date", False)]
    assert attempts[0].title == "Asks to move a due date to after payday"
    with pytest.raises(AccessError):
        get_analysis(people("coach-south"), attempts[0].call_id, db=app_db)


def test_unexpected_errors_keep_their_class_name() -> None:
    assert one_line(ValueError("bad\nsecond line")) == "ValueError: bad"
    assert one_line(EmptyAudioError("x.wav: the file is empty")) == "x.wav: the file is empty"
