"""The .ics calendar (RFC 5545) of what a member claimed: one event per claimed wish that has a day."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event

from bot.domain.model import Claim, Wish

EVENT_LENGTH = timedelta(hours=2)


def claims_calendar(claims: Sequence[tuple[Claim, Wish]], now: datetime, tz: ZoneInfo, name: str) -> bytes:
    """The calendar file: a timed event where the wish has a time of day (two hours long), else an all-day one."""
    calendar = Calendar()
    calendar.add("prodid", "-//ebranch//calendar//ZH")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", name)
    for claim, wish in claims:
        if wish.deadline is None:
            continue
        event = Event()
        event.add("uid", f"ebranch-claim-{claim.id}@ebranch")
        event.add("dtstamp", now.astimezone(UTC))
        event.add("summary", f"#{wish.id} {wish.title}")
        if wish.description:
            event.add("description", wish.description)
        if wish.deadline_time is not None:
            start = datetime.combine(wish.deadline, wish.deadline_time, tzinfo=tz)
            event.add("dtstart", start)
            event.add("dtend", start + EVENT_LENGTH)
        else:
            event.add("dtstart", wish.deadline)
            event.add("dtend", wish.deadline + timedelta(days=1))
        calendar.add_component(event)
    calendar.add_missing_timezones()
    content: bytes = calendar.to_ical()
    return content
