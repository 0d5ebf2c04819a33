"""Building the reports the outbox sends: the digest's text, chart and ledger, and the 双报到 feedback file."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from html import escape
from zoneinfo import ZoneInfo

from bot.domain.model import Committee
from bot.domain.quarters import local_date, quarter_of
from bot.domain.reports import DigestData, WorkplaceFeedback
from bot.i18n import t
from bot.notices.outbox import Digest, EmergencyReport, EmergencyUnanswered, FeedbackFile, Rendered
from bot.ports.chat import Attachment, OutgoingMessage
from bot.ports.reports import ReportQueries
from bot.ports.storage import Store
from bot.reports.chart import render_chart_png
from bot.reports.digest_text import render_digest_text
from bot.reports.emergency import render_report, render_unanswered
from bot.reports.ledger import build_ledger_xlsx, build_workplace_feedback_xlsx, feedback_label


def week_key(day: date) -> str:
    """ISO week of a local day, such as "2026W48" (used in dedupe keys)."""
    iso = day.isocalendar()
    return f"{iso.year}W{iso.week:02d}"


async def build_digest(reports: ReportQueries, committee: Committee, as_of: datetime, tz: ZoneInfo) -> DigestData:
    """A committee's digest for the seven full days before ``as_of``, compared with the seven before those."""
    end_day = local_date(as_of, tz)
    start_day = end_day - timedelta(days=7)
    last_day = end_day - timedelta(days=1)
    quarter = quarter_of(last_day)
    branches = await reports.branch_stats(committee.id, quarter.start, start_day, end_day, tz)
    previous = {}
    if quarter_of(start_day - timedelta(days=1)) == quarter:
        before = await reports.branch_stats(committee.id, quarter.start, start_day - timedelta(days=7), start_day, tz)
        previous = {stats.branch_id: stats for stats in before}
    return DigestData(
        committee_name=committee.name,
        generated_at=as_of.astimezone(tz),
        week_start=start_day,
        week_end=last_day,
        quarter_label=quarter.label(),
        quarter_elapsed=quarter.elapsed(last_day),
        branches=tuple(branches),
        previous=previous,
    )


@dataclass(frozen=True, slots=True)
class DigestFiles:
    """A rendered digest: the message text, the chart and the ledger."""

    text: str
    chart: Attachment
    ledger: Attachment

    def message(self) -> OutgoingMessage:
        """The digest as one message with both files attached."""
        return OutgoingMessage(self.text, attachments=(self.chart, self.ledger))


async def render_digest_files(
    store: Store, reports: ReportQueries, committee_id: int, as_of: datetime, tz: ZoneInfo, lang: str
) -> DigestFiles | None:
    """Render a committee's digest text, chart PNG and ledger .xlsx as of a moment."""
    async with store.read() as unit:
        committee = await unit.committees.get(committee_id)
    if committee is None:
        return None
    data = await build_digest(reports, committee, as_of, tz)
    data = replace(data, quarter_label=quarter_of(data.week_end).label(lang))
    ledger = await reports.ledger(committee.id, None, as_of.astimezone(tz), tz)
    day = local_date(as_of, tz)
    chart = Attachment(t("sched.file.chart", lang, week=week_key(day)), render_chart_png(data, lang), is_image=True)
    workbook = await asyncio.to_thread(build_ledger_xlsx, ledger, lang)
    return DigestFiles(
        render_digest_text(data, lang),
        chart,
        Attachment(t("sched.file.ledger", lang, name=committee.name, date=day.isoformat()), workbook),
    )


def _feedback_of(found: list[WorkplaceFeedback], notice: FeedbackFile) -> WorkplaceFeedback | None:
    """The feedback a notice names by (工作单位, 单位党支部); one recorded before employers were told apart names
    only the branch, and gets the first of that name."""
    wanted = (notice.workplace, notice.workplace_branch)
    exact = next((f for f in found if (f.workplace, f.workplace_branch) == wanted), None)
    if exact is not None or notice.workplace or not notice.workplace_branch:
        return exact
    return next((f for f in found if f.workplace_branch == notice.workplace_branch), None)


class ReportRenderer:
    """Renders the report notices (digest, workplace feedback, a call's report and non-responder lists) when the
    outbox delivers them."""

    def __init__(self, store: Store, reports: ReportQueries, tz: ZoneInfo, lang: str) -> None:
        self.store = store
        self.reports = reports
        self.tz = tz
        self.lang = lang

    async def render(self, notice: Rendered) -> OutgoingMessage | None:
        """The message of a report notice as of its moment; None when there is nothing to send any more."""
        if isinstance(notice, EmergencyReport):
            async with self.store.read() as unit:
                return await render_report(unit, notice.emergency_id, notice.lang, self.tz)
        if isinstance(notice, EmergencyUnanswered):
            async with self.store.read() as unit:
                return await render_unanswered(unit, notice)
        if isinstance(notice, Digest):
            found = await render_digest_files(
                self.store, self.reports, notice.committee_id, notice.as_of, self.tz, self.lang
            )
            return found.message() if found else None
        return await self._workplace(notice)

    async def _workplace(self, notice: FeedbackFile) -> OutgoingMessage | None:
        reports, tz, lang = self.reports, self.tz, self.lang
        quarter = quarter_of(date(notice.year, 3 * (notice.quarter - 1) + 1, 1))
        found = await reports.workplace_feedback(
            notice.committee_id, quarter.start, quarter.end, quarter.label(lang), notice.as_of.astimezone(tz)
        )
        item = _feedback_of(found, notice)
        if item is None:
            return None
        label = feedback_label(item, lang)
        text = t(
            "sched.feedback.text",
            lang,
            workplace=escape(label, quote=False),
            quarter=item.quarter_label,
            count=len(item.members),
            served=sum(1 for m in item.members if m.served),
        )
        name = t("sched.file.feedback", lang, name=label, quarter=quarter.key)
        return OutgoingMessage(text, attachments=(Attachment(name, build_workplace_feedback_xlsx(item, lang)),))
