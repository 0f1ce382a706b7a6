"""One analysis configuration: the CLI, the app's upload worker and re-scoring score a recording alike, with the
organisation's saved model and languages and its active checklist; the ``checklist`` commands manage that version."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from audio_samples.truth import audio_path
from coaching.access import User
from coaching.analysis.report import analysis_to_dict
from coaching.asr.transcriber import load_transcriber
from coaching.checklist import load_checklist
from coaching.checklist.loader import DEFAULT_PATH
from coaching.services.admin import save_preferences
from coaching.services.calls import get_analysis
from coaching.services.config import analysis_config
from coaching.services.jobs import DONE, get_job, submit_analysis
from coaching.services.worker import JobWorker
from coaching.settings import Settings
from coaching.store.db import Database
from tests.cli_helpers import run_cli
from tests.integration.test_cli import snapshot

pytest_plugins = ("tests.app_helpers",)
People = Callable[[str], User]
SHORT = audio_path("en_short")


def _edited_checklist(folder: Path, *, version: int = 2, first_weight: int = 10) -> Path:
    """The packaged checklist with a higher version and the first item weighted ``first_weight``."""
    text = DEFAULT_PATH.read_text(encoding="utf-8")
    assert "\nversion: 1\n" in text and "\n    weight: 1\n" in text
    text = text.replace("\nversion: 1\n", f"\nversion: {version}\n")
    text = text.replace("\n    weight: 1\n", f"\n    weight: {first_weight}\n", 1)
    target = folder / f"checklist-v{version}.yaml"
    target.write_text(text, encoding="utf-8")
    return target


def _checklist_of(analysis: Any) -> dict[str, Any]:
    return dict(analysis_to_dict(analysis)["checklist"])


@pytest.mark.slow
def test_cli_upload_and_rescore_score_alike_with_the_saved_model_and_active_checklist(
    app_db: Database, app_settings: Settings, people: People, tmp_path: Path
) -> None:
    manager, emma = people("manager"), people("emma")
    save_preferences(manager, app_db, languages=("en",), whisper_model="tiny.en", knowledge_areas=())

    # before: the packaged checklist is active; the CLI stores the call scored with it
    code, out, err = run_cli(app_settings, "analyze", str(SHORT), "--agent", "emma", "--json", "-")
    assert code == 0, err
    before = json.loads(out)
    call_id = before["call"]["id"]
    assert before["call"]["model"] == "tiny.en"  # the organisation's saved model, no --model given
    assert before["checklist"]["version_id"] == load_checklist().version_id

    code, out, err = run_cli(app_settings, "checklist", "activate", str(_edited_checklist(tmp_path)))
    assert code == 0, err
    active_id = out.strip()
    assert active_id != load_checklist().version_id and "@v2+" in active_id
    assert analysis_config(app_settings, app_db).checklist_version_id == active_id

    # re-score: the stored call is scored again with the active version
    code, out, err = run_cli(app_settings, "rescore", "--call", call_id)
    assert code == 0, err
    assert f"re-scored 1 calls with {active_id}" in out
    rescored = _checklist_of(get_analysis(manager, call_id, db=app_db))

    # the CLI analyses the recording again
    code, out, err = run_cli(app_settings, "analyze", str(SHORT), "--agent", "emma", "--json", "-")
    assert code == 0, err
    cli = json.loads(out)

    # the app's upload: queued, then run by the worker as the app builds it (speech model of the configuration)
    job = submit_analysis(  # the recording is stored already: analysed again when asked to
        emma,
        app_db,
        settings=app_settings,
        data=SHORT.read_bytes(),
        filename="en_short.flac",
        agent_id="emma",
        again=True,
    )
    worker = JobWorker(db=app_db, settings=lambda: app_settings, transcriber_factory=load_transcriber)
    assert worker.process_next() == job.id
    finished = get_job(emma, app_db, job.id)
    assert finished.status == DONE, finished.error
    uploaded = analysis_to_dict(get_analysis(emma, str(finished.call_id), db=app_db))

    assert finished.call_id == cli["call"]["id"] == call_id
    assert uploaded["call"]["model"] == cli["call"]["model"] == "tiny.en"
    versions = {rescored["version_id"], cli["checklist"]["version_id"], uploaded["checklist"]["version_id"]}
    assert versions == {active_id}
    assert rescored["score"] == cli["checklist"]["score"] == uploaded["checklist"]["score"]
    # the edited weight matters for this call, so a path scoring with the packaged checklist would differ
    assert cli["checklist"]["score"] != before["checklist"]["score"]


@pytest.mark.slow
def test_analyze_without_storing_still_scores_with_the_active_checklist(tmp_path: Path) -> None:
    settings = Settings.from_env({"COACHING_DATA_DIR": str(tmp_path / "data")})
    code, out, err = run_cli(settings, "checklist", "activate", str(_edited_checklist(tmp_path)))
    assert code == 0, err
    active_id = out.strip()
    args = ("analyze", str(SHORT), "--agent", "emma", "--model", "tiny.en", "--language", "en")
    code, out, err = run_cli(settings, *args, "--no-store", "--json", "-")
    assert code == 0, err
    assert json.loads(out)["checklist"]["version_id"] == active_id
    code, out, err = run_cli(settings, *args)
    assert code == 0, err
    assert f"({active_id})" in out and out.rstrip().endswith("stored")


def test_checklist_list_show_and_activate(tmp_path: Path) -> None:
    settings = Settings.from_env({"COACHING_DATA_DIR": str(tmp_path / "data")})
    default_id = load_checklist().version_id

    code, out, err = run_cli(settings, "checklist", "list")
    assert code == 0, err
    assert out.splitlines() == [line for line in out.splitlines() if line.startswith("* ")]  # only the default
    assert default_id in out and "packaged default" in out

    code, out, err = run_cli(settings, "checklist", "activate", str(_edited_checklist(tmp_path)), "--note", "greet")
    assert code == 0, err
    v2 = out.strip()
    assert v2.startswith("empathy-default@v2+") and "\n" not in v2

    code, out, _ = run_cli(settings, "checklist", "list", "--json")
    listed = json.loads(out)
    assert [(v["version_id"], v["active"]) for v in listed] == [(v2, True), (default_id, False)]
    assert listed[0]["note"] == "greet" and listed[0]["created_by"] == "system"

    code, out, _ = run_cli(settings, "checklist", "show", "--json")
    shown = json.loads(out)
    assert shown["version_id"] == v2 and shown["version"] == 2
    assert shown["items"][0]["weight"] == 10.0 and len(shown["items"]) == len(load_checklist().items)

    # the YAML that `show` prints is the active version: activating it again adds no version
    code, out, _ = run_cli(settings, "checklist", "show")
    assert out.startswith(f"# active checklist: {v2}\n")
    again = tmp_path / "shown.yaml"
    again.write_text(out, encoding="utf-8")
    code, out, err = run_cli(settings, "checklist", "activate", str(again))
    assert code == 0, err
    assert out.strip() == v2

    # the packaged file makes the packaged default active again; the saved version stays in the list
    code, out, err = run_cli(settings, "checklist", "activate", str(DEFAULT_PATH))
    assert (code, out.strip()) == (0, default_id), err
    code, out, _ = run_cli(settings, "checklist", "list")
    marks = {line[2:].split()[0]: line.startswith("* ") for line in out.splitlines()}
    assert marks == {v2: False, default_id: True}
    code, out, _ = run_cli(settings, "checklist", "show", "--json")
    assert json.loads(out)["version_id"] == default_id


def _bad_files(folder: Path) -> dict[str, tuple[Path, str]]:
    """name → (file, words the one-line error names)."""
    valid = DEFAULT_PATH.read_text(encoding="utf-8").replace("\nversion: 1\n", "\nversion: 3\n")
    files = {
        "missing": (folder / "nothing.yaml", "nothing.yaml"),
        "empty": (folder / "empty.yaml", "empty"),
        "yaml syntax": (folder / "syntax.yaml", "YAML syntax"),
        "missing field": (folder / "nofield.yaml", "version"),
        "not utf-8": (folder / "latin.yaml", "UTF-8"),
        "version not raised": (folder / "same-version.yaml", "raise it to"),
    }
    files["empty"][0].write_text("", encoding="utf-8")
    files["yaml syntax"][0].write_text("checklist: x\nitems: [\n", encoding="utf-8")
    files["missing field"][0].write_text(valid.replace("\nversion: 3\n", "\n"), encoding="utf-8")
    files["not utf-8"][0].write_bytes("checklist: tæst\n".encode("latin-1"))
    # new content under the version already in use (v2 is saved by the test first)
    files["version not raised"][0].write_text(valid.replace("\nversion: 3\n", "\nversion: 2\n"), encoding="utf-8")
    return files


@pytest.mark.parametrize(
    "case", ["missing", "empty", "yaml syntax", "missing field", "not utf-8", "version not raised"]
)
def test_a_bad_checklist_file_ends_in_one_error_line_and_changes_nothing(tmp_path: Path, case: str) -> None:
    settings = Settings.from_env({"COACHING_DATA_DIR": str(tmp_path / "data")})
    code, out, err = run_cli(settings, "checklist", "activate", str(_edited_checklist(tmp_path)))
    assert code == 0, err
    active = out.strip()
    path, words = _bad_files(tmp_path)[case]
    before = snapshot(settings)

    code, out, err = run_cli(settings, "checklist", "activate", str(path))

    assert code == 1 and out == ""
    assert err.startswith("error: ") and err.count("\n") == 1 and "Traceback" not in err
    assert words in err
    assert snapshot(settings) == before
    code, out, _ = run_cli(settings, "checklist", "show", "--json")
    assert json.loads(out)["version_id"] == active
