"""A bot process that starts an emergency call and records its fan-out slowly, a page a moment, saying each page on
stdout, so a test can kill it with SIGKILL in the middle (run as ``python -m tests.emergency_fan_out_child DB``, or
``... DB PLATFORM COMMITTEE_CHAT_ID ADMIN_USER_ID`` for another platform than Telegram's ``-100`` and ``1``)."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import TypeVar

from bot.domain.model import Account, ChatRef
from bot.ports.clock import SystemClock
from bot.ports.storage import Unit
from bot.usecases import UseCases
from bot.usecases import commands as cmd
from storage.postgres import open_postgres
from storage.sqlite import open_database
from storage.uow import SqlStore
from tests.conftest import SHANGHAI

T = TypeVar("T")
PAGE = 20


class SlowFanOut(UseCases):
    """The use cases, with a pause after each transaction of the fan-out and a line saying it committed."""

    async def _tx(self, work: Callable[[Unit, datetime], Awaitable[T]]) -> T:
        result = await super()._tx(work)
        print("committed", flush=True)
        await asyncio.sleep(0.05)
        return result


async def main(target: str, platform: str = "telegram", chat: str = "-100", admin_id: str = "1") -> None:
    db = await open_postgres(target) if target.startswith("postgresql://") else await open_database(target)
    app = SlowFanOut(SqlStore(db), SystemClock(), SHANGHAI)
    app.fan_out_unit = PAGE
    admin = Account(platform, admin_id, "区委组织部")
    await app.start_emergency(
        cmd.StartEmergency(admin, ChatRef(platform, chat), "封控小区急需物资配送", by_bot_admin=True)
    )
    print("done", flush=True)
    await db.close()


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:5]))
