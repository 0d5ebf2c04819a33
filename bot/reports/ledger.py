"""The ledger (台账) and workplace-feedback workbooks, streamed by XlsxWriter so big committees stay cheap."""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from typing import TypeVar

from xlsxwriter import Workbook
from xlsxwriter.worksheet import Worksheet

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
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd h:mm:ss"
# Characters XML 1.0 cannot hold (as openpyxl's ILLEGAL_CHARACTERS_RE): dropped from text.
_ILLEGAL = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")
# XlsxWriter pads a column width by 5 pixels of a 7-pixel digit; take that off so the stored width is ours.
_WIDTH_PADDING = 5 / 7


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
    """A constant-memory workbook whose sheets are tables with a bold, frozen header row."""

    def __init__(self, timezone: tzinfo | None) -> None:
        self.buffer = io.BytesIO()
        self.workbook = Workbook(self.buffer, {"constant_memory": True})
        self.timezone = timezone
        self.bold = self.workbook.add_format({"bold": True})
        self.date = self.workbook.add_format({"num_format": DATE_FORMAT})
        self.datetime = self.workbook.add_format({"num_format": DATETIME_FORMAT})
        self.percent = self.workbook.add_format({"num_format": PERCENT_FORMAT})

    def sheet(self, title: str) -> Worksheet:
        """Add an empty sheet; sheets keep the order they were added in, whichever is filled first."""
        return self.workbook.add_worksheet(title)

    def _writer(self, ws: Worksheet) -> Callable[[int, Sequence[object]], None]:
        """A function writing one row of values into ``ws``, each as its own type."""
        write_string, write_number, write_datetime = ws.write_string, ws.write_number, ws.write_datetime
        illegal, timezone = _ILLEGAL, self.timezone
        date_format, datetime_format, percent_format = self.date, self.datetime, self.percent

        def write(r: int, values: Sequence[object]) -> None:
            for c, value in enumerate(values):
                kind = type(value)
                if kind is str:
                    text: str = value  # type: ignore[assignment]
                    write_string(r, c, illegal.sub("", text) if illegal.search(text) else text)
                elif kind is int:
                    write_number(r, c, value)  # type: ignore[arg-type]
                elif kind is float:
                    write_number(r, c, round(value, 2))  # type: ignore[call-overload]
                elif value is None:
                    continue
                elif kind is date:
                    write_datetime(r, c, value, date_format)  # type: ignore[arg-type]
                elif kind is datetime:
                    moment: datetime = value  # type: ignore[assignment]
                    if moment.tzinfo is not None:
                        moment = (moment.astimezone(timezone) if timezone else moment).replace(tzinfo=None)
                    write_datetime(r, c, moment, datetime_format)
                elif kind is _Percent:
                    write_number(r, c, round(value.value, 4), percent_format)  # type: ignore[attr-defined]
                else:
                    ws.write(r, c, value)

        return write

    def table(
        self,
        title: str | Worksheet,
        headers: Sequence[str],
        items: Iterable[T],
        row: Callable[[T], Sequence[object]],
        extra: Iterable[Sequence[object]] = (),
    ) -> Worksheet:
        """Fill a sheet (or add one): header, one row per item, then any extra rows (totals, notes).

        Items are written as they come, so an iterator is never held; widths come from the first
        WIDTH_SAMPLE_ROWS items and the extra rows.
        """
        ws = self.sheet(title) if isinstance(title, str) else title
        widths = [display_width(h) for h in headers]
        columns = len(widths)

        def measure(values: Sequence[object]) -> None:
            for index, value in enumerate(values[:columns]):
                width = _cell_width(value)
                if width > widths[index]:
                    widths[index] = width

        bold = self.bold
        for index, header in enumerate(headers):
            ws.write_string(0, index, header, bold)
        write = self._writer(ws)
        r = 0
        for item in items:
            r += 1
            values = row(item)
            if r <= WIDTH_SAMPLE_ROWS:
                measure(values)
            write(r, values)
        for values in extra:
            r += 1
            measure(values)
            write(r, values)
        for index, width in enumerate(widths):
            ws.set_column(index, index, min(max(width + 2, MIN_WIDTH), MAX_WIDTH) - _WIDTH_PADDING)
        ws.freeze_panes(1, 0)
        return ws

    def save(self) -> bytes:
        """The workbook as .xlsx bytes."""
        self.workbook.close()
        return self.buffer.getvalue()


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


class _Tally:
    """Per-branch counts for the summary sheet, added up while the member and wish rows stream past."""

    def __init__(self) -> None:
        self.branches: dict[str, _BranchSummary] = {}

    def _of(self, name: str) -> _BranchSummary:
        found = self.branches.get(name)
        if found is None:
            found = self.branches[name] = _BranchSummary(name)
        return found

    def member(self, member: LedgerMember) -> None:
        """Count one member row."""
        summary = self._of(member.branch)
        summary.members += 1
        if member.left:
            summary.left += 1
            return
        if member.reported_at is not None:
            summary.reported += 1
            if member.services > 0:
                summary.served += 1
        summary.services += member.services
        summary.hours += member.hours

    def wish(self, wish: LedgerWish) -> None:
        """Count one wish row."""
        summary = self._of(wish.branch)
        summary.wishes += 1
        if wish.status == "cancelled":
            summary.wishes_cancelled += 1
        elif wish.completed_at is not None:
            summary.wishes_completed += 1
        elif wish.status == "open":
            summary.wishes_open += 1


def summarize(data: LedgerData) -> list[_BranchSummary]:
    """Per-branch counts for the summary sheet, in order of first appearance (consumes iterator rows)."""
    tally = _Tally()
    for member in data.members:
        tally.member(member)
    for wish in data.wishes:
        tally.wish(wish)
    return list(tally.branches.values())


def build_ledger_xlsx(data: LedgerData, lang: str) -> bytes:
    """The committee's ledger (台账): summary, members, micro-wishes and service records, one sheet each.

    Rows may come from iterators: each is written as it arrives and the summary is counted on the way, then
    written last into the first sheet, so memory does not grow with the ledger.
    """
    lang = normalize_language(lang)
    sheets = _Sheets(data.generated_at.tzinfo)
    summary_sheet = sheets.sheet(t("report.ledger.sheet.summary", lang))
    tally = _Tally()

    def member_row(member: LedgerMember) -> list[object]:
        tally.member(member)
        return _member_row(member, lang)

    def wish_row(wish: LedgerWish) -> list[object]:
        tally.wish(wish)
        return _wish_row(wish, lang)

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
        member_row,
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
        wish_row,
    )
    _services_sheet(sheets, data.services, lang)
    branches = list(tally.branches.values())
    total = _BranchSummary(t("report.ledger.total", lang))
    for branch in branches:
        total.add(branch)
    sheets.table(
        summary_sheet,
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
    return sheets.save()


def _services_sheet(sheets: _Sheets, services: Iterable[LedgerService], lang: str) -> None:
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
