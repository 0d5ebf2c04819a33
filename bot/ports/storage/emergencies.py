"""Emergency mode's storage Protocol: members' emergency posts, the calls, answers, and the messages that follow."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from bot.domain.emergency import Answer, CallLine, Emergency, EmergencyCall, EmergencyPost, EmergencyStats
from bot.domain.model import ChatRef


@dataclass(frozen=True, slots=True)
class EmergencyMessage:
    """A sent message that follows a call: a group's board (live counts) or a member's prompt (buttons until end)."""

    id: int
    emergency_id: int
    kind: str
    branch_id: int | None
    member_id: int | None
    chat: ChatRef
    message_id: str
    lang: str
    rendered_version: int


class Emergencies(Protocol):
    """Calls to members in a crisis (战时应急), their answers and the boards and prompts that show them."""

    async def set_post(self, now: datetime, member_id: int, post: EmergencyPost) -> None:
        """Record a member's emergency post and grid (replacing what was there)."""
        ...

    async def post_of(self, member_id: int) -> EmergencyPost:
        """A member's emergency post and grid (empty when never stated)."""
        ...

    async def start(
        self, now: datetime, committee_id: int, branch_id: int | None, text: str, drill: bool, started_by: int
    ) -> int:
        """Open a call to a committee (``branch_id`` None) or one branch; its id."""
        ...

    async def get(self, emergency_id: int) -> Emergency | None:
        """One call, its row locked for the unit when it will change it."""
        ...

    async def open_covering(self, committee_id: int | None, branch_id: int | None) -> list[Emergency]:
        """Open calls that cover a branch (its own or its committee's); ``branch_id`` None: all of the committee's;
        ``committee_id`` None: every open call."""
        ...

    async def latest_covering(self, committee_id: int, branch_id: int | None) -> Emergency | None:
        """The newest call covering a branch (or the committee's newest), open or ended."""
        ...

    async def mark_task(self, wish_id: int, emergency_id: int, post: str, shift: str) -> None:
        """Make a wish a task of a call (战时): its emergency post and shift; its cards redraw."""
        ...

    async def end(self, now: datetime, emergency_id: int, ended_by: int) -> bool:
        """Close a call (its version bumped so boards and prompts redraw); False if it was closed already."""
        ...

    async def call_members(self, now: datetime, emergency_id: int, branch_ids: Sequence[int], limit: int) -> list[int]:
        """Add up to ``limit`` reported members of the branches not yet called; the ids of those added."""
        ...

    async def answer(
        self, now: datetime, emergency_id: int, member_id: int, answer: Answer, note: str
    ) -> EmergencyCall | None:
        """Record a called member's answer while the call is open (a later one replaces it), touching only their
        row; the row as it is now, or None when they were not called or the call ended."""
        ...

    async def call(self, emergency_id: int, member_id: int) -> EmergencyCall | None:
        """One member's call row."""
        ...

    async def take_unanswered(
        self, emergency_id: int, *, prompts: int, called_before: datetime, limit: int
    ) -> list[EmergencyCall]:
        """Members who have not answered, prompted ``prompts`` times, called before a moment: up to ``limit`` of
        them, each counted as prompted once more (their rows as they were)."""
        ...

    async def to_list(self, emergency_id: int, called_before: datetime) -> list[EmergencyCall]:
        """Members still unanswered, called before a moment, not yet listed to their secretary."""
        ...

    async def listed(self, now: datetime, emergency_id: int, member_ids: Sequence[int]) -> None:
        """Record that these non-responders were listed to their secretary."""
        ...

    async def lines(self, emergency_id: int, branch_id: int | None = None) -> list[CallLine]:
        """Everyone called (of one branch, or all), with name, post, grid and answer, by member id."""
        ...

    async def add_message(
        self,
        now: datetime,
        emergency_id: int,
        kind: str,
        chat: ChatRef,
        message_id: str,
        *,
        branch_id: int | None,
        member_id: int | None,
        lang: str,
        version: int,
    ) -> None:
        """Remember a sent board or prompt, showing ``version`` of its call."""
        ...

    async def stale_messages(self, platform: str, limit: int = 200) -> list[EmergencyMessage]:
        """Boards showing an older version of their call, and prompts of calls ended since they were sent."""
        ...

    async def mark_message(self, message_id: int, version: int, now: datetime) -> None:
        """Record that a board or prompt shows ``version`` of its call (never backwards)."""
        ...

    async def drop_message(self, message_id: int) -> None:
        """Forget a message that can no longer be edited."""
        ...

    async def stats(self, emergency_id: int) -> EmergencyStats:
        """Members sent a private prompt of the call, and its tasks: posted, claimed, done, hours served."""
        ...
