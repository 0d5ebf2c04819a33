"""Volunteer teams (服务队) and their leaders."""

from __future__ import annotations

from datetime import datetime

from bot.domain.model import (
    Team,
)
from bot.ports import storage as ports
from storage import rows
from storage.repos.base import Repo
from storage.rows import ts


class SqlTeams(Repo, ports.Teams):
    __slots__ = ()

    async def create(self, now: datetime, branch_id: int, name: str, leader_id: int | None, skill: str = "") -> int:
        team_id = await self._insert(
            "INSERT INTO teams (branch_id, name, leader_member_id, skill, created_at) VALUES (?, ?, ?, ?, ?)",
            (branch_id, name, leader_id, skill, ts(now)),
        )
        if leader_id is not None:
            await self.add_member(team_id, leader_id)
        return team_id

    async def add_member(self, team_id: int, member_id: int) -> None:
        await self._run(
            "INSERT INTO team_members (team_id, member_id) VALUES (?, ?) ON CONFLICT DO NOTHING", (team_id, member_id)
        )

    async def set_leader(self, team_id: int, member_id: int | None) -> None:
        await self._run("UPDATE teams SET leader_member_id = ? WHERE id = ?", (member_id, team_id))
        if member_id is not None:
            await self.add_member(team_id, member_id)

    async def get(self, team_id: int) -> Team | None:
        row = await self._one("SELECT * FROM teams WHERE id = ?", (team_id,))
        return rows.team(row) if row else None

    async def by_name(self, branch_id: int, name: str) -> Team | None:
        row = await self._one("SELECT * FROM teams WHERE branch_id = ? AND name = ?", (branch_id, name))
        return rows.team(row) if row else None

    async def led_by(self, member_id: int) -> list[Team]:
        found = await self._all("SELECT * FROM teams WHERE leader_member_id = ? ORDER BY id", (member_id,))
        return [rows.team(r) for r in found]

    async def of_member(self, member_id: int) -> list[Team]:
        found = await self._all(
            "SELECT t.* FROM teams t JOIN team_members tm ON tm.team_id = t.id WHERE tm.member_id = ? ORDER BY t.id",
            (member_id,),
        )
        return [rows.team(r) for r in found]
