"""Storing and reading analyses on SQLite (WAL) and a real PostgreSQL server."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from coaching.checklist import ChecklistResult
from coaching.errors import NotFoundError, StoreError
from coaching.metrics.compute import compute_metrics
from coaching.models import Analysis, CallInfo, Segment, SpeechSpan, Transcript, Word
from coaching.store.calls import count_calls, list_call_summaries, load_analysis, save_analysis
from coaching.store.db import Database
from tests.pg import postgres_or_skip


def make_analysis(call_id: str = "call-1", agent_id: str = "aino", score: float = 70.0) -> Analysis:
    words = (Word(" Hyvää", 0.0, 0.4, 0.9), Word(" päivää", 0.45, 0.9, 0.8))
    transcript = Transcript(
        language="fi",
        segments=(
            Segment("agent", 0.0, 0.9, "Hyvää päivää", words),
            Segment("customer", 0.8, 1.5, "Hei", (Word(" Hei", 0.8, 1.5, 0.7),)),
        ),
        speech_spans=(SpeechSpan("agent", 0.0, 1.0), SpeechSpan("customer", 0.8, 1.6)),
        channel_mode="left",
    )
    call = CallInfo(call_id, agent_id, 1.6, "fi", "ab" * 32, "left", "base", contact_id="C-9")
    checklist = ChecklistResult("test", 1, "test-v1", "fi", score, items=(), word_choice=())
    return Analysis(call, transcript, compute_metrics(transcript=transcript), checklist)


@pytest.fixture(scope="module")
def pg_url() -> Iterator[str]:
    with postgres_or_skip() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'c.db'}"
    else:
        server_url = request.getfixturevalue("pg_url")
        name = f"t_{uuid.uuid4().hex[:12]}"
        admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f"CREATE DATABASE {name}"))
        admin.dispose()
        url = server_url.rsplit("/", 1)[0] + f"/{name}"
    database = Database.open(url)
    yield database
    database.dispose()


def test_analysis_round_trips_through_the_database(db: Database) -> None:
    original = make_analysis()
    with db.transaction() as session:
        save_analysis(session, original, audio_path="/x.flac")
    with db.transaction() as session:
        loaded = load_analysis(session, "call-1")
        summaries = list_call_summaries(session)
    assert loaded.transcript == original.transcript
    assert loaded.metrics.to_dict() == original.metrics.to_dict() and loaded.checklist == original.checklist
    assert loaded.call.contact_id == "C-9"
    assert [(s.id, s.score, s.agent_id) for s in summaries] == [("call-1", 70.0, "aino")]


def test_saving_again_replaces_instead_of_duplicating(db: Database) -> None:
    for score in (70.0, 80.0):
        with db.transaction() as session:
            save_analysis(session, make_analysis(score=score), audio_path="/x.flac")
    with db.transaction() as session:
        assert count_calls(session) == 1
        assert session.execute(text("SELECT count(*) FROM segments")).scalar() == 2
        assert load_analysis(session, "call-1").checklist.score == 80.0


def test_an_error_inside_a_transaction_rolls_back_everything(db: Database) -> None:
    with pytest.raises(RuntimeError), db.transaction() as session:
        save_analysis(session, make_analysis(), audio_path="/x.flac")
        raise RuntimeError("boom")
    with db.transaction() as session:
        assert count_calls(session) == 0
        with pytest.raises(NotFoundError):
            load_analysis(session, "call-1")


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(tmp_path: Path) -> None:
    database = Database.open(f"sqlite:///{tmp_path / 'w.db'}")
    with database.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 30000
    database.dispose()


def test_unreachable_database_is_one_readable_error() -> None:
    with pytest.raises(StoreError) as error:
        Database.open("postgresql+psycopg://nobody@127.0.0.1:1/none")
    assert "\n" not in str(error.value)


def test_guard_marks_and_call_warnings_survive_the_store(db: Database) -> None:
    """A word the hallucination guard doubted stays doubted after a reload (so a re-score never takes it as
    evidence), and the analysis's warnings (e.g. the same signal on both channels) reach the review page."""
    analysis = make_analysis()
    doubted = Word(" Katsotaan.", 1.0, 1.5, 0.2, "low_probability_end")
    agent = replace(analysis.transcript.segments[0], words=(*analysis.transcript.segments[0].words, doubted))
    transcript = replace(analysis.transcript, segments=(agent, *analysis.transcript.segments[1:]))
    warning = "both channels carry the same signal: analysed as mono"
    analysis = replace(analysis, transcript=transcript, call=replace(analysis.call, warnings=(warning,)))
    with db.transaction() as session:
        save_analysis(session, analysis, audio_path="/x.flac")
    with db.transaction() as session:
        loaded = load_analysis(session, "call-1")
    words = loaded.transcript.segments[0].words
    assert [w.suspect for w in words] == [None, None, "low_probability_end"]
    assert loaded.call.warnings == (warning,)
