"""A "billion laughs" checklist is refused in under a second with one ``error:`` line, on the command line
(``python -m coaching checklist activate FILE``) and through the service the Settings page calls; nothing is
stored. An ordinary edited checklist still activates."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from coaching.access import User
from coaching.errors import ChecklistError
from coaching.services.checklists import list_versions, save_version
from coaching.settings import Settings
from coaching.store.db import Database
from tests.cli_helpers import run_cli
from tests.unit.test_safe_yaml import DEFAULT_TEXT, laughs

ROOT = Path(__file__).resolve().parents[2]
MANAGER = User(id="maija", role="manager")


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings.from_env({"COACHING_DATA_DIR": str(tmp_path / "data")})


def test_the_cli_refuses_billion_laughs_at_once_with_one_line(settings: Settings, tmp_path: Path) -> None:
    path = tmp_path / "laughs.yaml"
    path.write_text(laughs(), encoding="utf-8")
    started = time.perf_counter()
    code, out, err = run_cli(settings, "checklist", "activate", str(path))
    assert time.perf_counter() - started < 1.0
    assert (code, out) == (1, "")
    assert err.count("\n") == 1 and err.startswith(f"error: {path}:") and "anchors and aliases" in err


def test_the_command_as_a_process_exits_1_with_one_error_line(tmp_path: Path) -> None:
    path = tmp_path / "laughs.yaml"
    path.write_text(laughs(), encoding="utf-8")
    env = {**os.environ, "COACHING_DATA_DIR": str(tmp_path / "data")}
    env.pop("COACHING_DB_URL", None)
    done = subprocess.run(
        [sys.executable, "-m", "coaching", "checklist", "activate", str(path)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr.splitlines() == [done.stderr.strip()] and done.stderr.startswith("error: ")


def test_the_settings_page_service_refuses_it_and_stores_nothing(tmp_path: Path) -> None:
    db = Database.open(f"sqlite:///{tmp_path / 'coaching.db'}")
    try:
        before = list_versions(MANAGER, db)
        started = time.perf_counter()
        with pytest.raises(ChecklistError, match="anchors and aliases") as caught:
            save_version(MANAGER, db, laughs(), note="laughs")
        assert time.perf_counter() - started < 1.0 and "\n" not in str(caught.value)
        assert list_versions(MANAGER, db) == before
    finally:
        db.dispose()


def test_an_ordinary_checklist_still_activates(settings: Settings, tmp_path: Path) -> None:
    path = tmp_path / "v2.yaml"
    path.write_text(DEFAULT_TEXT.replace("version: 1", "version: 2", 1), encoding="utf-8")
    code, out, err = run_cli(settings, "checklist", "activate", str(path))
    assert (code, err) == (0, "") and "@v2+" in out
    code, out, _ = run_cli(settings, "checklist", "list")
    assert code == 0 and out.startswith("* empathy-default@v2+")
