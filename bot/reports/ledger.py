"""The ledger (台账) and workplace-feedback workbooks, streamed sheet by sheet so big committees stay cheap."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from bot.domain.records import PointsRule
from bot.domain.reports import (
    LedgerData,
    LedgerMember,
    LedgerPairing,
    LedgerService,
    LedgerVisit,
    LedgerWish,
    WorkplaceFeedback,
    WorkplaceMember,
)
from bot.i18n import normalize_language, t
from bot.reports.csv_tables import write_csv
from bot.reports.xlsx import MAX_ROWS, Percent, TableBook


class _Labels:
    """The ledger's translated words for one language, looked up once per workbook instead of once per row."""

    def __init__(self, lang: str, now: datetime) -> None:
        self.lang = lang
        self.now = now
        self.left = t("report.ledger.left", lang)
        self.yes = t("report.ledger.yes", lang)
        self.no = t("report.ledger.no", lang)
        self.returned = t("report.ledger.visit_returned", lang)
        self.today = now.date()
        self._seen: dict[tuple[str, str], str] = {}

    def label(self, prefix: str, value: str) -> str:
        """The translation of ``prefix.value``, or the value itself when there is none."""
        found = self._seen.get((prefix, value))
        if found is None:
            key = f"{prefix}.{value}"
            text = t(key, self.lang)
            found = self._seen[(prefix, value)] = value if text == key else text
        return found

    def member_row(self, member: LedgerMember) -> tuple[object, ...]:
        """The members-sheet row."""
        return (
            member.number,
            self.left if member.left else member.name,
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
        )

    def wish_row(self, wish: LedgerWish) -> tuple[object, ...]:
        """The micro-wish-sheet row."""
        return (
            wish.id,
            wish.branch,
            wish.title,
            wish.category,
            wish.slots,
            self.label("report.ledger.state", wish.state(self.now)),
            self.label("report.ledger.urgency", wish.kind.value),
            wish.created_at,
            wish.deadline,
            wish.claimers,
            wish.completed_at,
        )

    def service_row(self, service: LedgerService) -> tuple[object, ...]:
        """The service-record-sheet row."""
        return (
            service.served_on,
            service.member,
            service.branch,
            service.wish_id,
            service.subject,
            service.note if service.note and service.note != service.subject else None,
            float(service.hours),
            self.yes if service.confirmed else self.no,
            service.rating,
            self.label("provenance", service.provenance or ("confirmed" if service.confirmed else "self_reported")),
            self.label("report.ledger.urgency", service.kind.value),
        )

    def pairing_row(self, pairing: LedgerPairing) -> tuple[object, ...]:
        """The pairing-sheet row: the household by its alias, never its contact."""
        member = pairing.member or self.left
        return (
            pairing.id,
            pairing.alias,
            f"{pairing.team}（{member}）" if pairing.team else member,
            pairing.branch,
            t(f"pair.rhythm.{pairing.rhythm}", self.lang, n=pairing.every_days),
            self.label("report.ledger.pairing_status", pairing.status),
            pairing.started_on,
            pairing.ended_on,
            pairing.visits_confirmed,
            float(pairing.hours),
            pairing.last_visit_on,
            pairing.next_due if pairing.status == "active" else None,
            pairing.overdue_days(self.today),
            pairing.handovers,
        )

    def visit_row(self, visit: LedgerVisit) -> tuple[object, ...]:
        """The visit-sheet row."""
        return (
            visit.visited_on,
            visit.pairing_id,
            visit.alias,
            visit.member or self.left,
            visit.branch,
            float(visit.hours),
            self.returned if visit.returned else self.yes if visit.confirmed_at is not None else self.no,
            (visit.confirmed_by or self.left) if visit.confirmed_at is not None else None,
            visit.confirmed_at,
        )


def _points(member: LedgerMember, rule: PointsRule) -> float:
    """A member's points balance: their hours by provenance under the rule, less what they spent."""
    earned = (
        rule.points(member.verified_hours, "verified")
        + rule.points(member.hours - member.verified_hours, "confirmed")
        + rule.points(member.self_reported_hours, "self_reported")
    )
    return round(earned - member.points_spent, 2)


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
    emergency_hours: float = 0.0
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
        self.emergency_hours += other.emergency_hours
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
            Percent(self.served / self.reported if self.reported else 0.0),
            self.services,
            self.hours,
            self.emergency_hours,
            self.wishes,
            self.wishes_open,
            self.wishes_completed,
            self.wishes_cancelled,
        ]


class _Tally:
    """Per-branch counts for the summary sheet, added up while the member and wish rows stream past."""

    def __init__(self) -> None:
        self.branches: dict[str, _BranchSummary] = {}
        self._of_members: dict[str, _BranchSummary] = {}

    def _of(self, name: str) -> _BranchSummary:
        found = self.branches.get(name)
        if found is None:
            found = self.branches[name] = _BranchSummary(name)
        return found

    def ordered(self) -> list[_BranchSummary]:
        """Branches as first met among the members, then those met only among the wishes, whichever came first."""
        members = self._of_members
        return [*members.values(), *(s for name, s in self.branches.items() if name not in members)]

    def member(self, member: LedgerMember) -> None:
        """Count one member row."""
        summary = self._of_members.get(member.branch)
        if summary is None:
            summary = self._of_members[member.branch] = self._of(member.branch)
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
        summary.emergency_hours += member.emergency_hours

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


@dataclass(frozen=True, slots=True)
class LedgerTable:
    """One sheet of the ledger: its title, header, rows (possibly streamed) and extra rows after them."""

    title: str
    headers: list[str]
    rows: Iterable[Sequence[object]]
    extra: Sequence[Sequence[object]] = ()


LEDGER_SHEETS = ("summary", "members", "wishes", "services", "pairings", "visits")


def ledger_sheet_titles(lang: str) -> list[str]:
    """The ledger's sheet titles in the order they are shown: summary, members, micro-wishes, services, pairings
    (结对) and their visits (走访)."""
    lang = normalize_language(lang)
    return [t(f"report.ledger.sheet.{name}", lang) for name in LEDGER_SHEETS]


def ledger_tables(data: LedgerData, lang: str) -> Iterator[LedgerTable]:
    """The ledger's tables in the order they are written: services, pairings, visits, micro-wishes, members, then
    the summary.

    Read each table's rows to the end before asking for the next: the summary is counted while the member and
    wish rows stream past, so it comes last and memory does not grow with the ledger.
    """
    lang = normalize_language(lang)
    labels = _Labels(lang, data.generated_at)
    tally = _Tally()
    count_member, member_row, count_wish, wish_row = tally.member, labels.member_row, tally.wish, labels.wish_row

    rule = data.points

    def members() -> Iterator[tuple[object, ...]]:
        for member in data.members:
            count_member(member)
            yield member_row(member) if rule is None else (*member_row(member), _points(member, rule))

    def wishes() -> Iterator[tuple[object, ...]]:
        for wish in data.wishes:
            count_wish(wish)
            yield wish_row(wish)

    summary_title, members_title, wishes_title, _, pairings_title, visits_title = ledger_sheet_titles(lang)
    yield _services_table(data.services, labels)
    yield LedgerTable(
        pairings_title,
        _columns(
            lang,
            "pairing_id",
            "alias",
            "pairing_member",
            "branch",
            "rhythm",
            "pairing_status",
            "started_on",
            "ended_at",
            "visits_confirmed",
            "hours",
            "last_visit_on",
            "next_due",
            "overdue_days",
            "handovers",
        ),
        map(labels.pairing_row, data.pairings),
    )
    yield LedgerTable(
        visits_title,
        _columns(
            lang,
            "visited_on",
            "pairing_id",
            "alias",
            "member",
            "branch",
            "hours",
            "confirmed",
            "confirmed_by",
            "confirmed_at",
        ),
        map(labels.visit_row, data.visits),
    )
    yield LedgerTable(
        wishes_title,
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
        wishes(),
    )
    yield LedgerTable(
        members_title,
        _columns(
            lang,
            "member_no",
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
            *(("points",) if rule is not None else ()),
        ),
        members(),
    )
    branches = tally.ordered()
    total = _BranchSummary(t("report.ledger.total", lang))
    for branch in branches:
        total.add(branch)
    yield LedgerTable(
        summary_title,
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
            "emergency_hours",
            "wishes",
            "wishes_open",
            "wishes_completed",
            "wishes_cancelled",
        ),
        [branch.row() for branch in branches],
        extra=[
            total.row(),
            [],
            [t("report.ledger.committee", lang), data.committee_name],
            [t("report.ledger.generated_at", lang), data.generated_at],
        ],
    )


def build_ledger_xlsx(data: LedgerData, lang: str, *, max_rows: int = MAX_ROWS) -> bytes:
    """The committee's ledger (台账): summary, members, micro-wishes, service records, pairings and visits, one sheet
    each.

    Rows may come from iterators: each is written as it arrives and the summary is counted on the way, then
    written last into the first sheet, so memory does not grow with the ledger. The biggest sheet, the services,
    is filled first so it is compressed while the others are written. A table with more rows than ``max_rows``
    (Excel's limit by default) goes on in sheets titled "服务记录 (2)" and so on.
    """
    with TableBook(data.generated_at.tzinfo, max_rows=max_rows) as book:
        sheets = {title: book.sheet(title) for title in ledger_sheet_titles(lang)}
        for table in ledger_tables(data, lang):
            book.table(sheets[table.title], table.headers, table.rows, extra=table.extra)
        return book.save()


def ledger_csv_paths(target: Path, lang: str) -> list[Path]:
    """Where the ledger's CSV files go for ``--out x.csv``: one per sheet beside it, x_汇总.csv, x_党员.csv, ...,
    x_结对.csv, x_走访.csv."""
    return [target.with_name(f"{target.stem}_{title}{target.suffix}") for title in ledger_sheet_titles(lang)]


def write_ledger_csv(data: LedgerData, lang: str, target: Path) -> list[Path]:
    """The ledger as CSV, one UTF-8 (with BOM) file per sheet next to ``target``; returns them in sheet order.

    CSV holds one table, so the six sheets are six files; rows stream to disk as the workbook's do.
    """
    paths = dict(zip(ledger_sheet_titles(lang), ledger_csv_paths(target, lang), strict=True))
    for table in ledger_tables(data, lang):
        write_csv(paths[table.title], table.headers, table.rows, table.extra, data.generated_at.tzinfo)
    return list(paths.values())


def _services_table(services: Iterable[LedgerService], labels: _Labels) -> LedgerTable:
    return LedgerTable(
        t("report.ledger.sheet.services", labels.lang),
        _columns(
            labels.lang,
            "served_on",
            "member",
            "branch",
            "service_wish_id",
            "subject",
            "note",
            "hours",
            "confirmed",
            "rating",
            "provenance",
            "kind",
        ),
        map(labels.service_row, services),
    )


def _feedback_member_row(member: WorkplaceMember, labels: _Labels) -> tuple[object, ...]:
    return (
        labels.left if member.left else member.name,
        member.workplace,
        member.branch,
        member.reported_at,
        member.services,
        float(member.hours),
        member.avg_rating,
        member.last_served_on,
        labels.yes if member.served else labels.no,
    )


def feedback_label(feedback: WorkplaceFeedback, lang: str) -> str:
    """Whom a feedback is for, employer first ("市税务局 机关党支部"), or the committee's own file's name."""
    if feedback.unassigned:
        return t("report.feedback.unassigned", normalize_language(lang), committee=feedback.committee_name)
    return f"{feedback.workplace} {feedback.workplace_branch}" if feedback.workplace else feedback.workplace_branch


def build_workplace_feedback_xlsx(feedback: WorkplaceFeedback, lang: str) -> bytes:
    """Feedback to one workplace branch (双报到): its members' community service this quarter."""
    lang = normalize_language(lang)
    labels = _Labels(lang, feedback.generated_at)
    members = feedback.members
    met = sum(1 for member in members if member.served)
    summary_row: list[object] = [
        feedback.workplace,
        feedback_label(feedback, lang) if feedback.unassigned else feedback.workplace_branch,
        feedback.quarter_label,
        len(members),
        met,
        len(members) - met,
        Percent(met / len(members) if members else 0.0),
        sum(member.services for member in members),
        float(sum(member.hours for member in members)),
    ]
    with TableBook(feedback.generated_at.tzinfo) as book:
        book.table(
            t("report.feedback.sheet.summary", lang),
            [
                *_columns(lang, "workplace", "workplace_branch"),
                t("report.ledger.quarter", lang),
                *_columns(lang, "members"),
                t("report.feedback.col.met_count", lang),
                t("report.feedback.col.not_met_count", lang),
                *_columns(lang, "served_pct", "services", "hours"),
            ],
            [summary_row],
            extra=[
                [],
                [t("report.ledger.committee", lang), feedback.committee_name],
                [t("report.ledger.generated_at", lang), feedback.generated_at],
            ],
        )
        book.table(
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
            [_feedback_member_row(member, labels) for member in members],
        )
        services = _services_table(feedback.services, labels)
        book.table(services.title, services.headers, services.rows)
        return book.save()
