"""Hours are read as people write them, in Chinese and English, with any note that follows."""

from __future__ import annotations

import pytest

from bot.domain.hours import read_duration
from bot.domain.model import Account
from bot.flows import done
from bot.flows.base import Ctx, Text
from bot.flows.states import DoneState, DoneStep
from bot.usecases import commands as cmd


@pytest.mark.parametrize(
    ("text", "hours", "rest"),
    [
        ("2", 2.0, ""),
        ("1.5", 1.5, ""),
        ("1,5 h", 1.5, ""),
        ("2.5h", 2.5, ""),
        ("2 hours", 2.0, ""),
        ("1.5 hours, the old man was happy", 1.5, "the old man was happy"),
        ("2h 30m", 2.5, ""),
        ("两个半小时", 2.5, ""),
        ("一个半小时", 1.5, ""),
        ("半小时", 0.5, ""),
        ("半个小时", 0.5, ""),
        ("三刻钟", 0.75, ""),
        ("一刻钟", 0.25, ""),
        ("90分钟", 1.5, ""),
        ("45分钟", 0.75, ""),
        ("2小时30分", 2.5, ""),
        ("2小时30分钟 买好了年货", 2.5, "买好了年货"),
        ("两小时", 2.0, ""),
        ("两个小时", 2.0, ""),
        ("三个钟头", 3.0, ""),
        ("十个小时", 10.0, ""),
        ("2小时 老人很满意", 2.0, "老人很满意"),
        ("2 买好了年货", 2.0, "买好了年货"),
        ("大约3小时", 3.0, "大约"),
        ("２．５小时", 2.5, ""),
    ],
)
def test_hours_in_the_forms_people_write_them(text: str, hours: float, rest: str) -> None:
    found = read_duration(text)
    assert found is not None, text
    assert (found.hours, found.rest, found.meaning) == (hours, rest, None)


@pytest.mark.parametrize(
    ("text", "hours", "meaning"), [("半天", 4.0, "hours.half_day"), ("一天", 8.0, "hours.whole_day")]
)
def test_a_half_or_whole_day_is_counted_and_says_how(text: str, hours: float, meaning: str) -> None:
    found = read_duration(text)
    assert found is not None and (found.hours, found.meaning) == (hours, meaning)


@pytest.mark.parametrize("text", ["很多", "一起帮老人", "好的", "此刻", ""])
def test_words_without_a_duration_are_not_hours(text: str) -> None:
    assert read_duration(text) is None


def test_reporting_half_a_day_done_says_it_is_recorded_as_four_hours() -> None:
    me = Account("telegram", "10", "张伟")
    step = done.advance(DoneState(7, DoneStep.HOURS), Text("半天"), Ctx(me, "zh"))
    assert [p.key for p in step.prompts] == ["hours.half_day", "flow.done.note"]
    assert step.state == DoneState(7, DoneStep.NOTE, 4.0)
    finished = done.advance(DoneState(7, DoneStep.HOURS), Text("两个半小时 帮老人买好了年货"), Ctx(me, "zh"))
    assert finished.command == cmd.MarkDone(me, 7, 2.5, "帮老人买好了年货")
