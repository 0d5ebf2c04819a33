"""The leadership port: whether this instance is the one that runs the scheduler, the outbox delivery and the card
sync, and being told when that changes. On SQLite the one process always leads (:class:`SoleInstance`); on
PostgreSQL an advisory lock elects one of several instances (``storage.leader``)."""

from __future__ import annotations

import os
import socket
from collections.abc import Awaitable, Callable
from typing import Protocol

Changed = Callable[[bool], Awaitable[None]]
"""Called with True when this instance starts leading and with False when it stops; calls never overlap."""


def default_instance_name() -> str:
    """``host:pid``: the name of this instance when ``[general] instance_name`` gives none."""
    return f"{socket.gethostname()}:{os.getpid()}"


class Leadership(Protocol):
    """An election this instance takes part in; the composition root starts and stops leader work on its changes."""

    @property
    def instance(self) -> str:
        """This instance's name, as the health endpoint and the logs show it."""
        ...

    @property
    def leading(self) -> bool:
        """Whether this instance leads now."""
        ...

    @property
    def handover(self) -> float:
        """Seconds a new leader waits before it delivers: by then a predecessor that lost the lead has stopped."""
        ...

    async def start(self, changed: Changed) -> None:
        """Take part: ``changed`` is awaited on every change of ``leading`` until :meth:`stop`; returns at once."""
        ...

    async def stop(self) -> None:
        """Stop taking part: if leading, ``changed(False)`` is awaited before the lead is given up."""
        ...


class SoleInstance:
    """The only instance there is (a SQLite database has one process): it leads from start to stop."""

    def __init__(self, instance: str | None = None) -> None:
        self._instance = instance or default_instance_name()
        self._leading = False
        self._changed: Changed | None = None

    @property
    def instance(self) -> str:
        """This instance's name."""
        return self._instance

    @property
    def leading(self) -> bool:
        """True between start and stop."""
        return self._leading

    @property
    def handover(self) -> float:
        """No predecessor can be running: none."""
        return 0.0

    async def start(self, changed: Changed) -> None:
        """Lead at once."""
        self._changed = changed
        self._leading = True
        await changed(True)

    async def stop(self) -> None:
        """Stop leading."""
        if self._leading and self._changed is not None:
            self._leading = False
            await self._changed(False)
