"""Reads the roster (花名册) a committee keeps in Excel, so members are matched when they report in (报到)."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, TypeVar
from xml.etree.ElementTree import ParseError

from bot.domain.privacy import normalize_phone
from bot.i18n import LocalizedError, t

MAX_FIELD_LENGTH = 200
HEADER_SEARCH_ROWS = 10
CSV_SUFFIXES = (".csv",)
XLSX_SUFFIXES = (".xlsx", ".xlsm")

_ALIASES: dict[str, tuple[str, ...]] = {
    "name": ("姓名", "name", "名字"),
    "phone": ("手机号", "手机", "手机号码", "phone", "mobile", "phone_number", "联系电话", "电话"),
    "workplace": ("工作单位", "workplace", "单位"),
    "workplace_branch": ("单位党支部", "workplace_branch", "工作单位党支部"),
    "skills": ("技能", "skills", "特长", "专长"),
    "commitment": ("承诺", "commitment", "服务承诺"),
    "team": ("服务队", "team", "志愿服务队"),
    # emergency mode (战时应急)
    "emergency_post": ("应急岗位", "战时应急岗位", "战时岗位", "emergency_post"),
    "grid": ("网格", "楼栋", "网格/楼栋", "grid"),
    # sign-in codes: the branch's grid workers (网格员)
    "grid_worker": ("网格员", "grid_worker"),
}
_YES = frozenset({"是", "y", "yes", "1", "true", "√", "✓", "✔", "网格员"})
_REQUIRED_COLUMNS = (("name", "roster.file_no_name_column"), ("phone", "roster.file_no_phone_column"))

_SKILL_SEPARATORS = re.compile(r"[、，,;；/／|\s]+")
_WHITESPACE = re.compile(r"\s+")
_CJK_NAME = re.compile(r"[\u3400-\u9fff\uf900-\ufaff·•．.]+")
_HEADER_NOTE = re.compile(r"[(（\[【].*[)）\]】]$")


class RosterFileError(LocalizedError):
    """The roster file as a whole cannot be read; carries an i18n key so the bot can say why in zh or en."""


@dataclass(frozen=True, slots=True)
class RosterRow:
    """One member from the roster, cleaned up and ready to be matched at report-in."""

    line: int
    name: str
    phone: str
    workplace: str = ""
    workplace_branch: str = ""
    skills: tuple[str, ...] = ()
    commitment: str = ""
    team: str = ""
    emergency_post: str = ""
    grid: str = ""
    grid_worker: bool = False
    """The 网格员 column says yes (是, Y, 1, √): the member opens the branch's sign-in codes."""


@dataclass(frozen=True, slots=True)
class RosterProblem:
    """Why one line of the roster was left out; ``key`` is a message in ``bot.i18n.roster``."""

    line: int
    key: str
    args: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class RosterReadResult:
    """The good rows and the problems of the others, both in file order."""

    rows: tuple[RosterRow, ...]
    problems: tuple[RosterProblem, ...]


@dataclass(frozen=True, slots=True)
class _Header:
    line: int
    columns: dict[str, int]
    labels: dict[str, str]


Line = tuple[int, list[str]]
"""One row of a table file: its line (row) number from 1, and its cells as text."""
Sheets = Iterable[Iterator[Line]]
T = TypeVar("T")


def read_roster(path: Path) -> RosterReadResult:
    """Read a .csv (UTF-8, with or without BOM, or GBK) or .xlsx roster; bad lines become problems."""
    return read_table(path, lambda sheets: _read_sheets(sheets, path))


def read_table(path: Path, read: Callable[[Sheets], T]) -> T:
    """Hand the rows of every sheet of a .csv or .xlsx file to ``read`` (the workbook stays open while it reads);
    a file that cannot be read at all is a RosterFileError."""
    suffix = path.suffix.lower()
    if suffix in CSV_SUFFIXES:
        return read([_csv_rows(path)])
    if suffix in XLSX_SUFFIXES:
        return _read_xlsx(path, read)
    raise RosterFileError("roster.file_unsupported", file=path.name)


def problem_text(problem: RosterProblem, lang: str | None = None) -> str:
    """One problem as a sentence naming its line, for the secretary who uploaded the roster."""
    return t(problem.key, lang, line=problem.line, **dict(problem.args))


def split_skills(text: str) -> tuple[str, ...]:
    """Skills written in one cell as "维修、理发, 法律咨询" become separate entries, each once."""
    return tuple(dict.fromkeys(part for part in _SKILL_SEPARATORS.split(text) if part))


def _read_file_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise RosterFileError("roster.file_not_found", file=path.name) from None
    except OSError as exc:
        raise RosterFileError("roster.file_unreadable", file=path.name, reason=str(exc.strerror or exc)) from None


def _decode(data: bytes, path: Path) -> str:
    utf8_bom = b"\xef\xbb\xbf"
    encodings = ("utf-8",) if data.startswith(utf8_bom) else ("utf-8", "gb18030")
    for encoding in encodings:
        try:
            return data.removeprefix(utf8_bom).decode(encoding)
        except UnicodeDecodeError:
            continue
    raise RosterFileError("roster.file_encoding", file=path.name)


def _csv_rows(path: Path) -> Iterator[Line]:
    text = _decode(_read_file_bytes(path), path)
    head = text[:4096]
    delimiter = "\t" if head.count("\t") > head.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    return ((line, [cell.strip() for cell in cells]) for line, cells in enumerate(reader, start=1))


def _read_xlsx(path: Path, read: Callable[[Sheets], T]) -> T:
    from openpyxl import load_workbook

    if not path.is_file():
        raise RosterFileError("roster.file_not_found", file=path.name)
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception:
        raise RosterFileError("roster.file_bad_xlsx", file=path.name) from None
    try:
        return read(_sheet_rows(sheet, path) for sheet in workbook.worksheets)
    finally:
        workbook.close()


def _sheet_rows(sheet: Any, path: Path) -> Iterator[Line]:
    if hasattr(sheet, "reset_dimensions"):
        sheet.reset_dimensions()
    try:
        for line, values in enumerate(sheet.iter_rows(min_row=1, values_only=True), start=1):
            yield line, [_cell_text(value) for value in values]
    except (zipfile.BadZipFile, KeyError, ValueError, ParseError):
        raise RosterFileError("roster.file_bad_xlsx", file=path.name) from None


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def _read_sheets(sheets: Sheets, path: Path) -> RosterReadResult:
    first_missing: str | None = None
    for rows in sheets:
        header, missing = _find_header(rows)
        if header is not None:
            return _read_rows(header, rows)
        first_missing = first_missing or missing
    raise RosterFileError(first_missing or _REQUIRED_COLUMNS[0][1], file=path.name)


def _find_header(rows: Iterator[Line]) -> tuple[_Header | None, str | None]:
    """The first row naming both required columns, looking past a few title rows above it."""
    missing: str | None = None
    for seen, (line, cells) in enumerate((row for row in rows if any(row[1])), start=1):
        columns = _match_columns(cells)
        absent = [key for column, key in _REQUIRED_COLUMNS if column not in columns]
        if not absent:
            labels = {column: cells[index] for column, index in columns.items()}
            return _Header(line, columns, labels), None
        missing = missing or absent[0]
        if seen >= HEADER_SEARCH_ROWS:
            break
    return None, missing


def _match_columns(cells: Sequence[str]) -> dict[str, int]:
    headers = [header_key(cell) for cell in cells]
    columns: dict[str, int] = {}
    for column, aliases in _ALIASES.items():
        for alias in aliases:
            if alias in headers:
                columns[column] = headers.index(alias)
                break
    return columns


def header_key(cell: str) -> str:
    """A header cell as a column name to look up: width-folded, lower case, without a trailing note or ``*``."""
    text = unicodedata.normalize("NFKC", cell).strip().strip("*").strip()
    text = _HEADER_NOTE.sub("", text).strip("*").strip()
    return _WHITESPACE.sub("_", text.lower()).replace("-", "_")


def _read_rows(header: _Header, rows: Iterator[Line]) -> RosterReadResult:
    accepted: list[RosterRow] = []
    problems: list[RosterProblem] = []
    first_line_of_phone: dict[str, int] = {}
    for line, cells in rows:
        values = {column: cells[index] if index < len(cells) else "" for column, index in header.columns.items()}
        if not any(values.values()):
            continue
        row_problems = _row_problems(line, values, header, first_line_of_phone)
        if row_problems:
            problems.extend(row_problems)
            continue
        accepted.append(
            RosterRow(
                line=line,
                name=_clean_name(values["name"]),
                phone=normalize_phone(values["phone"]) or "",
                workplace=_collapse(values.get("workplace", "")),
                workplace_branch=_collapse(values.get("workplace_branch", "")),
                skills=split_skills(values.get("skills", "")),
                commitment=values.get("commitment", "").strip(),
                team=_collapse(values.get("team", "")),
                emergency_post=_collapse(values.get("emergency_post", "")),
                grid=_collapse(values.get("grid", "")),
                grid_worker=_collapse(values.get("grid_worker", "")).lower() in _YES,
            )
        )
    return RosterReadResult(rows=tuple(accepted), problems=tuple(problems))


def _row_problems(
    line: int, values: dict[str, str], header: _Header, first_line_of_phone: dict[str, int]
) -> list[RosterProblem]:
    problems: list[RosterProblem] = []
    if not _clean_name(values["name"]):
        problems.append(RosterProblem(line, "roster.missing_name"))
    raw_phone = values["phone"].strip()
    phone = normalize_phone(raw_phone)
    if not raw_phone:
        problems.append(RosterProblem(line, "roster.missing_phone"))
    elif phone is None:
        problems.append(RosterProblem(line, "roster.bad_phone", (("phone", _shorten(raw_phone)),)))
    elif phone in first_line_of_phone:
        first = str(first_line_of_phone[phone])
        problems.append(RosterProblem(line, "roster.duplicate_phone", (("phone", phone), ("first_line", first))))
    else:
        first_line_of_phone[phone] = line
    for column, value in values.items():
        if column != "phone" and len(value.strip()) > MAX_FIELD_LENGTH:
            args = (("column", header.labels[column]), ("limit", str(MAX_FIELD_LENGTH)))
            problems.append(RosterProblem(line, "roster.too_long", args))
    return problems


def _clean_name(text: str) -> str:
    collapsed = _collapse(text)
    squeezed = collapsed.replace(" ", "")
    return squeezed if _CJK_NAME.fullmatch(squeezed) else collapsed


def _collapse(text: str) -> str:
    return _WHITESPACE.sub(" ", text).strip()


def _shorten(text: str, limit: int = 30) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
