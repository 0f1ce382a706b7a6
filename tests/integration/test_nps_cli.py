"""The outcome commands through ``coaching.cli.main.main``: exit codes, one-line errors, JSON/CSV/table output."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from coaching.settings import Settings
from tests.cli_helpers import run_cli
from tests.unit.test_surveys import DATA, FI_MAPPING

MAPPING_ARGS = ["--mapping", *(f"{src}={dst}" for src, dst in FI_MAPPING.items())]
NPS_KEYS = [
    "agent",
    "team",
    "period",
    "n",
    "promoters",
    "passives",
    "detractors",
    "nps",
    "ci_low",
    "ci_high",
    "reliable",
]


def run(tmp_path: Path, *argv: str) -> tuple[int, str, str]:
    return run_cli(Settings.from_env({"COACHING_DATA_DIR": str(tmp_path / "data")}), *argv)


def imported(tmp_path: Path) -> Path:
    code, out, err = run(tmp_path, "import-nps", str(DATA / "export_fi.csv"), *MAPPING_ARGS)
    assert (code, err) == (0, "")
    assert out.startswith("imported 5 survey answers")
    return tmp_path


def test_nps_on_an_empty_database_prints_an_empty_list(tmp_path: Path) -> None:
    code, out, err = run(tmp_path, "nps", "--by", "week", "--format", "json")
    assert (code, err) == (0, "")
    assert out.strip() == "[]"


def test_import_prints_the_counts_and_reimport_adds_nothing(tmp_path: Path) -> None:
    code, out, _ = run(tmp_path, "import-nps", str(DATA / "export_fi.csv"), *MAPPING_ARGS)
    assert code == 0
    assert out.strip() == (
        "imported 5 survey answers from export_fi.csv: 5 new, 0 updated, 0 unchanged; 0 linked to calls"
    )
    code, out, _ = run(tmp_path, "import-nps", str(DATA / "export_fi.csv"), *MAPPING_ARGS)
    assert "0 new, 0 updated, 5 unchanged" in out
    code, out, _ = run(tmp_path, "nps", "--by", "month", "--level", "organisation", "--format", "json")
    assert [row["n"] for row in json.loads(out)] == [5]


def test_a_bad_file_exits_1_with_one_line_and_stores_nothing(tmp_path: Path) -> None:
    code, out, err = run(tmp_path, "import-nps", str(DATA / "bad_score.csv"))
    assert code == 1
    assert out == ""
    assert err == "error: bad_score.csv row 4, column 'score': 11 is outside 0–10\n"
    assert run(tmp_path, "nps", "--by", "month", "--format", "json")[1].strip() == "[]"


def test_a_malformed_mapping_option_exits_1(tmp_path: Path) -> None:
    code, _, err = run(tmp_path, "import-nps", str(DATA / "export_fi.csv"), "--mapping", "Agentti")
    assert code == 1
    assert err.startswith("error: mapping 'Agentti' is not SRC=DST")


def test_nps_json_rows_have_the_documented_keys(tmp_path: Path) -> None:
    imported(tmp_path)
    code, out, _ = run(tmp_path, "nps", "--by", "week", "--format", "json", "--agent", "aino")
    rows = json.loads(out)
    assert code == 0
    assert [list(row) for row in rows] == [NPS_KEYS]
    # aino, ISO week 45 of 2026: 10, 9, 7 → 66.7; var=(2/3-(2/3)²)/3 → half 53.3 → [13.3, 100]
    assert rows[0] == {
        "agent": "aino",
        "team": "perinta-1",
        "period": "2026-W45",
        "n": 3,
        "promoters": 2,
        "passives": 1,
        "detractors": 0,
        "nps": 66.7,
        "ci_low": 13.3,
        "ci_high": 100.0,
        "reliable": False,
    }


def test_nps_csv_and_table_formats(tmp_path: Path) -> None:
    imported(tmp_path)
    code, out, _ = run(tmp_path, "nps", "--by", "month", "--level", "team", "--format", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert list(rows[0]) == NPS_KEYS
    assert [(r["team"], r["period"], r["n"], r["nps"]) for r in rows] == [
        ("perinta-1", "2026-11", "3", "66.7"),
        ("perinta-2", "2026-11", "2", "-100.0"),
    ]
    code, out, _ = run(tmp_path, "nps", "--by", "month", "--team", "perinta-2")
    lines = out.splitlines()
    assert lines[0].split() == NPS_KEYS
    assert lines[1].split() == [
        "bertil",
        "perinta-2",
        "2026-11",
        "2",
        "0",
        "0",
        "2",
        "-100.0",
        "-100.0",
        "-100.0",
        "no",
    ]


def test_saved_mapping_is_reused_by_name(tmp_path: Path) -> None:
    code, _, _ = run(tmp_path, "import-nps", str(DATA / "export_fi.csv"), *MAPPING_ARGS, "--save-mapping", "fi")
    assert code == 0
    code, out, err = run(tmp_path, "import-nps", str(DATA / "export_fi.csv"), "--saved-mapping", "fi")
    assert (code, err) == (0, "")
    assert "5 unchanged" in out
    code, _, err = run(tmp_path, "import-nps", str(DATA / "export_fi.csv"), "--saved-mapping", "sv")
    assert code == 1
    assert err.startswith("error: no saved survey mapping 'sv'")


def test_fcr_and_behaviour_commands(tmp_path: Path) -> None:
    imported(tmp_path)
    code, out, _ = run(tmp_path, "fcr", "--by", "month", "--agent", "aino", "--format", "json")
    assert code == 0
    # AS-1 came back on Nov 4 → K-1001 not resolved; K-1002 (Nov 3) and K-1003 (Nov 4) have no repeat yet but
    # their 7-day windows are still open at the newest answer (Nov 6) → unknown
    assert [(r["n"], r["resolved"], r["unknown"]) for r in json.loads(out)] == [(1, 0, 2)]
    code, out, _ = run(tmp_path, "nps-behaviour", "--format", "json")
    assert code == 0
    payload = json.loads(out)
    assert (payload["n_linked_contacts"], payload["items"]) == (0, [])
    assert payload["note"].startswith("No survey answers are linked")


def test_bad_period_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as caught:
        run(tmp_path, "nps", "--by", "day")
    assert caught.value.code == 2
