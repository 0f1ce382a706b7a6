"""Spreadsheet-safe exports: every CSV (and any XLSX) the CLI or the app writes goes through here.

A spreadsheet runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return before
one) as a formula, so a name or comment such as ``=HYPERLINK(...)`` would act when a coach opens the file
(OWASP "CSV injection"). :func:`safe_cell` prefixes such text with a single quote; numbers stay numbers
(``-3`` is not quoted), only strings are changed. JSON output is not a spreadsheet and is left as it is.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from typing import TextIO, TypeVar

import pandas as pd

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
T = TypeVar("T")


def safe_cell(value: T) -> T | str:
    """``value`` as a spreadsheet shows it literally: text starting like a formula gets a leading ``'``."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def write_csv(out: TextIO, rows: Iterable[Mapping[str, object]], columns: Sequence[str]) -> None:
    """Header and rows of ``columns`` as CSV (``\\n`` line ends), every cell through :func:`safe_cell`.

    Each line is written with ``\\r\\n`` and ends in ``\\n``: that way a cell holding a carriage return is
    quoted too (the csv module quotes only the characters of its line end)."""
    line = io.StringIO()
    writer = csv.writer(line, lineterminator="\r\n")

    def write(cells: Sequence[object]) -> None:
        writer.writerow([safe_cell(cell) for cell in cells])
        out.write(line.getvalue()[:-2] + "\n")
        line.seek(0)
        line.truncate()

    write(columns)
    for row in rows:
        write([row.get(column) for column in columns])


def csv_text(rows: Iterable[Mapping[str, object]], columns: Sequence[str]) -> str:
    """:func:`write_csv` into a string."""
    out = io.StringIO()
    write_csv(out, rows, columns)
    return out.getvalue()


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells and column names went through :func:`safe_cell` (for CSV or XLSX)."""
    safe = frame.copy()
    for column in safe.columns:
        if not (pd.api.types.is_numeric_dtype(safe[column]) or pd.api.types.is_datetime64_any_dtype(safe[column])):
            safe[column] = safe[column].map(safe_cell)
    safe.columns = [safe_cell(c) for c in safe.columns]
    return safe


def frame_csv(frame: pd.DataFrame) -> bytes:
    """``frame`` (without its index) as UTF-8 CSV with RFC 4180 ``\\r\\n`` line ends (so a cell holding a carriage
    return is quoted), spreadsheet-safe: what the app's download buttons give."""
    return safe_frame(frame).to_csv(index=False, lineterminator="\r\n").encode("utf-8")
