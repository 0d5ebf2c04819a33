"""A call's report for the committee at its end: the summary text, a chart of the answers, and a ledger sheet."""

from __future__ import annotations

import io
from collections.abc import Sequence
from html import escape
from zoneinfo import ZoneInfo

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from bot.domain.emergency import CallLine, EmergencySummary, summarize
from bot.i18n import t
from bot.notices import emergency_views
from bot.notices.outbox import EmergencyUnanswered
from bot.ports.chat import Attachment, OutgoingMessage
from bot.ports.storage import Unit
from bot.reports.chart import DPI, drawable, font
from bot.reports.xlsx import TableBook

COLORS = {"yes": "#4c9a2a", "later": "#e8b23a", "no": "#b71c1c", "none": "#9e9e9e"}
MAX_BRANCH_BARS = 25


def summary_text(summary: EmergencySummary, lang: str, tz: ZoneInfo) -> str:
    """The committee's summary of a call: time, reach, answers and speed, per branch, tasks and hours."""
    emergency = summary.emergency
    what = t("em.what.drill" if emergency.drill else "em.what.call", lang)
    end = emergency.ended_at or emergency.started_at
    total = summary.total.total
    rate = round(100 * summary.answered / total) if total else 0
    within = dict(summary.within)
    median = "-" if summary.median_minutes is None else f"{summary.median_minutes:.1f}"
    stats = summary.stats
    lines = [
        t("em.summary.head", lang, what=what, id=emergency.id),
        escape(emergency.text),
        t(
            "em.summary.time",
            lang,
            start=emergency_views.clock(emergency.started_at, tz),
            end=emergency_views.clock(end, tz),
            minutes=round((end - emergency.started_at).total_seconds() / 60),
        ),
        t("em.summary.reach", lang, total=total, reached=stats.reached, answered=summary.answered, rate=rate),
        emergency_views.totals(summary.total, lang),
        t("em.summary.speed", lang, m5=within.get(5, 0), m10=within.get(10, 0), m30=within.get(30, 0), median=median),
        t(
            "em.summary.tasks",
            lang,
            posted=stats.tasks_posted,
            claimed=stats.tasks_claimed,
            done=stats.tasks_done,
            hours=f"{stats.hours:g}",
        ),
    ]
    if len(summary.by_branch) > 1:
        lines += [emergency_views.tally_line(tally, lang) for tally in summary.by_branch[: emergency_views.MAX_GROUPS]]
    return "\n".join(lines)


def chart_png(summary: EmergencySummary, lines: Sequence[CallLine], lang: str) -> bytes:
    """Answers per branch as stacked bars, and how many had answered minute by minute since the call."""
    branches = summary.by_branch[:MAX_BRANCH_BARS]
    height = 220 + 36 * max(len(branches), 3)
    fig = Figure(figsize=(1400 / DPI, height / DPI), dpi=DPI)
    FigureCanvasAgg(fig)
    what = t("em.what.drill" if summary.emergency.drill else "em.what.call", lang)
    fig.text(0.02, 1 - 14 / height, drawable(f"{what} #{summary.emergency.id}"), fontproperties=font(16), va="top")
    bars = fig.add_axes((0.2, 60 / height, 0.42, 1 - 140 / height))
    left = [0.0] * len(branches)
    positions = list(range(len(branches)))
    for key in ("yes", "later", "no", "none"):
        values = [float(getattr(tally, key)) for tally in branches]
        label = t(f"em.answer.{key}", lang) if key != "none" else t("em.chart.none", lang)
        bars.barh(positions, values, left=left, color=COLORS[key], label=drawable(label), height=0.6)
        left = [a + b for a, b in zip(left, values, strict=True)]
    bars.set_yticks(positions, [drawable(tally.label) for tally in branches], fontproperties=font(10))
    bars.set_ylim(max(len(branches), 1) - 0.5, -0.5)
    bars.legend(prop=font(10), loc="lower right")
    curve = fig.add_axes((0.7, 60 / height, 0.27, 1 - 140 / height))
    started = summary.emergency.started_at
    minutes = sorted((line.answered_at - started).total_seconds() / 60 for line in lines if line.answered_at)
    curve.step([0.0, *minutes], list(range(len(minutes) + 1)), where="post", color=COLORS["yes"])
    curve.axhline(summary.total.total, color="#333333", linestyle="--", linewidth=1)
    curve.set_xlabel(drawable(t("em.chart.minutes", lang)), fontproperties=font(10))
    curve.set_ylabel(drawable(t("em.chart.answered", lang)), fontproperties=font(10))
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    return buffer.getvalue()


def ledger_xlsx(summary: EmergencySummary, lines: Sequence[CallLine], names: dict[int, str], lang: str) -> bytes:
    """The call's ledger sheet (应急台账): everyone called, their post, grid, answer, how fast, their note."""
    started = summary.emergency.started_at
    headers = [t(f"em.sheet.{name}", lang) for name in ("name", "branch", "post", "grid", "answer", "minutes", "note")]

    def rows() -> list[tuple[object, ...]]:
        return [
            (
                line.name,
                names.get(line.branch_id, ""),
                line.post,
                line.grid,
                emergency_views.answer_label(line.answer, lang) if line.answer else t("em.chart.none", lang),
                round((line.answered_at - started).total_seconds() / 60, 1) if line.answered_at else "",
                line.note,
            )
            for line in lines
        ]

    tally = summary.total
    extra = [
        (t("em.sheet.total", lang), "", "", "", "", "", ""),
        (t("em.answer.yes", lang), tally.yes),
        (t("em.answer.later", lang), tally.later),
        (t("em.answer.no", lang), tally.no),
        (t("em.chart.none", lang), tally.none),
        (t("em.sheet.kind", lang), t("report.ledger.urgency.emergency", lang)),
    ]
    with TableBook(started.tzinfo) as book:
        book.table(t("em.sheet.title", lang), headers, rows(), extra=extra)
        return book.save()


async def render_report(unit: Unit, emergency_id: int, lang: str, tz: ZoneInfo) -> OutgoingMessage | None:
    """The committee's report of a call: summary text with the chart and the ledger sheet attached."""
    emergency = await unit.emergencies.get(emergency_id)
    if emergency is None:
        return None
    lines = await unit.emergencies.lines(emergency_id)
    branches = (
        [await unit.branches.get(emergency.branch_id)]
        if emergency.branch_id is not None
        else await unit.branches.of_committee(emergency.committee_id)
    )
    names = {b.id: b.name for b in branches if b is not None}
    summary = summarize(emergency, lines, names, await unit.emergencies.stats(emergency_id))
    day = emergency.started_at.astimezone(tz).date().isoformat()
    chart = Attachment(t("em.file.chart", lang, id=emergency.id), chart_png(summary, lines, lang), is_image=True)
    sheet = Attachment(t("em.file.ledger", lang, id=emergency.id, date=day), ledger_xlsx(summary, lines, names, lang))
    return OutgoingMessage(summary_text(summary, lang, tz), attachments=(chart, sheet))


async def render_unanswered(unit: Unit, notice: EmergencyUnanswered) -> OutgoingMessage | None:
    """A secretary's list of non-responders as it is when sent: named from the roster now, without those who left or
    answered since; None when nobody is left to name."""
    emergency = await unit.emergencies.get(notice.emergency_id)
    if emergency is None:
        return None
    wanted = set(notice.member_ids)
    names = [
        line.name
        for line in await unit.emergencies.lines(notice.emergency_id, notice.branch_id)
        if line.member_id in wanted and line.name and line.answer is None
    ]
    if not names:
        return None
    return OutgoingMessage(emergency_views.unanswered(emergency, names, notice.times, notice.lang))
