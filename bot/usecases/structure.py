"""Reads the structure a committee sets up before any chat exists: committees, branches and their secretaries.

A table (.xlsx or .csv, one row per branch and secretary; an empty 党委 or 支部 cell repeats the one above, as
merged cells in Excel read) or a .toml file. Every bad row is named by its line with the reason; the caller
writes nothing while any is left (``ebranch setup`` is all or nothing, and running it again creates nothing twice).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.config.schema import toml_problem
from bot.domain.privacy import normalize_phone
from bot.i18n import LocalizedError, Phrase, reason, t
from bot.usecases.base import MAX_NAME
from bot.usecases.roster import CSV_SUFFIXES, HEADER_SEARCH_ROWS, XLSX_SUFFIXES, Line, Sheets, header_key, read_table

TOML_SUFFIXES = (".toml",)
TABLE_SUFFIXES = CSV_SUFFIXES + XLSX_SUFFIXES

_ALIASES: dict[str, tuple[str, ...]] = {
    "committee": ("党委", "e党委", "党委名称", "所属党委", "所属e党委", "committee"),
    "branch": ("支部", "e支部", "支部名称", "branch"),
    "name": ("书记", "书记姓名", "支部书记", "secretary", "secretary_name"),
    "phone": ("书记手机号", "书记手机", "手机号", "手机", "手机号码", "联系电话", "phone", "mobile", "secretary_phone"),
}
_WHITESPACE = re.compile(r"\s+")
_TOML_COMMITTEE = re.compile(r"^\s*\[\[\s*committee\s*\]\]")
_TOML_BRANCH = re.compile(r"^\s*\[\[\s*committee\s*\.\s*branch\s*\]\]")


class StructureFileError(LocalizedError):
    """The setup file as a whole cannot be read (not found, not a table, no 党委/支部 columns, not TOML)."""


@dataclass(frozen=True, slots=True)
class Secretary:
    """A branch secretary named in the setup file, known by the phone they will report in with."""

    name: str
    phone: str


@dataclass(frozen=True, slots=True)
class StructureRow:
    """One good row: a committee, maybe a branch of it, maybe a secretary of that branch; ``where`` names the line."""

    where: Phrase
    committee: str
    branch: str = ""
    secretary: Secretary | None = None


@dataclass(frozen=True, slots=True)
class StructureProblem:
    """Why one row was refused; ``key`` is a ``setup.*`` text in ``bot.i18n.cli``."""

    where: Phrase
    key: str
    args: tuple[tuple[str, object], ...] = ()

    def text(self, lang: str | None) -> str:
        """The problem as a sentence naming its row, in the operator's language."""
        return t("setup.problem", lang, where=self.where, problem=Phrase(self.key, dict(self.args)))


@dataclass(frozen=True, slots=True)
class StructureReadResult:
    """The good rows and the problems of the others, both in file order."""

    rows: tuple[StructureRow, ...]
    problems: tuple[StructureProblem, ...]


@dataclass(frozen=True, slots=True)
class _Raw:
    """A row as written (committee and branch filled down), or the problem that makes it unusable as a whole."""

    where: Phrase
    committee: str = ""
    branch: str = ""
    name: str = ""
    phone: str = ""
    refused: str = ""


def read_structure(path: Path) -> StructureReadResult:
    """Read a .xlsx, .csv or .toml setup file; rows that cannot be used become problems naming their line."""
    suffix = path.suffix.lower()
    if suffix in TOML_SUFFIXES:
        return _check(_toml_rows(path))
    if suffix not in TABLE_SUFFIXES:
        raise StructureFileError("setup.file_unsupported", file=path.name)
    return _check(read_table(path, lambda sheets: _table_rows(sheets, path)))


def _collapse(text: object) -> str:
    return _WHITESPACE.sub(" ", str(text)).strip()


def _table_rows(sheets: Sheets, path: Path) -> list[_Raw]:
    for rows in sheets:
        columns = _header(rows)
        if columns is not None:
            return list(_fill_down(rows, columns))
    raise StructureFileError("setup.file_no_columns", file=path.name)


def _header(rows: Iterator[Line]) -> dict[str, int] | None:
    """The first row naming both 党委 and 支部 columns, looking past a few title rows above it."""
    for seen, (_, cells) in enumerate((row for row in rows if any(row[1])), start=1):
        keys = [header_key(cell) for cell in cells]
        found: dict[str, int] = {}
        for column, aliases in _ALIASES.items():
            index = next((keys.index(alias) for alias in aliases if alias in keys), None)
            if index is not None:
                found[column] = index
        if "committee" in found and "branch" in found:
            return found
        if seen >= HEADER_SEARCH_ROWS:
            return None
    return None


def _fill_down(rows: Iterator[Line], columns: dict[str, int]) -> Iterator[_Raw]:
    """Rows as raw entries; an empty 党委 cell repeats the committee above, an empty 支部 cell in a row naming a
    secretary repeats the branch above (under the same committee)."""
    committee = branch = ""
    for line, cells in rows:
        values = {column: _collapse(cells[index]) if index < len(cells) else "" for column, index in columns.items()}
        if not any(values.values()):
            continue
        secretary = values.get("name", "") or values.get("phone", "")
        if values["committee"]:
            if values["committee"] != committee:
                branch = ""
            committee = values["committee"]
        if values["branch"]:
            branch = values["branch"]
        elif not secretary:
            branch = ""
        yield _Raw(
            Phrase.of("setup.where_line", line=line),
            committee,
            branch,
            values.get("name", ""),
            values.get("phone", ""),
        )


def _toml_rows(path: Path) -> list[_Raw]:
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise StructureFileError("roster.file_not_found", file=path.name) from None
    except OSError as exc:
        raise StructureFileError(
            "roster.file_unreadable", file=path.name, reason=reason(exc.strerror or str(exc))
        ) from None
    except UnicodeDecodeError:
        raise StructureFileError("setup.file_not_utf8", file=path.name) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        problem = toml_problem(path.name, exc)
        raise StructureFileError(problem.key, **problem.args) from None
    committees = data.get("committee")
    if set(data) - {"committee"} or not isinstance(committees, list) or not committees:
        raise StructureFileError("setup.toml_shape", file=path.name)
    lines = _toml_lines(text, committees)
    raws: list[_Raw] = []
    for number, committee in enumerate(committees, start=1):
        where = lines.get((number, 0)) or Phrase.of("setup.where_committee", committee=number)
        unknown = _unknown(committee, {"name", "branch"})
        branches = committee.get("branch", []) if isinstance(committee, dict) else None
        if unknown or not isinstance(branches, list):
            raws.append(_Raw(where, refused=unknown or "branch"))
            continue
        name = _collapse(committee.get("name", ""))
        raws.append(_Raw(where, name))
        for place, branch in enumerate(branches, start=1):
            here = lines.get((number, place)) or Phrase.of("setup.where_branch", committee=number, branch=place)
            raws += _toml_branch(here, name, branch)
    return raws


def _unknown(table: object, known: set[str]) -> str:
    """The first key of a TOML table that is not one of ``known`` ("" if none; the table's name if not a table)."""
    if not isinstance(table, dict):
        return "[[...]]"
    return next(iter(sorted(set(table) - known)), "")


def _toml_branch(where: Phrase, committee: str, branch: object) -> list[_Raw]:
    unknown = _unknown(branch, {"name", "secretaries"})
    if unknown or not isinstance(branch, dict):
        return [_Raw(where, committee, refused=unknown)]
    name = _collapse(branch.get("name", ""))
    secretaries = branch.get("secretaries", [])
    if not isinstance(secretaries, list):
        return [_Raw(where, committee, name, refused="secretaries")]
    raws = [_Raw(where, committee, name)]
    for secretary in secretaries:
        unknown = _unknown(secretary, {"name", "phone"})
        if unknown or not isinstance(secretary, dict):
            raws.append(_Raw(where, committee, name, refused=f"secretaries.{unknown}"))
            continue
        raws.append(
            _Raw(where, committee, name, _collapse(secretary.get("name", "")), _collapse(secretary.get("phone", "")))
        )
    return raws


def _toml_lines(text: str, committees: Sequence[object]) -> dict[tuple[int, int], Phrase]:
    """Where each ``[[committee]]`` and ``[[committee.branch]]`` starts, when the file is written with those
    headers (their order in the text is then their order in the data); else nothing, and rows are named by place."""
    headers: list[tuple[bool, int]] = []
    for line, content in enumerate(text.splitlines(), start=1):
        if _TOML_COMMITTEE.match(content):
            headers.append((True, line))
        elif _TOML_BRANCH.match(content):
            headers.append((False, line))
    expected = 0
    for committee in committees:
        branches = committee.get("branch") if isinstance(committee, dict) else None
        expected += 1 + (len(branches) if isinstance(branches, list) else 0)
    if len(headers) != expected or not headers[0][0]:
        return {}
    found: dict[tuple[int, int], Phrase] = {}
    number = place = 0
    for is_committee, line in headers:
        number, place = (number + 1, 0) if is_committee else (number, place + 1)
        found[(number, place)] = Phrase.of("setup.where_line", line=line)
    return found


def _check(raws: Sequence[_Raw]) -> StructureReadResult:
    rows: list[StructureRow] = []
    problems: list[StructureProblem] = []
    phones: dict[str, tuple[str, Phrase]] = {}
    for raw in raws:
        found = _problems(raw, phones)
        if found:
            problems += found
            continue
        secretary = None
        if raw.name or raw.phone:
            phone = normalize_phone(raw.phone) or ""
            secretary = Secretary(raw.name, phone)
            phones.setdefault(phone, (raw.name, raw.where))
        rows.append(StructureRow(raw.where, raw.committee, raw.branch, secretary))
    return StructureReadResult(tuple(rows), tuple(problems))


def _problems(raw: _Raw, phones: dict[str, tuple[str, Phrase]]) -> list[StructureProblem]:
    where = raw.where
    if raw.refused:
        return [StructureProblem(where, "setup.toml_key", (("key", raw.refused),))]
    found: list[StructureProblem] = []
    if not raw.committee:
        found.append(StructureProblem(where, "setup.missing_committee"))
    for value in (raw.committee, raw.branch, raw.name):
        if len(value) > MAX_NAME:
            found.append(StructureProblem(where, "setup.too_long", (("name", value[:12] + "…"), ("limit", MAX_NAME))))
    if not (raw.name or raw.phone):
        return found
    if not raw.branch:
        found.append(StructureProblem(where, "setup.secretary_without_branch"))
    if not raw.name:
        found.append(StructureProblem(where, "setup.missing_name"))
    phone = normalize_phone(raw.phone)
    if not raw.phone:
        found.append(StructureProblem(where, "setup.missing_phone", (("name", raw.name),)))
    elif phone is None:
        found.append(StructureProblem(where, "setup.bad_phone", (("phone", raw.phone[:30]),)))
    elif phone in phones and raw.name and phones[phone][0] != raw.name:
        first_name, first_where = phones[phone]
        args = (("phone", phone), ("name", raw.name), ("first", first_name), ("first_where", first_where))
        found.append(StructureProblem(where, "setup.phone_two_names", args))
    return found
