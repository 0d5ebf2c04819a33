"""The database engine behind the store and the reports (a SQLite file or a PostgreSQL server), and opening one.

``[general] database`` names either; everything above this module sees only :class:`Engine`.
"""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import Any, Literal, Protocol

from storage.dialect import is_postgres_url
from storage.repos.base import Connection


class Engine(Protocol):
    """What the store, the reports and the CLI use of an open database, on either engine."""

    dialect: Literal["sqlite", "postgresql"]
    path: str

    def unit_transaction(self) -> AbstractAsyncContextManager[Connection]:
        """One atomic write transaction for a use case's unit of work."""
        ...

    def unit_read(self) -> AbstractAsyncContextManager[Connection]:
        """Reads of committed data for a use case."""
        ...

    def snapshot(self) -> AbstractAsyncContextManager[Any]:
        """A long read that sees one consistent state (reports)."""
        ...

    async def migrate(self) -> list[str]:
        """Apply the migrations not yet applied; their names."""
        ...

    async def schema_version(self) -> int:
        """The highest migration applied."""
        ...

    async def ping(self) -> None:
        """One round trip to the database; raises when it cannot be reached."""
        ...

    async def close(self) -> None:
        """Close every connection."""
        ...


async def open_engine(database: Path | str, *, migrate: bool = True, pool: int = 10) -> Engine:
    """Open (and migrate) the database a config names: a ``postgresql://`` URL (with a pool of ``pool``
    connections) or a SQLite file."""
    if is_postgres_url(database):
        from storage.postgres import open_postgres

        return await open_postgres(str(database), migrate=migrate, pool_max=pool)
    from storage.sqlite import open_database

    return await open_database(database, migrate=migrate)
