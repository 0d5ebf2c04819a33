"""Tables written as CSV for Excel and WPS: UTF-8 with a BOM (so Chinese opens right), streamed row by row."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from datetime import date, datetime, tzinfo
from pathlib import Path

from bot.reports.xlsx import Percent

CSV_ENCODING = "utf-8-sig"
# A cell starting with one of these is read as a formula by Excel: such text is kept as text with a leading quote.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: object, timezone: tzinfo | None) -> str:
    """A value as CSV text: dates ISO, times local to the table's zone, shares as percentages, numbers plain."""
    if value is None:
        return ""
    if isinstance(value, str):
        return "'" + value if value.startswith(_FORMULA_START) else value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime):
        if value.tzinfo is not None and timezone is not None:
            value = value.astimezone(timezone)
        return value.replace(tzinfo=None).isoformat(sep=" ", timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Percent):
        return f"{value.value * 100:.1f}%"
    if isinstance(value, float):
        return f"{round(value, 2):g}"
    if isinstance(value, int):
        return str(value)
    raise TypeError(f"cannot write {type(value).__name__} to a CSV file")


def write_csv(
    path: Path,
    headers: Sequence[str],
    rows: Iterable[Sequence[object]],
    extra: Sequence[Sequence[object]] = (),
    timezone: tzinfo | None = None,
) -> int:
    """Write one table to a CSV file as its rows come; returns the number of rows after the header."""
    written = 0
    with path.open("w", encoding=CSV_ENCODING, newline="") as out:
        writer = csv.writer(out)
        writer.writerow(headers)
        for values in rows:
            writer.writerow([csv_cell(value, timezone) for value in values])
            written += 1
        for values in extra:
            writer.writerow([csv_cell(value, timezone) for value in values])
            written += 1
    return written
