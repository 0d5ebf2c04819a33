"""Emergency boards and prompts: drawn from the call's state when sent, then kept current (edits coalesced)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Hashable
from datetime import datetime

from bot.delivery.follow import FollowSync
from bot.domain.emergency import headcount
from bot.domain.model import ChatRef
from bot.notices import emergency_views
from bot.notices.outbox import EmergencyBoard, EmergencyNotice, EmergencyPrompt
from bot.ports.chat import DeliveryError, EditUnavailable, Multicast, OutgoingMessage, RetryLater
from bot.ports.storage import EmergencyMessage, Unit

log = logging.getLogger(__name__)
_SHARED = "\x00shared"
"""The pause key of edits of cards shared by many members (they are no one chat's)."""


async def render_emergency(unit: Unit, notice: EmergencyNotice) -> tuple[OutgoingMessage, int] | None:
    """What a board or prompt shows now and the call's version it shows; None for a prompt no longer needed (the
    call ended before it went out, or a re-prompt to someone who answered meanwhile)."""
    emergency = await unit.emergencies.get(notice.emergency_id)
    if emergency is None:
        return None
    if isinstance(notice, EmergencyBoard):
        lines = await unit.emergencies.lines(emergency.id, notice.branch_id)
        if notice.branch_id is not None:
            branch = await unit.branches.get(notice.branch_id)
            scope = branch.name if branch else ""
        else:
            committee = await unit.committees.get(emergency.committee_id)
            scope = committee.name if committee else ""
        message = emergency_views.board(
            headcount(emergency, lines), scope, notice.lang, committee=notice.branch_id is None
        )
        return message, emergency.version + sum(line.changes for line in lines)
    call = await unit.emergencies.call(emergency.id, notice.member_id)
    if call is None or not emergency.open or (notice.attempt > 1 and call.answer is not None):
        return None
    post = await unit.emergencies.post_of(notice.member_id)
    return emergency_views.prompt(emergency, post, call.answer, notice.lang, notice.attempt), emergency.version


async def remember_sent(
    unit: Unit, now: datetime, notice: EmergencyNotice, chat: ChatRef, message_id: str, version: int
) -> None:
    """Remember a sent board or prompt so it follows its call (a board live, a prompt until the call ends)."""
    board = isinstance(notice, EmergencyBoard)
    await unit.emergencies.add_message(
        now,
        notice.emergency_id,
        "board" if board else "prompt",
        chat,
        message_id,
        branch_id=notice.branch_id if isinstance(notice, EmergencyBoard) else None,
        member_id=notice.member_id if isinstance(notice, EmergencyPrompt) else None,
        lang=notice.lang,
        version=version,
    )


def _notice_of(message: EmergencyMessage) -> EmergencyNotice:
    if message.kind == "board":
        return EmergencyBoard(message.emergency_id, message.branch_id, message.lang)
    assert message.member_id is not None
    return EmergencyPrompt(message.emergency_id, message.member_id, message.lang)


async def _follow_up(unit: Unit, message: EmergencyMessage) -> tuple[OutgoingMessage, int] | None:
    """A followed message as it must look now: a board with today's counts, a prompt after the end without buttons."""
    notice = _notice_of(message)
    if isinstance(notice, EmergencyBoard):
        return await render_emergency(unit, notice)
    emergency = await unit.emergencies.get(notice.emergency_id)
    call = await unit.emergencies.call(notice.emergency_id, notice.member_id)
    if emergency is None or call is None:
        return None
    post = await unit.emergencies.post_of(notice.member_id)
    return emergency_views.prompt(emergency, post, call.answer, notice.lang), emergency.version


class BoardSync(FollowSync[EmergencyMessage]):
    """Edits the boards and prompts of one platform's calls: each at most once per ``interval`` seconds, within the
    chat budgets shared with the outbox (a 2,000-answer burst is a handful of edits per group, never a 429 storm).
    The loop is :class:`FollowSync`'s; a prompt card many members got in one call is edited for them all at once."""

    what = "emergency message"

    def handle(self, message: EmergencyMessage) -> Hashable:
        """A board or prompt waiting for an edit handle is tried again once it shows another version."""
        return message.rendered_version

    def _page(self) -> int:
        return 2 * self.gateway.max_recipients if isinstance(self.gateway, Multicast) else 200

    async def stale(self) -> list[EmergencyMessage]:
        """The boards and prompts showing an older state than their call's, a page at a time."""
        async with self.store.read() as unit:
            return await unit.emergencies.stale_messages(self.gateway.platform, limit=self._page())

    async def sync_due(self) -> float | None:
        """Edit every stale board or prompt whose last edit is old enough; seconds until the next may be edited."""
        multicast = isinstance(self.gateway, Multicast)
        limit = self._page()
        stale = await self.stale()
        shared: dict[str, list[EmergencyMessage]] = {}
        if multicast:
            for message in stale:
                if message.kind == "prompt" and message.id not in self._waiting:
                    shared.setdefault(message.message_id, []).append(message)
            tail = stale[-1].message_id if stale else ""
            if len(stale) == limit and tail in shared and len(shared) > 1:
                del shared[tail]  # that card's other members may be past the limit: all of them in a later pass
            else:
                tail = ""
            stale = [m for m in stale if m.message_id != tail and len(shared.get(m.message_id, ())) < 2]
            shared = {key: group for key, group in shared.items() if len(group) > 1}
        if self._chat_paused_until.get(_SHARED, 0.0) > self._monotonic():
            shared = {}
        await asyncio.gather(*(self._edit_shared(group) for group in shared.values()))
        soonest = await self.sync(stale)
        if shared:
            soonest = self.interval if soonest is None else min(soonest, self.interval)
        return soonest

    async def draw(self, message: EmergencyMessage) -> tuple[OutgoingMessage, int] | None:
        """A board with today's counts, a prompt after the end without buttons."""
        async with self.store.read() as unit:
            return await _follow_up(unit, message)

    async def mark(self, message: EmergencyMessage, version: int) -> None:
        """Record the call's version the board or prompt shows."""
        async with self.store.unit() as unit:
            await unit.emergencies.mark_message(message.id, version, self.clock.now())

    async def drop(self, message: EmergencyMessage) -> None:
        """Forget a board or prompt that can no longer be edited (a WeCom appchat message)."""
        async with self.store.unit() as unit:
            await unit.emergencies.drop_message(message.id)

    async def _edit_shared(self, group: list[EmergencyMessage]) -> None:
        """The end of a call on a prompt card many members got in one call: one edit for them all (its send's
        response code works once), showing the call ended and no one's answer (each saw theirs when answering)."""
        gateway: Multicast = self.gateway  # type: ignore[assignment]
        first = group[0]
        async with self.store.read() as unit:
            emergency = await unit.emergencies.get(first.emergency_id)
            if emergency is None or first.member_id is None:
                return
            post = await unit.emergencies.post_of(first.member_id)
        content = emergency_views.prompt(emergency, post, None, first.lang)
        try:
            await gateway.edit_many(tuple(m.chat for m in group), first.message_id, content)
        except RetryLater as error:
            self._chat_paused_until[_SHARED] = self._monotonic() + error.retry_after
            return
        except EditUnavailable as error:
            log.info("a prompt shared by %s members waits for a fresh edit handle (%s)", len(group), error)
            for message in group:
                self._waiting[message.id] = message.rendered_version
            return
        except DeliveryError as error:
            log.info("a prompt shared by %s members can no longer be edited (%s); forgetting it", len(group), error)
            async with self.store.unit() as unit:
                for message in group:
                    await unit.emergencies.drop_message(message.id)
            return
        except Exception:
            log.exception("editing a prompt shared by %s members failed", len(group))
            return
        self.edits += 1
        now = self.clock.now()
        async with self.store.unit() as unit:
            for message in group:
                await unit.emergencies.mark_message(message.id, emergency.version, now)
