"""Issue 14, item 5: service on an emergency task is 战时 (on a drill's task 演练) in the ledger's services sheet, its
CSV file and the member's quarter, on both engines; a service without a wish is 平时."""

from __future__ import annotations

import asyncio
import csv
import io
from pathlib import Path

from openpyxl import load_workbook

from bot.domain.emergency import Answer
from bot.domain.model import Account, ChatRef, ServiceKind
from bot.reports.ledger import build_ledger_xlsx, write_ledger_csv
from bot.usecases import commands as cmd
from bot.usecases import outcomes
from storage.reports import SqlReports
from tests.conftest import SHANGHAI, World

COMMITTEE_CHAT = ChatRef("telegram", "-100")


async def served(world: World, member: Account, text: str, hours: float) -> int:
    """The secretary posts a wish, the member claims it and reports it done, the secretary confirms; its id."""
    posted = await world.app.post_wish(cmd.PostWish(world.secretary, world.branch.id, text))
    assert isinstance(posted, outcomes.WishPosted)
    wish_id = posted.view.wish.id
    await world.app.claim(cmd.ClaimWish(member, wish_id))
    claim = next(c for c, w in (await world.app.my_claims(member)).claims if w.id == wish_id)
    await world.app.mark_done(cmd.MarkDone(member, claim.id, hours, "完成"))
    await world.app.confirm(cmd.ConfirmService(world.secretary, claim.id))
    return wish_id


async def a_quarter_of_every_kind(world: World) -> tuple[Account, Account, dict[str, int]]:
    """张伟 serves an emergency task (3 h), a routine wish (2 h) and a wish marked 【紧急】 outside any call (1 h);
    李娜 a drill's task (1.5 h); a secretary logs 0.5 h for 李娜 without a wish."""
    zhang, li = await world.member("10", "张伟"), await world.member("11", "李娜")
    wishes: dict[str, int] = {}
    call = await world.app.start_emergency(
        cmd.StartEmergency(world.admin, COMMITTEE_CHAT, "封控小区急需物资配送", by_bot_admin=True)
    )
    await world.app.answer_emergency(cmd.AnswerEmergency(zhang, call.emergency.id, Answer.YES))
    wishes["task"] = await served(world, zhang, "物资配送 名额2 8:00-12:00", 3)
    await world.app.end_emergency(cmd.EndEmergency(world.admin, COMMITTEE_CHAT, by_bot_admin=True))
    wishes["routine"] = await served(world, zhang, "帮独居老人买年货 名额1", 2)
    wishes["urgent"] = await served(world, zhang, "【紧急】送药上门 名额1", 1)
    await world.app.start_emergency(
        cmd.StartEmergency(world.admin, COMMITTEE_CHAT, "防汛演练", drill=True, by_bot_admin=True)
    )
    wishes["drill"] = await served(world, li, "沙袋搬运 名额3", 1.5)
    await world.app.end_emergency(cmd.EndEmergency(world.admin, COMMITTEE_CHAT, by_bot_admin=True))
    li_id = (await world.get_member(li)).id
    await world.app.log_service(
        cmd.LogService(world.secretary, world.branch.id, li_id, world.clock.now().date(), 0.5, "巡逻")
    )
    return zhang, li, wishes


async def test_the_quarter_counts_emergency_and_drill_hours_apart(world: World) -> None:
    zhang, li, _ = await a_quarter_of_every_kind(world)

    mine = await world.app.my_quarter(zhang)
    hers = await world.app.my_quarter(li)

    assert (mine.hours, mine.emergency_hours, mine.drill_hours) == (6.0, 4.0, 0.0)
    assert (hers.hours, hers.emergency_hours, hers.drill_hours) == (2.0, 0.0, 1.5)
    zhang_id = (await world.get_member(zhang)).id
    async with world.store.unit() as unit:
        kinds = [s.kind for s in await unit.services.of_member(zhang_id)]
    assert kinds == [ServiceKind.EMERGENCY, ServiceKind.NORMAL, ServiceKind.EMERGENCY]


async def test_a_pending_emergency_service_is_not_counted_until_confirmed(world: World) -> None:
    zhang = await world.member("10", "张伟")
    call = await world.app.start_emergency(
        cmd.StartEmergency(world.admin, COMMITTEE_CHAT, "封控小区急需物资配送", by_bot_admin=True)
    )
    await world.app.answer_emergency(cmd.AnswerEmergency(zhang, call.emergency.id, Answer.YES))
    posted = await world.app.post_wish(cmd.PostWish(world.secretary, world.branch.id, "物资配送 名额2"))
    assert isinstance(posted, outcomes.WishPosted)
    await world.app.claim(cmd.ClaimWish(zhang, posted.view.wish.id))
    claim = (await world.app.my_claims(zhang)).claims[0][0]
    await world.app.mark_done(cmd.MarkDone(zhang, claim.id, 3, "完成"))

    pending = await world.app.my_quarter(zhang)
    await world.app.confirm(cmd.ConfirmService(world.secretary, claim.id))
    confirmed = await world.app.my_quarter(zhang)

    assert (pending.hours, pending.emergency_hours, pending.pending_confirmation) == (0.0, 0.0, 1)
    assert (confirmed.hours, confirmed.emergency_hours) == (3.0, 3.0)


async def test_the_services_sheet_and_its_csv_say_the_kind_of_each_service(world: World, tmp_path: Path) -> None:
    _, _, wishes = await a_quarter_of_every_kind(world)
    reports = SqlReports(world.db)
    data = await reports.ledger(world.branch.committee_id, None, world.clock.now().astimezone(SHANGHAI), SHANGHAI)

    book = load_workbook(io.BytesIO(await asyncio.to_thread(build_ledger_xlsx, data, "zh")))

    services = book["服务记录"]
    header = [c.value for c in services[1]]
    assert header[-2:] == ["记录方式", "类型"]
    rows = [row for row in services.iter_rows(min_row=2, values_only=True)]
    by_wish = {row[3]: (row[1], row[6], row[-2], row[-1]) for row in rows}
    assert by_wish == {
        wishes["task"]: ("张伟", 3, "书记确认", "战时"),
        wishes["routine"]: ("张伟", 2, "书记确认", "平时"),
        wishes["urgent"]: ("张伟", 1, "书记确认", "战时"),
        wishes["drill"]: ("李娜", 1.5, "书记确认", "演练"),
        None: ("李娜", 0.5, "书记确认", "平时"),
    }
    kinds_of_wishes = {row[0]: row[6] for row in book["微心愿"].iter_rows(min_row=2, values_only=True)}
    assert kinds_of_wishes == {
        wishes["task"]: "战时",
        wishes["routine"]: "平时",
        wishes["urgent"]: "战时",
        wishes["drill"]: "演练",
    }, "a service's kind is its wish's"

    again = await reports.ledger(world.branch.committee_id, None, world.clock.now().astimezone(SHANGHAI), SHANGHAI)
    paths = await asyncio.to_thread(write_ledger_csv, again, "zh", tmp_path / "台账.csv")
    with paths[3].open(encoding="utf-8-sig") as file:
        table = list(csv.reader(file))
    assert table[0] == header
    assert [(row[3], row[-1]) for row in table[1:]] == [(str(row[3] or ""), row[-1]) for row in rows]

    english = await reports.ledger(world.branch.committee_id, None, world.clock.now().astimezone(SHANGHAI), SHANGHAI)
    en = load_workbook(io.BytesIO(await asyncio.to_thread(build_ledger_xlsx, english, "en")))["Services"]
    assert sorted(row[-1] for row in en.iter_rows(min_row=2, values_only=True)) == [
        "Drill",
        "Emergency",
        "Emergency",
        "Routine",
        "Routine",
    ]


async def test_the_workplace_feedback_says_the_kind_too(world: World) -> None:
    _, _, wishes = await a_quarter_of_every_kind(world)
    quarter_start, quarter_end = world.clock.now().date().replace(month=10, day=1), world.clock.now().date()
    found = await SqlReports(world.db).workplace_feedback(
        world.branch.committee_id,
        quarter_start,
        quarter_end.replace(year=2027, month=1, day=1),
        "Q4",
        world.clock.now(),
    )
    kinds = {s.wish_id: s.kind for feedback in found for s in feedback.services}
    assert kinds[wishes["task"]] == ServiceKind.EMERGENCY and kinds[wishes["drill"]] == ServiceKind.DRILL
    assert kinds[wishes["routine"]] == ServiceKind.NORMAL and kinds[None] == ServiceKind.NORMAL
