"""Pairings (结对帮扶): a member or team paired with a household, its visit rhythm and when the next visit is due."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

import cn2an
from dateutil.relativedelta import relativedelta

from bot.domain import errors
from bot.domain.privacy import mask_phones

MAX_ALIAS = 20
MAX_EVERY_DAYS = 366


class RhythmKind(StrEnum):
    """How often a paired household is visited."""

    WEEKLY = "weekly"
    FORTNIGHTLY = "fortnightly"
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    DAYS = "days"


class PairingStatus(StrEnum):
    """Active pairings are reminded; paused ones wait; ended ones stay in the ledger only."""

    ACTIVE = "active"
    PAUSED = "paused"
    ENDED = "ended"


class VisitStatus(StrEnum):
    """A reported visit waits for the secretary's confirmation."""

    REPORTED = "reported"
    CONFIRMED = "confirmed"
    RETURNED = "returned"


@dataclass(frozen=True, slots=True)
class Rhythm:
    """A visit rhythm: weekly, fortnightly, monthly, quarterly, or every ``days`` days."""

    kind: RhythmKind
    days: int = 0

    def step(self) -> relativedelta:
        """The longest gap allowed between two visits, as calendar arithmetic (a month from 31 Jan is 28/29 Feb)."""
        match self.kind:
            case RhythmKind.WEEKLY:
                return relativedelta(weeks=1)
            case RhythmKind.FORTNIGHTLY:
                return relativedelta(weeks=2)
            case RhythmKind.MONTHLY:
                return relativedelta(months=1)
            case RhythmKind.QUARTERLY:
                return relativedelta(months=3)
        return relativedelta(days=self.days)

    def due_after(self, last: date) -> date:
        """The day the next visit is due after a visit (or the pairing's start) on ``last``."""
        due: date = last + self.step()
        return due


@dataclass(frozen=True, slots=True)
class Pairing:
    """A long-term link between a member (or a team under its leader) and a household known by an alias only.

    ``contact`` is for the secretary's private view; every shared surface shows ``alias``. ``member_id`` is the one
    reminded and who reports visits (a team's leader for a team pairing)."""

    id: int
    branch_id: int
    member_id: int
    team_id: int | None
    alias: str
    contact: str
    rhythm: Rhythm
    status: PairingStatus
    started_on: date
    last_visit_on: date | None
    next_due: date
    created_at: datetime
    ended_at: datetime | None = None

    def overdue(self, today: date) -> bool:
        """Whether an active pairing's visit is past due."""
        return self.status == PairingStatus.ACTIVE and today > self.next_due


@dataclass(frozen=True, slots=True)
class Visit:
    """One reported visit of a pairing: counts as service once confirmed (as a done wish does)."""

    id: int
    pairing_id: int
    member_id: int
    visited_on: date
    hours: float
    note: str
    photo_ref: str | None
    status: VisitStatus
    service_id: int | None
    created_at: datetime
    confirmed_by: int | None = None
    confirmed_at: datetime | None = None
    version: int = 1
    """Bumped on every change, so the review cards showing the visit follow it."""
    returned_by: int | None = None
    returned_at: datetime | None = None
    return_reason: str = ""


_EVERY_DAYS = re.compile(r"^(?:每|every)\s*([0-9]+|[零一二两三四五六七八九十百]+)\s*(?:天|日|days?)$", re.IGNORECASE)
_WORDS: dict[str, RhythmKind] = {
    "每周": RhythmKind.WEEKLY,
    "每星期": RhythmKind.WEEKLY,
    "每礼拜": RhythmKind.WEEKLY,
    "weekly": RhythmKind.WEEKLY,
    "每两周": RhythmKind.FORTNIGHTLY,
    "每2周": RhythmKind.FORTNIGHTLY,
    "隔周": RhythmKind.FORTNIGHTLY,
    "双周": RhythmKind.FORTNIGHTLY,
    "fortnightly": RhythmKind.FORTNIGHTLY,
    "biweekly": RhythmKind.FORTNIGHTLY,
    "每月": RhythmKind.MONTHLY,
    "每个月": RhythmKind.MONTHLY,
    "monthly": RhythmKind.MONTHLY,
    "每季度": RhythmKind.QUARTERLY,
    "每季": RhythmKind.QUARTERLY,
    "每个季度": RhythmKind.QUARTERLY,
    "quarterly": RhythmKind.QUARTERLY,
}


def read_rhythm(text: str) -> Rhythm | None:
    """The rhythm in "每周", "每两周", "每月", "每季度", "每10天" (or weekly, fortnightly, monthly, quarterly,
    every 10 days); None when the text is none of them."""
    said = " ".join(text.strip().lower().split())
    kind = _WORDS.get(said.replace(" ", ""))
    if kind is not None:
        return Rhythm(kind)
    found = _EVERY_DAYS.match(said)
    if found is None:
        return None
    raw = found.group(1)
    try:
        days = int(raw) if raw.isdigit() else int(cn2an.cn2an(raw, "smart"))
    except ValueError:
        return None
    if not 1 <= days <= MAX_EVERY_DAYS:
        return None
    if days == 7:
        return Rhythm(RhythmKind.WEEKLY)
    if days == 14:
        return Rhythm(RhythmKind.FORTNIGHTLY)
    return Rhythm(RhythmKind.DAYS, days)


@dataclass(frozen=True, slots=True)
class PairRequest:
    """What ``/pair 成员 别名 节奏 [联系方式]`` asked for, read but not yet checked against the roster."""

    who: str
    alias: str
    rhythm: Rhythm
    contact: str = ""


_CONTACT_PREFIX = re.compile(r"^(?:联系(?:方式|人)?|contact)\s*[:：]?\s*", re.IGNORECASE)


def read_pair_request(text: str) -> PairRequest:
    """``张伟 王奶奶 每月 联系:138...``: the member (or team) name, the household's alias, the rhythm (monthly when
    left out) and a contact for the secretary's eyes only; InvalidInput naming what is missing or wrong."""
    parts = text.split()
    if parts and parts[0].startswith("@"):
        parts[0] = parts[0][1:]
    if len(parts) < 2 or not parts[0]:
        raise errors.InvalidInput(field="pair_usage")
    who, alias_text, rest = parts[0], parts[1], parts[2:]
    rhythm = Rhythm(RhythmKind.MONTHLY)
    if rest:
        taken = next((n for n in (1, 2, 3) if n <= len(rest) and read_rhythm(" ".join(rest[:n]))), 0)
        if taken:
            found = read_rhythm(" ".join(rest[:taken]))
            assert found is not None
            rhythm, rest = found, rest[taken:]
        elif not _CONTACT_PREFIX.match(rest[0]):
            raise errors.InvalidInput(field="rhythm", text=rest[0])
    contact = _CONTACT_PREFIX.sub("", " ".join(rest)).strip()
    return PairRequest(who, check_alias(alias_text), rhythm, contact)


def check_alias(alias: str) -> str:
    """An alias fit for a group chat: short, and holding no phone number (it is shown on every shared surface)."""
    alias = " ".join(alias.split())
    if not alias:
        raise errors.InvalidInput(field="pair_usage")
    if len(alias) > MAX_ALIAS:
        raise errors.TextTooLong(field="alias", limit=MAX_ALIAS)
    if mask_phones(alias) != alias or sum(ch.isdigit() for ch in alias) >= 6:
        raise errors.InvalidInput(field="alias_private")
    return alias
