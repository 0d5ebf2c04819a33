"""A WeCom bot process that starts an emergency call and delivers it, saying on stdout when the call is recorded,
so a test can kill it with SIGKILL while a batched send is in flight
(run as ``python -m tests.emergency_wecom_child DB API_BASE_URL COMMITTEE_CHAT_ID``)."""

from __future__ import annotations

import asyncio
import sys

from bot.config import WeComConfig
from bot.domain.model import Account, ChatRef
from bot.ports.clock import SystemClock
from bot.usecases import UseCases
from bot.usecases import commands as cmd
from handlers.wecom.platform import WeComPlatform
from storage.sqlite import open_database
from storage.uow import SqlStore
from tests.conftest import SHANGHAI
from tests.fakes.wecom_api import FakeWeComApi
from tests.test_wecom_platform import AES_KEY, TOKEN


async def main(target: str, base_url: str, committee_chat: str) -> None:
    db = await open_database(target)
    store = SqlStore(db)
    clock = SystemClock()
    app = UseCases(store, clock, SHANGHAI)
    fake = FakeWeComApi()  # only its default corp, secret and agent id
    config = WeComConfig(
        corp_id=fake.corp_id, agent_id=fake.agent_id, secret=fake.secret, token=TOKEN, aes_key=AES_KEY,
        api_base_url=base_url, listen="127.0.0.1", port=0, admins=("admin",),
    )  # fmt: skip
    platform = WeComPlatform(config, app, store, clock, idle_wait=0.2)
    await platform.start()
    admin = Account("wecom", "admin", "区委组织部")
    await app.start_emergency(
        cmd.StartEmergency(admin, ChatRef("wecom", committee_chat), "封控小区急需物资配送", by_bot_admin=True)
    )
    print("recorded", flush=True)
    platform.poke()
    await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:4]))
