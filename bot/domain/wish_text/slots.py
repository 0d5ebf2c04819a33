"""Slots (名额): how many people a wish needs, and the phrases that said so."""

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
    rf"(?<![0-9{_CN_NUMERAL}百千第每])"
    rf"(?P<n>[0-9]{{1,6}}|[{_CN_NUMERAL}][{_CN_NUMERAL}百千]{{0,5}})"
)
_SLOT_LEAD = r"(?:(?:需要|急需|需|招募|招|征集|募集|共需|共|限|仅限)\s*)?"
_SLOT_STOP = r"(?=[\s，,。；;、！!？?)）】]|$)"
_SLOT_VOLUNTEER = r"(?:党员志愿者|志愿者|党员|队员|人员|同志)"
_SLOT_PATTERNS: tuple[tuple[re.Pattern[str], bool], ...] = (
    (re.compile(r"名额\s*[:：]?\s*(?:为|是|共)?\s*" + _SLOT_NUM + r"\s*(?:个|名|人|位)?"), True),
    (re.compile(_SLOT_LEAD + _SLOT_NUM + r"\s*个?名额"), True),
    (re.compile(_SLOT_LEAD + _SLOT_NUM + r"\s*(?:名|位|个)?\s*" + _SLOT_VOLUNTEER), True),
    (re.compile(_SLOT_LEAD + _SLOT_NUM + r"\s*个?人(?![次民口家份户间独在生居住之一员])"), True),
    (re.compile(r"(?:需要|急需|需|招募|招|征集|募集)\s*" + _SLOT_NUM + r"\s*[名位]" + _SLOT_STOP), True),
    (re.compile(r"(?:^|(?<=[\s，,。；;、：:]))" + _SLOT_NUM + r"\s*[名位]" + _SLOT_STOP), True),
    (re.compile(_SLOT_NUM + r"\s*[名位][^\s，,。；;、！!？?0-9人需要为给帮]{1,5}?" + _SLOT_VOLUNTEER), False),
)
_SLOT_JUNK = re.compile(r"名额\s*[:：]\s*(?P<junk>[^\s，,。；;、]{1,8})")


@dataclass(frozen=True, slots=True)
class _Slots:
    value: int
    problems: tuple[ParseProblem, ...]
    spans: tuple[Span, ...]


def read_slots(text: str, protected: list[Span]) -> _Slots:
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
    values = {read_number(m.group("n")) for m in accepted}
    readable = all(value is not None and 1 <= value <= MAX_SLOTS for value in values)
    if len(seen) > len(accepted) or len(values) > 1 or not readable:
        problem = ParseProblem("parse.slots_unreadable", (("seen", "、".join(seen)), ("max", str(MAX_SLOTS))))
        return _Slots(1, (problem,), spans)
    value = next(iter(values), None)
    return _Slots(value or 1, (), spans)
