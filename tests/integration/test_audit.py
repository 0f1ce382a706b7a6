"""The audit log: one test per action proves the entry is written (actor, action, object) without call content;
a refused change leaves no entry; the database refuses UPDATE and DELETE; the ``audit`` command; who may read."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pandas as pd
import pytest
from sqlalchemy import delete, func, select, text, update

from audio_samples.truth import audio_path
from coaching.access import SYSTEM_USER, User
from coaching.analysis.pipeline import AnalysisRequest
from coaching.checklist import load_checklist
from coaching.checklist.loader import DEFAULT_PATH, parse_checklist
from coaching.errors import AccessError, CoachingError, StoreError
from coaching.services.admin import save_preferences, save_team, save_user
from coaching.services.audit import AUDIT_COLUMNS, REPEAT_S, list_audit, record, record_export
from coaching.services.calls import analyze_and_store, call_audio, get_analysis
from coaching.services.checklists import activate_version, rescore_calls, save_version
from coaching.services.corrections import accept_correction, edit_segment, reject_correction, swap_call_speakers
from coaching.services.feedback import add_comment, delete_comment, override_item
from coaching.services.outcomes import import_surveys
from coaching.services.practice import practice_feedback, share_practice_call
from coaching.services.retention import erase_call, run_retention, save_retention, set_legal_hold
from coaching.settings import RetentionSettings, Settings
from coaching.store.app_tables import CommentRow, TranscriptEditRow
from coaching.store.audit import AuditEntry, AuditRow, append_entry, read_entries
from coaching.store.calls import load_analysis
from coaching.store.db import Database
from coaching.views.calls import call_review
from tests.cli_helpers import run_cli
from tests.pg import postgres_or_skip
from tests.unit.test_surveys import DATA, FI_MAPPING

pytest_plugins = ("tests.app_helpers",)
People = Callable[[str], User]
CALL = "t-aino-1"  # aino's real call in team-north (coach-north coaches it)


def _last_id(db: Database) -> int:
    with db.transaction() as session:
        return int(session.scalar(select(func.max(AuditRow.id))) or 0)


def _since(db: Database, last_id: int) -> list[AuditEntry]:
    with db.transaction() as session:
        return [e for e in read_entries(session) if e.id > last_id]


def _only(db: Database, last_id: int, action: str) -> AuditEntry:
    """The one entry of ``action`` written since ``last_id``."""
    found = [e for e in _since(db, last_id) if e.action == action]
    assert len(found) == 1, [(e.action, e.object_id) for e in _since(db, last_id)]
    return found[0]


def _words(text: str) -> list[str]:
    return re.findall(r"[^\W_]+", text.lower())


def _content_phrases(db: Database, call_id: str) -> set[tuple[str, ...]]:
    """Every run of three words in a call's transcript, comments and corrections: none may reach an audit entry."""
    with db.transaction() as session:
        texts = [s.text for s in load_analysis(session, call_id).transcript.segments]
        texts += list(session.scalars(select(CommentRow.text).where(CommentRow.call_id == call_id)))
        texts += list(session.scalars(select(TranscriptEditRow.new_text).where(TranscriptEditRow.call_id == call_id)))
    return {tuple(w[i : i + 3]) for t in texts if (w := _words(t)) for i in range(max(len(w) - 2, 1))}


def _check(
    entry: AuditEntry, *, actor: User, action: str, object_id: str | None, db: Database, call_id: str | None = None
) -> None:
    got = (entry.actor_id, entry.actor_role, entry.action, entry.object_id)
    assert got == (actor.id, actor.role, action, object_id)
    assert abs((datetime.now(UTC) - entry.at.replace(tzinfo=entry.at.tzinfo or UTC)).total_seconds()) < 120
    if call_id is not None:
        words = _words(entry.detail)
        leaked = _content_phrases(db, call_id) & {tuple(words[i : i + 3]) for i in range(max(len(words) - 2, 1))}
        assert not leaked, (entry.detail, leaked)


# --- one test per action ------------------------------------------------------------------------------------


def test_analyze(app_db: Database, app_settings: Settings, people: People, truth_model: Callable[[str], Any]) -> None:
    emma, before = people("emma"), _last_id(app_db)
    request = AnalysisRequest(path=audio_path("en_short"), agent_id="emma", language="en")
    analysis = analyze_and_store(emma, request, settings=app_settings, transcriber=truth_model("en_short"), db=app_db)
    entry = _only(app_db, before, "analyze")
    _check(entry, actor=emma, action="analyze", object_id=analysis.call.id, db=app_db, call_id=analysis.call.id)


def test_open_through_the_review_page_the_service_and_practice_feedback(app_db: Database, people: People) -> None:
    coach, aino = people("coach-north"), people("aino")
    before = _last_id(app_db)
    call_review(coach, app_db, CALL)
    _check(_only(app_db, before, "open"), actor=coach, action="open", object_id=CALL, db=app_db, call_id=CALL)
    before = _last_id(app_db)
    get_analysis(aino, CALL, db=app_db)
    _check(_only(app_db, before, "open"), actor=aino, action="open", object_id=CALL, db=app_db, call_id=CALL)
    before = _last_id(app_db)
    practice_feedback(aino, app_db, "t-aino-practice")
    entry = _only(app_db, before, "open")
    _check(entry, actor=aino, action="open", object_id="t-aino-practice", db=app_db, call_id="t-aino-practice")


def test_opening_again_soon_is_one_entry_and_later_a_new_one(app_db: Database, people: People) -> None:
    coach = people("coach-north")
    before = _last_id(app_db)
    for _ in range(3):  # the review page re-runs on every click
        call_review(coach, app_db, CALL)
    call_review(people("manager"), app_db, CALL)  # someone else opening it is their own entry
    assert [(e.actor_id, e.action) for e in _since(app_db, before)] == [("coach-north", "open"), ("manager", "open")]
    with app_db.transaction() as session:  # an hour later, the same person opening it again is recorded again
        later = datetime.now(UTC) + timedelta(seconds=REPEAT_S + 60)
        added = record(session, coach, action="open", object_kind="call", object_id=CALL, coalesce_s=REPEAT_S)
        assert added is False
        assert append_entry(
            session,
            actor_id=coach.id,
            actor_role=coach.role,
            action="open",
            object_kind="call",
            object_id=CALL,
            at=later,
            coalesce_s=REPEAT_S,
        )


def test_every_writer_names_a_known_action(app_db: Database, people: People) -> None:
    """The store itself refuses an action outside AUDIT_ACTIONS (read models write through it, not record())."""
    before = _last_id(app_db)
    with pytest.raises(ValueError, match="unknown audit action"), app_db.transaction() as session:
        append_entry(session, actor_id="x", actor_role="manager", action="peek", object_kind="call", object_id=CALL)
    with pytest.raises(ValueError, match="unknown audit action"), app_db.transaction() as session:
        record(session, people("manager"), action="peek", object_kind="call", object_id=CALL)
    assert _last_id(app_db) == before


def test_play(app_db: Database, people: People) -> None:
    coach, before = people("coach-north"), _last_id(app_db)
    path = call_audio(coach, app_db, CALL)
    assert path is not None and path.is_file()
    _check(_only(app_db, before, "play"), actor=coach, action="play", object_id=CALL, db=app_db, call_id=CALL)


def test_export_from_the_app_table(app_db: Database, people: People, monkeypatch: pytest.MonkeyPatch) -> None:
    import ui.widgets

    manager, before = people("manager"), _last_id(app_db)
    monkeypatch.setattr(ui.widgets, "current_user", lambda: manager)
    monkeypatch.setattr(ui.widgets, "database", lambda: app_db)
    make = ui.widgets._recorded_csv(pd.DataFrame({"call": [CALL, "t-aino-2"], "score": [40, 90]}), "calls")
    assert _since(app_db, before) == []  # nothing is recorded until the download is clicked
    assert make().decode("utf-8").startswith("call,score")
    entry = _only(app_db, before, "export")
    _check(entry, actor=manager, action="export", object_id="calls", db=app_db)
    assert entry.detail.startswith("2 rows")


def test_export_from_the_cli_nps_csv(app_db: Database, app_settings: Settings) -> None:
    before = _last_id(app_db)
    code, out, err = run_cli(app_settings, "nps", "--by", "month", "--format", "csv")
    assert code == 0, err
    rows = len(out.strip().splitlines()) - 1
    entry = _only(app_db, before, "export")
    _check(entry, actor=SYSTEM_USER, action="export", object_id="nps", db=app_db)
    assert entry.detail.startswith(f"{rows} rows; cli nps --format csv")
    code, _, err = run_cli(app_settings, "fcr", "--by", "month")  # a table on screen is not an export
    assert code == 0, err
    assert [e.action for e in _since(app_db, before)] == ["export"]


def test_correct(app_db: Database, app_settings: Settings, people: People) -> None:
    coach, before = people("coach-north"), _last_id(app_db)
    edit_segment(coach, app_db, CALL, position=0, text="Hello this is Kaisa speaking", settings=app_settings)
    entry = _only(app_db, before, "correct")
    _check(entry, actor=coach, action="correct", object_id=CALL, db=app_db, call_id=CALL)
    assert not {"hello", "kaisa", "speaking"} & set(_words(entry.detail))
    before = _last_id(app_db)
    swap_call_speakers(coach, app_db, CALL, settings=app_settings)
    _check(_only(app_db, before, "correct"), actor=coach, action="correct", object_id=CALL, db=app_db, call_id=CALL)


def test_propose_accept_and_reject_correction(app_db: Database, app_settings: Settings, people: People) -> None:
    aino, coach = people("aino"), people("coach-north")
    before = _last_id(app_db)
    edit_segment(aino, app_db, CALL, position=0, text="Proposed wording number one", settings=app_settings)
    entry = _only(app_db, before, "propose_correction")
    _check(entry, actor=aino, action="propose_correction", object_id=CALL, db=app_db, call_id=CALL)
    edit_segment(aino, app_db, CALL, position=1, text="Proposed wording number two", settings=app_settings)
    with app_db.transaction() as session:
        first, second = session.scalars(
            select(TranscriptEditRow.id).where(TranscriptEditRow.call_id == CALL).order_by(TranscriptEditRow.id)
        ).all()[-2:]
    before = _last_id(app_db)
    accept_correction(coach, app_db, first, settings=app_settings)
    entry = _only(app_db, before, "accept_correction")
    _check(entry, actor=coach, action="accept_correction", object_id=CALL, db=app_db, call_id=CALL)
    before = _last_id(app_db)
    reject_correction(coach, app_db, second, reason="Secret reason words")
    entry = _only(app_db, before, "reject_correction")
    _check(entry, actor=coach, action="reject_correction", object_id=CALL, db=app_db)
    assert not {"proposed", "wording", "secret", "reason"} & set(entry.detail.lower().split())


def test_rescore(app_db: Database, people: People) -> None:
    manager, before = people("manager"), _last_id(app_db)
    newer = parse_checklist(DEFAULT_PATH.read_text(encoding="utf-8").replace("\nversion: 1\n", "\nversion: 2\n"))
    report = rescore_calls(manager, app_db, checklist=newer, call_ids=[CALL, "t-emma-1"])
    assert report.rescored == 2
    found = [e for e in _since(app_db, before) if e.action == "rescore"]
    assert sorted(e.object_id or "" for e in found) == [CALL, "t-emma-1"]
    for entry in found:
        call_id = entry.object_id or ""
        _check(entry, actor=manager, action="rescore", object_id=call_id, db=app_db, call_id=call_id)
        assert entry.detail.startswith(newer.version_id)


def test_override(app_db: Database, people: People) -> None:
    coach, before = people("coach-north"), _last_id(app_db)
    override_item(coach, app_db, CALL, "greeting", passed=True, reason="Greeted in other words")
    entry = _only(app_db, before, "override")
    _check(entry, actor=coach, action="override", object_id=CALL, db=app_db, call_id=CALL)
    assert "other words" not in entry.detail  # the reason stays with the review, not in the log


def test_share_and_unshare(app_db: Database, people: People) -> None:
    aino, before = people("aino"), _last_id(app_db)
    share_practice_call(aino, app_db, "t-aino-practice", shared=True)
    _check(_only(app_db, before, "share"), actor=aino, action="share", object_id="t-aino-practice", db=app_db)
    before = _last_id(app_db)
    share_practice_call(aino, app_db, "t-aino-practice", shared=False)
    _check(_only(app_db, before, "unshare"), actor=aino, action="unshare", object_id="t-aino-practice", db=app_db)


def test_comment(app_db: Database, people: People) -> None:
    coach, before = people("coach-north"), _last_id(app_db)
    add_comment(coach, app_db, CALL, text="Listen to the customer's question here", at_s=3.0)
    entry = _only(app_db, before, "comment")
    _check(entry, actor=coach, action="comment", object_id=CALL, db=app_db, call_id=CALL)
    assert not {"listen", "customer", "question"} & set(_words(entry.detail))


def test_delete(app_db: Database, people: People) -> None:
    coach, manager = people("coach-north"), people("manager")
    comment = add_comment(coach, app_db, CALL, text="Remove this remark later", at_s=1.0)
    before = _last_id(app_db)
    delete_comment(manager, app_db, comment.id)
    entry = _only(app_db, before, "delete")
    _check(entry, actor=manager, action="delete", object_id=CALL, db=app_db)
    assert (entry.object_kind, entry.detail) == ("comment", f"comment {comment.id}")
    assert not {"remove", "remark", "later"} & set(_words(entry.detail))


def test_import_surveys(app_db: Database, people: People) -> None:
    manager, before = people("manager"), _last_id(app_db)
    report = import_surveys(manager, app_db, DATA / "export_fi.csv", mapping=FI_MAPPING)
    entry = _only(app_db, before, "import_surveys")
    _check(entry, actor=manager, action="import_surveys", object_id="export_fi.csv", db=app_db)
    assert entry.detail.startswith(f"{report.rows} rows")


def test_change_user_and_team(app_db: Database) -> None:
    operator = replace(SYSTEM_USER, name="cli test, os user tester")
    before = _last_id(app_db)
    save_team(operator, app_db, team_id="team-west", name="West")
    entry = _only(app_db, before, "change_team")
    _check(entry, actor=operator, action="change_team", object_id="team-west", db=app_db)
    assert "via cli test, os user tester" in entry.detail  # the command line says which command and account
    before = _last_id(app_db)
    save_user(operator, app_db, user_id="ville", name="Ville Virtanen", role="coach", team_ids=("team-west",))
    entry = _only(app_db, before, "change_user")
    _check(entry, actor=operator, action="change_user", object_id="ville", db=app_db)
    assert "Virtanen" not in entry.detail


def test_change_settings(app_db: Database) -> None:
    before = _last_id(app_db)
    save_preferences(SYSTEM_USER, app_db, languages=("fi", "en"), whisper_model=None, knowledge_areas=("billing",))
    entry = _only(app_db, before, "change_settings")
    assert (entry.actor_id, entry.action, entry.object_kind) == ("system", "change_settings", "settings")


def test_change_and_activate_checklist(app_db: Database, people: People) -> None:
    manager, before = people("manager"), _last_id(app_db)
    text = DEFAULT_PATH.read_text(encoding="utf-8").replace("\nversion: 1\n", "\nversion: 7\n")
    saved = save_version(manager, app_db, text, note="stricter greeting", activate=True)
    entries = _since(app_db, before)
    assert [(e.action, e.object_id) for e in entries] == [
        ("change_checklist", saved.version_id),
        ("activate_checklist", saved.version_id),
    ]
    _check(entries[0], actor=manager, action="change_checklist", object_id=saved.version_id, db=app_db)
    before = _last_id(app_db)
    default = load_checklist().version_id
    activate_version(manager, app_db, default)
    _check(
        _only(app_db, before, "activate_checklist"),
        actor=manager,
        action="activate_checklist",
        object_id=default,
        db=app_db,
    )


def test_read_audit(app_db: Database, people: People) -> None:
    admin, before = people("admin"), _last_id(app_db)
    list_audit(admin, app_db)
    list_audit(admin, app_db, actions=("open",))  # reading again at once is one entry
    entry = _only(app_db, before, "read_audit")
    assert (entry.actor_id, entry.actor_role, entry.object_kind) == ("admin", "admin", "audit")


def test_legal_hold(app_db: Database, people: People) -> None:
    manager, before = people("manager"), _last_id(app_db)
    set_legal_hold(manager, app_db, CALL, held=True, reason="case 2026-17")
    entry = _only(app_db, before, "legal_hold")
    _check(entry, actor=manager, action="legal_hold", object_id=CALL, db=app_db, call_id=CALL)


def test_erase(app_db: Database, app_settings: Settings, people: People) -> None:
    admin, before = people("admin"), _last_id(app_db)
    words = {
        w for s in get_analysis(people("manager"), "t-johan-1", db=app_db).transcript.segments for w in _words(s.text)
    }
    erase_call(admin, app_db, "t-johan-1", settings=app_settings)
    entry = _only(app_db, before, "erase")
    _check(entry, actor=admin, action="erase", object_id="t-johan-1", db=app_db)
    assert not {w for w in words if len(w) > 4} & set(_words(entry.detail))


def test_change_retention_and_retention_run(app_db: Database, app_settings: Settings, people: People) -> None:
    admin, before = people("admin"), _last_id(app_db)
    save_retention(admin, app_db, RetentionSettings(audio_days=400, transcript_days=800))
    _check(_only(app_db, before, "change_retention"), actor=admin, action="change_retention", object_id=None, db=app_db)
    before = _last_id(app_db)
    run_retention(admin, app_db, settings=app_settings)
    entry = _only(app_db, before, "retention_run")
    assert (entry.actor_id, entry.actor_role, entry.object_kind) == ("admin", "admin", "retention")


# --- refused changes, the database's refusal, reading ---------------------------------------------------------


def test_a_refused_action_leaves_no_entry(app_db: Database, app_settings: Settings, people: People) -> None:
    """Only what happened is recorded: an AccessError (or a missing call) writes nothing, in the same transaction
    as the change that did not happen."""
    before = _last_id(app_db)
    south, emma = people("coach-south"), people("emma")
    refused: list[Callable[[], object]] = [
        lambda: get_analysis(south, CALL, db=app_db),
        lambda: call_review(south, app_db, CALL),
        lambda: call_audio(emma, app_db, CALL),
        lambda: call_audio(people("coach-north"), app_db, "t-aino-practice"),  # private practice
        lambda: share_practice_call(emma, app_db, "t-aino-practice", shared=True),
        lambda: add_comment(south, app_db, CALL, text="not my team"),
        lambda: override_item(people("aino"), app_db, CALL, "greeting", passed=True, reason="mine"),
        lambda: edit_segment(south, app_db, CALL, position=0, text="Other words entirely", settings=app_settings),
        lambda: rescore_calls(emma, app_db),
        lambda: save_team(emma, app_db, team_id="x", name="X"),
        lambda: import_surveys(south, app_db, DATA / "export_fi.csv", mapping=FI_MAPPING),
        lambda: list_audit(people("coach-north"), app_db),
        lambda: get_analysis(people("manager"), "no-such-call", db=app_db),
    ]
    for attempt in refused:
        with pytest.raises(CoachingError):
            attempt()
    comment = add_comment(people("coach-north"), app_db, CALL, text="mine")
    middle = _last_id(app_db)
    with pytest.raises(AccessError):
        delete_comment(people("aino"), app_db, comment.id)
    assert [e.action for e in _since(app_db, before)] == ["comment"]
    assert _last_id(app_db) == middle


def _refuses_changes(db: Database) -> None:
    with db.transaction() as session:
        append_entry(session, actor_id="x", actor_role="manager", action="open", object_kind="call", object_id="c1")
    last = _last_id(db)
    for statement in (
        update(AuditRow).where(AuditRow.id == last).values(detail="rewritten"),
        update(AuditRow).values(actor_id="someone-else"),
        delete(AuditRow).where(AuditRow.id == last),
        delete(AuditRow),
    ):
        with pytest.raises(StoreError, match="append-only"), db.transaction() as session:
            session.execute(statement)
    with pytest.raises(StoreError, match="append-only"), db.transaction() as session:
        session.execute(text("DELETE FROM audit_log"))
    with db.transaction() as session:
        row = session.get(AuditRow, last)
        assert row is not None and (row.detail, row.actor_id) == ("", "x")
        assert (session.scalar(select(func.count()).select_from(AuditRow)) or 0) >= 1


def test_sqlite_refuses_update_and_delete_of_entries(app_db: Database) -> None:
    _refuses_changes(app_db)


@pytest.mark.postgres
def test_postgres_refuses_update_and_delete_of_entries() -> None:
    with postgres_or_skip() as url:
        db = Database.open(url)
        try:
            _refuses_changes(db)
            with pytest.raises(StoreError, match="append-only"), db.transaction() as session:
                session.execute(text("TRUNCATE audit_log"))  # PostgreSQL's other way to empty a table
            list_audit(SYSTEM_USER, db)  # reading works on PostgreSQL too, and is recorded
            assert [e.action for e in list_audit(SYSTEM_USER, db)][-1] == "read_audit"
        finally:
            db.dispose()


def test_agents_and_coaches_may_not_read_the_log(app_db: Database, people: People) -> None:
    for user_id in ("aino", "coach-north"):
        with pytest.raises(AccessError):
            list_audit(people(user_id), app_db)
    for user_id in ("manager", "admin"):
        assert list_audit(people(user_id), app_db)  # the template's survey import and comment are there


def test_filters_narrow_the_entries(app_db: Database, people: People) -> None:
    manager, coach = people("manager"), people("coach-north")
    call_review(coach, app_db, CALL)
    call_audio(coach, app_db, "t-aino-2")
    by_coach = list_audit(manager, app_db, actor_id="coach-north")
    assert by_coach and {e.actor_id for e in by_coach} == {"coach-north"}
    assert {(e.action, e.object_id) for e in list_audit(manager, app_db, actions=("play",))} == {("play", "t-aino-2")}
    assert {e.object_id for e in list_audit(manager, app_db, object_id=CALL)} == {CALL}
    tomorrow = datetime.combine(date.today() + timedelta(days=1), datetime.min.time(), tzinfo=UTC)
    assert list_audit(manager, app_db, since=tomorrow) == []
    assert len(list_audit(manager, app_db, limit=2)) == 2
    with pytest.raises(CoachingError, match="unknown audit action"):
        list_audit(manager, app_db, actions=("burn",))


# --- the command line ---------------------------------------------------------------------------------------


def test_cli_audit_json_csv_and_since(app_db: Database, app_settings: Settings, people: People) -> None:
    call_review(people("coach-north"), app_db, CALL)
    code, out, err = run_cli(app_settings, "audit", "--format", "json")
    assert code == 0, err
    entries = json.loads(out)
    assert {"coach-north"} <= {e["actor_id"] for e in entries}
    opened = [e for e in entries if e["action"] == "open"]
    assert opened[-1]["object_id"] == CALL and opened[-1]["actor_role"] == "coach"
    assert all(list(e) == list(AUDIT_COLUMNS) for e in entries)

    code, out, err = run_cli(app_settings, "audit", "--format", "csv", "--action", "open", "--actor", "coach-north")
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    assert rows and {(r["action"], r["actor_id"], r["object_id"]) for r in rows} == {("open", "coach-north", CALL)}

    today, tomorrow = date.today().isoformat(), (date.today() + timedelta(days=1)).isoformat()
    code, out, _ = run_cli(app_settings, "audit", "--format", "json", "--since", tomorrow)
    assert (code, json.loads(out)) == (0, [])
    code, out, _ = run_cli(app_settings, "audit", "--format", "json", "--since", today, "--object", CALL)
    assert code == 0 and {e["object_id"] for e in json.loads(out)} == {CALL}

    exports = [e for e in list_audit(people("manager"), app_db, actions=("export",)) if e.object_id == "audit log"]
    assert len(exports) == 4 and all(e.actor_id == "system" for e in exports)  # every csv / json output


def test_cli_audit_rejects_a_bad_date_with_one_line(app_db: Database, app_settings: Settings) -> None:
    for option in ("--since", "--until"):
        code, out, err = run_cli(app_settings, "audit", option, "2026-13-40")
        assert (code, out) == (1, "")
        assert err.startswith("error: ") and err.count("\n") == 1 and "2026-13-40" in err


def test_record_export_refuses_no_one_but_names_the_table(app_db: Database, people: People) -> None:
    """``record_export`` is the one call every download makes; it names the table and the row count only."""
    before = _last_id(app_db)
    record_export(people("coach-north"), app_db, "nps per agent", rows=12)
    entry = _only(app_db, before, "export")
    assert (entry.actor_id, entry.object_kind, entry.object_id, entry.detail) == (
        "coach-north",
        "export",
        "nps per agent",
        "12 rows",
    )
