"""Migration 0020: non-responder lists stored (before) as their rendered text lose the text of those already sent,
so no member's name stays in them; a list still waiting and every other entry are kept as they were."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bot.notices.outbox import Envelope, Text, encode
from storage.sqlite import available_migrations, open_database

NOW = "2026-12-03T02:00:00+00:00"
LIST = encode(Envelope(Text("🚨 应急召集 #1：以下 2 名党员经 3 次提醒仍未回复：\n张伟、李娜")))


async def test_the_text_of_lists_already_sent_is_erased_and_nothing_else(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "old.sqlite3"
    older = [m for m in available_migrations() if m[0] < 20]
    with monkeypatch.context() as patched:
        patched.setattr("storage.sqlite.available_migrations", lambda: older)
        await (await open_database(path)).close()
    rows = [
        ("emergency:1:unanswered:5:3", "emergency_unanswered", "sent", LIST),
        ("emergency:1:unanswered:5:4", "emergency_unanswered", "failed", LIST),
        ("emergency:2:unanswered:5:3", "emergency_unanswered", "pending", LIST),
        ("welcome:telegram:9", "welcome", "sent", encode(Envelope(Text("张伟，欢迎")))),
    ]
    with sqlite3.connect(path) as conn:
        conn.executemany(
            "INSERT INTO outbox (dedupe_key, kind, platform, chat_id, payload, status, not_before, created_at)"
            " VALUES (?, ?, 'telegram', '3', ?, ?, ?, ?)",
            [(key, kind, payload, status, NOW, NOW) for key, kind, status, payload in rows],
        )

    await (await open_database(path)).close()

    with sqlite3.connect(path) as conn:
        found = conn.execute("SELECT dedupe_key, status, payload FROM outbox ORDER BY id").fetchall()
    assert [(key, status, payload) for key, status, payload in found] == [
        ("emergency:1:unanswered:5:3", "sent", ""),
        ("emergency:1:unanswered:5:4", "failed", ""),
        ("emergency:2:unanswered:5:3", "pending", LIST),
        ("welcome:telegram:9", "sent", rows[3][3]),
    ]
