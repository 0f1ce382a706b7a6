"""Read models and administration behind the pages: call list flags, progress, competence map,
calibration, users and teams, preferences, checklist versions."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pytest

from coaching.access import User
from coaching.checklist import load_checklist
from coaching.errors import AccessError, AdminError, ChecklistError
from coaching.services.admin import (
    effective_settings,
    list_teams,
    list_users,
    preferences,
    save_preferences,
    save_team,
    save_user,
    sign_in_choices,
    user_by_id,
)
from coaching.services.checklists import activate_version, active_checklist, list_versions, save_version, version_text
from coaching.services.feedback import add_comment, override_item, respond_to_item
from coaching.settings import Settings
from coaching.store.db import Database
from coaching.views.calls import CallFilters, call_table
from coaching.views.progress import agent_progress
from coaching.views.team import calibration, competence_map, level_from_share, team_outcomes

pytest_plugins = ("tests.app_helpers",)
People = Callable[[str], User]


def test_call_flags_follow_comments_overrides_and_disputes(app_db: Database, people: People) -> None:
    coach, agent = people("coach-north"), people("aino")
    override_item(coach, app_db, "t-aino-2", "check", passed=False, reason="did not check")
    respond_to_item(agent, app_db, "t-aino-2", "check", agrees=False, reason="I asked")
    add_comment(agent, app_db, "t-aino-2", text="note")
    flags = call_table(coach, app_db).set_index("call")["flags"]
    assert {"coach reviewed", "disputed", "commented"} <= set(flags["t-aino-2"].split(", "))
    assert "commented" in flags["t-aino-1"] and "disputed" not in flags["t-aino-1"]
    only = call_table(coach, app_db, CallFilters(flags=("disputed",)))
    assert list(only["call"]) == ["t-aino-2"]


def test_call_filters_by_date_type_score_and_agent(app_db: Database, people: People) -> None:
    manager = people("manager")
    everything = call_table(manager, app_db)
    assert "t-aino-practice" not in set(everything["call"])  # private practice is the agent's alone
    recent = call_table(manager, app_db, CallFilters(since=date.today() - timedelta(days=15)))
    assert set(recent["call"]) == {"t-aino-2", "t-emma-2"}
    emma = call_table(manager, app_db, CallFilters(agent_ids=("emma",), min_score=50))
    assert set(emma["call"]) == {"t-emma-2"}
    mine = call_table(people("aino"), app_db, CallFilters(call_types=("practice",)))
    assert list(mine["call"]) == ["t-aino-practice"] and mine["type"][0] == "practice (private)"


def test_progress_is_the_agents_own_and_private_practice_stays_private(app_db: Database, people: People) -> None:
    own = agent_progress(people("aino"), app_db, "aino")
    coach = agent_progress(people("coach-north"), app_db, "aino")
    assert set(own.calls["call_id"]) == {"t-aino-1", "t-aino-2", "t-aino-practice"}
    assert set(coach.calls["call_id"]) == {"t-aino-1", "t-aino-2"}
    assert not own.nps.empty and (own.nps["n"] > 0).all() and {"ci_low", "ci_high"} <= set(own.nps.columns)
    assert set(own.item_rates.columns) >= {"period", "item_id", "n", "pass_rate"}
    with pytest.raises(AccessError):
        agent_progress(people("emma"), app_db, "aino")
    with pytest.raises(AccessError):
        agent_progress(people("coach-south"), app_db, "aino")


def test_levels_come_from_pass_shares() -> None:
    assert [level_from_share(s) for s in (0.0, 0.49, 0.5, 0.69, 0.7, 0.84, 0.85, 1.0)] == [1, 1, 2, 2, 3, 3, 4, 4]


def test_competence_map_covers_the_visible_teams_only(app_db: Database, people: People) -> None:
    north = competence_map(people("coach-north"), app_db)
    assert set(north.levels["team_id"]) == {"team-north"}
    assert set(north.levels["agent_id"]) == {"aino", "eero", "sara"}
    aino = north.levels[north.levels["agent_id"] == "aino"].set_index("competence")
    assert aino.loc["delivery", "auto_level"] in (1, 2, 3, 4)  # balance item from her two real calls
    eero = north.levels[north.levels["agent_id"] == "eero"]
    assert eero["level"].isna().all()  # no calls, no ratings: nothing known
    coverage = north.coverage.set_index("competence")
    assert coverage.loc["delivery", "agents"] == 3 and coverage.loc["delivery", "rated"] == 1
    assert {"payment plans", "energy bills", "fees and terms"} <= set(coverage.index)
    assert len(north.months) == 6 and set(north.growth["month"]) <= set(north.months)
    with pytest.raises(AccessError):
        competence_map(people("coach-north"), app_db, team_id="team-south")
    with pytest.raises(AccessError):
        competence_map(people("aino"), app_db)


def test_calibration_counts_agreement_per_item(app_db: Database, people: People) -> None:
    coach, agent = people("coach-north"), people("aino")
    override_item(coach, app_db, "t-aino-1", "greeting", passed=True, reason="said it differently")  # disagrees
    override_item(coach, app_db, "t-aino-2", "greeting", passed=True, reason="")  # confirms
    respond_to_item(agent, app_db, "t-aino-2", "greeting", agrees=True)
    table = calibration(coach, app_db, team_id="team-north").set_index("item")
    greeting = table.loc["greeting"]
    assert greeting["calls"] == 2 and greeting["coach_reviews"] == 2 and greeting["coach_agrees"] == 0.5
    assert greeting["agent_responses"] == 1 and greeting["agent_agrees"] == 1.0
    assert greeting["coach_and_agent"] == 1 and greeting["coach_agent_agree"] == 1.0


def test_team_outcomes_give_nps_and_fcr_per_agent_and_team(app_db: Database, people: People) -> None:
    result = team_outcomes(people("manager"), app_db)
    assert set(result.nps_teams["team"]) == {"team-north", "team-south"}
    assert {"aino", "eero", "emma"} <= set(result.nps_agents["agent"])
    assert (result.fcr_teams["n"] >= 0).all()
    coach = team_outcomes(people("coach-south"), app_db)
    assert set(coach.nps_agents["agent"]) == {"emma"}


def test_admins_manage_users_and_teams(app_db: Database, people: People) -> None:
    admin = people("admin")  # users, teams and roles are the admins' (managers no longer)
    save_team(admin, app_db, team_id="Team-East", name="Team East")
    save_user(admin, app_db, user_id="Liisa", name="Liisa Laine", role="agent", team_ids=("team-east",))
    liisa = user_by_id(app_db, "liisa")
    assert liisa is not None and (liisa.role, liisa.agent_id) == ("agent", "liisa")
    assert any(u.id == "liisa" for u in sign_in_choices(app_db))
    listed = {u.id: u for u in list_users(admin, app_db)}
    assert (listed["liisa"].role, listed["liisa"].teams, listed["liisa"].active) == ("agent", "team-east", True)
    assert {t.id: t.agents for t in list_teams(admin, app_db)}["team-east"] == 1
    save_user(admin, app_db, user_id="liisa", name="Liisa Laine", role="agent", active=False)
    assert user_by_id(app_db, "liisa") is None
    with pytest.raises(AdminError, match="no team"):
        save_user(admin, app_db, user_id="x", name="X", role="coach", team_ids=("team-west",))
    with pytest.raises(AdminError, match="role"):
        save_user(admin, app_db, user_id="x", name="X", role="system")
    with pytest.raises(AdminError, match="your own role"):
        save_user(admin, app_db, user_id="admin", name="M", role="agent")
    with pytest.raises(AccessError):
        save_user(people("coach-north"), app_db, user_id="x", name="X", role="agent")
    with pytest.raises(AccessError):
        list_users(people("aino"), app_db)
    with pytest.raises(AccessError):
        save_team(people("manager"), app_db, team_id="team-west", name="Team West")


def test_saved_languages_and_model_apply_to_new_analyses(
    app_db: Database, app_settings: Settings, people: People
) -> None:
    save_preferences(
        people("manager"), app_db, languages=("fi", "sv"), whisper_model="tiny.en", knowledge_areas=(" Fees ", "")
    )
    prefs = preferences(app_db)
    assert prefs.knowledge_areas == ("fees",)
    applied = effective_settings(app_db, app_settings)
    assert applied.languages == ("fi", "sv") and applied.whisper_model == "tiny.en"
    with pytest.raises(Exception, match="unsupported language"):
        save_preferences(people("manager"), app_db, languages=("de",), whisper_model=None, knowledge_areas=())
    with pytest.raises(AccessError):
        save_preferences(people("coach-north"), app_db, languages=("fi",), whisper_model=None, knowledge_areas=())


def test_checklist_versions_must_grow_and_the_active_one_scores(app_db: Database, people: People) -> None:
    coach = people("coach-north")
    default = load_checklist()
    text = version_text(coach, app_db, default.version_id)
    with pytest.raises(ChecklistError, match="raise it to 2"):
        save_version(coach, app_db, text.replace("Greets, names self", "Greets warmly, names self"))
    with pytest.raises(ChecklistError, match=r"edited checklist:\d+: field 'items\[0\]\.weight'"):
        save_version(
            coach, app_db, text.replace("version: 1", "version: 2").replace("weight: 1\n", "weight: lots\n", 1)
        )
    with pytest.raises(AccessError):  # activating for the whole organisation is a manager's action
        save_version(coach, app_db, text.replace("version: 1", "version: 2"), note="team call model")
    raised = text.replace("version: 1", "version: 2")
    saved = save_version(coach, app_db, raised, note="team call model", activate=False)
    assert active_checklist(app_db).version_id == default.version_id
    manager = people("manager")
    activate_version(manager, app_db, saved.version_id)
    assert active_checklist(app_db).version_id == saved.version_id
    versions = list_versions(coach, app_db)
    assert [(v.version, v.active) for v in versions] == [(2, True), (1, False)]
    with pytest.raises(AccessError):
        activate_version(coach, app_db, default.version_id)
    activate_version(manager, app_db, default.version_id)
    assert active_checklist(app_db).version_id == default.version_id
    with pytest.raises(AccessError):
        save_version(people("aino"), app_db, text)
