"""A secretary posts a micro-wish (微心愿) in plain Chinese; these tests pin down what the bot reads from it."""

from __future__ import annotations

import re
import string
from datetime import date, time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.model import Urgency
from bot.domain.wish_text import (
    KNOWN_CATEGORIES,
    MAX_SLOTS,
    MAX_WISH_TEXT,
    ParsedWish,
    ParseProblem,
    ParseResult,
    parse_wish_text,
)
from bot.i18n.parser import MESSAGES

YEAR_END_MONDAY = date(2026, 12, 28)
FRIDAY = date(2026, 11, 20)
WEDNESDAY = date(2026, 3, 4)
N = Urgency.NORMAL
E = Urgency.EMERGENCY


def read(text: str, today: date) -> ParsedWish:
    """The wish read from ``text`` (with one person answered if it names no count), failing the test with the
    problems if it could not be read."""
    result = parse_wish_text(text, today, slots=1)
    assert result.ok, result.problems
    assert result.wish is not None
    return result.wish


def problem_keys(result: ParseResult) -> list[str]:
    return [problem.key for problem in result.problems]


# (text, today, title, slots, deadline, category, team claim, urgency)
REAL_WISHES = [
    (
        "为独居老人王奶奶安装一键通 名额2 截止12月31日 #居家养老",
        FRIDAY,
        "为独居老人王奶奶安装一键通",
        2,
        date(2026, 12, 31),
        "居家养老",
        False,
        N,
    ),
    (
        "帮留守儿童辅导功课，3人，下周五前，组团",
        YEAR_END_MONDAY,
        "帮留守儿童辅导功课",
        3,
        date(2027, 1, 8),
        "关爱儿童",
        True,
        N,
    ),
    (
        "帮留守儿童辅导功课，3人，下周五前，组团",
        FRIDAY,
        "帮留守儿童辅导功课",
        3,
        date(2026, 11, 27),
        "关爱儿童",
        True,
        N,
    ),
    (
        "#微心愿 给留守儿童小明送一个新书包，12月20日前",
        FRIDAY,
        "给留守儿童小明送一个新书包",
        1,
        date(2026, 12, 20),
        "关爱儿童",
        False,
        N,
    ),
    (
        "为90岁的李爷爷购买年货，1月20日前送到家",
        YEAR_END_MONDAY,
        "为90岁的李爷爷购买年货",
        1,
        date(2027, 1, 20),
        "生活服务",
        False,
        N,
    ),
    (
        "【紧急】3号楼核酸检测排队维持秩序，需要10名志愿者，今天下午2点前",
        YEAR_END_MONDAY,
        "3号楼核酸检测排队维持秩序",
        10,
        YEAR_END_MONDAY,
        "疫情防控",
        False,
        E,
    ),
    ("战时应急：为隔离楼栋送菜，5人，今天", FRIDAY, "为隔离楼栋送菜", 5, FRIDAY, "生活服务", False, E),
    (
        "/wish 小区消杀，二十名党员志愿者，明天上午8点",
        YEAR_END_MONDAY,
        "小区消杀",
        20,
        date(2026, 12, 29),
        "疫情防控",
        False,
        N,
    ),
    (
        "法律咨询：张大爷的房屋纠纷需要律师帮忙，截至2027年1月15日 #法律服务",
        YEAR_END_MONDAY,
        "法律咨询：张大爷的房屋纠纷需要律师帮忙",
        1,
        date(2027, 1, 15),
        "法律服务",
        False,
        N,
    ),
    ("家电维修 王阿姨家洗衣机坏了，需要1名懂维修的党员", FRIDAY, "家电维修", 1, None, "维修", False, N),
    ("夜间治安巡逻，每周五晚上，4人，组团认领", FRIDAY, "夜间治安巡逻", 4, None, "治安巡逻", True, N),
    ("周五前为王奶奶送菜", FRIDAY, "为王奶奶送菜", 1, FRIDAY, "生活服务", False, N),
    ("本周五前为王奶奶送菜", YEAR_END_MONDAY, "为王奶奶送菜", 1, date(2027, 1, 1), "生活服务", False, N),
    (
        "下下周一前上门为刘大爷修理电视机",
        FRIDAY,
        "上门为刘大爷修理电视机",
        1,
        date(2026, 11, 30),
        "维修",
        False,
        N,
    ),
    ("周末前帮张爷爷打扫卫生，两人", FRIDAY, "帮张爷爷打扫卫生", 2, date(2026, 11, 22), "环境整治", False, N),
    (
        "紧急！急需5名志愿者协助核酸检测排队，今天下午3点前",
        FRIDAY,
        "协助核酸检测排队",
        5,
        FRIDAY,
        "疫情防控",
        False,
        E,
    ),
    (
        "为社区独居老人安装一键通应急呼叫器，紧急联系人李阿姨13812345678，名额3",
        FRIDAY,
        "为社区独居老人安装一键通应急呼叫器",
        3,
        None,
        "助老",
        False,
        N,
    ),
    (
        "二〇二六年十二月三十一日前 为困难家庭送温暖",
        FRIDAY,
        "为困难家庭送温暖",
        1,
        date(2026, 12, 31),
        "帮困",
        False,
        N,
    ),
    (
        "为2户困难家庭送米面油，12/31前，2人",
        YEAR_END_MONDAY,
        "为2户困难家庭送米面油",
        2,
        date(2026, 12, 31),
        "帮困",
        False,
        N,
    ),
    (
        "组团认领：社区文艺汇演志愿服务，名额20，2027-01-10前",
        YEAR_END_MONDAY,
        "社区文艺汇演志愿服务",
        20,
        date(2027, 1, 10),
        "文体活动",
        True,
        N,
    ),
    (
        "为留守儿童小红辅导功课\n她父母在外打工，需要一名大学生党员每周辅导两次\n截止1月底",
        YEAR_END_MONDAY,
        "为留守儿童小红辅导功课",
        1,
        date(2027, 1, 31),
        "关爱儿童",
        False,
        N,
    ),
    (
        "帮90岁老人贴春联，3号楼2单元，20号前",
        YEAR_END_MONDAY,
        "帮90岁老人贴春联",
        1,
        date(2027, 1, 20),
        "助老",
        False,
        N,
    ),
    (
        "下月底前 为社区矛盾调解室整理台账 两名",
        FRIDAY,
        "为社区矛盾调解室整理台账",
        2,
        date(2026, 12, 31),
        "矛盾调解",
        False,
        N,
    ),
    (
        "2个月内完成楼道堆积物清理 #环境整治 名额10人",
        FRIDAY,
        "完成楼道堆积物清理",
        10,
        date(2027, 1, 20),
        "环境整治",
        False,
        N,
    ),
    (
        "为小区老人量血压测血糖，下周三上午9:00，3名医护党员",
        WEDNESDAY,
        "为小区老人量血压测血糖",
        3,
        date(2026, 3, 11),
        "医疗健康",
        False,
        N,
    ),
    (
        "为困难党员送慰问品 2026年12月30日前 #帮困",
        YEAR_END_MONDAY,
        "为困难党员送慰问品",
        1,
        date(2026, 12, 30),
        "帮困",
        False,
        N,
    ),
    (
        "为居民开展防诈骗政策宣讲，年底前，三位党员",
        FRIDAY,
        "为居民开展防诈骗政策宣讲",
        3,
        date(2026, 12, 31),
        "政策宣讲",
        False,
        N,
    ),
    (
        "3天内为行动不便的刘大爷代购药品",
        YEAR_END_MONDAY,
        "为行动不便的刘大爷代购药品",
        1,
        date(2026, 12, 31),
        "生活服务",
        False,
        N,
    ),
    (
        "一周内帮助调解邻里噪音纠纷，2名志愿者",
        WEDNESDAY,
        "帮助调解邻里噪音纠纷",
        2,
        date(2026, 3, 11),
        "矛盾调解",
        False,
        N,
    ),
    (
        "加急 为发热居民送药上门 1人 明天",
        YEAR_END_MONDAY,
        "为发热居民送药上门",
        1,
        date(2026, 12, 29),
        "医疗健康",
        False,
        E,
    ),
    ("春节前为空巢老人打扫卫生 名额：4 #助老", WEDNESDAY, "为空巢老人打扫卫生", 4, date(2027, 2, 6), "助老", False, N),
    (
        "给社区广场舞队修音响，礼拜六前，2个人",
        FRIDAY,
        "给社区广场舞队修音响",
        2,
        date(2026, 11, 21),
        "文体活动",
        False,
        N,
    ),
    (
        "为社区残疾人家庭安装扶手，截止日期：2026-12-15，名额：2",
        FRIDAY,
        "为社区残疾人家庭安装扶手",
        2,
        date(2026, 12, 15),
        "助残",
        False,
        N,
    ),
    (
        "心理疏导：陪伴独居的赵奶奶聊天，每周两次，1人",
        FRIDAY,
        "心理疏导：陪伴独居的赵奶奶聊天",
        1,
        None,
        "心理疏导",
        False,
        N,
    ),
    (
        "元旦前为敬老院老人表演节目，15人，#文体活动",
        YEAR_END_MONDAY,
        "为敬老院老人表演节目",
        15,
        date(2027, 1, 1),
        "文体活动",
        False,
        N,
    ),
    ("为五保户王大爷代缴水电费", FRIDAY, "为五保户王大爷代缴水电费", 1, None, "帮困", False, N),
    ("本月底前为社区图书角整理图书，需要6人", FRIDAY, "为社区图书角整理图书", 6, date(2026, 11, 30), "", False, N),
    ("十二月五日前慰问困难退役军人", FRIDAY, "慰问困难退役军人", 1, date(2026, 12, 5), "帮困", False, N),
    ("大后天上午为独居老人理发，名额1", FRIDAY, "为独居老人理发", 1, date(2026, 11, 23), "助老", False, N),
    ("团队认领 为小区更换楼道灯泡 截止12.10", FRIDAY, "为小区更换楼道灯泡", 1, date(2026, 12, 10), "", True, N),
    (
        "应急演练：协助社区开展消防应急演练，8人，下周二",
        FRIDAY,
        "应急演练：协助社区开展消防应急演练",
        8,
        date(2026, 11, 24),
        "",
        False,
        N,
    ),
    (
        "#急 为突发火灾受灾户募集棉被，10人，今日",
        YEAR_END_MONDAY,
        "为突发火灾受灾户募集棉被",
        10,
        YEAR_END_MONDAY,
        "",
        False,
        E,
    ),
    (
        "春节期间治安巡逻，每晚2人，截止2月28日，服务队认领",
        YEAR_END_MONDAY,
        "春节期间治安巡逻",
        2,
        date(2027, 2, 28),
        "治安巡逻",
        True,
        N,
    ),
    ("十万火急！3号楼停水，帮独居老人送桶装水，名额：五", FRIDAY, "3号楼停水", 5, None, "助老", False, E),
    (
        "为社区儿童开展暑期安全教育 截止7月10日 名额 3",
        WEDNESDAY,
        "为社区儿童开展暑期安全教育",
        3,
        date(2026, 7, 10),
        "",
        False,
        N,
    ),
]


@pytest.mark.parametrize(
    ("text", "today", "title", "slots", "deadline", "category", "team", "urgency"),
    REAL_WISHES,
    ids=[row[0][:24] for row in REAL_WISHES],
)
def test_a_real_wish_post_is_read_into_its_fields(
    text: str,
    today: date,
    title: str,
    slots: int,
    deadline: date | None,
    category: str,
    team: bool,
    urgency: Urgency,
) -> None:
    wish = read(text, today)
    assert (wish.title, wish.slots, wish.deadline, wish.category, wish.team_claim, wish.urgency) == (
        title,
        slots,
        deadline,
        category,
        team,
        urgency,
    )


def test_there_are_at_least_forty_real_wishes_and_several_todays() -> None:
    assert len(REAL_WISHES) >= 40
    assert len({row[1] for row in REAL_WISHES}) >= 3


@pytest.mark.parametrize(
    ("text", "today", "description"),
    [
        ("为90岁的李爷爷购买年货，1月20日前送到家", YEAR_END_MONDAY, "送到家"),
        (
            "为留守儿童小红辅导功课\n她父母在外打工，需要一名大学生党员每周辅导两次\n截止1月底",
            YEAR_END_MONDAY,
            "她父母在外打工，需要一名大学生党员每周辅导两次",
        ),
        ("为独居老人王奶奶安装一键通 名额2 截止12月31日 #居家养老", FRIDAY, ""),
        ("家电维修 王阿姨家洗衣机坏了，需要1名懂维修的党员", FRIDAY, "王阿姨家洗衣机坏了，需要1名懂维修的党员"),
        ("战时应急：为隔离楼栋送菜，5人，今天", FRIDAY, "今天"),
        ("为社区老人量血压，下周三上午9:00集合", WEDNESDAY, "下周三上午9:00集合"),
        ("帮王奶奶修 WiFi 路由器，2人；她不会用智能手机。", FRIDAY, "她不会用智能手机"),
    ],
)
def test_what_follows_the_first_clause_is_the_description(text: str, today: date, description: str) -> None:
    assert read(text, today).description == description


def test_latin_words_keep_their_spaces_in_the_title() -> None:
    assert read("帮王奶奶修 WiFi 路由器，2人", FRIDAY).title == "帮王奶奶修 WiFi 路由器"


def test_a_long_first_sentence_is_trimmed_into_the_title_and_kept_whole_in_the_description() -> None:
    sentence = "为社区" + "独居老人" * 20 + "安装一键通"
    wish = read(sentence + "，名额2", FRIDAY)
    assert len(wish.title) == 60
    assert wish.title.endswith("…")
    assert wish.description == sentence
    assert [note.key for note in wish.notes] == ["parse.title_trimmed"]


@pytest.mark.parametrize(
    ("text", "slots"),
    [
        ("为独居老人王奶奶安装一键通 名额2", 2),
        ("为独居老人王奶奶安装一键通 名额：2", 2),
        ("为独居老人王奶奶安装一键通，名额为两个", 2),
        ("为独居老人王奶奶安装一键通，3个名额", 3),
        ("为独居老人王奶奶安装一键通，需要4名", 4),
        ("为独居老人王奶奶安装一键通，6名志愿者", 6),
        ("为独居老人王奶奶安装一键通，十二人", 12),
        ("为独居老人王奶奶安装一键通，二十名党员", 20),
        ("为独居老人王奶奶安装一键通，招募一百零五名志愿者", 105),
        ("为独居老人王奶奶安装一键通，名额２", 2),
        ("为独居老人王奶奶安装一键通，名额500", MAX_SLOTS),
        ("为独居老人王奶奶安装一键通，名额2，2人", 2),
    ],
)
def test_slots_are_read_from_the_usual_ways_of_writing_them(text: str, slots: int) -> None:
    assert read(text, FRIDAY).slots == slots


@pytest.mark.parametrize(
    "text",
    [
        "为90岁老人送年货",
        "3号楼的刘奶奶想要2个书包",
        "为2户困难家庭送米面油",
        "王奶奶一个人在家，需要有人陪她聊天",
        "为3名老人理发",
        "给第一名的小朋友发奖品",
        "每月5次上门送餐",
        "联系人李阿姨 138 1234 5678，帮忙修水管",
        "为社区独居老人安装一键通",
    ],
)
def test_numbers_that_are_not_slots_are_not_read_as_a_count_and_the_count_is_asked(text: str) -> None:
    assert parse_wish_text(text, FRIDAY).problems == (ParseProblem("parse.slots_missing"),)
    assert read(text, FRIDAY).slots == 1


def test_beneficiaries_are_not_mistaken_for_helpers() -> None:
    assert read("为3名老人理发，需要2名志愿者", FRIDAY).slots == 2


@pytest.mark.parametrize(
    ("text", "seen"),
    [
        ("为独居老人王奶奶安装一键通，名额0", "名额0"),
        ("为独居老人王奶奶安装一键通，名额600", "名额600"),
        ("为独居老人王奶奶安装一键通，一千人", "一千人"),
        ("名额2，需要3名志愿者 帮忙搬家", "名额2、需要3名志愿者"),
        ("社区环境整治，名额：若干", "名额：若干"),
    ],
)
def test_unusable_or_conflicting_slot_numbers_are_refused_with_what_was_seen(text: str, seen: str) -> None:
    result = parse_wish_text(text, FRIDAY)
    assert result.wish is None
    assert result.problems == (ParseProblem("parse.slots_unreadable", (("seen", seen), ("max", str(MAX_SLOTS)))),)


@pytest.mark.parametrize(
    ("phrase", "today", "deadline"),
    [
        ("截止12月31日", FRIDAY, date(2026, 12, 31)),
        ("12.31前", FRIDAY, date(2026, 12, 31)),
        ("12/31之前", FRIDAY, date(2026, 12, 31)),
        ("截至2026年12月31日", FRIDAY, date(2026, 12, 31)),
        ("2026-12-31以前", FRIDAY, date(2026, 12, 31)),
        ("截止日期：2027-01-05", YEAR_END_MONDAY, date(2027, 1, 5)),
        ("今天", FRIDAY, FRIDAY),
        ("今日前", FRIDAY, FRIDAY),
        ("明天前", YEAR_END_MONDAY, date(2026, 12, 29)),
        ("后天之前", YEAR_END_MONDAY, date(2026, 12, 30)),
        ("大后天前", YEAR_END_MONDAY, date(2026, 12, 31)),
        ("5天内", YEAR_END_MONDAY, date(2027, 1, 2)),
        ("十日内", FRIDAY, date(2026, 11, 30)),
        ("两周内", FRIDAY, date(2026, 12, 4)),
        ("本周内", FRIDAY, date(2026, 11, 22)),
        ("月底前", YEAR_END_MONDAY, date(2026, 12, 31)),
        ("本月底", FRIDAY, date(2026, 11, 30)),
        ("下月底前", YEAR_END_MONDAY, date(2027, 1, 31)),
        ("年底前", FRIDAY, date(2026, 12, 31)),
        ("本月25号前", FRIDAY, date(2026, 11, 25)),
        ("下个月5号前", YEAR_END_MONDAY, date(2027, 1, 5)),
        ("截止12月31日下午5点", YEAR_END_MONDAY, date(2026, 12, 31)),
        ("最晚星期三", FRIDAY, date(2026, 11, 25)),
    ],
)
def test_deadline_phrases(phrase: str, today: date, deadline: date) -> None:
    assert read(f"为王奶奶送年货，{phrase}", today).deadline == deadline


@pytest.mark.parametrize(
    ("phrase", "today", "deadline"),
    [
        ("周五前", FRIDAY, FRIDAY),
        ("星期五前", date(2026, 11, 21), date(2026, 11, 27)),
        ("礼拜五前", date(2026, 11, 19), FRIDAY),
        ("本周五前", FRIDAY, FRIDAY),
        ("这周五前", date(2026, 11, 16), FRIDAY),
        ("下周五前", FRIDAY, date(2026, 11, 27)),
        ("下周五前", date(2026, 11, 16), date(2026, 11, 27)),
        ("下个星期一前", date(2026, 11, 22), date(2026, 11, 23)),
        ("下下周一前", FRIDAY, date(2026, 11, 30)),
        ("周日前", date(2026, 11, 22), date(2026, 11, 22)),
        ("周末前", FRIDAY, date(2026, 11, 22)),
        ("下周末前", FRIDAY, date(2026, 11, 29)),
    ],
)
def test_weeks_run_monday_to_sunday_and_a_bare_weekday_is_the_next_one_including_today(
    phrase: str, today: date, deadline: date
) -> None:
    assert read(f"{phrase}为王奶奶送菜", today).deadline == deadline


def test_a_month_and_day_already_passed_this_year_means_next_year_with_a_note() -> None:
    wish = read("为困难户送春联，1月5日前", YEAR_END_MONDAY)
    assert wish.deadline == date(2027, 1, 5)
    assert wish.notes == (
        ParseProblem("parse.year_assumed", (("seen", "1月5日前"), ("year", "2027"), ("date", "2027-01-05"))),
    )


def test_a_yearless_date_that_just_passed_is_asked_about_not_rolled_a_year_ahead() -> None:
    result = parse_wish_text("12月20日前为王奶奶修水管，2人", YEAR_END_MONDAY)
    assert not result.ok
    assert [problem.key for problem in result.problems] == ["parse.deadline_past"]


def test_a_yearless_date_long_past_means_next_year_with_a_note() -> None:
    wish = read("3月1日前为王奶奶修水管", YEAR_END_MONDAY)
    assert wish.deadline == date(2027, 3, 1)
    assert [note.key for note in wish.notes] == ["parse.year_assumed"]


def test_a_bare_day_already_passed_this_month_means_next_month_with_a_note() -> None:
    wish = read("帮90岁老人贴春联，20号前", YEAR_END_MONDAY)
    assert wish.deadline == date(2027, 1, 20)
    assert [note.key for note in wish.notes] == ["parse.month_assumed"]


def test_a_date_without_a_marker_is_the_deadline_cut_out_of_the_title_and_kept_in_the_description() -> None:
    wish = read("明天上午为3号楼消杀，4人", YEAR_END_MONDAY)
    assert wish.deadline == date(2026, 12, 29)
    assert wish.title == "为3号楼消杀"
    assert wish.description == "明天上午为3号楼消杀"


def test_a_marked_date_wins_over_an_unmarked_one() -> None:
    wish = read("周六为社区老人理发，截止周四报名", FRIDAY)
    assert wish.deadline == date(2026, 11, 26)


def test_several_unmarked_dates_set_no_deadline_and_say_so() -> None:
    wish = read("周一至周五下午为社区老人送餐，2人", FRIDAY)
    assert wish.deadline is None
    assert wish.notes == (ParseProblem("parse.deadline_ambiguous", (("seen", "周一、周五下午"),)),)


@pytest.mark.parametrize(
    ("text", "today", "key"),
    [
        ("截止2025年12月31日，为困难户送米面油", YEAR_END_MONDAY, "parse.deadline_past"),
        ("为困难户送米面油，2026-12-27前", YEAR_END_MONDAY, "parse.deadline_past"),
        ("本周一前送菜", WEDNESDAY, "parse.deadline_past"),
        ("截止本月20号 送菜", YEAR_END_MONDAY, "parse.deadline_past"),
        ("2月30日前为社区老人义诊", FRIDAY, "parse.deadline_invalid"),
        ("13月5日前为社区老人义诊", FRIDAY, "parse.deadline_invalid"),
        ("2026-02-29前为社区老人义诊", WEDNESDAY, "parse.deadline_invalid"),
        ("0天内为社区老人义诊", FRIDAY, "parse.deadline_invalid"),
        ("截止12月31日，1月5日前为社区老人义诊", YEAR_END_MONDAY, "parse.deadline_conflicting"),
    ],
)
def test_a_deadline_that_cannot_be_used_is_refused_never_moved(text: str, today: date, key: str) -> None:
    result = parse_wish_text(text + "，2人", today)
    assert result.wish is None
    assert problem_keys(result) == [key]


def test_a_past_deadline_names_the_date_it_understood() -> None:
    result = parse_wish_text("截止2025年12月31日，为困难户送米面油，2人", YEAR_END_MONDAY)
    assert result.problems == (
        ParseProblem("parse.deadline_past", (("seen", "截止2025年12月31日"), ("date", "2025-12-31"))),
    )


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("为王奶奶送年货 #居家养老", "居家养老"),
        ("为王奶奶送年货 #春节慰问", "春节慰问"),
        ("为王奶奶送年货 #微心愿 #助老", "助老"),
        ("#微心愿#为王奶奶送年货", "生活服务"),
        ("#助老#为王奶奶送年货", "助老"),
        ("为社区居民提供法律咨询", "法律服务"),
        ("协助矛盾调解", "矛盾调解"),
        ("为王奶奶送年货 #应急", "应急"),
        ("帮忙搬家", ""),
    ],
)
def test_category_comes_from_the_first_tag_or_a_known_word(text: str, category: str) -> None:
    assert read(text, FRIDAY).category == category


def test_extra_tags_are_noted() -> None:
    wish = read("月底前完成小区垃圾分类宣传，6人 #环境整治 #政策宣讲", FRIDAY)
    assert wish.category == "环境整治"
    assert wish.notes == (ParseProblem("parse.tags_ignored", (("tags", "政策宣讲"),)),)


def test_known_categories_cover_the_service_teams_of_the_brief() -> None:
    for team in (
        "矛盾调解",
        "治安巡逻",
        "政策宣讲",
        "文体活动",
        "医疗健康",
        "法律服务",
        "居家养老",
        "维修",
        "环境整治",
    ):
        assert team in KNOWN_CATEGORIES


@pytest.mark.parametrize(
    ("text", "team", "urgency"),
    [
        ("组团为社区老人包饺子", True, N),
        ("为社区老人包饺子，团队认领", True, N),
        ("为社区老人包饺子 #组团", True, N),
        ("【组团认领】为社区老人包饺子", True, N),
        ("服务队认领：清理小区小广告", True, N),
        ("紧急：为隔离户送药", False, E),
        ("[加急]为隔离户送药", False, E),
        ("为隔离户送药，急！", False, E),
        ("急需轮椅一辆，王奶奶摔伤", False, E),
        ("战时岗位：核酸检测点维持秩序", False, E),
        ("#紧急 #组团 为被淹楼栋转移物资", True, E),
        ("安装紧急呼叫按钮，紧急联系人：李阿姨", False, N),
        ("开展应急知识宣讲", False, N),
    ],
)
def test_team_and_emergency_flags(text: str, team: bool, urgency: Urgency) -> None:
    wish = read(text, FRIDAY)
    assert (wish.team_claim, wish.urgency) == (team, urgency)
    assert wish.title and wish.title not in ("紧急", "组团", "急")


@pytest.mark.parametrize(
    "text",
    ["/wish 为王奶奶送年货", "/wish@ebranch_bot 为王奶奶送年货", "#微心愿 为王奶奶送年货", "微心愿：为王奶奶送年货"],
)
def test_the_posting_marker_is_not_part_of_the_title(text: str) -> None:
    assert read(text, FRIDAY).title == "为王奶奶送年货"


@pytest.mark.parametrize("text", ["", "   ", "#微心愿", "/wish", "名额2 截止12月31日", "，。；、", "紧急！组团"])
def test_a_post_with_nothing_to_do_asks_for_a_title(text: str) -> None:
    result = parse_wish_text(text, FRIDAY, slots=1)
    assert not result.ok
    assert problem_keys(result) == ["parse.title_missing"]


def test_several_problems_are_reported_together() -> None:
    result = parse_wish_text("名额0 截止2月30日", FRIDAY)
    assert set(problem_keys(result)) == {"parse.slots_unreadable", "parse.deadline_invalid", "parse.title_missing"}


def test_a_text_over_the_limit_is_refused_with_its_length() -> None:
    result = parse_wish_text("送" * (MAX_WISH_TEXT + 1), FRIDAY)
    assert result.problems == (ParseProblem("parse.too_long", (("length", "1001"), ("max", "1000"))),)
    assert read("送" * MAX_WISH_TEXT, FRIDAY).title


def test_phones_stay_raw_in_the_text_and_are_never_read_as_numbers() -> None:
    wish = read("为王奶奶修水管 联系电话 0573-82123456 或 13812345678 名额2", FRIDAY)
    assert wish.slots == 2
    assert wish.deadline is None
    assert "13812345678" in wish.description


def test_every_parser_key_has_chinese_and_english_with_the_same_placeholders() -> None:
    package = Path(__file__).parents[1].joinpath("bot", "domain", "wish_text")
    source = "\n".join(module.read_text(encoding="utf-8") for module in sorted(package.glob("*.py")))
    used = set(re.findall(r'"(parse\.[a-z_]+)"', source))
    assert used == set(MESSAGES)
    for key, texts in MESSAGES.items():
        assert set(texts) == {"zh", "en"}, key
        fields = [{name for _, name, _, _ in string.Formatter().parse(text) if name} for text in texts.values()]
        assert fields[0] == fields[1], key


def test_every_problem_and_note_formats_with_the_args_it_carries() -> None:
    samples = [
        ("送" * 1001, FRIDAY),
        ("名额0 截止2月30日", FRIDAY),
        ("截止2025年12月31日 送菜", FRIDAY),
        ("截止12月31日，1月5日前送菜", YEAR_END_MONDAY),
        ("1月5日前送菜 2人", YEAR_END_MONDAY),
        ("送菜，20号前，2人", YEAR_END_MONDAY),
        ("周一至周五送菜 #助老 #帮困 2人", FRIDAY),
        ("送" * 80 + " 2人", FRIDAY),
        ("为王奶奶送菜", FRIDAY),
        ("为王奶奶送菜 25点前 2人", FRIDAY),
    ]
    seen: set[str] = set()
    for text, today in samples:
        result = parse_wish_text(text, today)
        remarks = result.problems + (result.wish.notes if result.wish else ())
        for remark in remarks:
            for language in ("zh", "en"):
                assert "{" not in MESSAGES[remark.key][language].format(**dict(remark.args))
            seen.add(remark.key)
    assert seen == set(MESSAGES)


WISH_WORDS = [
    "为独居老人",
    "王奶奶",
    "安装一键通",
    "送年货",
    "名额",
    "名额：",
    "截止",
    "截至",
    "前",
    "之前",
    "人",
    "名",
    "个",
    "位",
    "志愿者",
    "月",
    "日",
    "号",
    "年",
    "周",
    "星期",
    "下",
    "下下",
    "本",
    "这",
    "底",
    "天内",
    "明天",
    "后天",
    "今天",
    "#",
    "#微心愿",
    "#居家养老",
    "组团",
    "紧急",
    "急",
    "【",
    "】",
    "：",
    "，",
    "。",
    " ",
    "\n",
    "/wish",
    "十",
    "二",
    "两",
    "百",
    "千",
    "〇",
    "0",
    "1",
    "2",
    "9",
    "12",
    "31",
    "2026",
    "-",
    ".",
    "/",
    "13812345678",
    "0573-",
    "春节",
    "除夕",
    "重阳节",
    "腊月",
    "正月",
    "闰",
    "农历",
    "初",
    "廿",
    "下午",
    "晚上",
    "点",
    "半",
    "18:30",
    "by ",
    "due ",
    "Dec ",
    "pm",
    " people",
    "quota ",
    "need ",
    "tomorrow",
    "next ",
    "Friday",
    "医生",
]
wishlike_text = st.lists(st.one_of(st.sampled_from(WISH_WORDS), st.text(max_size=3)), max_size=40).map("".join)


@settings(max_examples=600, deadline=None)
@given(
    text=st.one_of(st.text(max_size=300), wishlike_text),
    today=st.dates(),
    now=st.one_of(st.none(), st.times()),
    slots=st.one_of(st.none(), st.integers(min_value=-5, max_value=MAX_SLOTS + 5)),
)
def test_any_text_on_any_day_reads_without_raising_and_never_into_the_past(
    text: str, today: date, now: time | None, slots: int | None
) -> None:
    result = parse_wish_text(text, today, now, slots=slots)
    assert result.ok == (result.wish is not None) == (not result.problems)
    if result.wish is not None:
        wish = result.wish
        assert wish.deadline is None or wish.deadline >= today
        assert wish.deadline is not None or wish.deadline_time is None
        if wish.deadline == today and wish.deadline_time is not None and now is not None:
            assert wish.deadline_time > now
        assert 1 <= wish.slots <= MAX_SLOTS
        assert 0 < len(wish.title) <= 60
        assert wish.title == wish.title.strip()
        assert isinstance(wish.urgency, Urgency)
    for remark in result.problems + (result.wish.notes if result.wish else ()):
        assert remark.key in MESSAGES


@settings(max_examples=200, deadline=None)
@given(
    title=st.sampled_from(["为王奶奶送年货", "帮留守儿童买书包", "为独居老人安装一键通", "小区消杀"]),
    slots=st.integers(min_value=1, max_value=MAX_SLOTS),
    deadline=st.dates(min_value=date(2026, 1, 1), max_value=date(2030, 12, 31)),
    today=st.dates(min_value=date(2026, 1, 1), max_value=date(2030, 12, 31)),
)
def test_a_well_formed_post_round_trips(title: str, slots: int, deadline: date, today: date) -> None:
    text = f"{title} 名额{slots} 截止{deadline.year}年{deadline.month}月{deadline.day}日"
    result = parse_wish_text(text, today)
    if deadline < today:
        assert problem_keys(result) == ["parse.deadline_past"]
    else:
        wish = read(text, today)
        assert (wish.title, wish.slots, wish.deadline, wish.notes) == (title, slots, deadline, ())
