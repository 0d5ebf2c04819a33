"""State every instance of the bot shares through the database: platform tokens, what was set up once, leases."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.ports.storage import Unit
from bot.usecases.base import Base


class Shared(Base):
    """Values and leases shared by every instance serving the bot; keys are the platform adapters' own."""

    async def shared_value(self, key: str) -> str | None:
        """The value another instance (or this one) stored under ``key``, unless it expired."""
        now = self.clock.now()
        return await self._read(lambda unit: unit.shared.get(key, now))

    async def share_value(self, key: str, value: str, ttl: float | None = None) -> None:
        """Store ``value`` under ``key`` for every instance, for ``ttl`` seconds (None: until replaced)."""

        async def work(unit: Unit, now: datetime) -> None:
            await unit.shared.put(key, value, now + timedelta(seconds=ttl) if ttl is not None else None)

        await self._tx(work)

    async def forget_shared(self, key: str, value: str | None = None) -> bool:
        """Forget ``key`` (only while it still holds ``value``, when given)."""
        return await self._tx(lambda unit, now: unit.shared.delete(key, value))

    async def hold(self, key: str, holder: str, ttl: float) -> bool:
        """Take the lease ``key`` for ``holder`` for ``ttl`` seconds, unless another holder has it; whether taken."""

        async def work(unit: Unit, now: datetime) -> bool:
            return await unit.shared.claim(key, holder, now + timedelta(seconds=ttl), now)

        return await self._tx(work)
