"""Putting directory accounts on a branch's list, and recording a wish's private card for each of them."""

from __future__ import annotations

from bot.domain.model import Account, ChatRef
from bot.notices.outbox import WishCard, decode
from bot.usecases import commands as cmd
from bot.usecases import outcomes
from tests.conftest import World


async def test_enrolled_accounts_report_in_later_and_get_private_cards(world: World) -> None:
    accounts = [Account("wecom", "lisi", "李四"), Account("wecom", "wangwu", "王五")]
    assert await world.app.enroll(world.branch.id, accounts) == 2
    assert await world.app.enroll(world.branch.id, accounts) == 0
    roles = await world.app.roles(accounts[0])
    assert roles.member is not None and roles.member.home_branch_id == world.branch.id
    assert not roles.member.reported

    posted = await world.app.post_wish(cmd.PostWish(world.secretary, world.branch.id, "帮忙买年货 名额2"))
    assert isinstance(posted, outcomes.WishPosted)
    assert await world.app.send_member_cards(posted.view.wish.id, "wecom") == 2
    assert await world.app.send_member_cards(posted.view.wish.id, "wecom") == 0
    async with world.store.unit() as unit:
        row = await unit.outbox.by_key(f"card:{posted.view.wish.id}:wecom:lisi")
    assert row is not None and decode(row.payload).notice == WishCard(posted.view.wish.id)


async def test_a_member_of_another_branch_serves_here_too(world: World) -> None:
    other = await world.app.create_branch(
        cmd.CreateBranch(world.secretary, "和平里e支部", ChatRef("wecom", "chat2"), None, True)
    )
    assert isinstance(other, outcomes.BranchCreated)
    member = await world.member("3", "李四")
    assert await world.app.enroll(other.branch.id, [member]) == 1
    async with world.store.unit() as unit:
        found = await unit.people.by_account("telegram", "3")
        assert found is not None
        assert found.home_branch_id == world.branch.id
        assert await unit.people.belongs_to(other.branch.id, found.id)
