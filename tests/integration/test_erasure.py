"""Erasure: after ``erase --call`` / ``--agent`` / ``--customer`` nothing of the subject remains in any table,
any column or the data directory (SQLite file bytes included); held calls stay; the audit entry holds counts only.

Calls are stored through :func:`coaching.store.calls.save_analysis` with small synthetic transcripts (no model).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import MetaData, select

from coaching.access import SYSTEM_USER, Role, User
from coaching.checklist import ChecklistResult
from coaching.errors import AccessError, ConflictError, NotFoundError
from coaching.metrics.compute import compute_metrics
from coaching.models import Analysis, CallInfo, Segment, SpeechSpan, Transcript, Word
from coaching.services.retention import call_privacy, erase_agent, erase_call, erase_customer, set_legal_hold
from coaching.settings import Settings
from coaching.store.app_tables import (
    ActionItemRow,
    AppUserRow,
    CoachingSessionRow,
    CoachRatingRow,
    CommentRow,
    ItemReviewRow,
    JobRow,
    PracticeAttemptRow,
    TranscriptEditRow,
)
from coaching.store.audit import read_entries
from coaching.store.calls import ensure_agent, save_analysis
from coaching.store.db import Database
from coaching.store.survey_tables import SurveyRow
from coaching.store.tables import CallRow
from tests.cli_helpers import run_cli
from tests.pg import postgres_or_skip

ADMIN = User(id="admin-1", role="admin", name="Admin")
NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
COUNTS_ONLY = re.compile(r"^(\w+=\d+)( \w+=\d+)*$")


@dataclass(frozen=True)
class StoredCall:
    id: str
    agent_id: str
    customer_id: str | None
    word: str  # a word only this call's transcript, comment, correction, survey comment and file name hold
    sha256: str
    contact_id: str
    audio: Path
    original: Path
    upload: Path


def store_call(
    db: Database,
    settings: Settings,
    *,
    word: str,
    agent_id: str,
    customer_id: str | None = None,
    days_ago: float = 1.0,
    held: bool = False,
    practice: bool = False,
    now: datetime = NOW,
) -> StoredCall:
    """A stored call with its audio, kept original, comment, review, correction, job and upload, survey answer."""
    sha = hashlib.sha256(word.encode()).hexdigest()
    call_id, contact = f"call-{sha[:16]}", f"K-{word}"
    audio = settings.audio_dir / sha[:2] / f"{sha}.flac"
    original = settings.audio_dir / "originals" / f"{sha}.flac"
    upload = settings.data_dir / "uploads" / f"job-{sha[:8]}" / f"{word}.flac"
    for path in (audio, original, upload):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"fLaC fake audio of " + word.encode())
    words = (Word(" Hyvää", 0.0, 0.4, 0.9), Word(f" {word}", 0.45, 0.9, 0.8))
    transcript = Transcript(
        language="fi",
        segments=(
            Segment("agent", 0.0, 0.9, f"Hyvää {word}", words),
            Segment("customer", 1.0, 1.5, "Kiitos", (Word(" Kiitos", 1.0, 1.5, 0.7),)),
        ),
        speech_spans=(SpeechSpan("agent", 0.0, 0.9), SpeechSpan("customer", 1.0, 1.5)),
        channel_mode="left",
    )
    info = CallInfo(call_id, agent_id, 1.5, "fi", sha, "left", "base", contact_id=contact, source_filename=upload.name)
    checklist = ChecklistResult("test", 1, "test-v1", "fi", 70.0, items=(), word_choice=())
    analysis = Analysis(info, transcript, compute_metrics(transcript=transcript), checklist)
    created = now - timedelta(days=days_ago)
    with db.transaction() as session:
        ensure_agent(session, agent_id, name=f"Name of {agent_id}", team_id="team-1")
        save_analysis(
            session,
            analysis,
            audio_path=str(audio),
            call_type="practice" if practice else "real",
            is_private=practice,
            now=created,
            customer_id=customer_id,
        )
        row = session.get(CallRow, call_id)
        assert row is not None
        row.original_audio_path, row.legal_hold = str(original), held
        author = dict(author_id="coach-1", created_at=created)
        session.add(
            CommentRow(
                call_id=call_id, at_s=0.5, text=f"say {word} slower", author_name="Coach", author_role="coach", **author
            )
        )
        session.add(
            ItemReviewRow(
                call_id=call_id,
                item_id="greeting",
                kind="override",
                passed=True,
                auto_passed=False,
                reason=f"{word} counts",
                author_role="coach",
                **author,
            )
        )
        session.add(
            TranscriptEditRow(
                call_id=call_id, kind="text", position=0, old_text=f"Hyvää {word}x", new_text=f"Hyvää {word}", **author
            )
        )
        if practice:
            session.add(PracticeAttemptRow(call_id=call_id, agent_id=agent_id, scenario_id="s1", created_at=created))
        params = {"path": str(upload), "filename": upload.name, "contact_id": contact, "customer_id": customer_id}
        session.add(
            JobRow(
                id=f"job-{sha[:8]}",
                kind="analyze",
                status="done",
                stage="done",
                fraction=1.0,
                user_id="coach-1",
                acting_user={"id": "coach-1"},
                agent_id=agent_id,
                params=params,
                call_id=call_id,
                created_at=created,
                updated_at=created,
            )
        )
        session.add(
            SurveyRow(
                contact_id=contact,
                agent_id=agent_id,
                team_id="team-1",
                answered_at=created,
                score=9,
                comment=f"{word} was kind",
                customer_id=customer_id,
                source_name="export.csv",
                imported_at=created,
            )
        )
    return StoredCall(call_id, agent_id, customer_id, word, sha, contact, audio, original, upload)


def add_agent_records(db: Database, agent_id: str) -> None:
    """The agent's sign-in account, a coaching session with an action item, a rating, and a queued job."""
    with db.transaction() as session:
        session.add(
            AppUserRow(
                id=agent_id,
                name=f"Name of {agent_id}",
                role="agent",
                agent_id=agent_id,
                team_ids=[],
                active=True,
                created_at=NOW,
            )
        )
        coaching = CoachingSessionRow(
            agent_id=agent_id,
            coach_id="coach-1",
            held_on=date(2026, 10, 1),
            agenda=[{"agent": agent_id}],
            notes=f"notes on {agent_id}",
            created_at=NOW,
        )
        session.add(coaching)
        session.flush()
        session.add(
            ActionItemRow(session_id=coaching.id, text=f"{agent_id} practises", created_by="coach-1", created_at=NOW)
        )
        session.add(
            CoachRatingRow(
                agent_id=agent_id, competence="fees", level=2, note=f"{agent_id} ok", rated_by="coach-1", rated_at=NOW
            )
        )
        session.add(
            JobRow(
                id=f"job-of-{agent_id}",
                status="queued",
                user_id=agent_id,
                acting_user={"id": agent_id},
                agent_id=agent_id,
                params={"filename": "practice.flac", "scenario_id": "s1"},
                created_at=NOW,
                updated_at=NOW,
            )
        )


def mentions(db: Database, needles: list[str], *, skip: tuple[str, ...] = ("audit_log",)) -> list[str]:
    """``table.column: needle`` for every value in the database (every table, reflected) holding a needle."""
    meta = MetaData()
    meta.reflect(db.engine)
    found = []
    with db.engine.connect() as connection:
        for table in meta.sorted_tables:
            if table.name in skip:
                continue
            for row in connection.execute(select(table)):
                for column, value in row._mapping.items():
                    text = json.dumps(value, default=str) if isinstance(value, dict | list) else str(value)
                    found += [f"{table.name}.{column}: {n}" for n in needles if n in text]
    return found


def files_mentioning(data_dir: Path, needles: list[str]) -> list[str]:
    """Files under the data directory whose name or bytes hold a needle (the SQLite files included)."""
    found = []
    for path in sorted(p for p in data_dir.rglob("*") if p.is_file()):
        content = path.read_bytes()
        found += [f"{path.name}: {n}" for n in needles if n in path.name or n.encode() in content]
    return found


def erase_entries(db: Database, object_id: str) -> list[str]:
    with db.transaction() as session:
        entries = read_entries(session, actions=("erase",), object_id=object_id)
    return [e.detail for e in entries]


@pytest.fixture
def db(settings: Settings) -> Iterator[Database]:
    """On the ``settings`` of tests/conftest.py: the database inside the data directory, so the file walk reads
    its bytes too."""
    database = Database.open(settings.db_url)
    yield database
    database.dispose()


def test_erase_call_leaves_nothing_of_it(db: Database, settings: Settings) -> None:
    gone = store_call(db, settings, word="Quokkaberry", agent_id="aino", customer_id="CUST-1")
    kept = store_call(db, settings, word="Wombatello", agent_id="aino", customer_id="CUST-2")
    needles = [gone.id, gone.word, gone.contact_id, gone.sha256]
    assert len(mentions(db, needles)) >= 10  # the scan finds the call before it is erased

    report = erase_call(ADMIN, db, gone.id, settings=settings)

    assert mentions(db, needles) == []
    assert files_mentioning(settings.data_dir, [gone.word, gone.sha256]) == []
    assert not gone.audio.exists() and not gone.original.exists() and not gone.upload.parent.exists()
    assert (report.count("calls"), report.count("surveys"), report.files_removed) == (1, 1, 3)
    assert mentions(db, [kept.word, kept.id]) and kept.audio.exists()  # the other call is whole
    [detail] = erase_entries(db, gone.id)
    assert COUNTS_ONLY.match(detail) and "calls=1" in detail
    assert mentions(db, [gone.word], skip=()) == []  # not even the audit log quotes the call


def test_erase_agent_removes_their_calls_records_and_account(db: Database, settings: Settings) -> None:
    calls = [store_call(db, settings, word=w, agent_id="eero", customer_id="C-E") for w in ("Tapirnox", "Lynxwort")]
    practice = store_call(db, settings, word="Okapilla", agent_id="eero", practice=True)
    other = store_call(db, settings, word="Narwhalio", agent_id="aino", customer_id="C-E")
    add_agent_records(db, "eero")
    add_agent_records(db, "aino")
    needles = ["eero", *(c.word for c in (*calls, practice)), *(c.id for c in (*calls, practice))]
    assert mentions(db, needles)

    report = erase_agent(ADMIN, db, "eero", settings=settings)

    assert mentions(db, needles) == []
    # the ids stay in the audit log (who erased what); no word of the calls stays in any file, SQLite's included
    assert files_mentioning(settings.data_dir, [c.word for c in (*calls, practice)]) == []
    assert report.count("calls") == 3 and report.count("app_users") == 1 and report.count("coaching_sessions") == 1
    assert mentions(db, ["aino", other.word])  # the other agent keeps everything
    with db.transaction() as session:
        assert session.scalars(select(ActionItemRow.text)).all() == ["aino practises"]
    assert COUNTS_ONLY.match(erase_entries(db, "eero")[0])


def test_erase_customer_removes_their_calls_and_answers(db: Database, settings: Settings) -> None:
    theirs = [
        store_call(db, settings, word=w, agent_id=a, customer_id="CUST-77")
        for w, a in (("Axolotlia", "aino"), ("Pangolux", "eero"))
    ]
    other = store_call(db, settings, word="Dugongia", agent_id="aino", customer_id="CUST-8")
    with db.transaction() as session:  # an answer of theirs not linked to any call, and a job still queued for them
        session.add(
            SurveyRow(
                contact_id="K-loose",
                agent_id="aino",
                answered_at=NOW,
                score=3,
                comment="Capybarex",
                customer_id="CUST-77",
                source_name="x.csv",
                imported_at=NOW,
            )
        )
        upload = settings.data_dir / "uploads" / "job-queued" / "Capybarex.flac"
        upload.parent.mkdir(parents=True)
        upload.write_bytes(b"queued")
        params = {"path": str(upload), "filename": upload.name, "customer_id": "CUST-77"}
        session.add(
            JobRow(
                id="job-queued",
                status="queued",
                user_id="coach-1",
                acting_user={},
                agent_id="aino",
                params=params,
                created_at=NOW,
                updated_at=NOW,
            )
        )
    needles = ["CUST-77", "Capybarex", *(c.word for c in theirs), *(c.id for c in theirs)]
    assert mentions(db, needles)

    report = erase_customer(ADMIN, db, "CUST-77", settings=settings)

    assert mentions(db, needles) == []
    assert files_mentioning(settings.data_dir, ["Capybarex", *(c.word for c in theirs)]) == []
    assert (report.count("calls"), report.count("surveys"), report.count("jobs")) == (2, 3, 3)
    assert mentions(db, ["CUST-8", other.word, "aino", "eero"])  # agents and other customers stay
    assert COUNTS_ONLY.match(erase_entries(db, "CUST-77")[0])


def test_a_held_call_is_kept_until_the_hold_is_released(db: Database, settings: Settings) -> None:
    held = store_call(db, settings, word="Ibexandra", agent_id="eero", customer_id="C-H", held=True)
    loose = store_call(db, settings, word="Marmotte", agent_id="eero", customer_id="C-H")
    with pytest.raises(ConflictError, match="legal hold"):
        erase_call(ADMIN, db, held.id, settings=settings)
    report = erase_customer(ADMIN, db, "C-H", settings=settings)
    assert (report.count("calls"), report.held_kept) == (1, 1)
    agent = erase_agent(ADMIN, db, "eero", settings=settings)
    assert agent.held_kept == 1 and agent.count("agents") == 0  # the held call still names its agent
    assert mentions(db, [held.word, held.id]) and held.audio.exists()
    assert mentions(db, [loose.word]) == []

    set_legal_hold(User(id="m", role="manager"), db, held.id, held=False, reason="case 12 closed")
    erase_agent(ADMIN, db, "eero", settings=settings)
    assert mentions(db, [held.word, held.id, "eero"]) == [] and not held.audio.exists()


@pytest.mark.parametrize("role", ["agent", "coach", "manager"])
def test_only_admins_and_the_system_erase(db: Database, settings: Settings, role: Role) -> None:
    call = store_call(db, settings, word="Gerenuko", agent_id="aino", customer_id="C-1")
    user = User(id="u", role=role, agent_id="aino" if role == "agent" else None, team_ids=("team-1",))
    for erase, target in ((erase_call, call.id), (erase_agent, "aino"), (erase_customer, "C-1")):
        with pytest.raises(AccessError):
            erase(user, db, target, settings=settings)
    assert mentions(db, [call.word])
    erase_call(SYSTEM_USER, db, call.id, settings=settings)
    assert mentions(db, [call.word]) == []


def test_legal_hold_is_for_managers_and_admins_and_audited(db: Database, settings: Settings) -> None:
    call = store_call(db, settings, word="Kinkajoux", agent_id="aino")
    for role in ("agent", "coach"):
        with pytest.raises(AccessError):
            set_legal_hold(
                User(id="u", role=role, agent_id="aino", team_ids=("team-1",)), db, call.id, held=True, reason="x"
            )
    with pytest.raises(NotFoundError):
        set_legal_hold(ADMIN, db, "call-missing", held=True, reason="case 1")
    set_legal_hold(User(id="m", role="manager"), db, call.id, held=True, reason="case 1")
    with db.transaction() as session:
        row = session.get(CallRow, call.id)
        assert row is not None and row.legal_hold
        [entry] = read_entries(session, actions=("legal_hold",))
    assert (entry.actor_id, entry.object_id, entry.detail) == ("m", call.id, "placed: case 1")
    assert call_privacy(User(id="aino", role="agent", agent_id="aino"), db, call.id).legal_hold  # shown, not settable
    assert not call_privacy(User(id="aino", role="agent", agent_id="aino"), db, call.id).can_set_hold
    with pytest.raises(AccessError):  # someone who may not open the call learns nothing about it
        call_privacy(User(id="emma", role="agent", agent_id="emma"), db, call.id)


def test_cli_erase_needs_yes_and_refuses_held_calls(db: Database, settings: Settings) -> None:
    call = store_call(db, settings, word="Quetzalina", agent_id="aino", customer_id="C-5")
    before = mentions(db, [call.word, call.id])
    code, out, err = run_cli(settings, "erase", "--call", call.id)
    assert code == 1 and "would erase call" in out and "--yes" in err
    assert mentions(db, [call.word, call.id]) == before and call.audio.exists()  # the preview changed nothing

    assert run_cli(settings, "hold", "--call", call.id, "--reason", "case 9")[0] == 0
    code, _out, err = run_cli(settings, "erase", "--call", call.id, "--yes")
    assert code == 1 and "legal hold" in err
    assert run_cli(settings, "hold", "--call", call.id, "--release", "--reason", "case 9 closed")[0] == 0
    code, out, _err = run_cli(settings, "erase", "--customer", "C-5", "--yes")
    assert code == 0 and "erased customer C-5" in out and "1 calls" in out
    assert mentions(db, [call.word, call.id, "C-5"]) == []


def test_analyze_and_upload_take_a_customer_id() -> None:
    from coaching.cli.main import build_parser

    args = build_parser().parse_args(["analyze", "x.wav", "--agent", "a", "--customer-id", "C-9"])
    assert args.customer_id == "C-9"
    assert build_parser().parse_args(["analyze", "x.wav", "--agent", "a"]).customer_id is None  # still optional


@pytest.fixture(scope="module")
def pg_url() -> Iterator[str]:
    with postgres_or_skip() as url:
        yield url


@pytest.mark.postgres
def test_erasure_on_postgres(pg_url: str, tmp_path: Path) -> None:
    settings = Settings.from_env({"COACHING_DATA_DIR": str(tmp_path / "data"), "COACHING_DB_URL": pg_url})
    database = Database.open(pg_url)
    try:
        one = store_call(database, settings, word="Tamarindo", agent_id="eero", customer_id="CUST-P")
        two = store_call(database, settings, word="Vicunaley", agent_id="eero", customer_id="CUST-Q")
        three = store_call(database, settings, word="Zorillax", agent_id="aino", customer_id="CUST-Q")
        add_agent_records(database, "eero")
        erase_call(ADMIN, database, one.id, settings=settings)
        assert mentions(database, [one.id, one.word]) == []
        erase_customer(ADMIN, database, "CUST-Q", settings=settings)
        assert mentions(database, ["CUST-Q", two.word, three.word]) == []
        erase_agent(ADMIN, database, "eero", settings=settings)
        assert mentions(database, ["eero"]) == []
        assert files_mentioning(settings.data_dir, [one.word, two.word, three.word]) == []
        assert len(erase_entries(database, "eero")) == 1
    finally:
        database.dispose()
