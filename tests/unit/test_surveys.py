"""Reading survey exports: column mapping, types, and one-line rejections naming row and column."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from coaching.errors import SurveyImportError
from coaching.outcomes.surveys import check_mapping, parse_mapping_options, read_survey_file, validate_surveys

DATA = Path(__file__).resolve().parents[1] / "data" / "surveys"
FI_MAPPING = {
    "Yhteys-ID": "contact_id",
    "Agentti": "agent",
    "Vastattu": "answered_at",
    "Suositteluindeksi": "score",
    "Kanava": "channel",
    "Tiimi": "team",
    "Asiakas": "customer_id",
    "Kommentti": "comment",
}


def write_csv(tmp_path: Path, text: str, name: str = "survey.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_mapped_finnish_semicolon_export_gives_canonical_typed_rows() -> None:
    frame = read_survey_file(path=DATA / "export_fi.csv", mapping=FI_MAPPING)
    assert frame["contact_id"].tolist() == ["K-1001", "K-1002", "K-1003", "K-1004", "K-1005"]
    assert frame["row"].tolist() == [2, 3, 5, 6, 7]  # the blank line is spreadsheet row 4
    assert frame["score"].tolist() == [10, 9, 7, 6, 3]
    assert frame["channel"].tolist() == ["phone", "chat", None, "email", None]
    assert frame["team"].tolist() == ["perinta-1"] * 3 + ["perinta-2"] * 2
    assert frame["comment"].tolist() == ["Kiitos avusta", None, None, "Jäi epäselväksi", None]
    # naive times are UTC; an offset is converted (12:00+02:00 → 10:00Z)
    assert frame["answered_at"].tolist()[0].to_pydatetime() == datetime(2026, 11, 2, 9, 15, tzinfo=UTC)
    assert frame["answered_at"].tolist()[2].to_pydatetime() == datetime(2026, 11, 4, 10, 0, tzinfo=UTC)


def test_without_mapping_the_finnish_export_is_rejected_naming_the_missing_column() -> None:
    with pytest.raises(SurveyImportError, match=r"export_fi.csv row 1: missing required column 'contact_id'"):
        read_survey_file(path=DATA / "export_fi.csv")


def test_canonical_headers_match_regardless_of_case_and_spaces(tmp_path: Path) -> None:
    path = write_csv(tmp_path, " Contact_ID ,AGENT,Answered_At,Score,Resolved\nC1,a1,2026-11-02,8,kyllä\n")
    frame = read_survey_file(path=path)
    assert frame.loc[0, "contact_id"] == "C1"
    assert frame.loc[0, "resolved"] is True


def test_parse_mapping_options_and_bad_targets() -> None:
    assert parse_mapping_options(items=["NPS=score", " Pvm = answered_at"]) == {"NPS": "score", "Pvm": "answered_at"}
    with pytest.raises(SurveyImportError, match=r"'NPS' is not SRC=DST"):
        parse_mapping_options(items=["NPS"])
    with pytest.raises(SurveyImportError, match=r"'rating' is not a survey column"):
        check_mapping(mapping={"NPS": "rating"})
    with pytest.raises(SurveyImportError, match=r"both 'A' and 'B' map to 'score'"):
        check_mapping(mapping={"A": "score", "B": "score"})


def test_mapped_source_missing_from_the_file_is_named(tmp_path: Path) -> None:
    path = write_csv(tmp_path, "contact_id,agent,answered_at,score\nC1,a1,2026-11-02,8\n")
    with pytest.raises(SurveyImportError, match=r"survey.csv row 1: mapped column 'NPS' is not in the file"):
        read_survey_file(path=path, mapping={"NPS": "score"})


def test_a_mapped_column_wins_over_an_unmapped_one_with_the_canonical_name(tmp_path: Path) -> None:
    path = write_csv(tmp_path, "contact_id,agent,answered_at,score,NPS\nC1,a1,2026-11-02,1,9\n")
    assert read_survey_file(path=path, mapping={"NPS": "score"})["score"].tolist() == [9]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "contact_id,agent,answered_at,score\nC1,a1,2026-11-02,10\nC2,a1,2026-11-02,11\n",
            "survey.csv row 3, column 'score': 11 is outside 0–10",
        ),
        ("contact_id,agent,answered_at,score\nC1,a1,2026-11-02,-1\n", "row 2, column 'score': -1 is outside 0–10"),
        ("contact_id,agent,answered_at,score\nC1,a1,2026-11-02,8.5\n", "row 2, column 'score': 8.5 is not a whole"),
        ("contact_id,agent,answered_at,score\nC1,a1,2026-11-02,good\n", "row 2, column 'score': 'good' is not a num"),
        ("contact_id,agent,answered_at,score\nC1,a1,2026-11-02,\n", "row 2, column 'score': empty, but score is"),
        (
            "contact_id,agent,answered_at,score\nC1,a1,02.11.2026,9\n",
            "row 2, column 'answered_at': '02.11.2026' is not an ISO date",
        ),
        ("contact_id,agent,answered_at,score\nC1,a1,2026-13-01,9\n", "row 2, column 'answered_at': '2026-13-01'"),
        ("contact_id,agent,answered_at,score\n,a1,2026-11-01,9\n", "row 2, column 'contact_id': empty"),
        (
            "contact_id,agent,answered_at,score\nC1,a1,2026-11-01,9\nC1,a2,2026-11-02,9\n",
            "row 3, column 'contact_id': 'C1' repeats row 2",
        ),
        ("contact_id,agent,answered_at,score,channel\nC1,a1,2026-11-01,9,fax\n", "row 2, column 'channel': 'fax'"),
        ("contact_id,agent,answered_at,score,resolved\nC1,a1,2026-11-01,9,maybe\n", "column 'resolved': 'maybe'"),
        ("contact_id,agent,answered_at\nC1,a1,2026-11-01\n", "row 1: missing required column 'score'"),
        ("contact_id,agent,answered_at,score\n", "survey.csv: no survey rows below the header"),
        ("", "survey.csv: the file is empty"),
        ("  \n\n", "survey.csv: the file is empty"),
    ],
)
def test_bad_csv_is_rejected_with_one_line_naming_row_and_column(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(SurveyImportError) as caught:
        read_survey_file(path=write_csv(tmp_path, text))
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_error_names_the_export_column_and_its_meaning(tmp_path: Path) -> None:
    path = write_csv(tmp_path, "id,who,when,NPS\nC1,a1,2026-11-02,12\n")
    mapping = {"id": "contact_id", "who": "agent", "when": "answered_at", "NPS": "score"}
    with pytest.raises(SurveyImportError, match=r"row 2, column 'NPS' \(score\): 12 is outside 0–10"):
        read_survey_file(path=path, mapping=mapping)


def test_xlsx_with_typed_cells_is_read(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Kontakti", "agent", "answered_at", "score", "resolved"])
    sheet.append(["X-1", "aino", datetime(2026, 11, 2, 14, 30), 9, True])
    sheet.append(["X-2", "aino", datetime(2026, 11, 3), 4.0, None])
    path = tmp_path / "survey.xlsx"
    book.save(path)
    frame = read_survey_file(path=path, mapping={"Kontakti": "contact_id"})
    assert frame["score"].tolist() == [9, 4]
    assert frame["resolved"].tolist() == [True, None]
    assert frame["answered_at"].tolist()[0].to_pydatetime() == datetime(2026, 11, 2, 14, 30, tzinfo=UTC)


def test_xlsx_bad_score_names_sheet_row(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["contact_id", "agent", "answered_at", "score"])
    for i in range(12):
        sheet.append([f"C{i}", "aino", "2026-11-02", 15 if i == 11 else 8])
    book.save(tmp_path / "survey.xlsx")
    with pytest.raises(SurveyImportError, match=r"survey.xlsx row 13, column 'score': 15 is outside 0–10"):
        read_survey_file(path=tmp_path / "survey.xlsx")


def test_a_file_that_is_not_an_xlsx_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "survey.xlsx"
    path.write_text("contact_id,agent,answered_at,score\nC1,a1,2026-11-02,9\n", encoding="utf-8")
    with pytest.raises(SurveyImportError, match=r"survey.xlsx: not a readable XLSX workbook"):
        read_survey_file(path=path)


def test_unsupported_suffix_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "survey.pdf"
    path.write_bytes(b"%PDF-1.4")
    with pytest.raises(SurveyImportError, match=r"unsupported file type '.pdf'"):
        read_survey_file(path=path)


def test_validating_a_dataframe_counts_rows_like_a_sheet() -> None:
    frame = pd.DataFrame(
        {"contact_id": ["A", "B"], "agent": ["x", "y"], "answered_at": ["2026-11-01", "2026-11-02"], "score": [9, 99]}
    )
    with pytest.raises(SurveyImportError, match=r"demo row 3, column 'score': 99 is outside 0–10"):
        validate_surveys(raw=frame, source_name="demo")
