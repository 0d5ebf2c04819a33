"""Emergency mode (战时应急): a call to every member of a committee or branch, their answers, and the headcount."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

DEFAULT_POSTS = ("物资配送", "秩序维护", "环境消杀", "治安巡逻", "医疗救护", "信息联络")
"""The emergency posts (战时应急岗位) a member picks from unless the config lists others; free text is allowed too."""
MAX_POST = 40
"""The longest emergency post or grid kept, in characters."""


class Answer(StrEnum):
    """A member's answer to a call: 可到 (coming), 稍后可到 (coming later), 不可 (cannot)."""

    YES = "yes"
    LATER = "later"
    NO = "no"

    @property
    def code(self) -> str:
        """The one letter a button payload carries."""
        return self.value[0]

    @staticmethod
    def of_code(code: str) -> Answer | None:
        """The answer a button letter stands for, or None."""
        return next((answer for answer in Answer if answer.code == code), None)


ANSWER_WORDS: tuple[tuple[str, Answer], ...] = tuple(
    sorted(
        [
            *((word, Answer.YES) for word in ("可到", "能到", "可以到", "coming", "come")),
            *((word, Answer.LATER) for word in ("稍后可到", "稍后到", "晚点到", "稍后", "later", "coming later")),
            *((word, Answer.NO) for word in ("不可", "不可到", "不能到", "来不了", "cannot", "can't", "can not")),
        ],
        key=lambda pair: -len(pair[0]),
    )
)
"""What a member may type to answer a call, longest first (so 不可到 is read before 不可)."""
_AFTER_WORD = re.compile(r"[\s,，.。;；:：!！、]+")


def read_answer(text: str) -> tuple[Answer, str] | None:
    """An answer typed as text: 可到 / 稍后可到 / 不可 (or coming / later / cannot), then an optional note after a
    space or a punctuation mark ("可到，30分钟后到"); None when the text is no answer ("不可能" is not 不可)."""
    folded = " ".join(text.split())
    lowered = folded.lower()
    for word, answer in ANSWER_WORDS:
        if not lowered.startswith(word):
            continue
        rest = folded[len(word) :]
        if not rest:
            return answer, ""
        gap = _AFTER_WORD.match(rest)
        if gap is not None:
            return answer, rest[gap.end() :].strip()
    return None


@dataclass(frozen=True, slots=True)
class EmergencyPost:
    """Where a member serves in a crisis: their emergency post and their 网格 or 楼栋 (free text, may be empty)."""

    post: str = ""
    grid: str = ""


@dataclass(frozen=True, slots=True)
class Emergency:
    """One call: to a whole committee (``branch_id`` None) or one branch; a drill (演练) runs the same flow."""

    id: int
    committee_id: int
    branch_id: int | None
    text: str
    drill: bool
    started_by: int
    started_at: datetime
    ended_at: datetime | None = None
    version: int = 1

    @property
    def open(self) -> bool:
        """Whether the call still takes answers."""
        return self.ended_at is None


@dataclass(frozen=True, slots=True)
class EmergencyCall:
    """One member called: their branch, answer (None until they answer), and how often they were prompted."""

    emergency_id: int
    member_id: int
    branch_id: int
    answer: Answer | None
    note: str
    called_at: datetime
    answered_at: datetime | None
    prompts: int
    listed_at: datetime | None = None
    changes: int = 0


@dataclass(frozen=True, slots=True)
class CallLine:
    """One called member as the headcount shows them: name, post, grid and answer."""

    member_id: int
    name: str
    branch_id: int
    post: str
    grid: str
    answer: Answer | None
    note: str = ""
    answered_at: datetime | None = None
    changes: int = 0
    """How many answers this member gave (a board's version counts them)."""


@dataclass(frozen=True, slots=True)
class Tally:
    """How many answered what within one group (a post, a grid, or everyone)."""

    label: str
    yes: int = 0
    later: int = 0
    no: int = 0
    none: int = 0

    @property
    def total(self) -> int:
        """Everyone called in this group."""
        return self.yes + self.later + self.no + self.none


@dataclass(frozen=True, slots=True)
class Headcount:
    """The board: totals, by emergency post and by grid, and who has not answered."""

    emergency: Emergency
    total: Tally
    by_post: tuple[Tally, ...]
    by_grid: tuple[Tally, ...]
    unanswered: tuple[CallLine, ...]


def _tally(label: str, lines: Sequence[CallLine]) -> Tally:
    counts = {answer: 0 for answer in Answer}
    none = 0
    for line in lines:
        if line.answer is None:
            none += 1
        else:
            counts[line.answer] += 1
    return Tally(label, counts[Answer.YES], counts[Answer.LATER], counts[Answer.NO], none)


def headcount(emergency: Emergency, lines: Sequence[CallLine]) -> Headcount:
    """Count the answers of everyone called; groups ordered by size, the unnamed group last."""

    def grouped(key: str) -> tuple[Tally, ...]:
        groups: dict[str, list[CallLine]] = {}
        for line in lines:
            groups.setdefault(getattr(line, key), []).append(line)
        ordered = sorted(groups.items(), key=lambda item: (item[0] == "", -len(item[1]), item[0]))
        return tuple(_tally(label, members) for label, members in ordered)

    return Headcount(
        emergency,
        _tally("", lines),
        grouped("post"),
        grouped("grid"),
        tuple(line for line in lines if line.answer is None),
    )


def prompt_due(call: EmergencyCall, now: datetime, reprompts: Sequence[timedelta]) -> bool:
    """Whether an unanswered member is due their next prompt: the n-th re-prompt ``reprompts[n-1]`` after the call."""
    if call.answer is not None or call.prompts > len(reprompts):
        return False
    return now >= call.called_at + reprompts[call.prompts - 1]


def fits_post(wanted: str, post: str) -> bool:
    """Whether a member's emergency post fits a task's: anyone fits a task without one, and a member without one."""
    if not wanted or not post:
        return True
    return wanted in post or post in wanted


@dataclass(frozen=True, slots=True)
class EmergencyStats:
    """What a call reached and did: members sent a private prompt, its tasks posted, claimed, done and hours."""

    reached: int = 0
    tasks_posted: int = 0
    tasks_claimed: int = 0
    tasks_done: int = 0
    hours: float = 0.0


SPEED_MINUTES = (5, 10, 30)
"""The answer times a summary counts within."""


@dataclass(frozen=True, slots=True)
class EmergencySummary:
    """A call at its end: how many answered what and how fast, the reach, and what its tasks did."""

    emergency: Emergency
    total: Tally
    by_branch: tuple[Tally, ...]
    within: tuple[tuple[int, int], ...]
    median_minutes: float | None
    stats: EmergencyStats

    @property
    def answered(self) -> int:
        """Members who gave any answer."""
        return self.total.total - self.total.none


def summarize(
    emergency: Emergency, lines: Sequence[CallLine], branch_names: dict[int, str], stats: EmergencyStats
) -> EmergencySummary:
    """The summary of a call from everyone called: totals, per branch, answer times (from the call's start)."""
    delays = sorted(
        (line.answered_at - emergency.started_at).total_seconds() / 60 for line in lines if line.answered_at is not None
    )
    within = tuple((minutes, sum(1 for d in delays if d <= minutes)) for minutes in SPEED_MINUTES)
    median = None
    if delays:
        middle = len(delays) // 2
        median = delays[middle] if len(delays) % 2 else (delays[middle - 1] + delays[middle]) / 2
    by_branch: dict[int, list[CallLine]] = {}
    for line in lines:
        by_branch.setdefault(line.branch_id, []).append(line)
    branches = tuple(
        _tally(branch_names.get(branch_id, str(branch_id)), members) for branch_id, members in sorted(by_branch.items())
    )
    return EmergencySummary(emergency, _tally("", lines), branches, within, median, stats)
