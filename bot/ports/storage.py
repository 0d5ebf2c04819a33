"""The storage port: a unit of work the use cases run their reads and writes in, one transaction each."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

from bot.domain.model import (
    ACTIVE_CLAIM_STATUSES,
    Account,
    AtRiskMember,
    Branch,
    ChatRef,
    Claim,
    ClaimStatus,
    Committee,
    Member,
    ServiceRecord,
    Team,
    Urgency,
    Wish,
    WishStatus,
    WishView,
)


@dataclass(frozen=True, slots=True)
class CardRow:
    """A sent message that shows a wish and must follow its state."""

    id: int
    wish_id: int
    chat: ChatRef
    message_id: str
    kind: str
    rendered_version: int
    last_edit_at: datetime | None
    claim_id: int | None = None
    viewer_id: int | None = None
    notice: str | None = None
    """The notice to render again, encoded as the outbox stores it (None: the wish's own card)."""


@dataclass(frozen=True, slots=True)
class OutboxRow:
    """A message the bot decided to send, recorded before sending."""

    id: int
    dedupe_key: str
    kind: str
    platform: str
    chat: ChatRef | None
    member_id: int | None
    payload: str
    status: str
    attempts: int
    not_before: datetime


class People(Protocol):
    """People and their platform accounts: who someone is, how to reach them, where they serve."""

    async def get(self, member_id: int) -> Member | None:
        """A member by id."""
        ...

    async def by_account(self, platform: str, user_id: str) -> Member | None:
        """The member linked to a platform account."""
        ...

    async def by_phone(self, phone: str) -> Member | None:
        """A member pre-imported from a roster, by phone."""
        ...

    async def accounts_of(self, member_id: int) -> list[Account]:
        """The platform accounts linked to a member."""
        ...

    async def reachable(self, platform: str, user_id: str) -> bool:
        """Whether private messages to this account have not failed permanently."""
        ...

    async def set_reachable(self, platform: str, user_id: str, reachable: bool) -> None:
        """Remember that private messages to an account fail (blocked) or work again."""
        ...

    async def create(
        self,
        now: datetime,
        name: str,
        *,
        phone: str | None = None,
        home_branch_id: int | None = None,
        workplace: str = "",
        workplace_branch: str = "",
        skills: Iterable[str] = (),
        commitment: str = "",
        language: str | None = None,
    ) -> int:
        """Insert a person (not yet reported in)."""
        ...

    async def link_account(self, now: datetime, account: Account, member_id: int) -> None:
        """Attach a platform account to a member (moving it if it pointed elsewhere)."""
        ...

    async def save(self, member: Member) -> None:
        """Write back a member read from :meth:`get` and changed with ``dataclasses.replace``."""
        ...

    async def forget(self, now: datetime, member_id: int) -> None:
        """Remove a member's personal data, keeping their anonymous service in the totals."""
        ...

    async def merge_into(self, from_id: int, into_id: int) -> None:
        """Move roles and team places from a placeholder person to the roster entry they turned out to be."""
        ...

    async def of_branch(self, branch_id: int, *, reported_only: bool = False) -> list[Member]:
        """Members whose home branch this is."""
        ...

    async def serving_branch(self, branch_id: int) -> list[Member]:
        """Members who serve in the branch: its own (home branch) and those with an activity relation (活动关系)."""
        ...

    async def add_activity_branch(self, member_id: int, branch_id: int) -> None:
        """Let a member serve in a branch other than their home branch (活动关系)."""
        ...

    async def belongs_to(self, branch_id: int, member_id: int) -> bool:
        """Whether the member belongs to the branch (home, activity, or as its secretary)."""
        ...


class Committees(Protocol):
    """E-party-committees (e党委) and their admins."""

    async def create(self, now: datetime, name: str, chat: ChatRef | None) -> int:
        """Insert a committee."""
        ...

    async def set_chat(self, committee_id: int, chat: ChatRef | None) -> None:
        """Point a committee's digests at a chat."""
        ...

    async def get(self, committee_id: int) -> Committee | None:
        """A committee by id."""
        ...

    async def by_name(self, name: str) -> Committee | None:
        """A committee by its unique name."""
        ...

    async def by_chat(self, platform: str, chat_id: str) -> Committee | None:
        """The committee whose chat this is."""
        ...

    async def all(self) -> list[Committee]:
        """All committees, oldest first."""
        ...

    async def add_admin(self, now: datetime, committee_id: int, member_id: int) -> None:
        """Make a person a committee admin."""
        ...

    async def is_admin(self, committee_id: int, member_id: int) -> bool:
        """Whether the person administers the committee."""
        ...

    async def administered_by(self, member_id: int) -> list[Committee]:
        """Committees a person administers."""
        ...


class Branches(Protocol):
    """E-branches (e支部), the chats they live in, and their secretaries."""

    async def create(self, now: datetime, committee_id: int, name: str, chat: ChatRef) -> int:
        """Insert a branch bound to a chat."""
        ...

    async def get(self, branch_id: int) -> Branch | None:
        """A branch by id."""
        ...

    async def by_chat(self, platform: str, chat_id: str) -> Branch | None:
        """The branch bound to a chat."""
        ...

    async def by_name(self, name: str, committee_id: int | None = None) -> Branch | None:
        """A branch by name (within a committee when given)."""
        ...

    async def of_committee(self, committee_id: int) -> list[Branch]:
        """A committee's branches in creation order."""
        ...

    async def set_active(self, branch_id: int, active: bool) -> None:
        """Mark a branch active or inactive (bot removed from its chat); data is kept."""
        ...

    async def set_options(self, branch_id: int, *, done_counts_as_served: bool) -> None:
        """Change a branch's options."""
        ...

    async def move_chat(self, platform: str, old_chat_id: str, new_chat_id: str) -> None:
        """Follow a chat that changed id (Telegram group upgraded to a supergroup)."""
        ...

    async def add_secretary(self, now: datetime, branch_id: int, member_id: int) -> bool:
        """Make a person a secretary of a branch; False if they already were."""
        ...

    async def is_secretary(self, branch_id: int, member_id: int) -> bool:
        """Whether the person is a secretary of the branch."""
        ...

    async def secretaries(self, branch_id: int) -> list[Member]:
        """A branch's secretaries."""
        ...

    async def led_by(self, member_id: int) -> list[Branch]:
        """Branches where the person is a secretary."""
        ...


class Teams(Protocol):
    """Volunteer teams (服务队) and their leaders."""

    async def create(self, now: datetime, branch_id: int, name: str, leader_id: int | None, skill: str = "") -> int:
        """Insert a volunteer team (服务队)."""
        ...

    async def add_member(self, team_id: int, member_id: int) -> None:
        """Add a member to a team."""
        ...

    async def set_leader(self, team_id: int, member_id: int | None) -> None:
        """Make a member the team's leader (队长), adding them to the team; None leaves it without one."""
        ...

    async def get(self, team_id: int) -> Team | None:
        """A team by id."""
        ...

    async def by_name(self, branch_id: int, name: str) -> Team | None:
        """A branch's team by name."""
        ...

    async def led_by(self, member_id: int) -> list[Team]:
        """Teams whose leader (队长) the member is."""
        ...

    async def of_member(self, member_id: int) -> list[Team]:
        """Teams the member serves in."""
        ...


class Wishes(Protocol):
    """Micro-wishes (微心愿) and what their cards show."""

    async def add(
        self,
        now: datetime,
        *,
        branch_id: int,
        title: str,
        description: str,
        category: str,
        slots: int,
        team_claim: bool,
        deadline: date | None,
        urgency: Urgency,
        created_by: int,
    ) -> int:
        """Insert an open wish."""
        ...

    async def get(self, wish_id: int) -> Wish | None:
        """A wish by id."""
        ...

    async def touch(self, wish_id: int) -> None:
        """Bump a wish's version so every card showing it is brought up to date."""
        ...

    async def set_status(
        self, wish_id: int, status: WishStatus, now: datetime | None, *, closed_by: int | None = None
    ) -> None:
        """Open, close or cancel a wish (``closed_by``: the secretary who ended it by hand)."""
        ...

    async def view(self, wish_id: int) -> WishView | None:
        """A wish with its branch name, active claimers and waitlist, read consistently."""
        ...

    async def open_views(self, branch_id: int, limit: int = 50) -> list[WishView]:
        """A branch's open wishes, emergencies first, then by deadline."""
        ...

    async def with_free_slots(self, branch_id: int, limit: int = 20) -> list[tuple[Wish, int]]:
        """Open wishes of a branch that still have free slots, with how many are taken (least taken first)."""
        ...


class Claims(Protocol):
    """Claims (认领) of wishes; the database refuses an over-fill or a second active claim."""

    async def active(self, wish_id: int, member_id: int) -> Claim | None:
        """The member's active claim on a wish, if any."""
        ...

    async def count_active(self, wish_id: int) -> int:
        """How many slots of a wish are held."""
        ...

    async def add(self, now: datetime, wish_id: int, member_id: int, team_id: int | None) -> Claim:
        """Insert an active claim and return it; the database refuses an over-fill or a second active claim."""
        ...

    async def get(self, claim_id: int) -> Claim | None:
        """A claim by id."""
        ...

    async def save(self, claim: Claim) -> None:
        """Write back a claim read from :meth:`get` and moved along its life (status, report, review)."""
        ...

    async def of_member(
        self, member_id: int, statuses: Sequence[ClaimStatus] = ACTIVE_CLAIM_STATUSES
    ) -> list[tuple[Claim, Wish]]:
        """A member's claims in the given states, with their wishes, newest first."""
        ...

    async def of_wish(self, wish_id: int, statuses: Sequence[ClaimStatus] = ACTIVE_CLAIM_STATUSES) -> list[Claim]:
        """A wish's claims in the given states."""
        ...


class Waitlist(Protocol):
    """Members waiting for a slot of a full wish (候补), first come first served."""

    async def add(self, now: datetime, wish_id: int, member_id: int, team_id: int | None) -> int:
        """Put a member on a wish's waitlist (候补); returns their position (1-based)."""
        ...

    async def position(self, wish_id: int, member_id: int) -> int | None:
        """A member's 1-based place on the waitlist, None if not on it."""
        ...

    async def remove(self, wish_id: int, member_id: int) -> bool:
        """Take a member off a waitlist; False if they were not on it."""
        ...

    async def pop(self, wish_id: int) -> tuple[int, int | None] | None:
        """Remove and return the first (member_id, team_id) waiting for a wish."""
        ...

    async def clear(self, wish_id: int) -> list[int]:
        """Empty a wish's waitlist; return who was on it."""
        ...


class Services(Protocol):
    """Service records that count for the quarter."""

    async def add(
        self,
        now: datetime,
        *,
        member_id: int,
        branch_id: int,
        served_on: date,
        hours: float,
        note: str,
        wish_id: int | None,
        claim_id: int | None,
        confirmed: bool,
        recorded_by: int | None,
        rating: int | None = None,
    ) -> int:
        """Record one act of service."""
        ...

    async def of_claim(self, claim_id: int) -> ServiceRecord | None:
        """The service record made from a claim."""
        ...

    async def confirm_of_claim(self, claim_id: int, rating: int | None) -> None:
        """Mark a claim's service record confirmed."""
        ...

    async def drop_unconfirmed_of_claim(self, claim_id: int) -> None:
        """Drop a claim's unconfirmed service record (the secretary returned it)."""
        ...

    async def of_member(
        self, member_id: int, start: date | None = None, end: date | None = None
    ) -> list[ServiceRecord]:
        """A member's service records, optionally within [start, end)."""
        ...

    async def at_risk(self, branch_id: int, start: date, end: date, done_counts: bool) -> list[AtRiskMember]:
        """Reported members of a branch with no counted service in [start, end)."""
        ...


class Cards(Protocol):
    """Sent messages with buttons that must follow the state of their wish."""

    async def add(
        self,
        now: datetime,
        wish_id: int,
        chat: ChatRef,
        message_id: str,
        kind: str,
        version: int,
        *,
        claim_id: int | None = None,
        viewer_id: int | None = None,
        notice: str | None = None,
        wishes: Sequence[int] = (),
    ) -> None:
        """Remember a message that shows a wish (or a claim of it), rendered at ``version``.

        ``notice``: what to render it from again; ``wishes``: further wishes it shows (their current versions seen).
        """
        ...

    async def of_wish(self, wish_id: int) -> list[CardRow]:
        """Every message showing a wish."""
        ...

    async def stale(self, platform: str, limit: int = 100) -> list[CardRow]:
        """Cards showing an older version of their wish (or of any further wish they show) than the current one."""
        ...

    async def mark_rendered(self, card_id: int, version: int, now: datetime) -> None:
        """Record that a card shows ``version`` of its wish (never backwards) and its further wishes as they are."""
        ...

    async def rehandle(self, chat: ChatRef, old_prefix: str, message_id: str, *, refresh: bool) -> bool:
        """The card in ``chat`` whose message id starts with ``old_prefix`` is now reached as ``message_id`` (a
        platform that hands out a fresh edit handle on each press); with ``refresh`` it is rendered again even if
        nothing changed. False when no such card is known."""
        ...

    async def drop(self, card_id: int) -> None:
        """Forget a card that can no longer be edited (deleted, chat gone)."""
        ...


class Outbox(Protocol):
    """Everything the bot decided to send, recorded before it is sent."""

    async def enqueue(
        self,
        now: datetime,
        *,
        dedupe_key: str,
        kind: str,
        platform: str,
        chat: ChatRef | None,
        member_id: int | None,
        payload: str,
        not_before: datetime | None = None,
    ) -> bool:
        """Record a decision to send; False when the same decision (dedupe key) was already recorded."""
        ...

    async def due(self, platform: str, now: datetime, limit: int = 100) -> list[OutboxRow]:
        """Pending messages whose time has come, oldest first."""
        ...

    async def next_time(self, platform: str) -> datetime | None:
        """When the earliest pending message becomes due."""
        ...

    async def mark(
        self,
        outbox_id: int,
        status: str,
        now: datetime,
        *,
        message_id: str | None = None,
        error: str | None = None,
        not_before: datetime | None = None,
    ) -> None:
        """Record the result of one delivery attempt."""
        ...

    async def by_key(self, dedupe_key: str) -> OutboxRow | None:
        """An outbox entry by its dedupe key."""
        ...

    async def erase_for_member(self, member_id: int, user_ids: Sequence[str]) -> int:
        """Erase the text, chat and recipient of every entry sent to or about a member (pending ones are dropped);
        the dedupe keys stay so nothing is sent again. Returns how many entries were erased."""
        ...

    async def erase_sent_before(self, before: datetime) -> int:
        """Erase text, chat and recipient of entries delivered (or given up) before ``before``; returns how many."""
        ...

    async def delete_finished_before(self, before: datetime) -> int:
        """Forget delivered (or given up) entries created before ``before`` entirely; returns how many."""
        ...

    async def counts(self, kind_prefix: str = "") -> dict[str, int]:
        """How many outbox entries are in each status (for tests, benchmarks and health)."""
        ...


class ProcessedEvents(Protocol):
    """Incoming updates already handled, so a replay changes nothing."""

    async def first_time(self, platform: str, key: str, now: datetime) -> bool:
        """Record an incoming event; False if it was already processed (a replay)."""
        ...

    async def prune(self, before: datetime) -> int:
        """Forget processed-event keys recorded before ``before``; returns how many were forgotten."""
        ...


class Drafts(Protocol):
    """Wish texts a secretary sent that could not be read yet."""

    async def save(self, now: datetime, account: Account, branch_id: int | None, text: str) -> None:
        """Keep a wish text that could not be read yet."""
        ...

    async def get(self, account: Account) -> tuple[int | None, str] | None:
        """A kept draft: (branch_id, text)."""
        ...

    async def delete(self, account: Account) -> None:
        """Forget a draft once it became a wish."""
        ...


class Conversations(Protocol):
    """Where each person is in a multi-step conversation."""

    async def get(self, account: Account) -> dict[str, Any] | None:
        """Where this person is in a multi-step conversation, if anywhere."""
        ...

    async def set(self, now: datetime, account: Account, state: dict[str, Any] | None) -> None:
        """Remember (or, with None, forget) where this person is in a conversation."""
        ...


class JobRuns(Protocol):
    """When each scheduled job last ran, so downtime is caught up once."""

    async def last_run(self, job: str) -> datetime | None:
        """When a scheduled job last completed."""
        ...

    async def set_run(self, job: str, at: datetime) -> None:
        """Record a scheduled job's completion."""
        ...


class AuditLog(Protocol):
    """Who changed what."""

    async def record(
        self,
        now: datetime,
        actor_id: int | None,
        action: str,
        entity: str,
        entity_id: int | None,
        **detail: Any,
    ) -> None:
        """Record who changed what."""
        ...

    async def of_member(self, member_id: int) -> list[dict[str, Any]]:
        """Audit entries made by or about a member, for their data export."""
        ...


class Unit(Protocol):
    """One transaction: the repositories of every aggregate, all reading and writing inside it."""

    @property
    def people(self) -> People: ...

    @property
    def committees(self) -> Committees: ...

    @property
    def branches(self) -> Branches: ...

    @property
    def teams(self) -> Teams: ...

    @property
    def wishes(self) -> Wishes: ...

    @property
    def claims(self) -> Claims: ...

    @property
    def waitlist(self) -> Waitlist: ...

    @property
    def services(self) -> Services: ...

    @property
    def cards(self) -> Cards: ...

    @property
    def outbox(self) -> Outbox: ...

    @property
    def events(self) -> ProcessedEvents: ...

    @property
    def drafts(self) -> Drafts: ...

    @property
    def conversations(self) -> Conversations: ...

    @property
    def jobs(self) -> JobRuns: ...

    @property
    def audit(self) -> AuditLog: ...


class Store(Protocol):
    """Hands out units of work; each is one atomic, isolated transaction."""

    def unit(self) -> AbstractAsyncContextManager[Unit]:
        """Open a transaction; it commits when the block ends normally and rolls back on an exception."""
        ...

    def read(self) -> AbstractAsyncContextManager[Unit]:
        """Read between write transactions, without opening one (for use cases and lookups that only read)."""
        ...
