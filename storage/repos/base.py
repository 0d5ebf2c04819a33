"""What every repository shares: the unit's connection and small helpers over it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from storage.rows import Row


class IntegrityViolation(Exception):
    """The database refused a write for a constraint or trigger (its message names which); raised by connections."""


class Connection(Protocol):
    """The two calls a repository makes: run a statement for its rows, or insert and learn the new id.

    Constraint and trigger refusals are raised as :class:`IntegrityViolation`, whatever the driver.
    ``lock_rows`` is appended to a read of a row the unit is about to change: ``" FOR UPDATE"`` where writers run
    concurrently (PostgreSQL), empty where they never do (SQLite).
    """

    lock_rows: str

    async def execute_fetchall(self, sql: str, parameters: Sequence[Any] = ()) -> list[Any]: ...

    async def execute_insert(self, sql: str, parameters: Sequence[Any] = ()) -> tuple[int] | None: ...


class Repo:
    """A repository bound to the connection of one unit of work."""

    __slots__ = ("conn",)

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    @property
    def _skip_locked(self) -> str:
        """Lock the rows a subquery picks, passing over those another transaction holds (nothing on SQLite)."""
        return f"{self.conn.lock_rows} SKIP LOCKED" if self.conn.lock_rows else ""

    async def _one(self, sql: str, params: Sequence[Any] = ()) -> Row | None:
        found = await self.conn.execute_fetchall(sql, params)
        return found[0] if found else None

    async def _all(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        return await self.conn.execute_fetchall(sql, params)

    async def _insert(self, sql: str, params: Sequence[Any]) -> int:
        row = await self.conn.execute_insert(sql, params)
        return int(row[0]) if row else 0

    async def _changed(self, sql: str, params: Sequence[Any] = ()) -> bool:
        """Run a statement ending in RETURNING; whether it touched a row."""
        return bool(await self.conn.execute_fetchall(sql, params))

    async def _scalar(self, sql: str, params: Sequence[Any] = ()) -> Any:
        row = await self._one(sql, params)
        return row[0] if row is not None else None

    async def _run(self, sql: str, params: Sequence[Any] = ()) -> None:
        await self.conn.execute_fetchall(sql, params)
