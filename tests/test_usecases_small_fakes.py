"""A use case needs only the few storage Protocols it touches: here the weekly digest decision runs on two fakes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import cast

from bot.domain.model import ChatRef, Committee
from bot.notices.outbox import Digest, decode
from bot.ports.clock import ManualClock
from bot.ports.storage import Store
from bot.usecases import UseCases
from tests.conftest import SHANGHAI, START


@dataclass
class Committees:
    """The committees Protocol's one read the digest decision makes."""

    known: list[Committee]

    async def all(self) -> list[Committee]:
        return list(self.known)


@dataclass
class Outbox:
    """The outbox Protocol's writer, keeping what was recorded by dedupe key."""

    recorded: dict[str, tuple[ChatRef | None, str]] = field(default_factory=dict)

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
        if dedupe_key in self.recorded:
            return False
        self.recorded[dedupe_key] = (chat, payload)
        return True


@dataclass
class TwoProtocolUnit:
    committees: Committees
    outbox: Outbox


@dataclass
class FakeStore:
    unit_of_work: TwoProtocolUnit

    @asynccontextmanager
    async def unit(self) -> AsyncIterator[TwoProtocolUnit]:
        yield self.unit_of_work

    @asynccontextmanager
    async def read(self) -> AsyncIterator[TwoProtocolUnit]:
        yield self.unit_of_work


async def test_the_weekly_digest_is_decided_once_per_committee_with_a_chat_on_two_small_fakes() -> None:
    chat = ChatRef("telegram", "-100")
    committees = Committees([Committee(1, "南湖区e党委", chat, START), Committee(2, "无群e党委", None, START)])
    unit = TwoProtocolUnit(committees, Outbox())
    app = UseCases(cast(Store, FakeStore(unit)), ManualClock(START), SHANGHAI)

    assert await app.record_digests(START) == 1
    assert await app.record_digests(START) == 0
    ((key, (to, payload)),) = unit.outbox.recorded.items()
    assert key == "digest:1:2026W48" and to == chat
    assert decode(payload).notice == Digest(1, START)
