"""Delivering the outbox: everything the bot decided to send, sent once, at the platform's pace, surviving failures."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import time
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import replace
from html import escape
from typing import Any, Protocol

from bot.delivery.claim_cards import render_claim_card, render_visit_card
from bot.delivery.emergency import remember_sent, render_emergency
from bot.delivery.pacing import RateLimiter
from bot.i18n import t
from bot.notices.outbox import (
    ClaimCard,
    ClaimNotice,
    EmergencyBoard,
    EmergencyPrompt,
    Envelope,
    FollowedCard,
    ManageCard,
    NoticeError,
    NudgeCard,
    OverdueCard,
    Rendered,
    ReviewCard,
    Text,
    VisitReviewCard,
    WishCard,
    decode,
    encode,
)
from bot.notices.views import posted_card
from bot.ports.chat import (
    AlreadySent,
    Attachment,
    ChatGateway,
    Mention,
    Multicast,
    OutgoingMessage,
    RecipientUnreachable,
    RetryLater,
    SentToMany,
    Unanswered,
)
from bot.ports.clock import Clock
from bot.ports.storage import OutboxRow, Store
from bot.usecases.base import record

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
_IDLE_WAIT = 30.0
_PACE_SLEEP = 0.5
FOREGROUND_MAX_DEFER = 5.0
_FOREGROUND_POLL = 0.05
BATCHED_KINDS = frozenset({"emergency_prompt"})
"""Kinds a platform that sends one message to many (:class:`Multicast`) gets in batches of identical content."""
_BATCHED = "\x00batched"
"""The pause key of the batched sends (they are no one chat's)."""
_CARD_KINDS: dict[type, str] = {
    NudgeCard: "nudge",
    ClaimCard: "claim",
    ReviewCard: "review",
    OverdueCard: "overdue",
    ManageCard: "manage",
}


class NoticeRenderer(Protocol):
    """Builds the report notices (digest, workplace feedback) at delivery; wired by the composition root."""

    async def render(self, notice: Rendered) -> OutgoingMessage | None:
        """The message of a report notice; None when there is nothing to send any more."""
        ...


def fit_files(message: OutgoingMessage, max_bytes: int, lang: str) -> OutgoingMessage:
    """The message without attachments the platform would refuse for their size, each named in a note instead.

    A city-wide ledger can outgrow a platform's upload limit (Telegram 50 MB, WeCom 20 MB); sending it anyway
    would fail the whole message on every retry, text and chart included.
    """
    too_big = [a for a in message.attachments if len(a.content) > max_bytes]
    if not too_big:
        return message
    kept = tuple(a for a in message.attachments if len(a.content) <= max_bytes)
    notes = [too_large(a, max_bytes, lang) for a in too_big]
    return replace(message, text="\n".join([message.text, *notes]), attachments=kept)


def too_large(attachment: Attachment, max_bytes: int, lang: str) -> str:
    """The note sent in place of a file the platform would refuse for its size."""
    return t(
        "sched.file.too_large",
        lang,
        file=escape(attachment.filename),
        size=f"{len(attachment.content) / 1_000_000:.0f}",
        limit=f"{max_bytes / 1_000_000:.0f}",
    )


def sends_of(message: OutgoingMessage) -> int:
    """How many messages a chat may receive for this one (at most): the text, then each file or photo."""
    return 1 + len(message.attachments) + (1 if message.photo_ref and not message.attachments else 0)


class OutboxDelivery:
    """Sends a platform's due outbox entries; chats are served concurrently so one flooded chat stalls no other."""

    def __init__(
        self,
        store: Store,
        gateway: ChatGateway,
        clock: Clock,
        *,
        lang: str = "zh",
        concurrency: int = 16,
        monotonic: Callable[[], float] = time.monotonic,
        renderer: NoticeRenderer | None = None,
        limiter: RateLimiter | None = None,
        foreground_busy: Callable[[], bool] | None = None,
        alone: bool = True,
        pass_size: int = 500,
    ) -> None:
        self.store = store
        self.pass_size = pass_size
        """Entries taken per pass (a platform sending 1,000 members a card per call wants as many)."""
        self.alone = alone
        """No other deliverer can exist (one process on SQLite): leases left by a predecessor that died are taken
        back at the first pass rather than waited out. Of several instances only the leader delivers: it takes them
        back at its first pass after each ``take_over`` (once its predecessor has stopped)."""
        self._resumed = False
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        """Who holds the entries this deliverer took (one per process and platform)."""
        self.gateway = gateway
        self.clock = clock
        self.lang = lang
        self._monotonic = monotonic
        self._semaphore = asyncio.Semaphore(concurrency)
        self._wake = asyncio.Event()
        self._chat_paused_until: dict[str, float] = {}
        self._failures: dict[int, int] = defaultdict(int)
        self._marked: set[int] = set()
        """Entries this pass settled without sending them (skipped, failed); the rest not sent are given back."""
        self.on_sent: list[Callable[[OutboxRow, str], Any]] = []
        self._shown: dict[int, int] = {}
        """The wish version each card being sent was rendered from (a change during the send leaves it stale)."""
        self.renderer = renderer
        self.limiter = limiter
        self.foreground_busy = foreground_busy

    def take_over(self) -> None:
        """This deliverer just became the only one (its instance leads, and a predecessor has stopped): its next
        pass takes back the entries a predecessor left leased instead of waiting their lease out."""
        self._resumed = False

    def poke(self) -> None:
        """Something was just enqueued: deliver without waiting for the next tick."""
        self._wake.set()

    async def deliver_due(self, limit: int | None = None) -> int:
        """One pass over due entries, taken on a lease; returns how many were sent. Entries left untried (a paused
        chat, a retry later) are given back at the end; a deliverer killed midway leaves its lease to run out."""
        now = self.clock.now()
        async with self.store.unit() as unit:
            if self.alone and not self._resumed:
                await unit.outbox.release_all(self.gateway.platform)
                self._resumed = True
            due = await unit.outbox.due(self.gateway.platform, now, limit or self.pass_size, owner=self.owner)
        multicast = isinstance(self.gateway, Multicast)
        batched = [r for r in due if multicast and r.kind in BATCHED_KINDS and r.chat is not None]
        by_chat: dict[str, list[OutboxRow]] = defaultdict(list)
        for row in due:
            if not (multicast and row.kind in BATCHED_KINDS and row.chat is not None):
                by_chat[row.chat.chat_id if row.chat else ""].append(row)
        settled: set[int] = set()
        results = await asyncio.gather(
            self._deliver_batched(batched, due, settled),
            *(self._deliver_chat(chat, rows, settled) for chat, rows in by_chat.items()),
        )
        untried = [row.id for row in due if row.id not in settled]
        if untried:
            async with self.store.unit() as unit:
                await unit.outbox.release(untried, self.owner)
        return sum(results)

    async def _deliver_chat(self, chat_id: str, rows: list[OutboxRow], settled: set[int]) -> int:
        sent = 0
        for row in rows:
            if self._chat_paused_until.get(chat_id, 0.0) > self._monotonic():
                return sent
            async with self._semaphore:
                done = await self._deliver_one(row)
            sent += done
            if done or row.id in self._marked:
                settled.add(row.id)
                self._marked.discard(row.id)
        return sent

    async def _deliver_one(self, row: OutboxRow) -> int:
        if row.chat is None:
            await self._mark(row, "skipped", error="no chat")
            return 0
        try:
            envelope = decode(row.payload, platform=row.platform)
        except NoticeError as error:
            log.error("outbox %s holds an unreadable notice (%s); skipping it", row.id, error)
            await self._mark(row, "skipped", error=f"unreadable: {error}"[:500])
            return 0
        try:
            message = await self._render(row, envelope)
            if message is None:
                await self._mark(row, "skipped", error="nothing to show")
                return 0
            message = fit_files(message, self.gateway.max_file_bytes, self.lang)
            await self._after_foreground()
            if self.limiter is not None and not await self._paced(row.chat.chat_id, sends_of(message)):
                return 0
            if not await self._still_ours(row):
                self._marked.add(row.id)
                return 0
            message_id = await self.gateway.send(row.chat, message)
        except RecipientUnreachable as error:
            await self._unreachable(row, envelope, str(error))
            return 0
        except RetryLater as error:
            self._chat_paused_until[row.chat.chat_id] = self._monotonic() + max(error.retry_after, 0.05)
            return 0
        except Exception as error:
            self._failures[row.id] += 1
            log.warning("delivery of outbox %s failed (%s): %r", row.id, self._failures[row.id], error)
            if row.attempts + self._failures[row.id] >= MAX_ATTEMPTS:
                await self._mark(row, "failed", error=repr(error)[:500])
            else:
                self._chat_paused_until[row.chat.chat_id] = self._monotonic() + min(60.0, 2.0 ** self._failures[row.id])
            return 0
        await self._sent(row, envelope, message_id)
        for callback in self.on_sent:
            callback(row, message_id)
        return 1

    async def _deliver_batched(self, rows: list[OutboxRow], due: list[OutboxRow], settled: set[int]) -> int:
        """Send entries of identical content together, one call per :attr:`Multicast.max_recipients` chats.

        Each entry stays its own row, recorded before and marked after: a call's key is recorded on its entries
        before it is made, so a call that went unanswered (a timeout) is made again with the same key to the same
        entries, and the platform refuses what it already carried out instead of delivering it twice. Entries of a
        batch taken by another pass are added to ``due`` (given back with it when left untried).
        """
        if not rows or self._chat_paused_until.get(_BATCHED, 0.0) > self._monotonic():
            return 0
        held = {row.id for row in due}
        retried = sorted({row.batch for row in rows if row.batch})
        if retried:
            async with self.store.unit() as unit:
                for key in retried:
                    for extra in await unit.outbox.batch_rows(key, self.owner, self.clock.now()):
                        if extra.id not in held:
                            held.add(extra.id)
                            due.append(extra)
                            rows.append(extra)
        groups: dict[str | OutgoingMessage, list[tuple[OutboxRow, Envelope, OutgoingMessage]]] = defaultdict(list)
        for row in rows:
            try:
                envelope = decode(row.payload, platform=row.platform)
            except NoticeError as error:
                log.error("outbox %s holds an unreadable notice (%s); skipping it", row.id, error)
                await self._mark(row, "skipped", error=f"unreadable: {error}"[:500])
                settled.add(row.id)
                continue
            message = await self._render(row, envelope)
            if message is None:
                await self._mark(row, "skipped", error="nothing to show")
                settled.add(row.id)
                continue
            groups[row.batch or message].append((row, envelope, message))
        size = max(1, self.gateway.max_recipients)  # type: ignore[attr-defined]
        calls = [
            (key if isinstance(key, str) else None, members[i : i + size])
            for key, members in groups.items()
            for i in range(0, len(members), len(members) if isinstance(key, str) else size)
        ]
        sent = await asyncio.gather(*(self._send_batch(key, members, settled) for key, members in calls))
        return sum(sent)

    async def _send_batch(
        self, key: str | None, members: list[tuple[OutboxRow, Envelope, OutgoingMessage]], settled: set[int]
    ) -> int:
        """One call to every chat of ``members`` (a retry when ``key`` is the key of an unanswered call)."""
        async with self._semaphore:
            if self._chat_paused_until.get(_BATCHED, 0.0) > self._monotonic():
                return 0
            await self._after_foreground()
            name = key or uuid.uuid4().hex
            async with self.store.unit() as unit:
                ours = set(await unit.outbox.hold_batch([m[0].id for m in members], self.owner, self.clock.now(), name))
            for row, _, _ in members:
                if row.id not in ours:
                    settled.add(row.id)  # another deliverer took it: left to it
            members = [m for m in members if m[0].id in ours]
            if not members:
                return 0
            chats = tuple(row.chat for row, _, _ in members if row.chat is not None)
            gateway: Multicast = self.gateway  # type: ignore[assignment]
            try:
                result = await gateway.send_many(chats, members[0][2], name, again=key is not None)
            except AlreadySent as error:
                log.info("batch %s went out before its answer was lost (%s)", name, error)
                result = SentToMany("")
            except RecipientUnreachable as error:
                for row, envelope, _ in members:
                    await self._unreachable(row, envelope, str(error))
                    settled.add(row.id)
                return 0
            except Unanswered as error:
                self._chat_paused_until[_BATCHED] = self._monotonic() + max(error.retry_after, 0.05)
                return 0
            except Exception as error:
                await self._batch_refused(name, members, error, settled)
                return 0
        return await self._batch_sent(members, result, settled)

    async def _batch_refused(
        self, name: str, members: list[tuple[OutboxRow, Envelope, OutgoingMessage]], error: Exception, settled: set[int]
    ) -> None:
        """The platform answered no: nothing went out, so the call's key is dropped and the entries retried."""
        async with self.store.unit() as unit:
            await unit.outbox.hold_batch([m[0].id for m in members], self.owner, self.clock.now(), None)
        if isinstance(error, RetryLater):
            self._chat_paused_until[_BATCHED] = self._monotonic() + max(error.retry_after, 0.05)
            return
        log.warning("batch %s of %s entries failed: %r", name, len(members), error)
        failures = 0
        for row, _, _ in members:
            self._failures[row.id] += 1
            failures = max(failures, self._failures[row.id])
            if row.attempts + self._failures[row.id] >= MAX_ATTEMPTS:
                await self._mark(row, "failed", error=repr(error)[:500])
                settled.add(row.id)
        self._chat_paused_until[_BATCHED] = self._monotonic() + min(60.0, 2.0**failures)

    async def _batch_sent(
        self, members: list[tuple[OutboxRow, Envelope, OutgoingMessage]], result: SentToMany, settled: set[int]
    ) -> int:
        """Mark each entry the platform took as sent (and remember it to follow its call); the ones it refused are
        not reached: failed, their chat marked unreachable, their fallback recorded."""
        refused = set(result.refused)
        now = self.clock.now()
        delivered = [m for m in members if m[0].chat is not None and m[0].chat.chat_id not in refused]
        async with self.store.unit() as unit:
            for row, envelope, _ in delivered:
                assert row.chat is not None
                await unit.outbox.mark(row.id, "sent", now, message_id=result.message_id)
                notice = envelope.notice
                if result.message_id and isinstance(notice, EmergencyBoard | EmergencyPrompt):
                    await remember_sent(unit, now, notice, row.chat, result.message_id, self._shown.pop(row.id, 0))
        for row, envelope, _ in members:
            settled.add(row.id)
            self._shown.pop(row.id, None)
            if row.chat is not None and row.chat.chat_id in refused:
                await self._unreachable(row, envelope, "the platform refused this recipient (invaliduser)")
            else:
                for callback in self.on_sent:
                    callback(row, result.message_id)
        return len(delivered)

    async def _still_ours(self, row: OutboxRow) -> bool:
        """Renew the lease right before sending: an entry another deliverer took meanwhile is left to it."""
        async with self.store.unit() as unit:
            return await unit.outbox.renew(row.id, self.owner, self.clock.now())

    async def _after_foreground(self) -> None:
        """People waiting on a tap go first: while the platform is saturated with updates, a send waits (5 s at most).

        In a burst of taps the loop's time is better spent answering them (a tap unanswered for ~15 s can no longer be
        answered) than on notices that can arrive seconds later; a send never waits more than the cap, so a
        sustained load slows the outbox but cannot stop it.
        """
        if self.foreground_busy is None:
            return
        for _ in range(round(FOREGROUND_MAX_DEFER / _FOREGROUND_POLL)):
            if not self.foreground_busy():
                return
            await asyncio.sleep(_FOREGROUND_POLL)

    async def _paced(self, chat_id: str, sends: int) -> bool:
        """Wait a moment for the pace; a chat whose budget is spent for longer is paused, holding up no other."""
        assert self.limiter is not None
        wait = self.limiter.try_acquire(chat_id, sends)
        if wait <= 0:
            return True
        if wait > _PACE_SLEEP:
            self._chat_paused_until[chat_id] = self._monotonic() + wait
            return False
        await self.limiter.acquire(chat_id, sends)
        return True

    async def _render(self, row: OutboxRow, envelope: Envelope) -> OutgoingMessage | None:
        notice = envelope.notice
        if isinstance(notice, Text):
            return notice.message()
        if isinstance(notice, WishCard):
            async with self.store.read() as unit:
                view = await unit.wishes.view(notice.wish_id)
            if view is None:
                return None
            self._shown[row.id] = view.wish.version
            return posted_card(view, self.lang, in_group=row.member_id is None)
        if isinstance(notice, FollowedCard):
            async with self.store.read() as unit:
                rendered = await render_claim_card(unit, notice)
            if rendered is None:
                return None
            self._shown[row.id] = rendered[1]
            return rendered[0]
        if isinstance(notice, VisitReviewCard):
            async with self.store.read() as unit:
                visit_card = await render_visit_card(unit, notice)
            if visit_card is None:
                return None
            self._shown[row.id] = visit_card[1]
            return visit_card[0]
        if isinstance(notice, EmergencyBoard | EmergencyPrompt):
            async with self.store.read() as unit:
                drawn = await render_emergency(unit, notice)
            if drawn is None:
                return None
            self._shown[row.id] = drawn[1]
            return drawn[0]
        if self.renderer is None:
            raise LookupError(f"no renderer for {type(notice).__name__}")
        return await self.renderer.render(notice)

    async def _sent(self, row: OutboxRow, envelope: Envelope, message_id: str) -> None:
        now = self.clock.now()
        shown = self._shown.pop(row.id, None)
        async with self.store.unit() as unit:
            await unit.outbox.mark(row.id, "sent", now, message_id=message_id)
            notice = envelope.notice
            if isinstance(notice, EmergencyBoard | EmergencyPrompt) and row.chat is not None:
                await remember_sent(unit, now, notice, row.chat, message_id, shown or 0)
            elif isinstance(notice, VisitReviewCard) and row.chat is not None:
                await unit.cards.add(
                    now,
                    None,
                    row.chat,
                    message_id,
                    "visit_review",
                    shown or 1,
                    viewer_id=row.member_id,
                    notice=encode(Envelope(notice)),
                    visit_id=notice.visit_id,
                )
            elif isinstance(notice, WishCard) and row.chat is not None:
                wish = await unit.wishes.get(notice.wish_id)
                if wish is not None:
                    kind = "group" if row.member_id is None else "member"  # a member's private card
                    await unit.cards.add(now, wish.id, row.chat, message_id, kind, shown or wish.version)
            elif isinstance(notice, FollowedCard) and row.chat is not None:
                claim = await unit.claims.get(notice.claim_id) if isinstance(notice, ClaimNotice) else None
                wish_id = (
                    notice.wish_id
                    if isinstance(notice, ManageCard)
                    else notice.wish_ids[0]
                    if isinstance(notice, NudgeCard)
                    else claim.wish_id
                    if claim
                    else None
                )
                wish = await unit.wishes.get(wish_id) if wish_id is not None else None
                if wish is not None:
                    await unit.cards.add(
                        now,
                        wish.id,
                        row.chat,
                        message_id,
                        _CARD_KINDS[type(notice)],
                        shown or wish.version,
                        claim_id=claim.id if claim is not None else None,
                        viewer_id=row.member_id,
                        notice=encode(Envelope(notice)),
                        wishes=notice.wish_ids[1:] if isinstance(notice, NudgeCard) else (),
                    )

    async def _mark(self, row: OutboxRow, status: str, *, error: str | None = None) -> None:
        self._marked.add(row.id)
        async with self.store.unit() as unit:
            await unit.outbox.mark(row.id, status, self.clock.now(), error=error)

    async def _unreachable(self, row: OutboxRow, envelope: Envelope, error: str) -> None:
        """A private chat is impossible: remember it, and fall back to a mention in the group, once per member."""
        self._marked.add(row.id)
        now = self.clock.now()
        fallback = envelope.fallback
        async with self.store.unit() as unit:
            await unit.outbox.mark(row.id, "failed", now, error=error[:500])
            if row.chat is not None and row.member_id is not None:
                await unit.people.set_reachable(row.platform, row.chat.chat_id, False)
            if fallback is not None and row.member_id is not None and row.chat is not None:
                mention = Mention(row.chat.chat_id, escape(fallback.name))
                text = t("notice.start_bot", self.lang, name=escape(fallback.name))
                await record(
                    unit,
                    now,
                    key=f"fallback:{row.member_id}:{fallback.chat.chat_id}",
                    kind="fallback",
                    chat=fallback.chat,
                    member_id=None,
                    notice=Text(text, mention=mention),
                )
            for hook in envelope.followups:
                await record(
                    unit,
                    now,
                    key=hook.dedupe_key,
                    kind=hook.kind,
                    chat=hook.chat,
                    member_id=hook.member_id,
                    notice=hook.notice,
                )
        self.poke()

    async def run(self, stop: asyncio.Event, idle_wait: float = _IDLE_WAIT) -> None:
        """Deliver until ``stop`` is set: right away when poked, otherwise every ``idle_wait`` seconds."""
        while not stop.is_set():
            self._wake.clear()
            try:
                sent = await self.deliver_due()
            except Exception:
                log.exception("outbox delivery pass failed")
                sent = 0
            if sent:
                continue
            wait = idle_wait
            paused = [until - self._monotonic() for until in self._chat_paused_until.values()]
            pending_pause = [p for p in paused if p > 0]
            if pending_pause:
                wait = min(wait, min(pending_pause))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(_either(self._wake, stop), timeout=max(0.01, wait))


async def _either(first: asyncio.Event, second: asyncio.Event) -> None:
    """Wait until either event is set."""
    waiters = [asyncio.ensure_future(first.wait()), asyncio.ensure_future(second.wait())]
    try:
        await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()
