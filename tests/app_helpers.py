"""Helpers for the app tests: a transcriber that reads the samples' ground truth, and a small seeded database.

The database is built once per test session from ground-truth transcripts (no speech model) and copied for
each test, so every test starts from the same state in a fraction of a second.
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from audio_samples.truth import audio_path, load_truth, truth_transcript
from coaching.access import SYSTEM_USER, User
from coaching.analysis.scoring import score_call
from coaching.asr.transcriber import AsrSegment
from coaching.checklist import load_checklist
from coaching.demo.calls import derived_analysis
from coaching.demo.seed import demo_user, ensure_demo_users
from coaching.demo.surveys import generate_demo_surveys
from coaching.models import Analysis, CallInfo, spread_words
from coaching.services.feedback import add_comment
from coaching.services.outcomes import import_dataframe
from coaching.services.practice import record_attempt
from coaching.services.worker import JobWorker
from coaching.settings import Settings
from coaching.store.calls import save_analysis
from coaching.store.db import Database
from coaching.store.tables import CallRow

# call id, agent, sample, days ago, call type
TEMPLATE_CALLS = (
    ("t-aino-1", "aino", "fi_poor", 40, "real"),
    ("t-aino-2", "aino", "fi_good", 10, "real"),
    ("t-aino-practice", "aino", "fi_good", 2, "practice"),
    ("t-emma-1", "emma", "en_poor", 30, "real"),
    ("t-emma-2", "emma", "en_good", 5, "real"),
    ("t-johan-1", "johan", "sv_poor", 20, "real"),
)


class TruthTranscriber:
    """A fake speech model: the sample's ground-truth turns of whichever speaker is audible in the signal."""

    name: str = "truth"
    languages: tuple[str, ...] = ("fi", "sv", "en")

    def __init__(self, sample: str) -> None:
        self.truth = load_truth(sample)
        self.calls = 0
        self._count_lock = threading.Lock()  # the pipeline transcribes a call's two channels in two threads

    def detect_language(self, *, samples: np.ndarray, allowed: Sequence[str]) -> tuple[str, float]:
        return str(self.truth["language"]), 0.99

    def transcribe(self, *, samples: np.ndarray, language: str) -> tuple[AsrSegment, ...]:
        with self._count_lock:
            self.calls += 1
        rate = 16000
        out = []
        for turn in self.truth["turns"]:
            start, end = float(turn["start_s"]), float(turn["end_s"])
            chunk = samples[int(start * rate) : int(end * rate)]
            if chunk.size and float(np.sqrt(np.mean(chunk**2))) > 0.01:
                words = spread_words(str(turn["text"]).split(), start_s=start, end_s=end)
                out.append(AsrSegment(start, end, str(turn["text"]), words))
        return tuple(out)


def truth_analysis(sample: str, *, call_id: str, agent_id: str) -> Analysis:
    """A stored-shape analysis of a sample from its ground truth (real metrics and checklist)."""
    transcript = truth_transcript(sample)
    truth = load_truth(sample)
    info = CallInfo(
        id=call_id,
        agent_id=agent_id,
        duration_s=float(truth["duration_s"]),
        language=transcript.language,
        audio_sha256="0" * 64,
        channel_mode="left",
        model_name="truth",
        contact_id=f"T-{call_id}",
        source_filename=f"{sample}.flac",
    )
    checklist = load_checklist()
    source = score_call(info, transcript, checklist=checklist)
    return derived_analysis(
        source, transcript, call_id=call_id, agent_id=agent_id, contact_id=f"T-{call_id}", checklist=checklist
    )


def build_template(folder: Path) -> Path:
    """A small database: demo users, six calls from ground truth, one private practice call, surveys, a comment."""
    folder.mkdir(parents=True, exist_ok=True)
    db_path = folder / "coaching.db"
    db = Database.open(f"sqlite:///{db_path}")
    ensure_demo_users(db)
    now = datetime.now(UTC)
    for call_id, agent_id, sample, days_ago, call_type in TEMPLATE_CALLS:
        analysis = truth_analysis(sample, call_id=call_id, agent_id=agent_id)
        with db.transaction() as session:
            save_analysis(
                session,
                analysis,
                audio_path=str(audio_path(sample)),
                call_type=call_type,
                is_private=call_type == "practice",
                now=now - timedelta(days=days_ago),
            )
        if call_type == "practice":
            record_attempt(db, call_id=call_id, agent_id=agent_id, scenario_id="energy-bill")
    agents = [("aino", "team-north", 0.7), ("eero", "team-north", 0.4), ("emma", "team-south", 0.8)]
    surveys = generate_demo_surveys(agents=agents, months=2, end=date.today(), seed=3).head(150)
    import_dataframe(SYSTEM_USER, db, surveys, source_name="test surveys")
    add_comment(demo_user("coach-north", db), db, "t-aino-1", text="Greet with your name first.", at_s=1.0)
    db.dispose()
    return db_path


def copy_template(template: Path, data_dir: Path) -> Path:
    data_dir.mkdir(parents=True, exist_ok=True)
    target = data_dir / "coaching.db"
    shutil.copy(template, target)
    return target


def user(db: Database, user_id: str) -> User:
    return demo_user(user_id, db)


def call_row(db: Database, call_id: str) -> CallRow:
    with db.transaction() as session:
        row = session.get(CallRow, call_id)
        assert row is not None
        return row


@pytest.fixture(scope="session")
def app_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("coaching.checklist.scoring.default_semantic_matcher", lambda: None)
        return build_template(tmp_path_factory.mktemp("app-template"))


@pytest.fixture
def app_db(app_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Database]:
    """A fresh copy of the template database; the data dir is set in the environment for the app."""
    monkeypatch.setattr("coaching.checklist.scoring.default_semantic_matcher", lambda: None)
    data = tmp_path / "data"
    copy_template(app_template, data)
    monkeypatch.setenv("COACHING_DATA_DIR", str(data))
    monkeypatch.delenv("COACHING_DB_URL", raising=False)
    db = Database.open(f"sqlite:///{data / 'coaching.db'}")
    yield db
    db.dispose()


@pytest.fixture
def app_settings(app_db: Database) -> Settings:
    return Settings.from_env()


APP = str(Path(__file__).resolve().parent.parent / "app.py")
SIGN_IN_KEY = "signed_in_as"


def isolate_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    """Read no ``secrets.toml`` (a developer's provider set-up would turn demo mode off): demo mode unless a test
    passes ``AppTest.secrets``."""
    from streamlit.runtime.secrets import secrets_singleton

    set_secrets_files(monkeypatch, [])
    monkeypatch.setattr(secrets_singleton, "_secrets", None)


def set_secrets_files(monkeypatch: pytest.MonkeyPatch, files: list[str]) -> None:
    """Streamlit's ``secrets.files`` option for this test only."""
    from streamlit import config

    real = config.get_option
    monkeypatch.setattr(config, "get_option", lambda key: list(files) if key == "secrets.files" else real(key))


Open = Callable[[str | None], AppTest]  # the open_app fixture: the app signed in as a demo user (or nobody)


def button(at: AppTest, label: str) -> Any:
    """The button labelled ``label`` on the page."""
    return next(b for b in at.button if b.label == label)


def assert_ok(at: AppTest) -> None:
    """The run showed no exception and no error message."""
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


@pytest.fixture
def open_app(app_db: Database, monkeypatch: pytest.MonkeyPatch) -> Iterator[Open]:
    """``open_app(user_id)`` runs the app signed in as a demo user (None: signed out).

    The app runs no jobs (a worker process does): tests run queued jobs with :func:`run_jobs`, on the same database.
    """
    import ui.resources

    isolate_secrets(monkeypatch)
    st.cache_resource.clear()
    monkeypatch.setattr(ui.resources, "make_transcriber", lambda settings: TruthTranscriber("en_short"))

    def run(user_id: str | None) -> AppTest:
        at = AppTest.from_file(APP)
        if user_id is not None:
            at.session_state[SIGN_IN_KEY] = user_id
        return at.run()

    yield run
    st.cache_resource.clear()


def run_jobs(db: Database, sample: str) -> list[str]:
    """Run every queued job now with a ground-truth transcriber for ``sample``; returns the job ids."""
    worker = JobWorker(db=db, settings=Settings.from_env, transcriber_factory=lambda _s: TruthTranscriber(sample))
    done = []
    while (job_id := worker.process_next()) is not None:
        done.append(job_id)
    return done


@pytest.fixture
def people(app_db: Database) -> Callable[[str], User]:
    """``people(user_id)``: the demo user as the acting :class:`User`."""
    return lambda user_id: user(app_db, user_id)


@pytest.fixture
def jobs_runner(app_db: Database) -> Callable[[str], list[str]]:
    """``jobs_runner(sample)``: run every queued job now (see :func:`run_jobs`)."""
    return lambda sample: run_jobs(app_db, sample)


@pytest.fixture
def stored_call(app_db: Database) -> Callable[[str], CallRow]:
    return lambda call_id: call_row(app_db, call_id)


@pytest.fixture
def truth_model() -> Callable[[str], TruthTranscriber]:
    """``truth_model(sample)``: a fake speech model that returns the sample's ground-truth turns."""
    return TruthTranscriber
