"""The SQLite unit of work: every query the use cases need, run inside one transaction."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from bot.domain import errors
from bot.domain.model import (
    ACTIVE_CLAIM_STATUSES,
    Account,
    AtRiskMember,
    Branch,
    ChatRef,
    Claim,
    Claimer,
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
from bot.ports.storage import CardRow, OutboxRow
from storage import rows
from storage.rows import ts
from storage.sqlite import Database, InPlace

_ACTIVE = tuple(str(s) for s in ACTIVE_CLAIM_STATUSES)
_ACTIVE_SQL = "('claimed', 'done', 'confirmed')"


@dataclass
class SqliteUnit:
    """One transaction's view of the database; created by :class:`SqliteStore`."""

    conn: InPlace

    async def _one(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Row | None:
        found = await self.conn.execute_fetchall(sql, params)
        return found[0] if found else None

    async def _all(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        return await self.conn.execute_fetchall(sql, params)

    async def _insert(self, sql: str, params: Sequence[Any]) -> int:
        row = await self.conn.execute_insert(sql, params)
        return int(row[0]) if row else 0

    async def _changed(self, sql: str, params: Sequence[Any] = ()) -> bool:
        """Run a statement ending in RETURNING; whether it touched a row (one round trip to the DB thread)."""
        return bool(await self.conn.execute_fetchall(sql, params))

    async def _scalar(self, sql: str, params: Sequence[Any] = ()) -> Any:
        row = await self._one(sql, params)
        return row[0] if row is not None else None

    # -- audit -------------------------------------------------------------------------------------------

    async def audit(
        self,
        now: datetime,
        actor_id: int | None,
        action: str,
        entity: str,
        entity_id: int | None,
        **detail: Any,
    ) -> None:
        """Record who changed what."""
        await self.conn.execute_fetchall(
            "INSERT INTO audit_log (at, actor_id, action, entity, entity_id, detail) VALUES (?, ?, ?, ?, ?, ?)",
            (
                ts(now),
                actor_id,
                action,
                entity,
                entity_id,
                json.dumps(detail, ensure_ascii=False, default=str),
            ),
        )

    async def audit_of_member(self, member_id: int) -> list[dict[str, Any]]:
        """Audit entries made by or about a member, for their data export."""
        found = await self._all(
            "SELECT at, action, entity, entity_id, detail FROM audit_log WHERE actor_id = ?"
            " OR (entity = 'member' AND entity_id = ?) ORDER BY id",
            (member_id, member_id),
        )
        return [dict(r) for r in found]

    # -- people --------------------------------------------------------------------------------------------

    async def get_member(self, member_id: int) -> Member | None:
        """A member by id."""
        row = await self._one("SELECT * FROM members WHERE id = ?", (member_id,))
        return rows.member(row) if row else None

    async def member_by_account(self, platform: str, user_id: str) -> Member | None:
        """The member linked to a platform account."""
        row = await self._one(
            "SELECT m.* FROM members m JOIN accounts a ON a.member_id = m.id WHERE a.platform = ? AND a.user_id = ?",
            (platform, user_id),
        )
        return rows.member(row) if row else None

    async def member_by_phone(self, phone: str) -> Member | None:
        """A member pre-imported from a roster, by phone."""
        row = await self._one("SELECT * FROM members WHERE phone = ? AND left_at IS NULL", (phone,))
        return rows.member(row) if row else None

    async def accounts_of(self, member_id: int) -> list[Account]:
        """The platform accounts linked to a member."""
        found = await self._all(
            "SELECT platform, user_id, display_name, language FROM accounts WHERE member_id = ?", (member_id,)
        )
        return [Account(r["platform"], r["user_id"], r["display_name"], r["language"]) for r in found]

    async def account_reachable(self, platform: str, user_id: str) -> bool:
        """Whether private messages to this account have not failed permanently."""
        value = await self._scalar(
            "SELECT reachable FROM accounts WHERE platform = ? AND user_id = ?", (platform, user_id)
        )
        return bool(value) if value is not None else False

    async def set_account_reachable(self, platform: str, user_id: str, reachable: bool) -> None:
        """Remember that private messages to an account fail (blocked) or work again."""
        await self.conn.execute_fetchall(
            "UPDATE accounts SET reachable = ? WHERE platform = ? AND user_id = ?",
            (int(reachable), platform, user_id),
        )

    async def create_member(
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
        """Attach a platform account to a member (moving it if it pointed elsewhere)."""
        await self.conn.execute_fetchall(
            "INSERT INTO accounts (platform, user_id, member_id, display_name, language, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (platform, user_id) DO UPDATE SET member_id = excluded.member_id,"
            " display_name = excluded.display_name, language = coalesce(excluded.language, accounts.language)",
            (account.platform, account.user_id, member_id, account.display_name, account.language, ts(now)),
        )

    async def update_member(self, member_id: int, **fields: Any) -> None:
        """Change some of a member's columns (skills given as a sequence)."""
        allowed = {
            "name",
            "phone",
            "home_branch_id",
            "workplace",
            "workplace_branch",
            "skills",
            "commitment",
            "reported_at",
            "left_at",
            "language",
            "nudges_paused_until",
        }
        unknown = set(fields) - allowed
        if unknown:
            raise ValueError(f"unknown member fields {unknown}")
        values = []
        for key, value in fields.items():
            if key == "skills":
                value = json.dumps(list(value), ensure_ascii=False)
            elif isinstance(value, datetime):
                value = ts(value)
            values.append(value)
        assignments = ", ".join(f"{key} = ?" for key in fields)
        await self.conn.execute_fetchall(f"UPDATE members SET {assignments} WHERE id = ?", (*values, member_id))

    async def forget_member(self, now: datetime, member_id: int) -> None:
        """Remove a member's personal data, keeping their anonymous service in the totals."""
        await self.conn.execute_fetchall(
            "UPDATE members SET name = '', phone = NULL, workplace = '', workplace_branch = '', skills = '[]',"
            " commitment = '', left_at = ?, nudges_paused_until = NULL WHERE id = ?",
            (ts(now), member_id),
        )
        await self.conn.execute_fetchall("DELETE FROM accounts WHERE member_id = ?", (member_id,))
        await self.conn.execute_fetchall("DELETE FROM branch_secretaries WHERE member_id = ?", (member_id,))
        await self.conn.execute_fetchall("DELETE FROM committee_admins WHERE member_id = ?", (member_id,))
        await self.conn.execute_fetchall("DELETE FROM team_members WHERE member_id = ?", (member_id,))
        await self.conn.execute_fetchall("DELETE FROM activity_branches WHERE member_id = ?", (member_id,))
        await self.conn.execute_fetchall("DELETE FROM waitlist WHERE member_id = ?", (member_id,))
        await self.conn.execute_fetchall("DELETE FROM drafts WHERE user_id NOT IN (SELECT user_id FROM accounts)")
        await self.conn.execute_fetchall("UPDATE services SET note = '' WHERE member_id = ?", (member_id,))
        await self.conn.execute_fetchall(
            "UPDATE claims SET note = '', photo_ref = NULL WHERE member_id = ?", (member_id,)
        )

    async def merge_roles(self, from_id: int, into_id: int) -> None:
        """Move roles and team places from a placeholder person to the roster entry they turned out to be."""
        for table in ("branch_secretaries", "committee_admins", "team_members", "activity_branches"):
            await self.conn.execute_fetchall(
                f"UPDATE OR IGNORE {table} SET member_id = ? WHERE member_id = ?", (into_id, from_id)
            )
            await self.conn.execute_fetchall(f"DELETE FROM {table} WHERE member_id = ?", (from_id,))
        await self.conn.execute_fetchall(
            "UPDATE teams SET leader_member_id = ? WHERE leader_member_id = ?", (into_id, from_id)
        )
        await self.conn.execute_fetchall("UPDATE accounts SET member_id = ? WHERE member_id = ?", (into_id, from_id))
        await self.conn.execute_fetchall(
            "UPDATE members SET left_at = created_at, name = '' WHERE id = ? AND reported_at IS NULL",
            (from_id,),
        )

    # -- committees and branches ---------------------------------------------------------------------------

    async def create_committee(self, now: datetime, name: str, chat: ChatRef | None) -> int:
        """Insert a committee."""
        return await self._insert(
            "INSERT INTO committees (name, chat_platform, chat_id, thread_id, created_at) VALUES (?, ?, ?, ?, ?)",
            (name, chat.platform if chat else None, chat.chat_id if chat else None, _thread(chat), ts(now)),
        )

    async def set_committee_chat(self, committee_id: int, chat: ChatRef | None) -> None:
        """Point a committee's digests at a chat."""
        await self.conn.execute_fetchall(
            "UPDATE committees SET chat_platform = ?, chat_id = ?, thread_id = ? WHERE id = ?",
            (chat.platform if chat else None, chat.chat_id if chat else None, _thread(chat), committee_id),
        )

    async def get_committee(self, committee_id: int) -> Committee | None:
        """A committee by id."""
        row = await self._one("SELECT * FROM committees WHERE id = ?", (committee_id,))
        return rows.committee(row) if row else None

    async def committee_by_name(self, name: str) -> Committee | None:
        """A committee by its unique name."""
        row = await self._one("SELECT * FROM committees WHERE name = ?", (name,))
        return rows.committee(row) if row else None

    async def committee_by_chat(self, platform: str, chat_id: str) -> Committee | None:
        """The committee whose chat this is."""
        row = await self._one("SELECT * FROM committees WHERE chat_platform = ? AND chat_id = ?", (platform, chat_id))
        return rows.committee(row) if row else None

    async def list_committees(self) -> list[Committee]:
        """All committees, oldest first."""
        return [rows.committee(r) for r in await self._all("SELECT * FROM committees ORDER BY id")]

    async def add_committee_admin(self, now: datetime, committee_id: int, member_id: int) -> None:
        """Make a person a committee admin."""
        await self.conn.execute_fetchall(
            "INSERT OR IGNORE INTO committee_admins (committee_id, member_id, created_at) VALUES (?, ?, ?)",
            (committee_id, member_id, ts(now)),
        )

    async def is_committee_admin(self, committee_id: int, member_id: int) -> bool:
        """Whether the person administers the committee."""
        return bool(
            await self._scalar(
                "SELECT 1 FROM committee_admins WHERE committee_id = ? AND member_id = ?",
                (committee_id, member_id),
            )
        )

    async def committees_administered(self, member_id: int) -> list[Committee]:
        """Committees a person administers."""
        found = await self._all(
            "SELECT c.* FROM committees c JOIN committee_admins a ON a.committee_id = c.id WHERE a.member_id = ?"
            " ORDER BY c.id",
            (member_id,),
        )
        return [rows.committee(r) for r in found]

    async def create_branch(self, now: datetime, committee_id: int, name: str, chat: ChatRef) -> int:
        """Insert a branch bound to a chat."""
        return await self._insert(
            "INSERT INTO branches (committee_id, name, chat_platform, chat_id, thread_id, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (committee_id, name, chat.platform, chat.chat_id, chat.thread_id, ts(now)),
        )

    async def get_branch(self, branch_id: int) -> Branch | None:
        """A branch by id."""
        row = await self._one("SELECT * FROM branches WHERE id = ?", (branch_id,))
        return rows.branch(row) if row else None

    async def branch_by_chat(self, platform: str, chat_id: str) -> Branch | None:
        """The branch bound to a chat."""
        row = await self._one("SELECT * FROM branches WHERE chat_platform = ? AND chat_id = ?", (platform, chat_id))
        return rows.branch(row) if row else None

    async def branch_by_name(self, name: str, committee_id: int | None = None) -> Branch | None:
        """A branch by name (within a committee when given)."""
        if committee_id is None:
            row = await self._one("SELECT * FROM branches WHERE name = ? ORDER BY id LIMIT 1", (name,))
        else:
            row = await self._one("SELECT * FROM branches WHERE name = ? AND committee_id = ?", (name, committee_id))
        return rows.branch(row) if row else None

    async def branches_of_committee(self, committee_id: int) -> list[Branch]:
        """A committee's branches in creation order."""
        found = await self._all("SELECT * FROM branches WHERE committee_id = ? ORDER BY id", (committee_id,))
        return [rows.branch(r) for r in found]

    async def set_branch_active(self, branch_id: int, active: bool) -> None:
        """Mark a branch active or inactive (bot removed from its chat); data is kept."""
        await self.conn.execute_fetchall("UPDATE branches SET active = ? WHERE id = ?", (int(active), branch_id))

    async def set_branch_options(self, branch_id: int, *, done_counts_as_served: bool) -> None:
        """Change a branch's options."""
        await self.conn.execute_fetchall(
            "UPDATE branches SET done_counts_as_served = ? WHERE id = ?",
            (int(done_counts_as_served), branch_id),
        )

    async def move_chat(self, platform: str, old_chat_id: str, new_chat_id: str) -> None:
        """Follow a chat that changed id (Telegram group upgraded to a supergroup)."""
        for table in ("branches", "committees"):
            await self.conn.execute_fetchall(
                f"UPDATE {table} SET chat_id = ? WHERE chat_platform = ? AND chat_id = ?",
                (new_chat_id, platform, old_chat_id),
            )
        await self.conn.execute_fetchall(
            "UPDATE cards SET chat_id = ? WHERE platform = ? AND chat_id = ?",
            (new_chat_id, platform, old_chat_id),
        )
        await self.conn.execute_fetchall(
            "UPDATE outbox SET chat_id = ? WHERE platform = ? AND chat_id = ? AND status = 'pending'",
            (new_chat_id, platform, old_chat_id),
        )

    async def add_secretary(self, now: datetime, branch_id: int, member_id: int) -> bool:
        """Make a person a secretary of a branch; False if they already were."""
        return await self._changed(
            "INSERT OR IGNORE INTO branch_secretaries (branch_id, member_id, created_at) VALUES (?, ?, ?) RETURNING 1",
            (branch_id, member_id, ts(now)),
        )

    async def is_secretary(self, branch_id: int, member_id: int) -> bool:
        """Whether the person is a secretary of the branch."""
        return bool(
            await self._scalar(
                "SELECT 1 FROM branch_secretaries WHERE branch_id = ? AND member_id = ?",
                (branch_id, member_id),
            )
        )

    async def secretaries_of(self, branch_id: int) -> list[Member]:
        """A branch's secretaries."""
        found = await self._all(
            "SELECT m.* FROM members m JOIN branch_secretaries s ON s.member_id = m.id WHERE s.branch_id = ?"
            " ORDER BY s.created_at",
            (branch_id,),
        )
        return [rows.member(r) for r in found]

    async def branches_as_secretary(self, member_id: int) -> list[Branch]:
        """Branches where the person is a secretary."""
        found = await self._all(
            "SELECT b.* FROM branches b JOIN branch_secretaries s ON s.branch_id = b.id WHERE s.member_id = ?"
            " ORDER BY b.id",
            (member_id,),
        )
        return [rows.branch(r) for r in found]

    async def add_activity_branch(self, member_id: int, branch_id: int) -> None:
        """Let a member serve in a branch other than their home branch (活动关系)."""
        await self.conn.execute_fetchall(
            "INSERT OR IGNORE INTO activity_branches (member_id, branch_id) VALUES (?, ?)",
            (member_id, branch_id),
        )

    async def is_branch_member(self, branch_id: int, member_id: int) -> bool:
        """Whether the member belongs to the branch (home, activity, or as its secretary)."""
        return bool(
            await self._scalar(
                "SELECT 1 FROM members WHERE id = ? AND home_branch_id = ? UNION ALL "
                "SELECT 1 FROM activity_branches WHERE member_id = ? AND branch_id = ? UNION ALL "
                "SELECT 1 FROM branch_secretaries WHERE member_id = ? AND branch_id = ? LIMIT 1",
                (member_id, branch_id, member_id, branch_id, member_id, branch_id),
            )
        )

    async def members_of_branch(self, branch_id: int, *, reported_only: bool = False) -> list[Member]:
        """Members whose home branch this is."""
        extra = " AND reported_at IS NOT NULL" if reported_only else ""
        found = await self._all(
            f"SELECT * FROM members WHERE home_branch_id = ? AND left_at IS NULL{extra} ORDER BY id",
            (branch_id,),
        )
        return [rows.member(r) for r in found]

    async def members_serving_branch(self, branch_id: int) -> list[Member]:
        """Members who serve in the branch: its own (home branch) and those with an activity relation (活动关系)."""
        found = await self._all(
            "SELECT * FROM members WHERE home_branch_id = ? AND left_at IS NULL UNION"
            " SELECT m.* FROM members m JOIN activity_branches a ON a.member_id = m.id"
            " WHERE a.branch_id = ? AND m.left_at IS NULL ORDER BY id",
            (branch_id, branch_id),
        )
        return [rows.member(r) for r in found]

    # -- teams ---------------------------------------------------------------------------------------------

    async def create_team(
        self, now: datetime, branch_id: int, name: str, leader_id: int | None, skill: str = ""
    ) -> int:
        """Insert a volunteer team (服务队)."""
        team_id = await self._insert(
            "INSERT INTO teams (branch_id, name, leader_member_id, skill, created_at) VALUES (?, ?, ?, ?, ?)",
            (branch_id, name, leader_id, skill, ts(now)),
        )
        if leader_id is not None:
            await self.add_team_member(team_id, leader_id)
        return team_id

    async def add_team_member(self, team_id: int, member_id: int) -> None:
        """Add a member to a team."""
        await self.conn.execute_fetchall(
            "INSERT OR IGNORE INTO team_members (team_id, member_id) VALUES (?, ?)", (team_id, member_id)
        )

    async def set_team_leader(self, team_id: int, member_id: int | None) -> None:
        """Make a member the team's leader (队长), adding them to the team; None leaves it without one."""
        await self.conn.execute_fetchall("UPDATE teams SET leader_member_id = ? WHERE id = ?", (member_id, team_id))
        if member_id is not None:
            await self.add_team_member(team_id, member_id)

    async def get_team(self, team_id: int) -> Team | None:
        """A team by id."""
        row = await self._one("SELECT * FROM teams WHERE id = ?", (team_id,))
        return rows.team(row) if row else None

    async def team_by_name(self, branch_id: int, name: str) -> Team | None:
        """A branch's team by name."""
        row = await self._one("SELECT * FROM teams WHERE branch_id = ? AND name = ?", (branch_id, name))
        return rows.team(row) if row else None

    async def teams_led_by(self, member_id: int) -> list[Team]:
        """Teams whose leader (队长) the member is."""
        found = await self._all("SELECT * FROM teams WHERE leader_member_id = ? ORDER BY id", (member_id,))
        return [rows.team(r) for r in found]

    async def teams_of_member(self, member_id: int) -> list[Team]:
        """Teams the member serves in."""
        found = await self._all(
            "SELECT t.* FROM teams t JOIN team_members tm ON tm.team_id = t.id WHERE tm.member_id = ? ORDER BY t.id",
            (member_id,),
        )
        return [rows.team(r) for r in found]

    # -- wishes --------------------------------------------------------------------------------------------

    async def insert_wish(
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
        return await self._insert(
            "INSERT INTO wishes (branch_id, title, description, category, slots, team_claim, deadline, urgency,"
            " created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                branch_id,
                title,
                description,
                category,
                slots,
                int(team_claim),
                deadline.isoformat() if deadline else None,
                str(urgency),
                created_by,
                ts(now),
            ),
        )

    async def get_wish(self, wish_id: int) -> Wish | None:
        """A wish by id."""
        row = await self._one("SELECT * FROM wishes WHERE id = ?", (wish_id,))
        return rows.wish(row) if row else None

    async def touch_wish(self, wish_id: int) -> None:
        """Bump a wish's version so every card showing it is brought up to date."""
        await self.conn.execute_fetchall("UPDATE wishes SET version = version + 1 WHERE id = ?", (wish_id,))

    async def set_wish_status(self, wish_id: int, status: WishStatus, now: datetime | None) -> None:
        """Open, close or cancel a wish."""
        closed = ts(now) if status != WishStatus.OPEN else None
        await self.conn.execute_fetchall(
            "UPDATE wishes SET status = ?, closed_at = ?, version = version + 1 WHERE id = ?",
            (str(status), closed, wish_id),
        )

    async def wish_view(self, wish_id: int) -> WishView | None:
        """A wish with its branch name, active claimers and waitlist, read consistently."""
        head = await self._one(
            "SELECT w.*, b.name AS branch_name FROM wishes w LEFT JOIN branches b ON b.id = w.branch_id WHERE w.id = ?",
            (wish_id,),
        )
        if head is None:
            return None
        people = await self._all(
            "SELECT 0 AS waiting, c.id AS seq, c.member_id, m.name, c.status, t.name AS team_name FROM claims c"
            " JOIN members m ON m.id = c.member_id LEFT JOIN teams t ON t.id = c.team_id"
            f" WHERE c.wish_id = ? AND c.status IN {_ACTIVE_SQL}"
            " UNION ALL SELECT 1, w.id, w.member_id, m.name, 'claimed', t.name FROM waitlist w"
            " JOIN members m ON m.id = w.member_id LEFT JOIN teams t ON t.id = w.team_id WHERE w.wish_id = ?"
            " ORDER BY 1, 2",
            (wish_id, wish_id),
        )
        claimers = [r for r in people if not r["waiting"]]
        waiting = [r for r in people if r["waiting"]]
        return WishView(
            wish=rows.wish(head),
            branch_name=head["branch_name"] or "",
            claimers=tuple(
                Claimer(r["member_id"], r["name"], ClaimStatus(r["status"]), r["team_name"]) for r in claimers
            ),
            waitlist=tuple(Claimer(r["member_id"], r["name"], ClaimStatus.CLAIMED, r["team_name"]) for r in waiting),
        )

    async def open_wishes(self, branch_id: int, limit: int = 50) -> list[WishView]:
        """A branch's open wishes, emergencies first, then by deadline."""
        ids = await self._all(
            "SELECT id FROM wishes WHERE branch_id = ? AND status = 'open'"
            " ORDER BY urgency = 'emergency' DESC, deadline IS NULL, deadline, id LIMIT ?",
            (branch_id, limit),
        )
        views = [await self.wish_view(r["id"]) for r in ids]
        return [v for v in views if v is not None]

    async def wishes_with_free_slots(self, branch_id: int, limit: int = 20) -> list[tuple[Wish, int]]:
        """Open wishes of a branch that still have free slots, with how many are taken (least taken first)."""
        found = await self._all(
            "SELECT w.*, (SELECT count(*) FROM claims c WHERE c.wish_id = w.id AND c.status IN "
            f"{_ACTIVE_SQL}) AS taken FROM wishes w WHERE w.branch_id = ? AND w.status = 'open'"
            " AND taken < w.slots ORDER BY taken, w.deadline IS NULL, w.deadline, w.id LIMIT ?",
            (branch_id, limit),
        )
        return [(rows.wish(r), int(r["taken"])) for r in found]

    # -- claims and waitlist -------------------------------------------------------------------------------

    async def active_claim(self, wish_id: int, member_id: int) -> Claim | None:
        """The member's active claim on a wish, if any."""
        row = await self._one(
            f"SELECT * FROM claims WHERE wish_id = ? AND member_id = ? AND status IN {_ACTIVE_SQL}",
            (wish_id, member_id),
        )
        return rows.claim(row) if row else None

    async def count_active_claims(self, wish_id: int) -> int:
        """How many slots of a wish are held."""
        return int(
            await self._scalar(f"SELECT count(*) FROM claims WHERE wish_id = ? AND status IN {_ACTIVE_SQL}", (wish_id,))
        )

    async def insert_claim(self, now: datetime, wish_id: int, member_id: int, team_id: int | None) -> int:
        """Insert an active claim; the database refuses an over-fill or a second active claim."""
        return (await self.add_claim(now, wish_id, member_id, team_id)).id

    async def add_claim(self, now: datetime, wish_id: int, member_id: int, team_id: int | None) -> Claim:
        """Insert an active claim and return it as stored (one statement); refused like :meth:`insert_claim`."""
        try:
            found = await self._all(
                "INSERT INTO claims (wish_id, member_id, team_id, status, claimed_at) VALUES (?, ?, ?, 'claimed', ?)"
                " RETURNING *",
                (wish_id, member_id, team_id, ts(now)),
            )
            return rows.claim(found[0])
        except sqlite3.IntegrityError as error:
            if "wish_full" in str(error):
                raise errors.WishFull(wish_id=wish_id) from error
            if "UNIQUE" in str(error):
                raise errors.AlreadyClaimed(wish_id=wish_id) from error
            raise

    async def get_claim(self, claim_id: int) -> Claim | None:
        """A claim by id."""
        row = await self._one("SELECT * FROM claims WHERE id = ?", (claim_id,))
        return rows.claim(row) if row else None

    async def update_claim(self, claim_id: int, **fields: Any) -> None:
        """Change some of a claim's columns."""
        allowed = {
            "status",
            "done_at",
            "hours",
            "note",
            "photo_ref",
            "rating",
            "confirmed_by",
            "confirmed_at",
            "return_reason",
            "ended_at",
        }
        unknown = set(fields) - allowed
        if unknown:
            raise ValueError(f"unknown claim fields {unknown}")
        values = [
            ts(v) if isinstance(v, datetime) else (str(v) if isinstance(v, ClaimStatus) else v) for v in fields.values()
        ]
        assignments = ", ".join(f"{key} = ?" for key in fields)
        await self.conn.execute_fetchall(f"UPDATE claims SET {assignments} WHERE id = ?", (*values, claim_id))

    async def claims_of_member(
        self, member_id: int, statuses: Sequence[ClaimStatus] = ACTIVE_CLAIM_STATUSES
    ) -> list[tuple[Claim, Wish]]:
        """A member's claims in the given states, with their wishes, newest first."""
        marks = ", ".join("?" for _ in statuses)
        found = await self._all(
            f"SELECT c.*, w.id AS w_id FROM claims c JOIN wishes w ON w.id = c.wish_id WHERE c.member_id = ?"
            f" AND c.status IN ({marks}) ORDER BY c.id DESC",
            (member_id, *[str(s) for s in statuses]),
        )
        result = []
        for r in found:
            wish = await self.get_wish(r["w_id"])
            if wish is not None:
                result.append((rows.claim(r), wish))
        return result

    async def claims_of_wish(
        self, wish_id: int, statuses: Sequence[ClaimStatus] = ACTIVE_CLAIM_STATUSES
    ) -> list[Claim]:
        """A wish's claims in the given states."""
        marks = ", ".join("?" for _ in statuses)
        found = await self._all(
            f"SELECT * FROM claims WHERE wish_id = ? AND status IN ({marks}) ORDER BY id",
            (wish_id, *[str(s) for s in statuses]),
        )
        return [rows.claim(r) for r in found]

    async def add_to_waitlist(self, now: datetime, wish_id: int, member_id: int, team_id: int | None) -> int:
        """Put a member on a wish's waitlist (候补); returns their position (1-based)."""
        try:
            await self.conn.execute_fetchall(
                "INSERT INTO waitlist (wish_id, member_id, team_id, created_at) VALUES (?, ?, ?, ?)",
                (wish_id, member_id, team_id, ts(now)),
            )
        except sqlite3.IntegrityError as error:
            raise errors.AlreadyWaitlisted(wish_id=wish_id) from error
        return await self.waitlist_position(wish_id, member_id) or 0

    async def waitlist_position(self, wish_id: int, member_id: int) -> int | None:
        """A member's 1-based place on the waitlist, None if not on it."""
        own = await self._scalar("SELECT id FROM waitlist WHERE wish_id = ? AND member_id = ?", (wish_id, member_id))
        if own is None:
            return None
        return int(await self._scalar("SELECT count(*) FROM waitlist WHERE wish_id = ? AND id <= ?", (wish_id, own)))

    async def remove_from_waitlist(self, wish_id: int, member_id: int) -> bool:
        """Take a member off a waitlist; False if they were not on it."""
        return await self._changed(
            "DELETE FROM waitlist WHERE wish_id = ? AND member_id = ? RETURNING 1", (wish_id, member_id)
        )

    async def pop_waitlist(self, wish_id: int) -> tuple[int, int | None] | None:
        """Remove and return the first (member_id, team_id) waiting for a wish."""
        row = await self._one(
            "SELECT id, member_id, team_id FROM waitlist WHERE wish_id = ? ORDER BY id LIMIT 1", (wish_id,)
        )
        if row is None:
            return None
        await self.conn.execute_fetchall("DELETE FROM waitlist WHERE id = ?", (row["id"],))
        return int(row["member_id"]), row["team_id"]

    async def clear_waitlist(self, wish_id: int) -> list[int]:
        """Empty a wish's waitlist; return who was on it."""
        found = await self._all("SELECT member_id FROM waitlist WHERE wish_id = ?", (wish_id,))
        await self.conn.execute_fetchall("DELETE FROM waitlist WHERE wish_id = ?", (wish_id,))
        return [int(r["member_id"]) for r in found]

    # -- service records -------------------------------------------------------------------------------------

    async def insert_service(
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
        return await self._insert(
            "INSERT INTO services (member_id, branch_id, served_on, hours, note, wish_id, claim_id, confirmed,"
            " rating, recorded_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                member_id,
                branch_id,
                served_on.isoformat(),
                hours,
                note,
                wish_id,
                claim_id,
                int(confirmed),
                rating,
                recorded_by,
                ts(now),
            ),
        )

    async def service_of_claim(self, claim_id: int) -> ServiceRecord | None:
        """The service record made from a claim."""
        row = await self._one("SELECT * FROM services WHERE claim_id = ?", (claim_id,))
        return rows.service(row) if row else None

    async def confirm_service_of_claim(self, claim_id: int, rating: int | None) -> None:
        """Mark a claim's service record confirmed."""
        await self.conn.execute_fetchall(
            "UPDATE services SET confirmed = 1, rating = ? WHERE claim_id = ?", (rating, claim_id)
        )

    async def delete_service_of_claim(self, claim_id: int) -> None:
        """Drop a claim's unconfirmed service record (the secretary returned it)."""
        await self.conn.execute_fetchall("DELETE FROM services WHERE claim_id = ? AND confirmed = 0", (claim_id,))

    async def services_of_member(
        self, member_id: int, start: date | None = None, end: date | None = None
    ) -> list[ServiceRecord]:
        """A member's service records, optionally within [start, end)."""
        sql = "SELECT * FROM services WHERE member_id = ?"
        params: list[Any] = [member_id]
        if start is not None:
            sql += " AND served_on >= ?"
            params.append(start.isoformat())
        if end is not None:
            sql += " AND served_on < ?"
            params.append(end.isoformat())
        return [rows.service(r) for r in await self._all(sql + " ORDER BY served_on, id", params)]

    async def at_risk(self, branch_id: int, start: date, end: date, done_counts: bool) -> list[AtRiskMember]:
        """Reported members of a branch with no counted service in [start, end)."""
        counted = "1" if done_counts else "s.confirmed = 1"
        found = await self._all(
            "SELECT m.*, (SELECT max(served_on) FROM services s2 WHERE s2.member_id = m.id) AS last_served,"
            " (SELECT count(*) FROM claims c WHERE c.member_id = m.id AND c.status IN ('claimed', 'done'))"
            " AS open_claims"
            " FROM members m WHERE m.home_branch_id = ? AND m.reported_at IS NOT NULL AND m.left_at IS NULL"
            " AND NOT EXISTS (SELECT 1 FROM services s WHERE s.member_id = m.id AND s.served_on >= ?"
            f" AND s.served_on < ? AND {counted}) ORDER BY last_served IS NOT NULL, last_served, m.id",
            (branch_id, start.isoformat(), end.isoformat()),
        )
        return [
            AtRiskMember(rows.member(r), branch_id, rows.to_date(r["last_served"]), int(r["open_claims"]))
            for r in found
        ]

    # -- cards that follow a wish ---------------------------------------------------------------------------

    async def add_card(
        self, now: datetime, wish_id: int, chat: ChatRef, message_id: str, kind: str, version: int
    ) -> None:
        """Remember a message that shows a wish, rendered at ``version``."""
        await self.conn.execute_fetchall(
            "INSERT OR IGNORE INTO cards (wish_id, platform, chat_id, thread_id, message_id, kind, rendered_version,"
            " last_edit_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                wish_id,
                chat.platform,
                chat.chat_id,
                chat.thread_id,
                message_id,
                kind,
                version,
                ts(now),
                ts(now),
            ),
        )

    async def cards_of_wish(self, wish_id: int) -> list[CardRow]:
        """Every message showing a wish."""
        found = await self._all("SELECT * FROM cards WHERE wish_id = ? ORDER BY id", (wish_id,))
        return [_card(r) for r in found]

    async def stale_cards(self, platform: str, limit: int = 100) -> list[CardRow]:
        """Cards showing an older version of their wish than the current one."""
        found = await self._all(
            "SELECT c.*, w.version AS wanted FROM cards c JOIN wishes w ON w.id = c.wish_id"
            " WHERE c.platform = ? AND c.rendered_version < w.version ORDER BY c.last_edit_at LIMIT ?",
            (platform, limit),
        )
        return [_card(r) for r in found]

    async def mark_card_rendered(self, card_id: int, version: int, now: datetime) -> None:
        """Record that a card now shows ``version`` (never moving backwards)."""
        await self.conn.execute_fetchall(
            "UPDATE cards SET rendered_version = max(rendered_version, ?), last_edit_at = ? WHERE id = ?",
            (version, ts(now), card_id),
        )

    async def drop_card(self, card_id: int) -> None:
        """Forget a card that can no longer be edited (deleted, chat gone)."""
        await self.conn.execute_fetchall("DELETE FROM cards WHERE id = ?", (card_id,))

    # -- outbox --------------------------------------------------------------------------------------------

    async def enqueue(
        self,
        now: datetime,
        *,
        dedupe_key: str,
        kind: str,
        platform: str,
        chat: ChatRef | None,
        member_id: int | None,
        payload: dict[str, Any],
        not_before: datetime | None = None,
    ) -> bool:
        """Record a decision to send; False when the same decision (dedupe key) was already recorded."""
        return await self._changed(
            "INSERT OR IGNORE INTO outbox (dedupe_key, kind, platform, chat_id, thread_id, member_id, payload,"
            " not_before, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING 1",
            (
                dedupe_key,
                kind,
                platform,
                chat.chat_id if chat else None,
                _thread(chat),
                member_id,
                json.dumps(payload, ensure_ascii=False),
                ts(not_before or now),
                ts(now),
            ),
        )

    async def due_outbox(self, platform: str, now: datetime, limit: int = 100) -> list[OutboxRow]:
        """Pending messages whose time has come, oldest first."""
        found = await self._all(
            "SELECT * FROM outbox WHERE status = 'pending' AND platform = ? AND not_before <= ? ORDER BY id LIMIT ?",
            (platform, ts(now), limit),
        )
        return [_outbox(r) for r in found]

    async def next_outbox_time(self, platform: str) -> datetime | None:
        """When the earliest pending message becomes due."""
        return rows.to_dt(
            await self._scalar(
                "SELECT min(not_before) FROM outbox WHERE status = 'pending' AND platform = ?", (platform,)
            )
        )

    async def mark_outbox(
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
        await self.conn.execute_fetchall(
            "UPDATE outbox SET status = ?, attempts = attempts + 1, sent_at = CASE WHEN ? = 'sent' THEN ? END,"
            " message_id = coalesce(?, message_id), error = ?, not_before = coalesce(?, not_before) WHERE id = ?",
            (status, status, ts(now), message_id, error, ts(not_before), outbox_id),
        )

    async def outbox_by_key(self, dedupe_key: str) -> OutboxRow | None:
        """An outbox entry by its dedupe key."""
        row = await self._one("SELECT * FROM outbox WHERE dedupe_key = ?", (dedupe_key,))
        return _outbox(row) if row else None

    async def outbox_counts(self, kind_prefix: str = "") -> dict[str, int]:
        """How many outbox entries are in each status (for tests, benchmarks and health)."""
        found = await self._all(
            "SELECT status, count(*) AS n FROM outbox WHERE kind LIKE ? GROUP BY status", (kind_prefix + "%",)
        )
        return {r["status"]: int(r["n"]) for r in found}

    # -- idempotency, drafts, job clock ------------------------------------------------------------------

    async def first_time(self, platform: str, key: str, now: datetime) -> bool:
        """Record an incoming event; False if it was already processed (a replay)."""
        return await self._changed(
            "INSERT OR IGNORE INTO processed_events (platform, key, at) VALUES (?, ?, ?) RETURNING 1",
            (platform, key, ts(now)),
        )

    async def prune_processed(self, before: datetime) -> None:
        """Forget processed-event keys older than any replay could be."""
        await self.conn.execute_fetchall("DELETE FROM processed_events WHERE at < ?", (ts(before),))

    async def save_draft(self, now: datetime, account: Account, branch_id: int | None, text: str) -> None:
        """Keep a wish text that could not be read yet."""
        await self.conn.execute_fetchall(
            "INSERT INTO drafts (platform, user_id, branch_id, text, updated_at) VALUES (?, ?, ?, ?, ?)"
            " ON CONFLICT (platform, user_id) DO UPDATE SET branch_id = excluded.branch_id, text = excluded.text,"
            " updated_at = excluded.updated_at",
            (account.platform, account.user_id, branch_id, text, ts(now)),
        )

    async def get_draft(self, account: Account) -> tuple[int | None, str] | None:
        """A kept draft: (branch_id, text)."""
        row = await self._one(
            "SELECT branch_id, text FROM drafts WHERE platform = ? AND user_id = ?",
            (account.platform, account.user_id),
        )
        return (row["branch_id"], row["text"]) if row else None

    async def delete_draft(self, account: Account) -> None:
        """Forget a draft once it became a wish."""
        await self.conn.execute_fetchall(
            "DELETE FROM drafts WHERE platform = ? AND user_id = ?", (account.platform, account.user_id)
        )

    async def get_conversation(self, account: Account) -> dict[str, Any] | None:
        """Where this person is in a multi-step conversation, if anywhere."""
        row = await self._one(
            "SELECT state FROM conversations WHERE platform = ? AND user_id = ?", (account.platform, account.user_id)
        )
        return dict(json.loads(row["state"])) if row else None

    async def set_conversation(self, now: datetime, account: Account, state: dict[str, Any] | None) -> None:
        """Remember (or, with None, forget) where this person is in a conversation."""
        if state is None:
            await self.conn.execute_fetchall(
                "DELETE FROM conversations WHERE platform = ? AND user_id = ?", (account.platform, account.user_id)
            )
            return
        await self.conn.execute_fetchall(
            "INSERT INTO conversations (platform, user_id, state, updated_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (platform, user_id) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at",
            (account.platform, account.user_id, json.dumps(state, ensure_ascii=False), ts(now)),
        )

    async def job_last_run(self, job: str) -> datetime | None:
        """When a scheduled job last completed."""
        return rows.to_dt(await self._scalar("SELECT last_run FROM job_runs WHERE job = ?", (job,)))

    async def set_job_run(self, job: str, at: datetime) -> None:
        """Record a scheduled job's completion."""
        await self.conn.execute_fetchall(
            "INSERT INTO job_runs (job, last_run) VALUES (?, ?)"
            " ON CONFLICT (job) DO UPDATE SET last_run = excluded.last_run",
            (job, ts(at)),
        )


def _thread(chat: ChatRef | None) -> str | None:
    return chat.thread_id if chat else None


def _card(row: sqlite3.Row) -> CardRow:
    return CardRow(
        id=row["id"],
        wish_id=row["wish_id"],
        chat=ChatRef(row["platform"], row["chat_id"], row["thread_id"]),
        message_id=row["message_id"],
        kind=row["kind"],
        rendered_version=row["rendered_version"],
        last_edit_at=rows.to_dt(row["last_edit_at"]),
    )


def _outbox(row: sqlite3.Row) -> OutboxRow:
    chat = ChatRef(row["platform"], row["chat_id"], row["thread_id"]) if row["chat_id"] else None
    return OutboxRow(
        id=row["id"],
        dedupe_key=row["dedupe_key"],
        kind=row["kind"],
        platform=row["platform"],
        chat=chat,
        member_id=row["member_id"],
        payload=json.loads(row["payload"]),
        status=row["status"],
        attempts=row["attempts"],
        not_before=rows.must_dt(row["not_before"]),
    )


class SqliteStore:
    """The storage port on SQLite: hands out units of work, one transaction each."""

    def __init__(self, db: Database) -> None:
        self.db = db

    @asynccontextmanager
    async def unit(self) -> AsyncIterator[SqliteUnit]:
        """One atomic, isolated transaction."""
        async with self.db.unit_transaction() as conn:
            yield SqliteUnit(conn)

    @asynccontextmanager
    async def read(self) -> AsyncIterator[SqliteUnit]:
        """Reads only, serialised with the writers but without a transaction of their own."""
        async with self.db.unit_read() as conn:
            yield SqliteUnit(conn)
