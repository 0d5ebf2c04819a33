"""Emergency mode (战时应急) in the use cases: the call reaches every member once, answers are counted by post and
grid, non-responders are prompted again and listed, the end closes it with a summary, drills are marked."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook

from bot.config.sections import EmergencyConfig
from bot.domain import errors
from bot.domain.emergency import Answer, EmergencyPost, read_answer
from bot.domain.model import Account, ChatRef, Urgency
from bot.notices.outbox import EmergencyBoard, EmergencyPrompt, EmergencyReport, EmergencyUnanswered, decode
from bot.notices.views import describe_error
from bot.usecases import commands as cmd
from bot.usecases import outcomes
from bot.usecases.roster import read_roster
from tests.conftest import World, execute, query

COMMITTEE_CHAT = ChatRef("telegram", "-100")
GROUP = ChatRef("telegram", "-200")


async def outbox(world: World, prefix: str) -> list[tuple[str, str, str]]:
    """Entries recorded whose dedupe key starts with ``prefix``: key, chat, status."""
    rows = await query(
        world.db, "SELECT dedupe_key, chat_id, status FROM outbox WHERE dedupe_key LIKE ? ORDER BY id", (prefix + "%",)
    )
    return [(str(r[0]), str(r[1]), str(r[2])) for r in rows]


async def call_from_committee(world: World, text: str = "封控小区急需物资配送", *, drill: bool = False) -> int:
    started = await world.app.start_emergency(
        cmd.StartEmergency(world.admin, COMMITTEE_CHAT, text, drill=drill, by_bot_admin=True)
    )
    return started.emergency.id


async def test_a_committee_call_boards_every_group_and_prompts_every_member_once(world: World) -> None:
    members = await world.members(3)
    await world.app.set_emergency_post(cmd.SetEmergencyPost(members[0], "物资配送", "一网格"))

    started = await world.app.start_emergency(
        cmd.StartEmergency(world.admin, COMMITTEE_CHAT, "封控小区急需物资配送", by_bot_admin=True)
    )

    assert (started.branches, started.members, started.reached) == (1, 4, 4)
    boards = await outbox(world, f"emergency:{started.emergency.id}:board:")
    assert [(chat, status) for _, chat, status in boards] == [("-200", "pending"), ("-100", "pending")]
    prompts = await outbox(world, f"emergency:{started.emergency.id}:prompt:")
    assert sorted(chat for _, chat, _ in prompts) == sorted(["2", "m0", "m1", "m2"])
    assert await world.app.resume_calls(started.emergency.id) == (0, 0)
    assert len(await outbox(world, f"emergency:{started.emergency.id}:prompt:")) == 4


async def test_emergency_entries_are_delivered_before_anything_queued_earlier(world: World) -> None:
    await world.members(2)
    async with world.store.unit() as unit:
        for n in range(5):
            await unit.outbox.enqueue(
                world.clock.now(),
                dedupe_key=f"other:{n}",
                kind="digest",
                platform="telegram",
                chat=GROUP,
                member_id=None,
                payload="{}",
            )
    await call_from_committee(world)

    async with world.store.unit() as unit:
        taken = await unit.outbox.due("telegram", world.clock.now(), 3, owner="test")

    assert [row.kind.split("_")[0] for row in taken] == ["emergency"] * 3


async def test_only_an_admin_in_the_committee_chat_or_a_secretary_in_the_group_may_call(world: World) -> None:
    member = (await world.members(1))[0]
    with pytest.raises(errors.NotCommitteeAdmin):
        await world.app.start_emergency(cmd.StartEmergency(member, COMMITTEE_CHAT, "演练"))
    with pytest.raises(errors.NotSecretary):
        await world.app.start_emergency(cmd.StartEmergency(member, GROUP, "演练"))
    with pytest.raises(errors.EmergencyWhere):
        await world.app.start_emergency(cmd.StartEmergency(member, ChatRef("telegram", "-999"), "演练"))

    started = await world.app.start_emergency(cmd.StartEmergency(world.secretary, GROUP, "暴雨，请到岗"))

    assert started.emergency.branch_id == world.branch.id and started.members == 2
    with pytest.raises(errors.EmergencyRunning):
        await call_from_committee(world)


async def test_answers_are_counted_by_post_and_grid_and_a_later_answer_replaces_the_first(world: World) -> None:
    a, b, c = await world.members(3)
    await world.app.set_emergency_post(cmd.SetEmergencyPost(a, "物资配送", "一网格"))
    await world.app.set_emergency_post(cmd.SetEmergencyPost(b, "物资配送", "二网格"))
    await world.app.set_emergency_post(cmd.SetEmergencyPost(c, "环境消杀", "二网格"))
    emergency_id = await call_from_committee(world)

    first = await world.app.answer_emergency(cmd.AnswerEmergency(a, emergency_id, Answer.NO))
    again = await world.app.answer_emergency(cmd.AnswerEmergency(a, emergency_id, Answer.YES, "10分钟到"))
    await world.app.answer_emergency(cmd.AnswerEmergency(b, emergency_id, Answer.LATER))

    assert first.first and not again.first
    shown = await world.app.headcount(world.admin, COMMITTEE_CHAT)
    count = shown.headcount
    assert (count.total.yes, count.total.later, count.total.no, count.total.none) == (1, 1, 0, 2)
    posts = {tally.label: (tally.yes, tally.later, tally.none) for tally in count.by_post}
    assert posts == {"物资配送": (1, 1, 0), "环境消杀": (0, 0, 1), "": (0, 0, 1)}
    grids = {tally.label: tally.total for tally in count.by_grid}
    assert grids == {"二网格": 2, "一网格": 1, "": 1}
    assert {line.name for line in count.unanswered} == {"党员002", "王书记"}
    assert (await world.app.headcount(world.secretary, GROUP)).headcount.total.total == 4
    outsider = Account("telegram", "stranger", "路人")
    with pytest.raises(errors.NotCalled):
        await world.app.answer_emergency(cmd.AnswerEmergency(outsider, emergency_id, Answer.YES))


async def test_non_responders_are_prompted_again_at_10_and_30_minutes_then_listed_to_the_secretary(
    world: World,
) -> None:
    a, b = await world.members(2)
    emergency_id = await call_from_committee(world)
    await world.app.answer_emergency(cmd.AnswerEmergency(a, emergency_id, Answer.YES))
    start = world.clock.now()

    assert await world.app.record_reprompts(start + timedelta(minutes=9)) == 0
    assert await world.app.record_reprompts(start + timedelta(minutes=10)) == 2
    assert await world.app.record_reprompts(start + timedelta(minutes=11)) == 0
    await world.app.answer_emergency(cmd.AnswerEmergency(world.secretary, emergency_id, Answer.LATER))
    assert await world.app.record_reprompts(start + timedelta(minutes=30)) == 1
    assert await world.app.record_reprompts(start + timedelta(minutes=40)) == 1
    assert await world.app.record_reprompts(start + timedelta(minutes=50)) == 0

    prompts = [key for key, _, _ in await outbox(world, f"emergency:{emergency_id}:prompt:")]
    member_b = (await world.get_member(b)).id
    assert [k for k in prompts if k.split(":")[3] == str(member_b)] == [
        f"emergency:{emergency_id}:prompt:{member_b}:{n}" for n in (1, 2, 3)
    ]
    listed = await outbox(world, f"emergency:{emergency_id}:unanswered:")
    assert [chat for _, chat, _ in listed] == ["2"]
    rows = await query(world.db, "SELECT payload FROM outbox WHERE dedupe_key = ?", (listed[0][0],))
    notice = decode(str(rows[0][0])).notice
    assert isinstance(notice, EmergencyUnanswered) and notice.member_ids == (member_b,) and notice.times == 3
    message = await world.renderer.render(notice)
    assert message is not None and "党员001" in message.text and "3 次提醒" in message.text


async def test_the_end_closes_the_call_refuses_answers_and_sends_the_summary(world: World) -> None:
    a, b = await world.members(2)
    emergency_id = await call_from_committee(world, drill=True)
    world.clock.advance(timedelta(minutes=3))
    await world.app.answer_emergency(cmd.AnswerEmergency(a, emergency_id, Answer.YES))
    world.clock.advance(timedelta(minutes=9))
    await world.app.answer_emergency(cmd.AnswerEmergency(b, emergency_id, Answer.NO))

    closed = await world.app.end_emergency(cmd.EndEmergency(world.admin, COMMITTEE_CHAT, by_bot_admin=True))

    summary = closed.summary
    assert closed.emergency.ended_at is not None and summary.emergency.drill
    assert summary.answered == 2 and dict(summary.within) == {5: 1, 10: 1, 30: 2}
    with pytest.raises(errors.EmergencyEnded):
        await world.app.answer_emergency(cmd.AnswerEmergency(world.secretary, emergency_id, Answer.YES))
    with pytest.raises(errors.NoEmergency):
        await world.app.end_emergency(cmd.EndEmergency(world.admin, COMMITTEE_CHAT, by_bot_admin=True))
    rows = await query(
        world.db, "SELECT chat_id, payload FROM outbox WHERE dedupe_key = ?", (f"emergency:{emergency_id}:summary",)
    )
    report = decode(str(rows[0][1])).notice
    assert rows[0][0] == "-100" and isinstance(report, EmergencyReport)
    message = await world.renderer.render(report)
    assert message is not None
    assert "应急演练" in message.text and "回复 2 人" in message.text and "5分钟内 1 人" in message.text
    chart, sheet = message.attachments
    assert chart.is_image and chart.content.startswith(b"\x89PNG")
    assert sheet.filename.startswith("应急台账_1_")
    rows = list(load_workbook(io.BytesIO(sheet.content)).active.iter_rows(values_only=True))
    assert rows[0][:5] == ("姓名", "支部", "应急岗位", "网格 / 楼栋", "回复")
    assert ("党员000", "幸福里e支部", "", "", "可到", 3.0, "") in rows
    assert await world.app.record_reprompts(world.clock.now() + timedelta(hours=1)) == 0


async def test_a_fan_out_cut_short_is_finished_once_by_the_next_run(world: World) -> None:
    members = await world.members(7)
    emergency_id = await call_from_committee(world)
    last = [(await world.get_member(m)).id for m in members[-3:]]
    await execute(
        world.db, "DELETE FROM outbox WHERE dedupe_key LIKE 'emergency:%:prompt:%' AND member_id >= ?", (last[0],)
    )
    await execute(world.db, "DELETE FROM emergency_calls WHERE member_id >= ?", (last[0],))

    assert await world.app.resume_calls(emergency_id, unit_size=2) == (3, 3)
    assert await world.app.resume_calls(emergency_id) == (0, 0)

    rows = await query(
        world.db,
        "SELECT member_id, count(*) FROM outbox WHERE dedupe_key LIKE ? GROUP BY member_id",
        (f"emergency:{emergency_id}:prompt:%",),
    )
    assert len(rows) == 8 and {int(r[1]) for r in rows} == {1}


async def test_posts_are_kept_and_notices_are_typed(world: World) -> None:
    member = (await world.members(1))[0]
    await world.app.set_emergency_post(cmd.SetEmergencyPost(member, " 医疗救护 ", "3号楼"))
    assert await world.app.emergency_post(member) == EmergencyPost("医疗救护", "3号楼")
    emergency_id = await call_from_committee(world)
    rows = await query(world.db, "SELECT payload FROM outbox WHERE dedupe_key LIKE 'emergency:%' ORDER BY id")
    kinds = {type(decode(str(r[0])).notice) for r in rows}
    assert kinds == {EmergencyBoard, EmergencyPrompt} and emergency_id == 1


async def test_a_wish_posted_during_a_call_is_an_emergency_task_offered_first_to_fitting_members_who_come(
    world: World,
) -> None:
    deliver, order, clean = await world.members(3)
    await world.app.set_emergency_post(cmd.SetEmergencyPost(deliver, "物资配送", "一网格"))
    await world.app.set_emergency_post(cmd.SetEmergencyPost(order, "秩序维护", "一网格"))
    emergency_id = await call_from_committee(world)
    for account in (deliver, order):
        await world.app.answer_emergency(cmd.AnswerEmergency(account, emergency_id, Answer.YES))
    await world.app.answer_emergency(cmd.AnswerEmergency(clean, emergency_id, Answer.NO))

    posted = await world.app.post_wish(cmd.PostWish(world.secretary, world.branch.id, "物资配送 名额2 8:00-12:00"))

    assert isinstance(posted, outcomes.WishPosted)
    wish_id = posted.view.wish.id
    assert posted.view.wish.urgency == Urgency.EMERGENCY
    rows = await query(world.db, "SELECT emergency_id, emergency_post, shift FROM wishes WHERE id = ?", (wish_id,))
    assert tuple(rows[0]) == (emergency_id, "物资配送", "08:00-12:00")
    offered = await query(world.db, "SELECT chat_id FROM outbox WHERE kind = 'emergency_task'")
    assert [r[0] for r in offered] == ["m0"]
    assert await world.app.send_member_cards(wish_id, "telegram") == 3  # the others; m0's card is the one offered
    cards = await query(world.db, "SELECT count(*) FROM outbox WHERE dedupe_key = ?", (f"card:{wish_id}:telegram:m0",))
    assert cards[0][0] == 1
    async with world.store.unit() as unit:
        kinds = [row.kind for row in await unit.outbox.due("telegram", world.clock.now(), 100, owner="test")]
    assert kinds.index("emergency_task") < kinds.index("wish_card")
    await world.app.claim(cmd.ClaimWish(deliver, wish_id))
    world.clock.advance(timedelta(hours=1))
    closed = await world.app.end_emergency(cmd.EndEmergency(world.admin, COMMITTEE_CHAT, by_bot_admin=True))
    assert (closed.summary.stats.tasks_posted, closed.summary.stats.tasks_claimed) == (1, 1)


async def test_a_wish_posted_with_no_call_going_on_stays_routine(world: World) -> None:
    posted = await world.app.post_wish(cmd.PostWish(world.secretary, world.branch.id, "物资配送 名额2 8:00-12:00"))
    assert isinstance(posted, outcomes.WishPosted)
    assert (await world.app.wish_view(posted.view.wish.id)).wish.urgency == Urgency.NORMAL


async def test_the_roster_import_takes_the_emergency_post_and_grid_as_columns(world: World, tmp_path: Path) -> None:
    path = tmp_path / "roster.csv"
    path.write_text(
        "姓名,手机号,应急岗位,网格/楼栋\n陈静,13800138000,医疗救护,3号楼\n李强,13900139000,,\n", encoding="utf-8"
    )
    rows = read_roster(path).rows
    assert [(r.emergency_post, r.grid) for r in rows] == [("医疗救护", "3号楼"), ("", "")]

    await world.app.import_roster("幸福里e支部", rows)

    found = await query(
        world.db,
        "SELECT m.name, p.post, p.grid FROM member_emergency_posts p JOIN members m ON m.id = p.member_id",
    )
    assert [tuple(r) for r in found] == [("陈静", "医疗救护", "3号楼")]


async def test_my_data_shows_the_emergency_post_and_leaving_forgets_it_and_the_notes(world: World) -> None:
    member = (await world.members(1))[0]
    await world.app.set_emergency_post(cmd.SetEmergencyPost(member, "物资配送", "一网格"))
    emergency_id = await call_from_committee(world)
    await world.app.answer_emergency(cmd.AnswerEmergency(member, emergency_id, Answer.YES, "住3号楼"))
    assert (await world.app.my_data(member)).data["emergency_post"] == {"post": "物资配送", "grid": "一网格"}

    await world.app.leave(cmd.Leave(member))

    assert await query(world.db, "SELECT * FROM member_emergency_posts") == []
    notes = await query(world.db, "SELECT note FROM emergency_calls WHERE note != ''")
    assert notes == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("可到", (Answer.YES, "")),
        ("可到 30分钟后到", (Answer.YES, "30分钟后到")),
        ("稍后可到，晚上8点", (Answer.LATER, "晚上8点")),
        ("不可。在外地出差", (Answer.NO, "在外地出差")),
        ("不可到", (Answer.NO, "")),
        ("Coming later: 20 min", (Answer.LATER, "20 min")),
        ("cannot", (Answer.NO, "")),
        ("不可能", None),
        ("可到了吗", None),
        ("帮忙买年货", None),
    ],
)
def test_answers_typed_as_text(text: str, expected: tuple[Answer, str] | None) -> None:
    assert read_answer(text) == expected


async def test_an_answer_typed_as_text_goes_to_the_open_call_and_may_be_changed(world: World) -> None:
    a, b = await world.members(2)
    with pytest.raises(errors.NoEmergency):
        await world.app.answer_open_emergency(cmd.AnswerOpenEmergency(a, Answer.YES))
    emergency_id = await call_from_committee(world)

    first = await world.app.answer_open_emergency(cmd.AnswerOpenEmergency(a, Answer.NO, "在外地"))
    again = await world.app.answer_open_emergency(cmd.AnswerOpenEmergency(a, Answer.YES))

    assert (first.emergency_id, first.answer, first.first) == (emergency_id, Answer.NO, True)
    assert (again.answer, again.first) == (Answer.YES, False)
    count = (await world.app.headcount(world.admin, COMMITTEE_CHAT)).headcount.total
    assert (count.yes, count.no, count.none) == (1, 0, 2)
    member_a = (await world.get_member(a)).id
    rows = await query(world.db, "SELECT answer, note FROM emergency_calls WHERE member_id = ?", (member_a,))
    assert tuple(rows[0]) == ("yes", "在外地")
    with pytest.raises(errors.NoEmergency):
        await world.app.answer_open_emergency(cmd.AnswerOpenEmergency(Account("telegram", "x", "路人"), Answer.YES))
    await world.app.end_emergency(cmd.EndEmergency(world.admin, COMMITTEE_CHAT, by_bot_admin=True))
    with pytest.raises(errors.NoEmergency):
        await world.app.answer_open_emergency(cmd.AnswerOpenEmergency(b, Answer.YES))


async def test_a_paused_member_is_prompted_unless_the_config_respects_pauses(world: World) -> None:
    paused, other = await world.members(2)
    await world.app.pause_nudges(cmd.PauseNudges(paused, 14))
    paused_id, other_id = (await world.get_member(paused)).id, (await world.get_member(other)).id
    first = await call_from_committee(world)
    assert len(await outbox(world, f"emergency:{first}:prompt:{paused_id}:")) == 1
    await world.app.end_emergency(cmd.EndEmergency(world.admin, COMMITTEE_CHAT, by_bot_admin=True))

    world.app.emergency_config = EmergencyConfig(respect_pauses=True)
    started = await world.app.start_emergency(
        cmd.StartEmergency(world.admin, COMMITTEE_CHAT, "暴雨", by_bot_admin=True)
    )
    second = started.emergency.id

    assert (started.members, started.reached) == (3, 2)
    assert await outbox(world, f"emergency:{second}:prompt:{paused_id}:") == []
    assert len(await outbox(world, f"emergency:{second}:prompt:{other_id}:")) == 1
    shown = await world.app.headcount(world.admin, COMMITTEE_CHAT)
    assert "党员000" in {line.name for line in shown.headcount.unanswered}
    await world.app.answer_emergency(cmd.AnswerEmergency(other, second, Answer.YES))
    await world.app.answer_emergency(cmd.AnswerEmergency(world.secretary, second, Answer.YES))
    start = world.clock.now()
    assert await world.app.record_reprompts(start + timedelta(minutes=10)) == 0
    assert await world.app.record_reprompts(start + timedelta(minutes=30)) == 0
    assert await outbox(world, f"emergency:{second}:prompt:{paused_id}:") == []
    assert await world.app.record_reprompts(start + timedelta(minutes=40)) == 1
    listed = await query(
        world.db, "SELECT payload FROM outbox WHERE dedupe_key LIKE ?", (f"emergency:{second}:unanswered:%",)
    )
    notice = decode(str(listed[0][0])).notice
    assert isinstance(notice, EmergencyUnanswered) and notice.member_ids == (paused_id,)


async def test_a_secretary_cannot_end_a_committee_wide_call_and_is_told_who_can(world: World) -> None:
    await world.members(1)
    emergency_id = await call_from_committee(world)

    with pytest.raises(errors.CommitteeCallEnd) as refused:
        await world.app.end_emergency(cmd.EndEmergency(world.secretary, GROUP))

    assert refused.value.args_map == {"id": emergency_id, "committee": "南湖区e党委"}
    assert "只能由党委管理员结束" in describe_error(refused.value, "zh")
    assert "only a committee admin can end it" in describe_error(refused.value, "en")
    assert (await world.app.headcount(world.admin, COMMITTEE_CHAT)).headcount.emergency.open
    closed = await world.app.end_emergency(cmd.EndEmergency(world.admin, COMMITTEE_CHAT, by_bot_admin=True))
    assert closed.emergency.id == emergency_id
    with pytest.raises(errors.NoEmergency):
        await world.app.end_emergency(cmd.EndEmergency(world.secretary, GROUP))


async def test_after_leave_no_pending_or_sent_outbox_entry_names_the_member(world: World) -> None:
    leaver, _ = await world.members(2)
    for text in ("暴雨", "山洪"):
        emergency_id = await call_from_committee(world, text)
        start = world.clock.now()
        for minutes in (10, 30, 40):
            await world.app.record_reprompts(start + timedelta(minutes=minutes))
        if text == "暴雨":  # the first call's list went out; the second's is still waiting
            async with world.store.unit() as unit:
                sent = await unit.outbox.by_key(f"emergency:{emergency_id}:unanswered:{world.branch.id}:2")
                assert sent is not None
                await unit.outbox.mark(sent.id, "sent", world.clock.now(), message_id="77")
            await world.app.end_emergency(cmd.EndEmergency(world.admin, COMMITTEE_CHAT, by_bot_admin=True))
    lists = await query(world.db, "SELECT status, payload FROM outbox WHERE kind = 'emergency_unanswered' ORDER BY id")
    assert [r[0] for r in lists] == ["sent", "pending"]
    pending = decode(str(lists[1][1])).notice
    assert isinstance(pending, EmergencyUnanswered)
    before = await world.renderer.render(pending)
    assert before is not None and "党员000" in before.text and "党员001" in before.text

    await world.app.leave(cmd.Leave(leaver))

    payloads = [str(r[0]) for r in await query(world.db, "SELECT payload FROM outbox")]
    assert payloads and not [p for p in payloads if "党员000" in p]
    assert any("党员001" in p for p in payloads)  # the others' report-in notes are still there
    after = await world.renderer.render(pending)
    assert after is not None and "党员000" not in after.text and "党员001" in after.text
    assert [tuple(r) for r in await query(world.db, "SELECT count(*) FROM members WHERE name = '党员000'")] == [(0,)]
