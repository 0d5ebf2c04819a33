"""People and their platform accounts: who someone is, how to reach them, where they serve."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import datetime

from bot.domain.model import (
    Account,
    Member,
)
from bot.ports import storage as ports
from storage import rows
from storage.repos.base import Repo
from storage.rows import ts

_ROLE_TABLES = (
    ("branch_secretaries", "branch_id, created_at"),
    ("committee_admins", "committee_id, created_at"),
    ("team_members", "team_id"),
    ("activity_branches", "branch_id"),
    ("branch_grid_workers", "branch_id, created_at"),
)


class SqlPeople(Repo, ports.People):
    __slots__ = ()

    async def get(self, member_id: int) -> Member | None:
        row = await self._one("SELECT * FROM members WHERE id = ?", (member_id,))
        return rows.member(row) if row else None

    async def by_account(self, platform: str, user_id: str) -> Member | None:
        row = await self._one(
            "SELECT m.* FROM members m JOIN accounts a ON a.member_id = m.id WHERE a.platform = ? AND a.user_id = ?",
            (platform, user_id),
        )
        return rows.member(row) if row else None

    async def by_phone(self, phone: str) -> Member | None:
        row = await self._one("SELECT * FROM members WHERE phone = ? AND left_at IS NULL", (phone,))
        return rows.member(row) if row else None

    async def accounts_of(self, member_id: int) -> list[Account]:
        found = await self._all(
            "SELECT platform, user_id, display_name, language FROM accounts WHERE member_id = ?", (member_id,)
        )
        return [Account(r["platform"], r["user_id"], r["display_name"], r["language"]) for r in found]

    async def reachable(self, platform: str, user_id: str) -> bool:
        value = await self._scalar(
            "SELECT reachable FROM accounts WHERE platform = ? AND user_id = ?", (platform, user_id)
        )
        return bool(value) if value is not None else False

    async def set_reachable(self, platform: str, user_id: str, reachable: bool) -> None:
        await self._run(
            "UPDATE accounts SET reachable = ? WHERE platform = ? AND user_id = ?",
            (int(reachable), platform, user_id),
        )

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
        return await self._insert(
            "INSERT INTO members (name, phone, home_branch_id, workplace, workplace_branch, skills, commitment,"
            " language, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                name,
                phone,
                home_branch_id,
                workplace,
                workplace_branch,
                json.dumps(list(skills), ensure_ascii=False),
                commitment,
                language,
                ts(now),
            ),
        )

    async def link_account(self, now: datetime, account: Account, member_id: int) -> None:
        await self._run(
            "INSERT INTO accounts (platform, user_id, member_id, display_name, language, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (platform, user_id) DO UPDATE SET member_id = excluded.member_id,"
            " display_name = excluded.display_name, language = coalesce(excluded.language, accounts.language)",
            (account.platform, account.user_id, member_id, account.display_name, account.language, ts(now)),
        )

    async def save(self, member: Member) -> None:
        await self._run(
            "UPDATE members SET name = ?, phone = ?, home_branch_id = ?, workplace = ?, workplace_branch = ?,"
            " skills = ?, commitment = ?, reported_at = ?, left_at = ?, language = ?, nudges_paused_until = ?"
            " WHERE id = ?",
            (
                member.name,
                member.phone,
                member.home_branch_id,
                member.workplace,
                member.workplace_branch,
                json.dumps(list(member.skills), ensure_ascii=False),
                member.commitment,
                ts(member.reported_at),
                ts(member.left_at),
                member.language,
                ts(member.nudges_paused_until),
                member.id,
            ),
        )

    async def forget(self, now: datetime, member_id: int) -> None:
        await self._run(
            "UPDATE members SET name = '', phone = NULL, workplace = '', workplace_branch = '', skills = '[]',"
            " commitment = '', left_at = ?, nudges_paused_until = NULL WHERE id = ?",
            (ts(now), member_id),
        )
        await self._run("DELETE FROM accounts WHERE member_id = ?", (member_id,))
        await self._run("DELETE FROM branch_secretaries WHERE member_id = ?", (member_id,))
        await self._run("DELETE FROM committee_admins WHERE member_id = ?", (member_id,))
        await self._run("DELETE FROM team_members WHERE member_id = ?", (member_id,))
        await self._run("DELETE FROM activity_branches WHERE member_id = ?", (member_id,))
        await self._run("DELETE FROM waitlist WHERE member_id = ?", (member_id,))
        await self._run("DELETE FROM drafts WHERE user_id NOT IN (SELECT user_id FROM accounts)")
        await self._run("UPDATE services SET note = '' WHERE member_id = ?", (member_id,))
        await self._run("UPDATE claims SET note = '', photo_ref = NULL WHERE member_id = ?", (member_id,))
        await self._run("DELETE FROM member_emergency_posts WHERE member_id = ?", (member_id,))
        await self._run("DELETE FROM branch_grid_workers WHERE member_id = ?", (member_id,))
        await self._run("UPDATE emergency_calls SET note = '' WHERE member_id = ?", (member_id,))

    async def merge_into(self, from_id: int, into_id: int) -> None:
        for table, other in _ROLE_TABLES:
            await self._run(
                f"INSERT INTO {table} ({other}, member_id) SELECT {other}, ? FROM {table} WHERE member_id = ?"
                " ON CONFLICT DO NOTHING",
                (into_id, from_id),
            )
            await self._run(f"DELETE FROM {table} WHERE member_id = ?", (from_id,))
        await self._run(
            "INSERT INTO member_emergency_posts (member_id, post, grid, updated_at) SELECT ?, post, grid, updated_at"
            " FROM member_emergency_posts WHERE member_id = ? ON CONFLICT DO NOTHING",
            (into_id, from_id),
        )
        await self._run("DELETE FROM member_emergency_posts WHERE member_id = ?", (from_id,))
        await self._run("UPDATE teams SET leader_member_id = ? WHERE leader_member_id = ?", (into_id, from_id))
        await self._run("UPDATE accounts SET member_id = ? WHERE member_id = ?", (into_id, from_id))
        await self._run(
            "UPDATE members SET left_at = created_at, name = '' WHERE id = ? AND reported_at IS NULL",
            (from_id,),
        )

    async def of_branch(self, branch_id: int, *, reported_only: bool = False) -> list[Member]:
        extra = " AND reported_at IS NOT NULL" if reported_only else ""
        found = await self._all(
            f"SELECT * FROM members WHERE home_branch_id = ? AND left_at IS NULL{extra} ORDER BY id",
            (branch_id,),
        )
        return [rows.member(r) for r in found]

    async def serving_branch(self, branch_id: int) -> list[Member]:
        found = await self._all(
            "SELECT * FROM members WHERE home_branch_id = ? AND left_at IS NULL UNION"
            " SELECT m.* FROM members m JOIN activity_branches a ON a.member_id = m.id"
            " WHERE a.branch_id = ? AND m.left_at IS NULL ORDER BY id",
            (branch_id, branch_id),
        )
        return [rows.member(r) for r in found]

    async def add_activity_branch(self, member_id: int, branch_id: int) -> None:
        await self._run(
            "INSERT INTO activity_branches (member_id, branch_id) VALUES (?, ?) ON CONFLICT DO NOTHING",
            (member_id, branch_id),
        )

    async def belongs_to(self, branch_id: int, member_id: int) -> bool:
        return bool(
            await self._scalar(
                "SELECT 1 FROM members WHERE id = ? AND home_branch_id = ? UNION ALL "
                "SELECT 1 FROM activity_branches WHERE member_id = ? AND branch_id = ? UNION ALL "
                "SELECT 1 FROM branch_secretaries WHERE member_id = ? AND branch_id = ? LIMIT 1",
                (member_id, branch_id, member_id, branch_id, member_id, branch_id),
            )
        )

    async def many(self, member_ids: Sequence[int]) -> list[Member]:
        if not member_ids:
            return []
        marks = ", ".join("?" for _ in member_ids)
        found = await self._all(f"SELECT * FROM members WHERE id IN ({marks})", tuple(member_ids))
        return [rows.member(r) for r in found]

    async def private_chats(self, member_ids: Sequence[int], platform: str) -> dict[int, str]:
        if not member_ids:
            return {}
        marks = ", ".join("?" for _ in member_ids)
        found = await self._all(
            f"SELECT member_id, user_id FROM accounts WHERE platform = ? AND reachable = 1 AND member_id IN ({marks})"
            " ORDER BY user_id",
            (platform, *member_ids),
        )
        return {int(r["member_id"]): r["user_id"] for r in found}
