"""`ebranch copy-db`: a SQLite deployment's data copied into PostgreSQL, checked, all or nothing.

The round trip copies a database the demo seeded through the real bot on top of a generated city, and then asks
the use cases and the reports the same questions on both engines. Every target is a database of its own on the
test server, dropped afterwards.
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
import sqlite3
from collections.abc import Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from itertools import count
from pathlib import Path
from typing import Any, TypeVar

import asyncpg
import pytest

from benchmarks.populate import CitySize, generate_city
from bot.cli import main
from bot.demo.app import Demo
from bot.demo.seed import Seeder
from bot.domain.errors import DomainError
from bot.domain.model import Account, ChatRef
from bot.domain.quarters import current_quarter
from bot.ports.clock import ManualClock
from bot.usecases import UseCases
from bot.usecases import commands as cmd
from storage.copy import CopyRefused, copy_database, copy_order
from storage.engine import Engine, open_engine
from storage.postgres import open_postgres
from storage.reports import SqlReports
from storage.sqlite import Database, available_migrations, open_database
from storage.uow import SqlStore
from tests.conftest import SHANGHAI
from tests.pg_server import PostgresServer
from tests.test_cli import one_language

T = TypeVar("T")
CITY = CitySize(branches=6, members=240, claims=1_500, seed=11)
LATEST = available_migrations()[-1][0]
_names = count()


def _in_thread(work: Coroutine[Any, Any, T]) -> T:
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, work).result()


class Targets:
    """Uniquely named, empty databases on the test server, all dropped at the end."""

    def __init__(self, server: PostgresServer) -> None:
        self.server = server
        self.made: list[str] = []

    async def new(self) -> str:
        """A new empty database's URL."""
        name = f"ebranch_copydb_{os.getpid()}_{next(_names)}"
        self.made.append(name)
        return await self.server.create_database(name)

    def new_now(self) -> str:
        """The same, from a test without an event loop."""
        return _in_thread(self.new())

    def drop_all(self) -> None:
        """Drop every database made."""
        for name in self.made:
            _in_thread(self.server.drop_database(name))


@pytest.fixture
def targets(postgres_server: PostgresServer) -> Iterator[Targets]:
    """A maker of target databases for one test."""
    made = Targets(postgres_server)
    yield made
    made.drop_all()


@dataclasses.dataclass(frozen=True)
class Seeded:
    """A SQLite file made by the demo's seeding plus a generated city, and a copy taken while the bot ran."""

    path: Path
    live_rows: dict[str, int]
    live_source_rows: dict[str, int]


_CITY_TABLES = (
    ("committees", "id + :c, name, chat_platform, chat_id, thread_id, created_at"),
    (
        "branches",
        "id + :b, committee_id + :c, name, chat_platform, chat_id, thread_id, active, done_counts_as_served,"
        " created_at",
    ),
    (
        "members",
        "id + :m, name, phone, workplace, workplace_branch, skills, commitment, home_branch_id + :b,"
        " reported_at, left_at, language, nudges_paused_until, created_at",
    ),
    ("accounts", "platform, user_id, member_id + :m, display_name, language, reachable, created_at"),
    ("branch_secretaries", "branch_id + :b, member_id + :m, created_at"),
    (
        "wishes",
        "id + :w, branch_id + :b, title, description, category, slots, team_claim, deadline, urgency, status,"
        " created_by + :m, created_at, closed_at, version, closed_by + :m, deadline_time, expired_at",
    ),
    (
        "claims",
        "id + :k, wish_id + :w, member_id + :m, team_id, status, claimed_at, done_at, hours, note, photo_ref,"
        " rating, confirmed_by + :m, confirmed_at, return_reason, ended_at",
    ),
    (
        "services",
        "member_id + :m, branch_id + :b, served_on, hours, note, wish_id + :w, claim_id + :k, confirmed, rating,"
        " recorded_by + :m, created_at",
    ),
)
_OFFSETS = (("c", "committees"), ("b", "branches"), ("m", "members"), ("w", "wishes"), ("k", "claims"))


def _add_city(database: Path, city: Path) -> None:
    """A generated city written into a live database beside what it holds, its ids moved past the existing ones
    (another writer on the file, as a second process would be)."""
    conn = sqlite3.connect(database, timeout=30, isolation_level=None)
    try:
        conn.execute("ATTACH DATABASE ? AS city", (str(city),))
        conn.execute("BEGIN IMMEDIATE")
        offsets = {key: conn.execute(f"SELECT coalesce(max(id), 0) FROM main.{t}").fetchone()[0] for key, t in _OFFSETS}
        for table, select in _CITY_TABLES:
            names = [part.split(" + ")[0].strip() for part in select.split(",")]
            conn.execute(f"INSERT INTO main.{table} ({', '.join(names)}) SELECT {select} FROM city.{table}", offsets)
        conn.execute("COMMIT")
        conn.execute("DETACH DATABASE city")
    finally:
        conn.close()


def _backup(source: Path, target: Path) -> None:
    incoming = sqlite3.connect(source)
    try:
        destination = sqlite3.connect(target)
        try:
            incoming.backup(destination)
        finally:
            destination.close()
    finally:
        incoming.close()


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory, postgres_server: PostgresServer) -> Iterator[Seeded]:
    """The demo seeded through the running bot, a generated city added beside it, and copy-db run while the bot
    still runs; the file is kept (as a backup) when the demo stops."""
    folder = tmp_path_factory.mktemp("copydb")
    city = folder / "city.sqlite3"
    generate_city(city, CITY)
    path = folder / "seeded.sqlite3"
    live = Targets(postgres_server)

    async def build() -> Seeded:
        async with Demo(port=0) as demo:
            assert demo.core is not None
            running = Path(demo.core.config.database)
            await asyncio.to_thread(_add_city, running, city)
            report = await copy_database(running, await live.new())
            await demo.settle()
            await asyncio.to_thread(_backup, running, path)
        rows = {t.name: t.target_rows for t in report.tables}
        return Seeded(path, rows, {t.name: t.source_rows for t in report.tables})

    try:
        yield _in_thread(build())
    finally:
        live.drop_all()


async def _table_rows(db: Database, table: str) -> int:
    async with db.snapshot() as conn:
        return int(next(iter(await conn.execute_fetchall(f"SELECT count(*) FROM {table}")))[0])


async def _answers(db: Engine, now: datetime) -> dict[str, Any]:
    """What the bot's reports and use cases answer on a database, at one instant."""
    store = SqlStore(db)
    reports = SqlReports(db)
    app = UseCases(store, ManualClock(now), SHANGHAI, reports=reports)
    quarter = current_quarter(now, SHANGHAI)
    out: dict[str, Any] = {}
    async with store.read() as unit:
        committees = await unit.committees.all()
        branches = [b for c in committees for b in await unit.branches.of_committee(c.id)]
    out["committees"] = committees
    out["branches"] = branches
    today = now.astimezone(SHANGHAI).date()
    for committee in committees:
        for weeks_back in (0, 1, 2, 6, 20, 40):
            end = today - timedelta(days=today.weekday() + 7 * weeks_back)
            start = end - timedelta(days=7)
            q_start = current_quarter(datetime(start.year, start.month, start.day, 12, tzinfo=SHANGHAI), SHANGHAI)
            stats = await reports.branch_stats(committee.id, q_start.start, start, end, SHANGHAI)
            out[f"digest {committee.id} {end}"] = stats
        ledger = await reports.ledger(committee.id, None, now, SHANGHAI)
        out[f"ledger {committee.id}"] = (
            ledger.committee_name,
            await asyncio.to_thread(list, ledger.members),
            await asyncio.to_thread(list, ledger.wishes),
            await asyncio.to_thread(list, ledger.services),
        )
        out[f"feedback {committee.id}"] = await reports.workplace_feedback(
            committee.id, quarter.start, quarter.end, "q", now
        )
    for branch in branches:
        out[f"wishes {branch.id}"] = await app.wish_lists(branch.id)
        out[f"open {branch.id}"] = await app.open_wishes(branch.id)
    for person in Seeder.everyone():
        try:
            out[f"me {person.id}"] = await app.my_quarter(person.account())
        except DomainError as refused:
            out[f"me {person.id}"] = type(refused).__name__
    out["nudges"] = [page async for page in reports.nudge_candidates(quarter.start, quarter.end, now, batch=100)]
    out["unclaimed"] = await reports.unclaimed_wishes(now - timedelta(days=2))
    out["overdue"] = await reports.overdue_claims(today)
    return out


async def test_the_seeded_demo_and_city_answer_the_same_on_postgresql(seeded: Seeded, targets: Targets) -> None:
    url = await targets.new()
    report = await copy_database(seeded.path, url)
    assert (report.source_version, report.version) == (LATEST, LATEST)
    source = await open_database(seeded.path)
    target = await open_engine(url)
    try:
        for table in report.tables:
            assert table.source_rows == table.target_rows == await _table_rows(source, table.name)
        rows = {t.name: t.target_rows for t in report.tables}
        for name in ("members", "wishes", "claims", "services", "outbox", "cards", "audit_log"):
            assert rows[name] > 0, name
        assert rows["members"] > CITY.members and rows["claims"] > CITY.claims
        now = datetime.now(UTC)
        mine, theirs = await _answers(source, now), await _answers(target, now)
        assert mine.keys() == theirs.keys()
        for key in mine:
            assert mine[key] == theirs[key], key
        assert any(s.wishes_posted for k, v in mine.items() if k.startswith("digest") for s in v)
        assert len(mine["ledger 1"][1]) >= 20 and len(mine["ledger 2"][1]) >= CITY.members * 0.9 and mine["nudges"]
    finally:
        await source.close()
        await target.close()


async def test_a_copy_taken_while_the_bot_ran_is_complete_and_consistent(seeded: Seeded) -> None:
    assert seeded.live_rows == seeded.live_source_rows
    assert seeded.live_rows["claims"] > CITY.claims and seeded.live_rows["outbox"] > 0


async def test_new_rows_on_postgresql_get_fresh_ids(seeded: Seeded, targets: Targets) -> None:
    url = await targets.new()
    await copy_database(seeded.path, url)
    target = await open_engine(url)
    try:
        store = SqlStore(target)
        before = {t: await _max_id(target, t) for t in ("committees", "members", "audit_log", "outbox", "wishes")}
        app = UseCases(store, ManualClock(datetime.now(UTC)), SHANGHAI, reports=SqlReports(target))
        admin = Account("telegram", "424242", "新党委管理员")
        committee = await app.create_committee(
            cmd.CreateCommittee(admin, "新城区e党委", ChatRef("telegram", "-4242"), by_bot_admin=True)
        )
        created = await app.create_branch(
            cmd.CreateBranch(
                admin, "新城e支部", ChatRef("telegram", "-4243"), committee.committee.id, by_bot_admin=True
            )
        )
        branch = created.branch  # type: ignore[union-attr]
        await app.report_in(cmd.ReportIn(admin, branch.id, "新书记", "新城社区", "社区党委", (), "服务居民"))
        posted = await app.post_wish(cmd.PostWish(admin, branch.id, "帮独居老人买菜 名额2"))
        wish_id = posted.view.wish.id  # type: ignore[union-attr]
        assert await _max_id(target, "committees") == before["committees"] + 1
        assert await _max_id(target, "members") == before["members"] + 1
        assert wish_id == before["wishes"] + 1
        assert await _max_id(target, "audit_log") > before["audit_log"]
        assert await _max_id(target, "outbox") > before["outbox"]
    finally:
        await target.close()


async def _max_id(db: Engine, table: str) -> int:
    async with db.snapshot() as conn:
        return int(next(iter(await conn.execute_fetchall(f"SELECT max(id) FROM {table}")))[0])


async def test_a_copy_while_claims_are_written_sees_one_consistent_moment(tmp_path: Path, targets: Targets) -> None:
    path = tmp_path / "live.sqlite3"
    source = await open_database(path)
    clock = ManualClock(datetime(2026, 11, 23, 10, 0, tzinfo=SHANGHAI))
    app = UseCases(SqlStore(source), clock, SHANGHAI, reports=SqlReports(source))
    admin, secretary = Account("telegram", "1", "管理员"), Account("telegram", "2", "王书记")
    await app.create_committee(
        cmd.CreateCommittee(admin, "南湖区e党委", ChatRef("telegram", "-100"), by_bot_admin=True)
    )
    branch = (
        await app.create_branch(
            cmd.CreateBranch(secretary, "幸福里e支部", ChatRef("telegram", "-200"), None, by_bot_admin=True)
        )
    ).branch  # type: ignore[union-attr]
    await app.report_in(cmd.ReportIn(secretary, branch.id, "王书记", "社区", "社区党委", (), "服务居民"))
    wishes = []
    for i in range(30):
        posted = await app.post_wish(cmd.PostWish(secretary, branch.id, f"第{i}件微心愿 帮忙买菜 名额60"))
        wishes.append(posted.view.wish.id)  # type: ignore[union-attr]
    members = []
    for i in range(60):
        account = Account("telegram", str(1000 + i), f"党员{i:02d}")
        await app.report_in(cmd.ReportIn(account, branch.id, f"党员{i:02d}", "市税务局", "第三党支部", (), "服务"))
        members.append(account)
    copying = asyncio.Event()
    stop = asyncio.Event()

    async def claim_away() -> int:
        claimed = 0
        for wish in wishes:
            for account in members:
                if stop.is_set():
                    return claimed
                await app.claim(cmd.ClaimWish(account, wish))
                claimed += 1
                if claimed == 50:
                    copying.set()
        return claimed

    writer = asyncio.create_task(claim_away())
    started = asyncio.create_task(copying.wait())
    await asyncio.wait([writer, started], return_when=asyncio.FIRST_COMPLETED)
    assert not writer.done(), writer.result()
    before = await _table_rows(source, "claims")
    url = await targets.new()
    report = await copy_database(path, url)
    after = await _table_rows(source, "claims")
    stop.set()
    await writer
    await source.close()
    copied = {t.name: t.target_rows for t in report.tables}
    assert before <= copied["claims"] <= after
    conn = await asyncpg.connect(url)
    try:
        audited = await conn.fetchval("SELECT count(*) FROM audit_log WHERE action = 'claim.create'")
        unmatched = await conn.fetchval(
            "SELECT count(*) FROM claims c WHERE NOT EXISTS (SELECT 1 FROM audit_log a"
            " WHERE a.action = 'claim.create' AND a.entity_id = c.id)"
        )
    finally:
        await conn.close()
    assert audited == copied["claims"] and unmatched == 0


async def test_a_target_holding_data_is_refused_and_left_untouched(seeded: Seeded, targets: Targets) -> None:
    url = await targets.new()
    db = await open_postgres(url)
    async with db.unit_transaction() as conn:
        await conn.execute_fetchall("INSERT INTO job_runs (job, last_run) VALUES ('digest', '2026-11-23T00:00:00Z')")
    await db.close()
    before = await _dump(url)
    with pytest.raises(CopyRefused) as refused:
        await copy_database(seeded.path, url)
    assert refused.value.key == "copydb.target_not_empty"
    assert refused.value.args_map["table"] == "job_runs" and refused.value.args_map["rows"] == 1
    assert await _dump(url) == before


async def test_a_target_filled_by_an_earlier_copy_is_refused(seeded: Seeded, targets: Targets) -> None:
    url = await targets.new()
    await copy_database(seeded.path, url)
    before = await _dump(url)
    with pytest.raises(CopyRefused) as refused:
        await copy_database(seeded.path, url)
    assert refused.value.key == "copydb.target_not_empty"
    assert await _dump(url) == before


async def _dump(url: str) -> dict[str, Any]:
    """Every table's rows and every identity's next value: what "untouched" means."""
    conn = await asyncpg.connect(url)
    try:
        tables = [r[0] for r in await conn.fetch("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")]
        out: dict[str, Any] = {t: sorted(map(tuple, await conn.fetch(f'SELECT * FROM "{t}"'))) for t in tables}
        sequences = await conn.fetch("SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public'")
        out["sequences"] = sorted(map(tuple, sequences))
        return out
    finally:
        await conn.close()


async def test_a_source_newer_than_the_code_is_refused(tmp_path: Path, targets: Targets) -> None:
    path = tmp_path / "newer.sqlite3"
    await (await open_database(path)).close()
    with sqlite3.connect(path) as raw:
        raw.execute("INSERT INTO schema_version VALUES (9999, '9999_from_the_future.sql', '2030-01-01')")
    url = await targets.new()
    with pytest.raises(CopyRefused) as refused:
        await copy_database(path, url)
    assert refused.value.key == "copydb.source_too_new"
    assert refused.value.args_map["version"] == 9999
    conn = await asyncpg.connect(url)
    try:
        assert await conn.fetchval("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'") == 0
    finally:
        await conn.close()


async def test_an_older_source_is_migrated_on_the_way_and_left_as_it_was(tmp_path: Path, targets: Targets) -> None:
    path = tmp_path / "older.sqlite3"
    old = Database(path)
    await old.open()
    await old.schema_version()
    for version, name, sql in available_migrations()[:-1]:
        await old._apply(version, name, sql)
    await old.conn.execute(
        "INSERT INTO committees (name, chat_platform, chat_id, created_at) VALUES ('老党委', 'telegram', '-1', 'x')"
    )
    older = await old.schema_version()
    await old.close()
    url = await targets.new()
    report = await copy_database(path, url)
    assert report.upgraded and (report.source_version, report.version) == (older, LATEST)
    assert {t.name: t.target_rows for t in report.tables}["committees"] == 1
    with sqlite3.connect(path) as raw:
        assert raw.execute("SELECT max(version) FROM schema_version").fetchone()[0] == older


async def test_an_over_filled_source_is_refused_and_the_target_stays_empty(tmp_path: Path, targets: Targets) -> None:
    for status, key in (("done", "copydb.overfilled"), ("claimed", "copydb.failed")):
        path = tmp_path / f"overfilled_{status}.sqlite3"
        await (await open_database(path)).close()
        with sqlite3.connect(path) as raw:
            raw.execute("DROP TRIGGER claims_never_overfill")
            raw.execute("INSERT INTO committees (id, name, created_at) VALUES (1, '党委', 'x')")
            raw.execute(
                "INSERT INTO branches (id, committee_id, name, chat_platform, chat_id, created_at)"
                " VALUES (1, 1, '支部', 'telegram', '-2', 'x')"
            )
            raw.executemany(
                "INSERT INTO members (id, name, created_at) VALUES (?, ?, 'x')", [(1, "甲"), (2, "乙"), (3, "丙")]
            )
            raw.execute(
                "INSERT INTO wishes (id, branch_id, title, slots, created_by, created_at)"
                " VALUES (7, 1, '心愿', 1, 1, 'x')"
            )
            raw.executemany(
                "INSERT INTO claims (wish_id, member_id, status, claimed_at) VALUES (7, ?, ?, 'x')",
                [(2, status), (3, status)],
            )
        url = await targets.new()
        with pytest.raises(CopyRefused) as refused:
            await copy_database(path, url)
        assert refused.value.key == key, refused.value
        if key == "copydb.overfilled":
            assert (refused.value.args_map["wish"], refused.value.args_map["claims"]) == (7, 2)
        conn = await asyncpg.connect(url)
        try:
            for table in ("committees", "branches", "members", "wishes", "claims"):
                assert await conn.fetchval(f"SELECT count(*) FROM {table}") == 0, table
            assert (
                await conn.fetchval("INSERT INTO committees (name, created_at) VALUES ('新', 'x') RETURNING id") == 1
            ), "the identities were restored with the rollback"
        finally:
            await conn.close()


def test_tables_are_copied_after_the_tables_they_reference() -> None:
    order = copy_order(
        ["claims", "wishes", "members", "branches"],
        [
            ("claims", "wishes"),
            ("claims", "members"),
            ("wishes", "branches"),
            ("members", "branches"),
            ("wishes", "members"),
            ("members", "members"),
        ],
    )
    assert order == ["branches", "members", "wishes", "claims"]
    with pytest.raises(RuntimeError):
        copy_order(["a", "b"], [("a", "b"), ("b", "a")])


# ------------------------------------------------------------------ the command


def _config(folder: Path, locale: str, database: str) -> Path:
    path = folder / f"config_{locale}.toml"
    path.write_text(
        f'[general]\ndatabase = "{database}"\nlocale = "{locale}"\n\n[telegram]\nenabled = false\n', encoding="utf-8"
    )
    return path


_TABLES = tuple(
    sorted(
        "committees branches members accounts activity_branches branch_secretaries committee_admins teams"
        " team_members wishes claims waitlist services audit_log cards card_wishes outbox processed_events drafts"
        " job_runs conversations pairings"
        " member_emergency_posts emergencies emergency_calls emergency_messages"
        " signin_codes checkins checkin_failures certificate_keys certificates corrections"
        " points_spent branch_grid_workers".split(),
        key=len,
        reverse=True,
    )
)


def _one_language(text: str, locale: str) -> None:
    for technical in ("copy-db", "PostgreSQL", "--from", "--to"):
        text = text.replace(technical, "")
    one_language(text, locale, names=_TABLES)


@pytest.mark.parametrize("locale", ["zh", "en"])
def test_copy_db_copies_the_configured_database_and_says_what_it_did(
    locale: str, seeded: Seeded, targets: Targets, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = _config(tmp_path, locale, str(seeded.path))
    url = targets.new_now()
    assert main(["copy-db", "--config", str(config), "--to", url]) == 0
    out = capsys.readouterr().out
    _one_language(out, locale)
    assert str(seeded.path) in out and url in out
    lines = out.splitlines()
    rows = "行" if locale == "zh" else "rows"
    for table in ("claims", "wishes", "members", "outbox"):
        assert any(line.strip().startswith(table) and rows in line for line in lines), (table, out)
    assert ("[general] database" in out) and ("docs/deploy.md" in out)

    assert main(["copy-db", "--config", str(config), "--to", url]) == 1
    err = capsys.readouterr().err
    _one_language(err, locale)
    assert ("已经有数据" if locale == "zh" else "already holds data") in err


@pytest.mark.parametrize("locale", ["zh", "en"])
def test_copy_db_refusals_say_what_to_do(
    locale: str, seeded: Seeded, targets: Targets, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = targets.new_now()
    config = _config(tmp_path, locale, str(seeded.path))
    assert main(["copy-db", "--config", str(config), "--to", str(tmp_path / "other.sqlite3")]) == 2
    err = capsys.readouterr().err
    _one_language(err, locale)
    assert "postgresql://" in err

    on_postgres = _config(tmp_path, locale, url)
    assert main(["copy-db", "--config", str(on_postgres), "--to", url]) == 2
    err = capsys.readouterr().err
    _one_language(err, locale)
    assert "--from" in err

    missing = tmp_path / "missing.sqlite3"
    assert main(["copy-db", "--config", str(config), "--from", str(missing), "--to", url]) == 1
    err = capsys.readouterr().err
    _one_language(err, locale)
    assert str(missing) in err and not missing.exists()

    notes = tmp_path / "notes.sqlite3"
    notes.write_text("not a database, only notes\n" * 100, encoding="utf-8")
    assert main(["copy-db", "--config", str(config), "--from", str(notes), "--to", url]) == 1
    err = capsys.readouterr().err
    _one_language(err, locale)
    assert ("不是数据库" if locale == "zh" else "not a database") in err

    password = url.replace("postgresql://postgres@", "postgresql://postgres:s3cret-pw@")
    newer = tmp_path / "newer.sqlite3"
    _in_thread(_newer_than_the_code(newer))
    assert main(["copy-db", "--config", str(config), "--from", str(newer), "--to", password]) == 1
    captured = capsys.readouterr()
    _one_language(captured.err, locale)
    assert "9999" in captured.err and "s3cret-pw" not in captured.out + captured.err


async def _newer_than_the_code(path: Path) -> None:
    await (await open_database(path)).close()
    with sqlite3.connect(path) as raw:
        raw.execute("INSERT INTO schema_version VALUES (9999, '9999_from_the_future.sql', '2030-01-01')")


def test_copy_db_is_in_the_help(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["copy-db", "--help"])
    out = capsys.readouterr().out
    assert "--from" in out and "--to" in out and "PostgreSQL" in out
