"""Cards and the outbox: the storage Protocols of what the bot sent and must keep current."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from bot.domain.model import (
    ChatRef,
)


@dataclass(frozen=True, slots=True)
class CardRow:
    """A sent message that shows a wish (or a pairing's visit) and must follow its state."""

    id: int
    wish_id: int | None
    chat: ChatRef
    message_id: str
    kind: str
    rendered_version: int
    last_edit_at: datetime | None
    claim_id: int | None = None
    viewer_id: int | None = None
    notice: str | None = None
    """The notice to render again, encoded as the outbox stores it (None: the wish's own card)."""
    visit_id: int | None = None
    """The visit a review card shows (then ``wish_id`` is None)."""


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
    batch: str | None = None
    """The key of the platform call this entry was last tried in with others (see ``Outbox.hold_batch``)."""


class Cards(Protocol):
    """Sent messages with buttons that must follow the state of their wish."""

    async def add(
        self,
        now: datetime,
        wish_id: int | None,
        chat: ChatRef,
        message_id: str,
        kind: str,
        version: int,
        *,
        claim_id: int | None = None,
        viewer_id: int | None = None,
        notice: str | None = None,
        wishes: Sequence[int] = (),
        visit_id: int | None = None,
    ) -> None:
        """Remember a message that shows a wish (or a claim of it), rendered at ``version``.

        ``notice``: what to render it from again; ``wishes``: further wishes it shows (their current versions seen);
        ``visit_id``: the visit a review card shows instead of a wish (``wish_id`` None, ``version`` the visit's).
        """
        ...

    async def of_wish(self, wish_id: int) -> list[CardRow]:
        """Every message showing a wish."""
        ...

    async def stale(self, platform: str, limit: int = 100) -> list[CardRow]:
        """Cards showing an older version of their wish (or of any further wish they show, or of their visit) than
        the current one."""
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

    async def due(self, platform: str, now: datetime, limit: int = 100, *, owner: str = "") -> list[OutboxRow]:
        """Pending messages whose time has come, oldest first, taken for delivery by ``owner``: no other deliverer
        gets them until they are marked or released, or their lease ends (a deliverer that died holding them)."""
        ...

    async def renew(self, outbox_id: int, owner: str, now: datetime) -> bool:
        """Keep an entry about to be sent for the length of a send; False if ``owner`` no longer holds it."""
        ...

    async def release(self, outbox_ids: Sequence[int], owner: str = "") -> None:
        """Give back entries ``owner`` took for delivery but did not attempt (a paused chat, a retry later)."""
        ...

    async def release_all(self, platform: str) -> int:
        """Give back every entry of a platform taken for delivery (a restarted deliverer that is the only one)."""
        ...

    async def existing_keys(self, dedupe_keys: Sequence[str]) -> set[str]:
        """Which of these dedupe keys are recorded already (one read for a page of a sweep)."""
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

    async def hold_batch(self, outbox_ids: Sequence[int], owner: str, now: datetime, batch: str | None) -> list[int]:
        """Keep entries about to be sent in one call for the length of a send and record the call's key on them
        (None clears it); the ids ``owner`` still holds."""
        ...

    async def batch_rows(self, batch: str, owner: str, now: datetime) -> list[OutboxRow]:
        """Take for ``owner`` every pending entry of a batch not held by another deliverer (a retried call goes
        to the whole batch it was first made for)."""
        ...
