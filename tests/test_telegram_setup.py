"""Setting up on Telegram and surviving Telegram as it is: committees, branches, migration, removal, topics."""

from __future__ import annotations

from bot.domain.model import Account, ChatRef
from bot.i18n import Phrase
from bot.usecases.roster import RosterRow
from bot.usecases.structure import Secretary, StructureRow
from tests.telegram_fixtures import SECRETARY_ID, Telegram, api, bot_said, button, card_of, eventually, telegram

__all__ = ["api", "telegram"]


async def test_bot_admin_sets_up_a_committee_chat_and_a_second_branch_choosing_its_committee(
    telegram: Telegram,
) -> None:
    tg = telegram
    committee_group = await tg.api.add_group(-300, "秀洲区e党委", [tg.admin])
    await tg.api.user_sends(tg.admin, committee_group, "/committee 秀洲区e党委")
    await bot_said(tg.api, committee_group, "党委群")
    branch_group = await tg.api.add_group(-400, "和平里", [tg.admin, tg.secretary])

    await tg.api.user_sends(tg.admin, branch_group, "/branch 和平里e支部")
    question = await bot_said(tg.api, branch_group, "请选择所属e党委")
    await tg.api.user_presses(tg.admin, question, button(question, "秀洲区e党委"))

    await bot_said(tg.api, branch_group, "本群已绑定为「和平里e支部」（秀洲区e党委）")
    branch = await tg.world.app.branch_of_chat(ChatRef("telegram", "-400"))
    assert branch is not None and branch.name == "和平里e支部"


async def test_a_secretary_makes_another_member_secretary_by_replying(telegram: Telegram) -> None:
    tg = telegram
    member = await tg.reported(10, "张伟")
    said = await tg.api.user_sends(member, tg.group, "/me")

    await tg.api.user_sends(tg.secretary, tg.group, "/secretary", reply_to=said)

    await bot_said(tg.api, tg.group, "现在是「幸福里e支部」的支部书记")
    roles = await tg.world.app.roles(await _account(tg, 10))
    assert [b.name for b in roles.secretary_of] == ["幸福里e支部"]


async def test_join_posts_a_report_in_deep_link(telegram: Telegram) -> None:
    tg = telegram
    await tg.api.user_sends(tg.secretary, tg.group, "/join")

    posted = await bot_said(tg.api, tg.group, "在职党员请点下方按钮")
    assert [b["url"] for b in posted.buttons()] == [f"https://t.me/ebranch_bot?start=j{tg.world.branch.id}"]


async def test_one_message_registration_and_phone_contact_linking(telegram: Telegram) -> None:
    tg = telegram
    quick = await tg.person(20, "李娜")
    await tg.api.user_sends(quick, tg.group, "/register 李娜 | 市教育局 | 每月辅导功课一次")
    await bot_said(tg.api, tg.group, "您已到「幸福里e支部」报到")
    await bot_said(tg.api, tg.group, "李娜（市教育局）已到本支部报到")

    await tg.world.app.import_roster("幸福里e支部", [RosterRow(2, "赵六", "13800138000", "市财政局")])
    rostered = await tg.person(21, "老赵")
    start = await tg.api.user_starts_bot(rostered, f"j{tg.world.branch.id}")
    await tg.api.wait_for_bot_message(rostered.id, after=start)
    await tg.api.user_sends(rostered, rostered.id, contact="+86 138 0013 8000")

    await bot_said(tg.api, rostered.id, "已关联名册：赵六")


async def test_a_report_in_survives_a_restart_in_the_middle(telegram: Telegram) -> None:
    tg = telegram
    member = await tg.person(20, "李娜")
    await tg.api.user_starts_bot(member, f"j{tg.world.branch.id}")
    await bot_said(tg.api, member.id, "姓名")
    await tg.says(member, member.id, "李娜")

    await tg.restart()

    await tg.says(member, member.id, "市教育局")
    skills = await tg.says(member, member.id, "第二党支部")
    await tg.api.user_presses(member, skills, button(skills, "完成 ✔"))
    posts = await tg.says(member, member.id, "每月辅导功课一次")
    await tg.api.user_presses(member, posts, button(posts, "跳过"))
    await eventually(lambda: "网格或楼栋" in (posts.text or ""))
    summary = await tg.says(member, member.id, "/skip")
    assert "李娜" in (summary.text or "") and "市教育局" in (summary.text or "")
    await tg.api.user_presses(member, summary, button(summary, "确认报到"))
    await bot_said(tg.api, tg.group, "李娜（市教育局）已到本支部报到")


async def test_group_upgraded_to_supergroup_keeps_the_branch_and_its_cards(telegram: Telegram) -> None:
    tg = telegram
    member = await tg.reported(10, "张伟")
    await tg.api.user_sends(tg.secretary, tg.group, "/wish 帮忙买年货 名额2")
    await bot_said(tg.api, tg.group, "已认领 0/2")

    supergroup = await tg.api.migrate_group(tg.group)
    await eventually(lambda: _bound(tg, supergroup.id))
    wish_id = max(v.wish.id for v in await tg.world.app.open_wishes(tg.world.branch.id))
    card = card_of(tg.api, supergroup, wish_id)
    await tg.api.user_presses(member, card, button(card, "认领"))

    await eventually(lambda: "已认领 1/2" in (card.text or ""))
    await tg.api.user_sends(tg.secretary, supergroup, "/wish 帮忙修水管 名额1")
    await bot_said(tg.api, supergroup, "已认领 0/1")


async def test_bot_removed_from_the_group_marks_the_branch_inactive_and_back_again(telegram: Telegram) -> None:
    tg = telegram
    await tg.api.remove_bot(tg.group)
    await eventually(lambda: _inactive(tg))

    await tg.api.add_bot(tg.group, as_admin=True)
    await bot_said(tg.api, tg.group, "恢复使用")


async def test_a_wish_posted_in_a_forum_topic_gets_its_card_in_that_topic(telegram: Telegram) -> None:
    tg = telegram
    forum = await tg.api.add_group(-1009, "幸福里（论坛）", [tg.admin, tg.secretary], forum=True)
    await tg.api.user_sends(tg.admin, forum, "/branch 幸福里论坛e支部")
    await bot_said(tg.api, forum, "本群已绑定为")
    topic = await tg.api.create_topic(forum, "微心愿")

    await tg.api.user_sends(tg.admin, forum, "#微心愿 帮忙买年货 名额2", thread_id=topic.message_id)

    card = await bot_said(tg.api, forum, "已认领 0/2")
    assert card.thread_id == topic.message_id


async def test_an_anonymous_admin_is_asked_to_post_as_themselves(telegram: Telegram) -> None:
    tg = telegram
    await tg.api.admin_sends_anonymously(tg.group, "/wish 帮忙买年货 名额2", admin=tg.secretary)

    await bot_said(tg.api, tg.group, "以个人身份")


async def test_help_lists_only_what_each_person_can_do_and_menus_are_set_per_scope(telegram: Telegram) -> None:
    tg = telegram
    member = await tg.reported(10, "张伟")
    await tg.api.user_sends(member, member.id, "/help")
    member_help = await bot_said(tg.api, member.id, "您可以使用的命令")
    await tg.api.user_sends(tg.secretary, SECRETARY_ID, "/help")
    secretary_help = await bot_said(tg.api, SECRETARY_ID, "您可以使用的命令")

    assert "/wish —" not in (member_help.text or "") and "/me —" in (member_help.text or "")
    assert "/wish —" in (secretary_help.text or "") and "/atrisk —" in (secretary_help.text or "")
    assert [c["command"] for c in tg.api.my_commands({"type": "all_group_chats"})][:2] == ["help", "join"]
    assert tg.api.my_commands({"type": "all_private_chats"}, "en")


async def test_member_sees_quarter_claims_wishes_and_switches_to_english(telegram: Telegram) -> None:
    tg = telegram
    member = await tg.reported(10, "张伟")
    await tg.api.user_sends(member, member.id, "/me")
    await bot_said(tg.api, member.id, "本季度尚未参加志愿服务")
    await tg.api.user_sends(member, member.id, "/mine")
    await bot_said(tg.api, member.id, "您还没有认领微心愿")
    await tg.api.user_sends(member, member.id, "/wishes")
    await bot_said(tg.api, member.id, "目前没有待认领的微心愿")
    await tg.api.user_sends(tg.secretary, tg.group, "/atrisk")
    await bot_said(tg.api, tg.group, "已私信发给您")
    await bot_said(tg.api, tg.secretary.id, "尚未参加服务")

    await tg.api.user_sends(member, member.id, "/lang en")
    await bot_said(tg.api, member.id, "I will speak English")
    await tg.api.user_sends(member, member.id, "/me")
    await bot_said(tg.api, member.id, "No service yet this quarter")


async def test_member_exports_their_data_and_leaves_after_confirming(telegram: Telegram) -> None:
    tg = telegram
    member = await tg.reported(10, "张伟")
    await tg.api.user_sends(member, member.id, "/mydata")
    export = await bot_said(tg.api, member.id, "您的全部信息")
    assert export.document is not None and "张伟".encode() in export.document.data

    await tg.api.user_sends(member, member.id, "/leave")
    ask = await bot_said(tg.api, member.id, "确定要退出吗")
    await tg.api.user_presses(member, ask, button(ask, "确认退出"))

    await eventually(lambda: "个人信息已删除" in (ask.text or ""))
    assert (await tg.world.app.my_data(await _account(tg, 10))).data.get("member", {}).get("name") != "张伟"


async def _account(tg: Telegram, user_id: int) -> Account:
    return Account("telegram", str(user_id))


async def _bound(tg: Telegram, chat_id: int) -> bool:
    return await tg.world.app.branch_of_chat(ChatRef("telegram", str(chat_id))) is not None


async def _inactive(tg: Telegram) -> bool:
    branch = await tg.world.app.branch_of_chat(ChatRef("telegram", str(tg.group.id)))
    return branch is not None and not branch.active


async def test_start_for_someone_already_reported_in_does_not_ask_again(telegram: Telegram) -> None:
    tg = telegram
    member = await tg.reported(10, "张伟")
    for text in ("/start", f"/start j{tg.world.branch.id}"):
        answer = await tg.says(member, member.id, text)
        assert "已在幸福里e支部报到" in (answer.text or ""), text
    async with tg.world.store.read() as unit:
        assert await unit.conversations.get(Account("telegram", "10")) is None, "no report-in was started"


async def _set_up_offline(tg: Telegram, branch: str, secretary: Secretary | None) -> None:
    """``ebranch setup`` has created the branch (no chat yet) and its secretary; a roster is imported into it."""
    where = Phrase.of("setup.where_line", line=2)
    await tg.world.app.set_up_structure([StructureRow(where, "南湖区e党委", branch, secretary)])
    await tg.world.app.import_roster(
        branch, [RosterRow(2, "赵六", "13800138001", "市财政局"), RosterRow(3, "钱七", "13800138002", "区医院")]
    )


async def test_a_secretary_set_up_by_phone_reports_in_with_it_and_binds_their_group(telegram: Telegram) -> None:
    tg = telegram
    await _set_up_offline(tg, "和平里e支部", Secretary("陈静", "13700137000"))
    chen = await tg.person(30, "陈静")
    group = await tg.api.add_group(-500, "和平里", [chen])

    await tg.api.user_sends(chen, group, "/branch 和平里e支部")
    await bot_said(tg.api, group, "已由党委建好，正等它的书记来绑定本群")
    start = await tg.api.user_starts_bot(chen)
    welcome = await tg.api.wait_for_bot_message(chen.id, after=start)
    assert "分享手机号" in (welcome.text or "") and "request_contact" in str(tg.api.chats[chen.id].reply_keyboard)
    await tg.api.user_sends(chen, chen.id, contact="+86 137 0013 7000")
    await bot_said(tg.api, chen.id, "您是「和平里e支部」的支部书记，它还没有群")
    await tg.api.user_sends(chen, group, "/branch 和平里e支部")

    bound = await bot_said(tg.api, group, "已绑定已有支部「和平里e支部」（2 名成员")
    assert "您是支部书记" in (bound.text or "")
    async with tg.world.store.read() as unit:
        branches = [
            b for b in await unit.branches.of_committee(tg.world.branch.committee_id) if b.name == "和平里e支部"
        ]
    assert len(branches) == 1 and branches[0].chat == ChatRef("telegram", "-500")
    roles = await tg.world.app.roles(await _account(tg, 30))
    assert [b.name for b in roles.secretary_of] == ["和平里e支部"]

    rostered = await tg.person(31, "老赵")
    group.members[rostered.id] = "member"
    start = await tg.api.user_starts_bot(rostered, f"j{branches[0].id}")
    await tg.api.wait_for_bot_message(rostered.id, after=start)
    await tg.api.user_sends(rostered, rostered.id, contact="13800138001")
    await bot_said(tg.api, rostered.id, "已关联名册：赵六")


async def test_a_bot_admin_binds_a_branch_set_up_without_a_secretary_and_becomes_its_secretary(
    telegram: Telegram,
) -> None:
    tg = telegram
    await _set_up_offline(tg, "东栅e支部", None)
    group = await tg.api.add_group(-600, "东栅", [tg.admin])

    await tg.api.user_sends(tg.admin, group, "/branch 东栅e支部")

    await bot_said(tg.api, group, "已绑定已有支部「东栅e支部」（2 名成员，南湖区e党委），您是支部书记")
    roles = await tg.world.app.roles(await _account(tg, 1))
    assert "东栅e支部" in [b.name for b in roles.secretary_of]
    await tg.api.user_sends(tg.admin, group, "/branch 东栅e支部")
    await bot_said(tg.api, group, "这个群已绑定到「东栅e支部」")
