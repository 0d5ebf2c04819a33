"""The health endpoints over real HTTP: /healthz while the process is up, /readyz 503 when the database is gone,
/leader naming the instance and whether it leads; and the ``[health]`` and ``instance_name`` config keys."""

from __future__ import annotations

import os
import socket
from dataclasses import replace
from pathlib import Path

import aiohttp
import pytest

from bot.bootstrap import Core, start_health
from bot.config import ConfigError, HealthConfig, default_config, load_config
from bot.ports.leadership import SoleInstance
from handlers.health.server import HealthServer
from storage.postgres import open_postgres
from storage.sqlite import Database
from tests.conftest import World
from tests.pg_server import PostgresServer


async def get(url: str) -> tuple[int, dict[str, object]]:
    """One GET and its JSON answer."""
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        return response.status, await response.json()


async def noop(_leading: bool) -> None:
    """Leader work that does nothing."""


async def test_an_instance_answers_up_ready_and_whether_it_leads(db: Database) -> None:
    sole = SoleInstance("host-a:7")
    server = HealthServer("127.0.0.1", 0, instance=sole.instance, ping=db.ping, leading=lambda: sole.leading)
    await server.start()
    try:
        assert await get(f"{server.url}/healthz") == (200, {"status": "up", "instance": "host-a:7", "leader": False})
        assert await get(f"{server.url}/leader") == (200, {"leader": False, "instance": "host-a:7"})
        await sole.start(noop)
        assert await get(f"{server.url}/leader") == (200, {"leader": True, "instance": "host-a:7"})
        assert await get(f"{server.url}/readyz") == (200, {"ready": True, "instance": "host-a:7", "leader": True})
    finally:
        await server.stop()


async def test_readyz_is_503_once_the_postgresql_database_is_gone(postgres_server: PostgresServer) -> None:
    name = f"ebranch_health_{os.getpid()}"
    db = await open_postgres(await postgres_server.create_database(name))
    server = HealthServer("127.0.0.1", 0, instance="host-a:7", ping=db.ping, leading=lambda: False)
    await server.start()
    try:
        assert (await get(f"{server.url}/readyz"))[0] == 200
        await postgres_server.drop_database(name)

        status, body = await get(f"{server.url}/readyz")
        assert status == 503 and body["ready"] is False and body["instance"] == "host-a:7"
        assert str(body["error"])
        assert (await get(f"{server.url}/healthz"))[0] == 200, "the process itself is still up"
    finally:
        await server.stop()
        await db.close()
        await postgres_server.drop_database(name)


@pytest.mark.sqlite_only
async def test_readyz_is_503_once_the_sqlite_database_is_closed(db: Database) -> None:
    server = HealthServer("127.0.0.1", 0, instance="host-a:7", ping=db.ping, leading=lambda: True)
    await server.start()
    try:
        assert (await get(f"{server.url}/readyz"))[0] == 200
        await db.close()
        assert (await get(f"{server.url}/readyz"))[0] == 503
    finally:
        await server.stop()


def _config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_health_listen_and_instance_name_are_read_and_checked(tmp_path: Path) -> None:
    config = load_config(
        _config(tmp_path, '[general]\ninstance_name = "bot-2"\n[health]\nlisten = "0.0.0.0:9100"\n'), env={}
    )
    assert config.instance_name == "bot-2" and config.health == HealthConfig(host="0.0.0.0", port=9100)
    plain = load_config(_config(tmp_path, "[general]\n"), env={})
    assert plain.health is None and plain.instance_name is None, "no [health] section: no endpoints"
    assert load_config(_config(tmp_path, '[health]\nlisten = "[::1]:8090"\n'), env={}).health == HealthConfig(
        host="::1", port=8090
    )
    with pytest.raises(ConfigError, match=r"health\.listen.*HOST:PORT"):
        load_config(_config(tmp_path, '[general]\nlocale = "en"\n[health]\nlisten = "8090"\n'), env={})
    with pytest.raises(ConfigError, match=r"instance_name"):
        load_config(_config(tmp_path, '[general]\nlocale = "en"\ninstance_name = "two words"\n'), env={})


async def test_a_health_port_in_use_stops_start_up_with_one_line_naming_it(world: World, tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = int(taken.getsockname()[1])
        config = replace(default_config(tmp_path / "unused.sqlite3"), health=HealthConfig(host="127.0.0.1", port=port))
        core = Core(config, world.db, world.store, world.clock, world.app, world.renderer, world.jobs)
        with pytest.raises(ConfigError) as refused:
            await start_health(config, core, SoleInstance("host-a:7"))
    assert f"127.0.0.1:{port}" in str(refused.value) and "[health]" in str(refused.value)
    assert "\n" not in str(refused.value)
