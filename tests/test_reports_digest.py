"""The digest text carries exactly the numbers it is given, in Chinese and English, within one message."""

from __future__ import annotations

import re
import string
from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from bot.domain.model import BranchStats
from bot.domain.reports import DigestData
from bot.i18n.reports import MESSAGES
from bot.reports.digest_text import MESSAGE_LIMIT, message_length, render_digest_text

CST = timezone(timedelta(hours=8))


def stats(
    branch_id: int,
    name: str,
    total: int,
    reported: int,
    served: int,
    week: tuple[int, int, int, int],
    open_wishes: int,
    oldest: int | None,
    overdue: int,
    hours: float,
    top: tuple[tuple[str, float], ...] = (),
) -> BranchStats:
    """A BranchStats from positional numbers, so test tables stay short."""
    posted, claimed, completed, confirmed = week
    return BranchStats(
        branch_id=branch_id,
        branch_name=name,
        members_total=total,
        members_reported=reported,
        served_this_quarter=served,
        wishes_posted=posted,
        wishes_claimed=claimed,
        wishes_completed=completed,
        confirmed_in_period=confirmed,
        wishes_open=open_wishes,
        oldest_open_days=oldest,
        overdue_claims=overdue,
        hours_quarter=hours,
        top_members=top,
    )


def three_branches(previous: bool = True) -> DigestData:
    """Three branches with known numbers; branch 3 is new this week and nobody has reported to it."""
    current = (
        stats(1, "幸福里网格e支部", 45, 40, 30, (3, 2, 1, 1), 2, 9, 1, 36.5, (("张三", 12.0), ("李四", 8.5))),
        stats(2, "城西第二e支部", 30, 25, 10, (0, 0, 0, 0), 0, None, 0, 12.0),
        stats(3, "东园e支部<新>", 20, 0, 0, (1, 0, 0, 0), 1, 3, 0, 0.0),
    )
    last_week = {
        1: stats(1, "幸福里网格e支部", 45, 38, 25, (1, 2, 2, 0), 3, 2, 0, 30.0),
        2: stats(2, "城西第二e支部", 30, 25, 10, (0, 0, 0, 0), 0, None, 0, 12.0),
    }
    return DigestData(
        committee_name="城西社区e党委",
        generated_at=datetime(2026, 11, 23, 9, 0, tzinfo=CST),
        week_start=date(2026, 11, 16),
        week_end=date(2026, 11, 22),
        quarter_label="2026年第4季度",
        quarter_elapsed=0.58,
        branches=current,
        previous=last_week if previous else {},
    )


def test_totals_add_up() -> None:
    totals = three_branches().totals
    assert (totals.members_total, totals.members_reported, totals.served_this_quarter) == (95, 65, 40)
    assert (totals.wishes_posted, totals.wishes_claimed, totals.wishes_completed) == (4, 2, 1)
    assert (totals.confirmed_in_period, totals.wishes_open, totals.oldest_open_days) == (1, 3, 9)
    assert (totals.overdue_claims, totals.hours_quarter) == (1, 48.5)
    assert totals.served_pct == pytest.approx(100 * 40 / 65)
    assert totals.top_members == (("张三", 12.0), ("李四", 8.5))


def test_chinese_digest_has_the_numbers_and_deltas() -> None:
    lines = render_digest_text(three_branches(), "zh").splitlines()
    expected = [
        "<b>城西社区e党委·每周工作简报</b>",
        "2026年11月16日至11月22日｜2026年第4季度，季度已过58%",
        "<i>▲▼为较上周增减</i>",
        "<b>全委合计</b>（3个e支部）",
        "报到：65/95人 ▲2",
        "本季度已服务：40人 ▲5，占已报到党员的61.5% ▲5.9个百分点",
        "本周微心愿：发布4个 ▲3，认领2个，完成1个 ▼1，确认服务1次 ▲1",
        "待认领微心愿：3个，最久已等9天",
        "超期未完成的认领：1个 ▲1",
        "本季度服务时长：48.5小时 ▲6.5",
        "服务率低于季度进度（58%）的支部：1个",
        "表现突出：张三（12小时）、李四（8.5小时）",
        "<b>各支部情况</b>（按本季度服务率由高到低）",
        "<b>1. 幸福里网格e支部</b>",
        "报到40/45 ▲2｜已服务30人 ▲5，占75%",
        "本周：发布3 ▲2，认领2，完成1 ▼1，确认1 ▲1",
        "待认领2个 ▼1，最久9天｜超期1个 ▲1｜时长36.5小时 ▲6.5",
        "突出：张三（12小时）、李四（8.5小时）",
        "<b>2. 城西第二e支部</b>",
        "报到25/30｜已服务10人，占40%（低于进度）",
        "本周无微心愿动态",
        "待认领0个｜超期0个｜时长12小时",
        "<b>3. 东园e支部&lt;新&gt;</b>（本周新增）",
        "报到0/20｜尚无党员报到",
        "本周：发布1，认领0，完成0，确认0",
        "待认领1个，最久3天｜超期0个｜时长0小时",
        "<i>统计截至2026-11-23 09:00</i>",
    ]
    assert [line for line in lines if line] == expected


def test_english_digest_has_the_same_numbers() -> None:
    text = render_digest_text(three_branches(), "en-GB")
    for line in [
        "<b>Committee total</b> (3 e-branches)",
        "Reported in: 65/95 ▲2",
        "Served this quarter: 40 ▲5, 61.5% of reported members ▲5.9 pts",
        "This week's micro-wishes: posted 4 ▲3, claimed 2, completed 1 ▼1; services confirmed 1 ▲1",
        "Unclaimed micro-wishes: 3, the oldest waiting 9 days",
        "Overdue claims: 1 ▲1",
        "Service hours this quarter: 48.5 ▲6.5",
        "Branches below the quarter's pace (58%): 1",
        "Standouts: 张三 (12 h), 李四 (8.5 h)",
        "Reported 25/30 | served 10, 40% (behind pace)",
        "<b>3. 东园e支部&lt;新&gt;</b> (new this week)",
        "Unclaimed 2 ▼1, oldest 9 d | overdue 1 ▲1 | 36.5 h ▲6.5",
    ]:
        assert line in text.splitlines()
    for chinese in ("报到", "已服务", "待认领", "小时", "支部见附件"):
        assert chinese not in text


def test_without_last_week_there_are_no_arrows() -> None:
    text = render_digest_text(three_branches(previous=False), "zh")
    assert "▲" not in text and "▼" not in text
    assert "本周新增" not in text
    assert "本季度已服务：40人，占已报到党员的61.5%" in text


def test_only_bold_and_italic_markup() -> None:
    text = render_digest_text(three_branches(), "zh")
    assert set(re.findall(r"</?([a-z]+)>", text)) <= {"b", "i"}


def many_branches(count: int) -> DigestData:
    """A committee with many branches whose names are long, to force the top/bottom cut."""
    branches = tuple(
        stats(
            i,
            f"第{i}网格党支部（很长很长的名字用来测试截断的效果）",
            50,
            40,
            i % 41,
            (i % 5, i % 4, i % 3, i % 2),
            i % 7,
            i % 30 or None,
            i % 3,
            float(i),
            ((f"党员{i}甲", 9.5), (f"党员{i}乙", 4.0)),
        )
        for i in range(1, count + 1)
    )
    previous = {s.branch_id: s for s in branches}
    return DigestData(
        "某市直机关工委e党委",
        datetime(2026, 11, 23, tzinfo=UTC),
        date(2026, 11, 16),
        date(2026, 11, 22),
        "2026 Q4",
        0.6,
        branches,
        previous,
    )


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_two_hundred_branches_fit_one_message(lang: str) -> None:
    text = render_digest_text(many_branches(200), lang)
    assert message_length(text) <= MESSAGE_LIMIT
    shown = re.findall(r"<b>(\d+)\. ", text)
    assert shown[0] == "1" and shown[-1] == "200"
    more = 200 - len(shown)
    assert more > 0
    assert (f"另有{more}个支部见附件台账。" if lang == "zh" else f"{more} more branches") in text


def test_long_committee_fits_even_with_one_block() -> None:
    text = render_digest_text(many_branches(2000), "zh")
    assert message_length(text) <= MESSAGE_LIMIT
    assert "另有" in text


def test_no_branches() -> None:
    data = DigestData("空e党委", datetime(2026, 1, 5, tzinfo=UTC), date(2025, 12, 29), date(2026, 1, 4), "Q1", 0.0, ())
    text = render_digest_text(data, "zh")
    assert "本委暂无e支部。" in text
    assert "2025年12月29日至2026年1月4日" in text


def test_report_catalog_is_complete() -> None:
    formatter = string.Formatter()
    for key, entry in MESSAGES.items():
        assert key.startswith("report.")
        assert set(entry) == {"zh", "en"}, key
        fields = [{name for _, name, _, _ in formatter.parse(text) if name} for text in entry.values()]
        assert fields[0] == fields[1], key
