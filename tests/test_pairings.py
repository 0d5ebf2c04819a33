"""Pairings (结对帮扶) through the use cases on both engines: pairing by alias, visits reported and confirmed as
service, pause/resume/handover/end in the audit history, and the daily sweep's reminders across month ends, quarter
ends and time zones."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.domain import errors
from bot.domain.pairings import PairingStatus, Rhythm, RhythmKind, read_pair_request, read_rhythm
from bot.jobs.pairings import remind_pairings
from bot.usecases import commands as cmd
from bot.usecases.pairing_lists import number_and_rest
from storage.reports import SqlReports
from tests.conftest import SHANGHAI, World, execute, query
from tests.schedule_support import at, deps_for, outbox


@pytest.mark.parametrize(
    ("text", "rhythm"),
    [
        ("每周", Rhythm(RhythmKind.WEEKLY)),
        ("每两周", Rhythm(RhythmKind.FORTNIGHTLY)),
        ("隔周", Rhythm(RhythmKind.FORTNIGHTLY)),
        ("每月", Rhythm(RhythmKind.MONTHLY)),
        ("每季度", Rhythm(RhythmKind.QUARTERLY)),
        ("每10天", Rhythm(RhythmKind.DAYS, 10)),
        ("每十天", Rhythm(RhythmKind.DAYS, 10)),
        ("every 3 days", Rhythm(RhythmKind.DAYS, 3)),
        ("每7天", Rhythm(RhythmKind.WEEKLY)),
        ("Monthly", Rhythm(RhythmKind.MONTHLY)),
    ],
)
def test_rhythms_are_read_as_people_write_them(text: str, rhythm: Rhythm) -> None:
    assert read_rhythm(text) == rhythm


@pytest.mark.parametrize(
    ("kind", "last", "due"),
    [
        (RhythmKind.MONTHLY, date(2026, 1, 31), date(2026, 2, 28)),
        (RhythmKind.MONTHLY, date(2028, 1, 31), date(2028, 2, 29)),
        (RhythmKind.MONTHLY, date(2026, 12, 31), date(2027, 1, 31)),
        (RhythmKind.QUARTERLY, date(2026, 11, 30), date(2027, 2, 28)),
        (RhythmKind.QUARTERLY, date(2026, 3, 31), date(2026, 6, 30)),
        (RhythmKind.QUARTERLY, date(2026, 12, 31), date(2027, 3, 31)),
        (RhythmKind.WEEKLY, date(2026, 12, 28), date(2027, 1, 4)),
        (RhythmKind.FORTNIGHTLY, date(2026, 2, 20), date(2026, 3, 6)),
    ],
)
def test_the_next_visit_is_due_one_rhythm_on_clamped_at_month_ends(kind: RhythmKind, last: date, due: date) -> None:
    assert Rhythm(kind).due_after(last) == due


def test_a_pair_request_reads_member_alias_rhythm_and_a_private_contact() -> None:
    found = read_pair_request("@张伟 王奶奶 每两周 联系:13800138000")
    assert (found.who, found.alias, found.rhythm, found.contact) == (
        "张伟",
        "王奶奶",
        Rhythm(RhythmKind.FORTNIGHTLY),
        "13800138000",
    )
    assert read_pair_request("张伟 王奶奶").rhythm == Rhythm(RhythmKind.MONTHLY)
    with pytest.raises(errors.InvalidInput) as refused:
        read_pair_request("张伟 13800138000")
    assert refused.value.args_map["field"] == "alias_private"
    with pytest.raises(errors.InvalidInput) as unread:
        read_pair_request("张伟 王奶奶 有空就去")
    assert unread.value.args_map["field"] == "rhythm"


async def paired(world: World, text: str = "张伟 王奶奶 每月 联系:13800138000") -> int:
    made = await world.app.create_pairing(cmd.CreatePairing(world.secretary, world.branch.id, text))
    return made.view.pairing.id


async def test_a_secretary_pairs_a_member_who_is_told_by_alias_only(world: World) -> None:
    member = await world.member("10", "张伟")
    world.clock.set(at(2027, 1, 31))
    made = await world.app.create_pairing(
        cmd.CreatePairing(world.secretary, world.branch.id, "张伟 王奶奶 每月 联系:13800138000")
    )

    assert made.view.member_name == "张伟" and made.told == 1
    assert made.view.pairing.next_due == date(2027, 2, 28)
    [notice] = await outbox(world, "pairing")
    assert notice["chat_id"] == "10" and "王奶奶" in notice["payload"] and "13800138000" not in notice["payload"]
    listed = await world.app.pairings_of_branch(world.secretary, world.branch.id)
    assert [v.pairing.contact for v in listed.pairings] == ["13800138000"]
    with pytest.raises(errors.NotSecretary):
        await world.app.create_pairing(cmd.CreatePairing(member, world.branch.id, "张伟 李爷爷"))
    with pytest.raises(errors.PairMemberUnknown):
        await world.app.create_pairing(cmd.CreatePairing(world.secretary, world.branch.id, "赵六 李爷爷"))


async def test_a_visit_is_reported_confirmed_and_counts_as_service(world: World) -> None:
    member = await world.member("10", "张伟")
    world.clock.set(at(2026, 11, 23))
    pairing_id = await paired(world)

    reported = await world.app.report_visit(cmd.ReportVisit(member, pairing_id, 2.0, "陪老人聊天，帮忙梳头"))

    assert reported.reviewers == 1
    [review] = await outbox(world, "visit_review")
    assert (
        review["chat_id"] == "2"
        and f'"visit_review_card","notice":{{"visit_id":{reported.visit.id}' in review["payload"]
    )
    assert reported.pairing.last_visit_on == date(2026, 11, 23)
    assert reported.pairing.next_due == date(2026, 12, 23)
    [service] = await query(world.db, "SELECT hours, confirmed, note, wish_id FROM services")
    assert (service["hours"], service["confirmed"], service["wish_id"]) == (2.0, 0, None)
    assert "王奶奶" in service["note"]
    with pytest.raises(errors.NotYourPairing):
        await world.app.report_visit(cmd.ReportVisit(world.secretary, pairing_id, 1.0))
    with pytest.raises(errors.NotSecretary):
        await world.app.confirm_visit(cmd.ConfirmVisit(member, reported.visit.id))

    confirmed = await world.app.confirm_visit(cmd.ConfirmVisit(world.secretary, reported.visit.id))

    assert not confirmed.already and confirmed.visit.confirmed_at is not None
    [service] = await query(world.db, "SELECT confirmed FROM services")
    assert service["confirmed"] == 1
    status = await world.app.my_quarter(member)
    assert status.served and status.hours == 2.0
    again = await world.app.confirm_visit(cmd.ConfirmVisit(world.secretary, reported.visit.id))
    assert again.already
    assert [row["kind"] for row in await outbox(world, "pairing")] == ["pairing", "pairing"]


async def test_pause_resume_handover_and_end_are_in_the_history(world: World) -> None:
    first, second = await world.member("10", "张伟"), await world.member("11", "李娜")
    world.clock.set(at(2026, 12, 1))
    pairing_id = await paired(world, "张伟 王奶奶 每周")

    paused = await world.app.change_pairing(cmd.ChangePairing(world.secretary, pairing_id, "pause"))
    assert paused.view.pairing.status == PairingStatus.PAUSED
    with pytest.raises(errors.PairingNotActive):
        await world.app.report_visit(cmd.ReportVisit(first, pairing_id, 1.0))
    world.clock.set(at(2026, 12, 30))
    resumed = await world.app.change_pairing(cmd.ChangePairing(world.secretary, pairing_id, "resume"))
    assert resumed.view.pairing.next_due == date(2026, 12, 30), "a long pause does not come back weeks overdue"
    handed = await world.app.hand_over_pairing(cmd.HandOverPairing(world.secretary, pairing_id, "李娜"))
    assert handed.view.member_name == "李娜" and handed.told == 2
    with pytest.raises(errors.NotYourPairing):
        await world.app.report_visit(cmd.ReportVisit(first, pairing_id, 1.0))
    await world.app.report_visit(cmd.ReportVisit(second, pairing_id, 1.5))
    ended = await world.app.change_pairing(cmd.ChangePairing(world.secretary, pairing_id, "end"))
    assert ended.view.pairing.status == PairingStatus.ENDED and ended.view.pairing.ended_at is not None
    with pytest.raises(errors.PairingNotActive):
        await world.app.change_pairing(cmd.ChangePairing(world.secretary, pairing_id, "resume"))

    history = await query(
        world.db, "SELECT action FROM audit_log WHERE entity = 'pairing' AND entity_id = ? ORDER BY id", (pairing_id,)
    )
    assert [row["action"] for row in history] == [
        "pairing.create",
        "pairing.pause",
        "pairing.resume",
        "pairing.handover",
        "pairing.visit",
        "pairing.end",
    ]
    assert (await world.app.pairings_of_branch(world.secretary, world.branch.id)).pairings == ()


async def test_the_sweep_reminds_before_the_due_day_then_firmly_once_overdue_each_once(world: World) -> None:
    member = await world.member("10", "张伟")
    await world.member("11", "李娜")
    world.clock.set(at(2026, 12, 31))
    pairing_id = await paired(world, "张伟 王奶奶 每月")
    paused_id = await paired(world, "李娜 李爷爷 每月")
    await world.app.change_pairing(cmd.ChangePairing(world.secretary, paused_id, "pause"))
    deps = deps_for(world, pairing_remind_days_before=2)
    reminded: dict[date, tuple[int, int]] = {}
    day = date(2027, 1, 25)
    while day <= date(2027, 2, 5):
        world.clock.set(at(day.year, day.month, day.day))
        await remind_pairings(deps, world.clock.now())
        reminded[day] = (len(await outbox(world, "pairing_due")), len(await outbox(world, "pairing_overdue")))
        day += timedelta(days=1)

    assert reminded[date(2027, 1, 28)] == (0, 0)
    assert reminded[date(2027, 1, 29)] == (1, 0), "two days before 31 January"
    assert reminded[date(2027, 1, 31)] == (1, 0)
    assert reminded[date(2027, 2, 1)] == (1, 1), "the day after the due day, once"
    assert reminded[date(2027, 2, 5)] == (1, 1)
    [firm] = await outbox(world, "pairing_overdue")
    assert "逾期 1 天" in firm["payload"] and "/visit" in firm["payload"] and firm["chat_id"] == "10"
    await world.app.report_visit(cmd.ReportVisit(member, pairing_id, 1.0))
    listed = await world.app.pairings_of_branch(world.secretary, world.branch.id)
    assert [(v.pairing.id, v.pairing.next_due) for v in listed.pairings if v.pairing.id == pairing_id] == [
        (pairing_id, date(2027, 3, 5))
    ]


async def test_the_sweep_counts_days_in_the_configured_time_zone(world: World) -> None:
    await world.member("10", "张伟")
    world.clock.set(at(2026, 12, 1))
    await paired(world, "张伟 王奶奶 每月")  # due 1 January (Shanghai)
    new_york = ZoneInfo("America/New_York")
    shanghai = deps_for(world, pairing_remind_days_before=0)
    eastern = deps_for(world, new_york, pairing_remind_days_before=0)
    moment = at(2027, 1, 2, 9, 0)  # 2 January in Shanghai, still 1 January in New York

    assert await remind_pairings(eastern, moment) == 1
    assert len(await outbox(world, "pairing_due")) == 1 and not await outbox(world, "pairing_overdue")
    assert await remind_pairings(shanghai, moment) == 1
    assert len(await outbox(world, "pairing_overdue")) == 1


async def test_the_weekly_at_risk_list_names_overdue_pairings_by_alias(world: World) -> None:
    member = await world.member("10", "张伟")
    world.clock.set(at(2027, 1, 1))
    await paired(world, "张伟 王奶奶 每周 联系:13800138000")
    await world.app.log_service(
        cmd.LogService(
            world.secretary, world.branch.id, (await world.get_member(member)).id, date(2027, 1, 1), 1, "巡逻"
        )
    )
    world.clock.set(at(2027, 1, 16))

    assert await world.app.record_at_risk_lists(world.clock.now(), not_before=None, lang="zh") == 1
    [listed] = await outbox(world, "at_risk")
    assert "逾期未走访的结对" in listed["payload"] and "王奶奶" in listed["payload"]
    assert "13800138000" not in listed["payload"]


async def test_a_team_is_paired_under_its_leader(world: World) -> None:
    leader = await world.member("10", "张伟")
    async with world.store.unit() as unit:
        leader_id = (await unit.people.by_account("telegram", "10")).id  # type: ignore[union-attr]
        team_id = await unit.teams.create(world.clock.now(), world.branch.id, "助老服务队", leader_id)

    made = await world.app.create_pairing(
        cmd.CreatePairing(world.secretary, world.branch.id, "助老服务队 刘爷爷 每两周")
    )

    assert made.view.pairing.team_id == team_id and made.view.pairing.member_id == leader_id
    reported = await world.app.report_visit(cmd.ReportVisit(leader, made.view.pairing.id, 3.0, "全队一起打扫"))
    assert reported.pairing.rhythm == Rhythm(RhythmKind.FORTNIGHTLY)


async def test_a_confirmed_visit_is_a_service_row_of_the_ledger_by_alias(world: World) -> None:
    member = await world.member("10", "张伟")
    pairing_id = await paired(world)
    reported = await world.app.report_visit(cmd.ReportVisit(member, pairing_id, 2.0, "陪老人聊天"))
    await world.app.confirm_visit(cmd.ConfirmVisit(world.secretary, reported.visit.id))

    data = await SqlReports(world.db).ledger(world.branch.committee_id, None, world.clock.now(), SHANGHAI)
    rows = await asyncio.to_thread(list, data.services)
    services = [s for s in rows if s.member == "张伟"]

    assert [(s.hours, s.confirmed, s.wish_id) for s in services] == [(2.0, True, None)]
    assert "王奶奶" in services[0].subject + services[0].note and "13800138000" not in services[0].subject


async def test_the_sweep_reads_a_page_at_once_and_skips_who_cannot_be_reached(world: World) -> None:
    await world.member("10", "张伟")
    await world.member("11", "李娜")
    await world.member("12", "王芳")
    world.clock.set(at(2026, 12, 1))
    for who in ("张伟", "李娜", "王芳"):
        await paired(world, f"{who} 王奶奶 每月")
    await execute(world.db, "UPDATE accounts SET reachable = 0 WHERE user_id = '11'")
    deps = deps_for(world, pairing_remind_days_before=2)
    world.clock.set(at(2027, 1, 5))

    assert await remind_pairings(deps, world.clock.now()) == 2
    assert sorted(row["chat_id"] for row in await outbox(world, "pairing_overdue")) == ["10", "12"]
    assert await remind_pairings(deps, world.clock.now()) == 0


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("3", (3, "")),
        ("#3 李娜", (3, "李娜")),
        ("  12   张 伟 ", (12, "张 伟")),
        ("李娜 3", (None, "3")),
        ("", (None, "")),
        ("３", (None, "")),
    ],
)
def test_a_numbered_command_reads_its_number_and_the_rest(text: str, found: tuple[int | None, str]) -> None:
    assert number_and_rest(text) == found


async def test_a_returned_visit_does_not_count_and_its_pairing_is_due_as_before_it(world: World) -> None:
    member = await world.member("10", "张伟")
    world.clock.set(at(2026, 11, 23))
    pairing_id = await paired(world)
    first = await world.app.report_visit(cmd.ReportVisit(member, pairing_id, 1.0, "第一次"))
    await world.app.confirm_visit(cmd.ConfirmVisit(world.secretary, first.visit.id))
    world.clock.set(at(2026, 12, 10))
    second = await world.app.report_visit(cmd.ReportVisit(member, pairing_id, 2.0, "第二次"))
    assert second.pairing.next_due == date(2027, 1, 10)
    with pytest.raises(errors.NotSecretary):
        await world.app.return_visit(cmd.ReturnVisit(member, second.visit.id, "自己退回"))

    returned = await world.app.return_visit(cmd.ReturnVisit(world.secretary, second.visit.id, "没有照片"))

    assert returned.visit.return_reason == "没有照片" and returned.visit.version == 2
    assert returned.pairing.next_due == date(2026, 12, 23), "due one rhythm after the visit that counts"
    assert [row["hours"] for row in await query(world.db, "SELECT hours FROM services")] == [1.0]
    [told] = [row for row in await outbox(world, "pairing") if "没有照片" in row["payload"]]
    assert told["chat_id"] == "10"
    with pytest.raises(errors.VisitDecided) as decided:
        await world.app.confirm_visit(cmd.ConfirmVisit(world.secretary, second.visit.id))
    assert decided.value.args_map["status"] == "returned"
    with pytest.raises(errors.VisitDecided):
        await world.app.return_visit(cmd.ReturnVisit(world.secretary, first.visit.id, "太晚了"))
