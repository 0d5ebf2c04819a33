"""More Telegram end to end: team claims, ratings, the branch choice, photo notes, webhooks, mentions, migration."""

from __future__ import annotations

import socket

import aiohttp

from bot.config import TelegramConfig, WebhookConfig
from bot.domain.model import ChatRef, Claim
from bot.notices.callbacks import decode
from bot.ports.chat import Button, OutgoingMessage
from bot.usecases import commands as cmd
from bot.usecases import outcomes
from bot.usecases.roster import RosterRow
from handlers.sandbox import FakeBotApi, SandboxMessage
from handlers.telegram import TelegramPlatform
from tests.conftest import World
from tests.telegram_fixtures import (
    ADMIN_ID,
    GROUP_ID,
    SECRETARY_ID,
    Telegram,
    api,
    bot_said,
    button,
    card_of,
    eventually,
    platform_for,
    telegram,
)

__all__ = ["api", "telegram"]

PHOTO = b"\xff\xd8\xff\xe0sandbox-jpeg-of-the-finished-service\xff\xd9"


async def posted_card(tg: Telegram, text: str, slots: int, chat: int = GROUP_ID) -> SandboxMessage:
    """The secretary posts ``/wish text`` in the branch group; the card once the bot posted it."""
    await tg.api.user_sends(tg.secretary, chat, f"/wish {text}")
    await bot_said(tg.api, chat, f"已认领 0/{slots}")
    views = await tg.world.app.open_wishes(tg.world.branch.id)
    return card_of(tg.api, chat, max(v.wish.id for v in views))


async def claim_of(tg: Telegram, message: SandboxMessage, label: str) -> Claim:
    """The claim a review button (``确认``, ``★★★``) is about, as stored."""
    payload = decode(button(message, label))
    assert payload is not None
    async with tg.world.store.unit() as unit:
        claim = await unit.claims.get(payload.target)
    assert claim is not None
    return claim


async def review_request(
    tg: Telegram, card: SandboxMessage, member_id: int, note: str | None, photo: bytes | None
) -> SandboxMessage:
    """The member claims the card, reports 2 hours done with a note (or a photo); the secretary's review comes back."""
    member = tg.people[member_id]
    await tg.api.user_presses(member, card, button(card, "认领"))
    notice = await bot_said(tg.api, member.id, "您已认领微心愿")
    await tg.api.user_presses(member, notice, button(notice, "已完成"))
    await bot_said(tg.api, member.id, "请回复本次服务时长")
    await tg.says(member, member.id, "2小时")
    before = tg.api.bot_messages(SECRETARY_ID)
    await tg.api.user_sends(member, member.id, note, photo=photo)
    await bot_said(tg.api, member.id, "等待支部书记确认")
    await eventually(lambda: len(tg.api.bot_messages(SECRETARY_ID)) > len(before))
    return tg.api.bot_messages(SECRETARY_ID)[-1]


# -- 1. team claim --------------------------------------------------------------------------------------------


async def test_a_team_leader_claims_for_the_team_and_a_plain_member_is_told_only_leaders_can(
    telegram: Telegram,
) -> None:
    tg = telegram
    await tg.world.app.import_roster(
        "幸福里e支部", [RosterRow(2, "赵六", "13800138000", "市财政局", team="红马甲服务队")]
    )
    leader = await tg.person(21, "老赵")
    start = await tg.api.user_starts_bot(leader, f"j{tg.world.branch.id}")
    await tg.api.wait_for_bot_message(leader.id, after=start)
    await tg.api.user_sends(leader, leader.id, contact="+86 138 0013 8000")
    await bot_said(tg.api, leader.id, "已关联名册：赵六")
    async with tg.world.store.unit() as unit:
        team = await unit.teams.by_name(tg.world.branch.id, "红马甲服务队")
        zhao = await unit.people.by_account("telegram", "21")
        assert team is not None and zhao is not None
        await unit.teams.set_leader(team.id, zhao.id)
    plain = await tg.reported(10, "张伟")
    card = await posted_card(tg, "社区大扫除 组团认领 名额2", 2)
    assert [b["text"] for b in card.buttons()] == ["认领", "组团认领", "取消认领"]

    refused = await tg.api.user_presses(plain, card, button(card, "组团认领"))
    claimed = await tg.api.user_presses(leader, card, button(card, "组团认领"))

    assert refused.text == "只有服务队队长可以组团认领。"
    assert claimed.text == "已以「红马甲服务队」名义组团认领。"
    await eventually(lambda: "已认领 1/2" in (card.text or "") and "红马甲服务队（赵六）" in (card.text or ""))


# -- 2. rating stars ------------------------------------------------------------------------------------------


async def test_secretary_confirms_then_rates_with_the_stars_on_the_review_message(telegram: Telegram) -> None:
    tg = telegram
    await tg.reported(10, "张伟")
    card = await posted_card(tg, "帮忙买年货 名额1", 1)
    review = await review_request(tg, card, 10, "老人很满意", None)
    assert [b["text"] for b in review.buttons()] == ["确认", "退回", "★", "★★", "★★★", "★★★★", "★★★★★"]

    confirmed = await tg.api.user_presses(tg.secretary, review, button(review, "确认"))
    assert confirmed.text == "已确认，计入本季度服务。"
    await eventually(lambda: "✅ 已确认" in (review.text or "") and "确认" not in [b["text"] for b in review.buttons()])
    rated = await tg.api.user_presses(tg.secretary, review, button(review, "★★★★"))

    assert rated.text == "已评 4 星。"
    await eventually(lambda: "✅ 已确认 ★★★★" in (review.text or "") and not list(review.buttons()))
    claim = await claim_of_id(tg, card)
    assert claim.rating == 4 and claim.status.value == "confirmed"
    await eventually(lambda: "已完成 1/1" in (card.text or ""))


async def claim_of_id(tg: Telegram, card: SandboxMessage) -> Claim:
    """The only claim of the wish on this card."""
    async with tg.world.store.unit() as unit:
        wish_id = int((card.text or "").split("#", 1)[1].split()[0])
        claims = await unit.claims.of_wish(wish_id)
    assert len(claims) == 1
    return claims[0]


# -- 3. a secretary of two branches posts privately --------------------------------------------------------------


async def test_a_secretary_of_two_branches_posts_privately_and_picks_the_branch(telegram: Telegram) -> None:
    tg = telegram
    other = await tg.api.add_group(-400, "和平里", [tg.admin, tg.secretary])
    await tg.api.user_sends(tg.admin, other, "/branch 和平里e支部")
    await bot_said(tg.api, other, "本群已绑定为「和平里e支部」")
    said = await tg.api.user_sends(tg.secretary, other, "/help")
    await tg.api.user_sends(tg.admin, other, "/secretary", reply_to=said)
    await bot_said(tg.api, other, "现在是「和平里e支部」的支部书记")

    question = await tg.says(tg.secretary, SECRETARY_ID, "#微心愿 帮和平里的孤老修水管 名额2")
    assert "发布到哪个支部" in (question.text or "")
    assert [b["text"] for b in question.buttons()] == ["幸福里e支部", "和平里e支部"]
    answer = await tg.api.user_presses(tg.secretary, question, button(question, "和平里e支部"))

    assert answer.text == "好的。"
    card = await bot_said(tg.api, other, "已认领 0/2")
    assert "帮和平里的孤老修水管" in (card.text or "")
    await bot_said(tg.api, SECRETARY_ID, "已发布微心愿")
    await eventually(lambda: not list(question.buttons()))
    assert not any("修水管" in (m.text or "") for m in tg.api.bot_messages(tg.group))


# -- 4. a photo as the done note ---------------------------------------------------------------------------------


async def test_a_photo_note_reaches_the_secretary_with_the_review_and_a_star_confirms_it(telegram: Telegram) -> None:
    tg = telegram
    await tg.reported(10, "张伟")
    card = await posted_card(tg, "为王奶奶安装扶手 名额1", 1)

    review = await review_request(tg, card, 10, "扶手装好了", PHOTO)

    assert review.photo is not None and review.photo.data == PHOTO
    assert "（附照片）" in (review.caption or "") and "扶手装好了" in (review.caption or "")
    assert "张伟" in (review.caption or "") and "2 小时" in (review.caption or "")
    claim = await claim_of(tg, review, "确认")
    assert claim.photo_ref is not None and tg.api.files[claim.photo_ref].data == PHOTO
    rated = await tg.api.user_presses(tg.secretary, review, button(review, "★★★★★"))
    assert rated.text == "已评 5 星。"
    await eventually(lambda: "✅ 已确认 ★★★★★" in (review.caption or "") and not list(review.buttons()))
    assert review.photo.data == PHOTO
    assert (await claim_of_id(tg, card)).rating == 5


# -- 5. webhook mode -----------------------------------------------------------------------------------------------


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_webhook_mode_sets_the_webhook_and_only_accepts_updates_with_the_secret_token(
    api: FakeBotApi, world: World
) -> None:
    secretary = await api.add_user(SECRETARY_ID, "王书记")
    secretary.started = True
    group = await api.add_group(GROUP_ID, "幸福里e支部", [secretary])
    port = free_port()
    url = "https://ebranch.example.org/telegram"
    config = TelegramConfig(
        token=api.token,
        admins=(ADMIN_ID,),
        base_url=api.base_url,
        base_file_url=api.base_file_url,
        card_edit_interval=0.2,
        webhook=WebhookConfig(url=url, listen="127.0.0.1", port=port, secret_token="s3cret-Token_1"),
    )
    platform = TelegramPlatform(config, world.app, world.store, world.clock, poll_timeout=1, idle_wait=0.2)
    await platform.start()
    try:
        assert (api.webhook_url, api.webhook_secret) == (url, "s3cret-Token_1")
        assert api.calls_to("setWebhook")[-1].params["secret_token"] == "s3cret-Token_1"
        assert not api.calls_to("getUpdates")
        forged = await api.user_sends(secretary, group, "/wish 伪造的心愿 名额9")
        genuine = await api.user_sends(secretary, group, "/wish 帮忙买年货 名额2")
        endpoint = f"http://127.0.0.1:{port}/telegram"
        async with aiohttp.ClientSession() as http:
            refused = await http.post(
                endpoint,
                json={"update_id": api.update_id_of(forged), "message": forged.to_api()},
                headers={"X-Telegram-Bot-Api-Secret-Token": "wrong"},
            )
            accepted = await http.post(
                endpoint,
                json={"update_id": api.update_id_of(genuine), "message": genuine.to_api()},
                headers={"X-Telegram-Bot-Api-Secret-Token": "s3cret-Token_1"},
            )

        assert (refused.status, accepted.status) == (403, 200)
        await bot_said(api, group, "已认领 0/2")
        assert not any("伪造" in (m.text or "") for m in api.bot_messages(group))
        assert [v.wish.title for v in await world.app.open_wishes(world.branch.id)] == ["帮忙买年货"]
    finally:
        await platform.stop()


# -- 6. the 403 fallback mention -----------------------------------------------------------------------------------


async def test_the_fallback_for_a_member_who_never_opened_the_bot_is_a_clickable_mention(telegram: Telegram) -> None:
    tg = telegram
    await tg.person(30, "赵<六>", started=False)
    await tg.world.member("30", "赵<六>")
    card = await posted_card(tg, "帮忙买年货 名额2", 2)

    await tg.api.user_presses(tg.people[30], card, button(card, "认领"))

    fallback = await bot_said(tg.api, tg.group, "/start")
    assert (fallback.text or "").startswith("赵<六>，")
    mentions = [e for e in fallback.entities if e["type"] == "text_mention"]
    assert mentions == [{"type": "text_mention", "offset": 0, "length": 4, "user": tg.people[30].to_api()}]


# -- 7. a send that finds the group migrated -------------------------------------------------------------------------


async def test_a_card_sent_to_a_group_that_became_a_supergroup_follows_it(telegram: Telegram) -> None:
    tg = telegram
    member = await tg.reported(10, "张伟")
    await tg.platform.stop()
    supergroup = await tg.api.migrate_group(tg.group)
    tg.api.updates.clear()
    posted = await tg.world.app.post_wish(cmd.PostWish(tg.world.secretary, tg.world.branch.id, "帮忙买年货 名额2"))
    assert isinstance(posted, outcomes.WishPosted)

    tg.platform = platform_for(tg.api, tg.world)
    await tg.platform.start()

    card = await bot_said(tg.api, supergroup, "已认领 0/2")
    assert not any("已认领" in (m.text or "") for m in tg.api.bot_messages(tg.group))
    assert any(
        c.status == 400 and c.params.get("chat_id") in (GROUP_ID, str(GROUP_ID)) for c in tg.api.calls_to("sendMessage")
    )
    branch = await tg.world.app.branch_of_chat(ChatRef("telegram", str(supergroup.id)))
    assert branch is not None and branch.id == tg.world.branch.id
    await tg.api.user_presses(member, card, button(card, "认领"))
    await eventually(lambda: "已认领 1/2" in (card.text or "") and "张伟" in (card.text or ""))


# -- 9. the secretary's command menu in their group ------------------------------------------------------------------


async def test_a_new_secretary_gets_the_secretary_commands_in_that_group(telegram: Telegram) -> None:
    tg = telegram
    member = await tg.reported(10, "张伟")
    said = await tg.api.user_sends(member, tg.group, "/me")
    scope = {"type": "chat_member", "chat_id": GROUP_ID, "user_id": 10}
    assert tg.api.my_commands(scope) == []

    await tg.api.user_sends(tg.secretary, tg.group, "/secretary", reply_to=said)

    await bot_said(tg.api, tg.group, "现在是「幸福里e支部」的支部书记")
    await eventually(lambda: bool(tg.api.my_commands(scope)))
    names = [c["command"] for c in tg.api.my_commands(scope)]
    assert {"wish", "atrisk", "help", "join"} <= set(names)
    group_names = [c["command"] for c in tg.api.my_commands({"type": "all_group_chats"})]
    assert "atrisk" not in group_names and "wish" not in group_names


# -- 8. replayed updates after a restart --------------------------------------------------------------------------


async def test_a_claim_tap_replayed_after_a_restart_does_not_claim_again(telegram: Telegram) -> None:
    tg = telegram
    member = await tg.reported(10, "张伟")
    card = await posted_card(tg, "帮忙买年货 名额2", 2)
    tap = await tg.api.press_button(member, card, button(card, "认领"))
    assert "认领成功" in ((await tap.wait_answer(5)).text or "")
    await eventually(lambda: "已认领 1/2" in (card.text or ""))
    withdrawn = await tg.api.user_presses(member, card, button(card, "取消认领"))
    assert withdrawn.text == "已取消认领。"
    await eventually(lambda: "已认领 0/2" in (card.text or ""))
    await tg.restart()

    assert tg.api.replay(tg.api.update_id_of(tap)) == 1
    await eventually(lambda: tg.api.updates.pending == 0)

    later = await tg.api.user_presses(member, card, button(card, "认领"))
    assert later.text and "认领成功" in later.text
    await eventually(lambda: "已认领 1/2" in (card.text or ""))
    async with tg.world.store.unit() as unit:
        assert await unit.claims.count_active(int((card.text or "").split("#", 1)[1].split()[0])) == 1


async def test_a_photo_telegram_no_longer_knows_leaves_the_review_text_intact(telegram: Telegram) -> None:
    tg = telegram
    gateway = tg.platform.gateway
    review = OutgoingMessage("请确认张伟的服务（附照片）", ((Button("确认", "1:k:1"),),), photo_ref="AgACgone")

    message_id = await gateway.send(ChatRef("telegram", str(SECRETARY_ID)), review)

    sent = tg.api.chat(SECRETARY_ID).messages[int(message_id)]
    assert sent.text == "请确认张伟的服务（附照片）" and sent.photo is None and button(sent, "确认") == "1:k:1"
    assert [c.status for c in tg.api.calls_to("sendPhoto")] == [400]
