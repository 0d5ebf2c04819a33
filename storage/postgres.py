"""Opening a PostgreSQL database: a connection pool, the shared numbered migrations, units of work and snapshots.

It offers what :class:`storage.sqlite.Database` offers the store and the reports (units of work, reads, snapshots,
migrations), so one set of repositories serves both engines. Units run in READ COMMITTED; a wish read inside a
write unit is locked (``FOR UPDATE``) until it commits, so every unit touching a wish sees it as the previous one
left it, and the claim trigger locks the wish as well, so no interleaving of claims can over-fill one.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any, Literal

import asyncpg

from bot.domain.errors import StorageBusy, StorageUnavailable
from bot.i18n import reason
from storage.dialect import blocks_for, named, numbered, postgres_ddl
from storage.lock import DatabaseUnavailable
from storage.repos.base import IntegrityViolation
from storage.sqlite import SchemaTooNew, available_migrations

log = logging.getLogger(__name__)

POOL_MAX = 10
MIGRATION_LOCK = 0x65627261  # "ebra": one migrating instance at a time
RETRYABLE = (asyncpg.SerializationError, asyncpg.DeadlockDetectedError, asyncpg.LockNotAvailableError)
LOST = (OSError, asyncpg.PostgresConnectionError, asyncpg.InterfaceError, asyncpg.CannotConnectNowError)


def redact(url: str) -> str:
    """A URL fit for a log line: the password is left out."""
    head, sep, tail = url.partition("://")
    if "@" not in tail:
        return url
    auth, _, host = tail.rpartition("@")
    user = auth.split(":", 1)[0]
    return f"{head}{sep}{user}@{host}"


class PgConnection:
    """A unit's statements on one pooled connection, with SQLite's ``?`` placeholders and error classes."""

    __slots__ = ("_conn", "lock_rows")

    def __init__(self, conn: asyncpg.Connection, *, lock_rows: bool) -> None:
        self._conn = conn
        self.lock_rows = " FOR UPDATE" if lock_rows else ""

    async def execute_fetchall(self, sql: str, parameters: Sequence[Any] | Mapping[str, Any] = ()) -> list[Any]:
        """Run one statement (``?`` or ``:name`` placeholders) and return every row it yields."""
        if isinstance(parameters, Mapping):
            sql, parameters = named(sql, parameters)
        else:
            sql = numbered(sql)
        try:
            return list(await self._conn.fetch(sql, *parameters))
        except asyncpg.IntegrityConstraintViolationError as error:
            raise _integrity(error) from error
        except asyncpg.RaiseError as error:
            raise IntegrityViolation(str(error)) from error
        except RETRYABLE as error:
            raise StorageBusy() from error

    async def execute_insert(self, sql: str, parameters: Sequence[Any] = ()) -> tuple[int] | None:
        """Run one INSERT into a table with an ``id`` and return the new id, as SQLite's lastrowid."""
        found = await self.execute_fetchall(f"{sql} RETURNING id", parameters)
        return (int(found[0][0]),) if found else None


def _integrity(error: asyncpg.IntegrityConstraintViolationError) -> IntegrityViolation:
    """A refusal worded as SQLite words it, so repositories read one message whatever the engine."""
    name = getattr(error, "constraint_name", None) or ""
    if isinstance(error, asyncpg.UniqueViolationError):
        return IntegrityViolation(f"UNIQUE constraint failed: {name} ({error})")
    if isinstance(error, asyncpg.ForeignKeyViolationError):
        return IntegrityViolation(f"FOREIGN KEY constraint failed: {name} ({error})")
    if isinstance(error, asyncpg.CheckViolationError):
        return IntegrityViolation(f"CHECK constraint failed: {name} ({error})")
    if isinstance(error, asyncpg.NotNullViolationError):
        return IntegrityViolation(f"NOT NULL constraint failed: {error.column_name} ({error})")  # type: ignore[attr-defined]
    return IntegrityViolation(str(error))


class PostgresDatabase:
    """A pool of connections to one PostgreSQL database; units of work are transactions on one of them."""

    dialect: Literal["sqlite", "postgresql"] = "postgresql"

    def __init__(self, url: str, *, pool_max: int = POOL_MAX) -> None:
        self.url = url
        self.path = redact(url)
        self.pool_max = pool_max
        self._pool: asyncpg.Pool | None = None

    @property
    def pool(self) -> asyncpg.Pool:
        """The open pool."""
        if self._pool is None:
            raise RuntimeError("database is not open")
        return self._pool

    async def open(self) -> None:
        """Connect the pool (statements are prepared once per connection and cached)."""
        self._pool = await asyncpg.create_pool(
            self.url, min_size=1, max_size=self.pool_max, command_timeout=60, max_inactive_connection_lifetime=300
        )

    async def close(self) -> None:
        """Close the pool if open."""
        if self._pool is not None:
            pool, self._pool = self._pool, None
            await pool.close()

    async def schema_version(self) -> int:
        """The highest migration applied, 0 for a new database."""
        async with self.pool.acquire() as conn:
            return await _schema_version(conn)

    async def migrate(self) -> list[str]:
        """Apply every shipped migration not yet applied, each in a transaction; return the names applied.

        Instances starting together take an advisory lock first, so only one migrates and the rest find it done.
        """
        migrations = available_migrations()
        latest = migrations[-1][0] if migrations else 0
        async with self.pool.acquire() as conn:
            await conn.execute("SELECT pg_advisory_lock($1)", MIGRATION_LOCK)
            try:
                current = await _schema_version(conn)
                if current > latest:
                    raise SchemaTooNew("db.schema_too_new", path=self.path, version=current, latest=latest)
                done = {row[0] for row in await conn.fetch("SELECT version FROM schema_version")}
                applied = []
                for version, name, sql in migrations:
                    if version in done:
                        continue
                    async with conn.transaction():
                        await conn.execute(postgres_ddl(blocks_for(sql, "postgresql")))
                        await conn.execute(
                            "INSERT INTO schema_version (version, name, applied_at) VALUES ($1, $2, $3)",
                            version,
                            name,
                            datetime.now(UTC).isoformat(),
                        )
                    applied.append(name)
            finally:
                await conn.execute("SELECT pg_advisory_unlock($1)", MIGRATION_LOCK)
        return applied

    @asynccontextmanager
    async def unit_transaction(self) -> AsyncIterator[PgConnection]:
        """A READ COMMITTED transaction in which the wishes a unit reads are locked until it commits."""
        try:
            async with self.pool.acquire() as conn, conn.transaction():
                yield PgConnection(conn, lock_rows=True)
        except RETRYABLE as error:
            raise StorageBusy() from error
        except LOST as error:
            raise _unavailable(self.path, error) from error
        await asyncio.sleep(0)

    @asynccontextmanager
    async def unit_read(self) -> AsyncIterator[PgConnection]:
        """Reads of committed data, each statement on its own (no transaction held open)."""
        try:
            async with self.pool.acquire() as conn:
                yield PgConnection(conn, lock_rows=False)
        except LOST as error:
            raise _unavailable(self.path, error) from error

    @asynccontextmanager
    async def snapshot(self) -> AsyncIterator[PgConnection]:
        """A long read that sees one consistent state (REPEATABLE READ, read only) and blocks no writer."""
        async with self.pool.acquire() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
            yield PgConnection(conn, lock_rows=False)

    async def ping(self) -> None:
        """One round trip, for readiness checks."""
        async with self.pool.acquire() as conn:
            await conn.fetchval("SELECT 1")


async def _schema_version(conn: asyncpg.Connection) -> int:
    await conn.execute(
        "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, name TEXT NOT NULL,"
        " applied_at TEXT NOT NULL)"
    )
    value = await conn.fetchval("SELECT max(version) FROM schema_version")
    return int(value) if value is not None else 0


def _unavailable(path: str, error: BaseException) -> StorageUnavailable:
    """The database went away mid-unit, logged in one line; the user is told to try again."""
    log.error("the database %s could not be reached: %s", path, error)
    return StorageUnavailable()


async def open_postgres(url: str, *, migrate: bool = True, pool_max: int = POOL_MAX) -> PostgresDatabase:
    """Connect to (and migrate) the database at ``url``; DatabaseUnavailable in one line if it cannot."""
    db = PostgresDatabase(url, pool_max=pool_max)
    try:
        await db.open()
        if migrate:
            await db.migrate()
    except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as error:
        await db.close()
        raise DatabaseUnavailable("db.unusable", path=db.path, reason=reason(str(error))) from error
    except BaseException:
        await db.close()
        raise
    return db
