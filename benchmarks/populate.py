"""Benchmark-only data generation: bulk SQL straight into a database migrated with the real schema."""

from __future__ import annotations

import asyncio
import random
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from storage.sqlite import open_database

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # Monday 10:00 in Shanghai, like the tests' clock
FIRST_USER_ID = 10_000_000
SKILLS = ('["政策宣讲"]', '["矛盾调解"]', '["医疗"]', '["法律"]', '["维修"]', '["助老"]', "[]")
WORKPLACES = ("市税务局", "市第一中学", "区人民医院", "市供电公司", "区法院", "市图书馆")


def ts(value: datetime) -> str:
    """The storage layer's timestamp text."""
    return value.isoformat()


def migrate(path: Path) -> None:
    """Create (or upgrade) the database at ``path`` with every shipped migration."""

    async def run() -> None:
        db = await open_database(path)
        await db.close()

    asyncio.run(run())


def connect(path: Path) -> sqlite3.Connection:
    """A plain sqlite3 connection with the bot's pragmas, in autocommit mode."""
    conn = sqlite3.connect(str(path), isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


@dataclass
class BranchWorld:
    """One committee, one branch bound to a group chat, its secretary, reported-in members and open wishes."""

    committee_id: int
    branch_id: int
    group_chat_id: int
    secretary_user_id: int
    member_user_ids: list[int] = field(default_factory=list)
    member_ids: list[int] = field(default_factory=list)
    wish_ids: list[int] = field(default_factory=list)


def seed_branch(
    path: Path, *, members: int, wishes: int = 0, slots: int = 1, group_chat_id: int = -1001
) -> BranchWorld:
    """Migrate ``path`` and add a branch with ``members`` reported-in members and ``wishes`` open wishes."""
    migrate(path)
    conn = connect(path)
    now = ts(NOW)
    conn.execute("BEGIN")
    committee_id = conn.execute(
        "INSERT INTO committees (name, chat_platform, chat_id, created_at)"
        " VALUES ('南湖区e党委', 'telegram', '-100', ?)",
        (now,),
    ).lastrowid
    branch_id = conn.execute(
        "INSERT INTO branches (committee_id, name, chat_platform, chat_id, created_at)"
        " VALUES (?, '幸福里e支部', 'telegram', ?, ?)",
        (committee_id, str(group_chat_id), now),
    ).lastrowid
    assert committee_id is not None and branch_id is not None
    world = BranchWorld(committee_id, branch_id, group_chat_id, FIRST_USER_ID - 1)
    secretary = _member(conn, "王书记", branch_id, world.secretary_user_id, now)
    conn.execute(
        "INSERT INTO branch_secretaries (branch_id, member_id, created_at) VALUES (?, ?, ?)",
        (branch_id, secretary, now),
    )
    for index in range(members):
        user_id = FIRST_USER_ID + index
        world.member_ids.append(_member(conn, f"党员{index:05d}", branch_id, user_id, now))
        world.member_user_ids.append(user_id)
    for index in range(wishes):
        wish_id = conn.execute(
            "INSERT INTO wishes (branch_id, title, slots, created_by, created_at) VALUES (?, ?, ?, ?, ?)",
            (branch_id, f"应急值守第{index + 1}组", slots, secretary, now),
        ).lastrowid
        assert wish_id is not None
        world.wish_ids.append(wish_id)
    conn.execute("COMMIT")
    conn.close()
    return world


def _member(conn: sqlite3.Connection, name: str, branch_id: int, user_id: int, now: str) -> int:
    member_id = conn.execute(
        "INSERT INTO members (name, workplace, workplace_branch, commitment, home_branch_id, reported_at, language,"
        " created_at) VALUES (?, '市税务局', '第三党支部', '每月服务一次', ?, ?, 'zh', ?)",
        (name, branch_id, now, now),
    ).lastrowid
    assert member_id is not None
    conn.execute(
        "INSERT INTO accounts (platform, user_id, member_id, display_name, language, created_at)"
        " VALUES ('telegram', ?, ?, ?, 'zh', ?)",
        (str(user_id), member_id, name, now),
    )
    return member_id


@dataclass(frozen=True)
class CitySize:
    """How big a generated committee is."""

    branches: int = 1000
    members: int = 100_000
    claims: int = 1_000_000
    seed: int = 7

    @property
    def tag(self) -> str:
        """A file-name-safe label."""
        return f"b{self.branches}_m{self.members}_c{self.claims}_s{self.seed}"


@dataclass
class CityCounts:
    """What a generated committee holds."""

    branches: int = 0
    members: int = 0
    wishes: int = 0
    claims: int = 0
    services: int = 0


def generate_city(path: Path, size: CitySize) -> CityCounts:
    """A committee with ``size.branches`` branches, members spread evenly, and claims over the year before NOW."""
    if path.exists():
        path.unlink()
    migrate(path)
    rng = random.Random(size.seed)
    conn = connect(path)
    conn.execute("PRAGMA synchronous = OFF")
    counts = CityCounts()
    start = NOW - timedelta(days=365)
    conn.execute("BEGIN")
    committee_id = conn.execute(
        "INSERT INTO committees (name, chat_platform, chat_id, created_at)"
        " VALUES ('嘉兴市e党委', 'telegram', '-100', ?)",
        (ts(start),),
    ).lastrowid
    conn.executemany(
        "INSERT INTO branches (id, committee_id, name, chat_platform, chat_id, created_at)"
        " VALUES (?, ?, ?, 'telegram', ?, ?)",
        ((b, committee_id, f"第{b:04d}e支部", str(-1_000_000_000 - b), ts(start)) for b in range(1, size.branches + 1)),
    )
    counts.branches = size.branches
    per_branch = max(1, size.members // size.branches)
    branch_members: dict[int, list[int]] = {b: [] for b in range(1, size.branches + 1)}

    def members() -> Iterator[tuple[object, ...]]:
        for member_id in range(1, size.members + 1):
            branch = min(size.branches, (member_id - 1) // per_branch + 1)
            branch_members[branch].append(member_id)
            joined = start + timedelta(days=rng.random() * 200)
            reported = ts(joined) if rng.random() < 0.92 else None
            left = ts(joined + timedelta(days=300)) if rng.random() < 0.01 else None
            yield (
                member_id,
                f"党员{member_id:06d}",
                rng.choice(WORKPLACES),
                f"第{rng.randint(1, 40)}党支部",
                rng.choice(SKILLS),
                "每季度至少服务一次",
                branch,
                reported,
                left,
                ts(joined),
            )

    conn.executemany(
        "INSERT INTO members (id, name, workplace, workplace_branch, skills, commitment, home_branch_id, reported_at,"
        " left_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        members(),
    )
    counts.members = size.members
    conn.executemany(
        "INSERT INTO accounts (platform, user_id, member_id, display_name, created_at) VALUES ('telegram', ?, ?, ?, ?)",
        ((str(FIRST_USER_ID + m), m, f"党员{m:06d}", ts(start)) for m in range(1, size.members + 1)),
    )
    conn.executemany(
        "INSERT INTO branch_secretaries (branch_id, member_id, created_at) VALUES (?, ?, ?)",
        ((b, ids[0], ts(start)) for b, ids in branch_members.items() if ids),
    )
    wishes: list[tuple[object, ...]] = []
    claims: list[tuple[object, ...]] = []
    services: list[tuple[object, ...]] = []
    wish_id = 0
    claim_id = 0
    span = (NOW - start).total_seconds()
    while claim_id < size.claims:
        wish_id += 1
        branch = rng.randint(1, size.branches)
        people = branch_members[branch]
        created = start + timedelta(seconds=rng.random() * span)
        age = (NOW - created).days
        slots = rng.choice((1, 2, 3, 4, 5, 6))
        takers = rng.sample(people, min(len(people), slots + (1 if rng.random() < 0.1 else 0)))
        takers = takers[: size.claims - claim_id]
        deadline = (created + timedelta(days=30)).date().isoformat()
        all_confirmed = True
        active = 0
        for member_id in takers:
            claim_id += 1
            claimed = created + timedelta(hours=rng.random() * 48)
            roll = rng.random()
            status = "claimed"
            done_at = hours = confirmed_at = ended = None
            rating = None
            if active >= slots or roll < 0.08:
                status = "withdrawn"
                ended = ts(claimed + timedelta(hours=5))
            elif age > 21 or roll < 0.5:
                done = claimed + timedelta(days=rng.random() * 14)
                done_at = ts(done)
                hours = rng.choice((1.0, 1.5, 2.0, 3.0, 4.0))
                status = "confirmed" if age > 21 or roll < 0.3 else "done"
                if status == "confirmed":
                    confirmed_at = ts(done + timedelta(days=1))
                    rating = rng.choice((None, 4, 5))
                services.append(
                    (
                        member_id,
                        branch,
                        done.date().isoformat(),
                        hours,
                        wish_id,
                        claim_id,
                        int(status == "confirmed"),
                        rating,
                        ts(done),
                    )
                )
            if status != "withdrawn":
                active += 1
            if status != "confirmed" and status != "withdrawn":
                all_confirmed = False
            claims.append(
                (claim_id, wish_id, member_id, status, ts(claimed), done_at, hours, rating, confirmed_at, ended)
            )
        wish_status = "closed" if all_confirmed and active >= slots else "open"
        if rng.random() < 0.01:
            wish_status = "cancelled"
        wishes.append(
            (
                wish_id,
                branch,
                f"微心愿{wish_id}",
                rng.choice(("居家养老", "助学", "维修", "环境", "")),
                slots,
                deadline,
                wish_status,
                people[0],
                ts(created),
                ts(created + timedelta(days=20)) if wish_status == "closed" else None,
            )
        )
        if len(claims) >= 50_000:
            _flush(conn, wishes, claims, services)
    _flush(conn, wishes, claims, services)
    conn.execute("COMMIT")
    conn.execute("ANALYZE")
    counts.wishes = wish_id
    counts.claims = claim_id
    counts.services = int(conn.execute("SELECT count(*) FROM services").fetchone()[0])
    conn.close()
    return counts


def _flush(
    conn: sqlite3.Connection,
    wishes: list[tuple[object, ...]],
    claims: list[tuple[object, ...]],
    services: list[tuple[object, ...]],
) -> None:
    conn.executemany(
        "INSERT INTO wishes (id, branch_id, title, category, slots, deadline, status, created_by, created_at,"
        " closed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        wishes,
    )
    conn.executemany(
        "INSERT INTO claims (id, wish_id, member_id, status, claimed_at, done_at, hours, rating, confirmed_at,"
        " ended_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        claims,
    )
    conn.executemany(
        "INSERT INTO services (member_id, branch_id, served_on, hours, wish_id, claim_id, confirmed, rating,"
        " created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        services,
    )
    wishes.clear()
    claims.clear()
    services.clear()


async def copy_city_to_postgres(sqlite_path: Path, url: str) -> float:
    """Load a generated SQLite city into the empty PostgreSQL database at ``url`` with COPY (storage.copy, which
    uses asyncpg's copy_records_to_table), then ANALYZE; the seconds it took."""
    import time

    import asyncpg

    from storage.copy import copy_database

    began = time.perf_counter()
    await copy_database(sqlite_path, url)
    conn = await asyncpg.connect(url)
    try:
        await conn.execute("ANALYZE")
    finally:
        await conn.close()
    return time.perf_counter() - began


def quarter_of(day: date) -> tuple[date, date]:
    """The calendar quarter containing ``day`` as [start, end)."""
    first_month = 3 * ((day.month - 1) // 3) + 1
    start = date(day.year, first_month, 1)
    end = date(day.year + 1, 1, 1) if first_month == 10 else date(day.year, first_month + 3, 1)
    return start, end
