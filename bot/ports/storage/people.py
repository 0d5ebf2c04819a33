"""People and their accounts: the storage Protocol of the people aggregate."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Protocol

from bot.domain.model import (
    Account,
    Member,
)


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

    async def many(self, member_ids: Sequence[int]) -> list[Member]:
        """The members with these ids (one read for a page of a sweep), in no particular order."""
        ...

    async def private_chats(self, member_ids: Sequence[int], platform: str) -> dict[int, str]:
        """The user id on ``platform`` of each of these members whose account there still takes private messages."""
        ...
