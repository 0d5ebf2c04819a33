"""A full disk or a read-only database: every change that cannot be stored is refused with "try again", nothing is
half-stored, and the bot goes on answering; when space comes back, the same change goes through."""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.domain import errors
from bot.domain.model import Account, Committee
from bot.notices.views import describe_error
from bot.ports.clock import ManualClock
from bot.usecases import commands as cmd
from storage.sqlite import open_database
from storage.uow import SqlStore
from tests.conftest import START, wired
from tests.telegram_fixtures import Telegram, api, bot_said, button, telegram

__all__ = ["api", "telegram"]


def _mount(where: Path, *options: str) -> bool:
    where.mkdir(parents=True, exist_ok=True)
    size = ",".join(("size=2m", *options))
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", size, "tmpfs", str(where)], capture_output=True, check=False)
    return done.returncode == 0


@contextlib.contextmanager
def small_disk(where: Path) -> Iterator[bool]:
    """A 2 MB tmpfs at ``where`` when the machine lets us mount one (True), else a plain folder (False)."""
    mounted = _mount(where)
    try:
        yield mounted
    finally:
        if mounted:
            subprocess.run(["umount", "-l", str(where)], check=False)


def _fill(folder: Path) -> Path:
    filler = folder / "filler"
    with contextlib.suppress(OSError), filler.open("wb") as out:
        while True:
            out.write(b"\0" * 65536)
            out.flush()
            os.fsync(out.fileno())
    return filler


async def test_a_full_disk_refuses_the_change_with_try_again_and_takes_it_once_there_is_room(tmp_path: Path) -> None:
    with small_disk(tmp_path / "disk") as mounted:
        db = await open_database(tmp_path / "disk" / "ebranch.sqlite3")
        try:
            store = SqlStore(db)
            app, _ = wired(db, store, ManualClock(START))
            admin = Account("telegram", "1", "区委组织部")
            await app.create_committee(cmd.CreateCommittee(admin, "南湖区e党委", None, by_bot_admin=True))
            if mounted:
                filler = _fill(tmp_path / "disk")
            else:
                await db.conn.execute("PRAGMA max_page_count = 1")
                db._in_place_connection().execute("PRAGMA max_page_count = 1")
            name = "很长的名字" * 300 if not mounted else "和平e党委"

            with pytest.raises(errors.StorageUnavailable) as refused:
                for n in range(200):
                    await app.create_committee(cmd.CreateCommittee(admin, f"{name}{n}", None, by_bot_admin=True))
            assert "请稍后再试" in describe_error(refused.value, "zh")
            assert next(c.name for c in await _committees(store)) == "南湖区e党委", "reads still work"

            if mounted:
                filler.unlink()
            else:
                db._in_place_connection().execute("PRAGMA max_page_count = 1073741823")
            done = await app.create_committee(cmd.CreateCommittee(admin, "月河e党委", None, by_bot_admin=True))
            assert done.committee.name == "月河e党委"
        finally:
            await db.close()


async def _committees(store: SqlStore) -> list[Committee]:
    async with store.read() as unit:
        return list(await unit.committees.all())


@pytest.mark.sqlite_only  # a read-only SQLite file; PostgreSQL's lost connection is tests/test_storage_postgres.py
async def test_on_a_read_only_database_a_command_is_answered_with_try_again(telegram: Telegram) -> None:
    tg = telegram
    await tg.person(10, "张伟")
    tg.world.db._in_place_connection().execute("PRAGMA query_only = ON")
    try:
        await tg.says(tg.people[10], tg.people[10].id, "/lang en")
        answer = await bot_said(tg.api, tg.people[10].id, "请稍后再试")
        assert "没有生效" in (answer.text or "")
    finally:
        tg.world.db._in_place_connection().execute("PRAGMA query_only = OFF")
    await tg.api.user_sends(tg.people[10], tg.people[10].id, "/lang en")
    await bot_said(tg.api, tg.people[10].id, "English")


def test_the_tmpfs_helper_cleans_up(tmp_path: Path) -> None:
    with small_disk(tmp_path / "disk"):
        (tmp_path / "disk" / "x").write_text("x")
    assert not os.path.ismount(tmp_path / "disk")


async def test_starting_on_a_read_only_disk_exits_at_once_with_one_line(tmp_path: Path) -> None:
    with small_disk(tmp_path / "disk") as mounted:
        database = tmp_path / "disk" / "ebranch.sqlite3"
        db = await open_database(database)
        await db.close()
        if mounted:
            remounted = await asyncio.create_subprocess_exec("mount", "-o", "remount,ro", str(tmp_path / "disk"))
            assert await remounted.wait() == 0
        else:
            database.chmod(0o444)
        config = tmp_path / "config.toml"
        config.write_text(f'[general]\ndatabase = "{database}"\n[telegram]\ntoken = "1:abc"\n', encoding="utf-8")
        done = await asyncio.create_subprocess_exec(
            str(Path(sys.executable).with_name("ebranch")), "run", "--config", str(config),
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        _, stderr = await asyncio.wait_for(done.communicate(), timeout=60)
    lines = stderr.decode().strip().splitlines()
    assert done.returncode == 1
    assert len(lines) == 1 and "无法使用数据库" in lines[0] and "Traceback" not in lines[0], lines


def test_starting_on_a_full_disk_exits_at_once_with_one_line(tmp_path: Path) -> None:
    with small_disk(tmp_path / "disk") as mounted:
        if not mounted:
            (tmp_path / "disk" / "ebranch.sqlite3").write_bytes(b"SQLite format 3\0" + b"\xff" * 84)
        else:
            _fill(tmp_path / "disk")
        config = tmp_path / "config.toml"
        config.write_text(f'[general]\ndatabase = "{tmp_path / "disk" / "ebranch.sqlite3"}"\n', encoding="utf-8")
        done = subprocess.run(
            [str(Path(sys.executable).with_name("ebranch")), "migrate", "--config", str(config)],
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "无法使用数据库" in lines[0] and "Traceback" not in done.stderr, done.stderr


@pytest.mark.sqlite_only  # a read-only SQLite file; PostgreSQL's lost connection is tests/test_storage_postgres.py
async def test_a_claim_tap_on_a_read_only_database_is_answered_with_try_again_and_claims_nothing(
    telegram: Telegram,
) -> None:
    tg = telegram
    member = await tg.reported(10, "张伟")
    await tg.api.user_sends(tg.secretary, tg.group, "/wish 帮忙买年货 名额2")
    card = await bot_said(tg.api, tg.group, "已认领 0/2")
    claim = button(card, "认领")
    tg.world.db._in_place_connection().execute("PRAGMA query_only = ON")
    try:
        answer = await (await tg.api.press_button(member, card, claim, seen=[claim])).wait_answer(5.0)
        assert "请稍后再试" in (answer.text or "")
    finally:
        tg.world.db._in_place_connection().execute("PRAGMA query_only = OFF")
    async with tg.world.store.read() as unit:
        assert await unit.claims.count_active(1) == 0
