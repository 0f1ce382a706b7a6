"""Retention: expired audio goes (the transcript stays), expired calls go whole, held calls keep everything,
expired survey answers go, a dry run changes nothing, the app's worker runs the policy at most once a day."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from streamlit.testing.v1 import AppTest

from coaching.access import SYSTEM_USER, User
from coaching.errors import AccessError, InputError, SettingsError
from coaching.services.retention import (
    call_privacy,
    daily_retention,
    retention_policy,
    run_retention,
    run_retention_if_due,
    save_retention,
)
from coaching.services.worker import JobWorker
from coaching.settings import RetentionSettings, Settings
from coaching.store.audit import read_entries
from coaching.store.calls import load_analysis
from coaching.store.db import Database
from coaching.store.erase import AUDIO_DELETED
from coaching.store.survey_tables import SurveyRow
from coaching.store.tables import CallRow
from tests.cli_helpers import run_cli
from tests.integration.test_erasure import ADMIN, NOW, files_mentioning, mentions, store_call

pytest_plugins = ("tests.app_helpers",)

POLICY = RetentionSettings(audio_days=30, transcript_days=365, survey_days=180)


@pytest.fixture
def db(settings: Settings) -> Iterator[Database]:
    """On the ``settings`` of tests/conftest.py: the database inside the data directory, so the file walk reads
    its bytes too."""
    database = Database.open(settings.db_url)
    yield database
    database.dispose()


def test_policy_comes_from_the_environment_until_an_admin_saves_one(db: Database, settings: Settings) -> None:
    env = {"COACHING_RETAIN_AUDIO_DAYS": "30", "COACHING_RETAIN_TRANSCRIPT_DAYS": "forever"}
    from_env = Settings.from_env({**env, "COACHING_DATA_DIR": str(settings.data_dir)})
    assert from_env.retention == RetentionSettings(audio_days=30, transcript_days=None, survey_days=None)
    with pytest.raises(SettingsError, match="COACHING_RETAIN_SURVEY_DAYS"):
        Settings.from_env({"COACHING_RETAIN_SURVEY_DAYS": "0"})
    assert retention_policy(db, settings=from_env).audio_days == 30

    for role in ("agent", "coach", "manager"):
        with pytest.raises(AccessError):
            save_retention(User(id="u", role=role), db, POLICY)
    with pytest.raises(InputError):
        save_retention(ADMIN, db, RetentionSettings(audio_days=0))
    save_retention(ADMIN, db, POLICY)
    assert retention_policy(db, settings=from_env) == POLICY
    with db.transaction() as session:
        [entry] = read_entries(session, actions=("change_retention",))
    assert (entry.actor_id, entry.detail) == ("admin-1", "audio 30 d, transcripts 365 d, surveys 180 d")


def test_run_deletes_what_expired_and_keeps_held_calls(db: Database, settings: Settings) -> None:
    fresh = store_call(db, settings, word="Agoutina", agent_id="aino", days_ago=5)
    quiet = store_call(db, settings, word="Bonobolo", agent_id="aino", days_ago=100)  # loses its audio only
    old = store_call(db, settings, word="Caracaly", agent_id="aino", days_ago=400)  # goes whole
    held = store_call(db, settings, word="Dikdikko", agent_id="aino", days_ago=400, held=True)
    save_retention(ADMIN, db, POLICY)

    report = run_retention(SYSTEM_USER, db, settings=settings, now=NOW)

    assert (report.calls_deleted, report.audio_deleted, report.held) == (1, 1, 1)
    assert mentions(db, [old.word, old.id]) == [] and files_mentioning(settings.data_dir, [old.word]) == []
    with db.transaction() as session:
        assert load_analysis(session, quiet.id).transcript.segments[0].text == "Hyvää Bonobolo"  # transcript stays
        row = session.get(CallRow, quiet.id)
        assert row is not None and (row.audio_path, row.original_audio_path) == (AUDIO_DELETED, None)
        survey_ids = set(session.scalars(select(SurveyRow.contact_id)))
    assert not quiet.audio.exists() and not quiet.original.exists()
    assert call_privacy(ADMIN, db, quiet.id).audio_deleted and not call_privacy(ADMIN, db, fresh.id).audio_deleted
    for kept in (fresh, held):  # recent and held calls keep everything
        assert kept.audio.exists() and kept.original.exists() and mentions(db, [kept.word])
    assert call_privacy(ADMIN, db, held.id).legal_hold
    # survey answers older than 180 days go (held call or not: the hold covers the call), newer ones stay
    assert survey_ids == {fresh.contact_id, quiet.contact_id}
    with db.transaction() as session:
        [entry] = read_entries(session, actions=("retention_run",))
    assert "calls=1" in entry.detail and "held=1" in entry.detail and "Caracaly" not in entry.detail


def test_dry_run_changes_nothing(db: Database, settings: Settings) -> None:
    calls = [
        store_call(db, settings, word=w, agent_id="aino", days_ago=d) for w, d in (("Elandia", 100), ("Fossana", 400))
    ]
    save_retention(ADMIN, db, POLICY)
    before = (mentions(db, [c.word for c in calls]), sorted(p.name for p in settings.audio_dir.rglob("*")))

    report = run_retention(SYSTEM_USER, db, settings=settings, now=NOW, dry_run=True)

    assert (report.calls_deleted, report.audio_deleted, report.dry_run) == (1, 1, True)
    assert report.files_removed == 5  # the old call's audio, original and upload; the other's audio and original
    assert (mentions(db, [c.word for c in calls]), sorted(p.name for p in settings.audio_dir.rglob("*"))) == before
    with db.transaction() as session:
        assert read_entries(session, actions=("retention_run",)) == []
    code, out, _err = run_cli(settings, "retention", "run", "--dry-run")
    assert code == 0 and "would delete" in out and mentions(db, [c.word for c in calls]) == before[0]


def test_only_admins_and_the_system_run_it(db: Database, settings: Settings) -> None:
    for role in ("agent", "coach", "manager"):
        with pytest.raises(AccessError):
            run_retention(User(id="u", role=role), db, settings=settings)
    run_retention(ADMIN, db, settings=settings)


def test_the_app_runs_it_at_most_once_a_day(db: Database, settings: Settings) -> None:
    now = datetime.now(UTC)  # the audit entry of a run carries the real time: it is the clock
    assert run_retention_if_due(db, settings=settings, now=now) is None  # no limits: nothing to run
    old = store_call(db, settings, word="Galagoon", agent_id="aino", days_ago=400, now=now)
    save_retention(ADMIN, db, POLICY)
    first = run_retention_if_due(db, settings=settings, now=now)
    assert first is not None and first.calls_deleted == 1 and mentions(db, [old.word]) == []
    store_call(db, settings, word="Hyraxel", agent_id="aino", days_ago=400, now=now)
    assert run_retention_if_due(db, settings=settings, now=now + timedelta(hours=23)) is None
    later = run_retention_if_due(db, settings=settings, now=now + timedelta(hours=25))
    assert later is not None and later.calls_deleted == 1
    with db.transaction() as session:
        assert len(read_entries(session, actions=("retention_run",))) == 2


def test_the_job_worker_runs_the_policy_when_idle(db: Database, settings: Settings) -> None:
    store_call(db, settings, word="Impalora", agent_id="aino", days_ago=4000)
    save_retention(ADMIN, db, POLICY)
    ran = threading.Event()
    task = daily_retention(db, lambda: settings)

    def maintenance() -> None:
        task()
        ran.set()

    worker = JobWorker(
        db=db,
        settings=lambda: settings,
        transcriber_factory=lambda _s: pytest.fail("nothing to transcribe"),
        poll_s=0.05,
        maintenance=maintenance,
    )
    worker.start()
    try:
        assert ran.wait(10.0)
    finally:
        worker.stop()
    with db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(CallRow)) == 0
        assert len(read_entries(session, actions=("retention_run",))) == 1


def test_cli_shows_and_sets_the_policy(settings: Settings) -> None:
    assert run_cli(settings, "retention", "show")[1].strip() == "audio forever, transcripts forever, surveys forever"
    code, out, _err = run_cli(settings, "retention", "set", "--audio-days", "90", "--survey-days", "forever")
    assert code == 0 and out.strip() == "audio 90 d, transcripts forever, surveys forever"
    with pytest.raises(SystemExit) as usage:
        run_cli(settings, "retention", "set", "--audio-days", "0")
    assert usage.value.code == 2


def test_admins_set_the_policy_and_managers_place_holds_in_the_app(
    open_app: Callable[[str | None], AppTest], app_db: Database
) -> None:
    at = open_app("admin")
    at.switch_page("pages/retention.py").run()
    assert not at.exception and at.title[0].value == "Retention"
    at.number_input[0].set_value(30)
    at.number_input[1].set_value(365)
    next(b for b in at.button if b.label == "Save the policy").click().run()
    assert not at.exception
    assert retention_policy(app_db, settings=Settings.from_env()) == RetentionSettings(30, 365, None)

    at = open_app("manager")
    at.switch_page("pages/call_review.py").run()
    reason = next(t for t in at.text_input if str(t.key).startswith("hold-reason-"))
    call_id = str(reason.key).removeprefix("hold-reason-")
    reason.set_value("case 4").run()
    at.button(key=f"hold-{call_id}").click().run()
    assert not at.exception and any("Legal hold" in i.value for i in at.info)
    assert call_privacy(ADMIN, app_db, call_id).legal_hold
    at = open_app("aino")  # an agent sees the hold but cannot release it
    at.switch_page("pages/call_review.py").run()
    assert not [t for t in at.text_input if str(t.key).startswith("hold-reason-")]
