"""Migration 0008: a branch may have no chat yet; an older database keeps every row, id, constraint and key."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from storage.sqlite import Database, available_migrations, open_database

NOW = "2026-11-23T02:00:00+00:00"


async def _database_at(path: Path, version: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """A database as an older ebranch left it: migrations up to ``version`` only."""
    older = [m for m in available_migrations() if m[0] <= version]
    with monkeypatch.context() as patched:
        patched.setattr("storage.sqlite.available_migrations", lambda: older)
        db = await open_database(path)
        await db.close()


def _fill(path: Path) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("INSERT INTO committees (id, name, created_at) VALUES (1, '南湖区e党委', ?)", (NOW,))
        conn.execute(
            "INSERT INTO branches (id, committee_id, name, chat_platform, chat_id, thread_id, active,"
            " done_counts_as_served, created_at) VALUES (5, 1, '幸福里e支部', 'telegram', '-200', NULL, 1, 1, ?),"
            " (9, 1, '和平里e支部', 'telegram', '-300', '77', 0, 0, ?)",
            (NOW, NOW),
        )
        conn.execute("INSERT INTO members (id, name, home_branch_id, created_at) VALUES (3, '张伟', 5, ?)", (NOW,))
        conn.execute("INSERT INTO branch_secretaries VALUES (9, 3, ?)", (NOW,))
        conn.execute(
            "INSERT INTO wishes (id, branch_id, title, slots, created_by, created_at) VALUES (4, 9, '买年货', 2, 3, ?)",
            (NOW,),
        )


async def test_an_old_database_keeps_its_branches_and_their_links_and_branches_may_then_have_no_chat(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "old.sqlite3"
    await _database_at(path, 6, monkeypatch)
    _fill(path)
    with sqlite3.connect(path) as conn:
        before = conn.execute("SELECT * FROM branches ORDER BY id").fetchall()

    db = await open_database(path)
    await db.close()

    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA foreign_keys = ON")
        assert conn.execute("SELECT * FROM branches ORDER BY id").fetchall() == before
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("SELECT max(version) FROM schema_version").fetchone() == (available_migrations()[-1][0],)
        conn.execute("INSERT INTO branches (committee_id, name, created_at) VALUES (1, '长水e支部', ?)", (NOW,))
        conn.execute("INSERT INTO branches (committee_id, name, created_at) VALUES (1, '东栅e支部', ?)", (NOW,))
        assert conn.execute("SELECT count(*) FROM branches WHERE chat_id IS NULL").fetchone() == (2,)
        refused = [
            "INSERT INTO branches (committee_id, name, chat_platform, chat_id, created_at)"
            " VALUES (1, '重复群', 'telegram', '-200', '-')",
            "INSERT INTO branches (committee_id, name, created_at) VALUES (1, '幸福里e支部', '-')",
            "INSERT INTO branches (committee_id, name, chat_platform, created_at)"
            " VALUES (1, '半个群', 'telegram', '-')",
            "INSERT INTO branches (committee_id, name, thread_id, created_at) VALUES (1, '话题', '5', '-')",
            "INSERT INTO branches (committee_id, name, created_at) VALUES (42, '无党委', '-')",
            "INSERT INTO members (name, home_branch_id, created_at) VALUES ('无支部', 999, '-')",
        ]
        for statement in refused:
            with pytest.raises(sqlite3.IntegrityError):
                conn.execute(statement)


async def test_foreign_keys_are_on_again_after_migrating(tmp_path: Path) -> None:
    db = await open_database(tmp_path / "e.sqlite3")
    try:
        assert [tuple(row) for row in await db.conn.execute_fetchall("PRAGMA foreign_keys")] == [(1,)]
    finally:
        await db.close()


async def test_a_migration_numbered_below_one_already_applied_is_still_applied(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Migrations written on parallel branches merge in any order: a database that has 0008 still gets 0007."""
    path = tmp_path / "e.sqlite3"
    shipped = available_migrations()
    without = [m for m in shipped if m[0] != 7]
    monkeypatch.setattr("storage.sqlite.available_migrations", lambda: without)
    db = await open_database(path)
    await db.close()
    extra = (7, "0007_merged_later.sql", "CREATE TABLE merged_later (x INTEGER);")
    monkeypatch.setattr("storage.sqlite.available_migrations", lambda: sorted([*without, extra]))

    db = Database(path)
    await db.open()
    try:
        assert await db.migrate() == ["0007_merged_later.sql"]
        assert await db.migrate() == []
    finally:
        await db.close()


async def test_a_migration_that_would_break_a_foreign_key_is_rolled_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "e.sqlite3"
    db = await open_database(path)
    await db.close()
    with sqlite3.connect(path) as conn:
        conn.execute("INSERT INTO committees (id, name, created_at) VALUES (1, '南湖区e党委', ?)", (NOW,))
        conn.execute("INSERT INTO branches (committee_id, name, created_at) VALUES (1, '幸福里e支部', ?)", (NOW,))
    shipped = available_migrations()
    latest = shipped[-1][0]
    bad = (latest + 1, f"{latest + 1:04d}_bad.sql", "DELETE FROM committees;")
    monkeypatch.setattr("storage.sqlite.available_migrations", lambda: [*shipped, bad])

    db = Database(path)
    await db.open()
    try:
        with pytest.raises(sqlite3.IntegrityError, match="branches"):
            await db.migrate()
        assert await db.schema_version() == latest
    finally:
        await db.close()
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT name FROM committees").fetchall() == [("南湖区e党委",)]
