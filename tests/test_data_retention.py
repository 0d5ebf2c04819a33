"""What /leave and time keep: a leaving member's messages are erased at once, sent messages lose their text later."""

from __future__ import annotations

from datetime import timedelta

from bot.domain.model import Account, ChatRef
from bot.notices.outbox import Text
from bot.scheduler import jobs, run_job
from bot.usecases import commands as cmd
from bot.usecases.base import record
from tests.conftest import World, execute, query
from tests.schedule_support import deps_for, outbox


async def _claimed_with_a_phone(world: World) -> None:
    member = await world.member("10", "张伟")
    posted = await world.app.post_wish(
        cmd.PostWish(world.secretary, world.branch.id, "帮王奶奶买年货 联系13812345678 名额1")
    )
    assert hasattr(posted, "view")
    await world.app.claim(cmd.ClaimWish(member, posted.view.wish.id))  # type: ignore[union-attr]


async def test_leaving_erases_every_message_to_or_about_the_member_at_once(world: World) -> None:
    await _claimed_with_a_phone(world)
    before = await outbox(world, "claim_notice") + await outbox(world, "report_note")
    assert any(row["chat_id"] == "10" for row in before), "the private claim card is addressed to the member"
    assert any("张伟" in row["payload"] for row in before), "the group's report-in note names them"

    leaving = await world.get_member(Account("telegram", "10", "张伟"))
    await world.app.leave(cmd.Leave(Account("telegram", "10", "张伟")))

    rows = await query(world.db, "SELECT * FROM outbox")
    assert not [
        dict(r) for r in rows if "张伟" in r["payload"] or "13812345678" in r["payload"] or r["chat_id"] == "10"
    ]
    erased = [dict(r) for r in rows if r["dedupe_key"].startswith(("claim:", f"report_note:{leaving.id}:"))]
    assert erased and all(r["payload"] == "" and r["member_id"] is None for r in erased)
    assert all(r["status"] != "pending" for r in erased), "nothing is still to be sent to someone who left"


async def test_sent_messages_lose_their_text_after_the_retention_and_their_record_after_400_days(
    world: World,
) -> None:
    deps = deps_for(world, outbox_retention_days=30)
    prune = next(job for job in jobs(deps.settings, deps.tz) if job.name == "prune_events")
    now = world.clock.now()
    async with world.store.unit() as unit:
        for days, key in ((401, "old"), (31, "month"), (29, "recent")):
            await record(
                unit, now - timedelta(days=days), key=key, kind="notice", chat=ChatRef("telegram", "10"),
                member_id=None, notice=Text("联系13812345678"),
            )  # fmt: skip
    await execute(world.db, "UPDATE outbox SET status = 'sent'")

    await run_job(deps, prune, now)

    rows = {r["dedupe_key"]: dict(r) for r in await query(world.db, "SELECT * FROM outbox")}
    assert "old" not in rows
    assert rows["month"]["payload"] == "" and rows["month"]["chat_id"] is None
    assert "13812345678" in rows["recent"]["payload"]
    async with world.store.unit() as unit:
        again = await record(
            unit, now, key="month", kind="notice", chat=ChatRef("telegram", "10"), member_id=None, notice=Text("x")
        )
    assert again is False, "an erased record still stops the same decision being sent twice"
