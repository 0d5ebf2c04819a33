"""Wish texts as people write them, in Chinese and English: titles without dates, counts wherever they stand,
English dates, deadlines with a time of day, Chinese festivals and lunar dates (pinned to 2026 and 2027)."""

from __future__ import annotations

from datetime import date, time

import holidays
import pytest
from lunar_python import Lunar

from bot.domain.wish_text import (
    MAX_SLOTS,
    ParsedWish,
    ParseProblem,
    parse_wish_text,
    read_count,
    read_deadline_phrase,
)

FRIDAY = date(2026, 11, 20)
MONDAY = date(2026, 11, 16)
YEAR_END_MONDAY = date(2026, 12, 28)
SPRING_2027 = date(2027, 1, 4)
MORNING = time(9, 30)
MISSING = ParseProblem("parse.slots_missing")


def read(text: str, today: date = FRIDAY, now: time | None = MORNING) -> ParsedWish:
    """The wish read from ``text``, failing the test with the problems if it could not be read."""
    result = parse_wish_text(text, today, now)
    assert result.ok, result.problems
    assert result.wish is not None
    return result.wish


# -- 1. the title is never a date or a time --------------------------------------------------------------------

# (text, today, title, description, deadline, time)
TITLES = [
    ("12月15日下午2点 社区义诊 需要医生2名", FRIDAY, "社区义诊", "需要医生2名", date(2026, 12, 15), time(14, 0)),
    ("12月15日下午2点社区义诊，医生2名", FRIDAY, "社区义诊", "医生2名", date(2026, 12, 15), time(14, 0)),
    ("12月15日 社区义诊 2人", FRIDAY, "社区义诊", "", date(2026, 12, 15), None),
    ("明天 为王奶奶送菜 2人", FRIDAY, "为王奶奶送菜", "", date(2026, 11, 21), None),
    ("明天下午3点为王奶奶送菜，2人", FRIDAY, "为王奶奶送菜", "", date(2026, 11, 21), time(15, 0)),
    ("下周三上午9:00 为老人量血压，3人", FRIDAY, "为老人量血压", "", date(2026, 11, 25), time(9, 0)),
    ("周六 小区大扫除 5人", FRIDAY, "小区大扫除", "", date(2026, 11, 21), None),
    ("2026年12月20日 慰问困难党员 2人", FRIDAY, "慰问困难党员", "", date(2026, 12, 20), None),
    ("2026-12-20 慰问困难党员 2人", FRIDAY, "慰问困难党员", "", date(2026, 12, 20), None),
    ("12月20日的社区义诊，2人", FRIDAY, "社区义诊", "", date(2026, 12, 20), None),
    ("截止12月20日下午5点 社区义诊 2人", FRIDAY, "社区义诊", "", date(2026, 12, 20), time(17, 0)),
    ("今天18点前 为隔离户送药 2人", FRIDAY, "为隔离户送药", "", FRIDAY, time(18, 0)),
    ("下午3点半前 为隔离户送药 2人", FRIDAY, "为隔离户送药", "", FRIDAY, time(15, 30)),
    ("春节前 为空巢老人打扫卫生 4人", FRIDAY, "为空巢老人打扫卫生", "", date(2027, 2, 6), None),
    ("重阳节为社区老人包饺子，6人", FRIDAY, "为社区老人包饺子", "", date(2027, 10, 8), None),
    ("除夕为孤寡老人送年夜饭，2人", FRIDAY, "为孤寡老人送年夜饭", "", date(2027, 2, 5), None),
    ("腊月二十三 给独居老人送灶糖 2人", FRIDAY, "给独居老人送灶糖", "", date(2027, 1, 30), None),
    ("明天上午为3号楼消杀，4人", FRIDAY, "为3号楼消杀", "明天上午为3号楼消杀", date(2026, 11, 21), None),
    (
        "周一至周五下午为社区老人送餐，2人",
        FRIDAY,
        "为社区老人送餐",
        "周一至周五下午为社区老人送餐",
        None,
        None,
    ),
    ("下午2点到4点 为老人理发 2人", FRIDAY, "为老人理发", "下午2点到4点", None, None),
    (
        "Dec 15 2pm community clinic, 2 doctors",
        FRIDAY,
        "community clinic",
        "2 doctors",
        date(2026, 12, 15),
        time(14, 0),
    ),
    ("Community clinic on Dec 15, 2 people", FRIDAY, "Community clinic", "", date(2026, 12, 15), None),
    (
        "Tomorrow, help Mrs Wang move house, 3 volunteers",
        FRIDAY,
        "help Mrs Wang move house",
        "",
        date(2026, 11, 21),
        None,
    ),
    ("Friday: tidy the reading room, 2 people", MONDAY, "tidy the reading room", "", FRIDAY, None),
    (
        "By next Friday, tutoring for Xiao Ming, 1 volunteer",
        FRIDAY,
        "tutoring for Xiao Ming",
        "",
        date(2026, 11, 27),
        None,
    ),
    ("6pm today, deliver medicine to Mr Li, 1 person", FRIDAY, "deliver medicine to Mr Li", "", FRIDAY, time(18, 0)),
    (
        "20 December - Christmas party for the elderly, quota 10",
        FRIDAY,
        "Christmas party for the elderly",
        "",
        date(2026, 12, 20),
        None,
    ),
    ("每周五晚上8点 夜间巡逻 4人", FRIDAY, "夜间巡逻", "每周五晚上8点", None, None),
    ("12月1日-5日 社区消杀 5人", FRIDAY, "社区消杀", "12月1日-5日", None, None),
    ("12月1日至12月5日 社区消杀 5人", FRIDAY, "社区消杀", "12月1日至12月5日", None, None),
    ("12.5 社区消杀 5人", FRIDAY, "社区消杀", "", date(2026, 12, 5), None),
    ("明年春节前送春联，2人", FRIDAY, "送春联", "", date(2027, 2, 6), None),
    (
        "为独居老人王奶奶安装一键通 名额2 截止12月31日",
        FRIDAY,
        "为独居老人王奶奶安装一键通",
        "",
        date(2026, 12, 31),
        None,
    ),
    (
        "为社区老人量血压，下周三上午9:00集合，3人",
        MONDAY,
        "为社区老人量血压",
        "下周三上午9:00集合",
        date(2026, 11, 25),
        time(9, 0),
    ),
]


@pytest.mark.parametrize(
    ("text", "today", "title", "description", "deadline", "at"), TITLES, ids=[r[0][:20] for r in TITLES]
)
def test_the_title_is_never_a_date_or_a_time(
    text: str, today: date, title: str, description: str, deadline: date | None, at: time | None
) -> None:
    wish = read(text, today)
    assert (wish.title, wish.description, wish.deadline, wish.deadline_time) == (title, description, deadline, at)


@pytest.mark.parametrize(
    "text",
    [
        "春节期间治安巡逻，每晚2人",
        "庆祝国庆文艺演出，5人",
        "五一路小区清理垃圾，3人",
        "为困难户送春节慰问品，2人",
        "六一班的小朋友需要辅导，2人",
        "过年回家的留守老人需要陪伴，2人",
        "中秋节礼盒分装，4人",
    ],
)
def test_a_festival_inside_another_word_is_no_date_and_stays_in_the_title(text: str) -> None:
    wish = read(text)
    assert wish.deadline is None
    assert wish.title == text.split("，")[0]


# -- 2. a count of people, wherever it stands -------------------------------------------------------------------

COUNTS = [
    ("12月15日下午2点 社区义诊 需要医生2名", 2),
    ("社区义诊，医生2名", 2),
    ("社区义诊，医生两名", 2),
    ("社区义诊，需要护士1名", 1),
    ("法律咨询，律师一位", 1),
    ("社区义诊，需要保洁员3名", 3),
    ("修理路灯，需要电工2人", 2),
    ("社区义诊 名额两个", 2),
    ("社区义诊 名额2", 2),
    ("社区义诊 名额：3", 3),
    ("社区义诊，名额为五个", 5),
    ("社区义诊，3个名额", 3),
    ("社区义诊，需要4名", 4),
    ("社区义诊，6名志愿者", 6),
    ("社区义诊，二十名党员", 20),
    ("社区义诊，十二人", 12),
    ("社区义诊，招3人", 3),
    ("社区义诊，限5人", 5),
    ("社区义诊，共需8人", 8),
    ("社区义诊，人数：3", 3),
    ("社区义诊，人数3人", 3),
    ("社区义诊，需要两位志愿者", 2),
    ("社区义诊，需要两个人", 2),
    ("社区义诊，2位", 2),
    ("社区义诊，招募一百零五名志愿者", 105),
    ("为3名老人理发，需要2名志愿者", 2),
    ("Community clinic, 2 people", 2),
    ("Community clinic, 3 volunteers", 3),
    ("Community clinic, quota 2", 2),
    ("Community clinic, quota: 4", 4),
    ("Community clinic, 2 persons", 2),
    ("Community clinic, 1 person", 1),
    ("Community clinic, need 4", 4),
    ("Community clinic, needs 2.", 2),
    ("Help Mrs Li move house, need 4 by Friday", 4),
    ("Community clinic, slots: 3", 3),
    ("Community clinic, 3 slots", 3),
    ("Community clinic, places: 6", 6),
    ("Community clinic, headcount 5", 5),
    ("Community clinic, two volunteers", 2),
    ("Community clinic, one volunteer", 1),
    ("Community clinic, a volunteer needed", 1),
    ("Community clinic, 3 volunteers wanted", 3),
    ("Community clinic, 4 helpers", 4),
    ("Community clinic, 2 party members", 2),
    ("Community clinic, 2 doctors", 2),
    ("Community clinic, looking for 3", 3),
    ("Visit Mr Li for 3 hours, 2 people", 2),
    ("Deliver 2 bags of rice, 1 person", 1),
    ("社区义诊，３人", 3),
    ("小区义剪，3名理发师", 3),
    ("需要2名医生坐诊", 2),
    ("为3名学生辅导功课，需要2名大学生", 2),
]


@pytest.mark.parametrize(("text", "slots"), COUNTS, ids=[r[0][:24] for r in COUNTS])
def test_a_count_of_people_is_read_wherever_it_stands(text: str, slots: int) -> None:
    assert read(text).slots == slots


NOT_COUNTS = [
    "为90岁老人送年货",
    "为90岁的李爷爷购买年货",
    "3号楼的刘奶奶想要2个书包",
    "为2户困难家庭送米面油",
    "陪王奶奶聊天2小时",
    "每周辅导两次功课",
    "为3名老人理发",
    "给第一名的小朋友发奖品",
    "考试前3名发奖品",
    "联系人李阿姨 138 1234 5678，帮忙修水管",
    "联系电话13812345678 修水管",
    "12月15日下午2点 社区义诊",
    "下午3点半前为老人送药",
    "Visit Mr Li for 3 hours",
    "Deliver 2 bags of rice to building 3",
    "Help a 90 year old neighbour",
    "Room 302 needs a new lamp",
    "社区环境整治，志愿者若干",
    "为3名学生辅导功课",
    "服务2.5小时",
]


@pytest.mark.parametrize("text", NOT_COUNTS)
def test_numbers_that_are_not_counts_are_not_read_and_the_count_is_asked(text: str) -> None:
    result = parse_wish_text(text, FRIDAY, MORNING)
    assert MISSING in result.problems
    assert result.wish is None


def test_a_missing_count_is_asked_alone_when_all_else_is_read_and_the_answer_completes_it() -> None:
    assert parse_wish_text("12月15日下午2点 社区义诊", FRIDAY).problems == (MISSING,)
    wish = parse_wish_text("12月15日下午2点 社区义诊", FRIDAY, slots=3).wish
    assert wish is not None and (wish.title, wish.slots, wish.deadline_time) == ("社区义诊", 3, time(14, 0))


def test_a_count_in_the_text_wins_over_an_answered_one_and_an_answer_out_of_range_is_refused() -> None:
    wish = parse_wish_text("社区义诊 名额2", FRIDAY, slots=5).wish
    assert wish is not None and wish.slots == 2
    result = parse_wish_text("社区义诊", FRIDAY, slots=MAX_SLOTS + 1)
    assert [p.key for p in result.problems] == ["parse.slots_unreadable"]


@pytest.mark.parametrize(
    ("text", "seen"), [("需要两三个人帮忙搬家", "需要两三个人"), ("帮忙搬家，两三个人", "两三个人")]
)
def test_a_rough_count_is_asked_about_not_guessed(text: str, seen: str) -> None:
    result = parse_wish_text(text, FRIDAY, MORNING)
    assert result.problems == (ParseProblem("parse.slots_unreadable", (("seen", seen), ("max", str(MAX_SLOTS)))),)


def test_a_missing_count_is_listed_with_the_other_problems() -> None:
    result = parse_wish_text("社区义诊 2月30日前", FRIDAY)
    assert [p.key for p in result.problems] == ["parse.deadline_invalid", "parse.slots_missing"]


@pytest.mark.parametrize(
    ("answer", "count"),
    [
        ("2", 2),
        (" 3 ", 3),
        ("２", 2),
        ("2人", 2),
        ("两人", 2),
        ("两名", 2),
        ("两个", 2),
        ("一个人", 1),
        ("十二", 12),
        ("3位", 3),
        ("5名志愿者", 5),
        ("名额2", 2),
        ("名额：4", 4),
        ("需要3人", 3),
        ("人数 6", 6),
        ("1 person", 1),
        ("2 people", 2),
        ("three volunteers", 3),
        ("two", 2),
        ("quota 3", 3),
        ("need 4", 4),
        ("3人。", 3),
        ("600", 600),
    ],
)
def test_an_answer_to_how_many_people_is_read(answer: str, count: int) -> None:
    assert read_count(answer) == count


@pytest.mark.parametrize(
    "answer", ["", "好的", "明天", "2点", "3号楼", "people", "两三个", "2小时", "/skip", "2 hours"]
)
def test_what_is_not_a_count_is_not_taken_as_an_answer(answer: str) -> None:
    assert read_count(answer) is None


# -- 3. English dates -------------------------------------------------------------------------------------------

ENGLISH = [
    ("by next Friday", FRIDAY, date(2026, 11, 27)),
    ("by next Friday", MONDAY, date(2026, 11, 27)),
    ("due Dec 20", FRIDAY, date(2026, 12, 20)),
    ("due December 20", FRIDAY, date(2026, 12, 20)),
    ("due Dec. 20th", FRIDAY, date(2026, 12, 20)),
    ("before 20 December", FRIDAY, date(2026, 12, 20)),
    ("before the 20th of December", FRIDAY, date(2026, 12, 20)),
    ("by 12/20", FRIDAY, date(2026, 12, 20)),
    ("by 20/12", FRIDAY, date(2026, 12, 20)),
    ("by 12/20/2026", FRIDAY, date(2026, 12, 20)),
    ("by tomorrow", FRIDAY, date(2026, 11, 21)),
    ("by today", FRIDAY, FRIDAY),
    ("tonight", FRIDAY, FRIDAY),
    ("by the day after tomorrow", FRIDAY, date(2026, 11, 22)),
    ("by Friday", FRIDAY, FRIDAY),
    ("by Friday", MONDAY, FRIDAY),
    ("by this Friday", MONDAY, FRIDAY),
    ("by Monday", FRIDAY, date(2026, 11, 23)),
    ("by Wed", FRIDAY, date(2026, 11, 25)),
    ("by Friday after next", FRIDAY, date(2026, 12, 4)),
    ("within 3 days", FRIDAY, date(2026, 11, 23)),
    ("within three days", FRIDAY, date(2026, 11, 23)),
    ("in 2 weeks", FRIDAY, date(2026, 12, 4)),
    ("within a week", FRIDAY, date(2026, 11, 27)),
    ("within 1 month", FRIDAY, date(2026, 12, 20)),
    ("by end of month", FRIDAY, date(2026, 11, 30)),
    ("by the end of the month", FRIDAY, date(2026, 11, 30)),
    ("by the end of next month", FRIDAY, date(2026, 12, 31)),
    ("by end of year", FRIDAY, date(2026, 12, 31)),
    ("by month-end", FRIDAY, date(2026, 11, 30)),
    ("by the end of the week", MONDAY, date(2026, 11, 22)),
    ("this weekend", FRIDAY, date(2026, 11, 22)),
    ("by next weekend", FRIDAY, date(2026, 11, 29)),
    ("deadline: 2026-12-20", FRIDAY, date(2026, 12, 20)),
    ("deadline 2027-01-05", YEAR_END_MONDAY, date(2027, 1, 5)),
    ("no later than Jan 5", YEAR_END_MONDAY, date(2027, 1, 5)),
    ("until 5 January 2027", YEAR_END_MONDAY, date(2027, 1, 5)),
    ("due on March 1", YEAR_END_MONDAY, date(2027, 3, 1)),
    ("by Sept 3", FRIDAY, date(2027, 9, 3)),
]


@pytest.mark.parametrize(("phrase", "today", "deadline"), ENGLISH, ids=[f"{r[0]}@{r[1]}" for r in ENGLISH])
def test_english_deadlines(phrase: str, today: date, deadline: date) -> None:
    wish = read(f"Help Mrs Wang move house, 2 people, {phrase}", today)
    assert (wish.title, wish.deadline) == ("Help Mrs Wang move house", deadline)


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("Help Mrs Wang, 2 people, by Feb 30", "parse.deadline_invalid"),
        ("Help Mrs Wang, 2 people, due 2025-12-20", "parse.deadline_past"),
        ("Help Mrs Wang, 2 people, by this Monday", "parse.deadline_past"),
        ("Help Mrs Wang, 2 people, due Nov 10", "parse.deadline_past"),
        ("Help Mrs Wang, 2 people, by Dec 20, due Dec 21", "parse.deadline_conflicting"),
        ("Help Mrs Wang, 2 people, by 13pm", "parse.time_invalid"),
    ],
)
def test_an_english_deadline_that_cannot_be_used_is_refused(text: str, key: str) -> None:
    assert [p.key for p in parse_wish_text(text, FRIDAY, MORNING).problems] == [key]


def test_an_english_date_passed_long_ago_this_year_means_next_year_with_a_note() -> None:
    wish = read("Help Mrs Wang, 2 people, by March 1", YEAR_END_MONDAY)
    assert wish.deadline == date(2027, 3, 1)
    assert [note.key for note in wish.notes] == ["parse.year_assumed"]


# -- 4. deadlines with a time of day ----------------------------------------------------------------------------

# (phrase, today, now, deadline, time)
TIMES = [
    ("今天18点前", FRIDAY, MORNING, FRIDAY, time(18, 0)),
    ("今天下午6点前", FRIDAY, MORNING, FRIDAY, time(18, 0)),
    ("明天上午10点截止", FRIDAY, MORNING, date(2026, 11, 21), time(10, 0)),
    ("12月20日下午3点前", FRIDAY, MORNING, date(2026, 12, 20), time(15, 0)),
    ("截止12月20日15:00", FRIDAY, MORNING, date(2026, 12, 20), time(15, 0)),
    ("12月20日15：30前", FRIDAY, MORNING, date(2026, 12, 20), time(15, 30)),
    ("下午3点半前", FRIDAY, MORNING, FRIDAY, time(15, 30)),
    ("晚上8点前", FRIDAY, MORNING, FRIDAY, time(20, 0)),
    ("今晚8点前", FRIDAY, MORNING, FRIDAY, time(20, 0)),
    ("明晚7点前", FRIDAY, MORNING, date(2026, 11, 21), time(19, 0)),
    ("18点前", FRIDAY, MORNING, FRIDAY, time(18, 0)),
    ("18:30前", FRIDAY, MORNING, FRIDAY, time(18, 30)),
    ("中午12点前", FRIDAY, MORNING, FRIDAY, time(12, 0)),
    ("明天中午1点前", FRIDAY, MORNING, date(2026, 11, 21), time(13, 0)),
    ("明天凌晨5点前", FRIDAY, MORNING, date(2026, 11, 21), time(5, 0)),
    ("明天早上7点半前", FRIDAY, MORNING, date(2026, 11, 21), time(7, 30)),
    ("明天傍晚6点前", FRIDAY, MORNING, date(2026, 11, 21), time(18, 0)),
    ("明天下午三点前", FRIDAY, MORNING, date(2026, 11, 21), time(15, 0)),
    ("明天下午三点一刻前", FRIDAY, MORNING, date(2026, 11, 21), time(15, 15)),
    ("明天下午三点十五分前", FRIDAY, MORNING, date(2026, 11, 21), time(15, 15)),
    ("明天下午3点05分前", FRIDAY, MORNING, date(2026, 11, 21), time(15, 5)),
    ("明天下午3点整前", FRIDAY, MORNING, date(2026, 11, 21), time(15, 0)),
    ("明天下午3点钟前", FRIDAY, MORNING, date(2026, 11, 21), time(15, 0)),
    ("下周五下午5点前", FRIDAY, MORNING, date(2026, 11, 27), time(17, 0)),
    ("明天24点前", FRIDAY, MORNING, date(2026, 11, 21), None),
    ("明天晚上12点前", FRIDAY, MORNING, date(2026, 11, 21), None),
    ("by 6pm", FRIDAY, MORNING, FRIDAY, time(18, 0)),
    ("by 6 p.m.", FRIDAY, MORNING, FRIDAY, time(18, 0)),
    ("by 18:00", FRIDAY, MORNING, FRIDAY, time(18, 0)),
    ("by noon", FRIDAY, MORNING, FRIDAY, time(12, 0)),
    ("by midnight", FRIDAY, MORNING, FRIDAY, None),
    ("by 6:30 pm tomorrow", FRIDAY, MORNING, date(2026, 11, 21), time(18, 30)),
    ("by tomorrow 9am", FRIDAY, MORNING, date(2026, 11, 21), time(9, 0)),
    ("by tomorrow at 12pm", FRIDAY, MORNING, date(2026, 11, 21), time(12, 0)),
    ("due Dec 20 3pm", FRIDAY, MORNING, date(2026, 12, 20), time(15, 0)),
    ("due Dec 20 at 3:30pm", FRIDAY, MORNING, date(2026, 12, 20), time(15, 30)),
    ("by 3pm on Friday", MONDAY, MORNING, FRIDAY, time(15, 0)),
    ("by 12am tomorrow", FRIDAY, MORNING, date(2026, 11, 21), time(0, 0)),
    ("今天18点前", FRIDAY, None, FRIDAY, time(18, 0)),
    ("今天18点前", FRIDAY, time(17, 59), FRIDAY, time(18, 0)),
]


@pytest.mark.parametrize(("phrase", "today", "now", "deadline", "at"), TIMES, ids=[r[0] for r in TIMES])
def test_a_deadline_with_a_time_of_day(
    phrase: str, today: date, now: time | None, deadline: date, at: time | None
) -> None:
    wish = read(f"为王奶奶送药，2人，{phrase}", today, now)
    assert (wish.title, wish.deadline, wish.deadline_time) == ("为王奶奶送药", deadline, at)


@pytest.mark.parametrize(
    ("phrase", "now", "date_seen"),
    [
        ("今天18点前", time(18, 0), "2026-11-20 18:00"),
        ("今天18点前", time(20, 15), "2026-11-20 18:00"),
        ("18点前", time(19, 0), "2026-11-20 18:00"),
        ("上午9点前", MORNING, "2026-11-20 09:00"),
        ("by 6pm", time(18, 30), "2026-11-20 18:00"),
        ("by 9am today", MORNING, "2026-11-20 09:00"),
    ],
)
def test_a_deadline_today_at_a_time_already_gone_is_refused_as_past(phrase: str, now: time, date_seen: str) -> None:
    result = parse_wish_text(f"为王奶奶送药，2人，{phrase}", FRIDAY, now)
    assert [(p.key, dict(p.args)["date"]) for p in result.problems] == [("parse.deadline_past", date_seen)]


@pytest.mark.parametrize("phrase", ["25点前", "明天下午3点70分前", "明天18:75前", "by 13pm"])
def test_an_impossible_time_is_refused(phrase: str) -> None:
    assert [p.key for p in parse_wish_text(f"为王奶奶送药，2人，{phrase}", FRIDAY, MORNING).problems] == [
        "parse.time_invalid"
    ]


# (phrase, now, deadline, time): urgent needs counted in hours (or minutes) from the moment the wish is posted
HOURS_AHEAD = [
    ("3小时内", MORNING, FRIDAY, time(12, 30)),
    ("三小时内", MORNING, FRIDAY, time(12, 30)),
    ("两小时内", MORNING, FRIDAY, time(11, 30)),
    ("两个小时之内", MORNING, FRIDAY, time(11, 30)),
    ("两个半小时内", MORNING, FRIDAY, time(12, 0)),
    ("一个半小时以内", MORNING, FRIDAY, time(11, 0)),
    ("半小时内", MORNING, FRIDAY, time(10, 0)),
    ("半个小时内", MORNING, FRIDAY, time(10, 0)),
    ("30分钟内", MORNING, FRIDAY, time(10, 0)),
    ("四十五分钟以内", MORNING, FRIDAY, time(10, 15)),
    ("24小时内", MORNING, date(2026, 11, 21), time(9, 30)),
    ("3小时内", time(22, 45), date(2026, 11, 21), time(1, 45)),
    ("3个钟头内", time(9, 30, 59), FRIDAY, time(12, 30)),
    ("within 3 hours", MORNING, FRIDAY, time(12, 30)),
    ("within three hours", MORNING, FRIDAY, time(12, 30)),
    ("in 2 hours", MORNING, FRIDAY, time(11, 30)),
    ("in the next 2 hours", MORNING, FRIDAY, time(11, 30)),
    ("within 2.5 hours", MORNING, FRIDAY, time(12, 0)),
    ("within two and a half hours", MORNING, FRIDAY, time(12, 0)),
    ("in an hour", MORNING, FRIDAY, time(10, 30)),
    ("in an hour and a half", MORNING, FRIDAY, time(11, 0)),
    ("within half an hour", MORNING, FRIDAY, time(10, 0)),
    ("within a half hour", MORNING, FRIDAY, time(10, 0)),
    ("in 45 minutes", MORNING, FRIDAY, time(10, 15)),
    ("in 90 mins", MORNING, FRIDAY, time(11, 0)),
    ("in 3 hrs", MORNING, FRIDAY, time(12, 30)),
]


@pytest.mark.parametrize(("phrase", "now", "deadline", "at"), HOURS_AHEAD, ids=[r[0] for r in HOURS_AHEAD])
def test_an_urgent_need_is_measured_in_hours_from_now(phrase: str, now: time, deadline: date, at: time) -> None:
    wish = read(f"为王奶奶送药，2人，{phrase}", FRIDAY, now)
    assert (wish.title, wish.description, wish.deadline, wish.deadline_time) == ("为王奶奶送药", "", deadline, at)


@pytest.mark.parametrize("text", ["为王奶奶送药，2人，3小时内", "Deliver medicine, 2 people, within 3 hours"])
def test_hours_from_now_without_the_time_it_counts_from_or_past_a_week_are_refused(text: str) -> None:
    assert [p.key for p in parse_wish_text(text, FRIDAY, None).problems] == ["parse.deadline_invalid"]
    assert [p.key for p in parse_wish_text(text.replace("3", "200"), FRIDAY, MORNING).problems] == [
        "parse.deadline_invalid"
    ]


@pytest.mark.parametrize("text", ["陪老人聊天2小时，2人", "服务时长3小时，2人", "Visit Mr Li for 3 hours, 2 people"])
def test_hours_that_are_not_within_are_no_deadline(text: str) -> None:
    wish = read(text)
    assert (wish.deadline, wish.deadline_time) == (None, None)


def test_a_time_of_day_without_a_marker_names_no_deadline() -> None:
    wish = read("为王奶奶送药，下午2点出发，2人")
    assert (wish.deadline, wish.deadline_time, wish.description) == (None, None, "下午2点出发")


# -- 5. Chinese festivals and the lunar calendar ----------------------------------------------------------------

# (phrase, today, deadline): 2026 and 2027 dates, checked against the libraries below
FESTIVALS = [
    ("春节前", date(2026, 1, 5), date(2026, 2, 17)),
    ("春节前", FRIDAY, date(2027, 2, 6)),
    ("春节前", date(2026, 2, 18), date(2027, 2, 6)),
    ("过年前", FRIDAY, date(2027, 2, 6)),
    ("元宵节前", date(2026, 1, 5), date(2026, 3, 3)),
    ("元宵节前", FRIDAY, date(2027, 2, 20)),
    ("元宵前", FRIDAY, date(2027, 2, 20)),
    ("正月十五前", FRIDAY, date(2027, 2, 20)),
    ("端午前", date(2026, 1, 5), date(2026, 6, 19)),
    ("端午节前", FRIDAY, date(2027, 6, 9)),
    ("中秋节前", date(2026, 1, 5), date(2026, 9, 25)),
    ("中秋前", FRIDAY, date(2027, 9, 15)),
    ("农历八月十五前", FRIDAY, date(2027, 9, 15)),
    ("国庆前", date(2026, 1, 5), date(2026, 10, 1)),
    ("国庆节前", FRIDAY, date(2027, 10, 1)),
    ("元旦前", FRIDAY, date(2027, 1, 1)),
    ("元旦前", date(2026, 1, 1), date(2026, 1, 1)),
    ("清明前", date(2026, 1, 5), date(2026, 4, 5)),
    ("清明节前", FRIDAY, date(2027, 4, 5)),
    ("劳动节前", FRIDAY, date(2027, 5, 1)),
    ("五一前", date(2026, 1, 5), date(2026, 5, 1)),
    ("五一劳动节前", FRIDAY, date(2027, 5, 1)),
    ("除夕前", date(2026, 1, 5), date(2026, 2, 16)),
    ("除夕前", FRIDAY, date(2027, 2, 5)),
    ("大年三十前", FRIDAY, date(2027, 2, 5)),
    ("腊月三十前", FRIDAY, date(2027, 2, 5)),
    ("重阳节前", date(2026, 1, 5), date(2026, 10, 18)),
    ("重阳节前", FRIDAY, date(2027, 10, 8)),
    ("七夕前", date(2026, 1, 5), date(2026, 8, 19)),
    ("七夕前", FRIDAY, date(2027, 8, 8)),
    ("腊八前", date(2026, 1, 5), date(2026, 1, 26)),
    ("腊八节前", FRIDAY, date(2027, 1, 15)),
    ("腊月初八前", FRIDAY, date(2027, 1, 15)),
    ("腊月二十三前", FRIDAY, date(2027, 1, 30)),
    ("腊月二十三前", date(2026, 1, 5), date(2026, 2, 10)),
    ("小年前", FRIDAY, date(2027, 1, 30)),
    ("正月初八前", FRIDAY, date(2027, 2, 13)),
    ("二月初二前", FRIDAY, date(2027, 3, 9)),
    ("龙抬头前", date(2026, 1, 5), date(2026, 3, 20)),
    ("五月初五前", FRIDAY, date(2027, 6, 9)),
    ("农历九月初九前", FRIDAY, date(2027, 10, 8)),
    ("六一前", FRIDAY, date(2027, 6, 1)),
    ("儿童节前", date(2026, 1, 5), date(2026, 6, 1)),
    ("七一前", FRIDAY, date(2027, 7, 1)),
    ("建军节前", FRIDAY, date(2027, 8, 1)),
    ("教师节前", FRIDAY, date(2027, 9, 10)),
    ("三八妇女节前", FRIDAY, date(2027, 3, 8)),
    ("截止春节", FRIDAY, date(2027, 2, 6)),
    ("最晚中秋节", date(2027, 9, 15), date(2027, 9, 15)),
]


@pytest.mark.parametrize(("phrase", "today", "deadline"), FESTIVALS, ids=[f"{r[0]}@{r[1]}" for r in FESTIVALS])
def test_festivals_and_lunar_dates_are_the_next_such_day_on_or_after_today(
    phrase: str, today: date, deadline: date
) -> None:
    wish = read(f"为空巢老人打扫卫生，4人，{phrase}", today)
    assert (wish.title, wish.deadline) == ("为空巢老人打扫卫生", deadline)


@pytest.mark.parametrize(
    ("text", "deadline"),
    [
        ("除夕为孤寡老人送年夜饭，2人", date(2027, 2, 5)),
        ("除夕夜为孤寡老人送饺子，2人", date(2027, 2, 5)),
        ("重阳节为社区老人包饺子，6人", date(2027, 10, 8)),
        ("七夕 社区青年联谊，10人", date(2027, 8, 8)),
        ("腊八为老人送粥，3人", date(2027, 1, 15)),
        ("元宵节，社区猜灯谜，5人", date(2027, 2, 20)),
        ("中秋节 给独居老人送月饼 2人", date(2027, 9, 15)),
        ("在国庆前完成楼道粉刷，4人", date(2027, 10, 1)),
    ],
)
def test_a_festival_standing_on_its_own_is_the_date_even_unmarked(text: str, deadline: date) -> None:
    assert read(text).deadline == deadline


@pytest.mark.parametrize(
    ("phrase", "today", "outcome"),
    [
        ("明年春节前", FRIDAY, date(2027, 2, 6)),
        ("来年元宵节前", FRIDAY, date(2027, 2, 20)),
        ("2027年中秋节前", FRIDAY, date(2027, 9, 15)),
        ("今年国庆前", date(2026, 1, 5), date(2026, 10, 1)),
        ("2026年春节前", FRIDAY, "parse.deadline_past"),
        ("今年中秋前", FRIDAY, "parse.deadline_past"),
    ],
)
def test_a_festival_of_a_named_year_is_that_year_s_and_refused_if_past(
    phrase: str, today: date, outcome: date | str
) -> None:
    result = parse_wish_text(f"为空巢老人打扫卫生，4人，{phrase}", today, MORNING)
    if isinstance(outcome, date):
        assert result.wish is not None and result.wish.deadline == outcome
    else:
        assert [p.key for p in result.problems] == [outcome]


def test_a_leap_lunar_month_is_read_when_the_year_has_it() -> None:
    assert read("为老人理发，2人，闰六月初一前", date(2025, 7, 1)).deadline == date(2025, 7, 25)


def test_the_pinned_festival_dates_are_those_of_the_libraries() -> None:
    cn = holidays.country_holidays("CN", years=(2026, 2027), language="zh_CN")
    starts = {(d.year, name): d for d, name in sorted(cn.items(), reverse=True)}
    assert starts[(2026, "春节")] == date(2026, 2, 17) and starts[(2027, "春节")] == date(2027, 2, 6)
    assert starts[(2026, "端午节")] == date(2026, 6, 19) and starts[(2027, "端午节")] == date(2027, 6, 9)
    assert starts[(2026, "中秋节")] == date(2026, 9, 25) and starts[(2027, "中秋节")] == date(2027, 9, 15)
    assert starts[(2026, "清明节")] == date(2026, 4, 5) and starts[(2027, "清明节")] == date(2027, 4, 5)
    assert starts[(2026, "农历除夕")] == date(2026, 2, 16) and starts[(2027, "农历除夕")] == date(2027, 2, 5)

    def solar(year: int, month: int, day: int) -> date:
        s = Lunar.fromYmd(year, month, day).getSolar()
        return date(s.getYear(), s.getMonth(), s.getDay())

    assert solar(2026, 1, 15) == date(2026, 3, 3) and solar(2027, 1, 15) == date(2027, 2, 20)
    assert solar(2026, 9, 9) == date(2026, 10, 18) and solar(2027, 9, 9) == date(2027, 10, 8)
    assert solar(2026, 7, 7) == date(2026, 8, 19) and solar(2027, 7, 7) == date(2027, 8, 8)
    assert solar(2025, 12, 8) == date(2026, 1, 26) and solar(2026, 12, 8) == date(2027, 1, 15)
    assert solar(2025, 12, 23) == date(2026, 2, 10) and solar(2026, 12, 23) == date(2027, 1, 30)
    assert solar(2026, 1, 1) == starts[(2026, "春节")] and solar(2027, 1, 1) == starts[(2027, "春节")]


# -- read_deadline_phrase: a deadline typed on its own (/extend N 日期) ------------------------------------------

PHRASES = [
    ("12月20日", date(2026, 12, 20), None),
    ("12月20日前", date(2026, 12, 20), None),
    ("12.20", date(2026, 12, 20), None),
    ("20号", FRIDAY, None),
    ("25号", date(2026, 11, 25), None),
    ("下周五", date(2026, 11, 27), None),
    ("明天下午3点", date(2026, 11, 21), time(15, 0)),
    ("明天上午10点截止", date(2026, 11, 21), time(10, 0)),
    ("18点", FRIDAY, time(18, 0)),
    ("下午3点半", FRIDAY, time(15, 30)),
    ("春节", date(2027, 2, 6), None),
    ("正月十五", date(2027, 2, 20), None),
    ("Dec 20", date(2026, 12, 20), None),
    ("Dec 20 3pm", date(2026, 12, 20), time(15, 0)),
    ("6pm", FRIDAY, time(18, 0)),
    ("tomorrow", date(2026, 11, 21), None),
    ("2026-12-31", date(2026, 12, 31), None),
]


@pytest.mark.parametrize(("typed", "day", "at"), PHRASES, ids=[r[0] for r in PHRASES])
def test_a_deadline_typed_on_its_own_is_read_with_its_time(typed: str, day: date, at: time | None) -> None:
    reading = read_deadline_phrase(typed, FRIDAY, MORNING)
    assert (reading.day, reading.at, reading.problem) == (day, at, None)


@pytest.mark.parametrize(
    ("typed", "key", "seen"),
    [
        ("11月1日", "parse.deadline_past", "11月1日"),
        ("8点", "parse.deadline_past", "8点"),
        ("2月30日", "parse.deadline_invalid", "2月30日"),
        ("随便", "parse.deadline_invalid", "随便"),
        ("25点", "parse.time_invalid", "25点"),
    ],
)
def test_a_deadline_typed_on_its_own_that_cannot_be_used_says_what_was_typed(typed: str, key: str, seen: str) -> None:
    reading = read_deadline_phrase(typed, FRIDAY, MORNING)
    assert reading.day is None and reading.problem is not None
    assert (reading.problem.key, dict(reading.problem.args)["seen"]) == (key, seen)


def test_read_deadline_phrase_still_takes_only_today() -> None:
    assert read_deadline_phrase("12月20日", FRIDAY).day == date(2026, 12, 20)


def test_there_are_dozens_of_phrasings_per_rule() -> None:
    assert len(TITLES) >= 25 and len(COUNTS) >= 40 and len(NOT_COUNTS) >= 15
    assert len(ENGLISH) >= 30 and len(TIMES) >= 30 and len(FESTIVALS) >= 40
