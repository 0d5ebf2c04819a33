"""Shared benchmark plumbing: machine facts, statistics, result files and peak-memory readings."""

from __future__ import annotations

import json
import os
import platform
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = Path(__file__).resolve().parent / "out"
PYTHON = "python"


def out_dir(*parts: str) -> Path:
    """A directory under benchmarks/out/ (gitignored), created if needed."""
    path = OUT.joinpath(*parts)
    path.mkdir(parents=True, exist_ok=True)
    return path


def scratch_dir(name: str) -> Path:
    """A fresh private directory under benchmarks/out/tmp/, so concurrent runs (and smoke tests) never collide."""
    return Path(tempfile.mkdtemp(prefix=f"{name}-", dir=out_dir("tmp")))


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def cpu_model() -> str:
    """The CPU model name as the kernel reports it."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def ram_gib() -> float:
    """Total RAM in GiB."""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / 1024 / 1024
    except OSError:
        pass
    return 0.0


def git_commit() -> str:
    """The commit the benchmark ran on (with -dirty when the tree has changes)."""
    try:
        sha = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True).stdout
        return sha + ("-dirty" if dirty.strip() else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def postgres_version() -> str:
    """The benchmarks' PostgreSQL server version (psql), or why it is unknown."""
    try:
        done = subprocess.run(
            ["psql", os.environ.get("EBRANCH_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"),
             "-tAc", "SHOW server_version"],
            capture_output=True, text=True, timeout=10,
        )  # fmt: skip
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    return done.stdout.strip() or "unknown"


def machine_info() -> dict[str, Any]:
    """CPU, cores, RAM and the versions that bound the figures."""
    return {
        "cpu": cpu_model(),
        "cores": os.cpu_count() or 0,
        "ram_gib": round(ram_gib(), 1),
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "python-telegram-bot": _version("python-telegram-bot"),
        "aiosqlite": _version("aiosqlite"),
        "aiohttp": _version("aiohttp"),
        "openpyxl": _version("openpyxl"),
        "postgresql": postgres_version(),
        "asyncpg": _version("asyncpg"),
        "psycopg": _version("psycopg"),
        "commit": git_commit(),
    }


def median(values: Sequence[float]) -> float:
    """The median (0 for no values)."""
    return float(statistics.median(values)) if values else 0.0


def percentile(values: Sequence[float], pct: float) -> float:
    """The pct-th percentile by nearest rank (0 for no values)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(pct / 100 * len(ordered) + 0.5)))
    return float(ordered[rank - 1])


def peak_rss_mib() -> float:
    """This process's peak resident memory so far, in MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def command_line(module: str, args: Sequence[str]) -> str:
    """The exact command that reproduces a run."""
    return " ".join([PYTHON, "-m", module, *args])


def save_result(name: str, result: dict[str, Any]) -> Path:
    """Write a benchmark's result (with machine facts and time) to benchmarks/out/<name>.json."""
    result = {"name": name, "at": datetime.now(UTC).isoformat(timespec="seconds"), "machine": machine_info(), **result}
    path = out_dir() / f"{name}.json"
    path.write_text(json.dumps(result, ensure_ascii=False, indent=2))
    return path


def load_result(name: str) -> dict[str, Any] | None:
    """A benchmark's last saved result, if any."""
    path = OUT / f"{name}.json"
    if not path.exists():
        return None
    data: dict[str, Any] = json.loads(path.read_text())
    return data


def run_child(module: str, args: Sequence[str], *, timeout: float = 3600) -> dict[str, Any]:
    """Run ``python -m module args`` in a fresh interpreter and parse the JSON it prints last."""
    done = subprocess.run(
        [sys.executable, "-m", module, *args], cwd=ROOT, capture_output=True, text=True, timeout=timeout
    )
    if done.returncode != 0:
        raise RuntimeError(f"{module} {' '.join(args)} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    last = done.stdout.strip().splitlines()[-1]
    data: dict[str, Any] = json.loads(last)
    return data


def fmt(value: float, digits: int = 2) -> str:
    """A number for a table: thousands separated, fixed digits."""
    return f"{value:,.{digits}f}"


def verdict(ok: bool) -> str:
    """A target check for a table cell."""
    return "met" if ok else "**missed**"


ADMIN_URL = os.environ.get("EBRANCH_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


def pg_url(name: str) -> str:
    """The URL of database ``name`` on the benchmarks' PostgreSQL server (EBRANCH_BENCH_POSTGRES_URL)."""
    return f"{ADMIN_URL.rsplit('/', 1)[0]}/{name}"


async def create_pg_database(name: str) -> str:
    """A new, empty PostgreSQL database (an old one of that name dropped first); its URL."""
    import asyncpg

    conn = await asyncpg.connect(ADMIN_URL)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.execute(f"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8'")
    finally:
        await conn.close()
    return pg_url(name)


async def drop_pg_database(name: str) -> None:
    """Drop a database a benchmark made, closing whatever still holds it."""
    import asyncpg

    conn = await asyncpg.connect(ADMIN_URL)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


def bare_application(token: str, base_url: str, file_url: str) -> Any:
    """A PTB Application that only answers button taps ("ok"): the ceiling of one Python process, the baseline of
    the claim-burst benchmarks (polling in claim_burst.py, webhooks in webhook_burst.py)."""
    from telegram import Update
    from telegram.ext import Application, CallbackQueryHandler, ContextTypes

    async def answer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.callback_query is not None
        await update.callback_query.answer("ok")

    builder = Application.builder().token(token).base_url(base_url).base_file_url(file_url).concurrent_updates(16)
    application = builder.build()
    application.add_handler(CallbackQueryHandler(answer))
    return application
