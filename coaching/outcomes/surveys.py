"""Survey exports (CSV, XLSX) → one validated, canonical DataFrame, or one error line.

Canonical columns: ``contact_id``, ``agent``, ``answered_at`` (ISO date or datetime), ``score`` (0–10),
optional ``comment``, ``channel`` (phone, chat, email, self-service), ``team``, ``customer_id``, ``resolved``.
A mapping ``{export column: canonical column}`` renames an export's own headers. Validation is
all-or-nothing: the first bad cell raises :class:`SurveyImportError` naming the row (header = row 1) and column.
"""

from __future__ import annotations

import io
import math
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from coaching.errors import SurveyImportError
from coaching.jsonable import JsonObject

REQUIRED_COLUMNS: tuple[str, ...] = ("contact_id", "agent", "answered_at", "score")
OPTIONAL_COLUMNS: tuple[str, ...] = ("comment", "channel", "team", "customer_id", "resolved")
CANONICAL_COLUMNS: tuple[str, ...] = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
CHANNELS: tuple[str, ...] = ("phone", "chat", "email", "self-service")
MAX_LENGTHS: dict[str, int] = {"contact_id": 128, "agent": 64, "team": 64, "customer_id": 128}
CSV_SUFFIXES = (".csv", ".txt", ".tsv")
XLSX_SUFFIXES = (".xlsx", ".xlsm")
_CHANNEL_ALIASES = {
    "e-mail": "email",
    "mail": "email",
    "self service": "self-service",
    "selfservice": "self-service",
    "puhelin": "phone",
    "sähköposti": "email",
    "itsepalvelu": "self-service",  # fi
    "telefon": "phone",
    "e-post": "email",
    "självservice": "self-service",  # sv
}
_TRUE = {"true", "yes", "y", "1", "kyllä", "k", "ja", "x"}
_FALSE = {"false", "no", "n", "0", "ei", "e", "nej"}


def parse_mapping_options(*, items: Sequence[str]) -> dict[str, str]:
    """Parse ``["Kontakti=contact_id", ...]`` (CLI ``--mapping``) into a checked mapping."""
    mapping: dict[str, str] = {}
    for item in items:
        source, sep, target = item.partition("=")
        if not sep or not source.strip() or not target.strip():
            raise SurveyImportError(f"mapping {item!r} is not SRC=DST (e.g. 'Suositteluindeksi=score')")
        mapping[source.strip()] = target.strip()
    return check_mapping(mapping=mapping)


def check_mapping(*, mapping: Mapping[str, str]) -> dict[str, str]:
    """Return ``mapping`` as a dict; raise if a target is not canonical or two sources share a target."""
    seen: dict[str, str] = {}
    for source, target in mapping.items():
        if target not in CANONICAL_COLUMNS:
            raise SurveyImportError(
                f"mapping {source}={target}: {target!r} is not a survey column ({', '.join(CANONICAL_COLUMNS)})"
            )
        if target in seen:
            raise SurveyImportError(f"mapping: both {seen[target]!r} and {source!r} map to {target!r}")
        seen[target] = source
    return dict(mapping)


def read_survey_file(*, path: Path, mapping: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Read and validate a CSV or XLSX survey export; see :func:`validate_surveys` for the result."""
    return validate_surveys(raw=read_raw_table(path=path), source_name=path.name, mapping=mapping)


def read_raw_table(*, path: Path) -> pd.DataFrame:
    """Read the first sheet / the CSV as text cells; row ``i`` of the result is spreadsheet row ``i + 2``."""
    name = path.name
    suffix = path.suffix.lower()
    if suffix not in CSV_SUFFIXES + XLSX_SUFFIXES:
        raise SurveyImportError(f"{name}: unsupported file type {suffix or '(none)'!r}; use .csv or .xlsx")
    try:
        data = path.read_bytes()
    except OSError as error:
        raise SurveyImportError(f"{name}: cannot read the file: {error.strerror or error}") from None
    if not data.strip():
        raise SurveyImportError(f"{name}: the file is empty")
    if suffix in XLSX_SUFFIXES:
        return _read_xlsx(data=data, name=name)
    return _read_csv(data=data, name=name)


def _read_xlsx(*, data: bytes, name: str) -> pd.DataFrame:
    try:
        frame = pd.read_excel(io.BytesIO(data), sheet_name=0, dtype=object, engine="openpyxl")
    except Exception as error:  # openpyxl raises many kinds for a broken or foreign file
        raise SurveyImportError(f"{name}: not a readable XLSX workbook ({error.__class__.__name__})") from None
    return frame


def _read_csv(*, data: bytes, name: str) -> pd.DataFrame:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    first_line = text.lstrip("\r\n").splitlines()[0]
    separator = max((";", ",", "\t"), key=first_line.count)
    try:
        return pd.read_csv(io.StringIO(text), sep=separator, dtype=str, keep_default_na=False, skip_blank_lines=False)
    except (pd.errors.ParserError, ValueError) as error:
        raise SurveyImportError(f"{name}: not a readable CSV file: {str(error).strip().splitlines()[-1]}") from None


def validate_surveys(*, raw: pd.DataFrame, source_name: str, mapping: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Check every cell and return canonical columns plus ``row`` (spreadsheet row number).

    ``answered_at`` is timezone-aware UTC (naive times are taken as UTC), ``score`` an int,
    ``resolved`` True/False/None; empty optional cells are None. Fully blank rows are skipped.
    """
    if len(raw.columns) == 0:
        raise SurveyImportError(f"{source_name}: the file is empty")
    columns = _resolve_columns(raw=raw, source_name=source_name, mapping=check_mapping(mapping=mapping or {}))
    records: list[JsonObject] = []  # rows of the DataFrame below
    first_row: dict[str, int] = {}
    for position, values in enumerate(raw.itertuples(index=False, name=None)):
        cells = [_cell_text(v) for v in values]
        if not any(cells):
            continue
        row = position + 2
        record: JsonObject = {"row": row}
        for canonical in CANONICAL_COLUMNS:
            index = columns.get(canonical)
            text = cells[index] if index is not None else ""
            label = _column_label(raw=raw, index=index, canonical=canonical)
            record[canonical] = _parse_cell(canonical=canonical, text=text, where=f"{source_name} row {row}, {label}")
        contact = record["contact_id"]
        if contact in first_row:
            label = _column_label(raw=raw, index=columns["contact_id"], canonical="contact_id")
            raise SurveyImportError(f"{source_name} row {row}, {label}: {contact!r} repeats row {first_row[contact]}")
        first_row[contact] = row
        records.append(record)
    if not records:
        raise SurveyImportError(f"{source_name}: no survey rows below the header")
    frame = pd.DataFrame(records, columns=["row", *CANONICAL_COLUMNS], dtype=object)  # empty cells stay None
    frame["answered_at"] = pd.to_datetime(frame["answered_at"], utc=True)
    frame["score"] = frame["score"].astype("int64")
    frame["row"] = frame["row"].astype("int64")
    return frame


def _resolve_columns(*, raw: pd.DataFrame, source_name: str, mapping: Mapping[str, str]) -> dict[str, int]:
    """Canonical column → position in ``raw``; headers match case- and space-insensitively."""
    headers = [str(h).strip() for h in raw.columns]
    folded = [h.casefold() for h in headers]
    columns: dict[str, int] = {}
    for source, target in mapping.items():
        if source.strip().casefold() not in folded:
            raise SurveyImportError(
                f"{source_name} row 1: mapped column {source!r} is not in the file (columns: {', '.join(headers)})"
            )
        columns[target] = folded.index(source.strip().casefold())
    for index, header in enumerate(folded):
        if header not in CANONICAL_COLUMNS or index in columns.values() or header in mapping.values():
            continue  # a mapped column wins over an unmapped one of the same name
        if header in columns:
            raise SurveyImportError(
                f"{source_name} row 1, column {headers[index]!r}: {header!r} is also given by "
                f"column {headers[columns[header]]!r}"
            )
        columns[header] = index
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        raise SurveyImportError(
            f"{source_name} row 1: missing required column {missing[0]!r} (columns: {', '.join(headers)}; "
            f"map one with --mapping SRC={missing[0]})"
        )
    return columns


def _column_label(*, raw: pd.DataFrame, index: int | None, canonical: str) -> str:
    header = canonical if index is None else str(raw.columns[index]).strip()
    return f"column {header!r}" if header.casefold() == canonical else f"column {header!r} ({canonical})"


def _cell_text(value: object) -> str:
    if value is None or value is pd.NaT:
        return ""
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def _parse_cell(*, canonical: str, text: str, where: str) -> Any:
    if canonical in REQUIRED_COLUMNS and not text:
        raise SurveyImportError(f"{where}: empty, but {canonical} is required")
    if canonical == "score":
        return _parse_score(text=text, where=where)
    if canonical == "answered_at":
        return _parse_when(text=text, where=where)
    if not text:
        return None
    if canonical == "channel":
        channel = _CHANNEL_ALIASES.get(text.casefold(), text.casefold())
        if channel not in CHANNELS:
            raise SurveyImportError(f"{where}: {text!r} is not a channel ({', '.join(CHANNELS)})")
        return channel
    if canonical == "resolved":
        if text.casefold() in _TRUE:
            return True
        if text.casefold() in _FALSE:
            return False
        raise SurveyImportError(f"{where}: {text!r} is not yes/no (true/false, 1/0)")
    limit = MAX_LENGTHS.get(canonical)
    if limit is not None and len(text) > limit:
        raise SurveyImportError(f"{where}: {text[:20]!r}… is longer than {limit} characters")
    return text


def _parse_score(*, text: str, where: str) -> int:
    try:
        number = float(text.replace(",", "."))
    except ValueError:
        raise SurveyImportError(f"{where}: {text!r} is not a number 0–10") from None
    if not number.is_integer():
        raise SurveyImportError(f"{where}: {text} is not a whole number 0–10")
    if not 0 <= number <= 10:
        raise SurveyImportError(f"{where}: {text} is outside 0–10")
    return int(number)


def _parse_when(*, text: str, where: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise SurveyImportError(f"{where}: {text!r} is not an ISO date or datetime (YYYY-MM-DD[ HH:MM])") from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC)
