"""One date phrase being read: the day (and maybe the time) it names relative to today, or why it cannot be used."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from bot.domain.wish_text.results import YEARLESS_TYPO_DAYS, ParseProblem
from bot.domain.wish_text.spans import Span

MAX_HOURS_AHEAD = 7 * 24  # "N hours from now" beyond a week is a slip, not an urgent need


@dataclass(frozen=True, slots=True)
class DateHit:
    """A date (or time) phrase found in the text.

    ``exact`` says that ``value`` and ``at`` carry all the phrase says (``明天上午`` does not: a part of the day without
    a clock time); ``mention`` marks a time of day that names no deadline (``下午2点`` on its own), only cut out of
    the title.
    """

    span: Span
    seen: str
    marked: bool
    value: date | None
    at: time | None = None
    problem: ParseProblem | None = None
    note: ParseProblem | None = None
    exact: bool = True
    mention: bool = False


def make_date(year: int | None, month: int | None, day: int | None) -> date | None:
    if year is None or month is None or day is None:
        return None
    try:
        return date(year, month, day)
    except (ValueError, OverflowError):
        return None


def month_end(year: int, month: int) -> date | None:
    year, month = year + (month - 1) // 12, (month - 1) % 12 + 1
    if not 1 <= year <= 9999:
        return None
    return date(year, month, calendar.monthrange(year, month)[1])


def shift(today: date, days: int) -> date | None:
    try:
        return today + timedelta(days=days)
    except OverflowError:
        return None


class Reading:
    """Turns one phrase into a date or a problem, with the conventions every language's phrases share."""

    def __init__(self, seen: str, today: date, now: time | None) -> None:
        self.seen = seen
        self.today = today
        self.now = now
        self.note: ParseProblem | None = None

    def invalid(self) -> ParseProblem:
        return ParseProblem("parse.deadline_invalid", (("seen", self.seen),))

    def bad_time(self) -> ParseProblem:
        return ParseProblem("parse.time_invalid", (("seen", self.seen),))

    def past(self, value: date, at: time | None = None) -> ParseProblem:
        when = value.isoformat() if at is None else f"{value.isoformat()} {at:%H:%M}"
        return ParseProblem("parse.deadline_past", (("seen", self.seen), ("date", when)))

    def checked(self, value: date | None) -> date | ParseProblem:
        if value is None:
            return self.invalid()
        if value < self.today:
            return self.past(value)
        return value

    def yearless(self, month: int | None, day: int | None) -> date | ParseProblem:
        this_year = make_date(self.today.year, month, day)
        if this_year is None:
            return self.invalid()
        if this_year >= self.today:
            return this_year
        if (self.today - this_year).days <= YEARLESS_TYPO_DAYS:
            return self.past(this_year)
        return self.next_year(make_date(self.today.year + 1, month, day))

    def next_year(self, value: date | None) -> date | ParseProblem:
        if value is None:
            return self.invalid()
        self.note = ParseProblem(
            "parse.year_assumed", (("seen", self.seen), ("year", str(value.year)), ("date", value.isoformat()))
        )
        return value

    def monthless(self, day: int | None) -> date | ParseProblem:
        this_month = make_date(self.today.year, self.today.month, day)
        if this_month is not None and this_month >= self.today:
            return this_month
        end = month_end(self.today.year, self.today.month + 1)
        if end is None or day is None or not 1 <= day <= end.day:
            return self.invalid()
        value = end.replace(day=day)
        self.note = ParseProblem("parse.month_assumed", (("seen", self.seen), ("date", value.isoformat())))
        return value

    def within(self, count: int | None, unit: str) -> date | ParseProblem:
        """``count`` days, weeks or months from today (``unit`` is ``day``, ``week`` or ``month``)."""
        if not count:
            return self.invalid()
        if unit == "day":
            return self.checked(shift(self.today, count) if count <= 366 else None)
        if unit == "month":
            if count > 12:
                return self.invalid()
            end = month_end(self.today.year, self.today.month + count)
            return self.checked(None if end is None else end.replace(day=min(self.today.day, end.day)))
        return self.checked(shift(self.today, 7 * count) if count <= 52 else None)

    def after_hours(self, hours: float | None) -> tuple[date | ParseProblem, time | None]:
        """The moment ``hours`` from now (``3小时内``, ``within 2 hours``): its day and time to the minute; a phrase
        without the time it counts from, or past a week, cannot be used."""
        if self.now is None or hours is None or not 0 < hours <= MAX_HOURS_AHEAD:
            return self.invalid(), None
        start = datetime.combine(self.today, self.now.replace(second=0, microsecond=0))
        end = start + timedelta(hours=hours)
        return end.date(), end.time()

    def weekday(self, weeks_ahead: int | None, target: int) -> date | ParseProblem:
        """A weekday (0 = Monday): the next one on or after today (``weeks_ahead`` None), else in this week
        (0) or the week ``weeks_ahead`` weeks on."""
        if weeks_ahead is None:
            return self.checked(shift(self.today, (target - self.today.weekday()) % 7))
        return self.checked(shift(self.today, target - self.today.weekday() + 7 * weeks_ahead))

    def week_end(self, weeks_ahead: int) -> date | ParseProblem:
        """The Sunday ending this week (or the week ``weeks_ahead`` weeks on)."""
        return self.checked(shift(self.today, 6 - self.today.weekday() + 7 * weeks_ahead))

    def hit(
        self,
        span: Span,
        marked: bool,
        outcome: date | ParseProblem,
        at: time | None = None,
        *,
        exact: bool = True,
        mention: bool = False,
    ) -> DateHit:
        """The finished hit; a deadline today at a time already gone is refused as past."""
        if isinstance(outcome, ParseProblem):
            return DateHit(span, self.seen, marked, None, None, outcome, exact=exact, mention=mention)
        if outcome == self.today and at is not None and self.now is not None and at <= self.now:
            return DateHit(span, self.seen, marked, None, None, self.past(outcome, at), exact=exact, mention=mention)
        return DateHit(span, self.seen, marked, outcome, at, None, self.note, exact=exact, mention=mention)
