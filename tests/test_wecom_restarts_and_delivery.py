"""WeCom end to end, continued: stored conversation steps across restarts, 活动关系 members' cards, return reasons,
photo notes, the welcome, bounded response-code memory and the scheduled weekly digest into a committee's appchat."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.config import SchedulerConfig, WeComConfig
from bot.domain.emergency import EmergencyPost
from bot.domain.model import Account, ChatRef, ClaimStatus
from bot.jobs.nudges import JobDeps
from bot.notices.callbacks import Act, encode
from bot.ports.clock import ManualClock
from bot.scheduler import jobs, run_job
from handlers.wecom.platform import WeComPlatform
from storage.reports import SqlReports
from storage.sqlite import Database, open_database
from storage.uow import SqlStore
from tests.conftest import SHANGHAI, wired
from tests.fakes import eventually
from tests.fakes.wecom_api import FakeWeComApi, event_xml, image_message_xml, template_card_event_xml
from tests.test_wecom_platform import MEMBERS, PNG, Bench, app_config


@dataclass
class Rig:
    """A Bench whose WeComPlatform can be restarted on the same SQLite file (a fresh process, in effect)."""

    bench: Bench
    config: WeComConfig
    path: Path
    db: Database
    clock: ManualClock

    async def restart(self) -> None:
        """Stop the platform and close the database; open it again and start a new platform on it."""
        await self.bench.platform.stop()
        await self.db.close()
        self.db = await open_database(self.path)
        store = SqlStore(self.db)
        usecases, renderer = wired(self.db, store, self.clock)
        platform = WeComPlatform(
            self.config, usecases, store, self.clock, card_interval=0.05, idle_wait=0.2, renderer=renderer
        )
        await platform.start()
        self.bench.platform, self.bench.usecases, self.bench.store = platform, usecases, store

    async def image(self, user_id: str, media_id: str) -> None:
        """A member sends a picture WeCom keeps under ``media_id``."""
        self.bench.fake.media[media_id] = ("image", f"{media_id}.jpg", PNG)
        xml = image_message_xml(user_id, media_id, f"https://wework.qpic.cn/{media_id}", str(next(self.bench.ids)))
        status, _, _ = await self.bench.post(xml)
        assert status == 200

    async def enter(self, user_id: str) -> None:
        """A member opens the app's conversation."""
        status, _, _ = await self.bench.post(event_xml(user_id, "enter_agent", create_time=next(self.bench.ids)))
        assert status == 200

    async def press(self, user_id: str, task_id: str, key: str) -> None:
        """A member presses a card button (the callback is posted; its handling is not awaited)."""
        code = self.bench.fake.press_button(user_id, task_id, key)
        create_time = next(self.bench.ids)
        status, _, _ = await self.bench.post(
            template_card_event_xml(user_id, task_id, key, code, create_time=create_time)
        )
        assert status == 200


@pytest.fixture
async def rig(tmp_path: Path, clock: ManualClock) -> AsyncIterator[Rig]:
    path = tmp_path / "ebranch.sqlite3"
    db = await open_database(path)
    store = SqlStore(db)
    usecases, renderer = wired(db, store, clock)
    async with FakeWeComApi(members=MEMBERS) as fake, aiohttp.ClientSession() as http:
        config = app_config(fake)
        platform = WeComPlatform(config, usecases, store, clock, card_interval=0.05, idle_wait=0.2, renderer=renderer)
        await platform.start()
        bench = Bench(fake, platform, usecases, store, http, itertools.count(1_700_000_001))
        the_rig = Rig(bench, config, path, db, clock)
        try:
            yield the_rig
        finally:
            await the_rig.bench.platform.stop()
            await the_rig.db.close()


def find_card(bench: Bench, user_id: str, prefix: str) -> tuple[str, dict[str, Any], str]:
    """A card of this member with a button whose key starts with ``prefix``: task id, card and that key."""
    for task_id, card in bench.fake.cards.get(user_id, {}).items():
        for button in card.get("button_list", []):
            if str(button.get("key", "")).startswith(prefix):
                return task_id, card, button["key"]
    raise LookupError(f"{user_id} has no card with a {prefix} button")


def has_card(bench: Bench, user_id: str, prefix: str) -> bool:
    """Whether :func:`find_card` would find one."""
    try:
        find_card(bench, user_id, prefix)
    except LookupError:
        return False
    return True


async def committee_and_branch(bench: Bench, *members: str) -> ChatRef:
    """The admin sets up the committee (with its appchat) and one branch of these members (not reported in yet)."""
    await bench.say("admin", "/committee 南湖区e党委")
    await bench.say("admin", f"/branch 幸福里e支部 {','.join(members)}")
    assert "幸福里e支部" in bench.last_text("admin"), bench.fake.texts("admin")
    return ChatRef("wecom", next(cid for cid, c in bench.fake.chats.items() if c.name == "幸福里e支部"))


async def test_report_done_photo_and_return_reason_survive_restarts(rig: Rig) -> None:
    bench = rig.bench
    await committee_and_branch(bench, "zhangsan", "lisi")
    await bench.say("lisi", "/报到 市税务局 | 维修 | 每月服务一次")

    # report-in step by step, with a restart after each answer
    await bench.say("zhangsan", "/报到")
    await bench.say("zhangsan", "区教育局")
    await rig.restart()
    await bench.say("zhangsan", "区教育局机关第一党支部")
    assert "特长" in bench.last_text("zhangsan")
    await bench.say("zhangsan", "助学、家教")
    assert "承诺" in bench.last_text("zhangsan")
    await rig.restart()
    await bench.say("zhangsan", "每周辅导一次功课")
    assert "1 物资配送、2 秩序维护、3 环境消杀" in bench.last_text("zhangsan")
    await bench.say("zhangsan", "3")
    await rig.restart()
    await bench.say("zhangsan", "2号楼")
    task_id, summary, confirm_key = find_card(bench, "zhangsan", "1:R:")
    assert "区教育局机关第一党支部" in str(summary) and "助学、家教" in str(summary)
    assert "环境消杀" in str(summary) and "2号楼" in str(summary)
    await rig.restart()
    await rig.press("zhangsan", task_id, confirm_key)
    await eventually(lambda: "张三" in bench.last_text("zhangsan") and "报到" in bench.last_text("zhangsan"))
    async with bench.store.unit() as unit:
        member = await unit.people.by_account("wecom", "zhangsan")
        assert member is not None and member.workplace == "区教育局" and member.skills == ("助学", "家教")
        assert member.workplace_branch == "区教育局机关第一党支部"
        assert await unit.emergencies.post_of(member.id) == EmergencyPost("环境消杀", "2号楼")
        assert await unit.conversations.get(Account("wecom", "zhangsan")) is None

    # claim, 已完成, hours alone, restart, then a photo as the note
    await bench.say("admin", "#微心愿 帮独居老人买年货 名额1")
    await eventually(lambda: has_card(bench, "zhangsan", encode(Act.CLAIM, 1)))
    task_id, _, key = find_card(bench, "zhangsan", encode(Act.CLAIM, 1))
    await rig.press("zhangsan", task_id, key)
    await eventually(lambda: has_card(bench, "zhangsan", "1:d:"))
    task_id, _, done_key = find_card(bench, "zhangsan", "1:d:")
    claim_id = int(done_key.split(":")[2])
    await rig.press("zhangsan", task_id, done_key)
    await eventually(lambda: "时长" in bench.last_text("zhangsan"))
    await rig.restart()
    await bench.say("zhangsan", "2小时")
    assert "照片" in bench.last_text("zhangsan")
    await rig.restart()
    before = len(bench.fake.texts("zhangsan"))
    await rig.image("zhangsan", "photo0001")
    await eventually(lambda: len(bench.fake.texts("zhangsan")) > before)
    assert "等待" in bench.last_text("zhangsan"), bench.fake.texts("zhangsan")
    async with bench.store.unit() as unit:
        claim = await unit.claims.get(claim_id)
    assert claim is not None and claim.status == ClaimStatus.DONE
    assert claim.photo_ref == "photo0001" and claim.hours == 2

    # the secretary's review card says a photo is attached, and the photo follows it
    await eventually(lambda: has_card(bench, "admin", encode(Act.RETURN, claim_id)))
    review_task, review, return_key = find_card(bench, "admin", encode(Act.RETURN, claim_id))
    assert "附照片" in str(review)
    await eventually(
        lambda: any(d.content.get("media_id") == "photo0001" for d in bench.fake.inbox["admin"] if d.msgtype == "image")
    )

    # 退回 asks for the reason; it survives a restart and reaches the member
    await rig.press("admin", review_task, return_key)
    await eventually(lambda: "原因" in bench.last_text("admin"))
    await rig.restart()
    await bench.say("admin", "缺少老人签字")
    assert "缺少老人签字" in bench.last_text("admin") and "退回" in bench.last_text("admin")
    async with bench.store.unit() as unit:
        claim = await unit.claims.get(claim_id)
    assert claim is not None and claim.status == ClaimStatus.CLAIMED and claim.return_reason == "缺少老人签字"
    await eventually(lambda: (bench.fake.card_seen("admin", review_task) or {})["main_title"]["title"] == "↩️ 已退回")
    await eventually(
        lambda: any(
            "缺少老人签字" in str(card) and "退回" in str(card) for card in bench.fake.cards["zhangsan"].values()
        )
    )

    # a later plain text is no step any more
    await bench.say("admin", "你好")
    assert "没看懂" in bench.last_text("admin")


async def test_pending_committee_and_branch_choices_survive_restart(rig: Rig) -> None:
    bench = rig.bench
    await bench.say("admin", "/committee 南湖区e党委")
    await bench.say("admin", "/committee 北湖区e党委")
    await bench.say("admin", "/branch 幸福里e支部 zhangsan,lisi")
    await eventually(lambda: has_card(bench, "admin", "1:m:"))
    await rig.restart()
    task_id, card, _ = find_card(bench, "admin", "1:m:")
    north = next(b["key"] for b in card["button_list"] if b["text"] == "北湖区e党委")
    await rig.press("admin", task_id, north)
    await eventually(lambda: "幸福里e支部" in bench.last_text("admin"))
    branch = await bench.usecases.branch_of_chat(
        ChatRef("wecom", next(cid for cid, c in bench.fake.chats.items() if c.name == "幸福里e支部"))
    )
    committees = {c.name: c.id for c in await _committees(bench)}
    assert branch is not None and branch.committee_id == committees["北湖区e党委"]

    await bench.say("admin", "/branch 和平里e支部 zhaoliu sunqi")
    await eventually(lambda: has_card(bench, "admin", "1:m:"))  # the first choice card is closed by now
    task_id, card, _ = find_card(bench, "admin", "1:m:")
    await rig.press("admin", task_id, next(b["key"] for b in card["button_list"] if b["text"] == "南湖区e党委"))
    await eventually(lambda: "和平里e支部" in bench.last_text("admin"))

    await bench.say("admin", "/wish 给小学生送书包 名额1")
    await eventually(lambda: any("哪个支部" in str(c) for c in bench.fake.cards["admin"].values()))
    await rig.restart()
    task_id, card = next((t, c) for t, c in bench.fake.cards["admin"].items() if "哪个支部" in str(c))
    await rig.press("admin", task_id, next(b["key"] for b in card["button_list"] if b["text"] == "和平里e支部"))
    await eventually(lambda: "#1" in bench.last_text("admin"))
    assert (await bench.usecases.wish_view(1)).branch_name == "和平里e支部"
    assert await bench.usecases.conversation(Account("wecom", "admin")) is None


async def _committees(bench: Bench) -> list[Any]:
    async with bench.store.unit() as unit:
        return list(await unit.committees.all())


async def test_members_serving_a_branch_get_its_cards_and_card_rows_say_member(rig: Rig) -> None:
    bench = rig.bench
    await committee_and_branch(bench, "zhangsan", "lisi")
    await bench.say("zhangsan", "/报到 区教育局 | 助学 | 每周辅导一次功课")
    # zhangsan's home branch is 幸福里; he also serves in 和平里 (活动关系)
    await bench.say("admin", "/branch 和平里e支部 zhangsan zhaoliu")
    async with bench.store.unit() as unit:
        zhangsan = await unit.people.by_account("wecom", "zhangsan")
        peace = await unit.branches.by_name("和平里e支部", 1)
        assert zhangsan is not None and peace is not None
        assert zhangsan.home_branch_id != peace.id and await unit.people.belongs_to(peace.id, zhangsan.id)

    await bench.say("admin", "/wish 给小学生送书包 名额1")
    task_id, card = next((t, c) for t, c in bench.fake.cards["admin"].items() if "哪个支部" in str(c))
    await rig.press("admin", task_id, next(b["key"] for b in card["button_list"] if b["text"] == "和平里e支部"))
    await eventually(lambda: "#1" in bench.last_text("admin"))
    await eventually(lambda: has_card(bench, "zhangsan", encode(Act.CLAIM, 1)) and has_card(bench, "zhaoliu", "1:c:1"))
    assert not has_card(bench, "lisi", encode(Act.CLAIM, 1))

    task_id, _, key = find_card(bench, "zhangsan", encode(Act.CLAIM, 1))
    await rig.press("zhangsan", task_id, key)
    await eventually(lambda: any("认领成功" in text for text in bench.fake.texts("zhangsan")))
    assert (await bench.usecases.wish_view(1)).taken == 1

    async with rig.db.conn.execute("SELECT chat_id, kind FROM cards WHERE wish_id = 1 AND claim_id IS NULL") as cursor:
        cards = {row["chat_id"]: row["kind"] for row in await cursor.fetchall()}
    members = {user: kind for user, kind in cards.items() if user in MEMBERS}
    assert set(members) >= {"zhangsan", "zhaoliu"} and set(members.values()) == {"member"}
    assert all(kind == "group" for chat, kind in cards.items() if chat not in MEMBERS)


async def test_welcome_once_per_person_even_after_restart(rig: Rig) -> None:
    bench = rig.bench

    def welcomes(user_id: str) -> list[str]:
        return [text for text in bench.fake.texts(user_id) if "您好，这里是e党委" in text]

    await rig.enter("zhangsan")
    await eventually(lambda: len(welcomes("zhangsan")) == 1)
    first = welcomes("zhangsan")[0]
    assert "/help" in first and "/报到" not in first and "/committee" not in first, "a stranger is on no list yet"
    await rig.enter("admin")
    await eventually(lambda: len(welcomes("admin")) == 1)
    assert "/committee" in welcomes("admin")[0]
    await rig.enter("zhangsan")
    await rig.restart()
    await rig.enter("zhangsan")
    await bench.say("zhangsan", "/help")  # handled after the enter events: nothing else arrived meanwhile
    await asyncio.sleep(0.3)
    assert len(welcomes("zhangsan")) == 1
    assert len(bench.fake.texts("zhangsan")) == 2


async def test_spent_response_codes_are_forgotten_once_expired_and_capped(rig: Rig, clock: ManualClock) -> None:
    bench = rig.bench
    await committee_and_branch(bench, "zhangsan", "lisi")
    await bench.say("lisi", "/报到 市税务局 | 维修 | 每月服务一次")
    await bench.say("admin", "#微心愿 帮独居老人买年货 名额2")
    await eventually(lambda: has_card(bench, "lisi", encode(Act.CLAIM, 1)))
    gateway = bench.platform.gateway

    async def toggle(act: Act, expect: str) -> None:
        task_id, _, key = find_card(bench, "lisi", encode(act, 1))
        before = len(bench.fake.texts("lisi"))
        await rig.press("lisi", task_id, key)
        await eventually(lambda: len(bench.fake.texts("lisi")) > before and expect in bench.last_text("lisi"))

    await toggle(Act.CLAIM, "认领成功")
    await toggle(Act.WITHDRAW, "取消认领")
    await eventually(lambda: gateway.used_codes >= 2)

    clock.advance(timedelta(hours=73))
    await toggle(Act.CLAIM, "认领成功")
    # the press's code reaches the card through the card sync, which spends it a moment after the reply
    await eventually(
        lambda: gateway.used_codes == 1
    )  # every code spent 73 hours ago is forgotten (it could not be used anyway)

    gateway.max_used_codes = 2
    await toggle(Act.WITHDRAW, "取消认领")
    await toggle(Act.CLAIM, "认领成功")
    await toggle(Act.WITHDRAW, "取消认领")
    await eventually(lambda: "已认领 0/2" in find_card(bench, "lisi", encode(Act.CLAIM, 1))[1]["sub_title_text"])
    assert gateway.used_codes == 2
    # the card still shows the truth after all that


async def test_scheduled_weekly_digest_reaches_the_committee_appchat(rig: Rig, tmp_path: Path) -> None:
    bench = rig.bench
    await committee_and_branch(bench, "zhangsan", "lisi")
    await bench.say("lisi", "/报到 市税务局 | 维修 | 每月服务一次")
    committee_chat = next(cid for cid, c in bench.fake.chats.items() if c.name == "南湖区e党委")

    deps = JobDeps(SqlReports(rig.db), bench.usecases, SHANGHAI, SchedulerConfig())
    digest_job = next(job for job in jobs(deps.settings, deps.tz) if job.name == "digest")
    assert await run_job(deps, digest_job, rig.clock.now(), bench.platform.poke) == 1

    messages = bench.fake.chats[committee_chat].messages
    await eventually(lambda: [m.msgtype for m in messages][-2:] == ["image", "file"], within=20)
    markdowns = [m for m in messages if m.msgtype == "markdown"]
    assert markdowns and "幸福里e支部" in "".join(m.content["content"] for m in markdowns)
    image, ledger = (bench.fake.media[m.content["media_id"]] for m in messages[-2:])
    assert image[0] == "image" and image[1].endswith(".png") and image[2].startswith(b"\x89PNG")
    assert ledger[0] == "file" and ledger[1].endswith(".xlsx") and ledger[2].startswith(b"PK")
    for _ in range(200):
        async with rig.db.conn.execute("SELECT status FROM outbox WHERE kind = 'digest'") as cursor:
            statuses = [row["status"] for row in await cursor.fetchall()]
        if statuses == ["sent"]:
            break
        await asyncio.sleep(0.05)
    assert statuses == ["sent"], "the delivery marks the digest sent right after the last file went out"
    uploads = [params for path, params in bench.fake.calls if path == "media/upload"]
    assert [u.get("type") for u in uploads] == ["image", "file"]
