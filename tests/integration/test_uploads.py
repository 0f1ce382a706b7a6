"""Uploads of a recording that is already stored, and upload names of any shape.

A stored recording is said before anything is analysed: the stored call is named only to someone who may open
it; a real call never becomes a practice attempt (nor the other way round), its sharing never flips, and a
coach's transcript corrections are never discarded by analysing the recording again. Transcription here is the
samples' ground truth (no speech model).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from audio_samples.truth import audio_path
from coaching.access import User
from coaching.analysis.pipeline import AnalysisRequest
from coaching.errors import CoachingError, DuplicateRecordingError, EmptyAudioError
from coaching.services.calls import analyze_and_store, get_analysis
from coaching.services.corrections import edit_segment
from coaching.services.jobs import DONE, FAILED, MAX_NAME_CHARS, get_job, list_jobs, submit_analysis, upload_name
from coaching.services.practice import list_attempts
from coaching.settings import Settings
from coaching.store.app_tables import JobRow, PracticeAttemptRow
from coaching.store.db import Database
from coaching.store.tables import AnalysisRow, CallRow

pytest_plugins = ("tests.app_helpers",)
People = Callable[[str], User]
Runner = Callable[[str], list[str]]
SHORT = audio_path("en_short").read_bytes()


def _upload(who: User, db: Database, settings: Settings, *, agent_id: str, **options: Any) -> str:
    return submit_analysis(
        who, db, settings=settings, data=SHORT, filename="en_short.flac", agent_id=agent_id, **options
    ).id


def _stored_call(
    db: Database, people: People, settings: Settings, jobs_runner: Runner, *, agent_id: str, practice: bool = False
) -> str:
    options = {"call_type": "practice", "scenario_id": "due-date"} if practice else {}
    job_id = _upload(people(agent_id), db, settings, agent_id=agent_id, **options)
    assert jobs_runner("en_short") == [job_id]
    job = get_job(people(agent_id), db, job_id)
    assert job.status == DONE and job.call_id is not None, job.error
    return job.call_id


def _jobs(db: Database) -> int:
    with db.transaction() as session:
        return int(session.scalar(select(func.count()).select_from(JobRow)) or 0)


def _call(db: Database, call_id: str) -> tuple[str, bool, str]:
    with db.transaction() as session:
        row = session.get(CallRow, call_id)
        assert row is not None
        return row.call_type, bool(row.is_private), row.agent_id


def test_the_same_agent_is_told_before_analysing_and_may_analyse_again(
    app_db: Database, app_settings: Settings, people: People, jobs_runner: Runner
) -> None:
    call_id = _stored_call(app_db, people, app_settings, jobs_runner, agent_id="emma")
    jobs = _jobs(app_db)
    with pytest.raises(DuplicateRecordingError) as said:
        _upload(people("emma"), app_db, app_settings, agent_id="emma")
    assert said.value.call_id == call_id and call_id in str(said.value)
    assert _jobs(app_db) == jobs  # nothing queued, nothing analysed
    with pytest.raises(DuplicateRecordingError) as coach_said:  # emma's coach may open it: named for them too
        _upload(people("coach-south"), app_db, app_settings, agent_id="emma")
    assert coach_said.value.call_id == call_id

    job_id = _upload(people("emma"), app_db, app_settings, agent_id="emma", again=True)
    assert jobs_runner("en_short") == [job_id]
    assert get_job(people("emma"), app_db, job_id).call_id == call_id
    assert _call(app_db, call_id) == ("real", False, "emma")
    with app_db.transaction() as session:
        assert session.scalar(select(func.count()).where(AnalysisRow.call_id == call_id)) == 1


@pytest.mark.parametrize("who, agent_id", [("aino", "aino"), ("coach-north", "aino"), ("coach-north", "eero")])
def test_someone_who_may_not_open_the_stored_call_gets_a_neutral_message(
    app_db: Database, app_settings: Settings, people: People, jobs_runner: Runner, who: str, agent_id: str
) -> None:
    call_id = _stored_call(app_db, people, app_settings, jobs_runner, agent_id="emma")
    jobs = _jobs(app_db)
    for again in (False, True):
        with pytest.raises(DuplicateRecordingError) as said:
            _upload(people(who), app_db, app_settings, agent_id=agent_id, again=again)
        message = str(said.value)
        assert said.value.call_id is None and "already stored" in message
        assert call_id not in message and "call-" not in message and "emma" not in message.lower()
        assert "Emma" not in message and "team" not in message
    assert _jobs(app_db) == jobs
    assert _call(app_db, call_id) == ("real", False, "emma")


def test_a_real_call_never_becomes_a_practice_attempt_and_sharing_never_flips(
    app_db: Database, app_settings: Settings, people: People, jobs_runner: Runner
) -> None:
    real = _stored_call(app_db, people, app_settings, jobs_runner, agent_id="emma")
    for again in (False, True):
        with pytest.raises(DuplicateRecordingError, match="stays one"):
            _upload(people("emma"), app_db, app_settings, agent_id="emma", call_type="practice", again=again)
    assert _call(app_db, real) == ("real", False, "emma")
    assert list_attempts(people("emma"), app_db) == []
    with app_db.transaction() as session:
        assert session.get(PracticeAttemptRow, real) is None


def test_a_private_practice_call_stays_private_and_practice(
    app_db: Database, app_settings: Settings, people: People, jobs_runner: Runner
) -> None:
    practice = _stored_call(app_db, people, app_settings, jobs_runner, agent_id="emma", practice=True)
    assert _call(app_db, practice) == ("practice", True, "emma")
    with pytest.raises(DuplicateRecordingError, match="stays one"):
        _upload(people("emma"), app_db, app_settings, agent_id="emma", again=True)  # as a real call
    with pytest.raises(DuplicateRecordingError) as coach:  # the coach may not see a private practice call
        _upload(people("coach-south"), app_db, app_settings, agent_id="emma", again=True)
    assert coach.value.call_id is None and practice not in str(coach.value)
    job_id = _upload(people("emma"), app_db, app_settings, agent_id="emma", call_type="practice", again=True)
    jobs_runner("en_short")
    assert get_job(people("emma"), app_db, job_id).status == DONE
    assert _call(app_db, practice) == ("practice", True, "emma")  # analysed again: still private


def test_a_coachs_corrections_survive_uploading_the_recording_again(
    app_db: Database, app_settings: Settings, people: People, jobs_runner: Runner, truth_model: Callable[[str], Any]
) -> None:
    call_id = _stored_call(app_db, people, app_settings, jobs_runner, agent_id="emma")
    queued = _upload(people("emma"), app_db, app_settings, agent_id="emma", again=True)  # before the correction
    edit_segment(
        people("coach-south"), app_db, call_id, position=0, text="Corrected by the coach.", settings=app_settings
    )
    with pytest.raises(DuplicateRecordingError, match="corrections"):
        _upload(people("emma"), app_db, app_settings, agent_id="emma", again=True)
    assert jobs_runner("en_short") == [queued]  # the job queued earlier now fails with one line
    failed = get_job(people("emma"), app_db, queued)
    assert failed.status == FAILED and failed.error is not None and "corrections" in failed.error
    # the command line (the system user) is refused too, before anything is transcribed
    model = truth_model("en_short")
    request = AnalysisRequest(path=audio_path("en_short"), agent_id="emma")
    with pytest.raises(DuplicateRecordingError, match="corrections"):
        analyze_and_store(people("manager"), request, settings=app_settings, transcriber=model, db=app_db)
    assert model.calls == 0
    text = get_analysis(people("coach-south"), call_id, db=app_db).transcript.segments[0].text
    assert text == "Corrected by the coach."


ODD_NAMES = {
    "path parts": "../../etc/passwd.flac",
    "windows path": "C:\\Users\\emma\\calls\\call 1.flac",
    "control characters": "call\x00\x07\r\n\x1b[31mred.flac",
    "1000 characters": "a" * 996 + ".wav",
    "1000 unicode letters": "ä" * 994 + "通話.flac",
    "emoji": "🎧" * 300,
    "only dots": "..",
    "empty": "",
    "only a separator": "/",
}


@pytest.mark.parametrize("case", list(ODD_NAMES))
def test_an_odd_upload_name_is_queued_under_a_safe_name(
    app_db: Database, app_settings: Settings, people: People, case: str
) -> None:
    name = ODD_NAMES[case]
    job = submit_analysis(people("emma"), app_db, settings=app_settings, data=SHORT, filename=name, agent_id="emma")
    assert 0 < len(job.filename) <= MAX_NAME_CHARS
    assert not re.search(r"[/\\\x00-\x1f\x7f]", job.filename)
    assert job.filename == upload_name(name)
    (folder,) = (app_settings.data_dir / "uploads").iterdir()
    (stored,) = folder.iterdir()
    assert stored.read_bytes() == SHORT and len(stored.name.encode("utf-8")) <= 100
    assert stored.resolve().parent == folder.resolve()  # inside the upload folder, whatever the name said
    with pytest.raises(EmptyAudioError) as empty:  # errors name the file in one line
        submit_analysis(people("emma"), app_db, settings=app_settings, data=b"", filename=name, agent_id="emma")
    assert "\n" not in str(empty.value) and len(str(empty.value)) < MAX_NAME_CHARS + 50


def test_a_long_unicode_name_is_analysed_and_stored_in_one_piece(
    app_db: Database, app_settings: Settings, people: People, jobs_runner: Runner
) -> None:
    name = "Asiakaspuhelu – " + "ääö" * 400 + ".flac"
    job = submit_analysis(people("emma"), app_db, settings=app_settings, data=SHORT, filename=name, agent_id="emma")
    jobs_runner("en_short")
    done = get_job(people("emma"), app_db, job.id)
    assert done.status == DONE, done.error
    stored = get_analysis(people("emma"), str(done.call_id), db=app_db).call.source_filename
    assert stored == job.filename and stored.startswith("Asiakaspuhelu – ää") and stored.endswith(".flac")
    assert [j.id for j in list_jobs(people("emma"), app_db)] == [job.id]


def test_an_upload_error_is_one_coaching_error_never_a_traceback(
    app_db: Database, app_settings: Settings, people: People
) -> None:
    for name in ODD_NAMES.values():
        try:
            submit_analysis(
                people("aino"), app_db, settings=app_settings, data=b"\x00" * 10, filename=name, agent_id="emma"
            )
        except CoachingError as error:
            assert "\n" not in str(error)
        else:
            raise AssertionError("aino may not add calls for emma")
    assert not Path(app_settings.data_dir / "uploads").exists() or not any(
        (app_settings.data_dir / "uploads").iterdir()
    )
