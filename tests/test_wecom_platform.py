"""WeCom end to end: encrypted callbacks into the real callback server, the fake WeCom API over HTTP, real SQLite."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import aiohttp
import pytest

from bot.config import WeComConfig
from bot.domain.model import ChatRef, ClaimStatus
from bot.i18n import Phrase
from bot.notices.callbacks import Act, encode
from bot.notices.outbox import Text
from bot.ports.chat import Attachment, Button, OutgoingMessage
from bot.ports.clock import ManualClock
from bot.usecases import UseCases
from bot.usecases.base import record
from bot.usecases.roster import RosterRow
from bot.usecases.structure import StructureRow
from handlers.wecom.platform import WeComPlatform
from handlers.wecom.render import chunks, markdown, template_card
from storage.sqlite import Database
from storage.uow import SqlStore
from tests.conftest import wired
from tests.fakes import eventually
from tests.fakes.wecom_api import (
    FakeMember,
    FakeWeComApi,
    encrypt_callback,
    template_card_event_xml,
    text_message_xml,
)

TOKEN = "hJqcu3uJ9Tn2gXPmxx2w9kkCkCE2EPYo"
AES_KEY = "6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
MEMBERS = {
    "admin": FakeMember("区委组织部"),
    "admin2": FakeMember("街道党工委"),
    "zhangsan": FakeMember("张三"),
    "lisi": FakeMember("李四"),
    "wangwu": FakeMember("王五"),
    "zhaoliu": FakeMember("赵六"),
    "sunqi": FakeMember("孙七"),
}


@dataclass
class Bench:
    """The platform under test, the fake WeCom it talks to, and a way to post callbacks as WeCom would."""

    fake: FakeWeComApi
    platform: WeComPlatform
    usecases: UseCases
    store: SqlStore
    http: aiohttp.ClientSession
    ids: itertools.count[int]

    async def post(self, xml: str, *, signature: str | None = None) -> tuple[int, dict[str, str], str]:
        """POST one encrypted callback to the real server; returns status, query and body for replays."""
        query, body = encrypt_callback(TOKEN, AES_KEY, self.fake.corp_id, xml)
        if signature is not None:
            query = {**query, "msg_signature": signature}
        return await self.replay(query, body), query, body

    async def replay(self, query: dict[str, str], body: str) -> int:
        """POST exactly this callback again."""
        async with self.http.post(self.platform.server.url, params=query, data=body.encode()) as response:
            return response.status

    async def say(self, user_id: str, text: str) -> None:
        """A member types a message to the app and the bot has finished handling it."""
        before = len(self.fake.inbox.get(user_id, []))
        status, _, _ = await self.post(text_message_xml(user_id, text, str(next(self.ids))))
        assert status == 200
        await eventually(lambda: len(self.fake.inbox.get(user_id, [])) > before)

    async def press(self, user_id: str, task_id: str, key: str) -> None:
        """A member presses a card button (the callback is posted, not awaited)."""
        code = self.fake.press_button(user_id, task_id, key)
        xml = template_card_event_xml(user_id, task_id, key, code, create_time=next(self.ids))
        status, _, _ = await self.post(xml)
        assert status == 200

    def card_for(self, user_id: str, wish_id: int) -> tuple[str, dict[str, Any]]:
        """The member's personal card of a wish, as the member sees it now."""
        for task_id, card in self.fake.cards.get(user_id, {}).items():
            keys = {b.get("key") for b in card.get("button_list", [])}
            if encode(Act.CLAIM, wish_id) in keys or f"#{wish_id}" in card["main_title"]["title"]:
                return task_id, card
        raise LookupError(f"{user_id} has no card of wish {wish_id}")

    def last_text(self, user_id: str) -> str:
        """The last markdown or text message a member received."""
        return self.fake.texts(user_id)[-1]


def app_config(fake: FakeWeComApi) -> WeComConfig:
    """The WeCom app of the tests: the fake's corp and secret, the sample token and key, an ephemeral port."""
    return WeComConfig(
        corp_id=fake.corp_id,
        agent_id=fake.agent_id,
        secret=fake.secret,
        token=TOKEN,
        aes_key=AES_KEY,
        api_base_url=fake.base_url,
        listen="127.0.0.1",
        port=0,
        path="/wecom/callback",
        admins=("admin", "admin2"),
    )


@pytest.fixture
async def bench(db: Database, clock: ManualClock) -> AsyncIterator[Bench]:
    store = SqlStore(db)
    usecases, renderer = wired(db, store, clock)
    async with FakeWeComApi(members=MEMBERS) as fake, aiohttp.ClientSession() as http:
        config = app_config(fake)
        platform = WeComPlatform(config, usecases, store, clock, card_interval=0.05, idle_wait=0.2, renderer=renderer)
        await platform.start()
        try:
            yield Bench(fake, platform, usecases, store, http, itertools.count(1_700_000_001))
        finally:
            await platform.stop()


async def set_up_branch(bench: Bench) -> ChatRef:
    """The admin creates the committee and a branch of three members; the members report in."""
    await bench.say("admin", "/committee 南湖区e党委")
    assert "南湖区e党委" in bench.last_text("admin")
    await bench.say("admin", "/branch 幸福里e支部 zhangsan,lisi，wangwu")
    assert "幸福里e支部" in bench.last_text("admin"), bench.fake.texts("admin")
    branch_chats = [cid for cid, chat in bench.fake.chats.items() if chat.name == "幸福里e支部"]
    assert len(branch_chats) == 1
    chat = bench.fake.chats[branch_chats[0]]
    assert set(chat.members) == {"admin", "zhangsan", "lisi", "wangwu"}
    for user_id in ("lisi", "wangwu"):
        await bench.say(user_id, "/报到 市税务局 | 维修、助老 | 每月为独居老人服务一次")
        assert "报到" in bench.last_text(user_id)
    await bench.say("zhangsan", "/报到")
    await bench.say("zhangsan", "区教育局")
    await bench.say("zhangsan", "无")
    await bench.say("zhangsan", "助学")
    await bench.say("zhangsan", "每周辅导一次功课")
    await bench.say("zhangsan", "跳过")
    await bench.say("zhangsan", "/skip")
    await bench.say("zhangsan", "确认")
    assert "张三" in bench.last_text("zhangsan")
    return ChatRef("wecom", branch_chats[0])


async def test_wish_claims_race_done_and_confirm(bench: Bench) -> None:
    chat = await set_up_branch(bench)
    await bench.say("admin", "#微心愿 帮独居老人买年货 名额2")
    assert "#1" in bench.last_text("admin")

    group = bench.fake.chats[chat.chat_id]
    await eventually(lambda: any("帮独居老人买年货" in m.content.get("content", "") for m in group.messages))
    assert any("王五" in m.content.get("content", "") for m in group.messages)  # the public report-in note
    await eventually(lambda: all(bench.fake.cards.get(u) for u in ("zhangsan", "lisi", "wangwu")))
    for user_id in ("zhangsan", "lisi", "wangwu"):
        _, card = bench.card_for(user_id, 1)
        assert [b["text"] for b in card["button_list"]] == ["认领", "取消认领"]
        assert "已认领 0/2" in card["sub_title_text"]

    zhangsan_task, _ = bench.card_for("zhangsan", 1)
    await bench.press("zhangsan", zhangsan_task, encode(Act.CLAIM, 1))
    await eventually(lambda: "已认领 1/2" in bench.card_for("zhangsan", 1)[1]["sub_title_text"])
    # the other members' cards follow through card sync (their send-time response codes)
    await eventually(lambda: "已认领 1/2" in bench.card_for("lisi", 1)[1]["sub_title_text"])

    lisi_task, _ = bench.card_for("lisi", 1)
    wangwu_task, _ = bench.card_for("wangwu", 1)
    await asyncio.gather(
        bench.press("lisi", lisi_task, encode(Act.CLAIM, 1)),
        bench.press("wangwu", wangwu_task, encode(Act.CLAIM, 1)),
    )
    await eventually(lambda: all("已满" in bench.card_for(u, 1)[1]["sub_title_text"] for u in ("lisi", "wangwu")))
    view = await bench.usecases.wish_view(1)
    assert view.full and view.taken == 2
    winner = next(u for u in ("lisi", "wangwu") if MEMBERS[u].name in {c.name for c in view.claimers})
    loser = "wangwu" if winner == "lisi" else "lisi"
    _, loser_card = bench.card_for(loser, 1)
    assert "已满" in loser_card["sub_title_text"]
    assert loser_card["button_list"][0]["text"] == "候补"
    await eventually(lambda: any("名额已满" in text for text in bench.fake.texts(loser)))

    # the winner gets the claim notice card with 已完成 / 放弃, reports done with hours by text
    def notice() -> tuple[str, dict[str, Any]]:
        for task_id, card in bench.fake.cards[winner].items():
            if any(b["key"].startswith("1:d:") for b in card["button_list"]):
                return task_id, card
        raise LookupError

    await eventually(lambda: bool(_try(notice)))
    notice_task, notice_card = notice()
    done_key = next(b["key"] for b in notice_card["button_list"] if b["key"].startswith("1:d:"))
    await bench.press(winner, notice_task, done_key)
    await eventually(lambda: "时长" in bench.last_text(winner))
    await bench.say(winner, "2 买好了年货")
    assert "等待" in bench.last_text(winner)

    # the secretary (admin) gets the review card and confirms
    def review() -> tuple[str, str]:
        for task_id, card in bench.fake.cards["admin"].items():
            for button in card["button_list"]:
                if button["key"].startswith("1:y:"):
                    return task_id, button["key"]
        raise LookupError

    await eventually(lambda: bool(_try(review)))
    review_task, confirm_key = review()
    await bench.press("admin", review_task, confirm_key)
    await eventually(lambda: (bench.fake.card_seen("admin", review_task) or {})["main_title"]["title"] == "✅ 已确认")
    claim_id = int(confirm_key.split(":")[2])
    async with bench.store.unit() as unit:
        claim = await unit.claims.get(claim_id)
    assert claim is not None and claim.status == ClaimStatus.CONFIRMED
    await eventually(lambda: any("确认" in text for text in bench.fake.texts(winner)[-2:]))


def _try(fn: Any) -> Any:
    try:
        return fn()
    except LookupError:
        return None


async def test_nudge_and_digest_with_media(bench: Bench, clock: ManualClock) -> None:
    await set_up_branch(bench)
    async with bench.store.unit() as unit:
        await record(
            unit,
            clock.now(),
            key="nudge:lisi:2026Q4",
            kind="nudge",
            chat=ChatRef("wecom", "lisi"),
            member_id=None,
            notice=Text("<b>李四</b>，本季度您还没有参加志愿服务。"),
        )
    bench.platform.poke()
    await eventually(lambda: "**李四**，本季度您还没有参加志愿服务。" in bench.fake.texts("lisi"))

    committee = await bench.usecases.committee_of_chat(
        ChatRef("wecom", next(cid for cid, c in bench.fake.chats.items() if c.name == "南湖区e党委"))
    )
    assert committee is not None and committee.chat is not None
    digest = OutgoingMessage(
        "<b>本周简报</b>\n报到 3 人，服务 1 次",
        attachments=(Attachment("chart.png", PNG, is_image=True), Attachment("台账.xlsx", b"PK\x03\x04ledger")),
    )
    await bench.platform.gateway.send(committee.chat, digest)
    messages = bench.fake.chats[committee.chat.chat_id].messages
    assert [m.msgtype for m in messages[-3:]] == ["markdown", "image", "file"]
    assert messages[-3].content["content"].startswith("**本周简报**")
    kinds = {bench.fake.media[m.content["media_id"]][:2] for m in messages[-2:]}
    assert kinds == {("image", "chart.png"), ("file", "台账.xlsx")}


async def test_replayed_callback_is_processed_once_and_forgery_refused(bench: Bench) -> None:
    await bench.say("admin", "/help")
    before = len(bench.fake.texts("admin"))
    status, query, body = await bench.post(text_message_xml("admin", "/help", "424242"))
    assert status == 200
    await eventually(lambda: len(bench.fake.texts("admin")) == before + 1)
    assert await bench.replay(query, body) == 200
    await asyncio.sleep(0.2)
    assert len(bench.fake.texts("admin")) == before + 1
    assert await bench.usecases.first_time("wecom", "msg:424242") is False

    status, _, _ = await bench.post(text_message_xml("admin", "/help", "434343"), signature="0" * 40)
    assert status == 403
    await asyncio.sleep(0.2)
    assert len(bench.fake.texts("admin")) == before + 1
    assert await bench.usecases.first_time("wecom", "msg:434343") is True


async def test_secretary_of_two_branches_picks_one(bench: Bench) -> None:
    await set_up_branch(bench)
    await bench.say("admin", "/branch 和平里e支部 zhaoliu sunqi")
    await bench.say("admin", "/wish 给小学生送书包 名额1")
    task_id, card = next(iter(bench.fake.cards["admin"].items()))
    assert card["main_title"]["title"] == "发布到哪个支部？"
    second = next(b["key"] for b in card["button_list"] if b["text"] == "和平里e支部")
    await bench.press("admin", task_id, second)
    await eventually(lambda: "#1" in bench.last_text("admin"))
    view = await bench.usecases.wish_view(1)
    assert view.branch_name == "和平里e支部"
    await eventually(lambda: bool(bench.fake.cards.get("sunqi")) and bool(bench.fake.cards.get("zhaoliu")))
    titles = [c["main_title"]["title"] for c in bench.fake.cards.get("zhangsan", {}).values()]
    assert titles == ["请确认报到信息："]  # the report-in summary only, no card of the other branch's wish


def test_render_markdown_cards_and_chunks() -> None:
    assert markdown("<b>a &amp; b</b> <i>c</i>") == "**a & b** c"
    pieces = chunks("行" * 1000 + "\n" + "字" * 10)
    assert all(len(p.encode()) <= 2000 for p in pieces) and "".join(pieces).replace("\n", "") == "行" * 1000 + "字" * 10
    review = OutgoingMessage(
        "标题\n说明\n正文",
        (
            (Button("确认", encode(Act.CONFIRM, 1)), Button("退回", encode(Act.RETURN, 1))),
            tuple(Button("★" * n, encode(Act.RATE, 1, str(n))) for n in range(1, 6)),
        ),
    )
    card = template_card(review, "eb1", "zh")
    assert len(card["button_list"]) == 6
    assert [b["text"] for b in card["button_list"]][-1] == "★★★★★"
    assert card["main_title"] == {"title": "标题", "desc": "说明"} and card["sub_title_text"] == "正文"
    closed = template_card(OutgoingMessage("已结束"), "eb1", "zh")
    assert closed["button_list"][0]["key"] == "wc:noop"


async def test_report_in_text_refuses_strangers(bench: Bench) -> None:
    await bench.say("zhangsan", "/报到 单位 | 技能 | 承诺")
    assert "不在任何支部" in bench.last_text("zhangsan")
    await bench.say("zhangsan", "/wish 帮忙 名额1")
    assert "书记" in bench.last_text("zhangsan")
    await bench.say("zhangsan", "/committee 假委员会")
    assert bench.last_text("zhangsan") == "只有管理员可以这样做。"


async def test_branch_binds_a_branch_set_up_offline_instead_of_making_a_second(bench: Bench) -> None:
    await bench.say("admin", "/committee 南湖区e党委")
    where = Phrase.of("setup.where_line", line=2)
    await bench.usecases.set_up_structure([StructureRow(where, "南湖区e党委", "东栅e支部")])
    await bench.usecases.import_roster(
        "东栅e支部", [RosterRow(2, "赵六", "13800138001"), RosterRow(3, "钱七", "13800138002")]
    )

    await bench.say("admin", "/branch 东栅e支部 zhangsan,lisi")

    assert "已绑定已有支部“东栅e支部”（2 名成员）" in bench.last_text("admin")
    async with bench.store.read() as unit:
        committee = await unit.committees.by_name("南湖区e党委")
        assert committee is not None
        named = [b for b in await unit.branches.of_committee(committee.id) if b.name == "东栅e支部"]
    assert len(named) == 1 and named[0].chat is not None and named[0].chat.chat_id in bench.fake.chats
