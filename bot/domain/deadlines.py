"""When a micro-wish's deadline passes: the one rule of expiry, for claims, cards, lists, nudges and the ledger."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, tzinfo

from bot.domain.model import Wish, WishStatus


def closes_at(day: date, at: time | None, tz: tzinfo | None) -> datetime:
    """The moment a deadline passes: ``at`` on ``day`` in the local zone, or the end of ``day`` without a time."""
    if at is None:
        return datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz)
    return datetime.combine(day, at.replace(tzinfo=None), tzinfo=tz)


def deadline_passed(day: date | None, at: time | None, now: datetime, tz: tzinfo | None) -> bool:
    """Whether a deadline (a day, maybe a time of day) has passed at ``now``; no deadline never passes."""
    return day is not None and now >= closes_at(day, at, tz)


def expired(wish: Wish, now: datetime, tz: tzinfo | None) -> bool:
    """Whether an open wish takes no new claims any more because its deadline passed."""
    return wish.status == WishStatus.OPEN and deadline_passed(wish.deadline, wish.deadline_time, now, tz)
