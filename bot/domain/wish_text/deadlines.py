"""Deadlines: every date phrase found in a wish text (Chinese or English), and the one taken as the deadline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time

from bot.domain.wish_text.dates_en import find_en_dates
from bot.domain.wish_text.dates_zh import find_zh_dates
from bot.domain.wish_text.reading import DateHit
from bot.domain.wish_text.results import ParseProblem
from bot.domain.wish_text.spans import Span


def find_dates(
    text: str, today: date, protected: list[Span], now: time | None = None, *, all_marked: bool = False
) -> list[DateHit]:
    """Every date or time phrase in ``text`` outside ``protected``, in order; where phrases overlap, the one that
    starts first (then the longer) is kept."""
    found = find_zh_dates(text, today, now, protected, all_marked=all_marked)
    found += find_en_dates(text, today, now, protected, all_marked=all_marked)
    found.sort(key=lambda hit: (hit.span[0], -(hit.span[1] - hit.span[0])))
    hits: list[DateHit] = []
    for hit in found:
        if not hits or hit.span[0] >= hits[-1].span[1]:
            hits.append(hit)
    return hits


@dataclass(frozen=True, slots=True)
class _Deadline:
    value: date | None
    at: time | None
    problems: tuple[ParseProblem, ...]
    notes: tuple[ParseProblem, ...]
    spans: tuple[Span, ...]
    """The marked phrases taken as the deadline: cut out of the whole text."""
    exact: tuple[Span, ...] = ()
    """The phrases whose every word the deadline carries: cut out of the title without keeping the clause."""


def read_deadline(hits: list[DateHit]) -> _Deadline:
    """The deadline the hits set: the marked one, else the only date; several different ones set none (or refuse)."""
    dates = [hit for hit in hits if not hit.mention]
    chosen = [hit for hit in dates if hit.marked]
    spans = tuple(hit.span for hit in chosen)
    if not chosen:
        distinct = {(hit.value, hit.at) if hit.problem is None else hit.seen for hit in dates}
        if len(distinct) > 1:
            seen = "、".join(dict.fromkeys(hit.seen for hit in dates))
            return _Deadline(None, None, (), (ParseProblem("parse.deadline_ambiguous", (("seen", seen),)),), ())
        chosen = dates[:1]
    problems = tuple(dict.fromkeys(hit.problem for hit in chosen if hit.problem is not None))
    if problems:
        return _Deadline(None, None, problems, (), spans)
    if len({(hit.value, hit.at) for hit in chosen}) > 1:
        seen = "、".join(dict.fromkeys(hit.seen for hit in chosen))
        return _Deadline(None, None, (ParseProblem("parse.deadline_conflicting", (("seen", seen),)),), (), spans)
    notes = tuple(dict.fromkeys(hit.note for hit in chosen if hit.note is not None))
    if not chosen:
        return _Deadline(None, None, (), notes, spans)
    exact = tuple(hit.span for hit in chosen if hit.exact)
    return _Deadline(chosen[0].value, chosen[0].at, (), notes, spans, exact)


@dataclass(frozen=True, slots=True)
class DeadlineReading:
    """A deadline read on its own (``/extend 12 12月20日``): the day and maybe a time, or why it could not be read."""

    day: date | None
    at: time | None
    problem: ParseProblem | None


def read_deadline_phrase(text: str, today: date, now: time | None = None) -> DeadlineReading:
    """Read a phrase that is only a deadline (as typed after ``/extend N``), with the wish texts' conventions; every
    date in it counts as marked (``20号``, ``12.31`` and ``18点`` too); ``now`` refuses a time already gone today."""
    typed = text.strip()
    hits = [hit for hit in find_dates(typed, today, [], now, all_marked=True) if not hit.mention]
    if not hits:
        return DeadlineReading(None, None, ParseProblem("parse.deadline_invalid", (("seen", typed),)))
    chosen = read_deadline(hits)
    if chosen.problems:
        return DeadlineReading(None, None, chosen.problems[0])
    if chosen.value is None:
        return DeadlineReading(None, None, ParseProblem("parse.deadline_invalid", (("seen", typed),)))
    return DeadlineReading(chosen.value, chosen.at, None)
