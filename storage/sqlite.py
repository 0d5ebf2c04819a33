"""Opening the SQLite database: pragmas, numbered migrations, serialised transactions and online backup."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import re
import sqlite3
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import aiosqlite

from bot.domain.errors import StorageBusy, StorageUnavailable
from bot.i18n import LocalizedError, reason
from storage.dialect import blocks_for
from storage.lock import DatabaseUnavailable
from storage.repos.base import IntegrityViolation

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 5000
LOCK_RETRIES = 3
_MIGRATION_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


class SchemaTooNew(LocalizedError):
    """The database was written by a newer ebranch than this one; refuse to touch it."""


def available_migrations() -> list[tuple[int, str, str]]:
    """The numbered migrations shipped with the code, as (version, name, sql), in order."""
    found = []
    for entry in resources.files("storage.migrations").iterdir():
        match = _MIGRATION_NAME.match(entry.name)
        if match:
            found.append((int(match.group(1)), entry.name, entry.read_text(encoding="utf-8")))
    found.sort()
    for (before, first, _), (version, name, _) in itertools.pairwise(found):
        if version == before:
            raise RuntimeError(f"migrations {first} and {name} have the same number")
    return found


def is_locked(error: BaseException) -> bool:
    """Whether an sqlite error means another writer holds the database."""
    return isinstance(error, sqlite3.OperationalError) and "locked" in str(error).lower()


class InPlace:
    """Statements run on a plain sqlite3 connection from the event loop itself, for a unit holding the lock.

    A unit's statements are point reads and writes of tens of microseconds. Through aiosqlite each costs two thread
    hand-offs, and under load every hand-off also waits a turn of the busy event loop while the lock is held, so a
    claim held the lock for milliseconds; run in place, it holds it for its CPU time only (storage ceiling: 424 ->
    1,550 claims/s). The price is that the loop is blocked while SQLite works: for a unit that is well under a
    millisecond, and when a commit checkpoints the WAL (every ~1,000 pages written) a few milliseconds.
    """

    __slots__ = ("_raw",)
    lock_rows = ""

    def __init__(self, raw: sqlite3.Connection) -> None:
        self._raw = raw

    async def execute_fetchall(self, sql: str, parameters: Sequence[Any] = ()) -> list[sqlite3.Row]:
        """Run one statement and return every row it yields."""
        try:
            return self._raw.execute(sql, parameters).fetchall()
        except sqlite3.IntegrityError as error:
            raise IntegrityViolation(str(error)) from error

    async def execute_insert(self, sql: str, parameters: Sequence[Any] = ()) -> tuple[int] | None:
        """Run one INSERT and return the new rowid as aiosqlite does."""
        try:
            rowid = self._raw.execute(sql, parameters).lastrowid
        except sqlite3.IntegrityError as error:
            raise IntegrityViolation(str(error)) from error
        return (rowid,) if rowid is not None else None


class Database:
    """Two connections to one SQLite file; transactions are serialised so each is atomic and isolated.

    Long work (reports, migrations, backups) runs on aiosqlite's connection and thread. The use cases' short units
    run on a second, plain connection in place (:class:`InPlace`) that never waits inside SQLite (busy timeout 0):
    while another process holds the write lock, BEGIN is retried with asyncio.sleep, so the event loop is never
    blocked waiting. An in-memory database has one connection, shared by both.
    """

    dialect: Literal["sqlite", "postgresql"] = "sqlite"

    def __init__(self, path: Path | str) -> None:
        self.path = str(path)
        self._conn: aiosqlite.Connection | None = None
        self._raw: sqlite3.Connection | None = None
        self._lock = asyncio.Lock()
        self._thread_lock = asyncio.Lock()

    @property
    def conn(self) -> aiosqlite.Connection:
        """The open connection."""
        if self._conn is None:
            raise RuntimeError("database is not open")
        return self._conn

    async def open(self) -> None:
        """Connect both connections and set the pragmas: WAL, foreign keys, busy timeouts."""
        memory = self.path == ":memory:"
        raw = sqlite3.connect(self.path, isolation_level=None, check_same_thread=not memory)
        raw.row_factory = sqlite3.Row
        for pragma in ("busy_timeout = 0", "synchronous = NORMAL", "foreign_keys = ON"):
            raw.execute(f"PRAGMA {pragma}")
        self._raw = raw
        if memory:  # one in-memory database, so one connection, shared by the thread and the loop
            self._conn = await aiosqlite.Connection(lambda: raw, iter_chunk_size=64)
            return
        self._conn = await aiosqlite.connect(self.path, isolation_level=None)
        self._conn.row_factory = sqlite3.Row
        await self._conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        await self._conn.execute("PRAGMA journal_mode = WAL")
        await self._conn.execute("PRAGMA synchronous = NORMAL")
        await self._conn.execute("PRAGMA foreign_keys = ON")

    async def close(self) -> None:
        """Close the connections if open."""
        if self._raw is not None and self.path != ":memory:":
            self._raw.close()
        self._raw = None
        if self._conn is not None:
            await self._conn.close()
            self._conn = None

    async def schema_version(self) -> int:
        """The highest migration applied, 0 for a new database."""
        await self.conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, name TEXT NOT NULL,"
            " applied_at TEXT NOT NULL)"
        )
        async with self.conn.execute("SELECT max(version) FROM schema_version") as cur:
            row = await cur.fetchone()
        return int(row[0]) if row and row[0] is not None else 0

    async def migrate(self) -> list[str]:
        """Apply every migration not yet applied, each inside a transaction; return the names applied.

        Numbers may have gaps (migrations written on parallel branches are merged in any order): each one missing
        from ``schema_version`` is applied, in number order. Foreign keys are off while a migration runs, so a
        table can be rebuilt (SQLite's way to change a column), and checked before it commits.
        """
        migrations = available_migrations()
        latest = migrations[-1][0] if migrations else 0
        async with self._exclusive():
            current = await self.schema_version()
            if current > latest:
                raise SchemaTooNew("db.schema_too_new", path=self.path, version=current, latest=latest)
            done = {row[0] for row in await self.conn.execute_fetchall("SELECT version FROM schema_version")}
            applied = []
            await self.conn.execute("PRAGMA foreign_keys = OFF")
            try:
                for version, name, sql in migrations:
                    if version in done:
                        continue
                    await self._apply(version, name, sql)
                    applied.append(name)
            finally:
                await self.conn.execute("PRAGMA foreign_keys = ON")
            return applied

    async def _apply(self, version: int, name: str, sql: str) -> None:
        """One migration and its schema_version row in one transaction; refused if it broke a foreign key."""
        await self.conn.execute("BEGIN IMMEDIATE")
        try:
            for statement in _split_sql(blocks_for(sql, "sqlite")):
                await self.conn.execute(statement)
            broken = list(await self.conn.execute_fetchall("PRAGMA foreign_key_check"))
            if broken:
                table, rowid, parent, _ = broken[0]
                raise sqlite3.IntegrityError(
                    f"migration {name} leaves {table} row {rowid} pointing at a missing {parent} row"
                )
            await self.conn.execute(
                "INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, ?)",
                (version, name, datetime.now(UTC).isoformat()),
            )
            await self.conn.execute("COMMIT")
        except BaseException:
            await self.conn.execute("ROLLBACK")
            raise

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """Run a block as one write transaction (BEGIN IMMEDIATE); retried by the caller on StorageBusy."""
        async with self._exclusive():
            for attempt in range(LOCK_RETRIES):
                try:
                    await self.conn.execute("BEGIN IMMEDIATE")
                    break
                except sqlite3.OperationalError as error:
                    if not is_locked(error) or attempt == LOCK_RETRIES - 1:
                        if is_locked(error):
                            raise StorageBusy() from error
                        raise
                    await asyncio.sleep(0.05 * (attempt + 1))
            try:
                yield self.conn
            except BaseException:
                await self.conn.execute("ROLLBACK")
                raise
            else:
                try:
                    await self.conn.execute("COMMIT")
                except sqlite3.OperationalError as error:
                    await self.conn.execute("ROLLBACK")
                    if is_locked(error):
                        raise StorageBusy() from error
                    raise

    @asynccontextmanager
    async def unit_transaction(self) -> AsyncIterator[InPlace]:
        """A write transaction whose statements run in place: for the use cases' short units of work.

        Afterwards, outside the lock, it yields to the event loop once, so a job running unit after unit in place
        (a fan-out of nudges, a delivery pass) never starves the taps waiting to be answered.
        """
        async with self._lock:
            raw = self._in_place_connection()
            try:
                await _begin_in_place(raw)
            except sqlite3.OperationalError as error:
                raise _unavailable(self.path, error) from error
            try:
                yield InPlace(raw)
            except sqlite3.OperationalError as error:
                _rollback(raw)
                raise _unavailable(self.path, error) from error
            except BaseException:
                _rollback(raw)
                raise
            try:
                raw.execute("COMMIT")
            except sqlite3.Error as error:
                _rollback(raw)
                if is_locked(error):
                    raise StorageBusy() from error
                raise _unavailable(self.path, error) from error
        await asyncio.sleep(0)

    @asynccontextmanager
    async def unit_read(self) -> AsyncIterator[InPlace]:
        """Reads run in place between write transactions, without BEGIN/COMMIT (never sees uncommitted writes)."""
        async with self._lock:
            yield InPlace(self._in_place_connection())
        await asyncio.sleep(0)

    async def ping(self) -> None:
        """One read of the file, for readiness checks."""
        async with self.unit_read() as conn:
            await conn.execute_fetchall("SELECT count(*) FROM schema_version")

    @asynccontextmanager
    async def _exclusive(self) -> AsyncIterator[None]:
        """Both locks, the thread's connection's first (the one order every path takes them in)."""
        async with self._thread_lock, self._lock:
            yield

    def _in_place_connection(self) -> sqlite3.Connection:
        if self._raw is None:
            raise RuntimeError("database is not open")
        return self._raw

    @asynccontextmanager
    async def snapshot(self) -> AsyncIterator[aiosqlite.Connection]:
        """A long read on aiosqlite's thread that sees one consistent state and holds up no unit of work.

        Reports at city scale read for seconds; in WAL mode a reader and the units' writer do not block each other,
        so only other users of the thread's connection wait. An in-memory database has one connection, so there
        the snapshot takes the units' lock as well.
        """
        async with contextlib.AsyncExitStack() as stack:
            await stack.enter_async_context(self._thread_lock)
            if self.path == ":memory:":
                await stack.enter_async_context(self._lock)
            await self.conn.execute("BEGIN")
            try:
                yield self.conn
            finally:
                await self.conn.execute("COMMIT")

    async def backup(self, target: Path) -> None:
        """Copy the live database to ``target`` with SQLite's online backup (safe while the bot runs)."""
        target.parent.mkdir(parents=True, exist_ok=True)

        dest = sqlite3.connect(str(target), check_same_thread=False)
        try:
            async with self._exclusive():
                await self.conn.backup(dest)
        finally:
            dest.close()


def _rollback(raw: sqlite3.Connection) -> None:
    """Undo an open transaction; a connection that cannot even roll back has nothing left to undo."""
    if raw.in_transaction:
        with contextlib.suppress(sqlite3.Error):
            raw.execute("ROLLBACK")


def _unavailable(path: str, error: sqlite3.Error) -> StorageUnavailable:
    """A write the database refused, logged in one line; the user is told to try again."""
    log.error("the database %s refused a write: %s", path, error)
    return StorageUnavailable()


async def _begin_in_place(raw: sqlite3.Connection) -> None:
    """BEGIN IMMEDIATE without blocking: while another process writes, wait with asyncio.sleep up to the timeout."""
    waited, pause = 0.0, 0.002
    while True:
        try:
            raw.execute("BEGIN IMMEDIATE")
            return
        except sqlite3.OperationalError as error:
            if not is_locked(error):
                raise
            if waited >= BUSY_TIMEOUT_MS / 1000:
                raise StorageBusy() from error
        await asyncio.sleep(pause)
        waited += pause
        pause = min(pause * 2, 0.1)


def _split_sql(script: str) -> list[str]:
    """Split a migration into statements, keeping trigger bodies (BEGIN ... END;) whole."""
    statements: list[str] = []
    buffer: list[str] = []
    for line in script.splitlines():
        stripped = line.strip()
        if not buffer and (not stripped or stripped.startswith("--")):
            continue
        buffer.append(line)
        candidate = "\n".join(buffer)
        if stripped.endswith(";") and sqlite3.complete_statement(candidate):
            statements.append(candidate)
            buffer = []
    if any(part.strip() for part in buffer):
        statements.append("\n".join(buffer))
    return statements


async def open_database(path: Path | str, *, migrate: bool = True) -> Database:
    """Open (creating if needed) and migrate the database at ``path``; DatabaseUnavailable in one line if it cannot."""
    db = Database(path)
    try:
        await db.open()
        if migrate:
            await db.migrate()
    except sqlite3.Error as error:
        await db.close()
        raise DatabaseUnavailable("db.unusable", path=str(path), reason=reason(str(error))) from error
    except BaseException:
        await db.close()
        raise
    return db


async def restore_backup(source: Path, target: Path) -> Path | None:
    """Check that ``source`` is a healthy ebranch database no newer than the code, keep ``target`` beside it as
    ``<name>.before-restore-<time>``, copy the backup into place and migrate it; returns the kept file's path."""
    check = await open_database(source, migrate=False)
    try:
        problems = [row[0] for row in await check.conn.execute_fetchall("PRAGMA integrity_check")]
        if problems != ["ok"]:
            raise DatabaseUnavailable("db.backup_damaged", path=str(source), detail=problems[0])
        version = await check.schema_version()
        latest = available_migrations()[-1][0]
        if version > latest:
            raise SchemaTooNew("db.backup_too_new", path=str(source), version=version, latest=latest)
        if version == 0:
            raise DatabaseUnavailable("db.backup_not_ebranch", path=str(source))
    finally:
        await check.close()
    kept = await asyncio.to_thread(_swap_in, source, target)
    restored = await open_database(target)
    await restored.close()
    return kept


def _swap_in(source: Path, target: Path) -> Path | None:
    """Keep the current database (if any) as a dated copy, then copy the backup over it, WAL and all."""
    kept: Path | None = None
    if target.exists():
        kept = target.with_name(f"{target.name}.before-restore-{datetime.now(UTC):%Y%m%dT%H%M%SZ}")
        _copy(target, kept)
    for leftover in (Path(f"{target}-wal"), Path(f"{target}-shm")):
        leftover.unlink(missing_ok=True)
    _copy(source, target)
    return kept


def _copy(source: Path, target: Path) -> None:
    """SQLite's backup from one file to another (consistent even if the source has a WAL)."""
    incoming = sqlite3.connect(str(source))
    try:
        destination = sqlite3.connect(str(target))
        try:
            incoming.backup(destination)
        finally:
            destination.close()
    finally:
        incoming.close()
