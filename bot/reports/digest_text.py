"""The weekly digest as one chat message, so a committee sees its branches at a glance."""

from __future__ import annotations

import unicodedata
from datetime import date
from html import escape

from bot.domain.model import BranchStats
from bot.domain.reports import DigestData
from bot.i18n import normalize_language, t

MESSAGE_LIMIT = 4096
NAME_LIMIT = 24
STANDOUT_NAME_LIMIT = 10
STANDOUTS_PER_BRANCH = 2


def format_number(value: float) -> str:
    """A count or hours as people write them: 12, 12.5 (one decimal at most)."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def display_width(text: str) -> int:
    """Columns the text takes in a spreadsheet: wide (CJK) characters count double."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def message_length(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units), markup included, to stay on the safe side."""
    return len(text.encode("utf-16-le")) // 2


def _clip(name: str, limit: int) -> str:
    name = " ".join(name.split())
    return escape(name if len(name) <= limit else name[: limit - 1] + "…", quote=False)


def _delta(current: float, previous: float | None) -> str:
    if previous is None:
        return ""
    change = round(round(current, 1) - round(previous, 1), 1)
    if change == 0:
        return ""
    return f" {'▲' if change > 0 else '▼'}{format_number(abs(change))}"


def _delta_pp(current: float, previous: float | None, lang: str) -> str:
    if previous is None:
        return ""
    change = round(round(current, 1) - round(previous, 1), 1)
    if change == 0:
        return ""
    arrow = "▲" if change > 0 else "▼"
    return t("report.digest.delta_pp", lang, arrow=arrow, value=format_number(abs(change)))


def _date(day: date, lang: str, with_year: bool = True) -> str:
    if lang == "en":
        return day.isoformat()
    text = f"{day.month}月{day.day}日"
    return f"{day.year}年{text}" if with_year else text


def _week(data: DigestData, lang: str) -> str:
    start, end = data.week_start, data.week_end
    end_text = _date(end, lang, with_year=lang == "en" or end.year != start.year)
    return t("report.digest.week_range", lang, start=_date(start, lang), end=end_text)


def _standouts(members: tuple[tuple[str, float], ...], lang: str, limit: int) -> str:
    names = [
        t("report.digest.standout", lang, name=_clip(name, STANDOUT_NAME_LIMIT), hours=format_number(hours))
        for name, hours in members[:limit]
    ]
    return t("report.digest.name_sep", lang).join(names)


def _expected_pct(data: DigestData) -> float:
    return data.target_pct * min(max(data.quarter_elapsed, 0.0), 1.0)


def is_behind(stats: BranchStats, expected_pct: float) -> bool:
    """Whether a branch with reported members has served a smaller share than the quarter's pace."""
    return stats.members_reported > 0 and round(stats.served_pct, 1) < round(expected_pct, 1)


def rank_branches(branches: tuple[BranchStats, ...]) -> list[BranchStats]:
    """Branches by service rate, highest first; branches nobody reported to come last."""
    return sorted(
        branches,
        key=lambda s: (
            s.members_reported == 0,
            -s.served_pct,
            -s.members_reported,
            s.branch_name,
            s.branch_id,
        ),
    )


def _of_which_emergency(stats: BranchStats, lang: str) -> str:
    """（其中战时 Y 小时） after the quarter's hours, or nothing in a quarter without 战时 service."""
    hours = format_number(stats.emergency_hours_quarter)
    return t("report.digest.of_which_emergency", lang, hours=hours) if hours != "0" else ""


def _header(data: DigestData, lang: str) -> list[str]:
    lines = [
        t("report.digest.title", lang, committee=_clip(data.committee_name, 40)),
        t(
            "report.digest.period",
            lang,
            week=_week(data, lang),
            quarter=escape(data.quarter_label, quote=False),
            elapsed=format_number(100 * min(max(data.quarter_elapsed, 0.0), 1.0)),
        ),
    ]
    if data.previous:
        lines.append(t("report.digest.legend", lang))
    return lines


def _totals(data: DigestData, lang: str) -> list[str]:
    now = data.totals
    before = data.previous_totals
    expected = _expected_pct(data)

    def prev(attr: str) -> float | None:
        return None if before is None else float(getattr(before, attr))

    lines = [
        "",
        t("report.digest.totals_heading", lang, count=len(data.branches)),
        t(
            "report.digest.reported",
            lang,
            reported=now.members_reported,
            total=now.members_total,
            delta=_delta(now.members_reported, prev("members_reported")),
        ),
        t(
            "report.digest.served",
            lang,
            served=now.served_this_quarter,
            delta=_delta(now.served_this_quarter, prev("served_this_quarter")),
            pct=format_number(now.served_pct),
            delta_pct=_delta_pp(now.served_pct, None if before is None else before.served_pct, lang),
        ),
        t(
            "report.digest.week",
            lang,
            posted=now.wishes_posted,
            d_posted=_delta(now.wishes_posted, prev("wishes_posted")),
            claimed=now.wishes_claimed,
            d_claimed=_delta(now.wishes_claimed, prev("wishes_claimed")),
            completed=now.wishes_completed,
            d_completed=_delta(now.wishes_completed, prev("wishes_completed")),
            confirmed=now.confirmed_in_period,
            d_confirmed=_delta(now.confirmed_in_period, prev("confirmed_in_period")),
        ),
    ]
    open_delta = _delta(now.wishes_open, prev("wishes_open"))
    if now.wishes_open and now.oldest_open_days is not None:
        lines.append(t("report.digest.open", lang, open=now.wishes_open, delta=open_delta, days=now.oldest_open_days))
    else:
        lines.append(t("report.digest.open_plain", lang, open=now.wishes_open, delta=open_delta))
    lines += [
        t(
            "report.digest.overdue",
            lang,
            overdue=now.overdue_claims,
            delta=_delta(now.overdue_claims, prev("overdue_claims")),
        ),
        t(
            "report.digest.hours",
            lang,
            hours=format_number(now.hours_quarter),
            delta=_delta(now.hours_quarter, prev("hours_quarter")),
            emergency=_of_which_emergency(now, lang),
        ),
        t(
            "report.digest.behind",
            lang,
            expected=format_number(expected),
            count=sum(1 for s in data.branches if is_behind(s, expected)),
        ),
    ]
    if now.top_members:
        names = _standouts(now.top_members, lang, len(now.top_members))
        lines.append(t("report.digest.standouts", lang, names=names))
    return lines


def _branch(stats: BranchStats, rank: int, data: DigestData, lang: str) -> list[str]:
    before = data.previous.get(stats.branch_id)
    new = bool(data.previous) and before is None

    def prev(attr: str) -> float | None:
        return None if before is None else float(getattr(before, attr))

    lines = [
        t(
            "report.digest.branch_title",
            lang,
            rank=rank,
            name=_clip(stats.branch_name, NAME_LIMIT),
            new=t("report.digest.branch_new", lang) if new else "",
        )
    ]
    d_reported = _delta(stats.members_reported, prev("members_reported"))
    if stats.members_reported:
        behind = t("report.digest.branch_behind", lang) if is_behind(stats, _expected_pct(data)) else ""
        lines.append(
            t(
                "report.digest.branch_served",
                lang,
                reported=stats.members_reported,
                total=stats.members_total,
                d_reported=d_reported,
                served=stats.served_this_quarter,
                d_served=_delta(stats.served_this_quarter, prev("served_this_quarter")),
                pct=format_number(stats.served_pct),
                behind=behind,
            )
        )
    else:
        lines.append(t("report.digest.branch_none_reported", lang, total=stats.members_total, d_reported=d_reported))
    week = {
        "posted": stats.wishes_posted,
        "claimed": stats.wishes_claimed,
        "completed": stats.wishes_completed,
        "confirmed": stats.confirmed_in_period,
    }
    week_deltas = {
        "d_posted": _delta(stats.wishes_posted, prev("wishes_posted")),
        "d_claimed": _delta(stats.wishes_claimed, prev("wishes_claimed")),
        "d_completed": _delta(stats.wishes_completed, prev("wishes_completed")),
        "d_confirmed": _delta(stats.confirmed_in_period, prev("confirmed_in_period")),
    }
    if any(week.values()) or any(week_deltas.values()):
        lines.append(t("report.digest.branch_week", lang, **week, **week_deltas))
    else:
        lines.append(t("report.digest.branch_week_quiet", lang))
    oldest = ""
    if stats.wishes_open and stats.oldest_open_days is not None:
        oldest = t("report.digest.branch_oldest", lang, days=stats.oldest_open_days)
    lines.append(
        t(
            "report.digest.branch_state",
            lang,
            open=stats.wishes_open,
            d_open=_delta(stats.wishes_open, prev("wishes_open")),
            oldest=oldest,
            overdue=stats.overdue_claims,
            d_overdue=_delta(stats.overdue_claims, prev("overdue_claims")),
            hours=format_number(stats.hours_quarter),
            d_hours=_delta(stats.hours_quarter, prev("hours_quarter")),
            emergency=_of_which_emergency(stats, lang),
        )
    )
    if stats.top_members:
        names = _standouts(stats.top_members, lang, STANDOUTS_PER_BRANCH)
        lines.append(t("report.digest.branch_standouts", lang, names=names))
    return lines


def _compose(data: DigestData, lang: str, ranked: list[BranchStats], blocks: list[list[str]], shown: int | None) -> str:
    lines = _header(data, lang) + _totals(data, lang)
    if not ranked:
        lines += ["", t("report.digest.no_branches", lang)]
    elif shown is None:
        lines += ["", t("report.digest.branches_all", lang)]
        for block in blocks:
            lines += block
    else:
        top = shown - shown // 2
        bottom = shown // 2
        if top:
            lines += ["", t("report.digest.branches_top", lang, count=top)]
        for block in blocks[:top]:
            lines += block
        if bottom:
            lines += ["", t("report.digest.branches_bottom", lang, count=bottom)]
            for block in blocks[len(blocks) - bottom :]:
                lines += block
        lines += ["", t("report.digest.more", lang, count=len(ranked) - shown)]
    lines += ["", t("report.digest.generated", lang, time=data.generated_at.strftime("%Y-%m-%d %H:%M"))]
    return "\n".join(lines)


def render_digest_text(data: DigestData, lang: str) -> str:
    """The weekly digest as one message with light markup, never longer than a Telegram message."""
    lang = normalize_language(lang)
    ranked = rank_branches(data.branches)
    blocks = [_branch(stats, rank, data, lang) for rank, stats in enumerate(ranked, start=1)]
    text = _compose(data, lang, ranked, blocks, None)
    if message_length(text) <= MESSAGE_LIMIT:
        return text
    low, high = 0, len(ranked) - 1
    while low < high:
        middle = (low + high + 1) // 2
        if message_length(_compose(data, lang, ranked, blocks, middle)) <= MESSAGE_LIMIT:
            low = middle
        else:
            high = middle - 1
    return _compose(data, lang, ranked, blocks, low)
