"""Committees, branches and teams: the storage Protocols of how the e-party-committee is organised."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from bot.domain.model import (
    Branch,
    ChatRef,
    Committee,
    Member,
    Team,
)


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

    async def create(self, now: datetime, committee_id: int, name: str, chat: ChatRef | None) -> int:
        """Insert a branch bound to a chat, or (set up offline) to none yet."""
        ...

    async def bind_chat(self, branch_id: int, chat: ChatRef) -> bool:
        """Bind a branch that has no chat yet to one; False if it already had one."""
        ...

    async def without_chat(self, name: str) -> list[Branch]:
        """The branches of this name (in any committee) that wait for their chat to be bound."""
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
