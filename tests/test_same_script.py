"""The same script of answers through Telegram and through WeCom reaches the same domain result, per conversation."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from bot.domain.emergency import EmergencyPost
from bot.domain.model import Account, ChatRef, Claim, ClaimStatus, Member
from bot.notices.callbacks import Act, encode
from bot.ports.clock import ManualClock
from bot.usecases import UseCases
from handlers.sandbox import SandboxUser
from handlers.wecom.platform import WeComPlatform
from storage.sqlite import open_database
from storage.uow import SqlStore
from tests.conftest import SHANGHAI
from tests.fakes import eventually
from tests.fakes.wecom_api import FakeWeComApi, image_message_xml
from tests.fakes.wecom_callbacks import template_card_event_xml
from tests.telegram_fixtures import SECRETARY_ID, Telegram, api, bot_said, button, card_of, telegram
from tests.test_wecom_platform import MEMBERS, PNG, Bench, app_config
from tests.test_wecom_restarts_and_delivery import committee_and_branch, find_card, has_card

__all__ = ["api", "telegram"]  # the fixtures

REPORT_SCRIPT = ("区教育局", "区教育局机关第一党支部", "助学、维修", "每周辅导一次功课", "1", "一网格", "确认")


@pytest.fixture
async def wecom(tmp_path: Path, clock: ManualClock) -> AsyncIterator[Bench]:
    """WeCom on a database of its own (Telegram's test world has the other one)."""
    db = await open_database(tmp_path / "wecom.sqlite3")
    store = SqlStore(db)
    usecases = UseCases(store, clock, SHANGHAI)
    async with FakeWeComApi(members=MEMBERS) as fake, aiohttp.ClientSession() as http:
        platform = WeComPlatform(app_config(fake), usecases, store, clock, card_interval=0.05, idle_wait=0.2)
        await platform.start()
        try:
            yield Bench(fake, platform, usecases, store, http, itertools.count(1_700_000_001))
        finally:
            await platform.stop()
            await db.close()


def profile(member: Member | None) -> tuple[str, str, str, tuple[str, ...], str]:
    """What report-in records about a member."""
    assert member is not None
    return member.name, member.workplace, member.workplace_branch, member.skills, member.commitment


def service(claim: Claim | None) -> tuple[ClaimStatus, float | None, str, bool, str]:
    """What reporting done (and returning) records on a claim."""
    assert claim is not None
    return claim.status, claim.hours, claim.note, claim.photo_ref is not None, claim.return_reason


async def tg_member(store: SqlStore, user_id: int) -> Member | None:
    """The member behind a Telegram account, read from storage."""
    async with store.unit() as unit:
        return await unit.people.by_account("telegram", str(user_id))


async def wc_member(bench: Bench, user_id: str) -> Member | None:
    """The member behind a WeCom account, read from storage."""
    async with bench.store.unit() as unit:
        return await unit.people.by_account("wecom", user_id)


async def claim_of(store: SqlStore, claim_id: int) -> Claim | None:
    """A claim, read from storage."""
    async with store.unit() as unit:
        return await unit.claims.get(claim_id)


async def wc_image(bench: Bench, user_id: str, media_id: str) -> None:
    """A WeCom member sends a picture."""
    bench.fake.media[media_id] = ("image", f"{media_id}.jpg", PNG)
    before = len(bench.fake.inbox.get(user_id, []))
    xml = image_message_xml(user_id, media_id, f"https://wework.qpic.cn/{media_id}", str(next(bench.ids)))
    status, _, _ = await bench.post(xml)
    assert status == 200
    await eventually(lambda: len(bench.fake.inbox.get(user_id, [])) > before)


async def test_report_in_including_the_workplace_branch(telegram: Telegram, wecom: Bench) -> None:
    tg = telegram
    member = await tg.person(20, "张三")
    await tg.api.user_starts_bot(member, f"j{tg.world.branch.id}")
    await bot_said(tg.api, member.id, "姓名")
    await tg.says(member, member.id, "张三")  # WeCom takes the directory name instead
    for answer in REPORT_SCRIPT:
        await tg.says(member, member.id, answer)

    await committee_and_branch(wecom, "zhangsan")
    await wecom.say("zhangsan", "/报到")
    for answer in REPORT_SCRIPT:
        await wecom.say("zhangsan", answer)

    expected = ("张三", "区教育局", "区教育局机关第一党支部", ("助学", "维修"), "每周辅导一次功课")
    assert profile(await tg_member(tg.world.store, 20)) == expected
    assert profile(await wc_member(wecom, "zhangsan")) == expected
    post = EmergencyPost("物资配送", "一网格")
    assert await tg.world.app.emergency_post(Account("telegram", "20")) == post
    assert await wecom.usecases.emergency_post(Account("wecom", "zhangsan")) == post


async def tg_claimed(tg: Telegram) -> tuple[SandboxUser, int]:
    """A reported-in Telegram member claims a new wish and presses 已完成; the hours are asked."""
    member = await tg.reported(10, "张伟")
    await tg.api.user_sends(tg.secretary, tg.group, "/wish 帮忙买年货 名额1")
    await bot_said(tg.api, tg.group, "已认领 0/1")
    card = card_of(tg.api, tg.group, max(v.wish.id for v in await tg.world.app.open_wishes(tg.world.branch.id)))
    await tg.api.user_presses(member, card, button(card, "认领"))
    notice = await bot_said(tg.api, member.id, "已认领微心愿")
    done_key = button(notice, "已完成")
    await tg.api.user_presses(member, notice, done_key)
    asked = await tg.api.wait_for_bot_message(member.id, after=notice)
    assert "时长" in (asked.text or "")
    return member, int(done_key.split(":")[2])


async def wc_claimed(bench: Bench) -> int:
    """A reported-in WeCom member claims a new wish and presses 已完成; the hours are asked."""
    await committee_and_branch(bench, "zhangsan")
    await bench.say("zhangsan", "/报到 区教育局 | 助学 | 每周辅导一次功课")
    await bench.say("admin", "#微心愿 帮独居老人买年货 名额1")
    await eventually(lambda: has_card(bench, "zhangsan", encode(Act.CLAIM, 1)))
    task_id, _, key = find_card(bench, "zhangsan", encode(Act.CLAIM, 1))
    await bench.press("zhangsan", task_id, key)
    await eventually(lambda: has_card(bench, "zhangsan", "1:d:"))
    task_id, _, done_key = find_card(bench, "zhangsan", "1:d:")
    await bench.press("zhangsan", task_id, done_key)
    await eventually(lambda: "时长" in bench.last_text("zhangsan"))
    return int(done_key.split(":")[2])


@pytest.mark.parametrize("with_photo", [False, True], ids=["note", "photo"])
async def test_done_with_hours_and_a_note_or_a_photo(telegram: Telegram, wecom: Bench, with_photo: bool) -> None:
    tg = telegram
    member, tg_claim = await tg_claimed(tg)
    await tg.says(member, member.id, "2小时")
    if with_photo:
        sent = await tg.api.user_sends(member, member.id, photo=PNG)
        await tg.api.wait_for_bot_message(member.id, after=sent)
    else:
        await tg.says(member, member.id, "老人很满意")

    wc_claim = await wc_claimed(wecom)
    await wecom.say("zhangsan", "2小时")
    if with_photo:
        await wc_image(wecom, "zhangsan", "photo0001")
    else:
        await wecom.say("zhangsan", "老人很满意")

    expected = (ClaimStatus.DONE, 2.0, "" if with_photo else "老人很满意", with_photo, "")
    assert service(await claim_of(tg.world.store, tg_claim)) == expected
    assert service(await claim_of(wecom.store, wc_claim)) == expected


async def test_return_with_a_reason(telegram: Telegram, wecom: Bench) -> None:
    tg = telegram
    member, tg_claim = await tg_claimed(tg)
    await tg.says(member, member.id, "1.5")
    await tg.says(member, member.id, "/skip")
    review = await tg.api.wait_for_bot_message(SECRETARY_ID)
    await tg.api.user_presses(tg.secretary, review, button(review, "退回"))
    await bot_said(tg.api, SECRETARY_ID, "退回原因")
    await tg.says(tg.secretary, SECRETARY_ID, "请补充照片")

    wc_claim = await wc_claimed(wecom)
    await wecom.say("zhangsan", "1.5")
    await wecom.say("zhangsan", "/skip")
    await eventually(lambda: has_card(wecom, "admin", encode(Act.RETURN, wc_claim)))
    task_id, _, key = find_card(wecom, "admin", encode(Act.RETURN, wc_claim))
    await wecom.press("admin", task_id, key)
    await eventually(lambda: "退回原因" in wecom.last_text("admin"))
    await wecom.say("admin", "请补充照片")

    for store, claim_id in ((tg.world.store, tg_claim), (wecom.store, wc_claim)):
        claim = await claim_of(store, claim_id)
        assert claim is not None and (claim.status, claim.return_reason) == (ClaimStatus.CLAIMED, "请补充照片")


async def test_branch_choice_for_a_wish(telegram: Telegram, wecom: Bench) -> None:
    tg = telegram
    other = await tg.api.add_group(-400, "和平里", [tg.admin, tg.secretary])
    await tg.api.user_sends(tg.admin, other, "/branch 和平里e支部")
    await bot_said(tg.api, other, "本群已绑定为「和平里e支部」")
    said = await tg.api.user_sends(tg.secretary, other, "/help")
    await tg.api.user_sends(tg.admin, other, "/secretary", reply_to=said)
    await bot_said(tg.api, other, "现在是「和平里e支部」的支部书记")
    question = await tg.says(tg.secretary, SECRETARY_ID, "#微心愿 给小学生送书包 名额1")
    await tg.api.user_presses(tg.secretary, question, button(question, "和平里e支部"))
    await bot_said(tg.api, SECRETARY_ID, "已发布微心愿")

    await committee_and_branch(wecom, "zhangsan")
    await wecom.say("admin", "/branch 和平里e支部 zhaoliu")
    await wecom.say("admin", "#微心愿 给小学生送书包 名额1")
    task_id, card = next((t, c) for t, c in wecom.fake.cards["admin"].items() if "哪个支部" in str(c))
    await wecom.press("admin", task_id, next(b["key"] for b in card["button_list"] if b["text"] == "和平里e支部"))
    await eventually(lambda: "已发布" in wecom.last_text("admin"))

    async def posted(app: UseCases) -> tuple[str, str, int]:
        """The branch, title and slots of the wish posted to 和平里e支部."""
        roles = await app.roles(Account(*account))
        branch = next(b for b in roles.secretary_of if b.name == "和平里e支部")
        (view,) = await app.open_wishes(branch.id)
        return view.branch_name, view.wish.title, view.wish.slots

    account = ("telegram", str(SECRETARY_ID))
    tg_result = await posted(tg.world.app)
    account = ("wecom", "admin")
    assert tg_result == await posted(wecom.usecases) == ("和平里e支部", "给小学生送书包", 1)


async def test_committee_choice_for_branch(telegram: Telegram, wecom: Bench) -> None:
    tg = telegram
    committee_group = await tg.api.add_group(-300, "北湖区e党委", [tg.admin])
    await tg.api.user_sends(tg.admin, committee_group, "/committee 北湖区e党委")
    await bot_said(tg.api, committee_group, "党委群")
    branch_group = await tg.api.add_group(-400, "和平里", [tg.admin, tg.secretary])
    await tg.api.user_sends(tg.admin, branch_group, "/branch 和平里e支部")
    question = await bot_said(tg.api, branch_group, "请选择所属e党委")
    await tg.api.user_presses(tg.admin, question, button(question, "北湖区e党委"))
    await bot_said(tg.api, branch_group, "本群已绑定为「和平里e支部」")

    await wecom.say("admin", "/committee 南湖区e党委")
    await wecom.say("admin", "/committee 北湖区e党委")
    await wecom.say("admin", "/branch 和平里e支部 zhaoliu")
    await eventually(lambda: has_card(wecom, "admin", "1:m:"))
    task_id, card, _ = find_card(wecom, "admin", "1:m:")
    await wecom.press("admin", task_id, next(b["key"] for b in card["button_list"] if b["text"] == "北湖区e党委"))
    await eventually(lambda: "和平里e支部" in wecom.last_text("admin"))

    async def committee_of(app: UseCases, chat: ChatRef) -> tuple[str, str]:
        """The branch bound to the chat and the name of its committee."""
        branch = await app.branch_of_chat(chat)
        assert branch is not None
        roles = await app.roles(Account(chat.platform, "1" if chat.platform == "telegram" else "admin"))
        names = {c.id: c.name for c in roles.admin_of}
        return branch.name, names.get(branch.committee_id, "")

    wc_chat = ChatRef("wecom", next(cid for cid, c in wecom.fake.chats.items() if c.name == "和平里e支部"))
    assert await committee_of(tg.world.app, ChatRef("telegram", "-400")) == ("和平里e支部", "北湖区e党委")
    assert await committee_of(wecom.usecases, wc_chat) == ("和平里e支部", "北湖区e党委")


async def test_a_draft_is_kept_then_fixed(telegram: Telegram, wecom: Bench) -> None:
    tg = telegram
    await tg.api.user_sends(tg.secretary, tg.group, "#微心愿 辅导功课 名额0")
    answer = await bot_said(tg.api, tg.group, "草稿已保存")
    assert "名额" in (answer.text or "")
    await tg.api.user_sends(tg.secretary, tg.group, "#微心愿 辅导功课 名额2")
    await bot_said(tg.api, tg.group, "已认领 0/2")

    await committee_and_branch(wecom, "zhangsan")
    await wecom.say("admin", "#微心愿 辅导功课 名额0")
    assert "草稿已保存" in wecom.last_text("admin") and "名额" in wecom.last_text("admin")
    await wecom.say("admin", "#微心愿 辅导功课 名额2")
    assert "已发布" in wecom.last_text("admin")

    async def wish(app: UseCases, branch_id: int) -> tuple[str, int]:
        """Title and slots of the branch's only open wish."""
        (view,) = await app.open_wishes(branch_id)
        return view.wish.title, view.wish.slots

    wc_branch = await wecom.usecases.branch_of_chat(
        ChatRef("wecom", next(cid for cid, c in wecom.fake.chats.items() if c.name == "幸福里e支部"))
    )
    assert wc_branch is not None
    assert await wish(tg.world.app, tg.world.branch.id) == await wish(wecom.usecases, wc_branch.id) == ("辅导功课", 2)


async def test_done_on_a_withdrawn_claim_is_refused_before_any_question(telegram: Telegram, wecom: Bench) -> None:
    tg = telegram
    member = await tg.reported(10, "张伟")
    await tg.api.user_sends(tg.secretary, tg.group, "/wish 帮忙买年货 名额1")
    await bot_said(tg.api, tg.group, "已认领 0/1")
    card = card_of(tg.api, tg.group, max(v.wish.id for v in await tg.world.app.open_wishes(tg.world.branch.id)))
    await tg.api.user_presses(member, card, button(card, "认领"))
    notice = await bot_said(tg.api, member.id, "已认领微心愿")
    await eventually(lambda: any(b["text"] == "取消认领" for b in card.buttons()))
    done = button(notice, "已完成")
    await tg.api.user_presses(member, card, button(card, "取消认领"))
    before = len(tg.api.bot_messages(member.id))
    # the card may already have lost the button; a client that has not caught up still sends it
    toast = await (await tg.api.press_button(member, notice, done, seen=[done])).wait_answer(5.0)
    assert toast.text and "时长" not in toast.text
    assert not any("时长" in (m.text or "") for m in tg.api.bot_messages(member.id)[before:])
    assert await tg.world.app.conversation(Account("telegram", "10")) is None

    claim_id = await wc_claimed_only(wecom)
    done_task, _, done_key = find_card(wecom, "zhangsan", encode(Act.DONE, claim_id))
    task_id, card_now = wecom.card_for("zhangsan", 1)
    withdraw = next(b["key"] for b in card_now["button_list"] if b["text"] == "取消认领")
    await wecom.press("zhangsan", task_id, withdraw)
    await eventually(lambda: "取消" in wecom.last_text("zhangsan"))
    before = len(wecom.fake.texts("zhangsan"))
    # the claim card may already have lost 已完成; a client that has not caught up still sends it
    code = wecom.fake.press_stale("zhangsan", done_task, done_key)
    status, _, _ = await wecom.post(
        template_card_event_xml("zhangsan", done_task, done_key, code, create_time=next(wecom.ids))
    )
    assert status == 200
    await eventually(lambda: len(wecom.fake.texts("zhangsan")) > before)
    assert "时长" not in wecom.last_text("zhangsan")
    assert await wecom.usecases.conversation(Account("wecom", "zhangsan")) is None


async def wc_claimed_only(bench: Bench) -> int:
    """A reported-in WeCom member claims wish 1; the claim's id (from its 已完成 button)."""
    await committee_and_branch(bench, "zhangsan")
    await bench.say("zhangsan", "/报到 区教育局 | 助学 | 每周辅导一次功课")
    await bench.say("admin", "#微心愿 帮独居老人买年货 名额1")
    await eventually(lambda: has_card(bench, "zhangsan", encode(Act.CLAIM, 1)))
    task_id, _, key = find_card(bench, "zhangsan", encode(Act.CLAIM, 1))
    await bench.press("zhangsan", task_id, key)
    await eventually(lambda: has_card(bench, "zhangsan", "1:d:"))
    return int(find_card(bench, "zhangsan", "1:d:")[2].split(":")[2])


async def test_a_button_of_a_flow_no_longer_stored_is_outdated(telegram: Telegram, wecom: Bench) -> None:
    tg = telegram
    member = await tg.person(20, "张三")
    await tg.api.user_starts_bot(member, f"j{tg.world.branch.id}")
    await bot_said(tg.api, member.id, "姓名")
    for answer in ("张三", "区教育局"):
        await tg.says(member, member.id, answer)
    skills = await tg.says(member, member.id, "无")
    await tg.says(member, member.id, "/cancel")
    toast = await tg.api.user_presses(member, skills, button(skills, "助学"))
    assert toast.text == "这个按钮已过期。"
    assert await tg.world.app.conversation(Account("telegram", "20")) is None

    await committee_and_branch(wecom, "zhangsan")
    await wecom.say("zhangsan", "/报到")
    for answer in REPORT_SCRIPT[:-1]:
        await wecom.say("zhangsan", answer)
    task_id, _, confirm = find_card(wecom, "zhangsan", "1:R:")
    await wecom.say("zhangsan", "/cancel")
    await wecom.press("zhangsan", task_id, confirm)
    await eventually(lambda: wecom.last_text("zhangsan") == "这个按钮已过期。")
    never = await wc_member(wecom, "zhangsan")
    assert never is None or never.reported_at is None
