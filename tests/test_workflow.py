"""The e-branch workflow through the use cases on a real SQLite file: post, claim, serve, confirm."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

import pytest

from bot.delivery.claim_cards import render_claim_card
from bot.domain import errors
from bot.domain.model import Account, ChatRef, ClaimStatus, WishStatus
from bot.notices.outbox import ClaimCard, decode
from bot.usecases import commands as cmd
from bot.usecases import outcomes
from tests.conftest import World, query


async def post(world: World, text: str) -> outcomes.WishPosted:
    result = await world.app.post_wish(cmd.PostWish(world.secretary, world.branch.id, text))
    assert isinstance(result, outcomes.WishPosted), result
    return result


async def test_secretary_posts_a_wish_and_its_card_shows_slots_and_deadline(world: World) -> None:
    posted = await post(world, "为独居老人王奶奶安装一键通 名额2 截止12月31日 #居家养老")

    wish = posted.view.wish
    assert wish.title.startswith("为独居老人王奶奶安装一键通")
    assert (wish.slots, wish.category, wish.deadline) == (2, "居家养老", date(2026, 12, 31))
    assert posted.view.slots_left == 2


async def test_only_secretaries_post_wishes(world: World) -> None:
    member = await world.member("10", "张伟")

    with pytest.raises(errors.NotSecretary):
        await world.app.post_wish(cmd.PostWish(member, world.branch.id, "帮忙买年货 名额1"))


async def test_unreadable_wish_text_is_kept_as_a_draft_and_asked_about(world: World) -> None:
    result = await world.app.post_wish(cmd.PostWish(world.secretary, world.branch.id, "辅导功课 名额0"))

    assert isinstance(result, outcomes.WishNeedsFix)
    assert result.problems
    assert await world.app.draft_of(world.secretary) == (world.branch.id, "辅导功课 名额0")


async def test_member_claims_and_gets_a_private_notice_recorded_before_sending(world: World) -> None:
    member = await world.member("10", "张伟")
    wish = (await post(world, "给留守儿童送书包 名额2")).view.wish

    claimed = await world.app.claim(cmd.ClaimWish(member, wish.id))

    assert claimed.view.taken == 1
    assert [c.name for c in claimed.view.claimers] == ["张伟"]
    async with world.store.unit() as unit:
        notice = await unit.outbox.by_key(f"claim:{claimed.claim.id}")
    assert notice is not None and notice.chat == ChatRef("telegram", "10")
    sent = decode(notice.payload).notice
    assert isinstance(sent, ClaimCard) and sent.claim_id == claimed.claim.id
    async with world.store.read() as unit:
        rendered = await render_claim_card(unit, sent)
    assert rendered is not None and rendered[0].buttons[0][0].label == "已完成"


async def test_member_who_has_not_reported_in_is_asked_to(world: World) -> None:
    wish = (await post(world, "帮忙买年货 名额1")).view.wish
    stranger = Account("telegram", "99", "路人")

    with pytest.raises(errors.NotReported) as refused:
        await world.app.claim(cmd.ClaimWish(stranger, wish.id))
    assert refused.value.args_map["wish_id"] == wish.id


async def test_member_of_another_branch_cannot_claim(world: World) -> None:
    other = await world.app.create_branch(
        cmd.CreateBranch(world.admin, "和平里e支部", ChatRef("telegram", "-300"), None, by_bot_admin=True)
    )
    assert isinstance(other, outcomes.BranchCreated)
    outsider = await world.member("20", "赵六", branch=other.branch)
    wish = (await post(world, "帮忙买年货 名额1")).view.wish

    with pytest.raises(errors.NotBranchMember):
        await world.app.claim(cmd.ClaimWish(outsider, wish.id))


async def test_claiming_twice_is_refused(world: World) -> None:
    member = await world.member("10", "张伟")
    wish = (await post(world, "帮忙买年货 名额3")).view.wish
    await world.app.claim(cmd.ClaimWish(member, wish.id))

    with pytest.raises(errors.AlreadyClaimed):
        await world.app.claim(cmd.ClaimWish(member, wish.id))


async def test_two_hundred_members_claim_a_three_slot_wish_at_once_and_exactly_three_get_it(world: World) -> None:
    members = await world.members(200)
    wish = (await post(world, "疫情期间为隔离户送菜 名额3 紧急")).view.wish

    results = await asyncio.gather(
        *(world.app.claim(cmd.ClaimWish(m, wish.id)) for m in members), return_exceptions=True
    )

    won = [r for r in results if isinstance(r, outcomes.Claimed)]
    full = [r for r in results if isinstance(r, errors.WishFull)]
    assert (len(won), len(full)) == (3, 197)
    async with world.store.unit() as unit:
        assert await unit.claims.count_active(wish.id) == 3
        view = await unit.wishes.view(wish.id)
    assert view is not None and view.full


async def test_the_database_itself_refuses_an_overfill(world: World) -> None:
    members = await world.members(2)
    wish = (await post(world, "帮忙买年货 名额1")).view.wish
    await world.app.claim(cmd.ClaimWish(members[0], wish.id))
    second = await world.get_member(members[1])

    with pytest.raises(errors.WishFull):
        async with world.store.unit() as unit:
            await unit.claims.add(world.clock.now(), wish.id, second.id, None)


async def test_withdraw_promotes_the_first_on_the_waitlist_and_tells_them(world: World) -> None:
    first, second, third = await world.members(3)
    wish = (await post(world, "帮忙买年货 名额1")).view.wish
    await world.app.claim(cmd.ClaimWish(first, wish.id))
    with pytest.raises(errors.WishFull):
        await world.app.claim(cmd.ClaimWish(second, wish.id))
    waiting = await world.app.join_waitlist(cmd.JoinWaitlist(second, wish.id))
    assert waiting.position == 1
    assert (await world.app.join_waitlist(cmd.JoinWaitlist(third, wish.id))).position == 2

    result = await world.app.withdraw(cmd.WithdrawClaim(first, wish.id))

    assert result.promoted is not None and result.promoted.name == "党员001"
    assert [c.name for c in result.view.claimers] == ["党员001"]
    assert [c.name for c in result.view.waitlist] == ["党员002"]
    async with world.store.unit() as unit:
        promoted_claim = await unit.claims.active(wish.id, result.promoted.id)
        assert promoted_claim is not None
        assert await unit.outbox.by_key(f"claim:{promoted_claim.id}") is not None


async def test_withdraw_by_someone_who_did_not_claim_is_refused(world: World) -> None:
    claimer, other = await world.members(2)
    wish = (await post(world, "帮忙买年货 名额2")).view.wish
    await world.app.claim(cmd.ClaimWish(claimer, wish.id))

    with pytest.raises(errors.NotYourClaim):
        await world.app.withdraw(cmd.WithdrawClaim(other, wish.id))


async def test_done_then_confirmed_service_counts_for_the_quarter(world: World) -> None:
    member = await world.member("10", "张伟")
    wish = (await post(world, "帮忙买年货 名额1")).view.wish
    claim = (await world.app.claim(cmd.ClaimWish(member, wish.id))).claim

    done = await world.app.mark_done(cmd.MarkDone(member, claim.id, 2.5, "已送到"))
    assert done.reviewers == 1
    before = await world.app.my_quarter(member)
    assert (before.served, before.pending_confirmation) == (False, 1)

    confirmed = await world.app.confirm(cmd.ConfirmService(world.secretary, claim.id, rating=5))

    assert confirmed.wish_completed
    after = await world.app.my_quarter(member)
    assert (after.served, after.services, after.hours) == (True, 1, 2.5)
    assert (await world.app.wish_view(wish.id)).wish.status == WishStatus.CLOSED


async def test_nobody_confirms_their_own_service(world: World) -> None:
    wish = (await post(world, "帮忙买年货 名额1")).view.wish
    claim = (await world.app.claim(cmd.ClaimWish(world.secretary, wish.id))).claim
    await world.app.mark_done(cmd.MarkDone(world.secretary, claim.id, 1))

    with pytest.raises(errors.OwnService):
        await world.app.confirm(cmd.ConfirmService(world.secretary, claim.id))


async def test_only_a_secretary_confirms(world: World) -> None:
    member, other = await world.members(2)
    wish = (await post(world, "帮忙买年货 名额1")).view.wish
    claim = (await world.app.claim(cmd.ClaimWish(member, wish.id))).claim
    await world.app.mark_done(cmd.MarkDone(member, claim.id, 1))

    with pytest.raises(errors.NotSecretary):
        await world.app.confirm(cmd.ConfirmService(other, claim.id))


async def test_returned_service_goes_back_to_the_member_and_stops_counting(world: World) -> None:
    member = await world.member("10", "张伟")
    wish = (await post(world, "帮忙买年货 名额1")).view.wish
    claim = (await world.app.claim(cmd.ClaimWish(member, wish.id))).claim
    await world.app.mark_done(cmd.MarkDone(member, claim.id, 1))

    returned = await world.app.return_service(cmd.ReturnService(world.secretary, claim.id, "请补充照片"))

    assert returned.claim.status == ClaimStatus.CLAIMED
    status = await world.app.my_quarter(member)
    assert (status.services, status.pending_confirmation) == (0, 0)


async def test_hours_out_of_range_are_refused_with_nothing_changed(world: World) -> None:
    member = await world.member("10", "张伟")
    wish = (await post(world, "帮忙买年货 名额1")).view.wish
    claim = (await world.app.claim(cmd.ClaimWish(member, wish.id))).claim

    with pytest.raises(errors.InvalidInput):
        await world.app.mark_done(cmd.MarkDone(member, claim.id, 30))
    assert (await world.app.my_claims(member)).claims[0][0].status == ClaimStatus.CLAIMED


async def test_cancelled_wish_releases_claimers_and_refuses_new_claims(world: World) -> None:
    first, second = await world.members(2)
    wish = (await post(world, "帮忙买年货 名额2")).view.wish
    await world.app.claim(cmd.ClaimWish(first, wish.id))

    cancelled = await world.app.cancel_wish(cmd.CancelWish(world.secretary, wish.id, "居民已自行解决"))

    assert cancelled.released == 1
    with pytest.raises(errors.WishCancelled):
        await world.app.claim(cmd.ClaimWish(second, wish.id))


async def test_logged_patrol_counts_and_at_risk_lists_who_has_not_served(world: World) -> None:
    served, _idle = await world.members(2)
    served_member = await world.get_member(served)

    await world.app.log_service(
        cmd.LogService(world.secretary, world.branch.id, served_member.id, date(2026, 11, 20), 3, "夜间治安巡逻")
    )

    at_risk = await world.app.at_risk(world.secretary, world.branch.id)
    names = [m.member.name for m in at_risk.members]
    assert "党员001" in names and "党员000" not in names
    assert at_risk.quarter_label == "2026年第4季度"


async def test_service_from_last_quarter_does_not_count_in_the_new_one(world: World) -> None:
    member = await world.member("10", "张伟")
    member_id = (await world.get_member(member)).id
    await world.app.log_service(
        cmd.LogService(world.secretary, world.branch.id, member_id, date(2026, 11, 20), 2, "巡逻")
    )
    assert (await world.app.my_quarter(member)).served is True

    world.clock.advance(timedelta(days=40))

    status = await world.app.my_quarter(member)
    assert (status.served, status.quarter_label) == (False, "2027年第1季度")


async def test_a_service_date_in_the_future_is_refused(world: World) -> None:
    member_id = (await world.get_member(await world.member("10", "张伟"))).id

    with pytest.raises(errors.InvalidInput):
        await world.app.log_service(
            cmd.LogService(world.secretary, world.branch.id, member_id, date(2026, 12, 31), 2, "巡逻")
        )


async def test_member_leaves_and_their_service_stays_without_their_name(world: World) -> None:
    member = await world.member("10", "张伟")
    wish = (await post(world, "帮忙买年货 名额2")).view.wish
    claim = (await world.app.claim(cmd.ClaimWish(member, wish.id))).claim
    await world.app.mark_done(cmd.MarkDone(member, claim.id, 2))
    await world.app.confirm(cmd.ConfirmService(world.secretary, claim.id))
    member_id = (await world.get_member(member)).id

    await world.app.leave(cmd.Leave(member))

    async with world.store.unit() as unit:
        gone = await unit.people.get(member_id)
        services = await unit.services.of_member(member_id)
        assert await unit.people.by_account("telegram", "10") is None
    assert gone is not None and gone.name == "" and gone.phone is None and gone.left_at is not None
    assert [s.hours for s in services] == [2]


async def test_member_can_see_everything_stored_about_them(world: World) -> None:
    member = await world.member("10", "张伟", skills=("维修",))
    wish = (await post(world, "帮忙修水管 名额1")).view.wish
    await world.app.claim(cmd.ClaimWish(member, wish.id))

    data = (await world.app.my_data(member)).data

    assert data["member"]["name"] == "张伟"
    assert data["member"]["skills"] == ["维修"]
    assert data["accounts"][0]["user_id"] == "10"
    assert data["claims"][0]["wish"] == "帮忙修水管"
    assert any(entry["action"] == "member.report_in" for entry in data["audit"])


async def test_every_change_is_in_the_audit_log_with_who_made_it(world: World) -> None:
    member = await world.member("10", "张伟")
    wish = (await post(world, "帮忙买年货 名额1")).view.wish
    await world.app.claim(cmd.ClaimWish(member, wish.id))

    entries = await query(world.db, "SELECT action, actor_id FROM audit_log ORDER BY id")
    actions = [e["action"] for e in entries]
    assert actions[-2:] == ["wish.post", "claim.create"]
    assert entries[-1]["actor_id"] == (await world.get_member(member)).id


async def test_replayed_update_is_processed_once(world: World) -> None:
    assert await world.app.first_time("telegram", "update:41") is True
    assert await world.app.first_time("telegram", "update:41") is False


async def test_group_upgrade_moves_the_branch_and_keeps_everything(world: World) -> None:
    wish = (await post(world, "帮忙买年货 名额1")).view.wish
    await world.app.card_posted(wish.id, ChatRef("telegram", "-200"), "5")

    await world.app.chat_migrated("telegram", "-200", "-1002000")

    moved = await world.app.branch_of_chat(ChatRef("telegram", "-1002000"))
    assert moved is not None and moved.id == world.branch.id
    async with world.store.unit() as unit:
        cards = await unit.cards.of_wish(wish.id)
    assert cards[0].chat.chat_id == "-1002000"


async def test_roster_member_links_their_chat_account_by_phone(world: World) -> None:
    async with world.store.unit() as unit:
        await unit.people.create(world.clock.now(), "李娜", phone="13800138000", home_branch_id=world.branch.id)
    account = Account("telegram", "77", "Li Na")

    linked = await world.app.link_phone(cmd.LinkPhone(account, "+86 138-0013-8000"))

    assert linked.member.name == "李娜" and linked.member.reported
    with pytest.raises(errors.InvalidInput):
        await world.app.link_phone(cmd.LinkPhone(account, "12345"))


async def test_ready_to_report_refuses_before_the_done_questions(world: World) -> None:
    member = await world.member("10", "张伟")
    other = await world.member("11", "李娜")
    first = (await post(world, "帮忙买年货 名额1")).view.wish
    claim = (await world.app.claim(cmd.ClaimWish(member, first.id))).claim
    assert (await world.app.ready_to_report(member, claim.id)).id == claim.id
    with pytest.raises(errors.NotYourClaim):
        await world.app.ready_to_report(other, claim.id)
    await world.app.mark_done(cmd.MarkDone(member, claim.id, 1.0))
    with pytest.raises(errors.InvalidTransition):
        await world.app.ready_to_report(member, claim.id)

    second = (await post(world, "帮忙修水管 名额1")).view.wish
    withdrawn = (await world.app.claim(cmd.ClaimWish(member, second.id))).claim
    await world.app.withdraw(cmd.WithdrawClaim(member, second.id))
    with pytest.raises(errors.InvalidTransition):
        await world.app.ready_to_report(member, withdrawn.id)

    third = (await post(world, "帮忙送书包 名额1")).view.wish
    cancelled = (await world.app.claim(cmd.ClaimWish(member, third.id))).claim
    await world.app.cancel_wish(cmd.CancelWish(world.secretary, third.id))
    with pytest.raises((errors.WishCancelled, errors.InvalidTransition)):
        await world.app.ready_to_report(member, cancelled.id)
