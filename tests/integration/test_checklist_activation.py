"""Coaches write checklist versions; activating one for the whole organisation is a manager's action, and the
confirmation says how many stored calls re-scoring with it changes (counted in SQL, as ``rescore`` finds them)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from coaching.access import User
from coaching.checklist import load_checklist
from coaching.checklist.loader import DEFAULT_PATH
from coaching.errors import AccessError
from coaching.services.checklists import (
    activate_text,
    activate_version,
    rescore_calls,
    rescore_count,
    save_version,
)
from coaching.services.config import active_checklist
from coaching.settings import Settings
from coaching.store.db import Database
from tests.cli_helpers import run_cli

pytest_plugins = ("tests.app_helpers",)
People = Callable[[str], User]
TEMPLATE_CALLS = 6  # tests/app_helpers.TEMPLATE_CALLS: five real calls and one private practice call


def _v2() -> str:
    text = DEFAULT_PATH.read_text(encoding="utf-8")
    assert "\nversion: 1\n" in text
    return text.replace("\nversion: 1\n", "\nversion: 2\n")


def test_a_coach_saves_a_version_but_only_a_manager_activates_it(app_db: Database, people: People) -> None:
    coach, manager, default = people("coach-north"), people("manager"), load_checklist()
    with pytest.raises(AccessError):
        save_version(coach, app_db, _v2())  # saving it as the active one
    saved = save_version(coach, app_db, _v2(), note="north's proposal", activate=False)
    assert active_checklist(app_db).version_id == default.version_id
    for refused in (
        lambda: activate_version(coach, app_db, saved.version_id),
        lambda: activate_text(coach, app_db, _v2()),
        lambda: activate_version(people("aino"), app_db, saved.version_id),
        lambda: activate_version(people("admin"), app_db, saved.version_id),
    ):
        with pytest.raises(AccessError):
            refused()
    assert active_checklist(app_db).version_id == default.version_id
    activate_version(manager, app_db, saved.version_id)
    assert active_checklist(app_db).version_id == saved.version_id


def test_the_count_is_the_calls_rescoring_changes_for_whoever_asks(app_db: Database, people: People) -> None:
    manager, coach = people("manager"), people("coach-north")
    saved = save_version(coach, app_db, _v2(), activate=False)
    default = load_checklist().version_id
    # every stored call is scored with the packaged version: none to re-score with it, all with the new one
    assert rescore_count(manager, app_db, default) == 0
    counts = {who: rescore_count(people(who), app_db, saved.version_id) for who in ("manager", "coach-north")}
    assert counts == {"manager": TEMPLATE_CALLS - 1, "coach-north": 2}  # private practice: the agent's alone
    activate_version(manager, app_db, saved.version_id)
    report = rescore_calls(manager, app_db)
    assert report.rescored == counts["manager"] and report.version_id == saved.version_id
    assert rescore_count(manager, app_db, saved.version_id) == 0
    assert rescore_count(coach, app_db, default) == 2
    with pytest.raises(AccessError):
        rescore_count(people("aino"), app_db, saved.version_id)


def test_the_cli_activates_without_asking_and_says_how_many_calls_rescore_changes(
    app_db: Database, app_settings: Settings, tmp_path: Path
) -> None:
    path = tmp_path / "v2.yaml"
    path.write_text(_v2(), encoding="utf-8")
    code, out, err = run_cli(app_settings, "checklist", "activate", str(path))
    assert code == 0, err
    assert out.strip() == active_checklist(app_db).version_id  # stdout: the version id alone, for scripts
    assert f"{TEMPLATE_CALLS} stored calls are scored with another version" in err and "rescore" in err
    code, out, err = run_cli(app_settings, "rescore")
    assert code == 0 and f"re-scored {TEMPLATE_CALLS} calls" in out
    code, out, err = run_cli(app_settings, "checklist", "activate", str(path))
    assert code == 0 and err == ""  # nothing left to re-score
