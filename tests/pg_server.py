"""A PostgreSQL server for the tests: the one named by EBRANCH_TEST_POSTGRES_URL, the machine's own on
127.0.0.1:5432, or else a throw-away cluster started from the local PostgreSQL binaries. Never a silent skip."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg

ENV_URL = "EBRANCH_TEST_POSTGRES_URL"
LOCAL_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


@dataclass
class PostgresServer:
    """A server the tests may create databases on; a cluster of our own is stopped and deleted by ``stop``."""

    admin_url: str
    origin: str
    _cluster: Path | None = field(default=None, repr=False)
    _bindir: Path | None = field(default=None, repr=False)

    def url(self, dbname: str) -> str:
        """The URL of database ``dbname`` on this server."""
        base, _, _ = self.admin_url.rpartition("/")
        return f"{base}/{dbname}"

    async def create_database(self, dbname: str) -> str:
        """A new, empty database (an old one of that name is dropped first); its URL."""
        conn = await asyncpg.connect(self.admin_url)
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')
            await conn.execute(f"CREATE DATABASE \"{dbname}\" TEMPLATE template0 ENCODING 'UTF8'")
        finally:
            await conn.close()
        return self.url(dbname)

    async def drop_database(self, dbname: str) -> None:
        """Drop a database the tests made, closing whatever still holds it."""
        conn = await asyncpg.connect(self.admin_url)
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')
        finally:
            await conn.close()

    def stop(self) -> None:
        """Stop and delete a throw-away cluster; a server we did not start is left alone."""
        if self._cluster is None or self._bindir is None:
            return
        subprocess.run(
            [str(self._bindir / "pg_ctl"), "-D", str(self._cluster / "data"), "-m", "immediate", "stop"],
            check=False,
            capture_output=True,
        )
        shutil.rmtree(self._cluster, ignore_errors=True)


def _answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def _bindir() -> Path | None:
    """Where the PostgreSQL server binaries are: pg_config's bindir, Debian's versioned folders, or the PATH."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    if found:
        return Path(found[-1]).parent
    pg_config = shutil.which("pg_config")
    if pg_config:
        out = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, check=False).stdout.strip()
        if out and (Path(out) / "initdb").exists():
            return Path(out)
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _start_cluster() -> PostgresServer:
    """initdb a cluster in a temporary folder and start it on a free port (as a non-root user when we are root)."""
    bindir = _bindir()
    if bindir is None:
        raise RuntimeError(
            "PostgreSQL tests need a server: set EBRANCH_TEST_POSTGRES_URL, run one on 127.0.0.1:5432, or install"
            " Debian's postgresql package (the README's test command does) so a throw-away cluster can be started"
        )
    root = Path(tempfile.mkdtemp(prefix="ebranch-pg-"))
    data = root / "data"
    run_as: list[str] = []
    if os.geteuid() == 0:
        user = "postgres" if _user_exists("postgres") else "nobody"
        shutil.chown(root, user)
        os.chmod(root, 0o755)
        run_as = ["runuser", "-u", user, "--"]
    port = _free_port()
    subprocess.run(
        [*run_as, str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust", "-E", "UTF8"],
        check=True,
        capture_output=True,
    )
    subprocess.run(
        [
            *run_as,
            str(bindir / "pg_ctl"),
            "-D",
            str(data),
            "-l",
            str(root / "log"),
            "-o",
            f"-p {port} -c listen_addresses=127.0.0.1 -k {root} -c fsync=off -c max_connections=200",
            "-w",
            "start",
        ],
        check=True,
        capture_output=True,
    )
    deadline = time.monotonic() + 30
    while not _answers("127.0.0.1", port):
        if time.monotonic() > deadline:
            raise RuntimeError(f"the throw-away PostgreSQL in {root} did not start: see {root / 'log'}")
        time.sleep(0.1)
    return PostgresServer(f"postgresql://postgres@127.0.0.1:{port}/postgres", "throw-away", root, bindir)


def _user_exists(name: str) -> bool:
    import pwd

    try:
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False


def find_server() -> PostgresServer:
    """The server the tests use, in the documented order of preference."""
    if os.environ.get(ENV_URL):
        return PostgresServer(os.environ[ENV_URL], ENV_URL)
    if _answers("127.0.0.1", 5432):
        return PostgresServer(LOCAL_URL, "127.0.0.1:5432")
    return _start_cluster()
