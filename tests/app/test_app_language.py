"""AppTest: default languages set on the settings page (managers for teams, coaches for their agents), and a call
whose detected language is doubtful flagged on the review page with "Analyse again as …" for those allowed."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from coaching.models import LanguageCheck
from coaching.store.db import Database
from coaching.store.languages import set_call_language
from coaching.store.tables import AgentRow, CallRow, TeamRow
from tests.app_helpers import Open, assert_ok, button, run_jobs
from ui.text import plain
from ui.widgets import CALL_KEY

pytest_plugins = ("tests.app_helpers",)
CALL = "t-johan-1"  # a Swedish sample call of johan (team-south)


def _settings_tab(at: AppTest) -> AppTest:
    at.switch_page("pages/settings.py").run(timeout=30)
    assert_ok(at)
    return at


def _save(at: AppTest, kind: str, target: str, language: str) -> None:
    at.selectbox(key=f"language-{kind}-id").set_value(target)
    at.selectbox(key=f"language-{kind}-value").set_value(language)
    button(at, f"Save {kind} language").click().run(timeout=30)
    assert_ok(at)


def test_managers_set_team_and_agent_defaults_coaches_their_agents(open_app: Open, app_db: Database) -> None:
    at = _settings_tab(open_app("manager"))
    _save(at, "team", "team-south", "sv")
    _save(at, "agent", "emma", "en")
    coach = _settings_tab(open_app("coach-north"))
    assert not any(b.label == "Save team language" for b in coach.button)  # teams: managers only
    agents = coach.selectbox(key="language-agent-id").options
    assert any("aino" in a for a in agents) and not any("emma" in a for a in agents)
    _save(coach, "agent", "aino", "fi")
    with app_db.transaction() as session:
        assert session.get(TeamRow, "team-south").default_language == "sv"  # type: ignore[union-attr]
        assert session.get(AgentRow, "emma").default_language == "en"  # type: ignore[union-attr]
        assert session.get(AgentRow, "aino").default_language == "fi"  # type: ignore[union-attr]


def _doubtful(db: Database) -> None:
    """The issue's fault as stored: a Swedish call detected as English with probability 0.60."""
    with db.transaction() as session:
        row = session.get(CallRow, CALL)
        assert row is not None
        row.language = "en"
        set_call_language(row, LanguageCheck("en", "detected", 0.6, flags=("low_probability",)))


def _review(at: AppTest) -> AppTest:
    at.session_state[CALL_KEY] = CALL
    at.switch_page("pages/call_review.py").run(timeout=30)
    assert_ok(at)
    return at


def test_a_doubtful_language_is_flagged_and_can_be_analysed_again(open_app: Open, app_db: Database) -> None:
    _doubtful(app_db)
    agent = _review(open_app("johan"))
    captions = " ".join(c.value for c in agent.caption)
    assert plain("en · detected, probability 60%") in captions
    assert any("Language doubtful" in w.value and plain("60%") in w.value for w in agent.warning)
    assert not any(b.label.startswith("Analyse again as") for b in agent.button)  # agents do not re-analyse

    coach = _review(open_app("coach-south"))
    assert {b.label for b in coach.button} >= {"Analyse again as fi", "Analyse again as sv", "Analyse again as en"}
    button(coach, "Analyse again as sv").click().run(timeout=60)
    assert_ok(coach)
    with app_db.transaction() as session:  # queued for the worker process: the app transcribes nothing itself
        assert session.get(CallRow, CALL).language == "en"  # type: ignore[union-attr]
    assert len(run_jobs(app_db, "sv_poor")) == 1
    coach.run(timeout=60)
    assert_ok(coach)
    assert plain("sv · chosen at upload or re-analysis") in " ".join(c.value for c in coach.caption)
    assert not any("Language doubtful" in w.value for w in coach.warning)
    with app_db.transaction() as session:
        row = session.get(CallRow, CALL)
        assert row is not None and (row.language, row.language_source, row.language_flags) == ("sv", "forced", "")
