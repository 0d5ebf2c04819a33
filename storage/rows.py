"""Converting between SQLite rows and domain objects: timestamps, dates, JSON lists."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, datetime, time
from typing import Any, Protocol

from bot.domain.model import (
    ACTIVE_CLAIM_STATUSES,
    Branch,
    ChatRef,
    Claim,
    ClaimStatus,
    Committee,
    Member,
    ServiceKind,
    ServiceRecord,
    Team,
    Urgency,
    Wish,
    WishStatus,
)
from bot.ports.storage import CardRow, OutboxRow


class Row(Protocol):
    """A result row as every driver gives it: columns by name (and by position)."""

    def __getitem__(self, key: int | str, /) -> Any: ...


ACTIVE_SQL = "(" + ", ".join(f"'{s}'" for s in ACTIVE_CLAIM_STATUSES) + ")"
"""The active claim statuses as an SQL list, for ``status IN`` clauses."""


def ts(value: datetime | None) -> str | None:
    """An aware datetime as ISO text (None passes through)."""
    return value.isoformat() if value is not None else None


def to_dt(value: str | None) -> datetime | None:
    """ISO text back to an aware datetime."""
    return datetime.fromisoformat(value) if value else None


def to_date(value: str | None) -> date | None:
    """ISO date text back to a date."""
    return date.fromisoformat(value) if value else None


def to_time(value: str | None) -> time | None:
    """ "HH:MM" text back to a time of day."""
    return time.fromisoformat(value) if value else None


def clock_text(value: time | None) -> str | None:
    """A time of day as "HH:MM" text (None passes through)."""
    return value.strftime("%H:%M") if value is not None else None


def must_dt(value: str) -> datetime:
    """ISO text that is never NULL back to a datetime."""
    return datetime.fromisoformat(value)


def committee(row: Row) -> Committee:
    """A committees row."""
    chat = ChatRef(row["chat_platform"], row["chat_id"], row["thread_id"]) if row["chat_id"] else None
    return Committee(row["id"], row["name"], chat, must_dt(row["created_at"]))


def branch(row: Row) -> Branch:
    """A branches row."""
    return Branch(
        id=row["id"],
        committee_id=row["committee_id"],
        name=row["name"],
        chat=ChatRef(row["chat_platform"], row["chat_id"], row["thread_id"]) if row["chat_id"] is not None else None,
        active=bool(row["active"]),
        done_counts_as_served=bool(row["done_counts_as_served"]),
        created_at=must_dt(row["created_at"]),
    )


def member(row: Row) -> Member:
    """A members row."""
    return Member(
        id=row["id"],
        name=row["name"],
        home_branch_id=row["home_branch_id"],
        workplace=row["workplace"],
        workplace_branch=row["workplace_branch"],
        skills=tuple(json.loads(row["skills"] or "[]")),
        commitment=row["commitment"],
        phone=row["phone"],
        reported_at=to_dt(row["reported_at"]),
        left_at=to_dt(row["left_at"]),
        language=row["language"],
        nudges_paused_until=to_dt(row["nudges_paused_until"]),
    )


def team(row: Row) -> Team:
    """A teams row."""
    return Team(row["id"], row["branch_id"], row["name"], row["leader_member_id"], row["skill"])


def wish(row: Row) -> Wish:
    """A wishes row."""
    return Wish(
        id=row["id"],
        branch_id=row["branch_id"],
        title=row["title"],
        description=row["description"],
        category=row["category"],
        slots=row["slots"],
        team_claim=bool(row["team_claim"]),
        deadline=to_date(row["deadline"]),
        urgency=Urgency(row["urgency"]),
        status=WishStatus(row["status"]),
        created_by=row["created_by"],
        created_at=must_dt(row["created_at"]),
        version=row["version"],
        closed_at=to_dt(row["closed_at"]),
        closed_by=row["closed_by"],
        deadline_time=to_time(row["deadline_time"]),
        expired_at=to_dt(row["expired_at"]),
    )


def claim(row: Row) -> Claim:
    """A claims row."""
    return Claim(
        id=row["id"],
        wish_id=row["wish_id"],
        member_id=row["member_id"],
        team_id=row["team_id"],
        status=ClaimStatus(row["status"]),
        claimed_at=must_dt(row["claimed_at"]),
        done_at=to_dt(row["done_at"]),
        hours=row["hours"],
        note=row["note"],
        photo_ref=row["photo_ref"],
        rating=row["rating"],
        confirmed_by=row["confirmed_by"],
        confirmed_at=to_dt(row["confirmed_at"]),
        return_reason=row["return_reason"],
        ended_at=to_dt(row["ended_at"]),
    )


def service(row: Row) -> ServiceRecord:
    """A services row."""
    return ServiceRecord(
        id=row["id"],
        member_id=row["member_id"],
        branch_id=row["branch_id"],
        served_on=date.fromisoformat(row["served_on"]),
        hours=row["hours"],
        note=row["note"],
        wish_id=row["wish_id"],
        claim_id=row["claim_id"],
        confirmed=bool(row["confirmed"]),
        recorded_by=row["recorded_by"],
        created_at=must_dt(row["created_at"]),
        provenance=row["provenance"],
    )


def service_kind(wish: str, emergency: str) -> str:
    """The SQL of a service's kind (bot.domain.model.ServiceKind) from its wish and that wish's call, both LEFT
    JOINed under these aliases: 演练 for a drill's task, 战时 for an emergency wish (a call's task or marked
    urgent), else 平时."""
    return (
        f"CASE WHEN {emergency}.drill = 1 THEN 'drill' WHEN {wish}.urgency = 'emergency' THEN 'emergency'"
        " ELSE 'normal' END"
    )


SERVICES_WITH_KIND = (
    f"SELECT s.*, {service_kind('kw', 'ke')} AS kind FROM services s LEFT JOIN wishes kw ON kw.id = s.wish_id"
    " LEFT JOIN emergencies ke ON ke.id = kw.emergency_id"
)
"""Service rows with their kind (alias ``s``), for :func:`kinded_service`."""


def kinded_service(row: Row) -> ServiceRecord:
    """A services row read with ``SERVICES_WITH_KIND``: the record and its kind."""
    return replace(service(row), kind=ServiceKind(row["kind"]))


def thread(chat: ChatRef | None) -> str | None:
    """The forum topic of a chat, if any."""
    return chat.thread_id if chat else None


def card(row: Row) -> CardRow:
    """A cards row."""
    return CardRow(
        id=row["id"],
        wish_id=row["wish_id"],
        chat=ChatRef(row["platform"], row["chat_id"], row["thread_id"]),
        message_id=row["message_id"],
        kind=row["kind"],
        rendered_version=row["rendered_version"],
        last_edit_at=to_dt(row["last_edit_at"]),
        claim_id=row["claim_id"],
        viewer_id=row["viewer_id"],
        notice=row["notice"],
        visit_id=row["visit_id"],
    )


def outbox(row: Row) -> OutboxRow:
    """An outbox row."""
    chat = ChatRef(row["platform"], row["chat_id"], row["thread_id"]) if row["chat_id"] else None
    return OutboxRow(
        id=row["id"],
        dedupe_key=row["dedupe_key"],
        kind=row["kind"],
        platform=row["platform"],
        chat=chat,
        member_id=row["member_id"],
        payload=row["payload"],
        status=row["status"],
        attempts=row["attempts"],
        not_before=must_dt(row["not_before"]),
        batch=row["batch"],
    )
