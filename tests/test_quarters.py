"""Quarters are calendar quarters in the configured time zone, across year ends."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from bot.domain.quarters import Quarter, current_quarter, quarter_of, week_start

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_new_years_eve_in_utc_is_already_the_first_quarter_in_shanghai() -> None:
    moment = datetime(2026, 12, 31, 17, 0, tzinfo=UTC)
    assert current_quarter(moment, SHANGHAI) == Quarter(2027, 1)
    assert current_quarter(moment, ZoneInfo("UTC")) == Quarter(2026, 4)


def test_quarter_boundaries_and_labels() -> None:
    q4 = Quarter(2026, 4)
    assert (q4.start, q4.end, q4.days) == (date(2026, 10, 1), date(2027, 1, 1), 92)
    assert q4.next() == Quarter(2027, 1) and Quarter(2027, 1).previous() == q4
    assert q4.label("zh") == "2026年第4季度" and q4.label("en") == "2026 Q4"
    assert q4.day_index(date(2026, 10, 31)) == 31


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31)))
def test_every_day_is_in_exactly_one_quarter(day: date) -> None:
    quarter = quarter_of(day)
    assert quarter.contains(day)
    assert not quarter.next().contains(day) and not quarter.previous().contains(day)
    assert 0 < quarter.elapsed(day) <= 1


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31)))
def test_weeks_start_on_monday(day: date) -> None:
    monday = week_start(day)
    assert monday.weekday() == 0 and timedelta(0) <= day - monday < timedelta(days=7)
