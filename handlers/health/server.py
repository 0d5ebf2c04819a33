"""``/healthz`` (the process answers), ``/readyz`` (the database answers a round trip) and ``/leader`` (whether this
instance leads), as JSON over a small aiohttp server; the composition root hands in what each one asks."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from aiohttp import web

log = logging.getLogger(__name__)

READY_TIMEOUT = 2.0


class HealthServer:
    """Answers the health checks of one instance."""

    def __init__(
        self,
        host: str,
        port: int,
        *,
        instance: str,
        ping: Callable[[], Awaitable[None]],
        leading: Callable[[], bool],
        ready_timeout: float = READY_TIMEOUT,
    ) -> None:
        self.host = host
        self._port = port
        self.instance = instance
        self.ping = ping
        self.leading = leading
        self.ready_timeout = ready_timeout
        self._runner: web.AppRunner | None = None
        app = web.Application()
        app.router.add_get("/healthz", self.healthz)
        app.router.add_get("/readyz", self.readyz)
        app.router.add_get("/leader", self.leader)
        self._app = app

    @property
    def url(self) -> str:
        """The server's base URL (the port is the one bound, when 0 was asked)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self._port}"

    async def healthz(self, _request: web.Request) -> web.Response:
        """The process is up and its event loop answers."""
        return web.json_response({"status": "up", "instance": self.instance, "leader": self.leading()})

    async def readyz(self, _request: web.Request) -> web.Response:
        """The database answered a round trip within the timeout: 200; otherwise 503 with the reason."""
        try:
            await asyncio.wait_for(self.ping(), timeout=self.ready_timeout)
        except Exception as error:
            problem = " ".join(str(error).split()) or type(error).__name__
            log.warning("readiness check failed: %s", problem[:300])
            return web.json_response({"ready": False, "instance": self.instance, "error": problem[:300]}, status=503)
        return web.json_response({"ready": True, "instance": self.instance, "leader": self.leading()})

    async def leader(self, _request: web.Request) -> web.Response:
        """Whether this instance leads (runs the scheduler, the outbox delivery and the card sync)."""
        return web.json_response({"leader": self.leading(), "instance": self.instance})

    async def start(self) -> None:
        """Listen on host:port."""
        runner = web.AppRunner(self._app, access_log=None)
        await runner.setup()
        try:
            await web.TCPSite(runner, self.host, self._port).start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        self._port = int(runner.addresses[0][1])
        log.info("health endpoints on %s (/healthz, /readyz, /leader)", self.url)

    async def stop(self) -> None:
        """Stop listening."""
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()
