"""The use cases behind cards that follow state: ready_to_report, specific refusals, closing and cancelling wishes."""

from __future__ import annotations

import pytest

from bot.delivery.cards import CardSync
from bot.delivery.claim_cards import render_claim_card
from bot.delivery.outbox import OutboxDelivery
from bot.domain import errors
from bot.domain.model import ClaimStatus, WishStatus
from bot.jobs.nudges import send_nudges
from bot.notices.callbacks import Act, decode
from bot.notices.outbox import ClaimCard, ReviewCard
from bot.notices.views import describe_error
from bot.usecases import commands as cmd
from tests.conftest import World
from tests.schedule_support import at, deps_for
from tests.test_delivery import RecordingGateway, drain
from tests.test_workflow import post


async def test_ready_to_report_refuses_an_ended_claim_with_its_status(world: World) -> None:
    member = await world.member("10", "张伟")
    wish = (await post(world, "帮忙买年货 名额1")).view.wish
    claim = (await world.app.claim(cmd.ClaimWish(member, wish.id))).claim
    assert (await world.app.ready_to_report(member, claim.id)).id == claim.id

    await world.app.withdraw(cmd.WithdrawClaim(member, wish.id))

    with pytest.raises(errors.InvalidTransition) as refused:
        await world.app.ready_to_report(member, claim.id)
    assert describe_error(refused.value, "zh") == "您已取消认领（已放弃）这条微心愿。"
    assert "withdrew" in describe_error(refused.value, "en")
    with pytest.raises(errors.InvalidTransition):
        await world.app.withdraw(cmd.WithdrawClaim(member, wish.id))
    with pytest.raises(errors.NotYourClaim):
        await world.app.ready_to_report(await world.member("11", "李娜"), claim.id)


async def test_cards_render_their_end_state_without_buttons(world: World) -> None:
    member = await world.member("10", "张伟")
    wish = (await post(world, "帮忙买年货 名额1")).view.wish
    claim = (await world.app.claim(cmd.ClaimWish(member, wish.id))).claim
    async with world.store.read() as unit:
        live = await render_claim_card(unit, ClaimCard(claim.id, "en"))
    assert live is not None and [b.label for b in live[0].buttons[0]] == ["Done", "Give up"]

    done = await world.app.mark_done(cmd.MarkDone(member, claim.id, 2, "ok", None))
    async with world.store.read() as unit:
        waiting = await render_claim_card(unit, ClaimCard(claim.id, "zh"))
        review = await render_claim_card(unit, ReviewCard(claim.id, 1, "zh", reported_at=done.claim.done_at))
    assert waiting is not None and not waiting[0].buttons and "待确认" in waiting[0].text
    assert review is not None and len(review[0].buttons) == 2

    await world.app.return_service(cmd.ReturnService(world.secretary, claim.id, "缺签字"))
    async with world.store.read() as unit:
        returned = await render_claim_card(unit, ReviewCard(claim.id, 1, "zh", reported_at=done.claim.done_at))
    assert returned is not None and not returned[0].buttons and returned[0].text.startswith("↩️ 已退回")
    with pytest.raises(errors.InvalidTransition) as refused:
        await world.app.confirm(cmd.ConfirmService(world.secretary, claim.id))
    assert "已退回" in describe_error(refused.value, "zh")


async def test_close_keeps_claims_clears_the_waitlist_and_tells_everyone(world: World) -> None:
    first, second = await world.member("10", "张伟"), await world.member("11", "李娜")
    wish = (await post(world, "帮忙买年货 名额1")).view.wish
    claim = (await world.app.claim(cmd.ClaimWish(first, wish.id))).claim
    await world.app.join_waitlist(cmd.JoinWaitlist(second, wish.id))

    closed = await world.app.close_wish(cmd.CloseWish(world.secretary, wish.id))

    assert closed.told == 2 and closed.view.wish.status == WishStatus.CLOSED and closed.view.wish.closed_by
    assert not closed.view.waitlist and [c.name for c in closed.view.claimers] == ["张伟"]
    with pytest.raises(errors.WishClosed) as refused:
        await world.app.claim(cmd.ClaimWish(second, wish.id))
    assert describe_error(refused.value, "zh") == "这条微心愿已结束认领。"
    assert (await world.app.ready_to_report(first, claim.id)).id == claim.id
    done = await world.app.mark_done(cmd.MarkDone(first, claim.id, 1, "", None))
    assert done.claim.status == ClaimStatus.DONE
    with pytest.raises(errors.NotSecretary):
        await world.app.close_wish(cmd.CloseWish(first, wish.id))


async def test_cancel_tells_claimed_done_and_waiting_members(world: World) -> None:
    first, second, third = (
        await world.member("10", "张伟"),
        await world.member("11", "李娜"),
        await world.member("12", "王芳"),
    )
    wish = (await post(world, "帮忙买年货 名额2")).view.wish
    await world.app.claim(cmd.ClaimWish(first, wish.id))
    done = (await world.app.claim(cmd.ClaimWish(second, wish.id))).claim
    await world.app.mark_done(cmd.MarkDone(second, done.id, 1, "", None))
    await world.app.join_waitlist(cmd.JoinWaitlist(third, wish.id))

    cancelled = await world.app.cancel_wish(cmd.CancelWish(world.secretary, wish.id))

    assert (cancelled.released, cancelled.told) == (1, 3)
    async with world.store.read() as unit:
        keys = {r.dedupe_key for r in await unit.outbox.due("telegram", world.clock.now(), 100)}
    assert len([k for k in keys if k.startswith(f"cancelled:{wish.id}:")]) == 3


async def test_a_nudge_is_a_card_that_follows_each_of_its_wishes(world: World) -> None:
    member = await world.member("10", "张伟", skills=("维修",))
    first = (await post(world, "帮忙修水管 名额1 #维修")).view.wish
    second = (await post(world, "帮忙修电灯 名额1 #维修")).view.wish
    gateway = RecordingGateway()
    delivery = OutboxDelivery(world.store, gateway, world.clock)
    cards = CardSync(world.store, gateway, world.clock, interval=0.0)
    world.clock.set(at(2026, 12, 11))
    await send_nudges(deps_for(world), world.clock.now())
    await drain(delivery, rounds=3)
    nudge = next(m for c, m in gateway.sent if c.chat_id == member.user_id and "季度" in m.text)
    claims = [p.target for row in nudge.buttons for b in row if (p := decode(b.payload)) and p.act == Act.CLAIM]
    assert sorted(claims) == sorted([first.id, second.id])

    await world.app.cancel_wish(cmd.CancelWish(world.secretary, second.id))
    await cards.sync_due()

    edited = gateway.edits[-1][2]
    left = [p.target for row in edited.buttons for b in row if (p := decode(b.payload)) and p.act == Act.CLAIM]
    assert left == [first.id] and "已取消" in edited.text
    last = decode(edited.buttons[-1][0].payload)
    assert last is not None and last.act == Act.PAUSE_NUDGES
