"""Slots (名额): how many people a wish needs, wherever the text says so, and the phrases that said it."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.domain.wish_text.results import (
    MAX_SLOTS,
    ParseProblem,
)
from bot.domain.wish_text.spans import Span, overlaps, read_number

_CN_NUMERAL = "零〇一二两三四五六七八九十"
_SLOT_NUM = (
    rf"(?<![0-9{_CN_NUMERAL}百千第每前])"
    rf"(?P<n>[0-9]{{1,6}}|[{_CN_NUMERAL}][{_CN_NUMERAL}百千]{{0,5}})"
)
_SLOT_LEAD = r"(?:(?:需要|急需|需|招募|招|征集|募集|共需|共|限|仅限)\s*)?"
_SLOT_STOP = r"(?=[\s，,。；;、！!？?)）】]|$)"
_SLOT_VOLUNTEER = r"(?:党员志愿者|志愿者|党员|队员|人员|同志)"
_ROLE = (
    r"(?:医生|医护人员|医护|护士|律师|老师|教师|大学生|学生|电工|水电工|维修工|司机|厨师|理发师|心理咨询师|社工|保洁员"
    r"|工作人员|网格员|青年|帮手|人手|志愿者|党员|队员|人员)"
)
_EN_WORDS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "fifteen": 15,
    "twenty": 20,
    "thirty": 30,
}
_EN_NUM = r"(?<![A-Za-z0-9.,:/-])(?P<n>[0-9]{1,6}|" + "|".join(w for w in _EN_WORDS if len(w) > 2) + r")(?![A-Za-z0-9])"
_EN_ONE = r"(?<![A-Za-z0-9])(?P<n>an?|one)(?![A-Za-z])"
_EN_PEOPLE = (
    r"(?:more\s+)?(?:(?:party\s+)?members?|people|persons?|volunteers?|helpers?|hands|slots?|places?|spots?"
    r"|participants?)(?![A-Za-z])(?:\s+(?:needed|wanted|required))?"
)
_EN_ROLE = (
    r"(?:doctors?|nurses?|medics?|lawyers?|teachers?|tutors?|drivers?|electricians?|plumbers?|students?"
    r"|barbers?|cooks?|social\s+workers?)(?![A-Za-z])"
)
_EN_LABEL = (
    r"(?<![A-Za-z])(?:quota|slots?|places?|spots?|headcount|people\s+needed|volunteers?\s+needed|helpers?\s+needed"
    r"|number\s+of\s+(?:people|volunteers|helpers))\s*(?:[:：=]|is|of)?\s*"
)
_EN_NEED = r"(?<![A-Za-z])(?:needs?|needed|looking\s+for|recruiting|wanted)\s*[:：]?\s*"
_EN_STOP = r"(?=\s*(?:[,.;!?，。；！？)]|$|\s+(?:by|before|due|for|to|on|at|within|in|until)(?![A-Za-z])))"
_I = re.IGNORECASE
_SLOT_PATTERNS: tuple[tuple[re.Pattern[str], bool], ...] = (
    (re.compile(r"(?:名额|人数)\s*[:：]?\s*(?:为|是|共)?\s*" + _SLOT_NUM + r"\s*(?:个|名|人|位)?"), True),
    (re.compile(_SLOT_LEAD + _SLOT_NUM + r"\s*个?名额"), True),
    (re.compile(_SLOT_LEAD + _SLOT_NUM + r"\s*(?:名|位|个)?\s*" + _SLOT_VOLUNTEER), True),
    (re.compile(_SLOT_LEAD + _SLOT_NUM + r"\s*个?人(?![次民口家份户间独在生居住之一员])"), True),
    (re.compile(r"(?:需要|急需|需|招募|招|征集|募集)\s*" + _SLOT_NUM + r"\s*[名位]" + _SLOT_STOP), True),
    (re.compile(r"(?:^|(?<=[\s，,。；;、：:]))" + _SLOT_NUM + r"\s*[名位]" + _SLOT_STOP), True),
    (re.compile(_ROLE + r"\s*" + _SLOT_NUM + r"\s*(?:[名位个]|个人)" + _SLOT_STOP), False),
    (re.compile(r"(?<![为给帮陪替向])" + _SLOT_LEAD + _SLOT_NUM + r"\s*(?:名|位|个)\s*" + _ROLE), False),
    (re.compile(r"(?<=[\u4e00-\u9fff])" + _SLOT_NUM + r"\s*[名位]" + _SLOT_STOP), False),
    (re.compile(_SLOT_NUM + r"\s*[名位][^\s，,。；;、！!？?0-9人需要为给帮]{1,5}?" + _SLOT_VOLUNTEER), False),
    (re.compile(_EN_LABEL + _EN_NUM, _I), True),
    (re.compile(_EN_NUM + r"\s+" + _EN_PEOPLE, _I), True),
    (
        re.compile(
            _EN_ONE + r"\s+(?:person|volunteer|helper|member)(?![A-Za-z])(?:\s+(?:needed|wanted|required))?", _I
        ),
        True,
    ),
    (re.compile(_EN_NEED + _EN_NUM + _EN_STOP, _I), True),
    (re.compile(_EN_NUM + r"\s+" + _EN_ROLE, _I), False),
)
_SLOT_JUNK = re.compile(r"(?:名额|人数)\s*[:：]\s*(?P<junk>[^\s，,。；;、]{1,8})")
_ANSWER = re.compile(
    r"(?:名额|人数|需要|共需|共|quota|need|slots?)?\s*[:：]?\s*"
    rf"(?P<n>[0-9]{{1,6}}|[{_CN_NUMERAL}][{_CN_NUMERAL}百千]{{0,5}}|[A-Za-z]+)\s*"
    r"(?:个人|个|名|位|人|名志愿者|位志愿者|个志愿者|名党员|位党员|"
    r"(?:people|persons?|volunteers?|helpers?|members?))?\s*[。.!！]?",
    _I,
)


def _number(text: str) -> int | None:
    """A count in Arabic, Chinese or English numerals; a run of Chinese digits without 十/百/千 (``两三``: two or
    three) is no count."""
    word = text.lower()
    if word.isascii():
        return _EN_WORDS.get(word) if word.isalpha() else read_number(text)
    if len(text) > 1 and not any(unit in text for unit in "十百千"):
        return None
    return read_number(text)


@dataclass(frozen=True, slots=True)
class _Slots:
    value: int | None
    problems: tuple[ParseProblem, ...]
    spans: tuple[Span, ...]


def read_slots(text: str, protected: list[Span]) -> _Slots:
    """The count the text gives (None when it gives none), or a problem when it gives an unusable or several."""
    found: list[tuple[re.Match[str], bool]] = []
    for pattern, cut in _SLOT_PATTERNS:
        found.extend((match, cut) for match in pattern.finditer(text))
    found.sort(key=lambda item: (item[0].start(), -(item[0].end() - item[0].start())))
    accepted: list[re.Match[str]] = []
    spans: tuple[Span, ...] = ()
    taken = list(protected)
    for match, cut in found:
        span = (match.start(), match.end())
        if not overlaps(span, taken):
            accepted.append(match)
            taken.append(span)
            spans += (span,) if cut else ()
    seen = [m.group(0).strip() for m in accepted]
    for junk in _SLOT_JUNK.finditer(text):
        if not overlaps((junk.start(), junk.end()), taken):
            seen.append(junk.group(0).strip())
            spans += ((junk.start(), junk.end()),)
    values = {_number(m.group("n")) for m in accepted}
    readable = all(value is not None and 1 <= value <= MAX_SLOTS for value in values)
    if len(seen) > len(accepted) or len(values) > 1 or not readable:
        problem = ParseProblem("parse.slots_unreadable", (("seen", "、".join(seen)), ("max", str(MAX_SLOTS))))
        return _Slots(None, (problem,), spans)
    return _Slots(next(iter(values), None), (), spans)


def read_count(text: str) -> int | None:
    """A count given on its own, as the answer to "how many people?" (``2``, ``两名``, ``3人``, ``1 person``,
    ``名额2``); None if the answer is not just a count. The number may be out of range: the caller says so."""
    match = _ANSWER.fullmatch(text.strip().translate(_FULL_WIDTH))
    return None if match is None else _number(match.group("n"))


_FULL_WIDTH = str.maketrans("０１２３４５６７８９：", "0123456789:")
