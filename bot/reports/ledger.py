"""The ledger (台账) and workplace-feedback workbooks, streamed by openpyxl so big committees stay cheap."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from itertools import islice
from typing import Any, TypeVar

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from bot.i18n import normalize_language, t
from bot.reports.data import (
    LedgerData,
    LedgerMember,
    LedgerService,
    LedgerWish,
    WorkplaceFeedback,
    WorkplaceMember,
)
from bot.reports.digest_text import display_width

T = TypeVar("T")

WIDTH_SAMPLE_ROWS = 2000
MIN_WIDTH = 6
MAX_WIDTH = 50
PERCENT_FORMAT = "0.0%"


@dataclass(frozen=True, slots=True)
class _Percent:
    """A 0..1 share written as a number shown as a percentage."""

    value: float


def _cell_width(value: object) -> int:
    if value is None:
        return 0
    if isinstance(value, datetime):
        return 19
    if isinstance(value, date):
        return 10
    if isinstance(value, _Percent):
        return 6
    if isinstance(value, float):
        return len(f"{value:.2f}")
    return display_width(str(value))


class _Sheets:
    """A write-only workbook whose sheets are tables with a bold, frozen header row."""

    def __init__(self, timezone: tzinfo | None) -> None:
        self.workbook = Workbook(write_only=True)
        self.timezone = timezone
        self.bold = Font(bold=True)

    def _value(self, ws: WriteOnlyWorksheet, value: object) -> Any:
        if isinstance(value, str):
            text = ILLEGAL_CHARACTERS_RE.sub("", value)
            if text.startswith("="):
                cell = WriteOnlyCell(ws, text)
                cell.data_type = "s"
                return cell
            return text
        if isinstance(value, datetime):
            if value.tzinfo is not None:
                value = value.astimezone(self.timezone) if self.timezone else value
                return value.replace(tzinfo=None)
            return value
        if isinstance(value, float):
            return round(value, 2)
        if isinstance(value, _Percent):
            cell = WriteOnlyCell(ws, round(value.value, 4))
            cell.number_format = PERCENT_FORMAT
            return cell
        return value

    def table(
        self,
        title: str,
        headers: Sequence[str],
        items: Sequence[T],
        row: Callable[[T], Sequence[object]],
        extra: Iterable[Sequence[object]] = (),
    ) -> WriteOnlyWorksheet:
        """Add a sheet: header, one row per item, then any extra rows (totals, notes)."""
        ws = self.workbook.create_sheet(title)
        extra_rows = list(extra)
        widths = [display_width(h) for h in headers]
        sample = [row(item) for item in islice(items, WIDTH_SAMPLE_ROWS)]
        for values in [*sample, *extra_rows]:
            for index, value in enumerate(values[: len(widths)]):
                widths[index] = max(widths[index], _cell_width(value))
        for index, width in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(index)].width = min(max(width + 2, MIN_WIDTH), MAX_WIDTH)
        ws.freeze_panes = "A2"
        header_cells = []
        for header in headers:
            cell = WriteOnlyCell(ws, header)
            cell.font = self.bold
            header_cells.append(cell)
        ws.append(header_cells)
        value = self._value
        for item in items:
            ws.append([value(ws, v) for v in row(item)])
        for values in extra_rows:
            ws.append([value(ws, v) for v in values])
        return ws

    def save(self) -> bytes:
        """The workbook as .xlsx bytes."""
        buffer = io.BytesIO()
        self.workbook.save(buffer)
        return buffer.getvalue()


def _label(prefix: str, value: str, lang: str) -> str:
    key = f"{prefix}.{value}"
    text = t(key, lang)
    return value if text == key else text


def _yes_no(flag: bool, lang: str) -> str:
    return t("report.ledger.yes" if flag else "report.ledger.no", lang)


def _member_row(member: LedgerMember, lang: str) -> list[object]:
    return [
        member.member_id,
        t("report.ledger.left", lang) if member.left else member.name,
        member.branch,
        member.workplace,
        member.workplace_branch,
        member.reported_at,
        "、".join(member.skills),
        member.commitment,
        member.claims,
        member.services,
        float(member.hours),
        member.avg_rating,
        member.last_served_on,
    ]


def _wish_row(wish: LedgerWish, lang: str) -> list[object]:
    return [
        wish.id,
        wish.branch,
        wish.title,
        wish.category,
        wish.slots,
        _label("report.ledger.status", str(wish.status), lang),
        _label("report.ledger.urgency", str(wish.urgency), lang),
        wish.created_at,
        wish.deadline,
        wish.claimers,
        wish.completed_at,
    ]


def _service_row(service: LedgerService, lang: str) -> list[object]:
    return [
        service.served_on,
        service.member,
        service.branch,
        service.subject,
        float(service.hours),
        _yes_no(service.confirmed, lang),
        service.rating,
    ]


def _columns(lang: str, *names: str) -> list[str]:
    return [t(f"report.ledger.col.{name}", lang) for name in names]


@dataclass(slots=True)
class _BranchSummary:
    branch: str
    members: int = 0
    reported: int = 0
    left: int = 0
    served: int = 0
    services: int = 0
    hours: float = 0.0
    wishes: int = 0
    wishes_open: int = 0
    wishes_completed: int = 0
    wishes_cancelled: int = 0

    def add(self, other: _BranchSummary) -> None:
        """Add another branch's counts into this one."""
        self.members += other.members
        self.reported += other.reported
        self.left += other.left
        self.served += other.served
        self.services += other.services
        self.hours += other.hours
        self.wishes += other.wishes
        self.wishes_open += other.wishes_open
        self.wishes_completed += other.wishes_completed
        self.wishes_cancelled += other.wishes_cancelled

    def row(self) -> list[object]:
        """The summary-sheet row."""
        return [
            self.branch,
            self.members,
            self.reported,
            self.left,
            self.served,
            _Percent(self.served / self.reported if self.reported else 0.0),
            self.services,
            self.hours,
            self.wishes,
            self.wishes_open,
            self.wishes_completed,
            self.wishes_cancelled,
        ]


def summarize(data: LedgerData) -> list[_BranchSummary]:
    """Per-branch counts for the summary sheet, in order of first appearance."""
    branches: dict[str, _BranchSummary] = {}

    def of(name: str) -> _BranchSummary:
        found = branches.get(name)
        if found is None:
            found = branches[name] = _BranchSummary(name)
        return found

    for member in data.members:
        summary = of(member.branch)
        summary.members += 1
        if member.left:
            summary.left += 1
            continue
        if member.reported_at is not None:
            summary.reported += 1
            if member.services > 0:
                summary.served += 1
        summary.services += member.services
        summary.hours += member.hours
    for wish in data.wishes:
        summary = of(wish.branch)
        summary.wishes += 1
        if wish.status == "cancelled":
            summary.wishes_cancelled += 1
        elif wish.completed_at is not None:
            summary.wishes_completed += 1
        elif wish.status == "open":
            summary.wishes_open += 1
    return list(branches.values())


def build_ledger_xlsx(data: LedgerData, lang: str) -> bytes:
    """The committee's ledger (台账): summary, members, micro-wishes and service records, one sheet each."""
    lang = normalize_language(lang)
    sheets = _Sheets(data.generated_at.tzinfo)
    branches = summarize(data)
    total = _BranchSummary(t("report.ledger.total", lang))
    for branch in branches:
        total.add(branch)
    sheets.table(
        t("report.ledger.sheet.summary", lang),
        _columns(
            lang,
            "branch",
            "members",
            "reported",
            "left",
            "served",
            "served_pct",
            "services",
            "hours",
            "wishes",
            "wishes_open",
            "wishes_completed",
            "wishes_cancelled",
        ),
        branches,
        _BranchSummary.row,
        extra=[
            total.row(),
            [],
            [t("report.ledger.committee", lang), data.committee_name],
            [t("report.ledger.generated_at", lang), data.generated_at],
        ],
    )
    sheets.table(
        t("report.ledger.sheet.members", lang),
        _columns(
            lang,
            "member_id",
            "name",
            "branch",
            "workplace",
            "workplace_branch",
            "reported_at",
            "skills",
            "commitment",
            "claims",
            "services",
            "hours",
            "avg_rating",
            "last_served_on",
        ),
        data.members,
        lambda member: _member_row(member, lang),
    )
    sheets.table(
        t("report.ledger.sheet.wishes", lang),
        _columns(
            lang,
            "wish_id",
            "branch",
            "title",
            "category",
            "slots",
            "status",
            "urgency",
            "created_at",
            "deadline",
            "claimers",
            "completed_at",
        ),
        data.wishes,
        lambda wish: _wish_row(wish, lang),
    )
    _services_sheet(sheets, data.services, lang)
    return sheets.save()


def _services_sheet(sheets: _Sheets, services: Sequence[LedgerService], lang: str) -> None:
    sheets.table(
        t("report.ledger.sheet.services", lang),
        _columns(lang, "served_on", "member", "branch", "subject", "hours", "confirmed", "rating"),
        services,
        lambda service: _service_row(service, lang),
    )


def _feedback_member_row(member: WorkplaceMember, lang: str) -> list[object]:
    return [
        t("report.ledger.left", lang) if member.left else member.name,
        member.workplace,
        member.branch,
        member.reported_at,
        member.services,
        float(member.hours),
        member.avg_rating,
        member.last_served_on,
        _yes_no(member.served, lang),
    ]


def build_workplace_feedback_xlsx(feedback: WorkplaceFeedback, lang: str) -> bytes:
    """Feedback to one workplace branch (双报到): its members' community service this quarter."""
    lang = normalize_language(lang)
    sheets = _Sheets(feedback.generated_at.tzinfo)
    members = feedback.members
    met = sum(1 for member in members if member.served)
    summary_row: list[object] = [
        feedback.workplace_branch,
        feedback.quarter_label,
        len(members),
        met,
        len(members) - met,
        _Percent(met / len(members) if members else 0.0),
        sum(member.services for member in members),
        float(sum(member.hours for member in members)),
    ]
    sheets.table(
        t("report.feedback.sheet.summary", lang),
        [
            *_columns(lang, "workplace_branch"),
            t("report.ledger.quarter", lang),
            *_columns(lang, "members"),
            t("report.feedback.col.met_count", lang),
            t("report.feedback.col.not_met_count", lang),
            *_columns(lang, "served_pct", "services", "hours"),
        ],
        [summary_row],
        list,
        extra=[
            [],
            [t("report.ledger.committee", lang), feedback.committee_name],
            [t("report.ledger.generated_at", lang), feedback.generated_at],
        ],
    )
    sheets.table(
        t("report.feedback.sheet.members", lang),
        [
            *_columns(lang, "name", "workplace"),
            t("report.feedback.col.branch", lang),
            *_columns(lang, "reported_at"),
            t("report.feedback.col.services", lang),
            t("report.feedback.col.hours", lang),
            *_columns(lang, "avg_rating", "last_served_on"),
            t("report.feedback.col.met", lang),
        ],
        members,
        lambda member: _feedback_member_row(member, lang),
    )
    _services_sheet(sheets, feedback.services, lang)
    return sheets.save()
