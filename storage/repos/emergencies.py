"""Emergency mode's rows: members' posts, the calls, the answers, and the boards and prompts that follow them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.domain.emergency import Answer, CallLine, Emergency, EmergencyCall, EmergencyPost, EmergencyStats
from bot.domain.model import ChatRef
from bot.ports.storage.emergencies import Emergencies as Port
from bot.ports.storage.emergencies import EmergencyMessage
from storage.repos.base import Repo
from storage.rows import ACTIVE_SQL, Row, to_dt, ts


def _emergency(row: Row) -> Emergency:
    started = to_dt(row["started_at"])
    assert started is not None
    return Emergency(
        id=int(row["id"]),
        committee_id=int(row["committee_id"]),
        branch_id=int(row["branch_id"]) if row["branch_id"] is not None else None,
        text=str(row["text"]),
        drill=bool(row["drill"]),
        started_by=int(row["started_by"]),
        started_at=started,
        ended_at=to_dt(row["ended_at"]),
        version=int(row["version"]),
    )


def _call(row: Row) -> EmergencyCall:
    called = to_dt(row["called_at"])
    assert called is not None
    return EmergencyCall(
        emergency_id=int(row["emergency_id"]),
        member_id=int(row["member_id"]),
        branch_id=int(row["branch_id"]),
        answer=Answer(row["answer"]) if row["answer"] else None,
        note=str(row["note"]),
        called_at=called,
        answered_at=to_dt(row["answered_at"]),
        prompts=int(row["prompts"]),
        listed_at=to_dt(row["listed_at"]),
        changes=int(row["changes"]),
    )


def _marks(values: Sequence[object]) -> str:
    return ", ".join("?" for _ in values) or "NULL"


def _scope(branch_id: int | None) -> tuple[str, tuple[int, ...]]:
    """The condition of calls covering a branch (a committee-wide call covers each), or none for all."""
    if branch_id is None:
        return "", ()
    return " AND (branch_id IS NULL OR branch_id = ?)", (branch_id,)


class SqlEmergencies(Repo, Port):
    __slots__ = ()

    async def set_post(self, now: datetime, member_id: int, post: EmergencyPost) -> None:
        await self._run(
            "INSERT INTO member_emergency_posts (member_id, post, grid, updated_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (member_id) DO UPDATE SET post = excluded.post, grid = excluded.grid,"
            " updated_at = excluded.updated_at",
            (member_id, post.post, post.grid, ts(now)),
        )

    async def post_of(self, member_id: int) -> EmergencyPost:
        row = await self._one("SELECT post, grid FROM member_emergency_posts WHERE member_id = ?", (member_id,))
        return EmergencyPost(str(row["post"]), str(row["grid"])) if row else EmergencyPost()

    async def start(
        self, now: datetime, committee_id: int, branch_id: int | None, text: str, drill: bool, started_by: int
    ) -> int:
        return await self._insert(
            "INSERT INTO emergencies (committee_id, branch_id, text, drill, started_by, started_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (committee_id, branch_id, text, int(drill), started_by, ts(now)),
        )

    async def get(self, emergency_id: int) -> Emergency | None:
        row = await self._one(f"SELECT * FROM emergencies WHERE id = ?{self.conn.lock_rows}", (emergency_id,))
        return _emergency(row) if row else None

    async def open_covering(self, committee_id: int | None, branch_id: int | None) -> list[Emergency]:
        if committee_id is None:
            return [
                _emergency(r) for r in await self._all("SELECT * FROM emergencies WHERE ended_at IS NULL ORDER BY id")
            ]
        scope, params = _scope(branch_id)
        found = await self._all(
            f"SELECT * FROM emergencies WHERE committee_id = ? AND ended_at IS NULL{scope} ORDER BY id",
            (committee_id, *params),
        )
        return [_emergency(r) for r in found]

    async def latest_covering(self, committee_id: int, branch_id: int | None) -> Emergency | None:
        scope, params = _scope(branch_id)
        row = await self._one(
            f"SELECT * FROM emergencies WHERE committee_id = ?{scope}"
            " ORDER BY CASE WHEN ended_at IS NULL THEN 0 ELSE 1 END, id DESC LIMIT 1",
            (committee_id, *params),
        )
        return _emergency(row) if row else None

    async def mark_task(self, wish_id: int, emergency_id: int, post: str, shift: str) -> None:
        await self._run(
            "UPDATE wishes SET emergency_id = ?, emergency_post = ?, shift = ?, urgency = 'emergency',"
            " version = version + 1 WHERE id = ?",
            (emergency_id, post, shift, wish_id),
        )

    async def end(self, now: datetime, emergency_id: int, ended_by: int) -> bool:
        return await self._changed(
            "UPDATE emergencies SET ended_at = ?, ended_by = ?, version = version + 1"
            " WHERE id = ? AND ended_at IS NULL RETURNING 1",
            (ts(now), ended_by, emergency_id),
        )

    async def call_members(self, now: datetime, emergency_id: int, branch_ids: Sequence[int], limit: int) -> list[int]:
        if not branch_ids:
            return []
        found = await self._all(
            "INSERT INTO emergency_calls (emergency_id, member_id, branch_id, called_at)"
            " SELECT ?, m.id, m.home_branch_id, ? FROM members m"
            f" WHERE m.home_branch_id IN ({_marks(branch_ids)}) AND m.reported_at IS NOT NULL AND m.left_at IS NULL"
            " AND NOT EXISTS (SELECT 1 FROM emergency_calls c WHERE c.emergency_id = ? AND c.member_id = m.id)"
            " ORDER BY m.id LIMIT ? ON CONFLICT DO NOTHING RETURNING member_id",
            (emergency_id, ts(now), *branch_ids, emergency_id, limit),
        )
        return sorted(int(r["member_id"]) for r in found)

    async def answer(
        self, now: datetime, emergency_id: int, member_id: int, answer: Answer, note: str
    ) -> EmergencyCall | None:
        row = await self._one(
            "UPDATE emergency_calls SET answer = ?, note = CASE WHEN ? = '' THEN note ELSE ? END,"
            " answered_at = coalesce(answered_at, ?), changes = changes + 1 WHERE emergency_id = ? AND member_id = ?"
            " AND EXISTS (SELECT 1 FROM emergencies e WHERE e.id = ? AND e.ended_at IS NULL) RETURNING *",
            (answer.value, note, note, ts(now), emergency_id, member_id, emergency_id),
        )
        return _call(row) if row else None

    async def call(self, emergency_id: int, member_id: int) -> EmergencyCall | None:
        row = await self._one(
            "SELECT * FROM emergency_calls WHERE emergency_id = ? AND member_id = ?", (emergency_id, member_id)
        )
        return _call(row) if row else None

    async def take_unanswered(
        self, emergency_id: int, *, prompts: int, called_before: datetime, limit: int
    ) -> list[EmergencyCall]:
        found = await self._all(
            "UPDATE emergency_calls SET prompts = prompts + 1 WHERE emergency_id = ? AND member_id IN"
            " (SELECT member_id FROM emergency_calls WHERE emergency_id = ? AND answer IS NULL AND prompts = ?"
            " AND called_at <= ? ORDER BY member_id LIMIT ?) RETURNING *",
            (emergency_id, emergency_id, prompts, ts(called_before), limit),
        )
        return sorted((_call(r) for r in found), key=lambda call: call.member_id)

    async def to_list(self, emergency_id: int, called_before: datetime) -> list[EmergencyCall]:
        found = await self._all(
            "SELECT * FROM emergency_calls WHERE emergency_id = ? AND answer IS NULL AND listed_at IS NULL"
            " AND called_at <= ? ORDER BY branch_id, member_id",
            (emergency_id, ts(called_before)),
        )
        return [_call(r) for r in found]

    async def listed(self, now: datetime, emergency_id: int, member_ids: Sequence[int]) -> None:
        if member_ids:
            await self._run(
                "UPDATE emergency_calls SET listed_at = ? WHERE emergency_id = ?"
                f" AND member_id IN ({_marks(member_ids)})",
                (ts(now), emergency_id, *member_ids),
            )

    async def lines(self, emergency_id: int, branch_id: int | None = None) -> list[CallLine]:
        found = await self._all(
            "SELECT c.member_id, m.name, c.branch_id, coalesce(p.post, '') AS post, coalesce(p.grid, '') AS grid,"
            " c.answer, c.note, c.answered_at, c.changes FROM emergency_calls c JOIN members m ON m.id = c.member_id"
            " LEFT JOIN member_emergency_posts p ON p.member_id = c.member_id"
            f" WHERE c.emergency_id = ?{'' if branch_id is None else ' AND c.branch_id = ?'} ORDER BY c.member_id",
            (emergency_id,) if branch_id is None else (emergency_id, branch_id),
        )
        return [
            CallLine(
                int(r["member_id"]),
                str(r["name"]),
                int(r["branch_id"]),
                str(r["post"]),
                str(r["grid"]),
                Answer(r["answer"]) if r["answer"] else None,
                str(r["note"]),
                to_dt(r["answered_at"]),
                int(r["changes"]),
            )
            for r in found
        ]

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
        await self._run(
            "INSERT INTO emergency_messages (emergency_id, kind, branch_id, member_id, platform, chat_id, thread_id,"
            " message_id, lang, rendered_version, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT DO NOTHING",
            (
                emergency_id,
                kind,
                branch_id,
                member_id,
                chat.platform,
                chat.chat_id,
                chat.thread_id,
                message_id,
                lang,
                version,
                ts(now),
            ),
        )

    async def stale_messages(self, platform: str, limit: int = 200) -> list[EmergencyMessage]:
        found = await self._all(
            "SELECT g.* FROM emergency_messages g JOIN emergencies e ON e.id = g.emergency_id WHERE g.platform = ?"
            " AND ((g.kind = 'prompt' AND e.ended_at IS NOT NULL AND g.rendered_version < e.version)"
            " OR (g.kind = 'board' AND g.rendered_version < e.version + coalesce((SELECT sum(c.changes)"
            " FROM emergency_calls c WHERE c.emergency_id = g.emergency_id"
            " AND (g.branch_id IS NULL OR c.branch_id = g.branch_id)), 0))) ORDER BY g.kind, g.id LIMIT ?",
            (platform, limit),
        )
        return [
            EmergencyMessage(
                int(r["id"]),
                int(r["emergency_id"]),
                str(r["kind"]),
                int(r["branch_id"]) if r["branch_id"] is not None else None,
                int(r["member_id"]) if r["member_id"] is not None else None,
                ChatRef(str(r["platform"]), str(r["chat_id"]), r["thread_id"]),
                str(r["message_id"]),
                str(r["lang"]),
                int(r["rendered_version"]),
            )
            for r in found
        ]

    async def mark_message(self, message_id: int, version: int, now: datetime) -> None:
        await self._run(
            "UPDATE emergency_messages SET rendered_version = CASE WHEN rendered_version > ? THEN rendered_version"
            " ELSE ? END, last_edit_at = ? WHERE id = ?",
            (version, version, ts(now), message_id),
        )

    async def drop_message(self, message_id: int) -> None:
        await self._run("DELETE FROM emergency_messages WHERE id = ?", (message_id,))

    async def stats(self, emergency_id: int) -> EmergencyStats:
        reached = await self._scalar(
            "SELECT count(DISTINCT member_id) FROM emergency_messages WHERE emergency_id = ? AND kind = 'prompt'",
            (emergency_id,),
        )
        row = await self._one(
            "SELECT count(DISTINCT w.id) AS posted, count(c.id) AS claimed,"
            " sum(CASE WHEN c.status IN ('done', 'confirmed') THEN 1 ELSE 0 END) AS done,"
            " coalesce(sum(CASE WHEN c.status IN ('done', 'confirmed') THEN c.hours END), 0) AS hours"
            f" FROM wishes w LEFT JOIN claims c ON c.wish_id = w.id AND c.status IN {ACTIVE_SQL}"
            " WHERE w.emergency_id = ?",
            (emergency_id,),
        )
        assert row is not None
        return EmergencyStats(
            int(reached or 0),
            int(row["posted"] or 0),
            int(row["claimed"] or 0),
            int(row["done"] or 0),
            float(row["hours"] or 0),
        )
