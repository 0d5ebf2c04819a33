"""Copying a SQLite deployment's data into an empty PostgreSQL database: the way up from one machine to several.

The source is first copied with SQLite's online backup to a private temporary file (one consistent state, even
while the bot keeps writing), and that copy is brought to the code's schema version if it is older; the source
file itself is only read. The target is migrated to the same version and must hold no row in any ebranch table.
Every table is then copied in foreign-key order, ids kept, in one transaction that also restarts each identity
at the next free id and checks the result (rows per table as in the source; no wish holds more active claims than
it has slots, no member two active claims on one wish); any failure rolls it all back, leaving the target empty.
"""

from __future__ import annotations

import asyncio
import sqlite3
import tempfile
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg

from bot.i18n import LocalizedError, reason
from storage.dialect import is_postgres_url
from storage.postgres import open_postgres, redact
from storage.sqlite import Database, available_migrations, open_database

BATCH = 5_000
ACTIVE = ("claimed", "done", "confirmed")
_INTEGERS = frozenset({"integer", "bigint", "smallint"})
_FLOATS = frozenset({"double precision", "real", "numeric"})
_TEXTS = frozenset({"text", "character varying", "character"})


class CopyRefused(LocalizedError):
    """copy-db will not (or could not) copy: what is wrong and what to do; the target holds none of the source."""


@dataclass(frozen=True)
class TableCopied:
    """One table's rows in the source and, after the copy, in the target."""

    name: str
    source_rows: int
    target_rows: int


@dataclass(frozen=True)
class CopyReport:
    """What copy-db did: the schema versions met, and every table copied, in the order copied."""

    source: str
    target: str
    source_version: int
    version: int
    tables: tuple[TableCopied, ...]

    @property
    def rows(self) -> int:
        """Rows copied in all."""
        return sum(table.target_rows for table in self.tables)

    @property
    def upgraded(self) -> bool:
        """Whether the source's copy had to be migrated to the code's schema on the way."""
        return self.source_version != self.version


@dataclass(frozen=True)
class _Column:
    name: str
    kind: str
    identity: bool


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


async def copy_database(source: Path, target_url: str, *, workdir: Path | None = None) -> CopyReport:
    """Copy the SQLite database at ``source`` into the empty PostgreSQL database at ``target_url``; all or nothing."""
    if not is_postgres_url(target_url):
        raise CopyRefused("copydb.target_not_postgres", target=target_url)
    shown = redact(target_url)
    if not await asyncio.to_thread(source.is_file):
        raise CopyRefused("copydb.no_source", path=str(source))
    latest = available_migrations()[-1][0]
    with tempfile.TemporaryDirectory(prefix="ebranch-copy-", dir=workdir) as folder:
        snapshot = Path(folder) / "source.sqlite3"
        try:
            await asyncio.to_thread(_online_backup, source, snapshot)
        except sqlite3.Error as error:
            raise CopyRefused("copydb.source_unusable", path=str(source), reason=reason(str(error))) from error
        copy = await _open_source(source, snapshot, latest)
        try:
            source_version = copy.version_before
            await copy.db.migrate()
            tables = await _source_tables(copy.db)
            target = await _prepare_target(target_url, shown, tables, latest)
            copied = await _copy_all(copy.db, target_url, shown, tables)
        finally:
            await copy.db.close()
    return CopyReport(str(source), shown, source_version, target, copied)


@dataclass
class _Source:
    db: Database
    version_before: int


def _online_backup(source: Path, target: Path) -> None:
    """SQLite's online backup in one step: one consistent state of the live file, its WAL included."""
    incoming = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)
    try:
        destination = sqlite3.connect(str(target))
        try:
            incoming.backup(destination)
        finally:
            destination.close()
    finally:
        incoming.close()


async def _open_source(source: Path, snapshot: Path, latest: int) -> _Source:
    """The private copy, checked: healthy, an ebranch database, no newer than the code."""
    db = await open_database(snapshot, migrate=False)
    try:
        problems = [row[0] for row in await db.conn.execute_fetchall("PRAGMA quick_check")]
        if problems != ["ok"]:
            raise CopyRefused("copydb.source_damaged", path=str(source), detail=problems[0])
        version = await db.schema_version()
        if version == 0:
            raise CopyRefused("copydb.source_not_ebranch", path=str(source))
        if version > latest:
            raise CopyRefused("copydb.source_too_new", path=str(source), version=version, latest=latest)
    except BaseException:
        await db.close()
        raise
    return _Source(db, version)


async def _source_tables(db: Database) -> dict[str, list[str]]:
    """Every ebranch table of the (migrated) copy and its columns."""
    names = [
        str(row[0])
        for row in await db.conn.execute_fetchall(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            " AND name <> 'schema_version' ORDER BY name"
        )
    ]
    tables: dict[str, list[str]] = {}
    for name in names:
        rows = await db.conn.execute_fetchall(f"PRAGMA table_info({_quoted(name)})")
        tables[name] = [str(row[1]) for row in rows]
    return tables


async def _target_version(conn: asyncpg.Connection) -> int | None:
    """The target's schema version without creating anything: None when it has no ebranch schema yet."""
    if await conn.fetchval("SELECT to_regclass('schema_version')") is None:
        return None
    value = await conn.fetchval("SELECT max(version) FROM schema_version")
    return int(value) if value is not None else 0


async def _holding(conn: asyncpg.Connection, candidates: Sequence[str]) -> tuple[str, int] | None:
    """The first of ``candidates`` that exists in the target and holds rows, with its count."""
    for name in candidates:
        if await conn.fetchval("SELECT to_regclass($1)", _quoted(name)) is None:
            continue
        if await conn.fetchval(f"SELECT EXISTS (SELECT 1 FROM {_quoted(name)})"):
            return name, int(await conn.fetchval(f"SELECT count(*) FROM {_quoted(name)}"))
    return None


async def _ebranch_tables(conn: asyncpg.Connection, source: dict[str, list[str]], *, migrated: bool) -> list[str]:
    """The target's tables that are ebranch's: all but schema_version once it has the schema, else the source's."""
    present = [
        str(row[0])
        for row in await conn.fetch(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename"
        )
    ]
    if migrated:
        return [name for name in present if name != "schema_version"]
    return [name for name in present if name in source]


async def _connect(url: str, shown: str) -> asyncpg.Connection:
    """A connection of its own for the copy (no statement timeout: a city's claims take a while)."""
    try:
        return await asyncpg.connect(url, command_timeout=None)
    except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as error:
        raise CopyRefused("copydb.target_unusable", target=shown, reason=reason(str(error))) from error


async def _prepare_target(url: str, shown: str, source: dict[str, list[str]], latest: int) -> int:
    """Refuse a target newer than the code or holding data (before changing anything); migrate it; its version."""
    conn = await _connect(url, shown)
    try:
        version = await _target_version(conn)
        if version is not None and version > latest:
            raise CopyRefused("copydb.target_too_new", target=shown, version=version, latest=latest)
        full = await _holding(conn, await _ebranch_tables(conn, source, migrated=version is not None))
        if full is not None:
            raise CopyRefused("copydb.target_not_empty", target=shown, table=full[0], rows=full[1])
    finally:
        await conn.close()
    db = await open_postgres(url, migrate=False)
    try:
        await db.migrate()
        return await db.schema_version()
    finally:
        await db.close()


async def _target_columns(conn: asyncpg.Connection) -> dict[str, list[_Column]]:
    rows = await conn.fetch(
        "SELECT table_name, column_name, data_type, is_identity FROM information_schema.columns"
        " WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position"
    )
    columns: dict[str, list[_Column]] = {}
    for row in rows:
        columns.setdefault(str(row[0]), []).append(_Column(str(row[1]), str(row[2]), row[3] == "YES"))
    return columns


async def _foreign_keys(conn: asyncpg.Connection) -> list[tuple[str, str]]:
    rows = await conn.fetch(
        "SELECT child.relname, parent.relname FROM pg_constraint k"
        " JOIN pg_class child ON child.oid = k.conrelid JOIN pg_class parent ON parent.oid = k.confrelid"
        " JOIN pg_namespace n ON n.oid = child.relnamespace"
        " WHERE k.contype = 'f' AND n.nspname = current_schema()"
    )
    return [(str(row[0]), str(row[1])) for row in rows]


def copy_order(tables: Sequence[str], references: Sequence[tuple[str, str]]) -> list[str]:
    """The tables ordered so each comes after every table it references (names sorted among equals)."""
    wanted = set(tables)
    needs = {name: {parent for child, parent in references if child == name and parent != name} for name in tables}
    order: list[str] = []
    while needs:
        ready = sorted(name for name, parents in needs.items() if not (parents & wanted) - set(order))
        if not ready:
            raise RuntimeError(f"the foreign keys of {sorted(needs)} form a cycle")
        order += ready
        for name in ready:
            del needs[name]
    return order


def _converter(kind: str) -> Callable[[Any], Any]:
    """How a SQLite value becomes what the PostgreSQL column takes (SQLite's affinities let a few types drift)."""
    if kind in _INTEGERS:
        return lambda v: int(v) if isinstance(v, float | str) and v == v else v
    if kind in _FLOATS:
        return lambda v: float(v) if isinstance(v, int | str) and not isinstance(v, bool) else v
    if kind in _TEXTS:
        return lambda v: v if v is None or isinstance(v, str) else str(v)
    return lambda v: v


async def _records(db: Database, table: str, columns: Sequence[_Column]) -> AsyncIterator[tuple[Any, ...]]:
    """The source table's rows in id (rowid) order, converted, read in batches."""
    convert = [_converter(column.kind) for column in columns]
    names = ", ".join(_quoted(column.name) for column in columns)
    order = " ORDER BY rowid" if await _has_rowid(db, table) else ""
    async with db.conn.execute(f"SELECT {names} FROM {_quoted(table)}{order}") as cursor:
        while batch := await cursor.fetchmany(BATCH):
            for row in batch:
                yield tuple(f(value) for f, value in zip(convert, row, strict=True))


async def _has_rowid(db: Database, table: str) -> bool:
    found = await db.conn.execute_fetchall(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ? AND sql LIKE '%WITHOUT ROWID%'", (table,)
    )
    return not found


async def _count(db: Database, table: str) -> int:
    rows = list(await db.conn.execute_fetchall(f"SELECT count(*) FROM {_quoted(table)}"))
    return int(rows[0][0])


async def _copy_all(db: Database, url: str, shown: str, source: dict[str, list[str]]) -> tuple[TableCopied, ...]:
    """Every table in one transaction: lock, check empty, copy, restart identities, check; rolled back on failure."""
    conn = await _connect(url, shown)
    try:
        target = await _target_columns(conn)
        missing = sorted(set(source) - set(target))
        if missing:
            raise CopyRefused("copydb.tables_differ", target=shown, tables=", ".join(missing))
        for name, ours in source.items():
            theirs = {column.name for column in target[name]}
            if set(ours) != theirs:
                detail = ", ".join(sorted(set(ours) ^ theirs))
                raise CopyRefused("copydb.columns_differ", table=name, columns=detail)
        order = copy_order(sorted(source), await _foreign_keys(conn))
        ebranch = [name for name in target if name != "schema_version"]
        table = order[0]
        try:
            async with conn.transaction():
                await conn.execute(f"LOCK TABLE {', '.join(map(_quoted, ebranch))} IN EXCLUSIVE MODE")
                full = await _holding(conn, ebranch)
                if full is not None:
                    raise CopyRefused("copydb.target_not_empty", target=shown, table=full[0], rows=full[1])
                for table in order:
                    columns = target[table]
                    await conn.copy_records_to_table(
                        table, records=_records(db, table, columns), columns=[c.name for c in columns]
                    )
                for table in order:
                    await _restart_identities(conn, table, target[table])
                result = await _check(db, conn, shown, order)
        except (asyncpg.PostgresError, ValueError, TypeError) as error:
            raise CopyRefused("copydb.failed", table=table, target=shown, reason=str(error).strip()) from error
    finally:
        await conn.close()
    return result


async def _restart_identities(conn: asyncpg.Connection, table: str, columns: Sequence[_Column]) -> None:
    """Each identity column continues after the highest id copied (ALTER ... RESTART rolls back with the copy)."""
    for column in columns:
        if not column.identity:
            continue
        highest = await conn.fetchval(f"SELECT max({_quoted(column.name)}) FROM {_quoted(table)}")
        await conn.execute(
            f"ALTER TABLE {_quoted(table)} ALTER COLUMN {_quoted(column.name)} RESTART WITH {int(highest or 0) + 1}"
        )


async def _check(db: Database, conn: asyncpg.Connection, shown: str, order: Sequence[str]) -> tuple[TableCopied, ...]:
    """Rows per table as in the source, and the over-fill invariant, in the target before it commits."""
    copied = []
    for table in order:
        mine = await _count(db, table)
        theirs = int(await conn.fetchval(f"SELECT count(*) FROM {_quoted(table)}"))
        if mine != theirs:
            raise CopyRefused("copydb.count_mismatch", table=table, source=mine, target=theirs)
        copied.append(TableCopied(table, mine, theirs))
    active = ", ".join(f"'{status}'" for status in ACTIVE)
    over = await conn.fetchrow(
        f"SELECT w.id, w.slots, count(*) AS n FROM wishes w JOIN claims c ON c.wish_id = w.id"
        f" WHERE c.status IN ({active}) GROUP BY w.id, w.slots HAVING count(*) > w.slots ORDER BY w.id LIMIT 1"
    )
    if over is not None:
        raise CopyRefused("copydb.overfilled", wish=over[0], claims=over[2], slots=over[1])
    double = await conn.fetchrow(
        f"SELECT wish_id, member_id, count(*) FROM claims WHERE status IN ({active})"
        " GROUP BY wish_id, member_id HAVING count(*) > 1 ORDER BY wish_id, member_id LIMIT 1"
    )
    if double is not None:
        raise CopyRefused("copydb.double_claim", wish=double[0], member=double[1], claims=double[2])
    return tuple(copied)
