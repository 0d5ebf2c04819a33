"""Migration 0018: cards show a wish or a pairing's visit; an older database keeps every card, id and link."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from storage.sqlite import available_migrations, open_database
from tests.test_migration_branches_without_chat import NOW, _database_at, _fill


async def test_an_old_database_keeps_its_cards_and_a_card_then_shows_a_wish_or_a_visit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "old.sqlite3"
    await _database_at(path, 16, monkeypatch)
    _fill(path)
    with sqlite3.connect(path) as conn:
        conn.execute(
            "INSERT INTO cards (id, wish_id, platform, chat_id, message_id, kind, rendered_version, created_at,"
            " viewer_id, notice) VALUES (7, 4, 'telegram', '-300', '11', 'group', 2, ?, 3, NULL)",
            (NOW,),
        )
        conn.execute("INSERT INTO card_wishes (card_id, wish_id, seen_version) VALUES (7, 4, 2)")
        before = conn.execute("SELECT * FROM cards ORDER BY id").fetchall()

    db = await open_database(path)
    await db.close()

    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA foreign_keys = ON")
        assert [row[:13] for row in conn.execute("SELECT * FROM cards ORDER BY id")] == before
        assert conn.execute("SELECT card_id FROM card_wishes").fetchall() == [(7,)]
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        assert conn.execute("SELECT max(version) FROM schema_version").fetchone() == (available_migrations()[-1][0],)
        conn.execute(
            "INSERT INTO pairings (id, branch_id, member_id, alias, rhythm, started_on, next_due, created_at)"
            " VALUES (1, 9, 3, '王奶奶', 'monthly', '2026-11-23', '2026-12-23', ?)",
            (NOW,),
        )
        conn.execute(
            "INSERT INTO pairing_visits (id, pairing_id, member_id, visited_on, hours, created_at)"
            " VALUES (2, 1, 3, '2026-11-23', 1.5, ?)",
            (NOW,),
        )
        conn.execute(
            "INSERT INTO cards (wish_id, visit_id, platform, chat_id, message_id, kind, created_at)"
            " VALUES (NULL, 2, 'telegram', '3', '12', 'visit_review', ?)",
            (NOW,),
        )
        assert conn.execute("SELECT version FROM pairing_visits").fetchone() == (1,)
        with pytest.raises(sqlite3.IntegrityError):
            conn.execute(
                "INSERT INTO cards (wish_id, visit_id, platform, chat_id, message_id, kind, created_at)"
                " VALUES (NULL, NULL, 'telegram', '3', '13', 'group', ?)",
                (NOW,),
            )
