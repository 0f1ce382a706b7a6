"""The access matrix: every role × every kind of object × every service function and read model, including direct
calls with another user's ids.

The table (:data:`CASES`) says, for each function and object, which roles may act (or see the object in a
list); every other role must get :class:`AccessError` or :class:`NotFoundError` (a forbidden object and a missing
one may answer alike), or not see the object. The expectations are written out from the documented rules (README
"Privacy" and :mod:`coaching.access` docstrings), not computed from the predicates they test.

Functions are found by introspection: every public function of ``coaching.services.*`` and ``coaching.views.*``
whose first parameter is ``user``. :func:`test_every_user_function_is_in_the_table` fails when one is missing, so a
new service function must be added here.

Roles: ``agent`` (aino, owner of the objects), ``other_agent`` (eero, same team), ``coach`` (coach-north, the
team's coach), ``other_coach`` (coach-south), ``manager``, ``admin``, ``system`` (CLI and jobs).
"""

from __future__ import annotations

import hashlib
import importlib
import inspect
import pkgutil
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from sqlalchemy import select, update

import coaching.services
import coaching.views
from audio_samples.truth import audio_path
from coaching.access import SYSTEM_USER, User
from coaching.analysis.pipeline import AnalysisRequest
from coaching.errors import AccessError, DuplicateRecordingError, NotFoundError
from coaching.metrics.norms import flag_rules
from coaching.services import (
    admin,
    audit,
    calls,
    checklists,
    corrections,
    feedback,
    jobs,
    languages,
    outcomes,
    practice,
    reanalysis,
    retention,
    sessions,
)
from coaching.settings import RetentionSettings, Settings
from coaching.store.app_tables import CommentRow, TranscriptEditRow
from coaching.store.calls import save_analysis
from coaching.store.db import Database
from coaching.store.tables import CallRow
from coaching.views import calls as call_views
from coaching.views import progress, team
from tests.unit.test_safe_yaml import DEFAULT_TEXT
from tests.unit.test_surveys import DATA, FI_MAPPING

pytest_plugins = ("tests.app_helpers",)

ROLES = ("agent", "other_agent", "coach", "other_coach", "manager", "admin", "system")
USER_IDS = {
    "agent": "aino",
    "other_agent": "eero",
    "coach": "coach-north",
    "other_coach": "coach-south",
    "manager": "manager",
    "admin": "admin",
}
DENIED = (AccessError, NotFoundError)

REAL, PRIVATE, SHARED = "t-aino-1", "t-aino-practice", "m-aino-shared"  # objects of aino (team-north)
PROPOSED_ON = "t-aino-2"  # aino proposed a correction of this real call
CUSTOMER = "CUST-ACCESS-1"

# who may open / act on each kind of call (the documented rules)
READERS = {
    REAL: {"agent", "coach", "manager", "system"},
    PRIVATE: {"agent", "system"},  # a private practice call is the agent's alone
    SHARED: {"agent", "coach", "manager", "system"},
}
CALL_KINDS = {REAL: "real call", PRIVATE: "private practice call", SHARED: "shared practice call"}
AGENT_READERS = {"agent", "coach", "manager", "system"}  # an agent's figures: the agent, the team's coach, managers
TEAM_READERS = {"coach", "manager", "system"}
COACHES = {"coach", "manager", "system"}
CHECKLIST_EDITORS = {"coach", "other_coach", "manager", "system"}  # one checklist for the organisation: any coach
ORGANISATION = {"manager", "system"}  # organisation-wide choices: active checklist, surveys, preferences
ADMINS = {"admin", "system"}  # users, teams, retention, erasure
AUDIT_READERS = {"manager", "admin", "system"}
EVERYONE = set(ROLES)


@dataclass
class World:
    """One fresh copy of the app's small database with an object of every kind (see :func:`build_world`)."""

    db: Database
    settings: Settings
    folder: Path
    ids: dict[str, Any] = field(default_factory=dict)

    def user(self, role: str) -> User:
        if role == "system":
            return SYSTEM_USER
        return admin.user_by_id(self.db, USER_IDS[role]) or pytest.fail(f"no user {USER_IDS[role]}")


@dataclass(frozen=True)
class Case:
    """``function`` (``module.name``) on an object of ``kind``: the roles in ``allowed`` succeed (or, for a
    listing, see the object), the others are refused (or do not see it)."""

    function: str
    kind: str
    allowed: frozenset[str]
    run: Callable[[World, User], Any]
    listing: bool = False  # run returns whether the object is visible
    denied: tuple[type[Exception], ...] = DENIED

    @property
    def name(self) -> str:
        return f"{self.function}[{self.kind}]"


CASES: list[Case] = []


def acts(function: str, kind: str, allowed: set[str], denied: tuple[type[Exception], ...] = DENIED) -> Any:
    def register(run: Callable[[World, User], Any]) -> Callable[[World, User], Any]:
        CASES.append(Case(function, kind, frozenset(allowed), run, denied=denied))
        return run

    return register


def sees(function: str, kind: str, allowed: set[str]) -> Any:
    def register(run: Callable[[World, User], bool]) -> Callable[[World, User], bool]:
        CASES.append(Case(function, kind, frozenset(allowed), run, listing=True))
        return run

    return register


def for_calls(function: str, run: Callable[[World, User, str], Any], readers: dict[str, set[str]] = READERS) -> None:
    """One case per kind of call (real, private practice, shared practice)."""
    for call_id, allowed in readers.items():
        CASES.append(Case(function, CALL_KINDS[call_id], frozenset(allowed), _bound(run, call_id)))


def for_calls_seen(
    function: str, visible: Callable[[World, User, str], bool], readers: dict[str, set[str]] = READERS
) -> None:
    """One listing case per kind of call: the roles in ``readers`` see the call, the others do not."""
    for call_id, allowed in readers.items():
        CASES.append(Case(function, CALL_KINDS[call_id], frozenset(allowed), _bound(visible, call_id), listing=True))


def _bound(run: Callable[[World, User, str], Any], call_id: str) -> Callable[[World, User], Any]:
    return lambda world, user: run(world, user, call_id)


# --- calls, jobs, practice ------------------------------------------------------------------------

for_calls("calls.get_analysis", lambda w, u, c: calls.get_analysis(u, c, db=w.db))
for_calls("calls.call_audio", lambda w, u, c: calls.call_audio(u, w.db, c))
for_calls("views.calls.call_review", lambda w, u, c: call_views.call_review(u, w.db, c))
for_calls_seen("calls.list_calls", lambda w, u, c: c in {s.id for s in calls.list_calls(u, db=w.db)})
for_calls_seen("views.calls.call_table", lambda w, u, c: c in set(call_views.call_table(u, w.db)["call"]))


def _query_sees(w: World, u: User, call_id: str) -> bool:
    query = call_views.call_list_query(u, call_views.CallFilters(), flag_rules())
    with w.db.transaction() as session:
        return any(call_id in tuple(row) for row in session.execute(query))


for_calls_seen("views.calls.call_list_query", _query_sees)


def _page_sees(w: World, u: User, call_id: str) -> bool:
    query = call_views.call_page_query(u, call_views.CallFilters(), flag_rules())
    with w.db.transaction() as session:
        return call_id in set(session.scalars(query))


for_calls_seen("views.calls.call_page_query", _page_sees)
for_calls(
    "calls.call_original_audio", lambda w, u, c: calls.call_original_audio(u, w.db, c), {c: ADMINS for c in READERS}
)


@acts("calls.stored_recording", "real call", READERS[REAL], denied=(DuplicateRecordingError,))
def _stored(w: World, u: User) -> None:
    with w.db.transaction() as session:
        assert calls.stored_recording(u, session, w.ids["sha"], agent_id="aino", call_type="real") == REAL


@acts("calls.stored_call_of", "real call", READERS[REAL], denied=(DuplicateRecordingError,))
def _stored_file(w: World, u: User) -> None:
    assert calls.stored_call_of(u, w.db, w.ids["recording"], agent_id="aino") == REAL


@acts("calls.analyze_and_store", "real call", AGENT_READERS)
def _analyse(w: World, u: User) -> None:
    from tests.app_helpers import TruthTranscriber  # the plugin module: imported once pytest has loaded it

    request = AnalysisRequest(path=audio_path("en_short"), agent_id="aino", language="en")
    calls.analyze_and_store(u, request, settings=w.settings, transcriber=TruthTranscriber("en_short"), db=w.db)


@acts("jobs.submit_analysis", "real call", AGENT_READERS)
def _submit_real(w: World, u: User) -> None:
    jobs.submit_analysis(u, w.db, settings=w.settings, data=b"x" * 64, filename="a.wav", agent_id="aino")


@acts("jobs.submit_analysis", "private practice call", {"agent"})  # practice: only for oneself
def _submit_practice(w: World, u: User) -> None:
    jobs.submit_analysis(
        u, w.db, settings=w.settings, data=b"x" * 64, filename="a.wav", agent_id="aino", call_type="practice"
    )


@acts("batch.plan_batch", "real call", AGENT_READERS)  # a batch queues calls for agents, like an upload
def _plan_batch(w: World, u: User) -> None:
    from coaching.analysis.config import AnalysisConfig
    from coaching.services.batch import BatchItem, plan_batch

    item = BatchItem(path=audio_path("en_short"), agent_id="aino")
    plan_batch(u, w.db, [item], config=AnalysisConfig.from_environment(w.settings))


REANALYSERS = {  # whoever decides the call's corrections (coaches, managers; the agent on their own practice call)
    REAL: {"coach", "manager", "system"},
    PRIVATE: {"agent", "system"},
    SHARED: {"agent", "coach", "manager", "system"},
}


def _reanalyse(w: World, u: User, call_id: str) -> None:
    from tests.app_helpers import TruthTranscriber

    reanalysis.reanalyse_call(
        u, w.db, call_id, language="en", settings=w.settings, transcriber=TruthTranscriber("en_short")
    )


for_calls("reanalysis.reanalyse_call", _reanalyse, REANALYSERS)
for_calls(
    "reanalysis.submit_reanalysis", lambda w, u, c: reanalysis.submit_reanalysis(u, w.db, c, language="sv"), REANALYSERS
)


@acts("jobs.get_job", "job", {"agent"})  # a job is its submitter's
def _get_job(w: World, u: User) -> None:
    jobs.get_job(u, w.db, w.ids["job"])


@sees("jobs.list_jobs", "job", {"agent"})
def _list_jobs(w: World, u: User) -> bool:
    return w.ids["job"] in {j.id for j in jobs.list_jobs(u, w.db)}


for_calls("practice.practice_feedback", lambda w, u, c: practice.practice_feedback(u, w.db, c))
for_calls(
    "practice.share_practice_call",
    lambda w, u, c: practice.share_practice_call(u, w.db, c, shared=c == PRIVATE),
    {REAL: set(), PRIVATE: {"agent"}, SHARED: {"agent"}},  # only the agent shares their own practice call
)
for_calls_seen(  # an agent's own practice attempts, shared or not; a real call is no attempt
    "practice.list_attempts",
    lambda w, u, c: c in {a.call_id for a in practice.list_attempts(u, w.db)},
    {REAL: set(), PRIVATE: {"agent"}, SHARED: {"agent"}},
)

# --- feedback, corrections ------------------------------------------------------------------------

for_calls("feedback.add_comment", lambda w, u, c: feedback.add_comment(u, w.db, c, text="a note", at_s=1.0))
for_calls("feedback.list_comments", lambda w, u, c: feedback.list_comments(u, w.db, c))
for_calls(
    "feedback.override_item",
    lambda w, u, c: feedback.override_item(u, w.db, c, w.ids["item"][c], passed=True, reason="heard it"),
    {c: readers - {"agent"} for c, readers in READERS.items()},  # coaches, managers (not the agent)
)
for_calls(
    "feedback.respond_to_item",
    lambda w, u, c: feedback.respond_to_item(u, w.db, c, w.ids["item"][c], agrees=False, reason="I did"),
    {c: {"agent"} for c in READERS},  # only the agent whose call it is
)


@acts("feedback.delete_comment", "comment of the coach", {"coach", "manager"})  # the author or a manager
def _delete_coach_comment(w: World, u: User) -> None:
    feedback.delete_comment(u, w.db, w.ids["coach_comment"])


@acts("feedback.delete_comment", "comment of the agent", {"agent", "manager"})
def _delete_agent_comment(w: World, u: User) -> None:
    feedback.delete_comment(u, w.db, w.ids["agent_comment"])


for_calls(
    "corrections.edit_segment",
    lambda w, u, c: corrections.edit_segment(u, w.db, c, position=0, text="Hello there.", settings=w.settings),
)
for_calls(
    "corrections.swap_call_speakers", lambda w, u, c: corrections.swap_call_speakers(u, w.db, c, settings=w.settings)
)
for_calls("corrections.list_corrections", lambda w, u, c: corrections.list_corrections(u, w.db, c))


@acts("corrections.accept_correction", "transcript correction", COACHES)  # not the agent who proposed it
def _accept(w: World, u: User) -> None:
    corrections.accept_correction(u, w.db, w.ids["proposal"], settings=w.settings)


@acts("corrections.reject_correction", "transcript correction", COACHES)
def _reject(w: World, u: User) -> None:
    corrections.reject_correction(u, w.db, w.ids["proposal"], reason="no")


# --- checklists -----------------------------------------------------------------------------------


@acts("checklists.list_versions", "checklist version", CHECKLIST_EDITORS)
def _versions(w: World, u: User) -> None:
    checklists.list_versions(u, w.db)


@acts("checklists.version_text", "checklist version", CHECKLIST_EDITORS)
def _version_text(w: World, u: User) -> None:
    checklists.version_text(u, w.db, w.ids["version"])


@acts("checklists.save_version", "checklist draft", CHECKLIST_EDITORS)
def _save_draft(w: World, u: User) -> None:
    checklists.save_version(u, w.db, DEFAULT_TEXT.replace("version: 1", "version: 5", 1), activate=False)


@acts("checklists.save_version", "organisation's active checklist", ORGANISATION)
def _save_active(w: World, u: User) -> None:
    checklists.save_version(u, w.db, DEFAULT_TEXT.replace("version: 1", "version: 5", 1), activate=True)


@acts("checklists.activate_version", "organisation's active checklist", ORGANISATION)
def _activate(w: World, u: User) -> None:
    checklists.activate_version(u, w.db, w.ids["version"])


@acts("checklists.activate_text", "organisation's active checklist", ORGANISATION)
def _activate_text(w: World, u: User) -> None:
    checklists.activate_text(u, w.db, DEFAULT_TEXT.replace("version: 1", "version: 6", 1))


@acts("checklists.rescore_count", "checklist version", CHECKLIST_EDITORS)
def _rescore_count(w: World, u: User) -> None:
    checklists.rescore_count(u, w.db, w.ids["version"])


@acts("checklists.rescore_calls", "calls one may open", CHECKLIST_EDITORS)
def _rescore_visible(w: World, u: User) -> None:
    checklists.rescore_calls(u, w.db)


for_calls(
    "checklists.rescore_calls",
    lambda w, u, c: checklists.rescore_calls(u, w.db, call_ids=[c]),
    {c: readers & CHECKLIST_EDITORS for c, readers in READERS.items()},  # named calls: only those one may open
)

# --- coaching sessions ----------------------------------------------------------------------------


@acts("sessions.coaching_overview", "coaching session", AGENT_READERS)
def _overview(w: World, u: User) -> None:
    sessions.coaching_overview(u, w.db, "aino")


@acts("sessions.start_session", "coaching session", COACHES)
def _start(w: World, u: User) -> None:
    sessions.start_session(u, w.db, "aino", held_on=date.today())


@acts("sessions.save_notes", "coaching session", COACHES)
def _notes(w: World, u: User) -> None:
    sessions.save_notes(u, w.db, w.ids["session"], "notes")


@acts("sessions.add_action", "action item", COACHES)
def _add_action(w: World, u: User) -> None:
    sessions.add_action(u, w.db, w.ids["session"], text="do it", due_on=None)


@acts("sessions.set_action_done", "action item", {"agent", *COACHES})  # the agent ticks their own items
def _done(w: World, u: User) -> None:
    sessions.set_action_done(u, w.db, w.ids["action"], done=True)


@acts("sessions.rate_competence", "rating", COACHES)
def _rate(w: World, u: User) -> None:
    sessions.rate_competence(u, w.db, "aino", competence="fees", level=3)


# --- outcomes and read models ---------------------------------------------------------------------


@acts("outcomes.nps_table", "agent figures", AGENT_READERS)
def _nps_agent(w: World, u: User) -> None:
    outcomes.nps_table(u, w.db, by="month", agent_id="aino")


@acts("outcomes.nps_table", "team figures", TEAM_READERS)
def _nps_team(w: World, u: User) -> None:
    outcomes.nps_table(u, w.db, by="month", team_id="team-north", level="team")


@acts("outcomes.nps_table", "organisation figures", ORGANISATION)
def _nps_org(w: World, u: User) -> None:
    outcomes.nps_table(u, w.db, by="month", level="organisation")


@acts("outcomes.fcr_table", "agent figures", AGENT_READERS)
def _fcr_agent(w: World, u: User) -> None:
    outcomes.fcr_table(u, w.db, by="month", agent_id="aino")


@acts("outcomes.fcr_table", "team figures", TEAM_READERS)
def _fcr_team(w: World, u: User) -> None:
    outcomes.fcr_table(u, w.db, by="month", team_id="team-north", level="team")


@acts("outcomes.behaviour_outcomes", "agent figures", AGENT_READERS)
def _behaviour(w: World, u: User) -> None:
    outcomes.behaviour_outcomes(u, w.db, agent_id="aino")


@acts("views.progress.agent_progress", "agent figures", AGENT_READERS)
def _progress(w: World, u: User) -> None:
    progress.agent_progress(u, w.db, "aino")


@sees("views.progress.visible_agents", "agent figures", {"agent", "coach", "manager", "system"})
def _visible_agents(w: World, u: User) -> bool:
    return "aino" in {a for a, _, _ in progress.visible_agents(u, w.db)}


@acts("views.team.competence_map", "team read models", TEAM_READERS)
def _competence(w: World, u: User) -> None:
    team.competence_map(u, w.db, team_id="team-north")


@acts("views.team.calibration", "team read models", TEAM_READERS)
def _calibration(w: World, u: User) -> None:
    team.calibration(u, w.db, team_id="team-north")


@acts("views.team.team_outcomes", "team read models", TEAM_READERS)
def _team_outcomes(w: World, u: User) -> None:
    team.team_outcomes(u, w.db, team_id="team-north")


@acts("outcomes.import_surveys", "survey import", ORGANISATION)
def _import_file(w: World, u: User) -> None:
    outcomes.import_surveys(u, w.db, DATA / "export_fi.csv", mapping=FI_MAPPING)


@acts("outcomes.import_dataframe", "survey import", ORGANISATION)
def _import_frame(w: World, u: User) -> None:
    frame = pd.DataFrame([{"contact_id": "X-1", "agent": "aino", "answered_at": "2026-11-02", "score": "9"}])
    outcomes.import_dataframe(u, w.db, frame, source_name="matrix")


@acts("outcomes.save_mapping", "survey import", ORGANISATION)
def _save_mapping(w: World, u: User) -> None:
    outcomes.save_mapping(u, w.db, "other", FI_MAPPING)


@acts("outcomes.list_mappings", "survey import", ORGANISATION)
def _list_mappings(w: World, u: User) -> None:
    outcomes.list_mappings(u, w.db)


@acts("outcomes.get_mapping", "survey import", ORGANISATION)
def _get_mapping(w: World, u: User) -> None:
    outcomes.get_mapping(u, w.db, "fi")


# --- users, teams, preferences, audit, retention ---------------------------------------------------


@acts("admin.list_users", "users and teams", ADMINS)
def _list_users(w: World, u: User) -> None:
    admin.list_users(u, w.db)


@acts("admin.save_user", "users and teams", ADMINS)
def _save_user(w: World, u: User) -> None:
    admin.save_user(u, w.db, user_id="new-agent", name="New Agent", role="agent", team_ids=("team-north",))


@acts("admin.save_user", "another user's role", ADMINS)  # nobody else promotes anyone (or themselves)
def _promote(w: World, u: User) -> None:
    admin.save_user(u, w.db, user_id="eero", name="Eero", role="manager")


@acts("admin.save_team", "users and teams", ADMINS)
def _save_team(w: World, u: User) -> None:
    admin.save_team(u, w.db, team_id="team-west", name="West")


@sees("admin.list_teams", "own team", {"agent", "other_agent", "coach", "manager", "admin", "system"})
def _teams_north(w: World, u: User) -> bool:
    return "team-north" in {t.id for t in admin.list_teams(u, w.db)}


@sees("admin.list_teams", "another team", {"other_coach", "manager", "admin", "system"})
def _teams_south(w: World, u: User) -> bool:
    return "team-south" in {t.id for t in admin.list_teams(u, w.db)}


@acts("admin.save_preferences", "organisation's preferences", ORGANISATION)
def _preferences(w: World, u: User) -> None:
    admin.save_preferences(u, w.db, languages=("fi", "sv", "en"), whisper_model=None, knowledge_areas=("fees",))


@acts("languages.set_team_language", "team default language", ORGANISATION)  # managers, like the languages
def _team_language(w: World, u: User) -> None:
    languages.set_team_language(u, w.db, "team-north", "sv")


@acts("languages.set_agent_language", "agent default language", TEAM_READERS)  # the team's coaches, managers
def _agent_language(w: World, u: User) -> None:
    languages.set_agent_language(u, w.db, "aino", "fi")


@sees("languages.language_defaults_of", "team default language", ORGANISATION)
def _sees_team_language(w: World, u: User) -> bool:
    return any(d.kind == "team" and d.id == "team-north" for d in languages.language_defaults_of(u, w.db))


@sees("languages.language_defaults_of", "agent default language", TEAM_READERS)
def _sees_agent_language(w: World, u: User) -> bool:
    return any(d.kind == "agent" and d.id == "aino" for d in languages.language_defaults_of(u, w.db))


@acts("audit.list_audit", "audit log", AUDIT_READERS)
def _audit(w: World, u: User) -> None:
    audit.list_audit(u, w.db)


@acts("audit.record_export", "audit log", EVERYONE)  # anyone's own export is recorded
def _record_export(w: World, u: User) -> None:
    audit.record_export(u, w.db, "calls", rows=3)


@acts("retention.save_retention", "retention", ADMINS)
def _save_retention(w: World, u: User) -> None:
    retention.save_retention(u, w.db, RetentionSettings(audio_days=30, transcript_days=365, survey_days=365))


@acts("retention.run_retention", "retention", ADMINS)
def _run_retention(w: World, u: User) -> None:
    retention.run_retention(u, w.db, settings=w.settings, dry_run=True)


for_calls(
    "retention.call_privacy",
    lambda w, u, c: retention.call_privacy(u, w.db, c),
    {c: readers | {"manager", "admin"} for c, readers in READERS.items()},  # hold status: readers and hold setters
)
for_calls(
    "retention.set_legal_hold",
    lambda w, u, c: retention.set_legal_hold(u, w.db, c, held=True, reason="case 1"),
    {c: {"manager", "admin", "system"} for c in READERS},
)
for_calls(
    "retention.erase_call",
    lambda w, u, c: retention.erase_call(u, w.db, c, settings=w.settings),
    {c: ADMINS for c in READERS},
)


@acts("retention.erase_agent", "erasure", ADMINS)
def _erase_agent(w: World, u: User) -> None:
    retention.erase_agent(u, w.db, "aino", settings=w.settings)


@acts("retention.erase_customer", "erasure", ADMINS)
def _erase_customer(w: World, u: User) -> None:
    retention.erase_customer(u, w.db, CUSTOMER, settings=w.settings)


# --- the world ------------------------------------------------------------------------------------


def build_world(template: Path, folder: Path) -> dict[str, Any]:
    """Add to a copy of the app template what the table needs: a shared practice call, a comment by the agent,
    an agent's correction proposal, a coaching session with an action item, a job, a saved checklist draft, a
    survey mapping, a customer id. Returns the ids."""
    from tests.app_helpers import truth_analysis

    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(template, folder / "coaching.db")
    db = Database.open(f"sqlite:///{folder / 'coaching.db'}")
    settings = Settings.from_env({"COACHING_DATA_DIR": str(folder)})
    try:
        people = {role: admin.user_by_id(db, uid) for role, uid in USER_IDS.items()}
        aino, coach, manager = people["agent"], people["coach"], people["manager"]
        assert aino is not None and coach is not None and manager is not None
        shared = truth_analysis("fi_good", call_id=SHARED, agent_id="aino")
        with db.transaction() as session:
            save_analysis(
                session, shared, audio_path=str(audio_path("fi_good")), call_type="practice", is_private=False
            )
            recording = folder / "recording.wav"  # the "uploaded file" of the real call, for the duplicate check
            recording.write_bytes(b"the recording of t-aino-1")
            sha = hashlib.sha256(recording.read_bytes()).hexdigest()
            session.execute(update(CallRow).where(CallRow.id == REAL).values(customer_id=CUSTOMER, audio_sha256=sha))
        practice.record_attempt(db, call_id=SHARED, agent_id="aino", scenario_id="energy-bill")
        feedback.add_comment(aino, db, REAL, text="my own note")
        corrections.edit_segment(aino, db, PROPOSED_ON, position=0, text="A proposed text.", settings=settings)
        session_id = sessions.start_session(coach, db, "aino", held_on=date.today() - timedelta(days=1))
        action_id = sessions.add_action(coach, db, session_id, text="greet first", due_on=None)
        job = jobs.submit_analysis(aino, db, settings=settings, data=b"x" * 64, filename="mine.wav", agent_id="aino")
        draft = checklists.save_version(
            manager, db, DEFAULT_TEXT.replace("version: 1", "version: 2", 1), activate=False
        )
        outcomes.save_mapping(manager, db, "fi", FI_MAPPING)
        with db.transaction() as session:
            comments = {
                r.author_id: r.id for r in session.scalars(select(CommentRow).where(CommentRow.call_id == REAL))
            }
            proposal = session.scalar(select(TranscriptEditRow.id).where(TranscriptEditRow.call_id == PROPOSED_ON))
        items = {}
        for call_id in READERS:
            analysis = calls.get_analysis(SYSTEM_USER, call_id, db=db)
            items[call_id] = next(i.id for i in analysis.checklist.items if i.passed is not None)
    finally:
        db.dispose()
    return {
        "sha": sha,
        "recording": recording,
        "coach_comment": comments["coach-north"],
        "agent_comment": comments["aino"],
        "proposal": proposal,
        "session": session_id,
        "action": action_id,
        "job": job.id,
        "version": draft.version_id,
        "item": items,
    }


@pytest.fixture(scope="module")
def world_template(app_template: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    folder = tmp_path_factory.mktemp("access-matrix")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("coaching.checklist.scoring.default_semantic_matcher", lambda: None)
        ids = build_world(app_template, folder)
    return folder / "coaching.db", ids


@pytest.fixture
def world(
    world_template: tuple[Path, dict[str, Any]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[World]:
    monkeypatch.setattr("coaching.checklist.scoring.default_semantic_matcher", lambda: None)
    template, ids = world_template
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(template, data / "coaching.db")
    monkeypatch.setenv("COACHING_DATA_DIR", str(data))
    monkeypatch.delenv("COACHING_DB_URL", raising=False)
    db = Database.open(f"sqlite:///{data / 'coaching.db'}")
    yield World(db=db, settings=Settings.from_env({"COACHING_DATA_DIR": str(data)}), folder=data, ids=dict(ids))
    db.dispose()


# --- the tests ------------------------------------------------------------------------------------


def user_functions() -> set[str]:
    """``module.name`` of every public function in coaching.services.* / coaching.views.* whose first parameter
    is ``user`` (views prefixed ``views.``)."""
    found = set()
    for package, prefix in ((coaching.services, ""), (coaching.views, "views.")):
        for info in pkgutil.iter_modules(package.__path__):
            module = importlib.import_module(f"{package.__name__}.{info.name}")
            for name, value in vars(module).items():
                if name.startswith("_") or not inspect.isfunction(value) or value.__module__ != module.__name__:
                    continue
                parameters = list(inspect.signature(value).parameters)
                if parameters and parameters[0] == "user":
                    found.add(f"{prefix}{info.name}.{name}")
    return found


def test_every_user_function_is_in_the_table() -> None:
    covered = {case.function for case in CASES}
    assert sorted(user_functions() - covered) == [], (
        "add these functions to CASES in tests/integration/test_access_matrix.py"
    )
    assert sorted(covered - user_functions()) == []  # nothing in the table that no longer exists


# public functions that touch the database without an acting user, and why that is right
WITHOUT_USER = {
    "admin.sign_in_choices": "demo mode only: the people to pick from before anyone is signed in",
    "admin.user_by_id": "the sign-in edge builds the acting user from the database",
    "admin.user_for_identity": "the sign-in edge: a verified identity to an app user (or none)",
    "admin.preferences": "languages, model, knowledge areas: no one's personal data",
    "admin.effective_settings": "the preferences over the environment",
    "audit.record": "called inside a service's own transaction, with that service's acting user",
    "config.active_checklist": "the organisation's checklist: no one's personal data",
    "config.analysis_config": "the one analysis configuration",
    "config.with_language_default": "an entry point's request with the agent's or team's default language, after "
    "that entry point checked access",
    "config.request_fingerprint": "the fingerprint of such a request (a hash: no one's data), for the batch planner "
    "and the worker after they checked access",
    "practice.record_attempt": "the job worker, after the submitter's rights were checked again",
    "retention.retention_policy": "the saved retention periods",
    "retention.run_retention_if_due": "the scheduled job (acts as the system user)",
    "retention.daily_retention": "the scheduled job's thread",
    "batch.batch_worker": "the batch's worker: each job runs as the user who queued it (plan_batch checked access)",
    "batch.summarise": "a batch's own jobs, read back by the command that ran it",
    "batch_ray.run_ray": "the Ray engine of a batch: the same worker, on actors",
}


def database_functions_without_user() -> set[str]:
    found = set()
    for package, prefix in ((coaching.services, ""), (coaching.views, "views.")):
        for info in pkgutil.iter_modules(package.__path__):
            module = importlib.import_module(f"{package.__name__}.{info.name}")
            for name, value in vars(module).items():
                if name.startswith("_") or not inspect.isfunction(value) or value.__module__ != module.__name__:
                    continue
                parameters = list(inspect.signature(value).parameters)
                if parameters and parameters[0] != "user" and {"db", "session"} & set(parameters):
                    found.add(f"{prefix}{info.name}.{name}")
    return found


def test_every_database_function_without_a_user_is_accounted_for() -> None:
    """A new function that reads or writes the database without the acting user first must say why here."""
    assert sorted(database_functions_without_user() - set(WITHOUT_USER)) == []


def test_the_table_covers_every_kind_of_object() -> None:
    kinds = {case.kind for case in CASES}
    wanted = {
        "real call", "private practice call", "shared practice call", "comment of the coach", "comment of the agent",
        "transcript correction", "coaching session", "action item", "rating", "agent figures", "team read models",
        "checklist version", "survey import", "users and teams", "audit log", "retention", "erasure", "job",
    }  # fmt: skip
    assert wanted <= kinds


@pytest.mark.parametrize(
    ("case", "role"),
    [(case, role) for case in CASES for role in ROLES],
    ids=lambda v: v.name if isinstance(v, Case) else v,
)
def test_access(world: World, case: Case, role: str) -> None:
    user = world.user(role)
    allowed = role in case.allowed
    if case.listing:
        try:
            visible = bool(case.run(world, user))
        except DENIED:
            visible = False
        assert visible is allowed, f"{role} {'should' if allowed else 'should not'} see the {case.kind}"
    elif allowed:
        case.run(world, user)
    else:
        with pytest.raises(case.denied) as refused:
            case.run(world, user)
        if isinstance(refused.value, DuplicateRecordingError):  # refused without naming the call or its agent
            assert REAL not in str(refused.value) and "aino" not in str(refused.value)


def test_a_refusal_changes_nothing(world: World) -> None:
    """Refused writes leave no trace: the other coach's comment, override and erasure attempts."""
    other = world.user("other_coach")
    with world.db.transaction() as session:
        before = session.scalar(select(CommentRow.id).order_by(CommentRow.id.desc()))
    for attempt in (
        lambda: feedback.add_comment(other, world.db, REAL, text="x"),
        lambda: retention.erase_call(other, world.db, REAL, settings=world.settings),
    ):
        with pytest.raises(DENIED):
            attempt()
    with world.db.transaction() as session:
        assert session.scalar(select(CommentRow.id).order_by(CommentRow.id.desc())) == before
        assert session.get(CallRow, REAL) is not None
