"""Every page opens for every role without an exception, and each role sees only its pages."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

pytest_plugins = ("tests.app_helpers",)

ROLE_PAGES = {
    "aino": (
        "agent",
        [
            "pages/practice.py",
            "pages/calls.py",
            "pages/call_review.py",
            "pages/progress.py",
            "pages/coaching_sessions.py",
        ],
    ),
    "coach-north": (
        "coach",
        [
            "pages/calls.py",
            "pages/call_review.py",
            "pages/coaching_sessions.py",
            "pages/progress.py",
            "pages/team.py",
            "pages/settings.py",
        ],
    ),
    "manager": (
        "manager",
        [
            "pages/team.py",
            "pages/calls.py",
            "pages/call_review.py",
            "pages/progress.py",
            "pages/coaching_sessions.py",
            "pages/settings.py",
            "pages/audit.py",
        ],
    ),
}
TITLES = {
    "agent": ["Practice", "My calls", "Call review", "My progress", "My coaching"],
    "coach": ["Team calls", "Call review", "Coaching sessions", "Agent progress", "Team", "Settings"],
    "manager": ["Team", "Calls", "Call review", "Agent progress", "Coaching sessions", "Settings", "Audit log"],
}


def _problems(at: AppTest) -> list[str]:
    return [e.value for e in at.exception] + [e.value for e in at.error]


def test_signed_out_shows_only_the_demo_sign_in(open_app: Callable[[str | None], AppTest]) -> None:
    at = open_app(None)
    assert not _problems(at)
    assert at.title[0].value == "Call coaching"
    assert any("DEMO MODE" in w.value for w in at.sidebar.warning)
    assert "Demo mode" in at.info[0].value
    with pytest.raises(Exception, match=r"(?i)page"):
        at.switch_page("pages/calls.py").run()


@pytest.mark.parametrize("user_id", list(ROLE_PAGES))
def test_each_page_opens_for_each_role_without_an_error(
    open_app: Callable[[str | None], AppTest], user_id: str
) -> None:
    role, pages = ROLE_PAGES[user_id]
    at = open_app(user_id)
    assert not _problems(at)
    titles = []
    for page in pages:
        at.switch_page(page).run()
        assert not _problems(at), (page, _problems(at))
        titles.append(at.title[0].value)
    assert titles == TITLES[role]


def test_an_agent_cannot_open_coach_or_manager_pages(open_app: Callable[[str | None], AppTest]) -> None:
    at = open_app("aino")
    for page in ("pages/team.py", "pages/settings.py"):
        with pytest.raises(Exception, match=r"(?i)page"):
            at.switch_page(page).run()


def test_the_agent_sees_only_own_calls_and_the_coach_not_private_practice(
    open_app: Callable[[str | None], AppTest],
) -> None:
    agent = open_app("aino")
    agent.switch_page("pages/calls.py").run()
    mine = agent.dataframe[0].value
    assert set(mine["call"]) == {"t-aino-1", "t-aino-2", "t-aino-practice"}
    coach = open_app("coach-north")
    coach.switch_page("pages/calls.py").run()
    team = coach.dataframe[0].value
    assert "t-aino-practice" not in set(team["call"])  # private until shared
    assert {"t-aino-1", "t-aino-2"} <= set(team["call"])
    assert not {"t-emma-1", "t-johan-1"} & set(team["call"])  # other team


def test_call_filters_narrow_the_list(open_app: Callable[[str | None], AppTest]) -> None:
    at = open_app("manager")
    at.switch_page("pages/calls.py").run()
    everything = at.dataframe[0].value
    at.multiselect(key="call_types").set_value(["practice"]).run()
    assert not _problems(at)
    assert at.info and "No calls match" in at.info[0].value  # the only practice call is private
    at.multiselect(key="call_types").set_value(["real"]).run()
    at.slider(key="call_scores").set_value((0, 59)).run()
    low = at.dataframe[0].value
    assert 0 < len(low) < len(everything)
    assert (low["score"] <= 59).all()
    assert all("low score" in flags for flags in low["flags"])


def test_every_table_has_a_csv_download(open_app: Callable[[str | None], AppTest]) -> None:
    at = open_app("manager")
    for page in ("pages/calls.py", "pages/progress.py", "pages/team.py"):
        at.switch_page(page).run()
        downloads = at.get("download_button")
        assert len(downloads) >= len(at.dataframe) > 0, page


def test_every_page_works_on_an_empty_database(
    open_app: Callable[[str | None], AppTest], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COACHING_DATA_DIR", str(tmp_path / "empty"))
    st.cache_resource.clear()
    at = open_app(None)  # signing in on an empty database creates the demo users
    assert not _problems(at)
    for user_id, (_role, pages) in ROLE_PAGES.items():
        at = open_app(user_id)
        for page in pages:
            at.switch_page(page).run()
            assert not _problems(at), (user_id, page, _problems(at))
    at = open_app("coach-north")
    at.switch_page("pages/calls.py").run()
    assert [i.value for i in at.info] == ["No calls match. Upload a recording above, or widen the filters."]
