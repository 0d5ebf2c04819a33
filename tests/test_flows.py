"""The conversation machines, pure: inputs in, prompts and finished commands out; the state codec round trip."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from bot.domain.emergency import EmergencyPost
from bot.domain.model import Account, Branch, ChatRef, Committee
from bot.domain.wish_text import ParseProblem
from bot.flows import committee, done, draft, report_in, returning, wish_branch
from bot.flows.base import Cancel, Ctx, Input, Photo, Pick, Skip, Step, Text
from bot.flows.codec import decode, encode
from bot.flows.states import (
    CommitteeState,
    DoneState,
    DoneStep,
    FlowState,
    ReportState,
    ReportStep,
    ReturnState,
    WishBranchState,
    WishDraftState,
)
from bot.notices.callbacks import Act
from bot.usecases import commands as cmd

ME = Account("telegram", "20", "李娜")
CTX = Ctx(ME, "zh")
EPOCH = datetime(2026, 1, 1, tzinfo=UTC)


def feed(step: Step, *inputs: Input) -> Step:
    """Feed inputs one after another to the machine of the step's state."""
    for given in inputs:
        state = step.state
        if isinstance(state, ReportState):
            step = report_in.advance(state, given, CTX)
        elif isinstance(state, DoneState):
            step = done.advance(state, given, CTX)
        elif isinstance(state, ReturnState):
            step = returning.advance(state, given, CTX)
        elif isinstance(state, WishBranchState):
            step = wish_branch.advance(state, given, CTX)
        elif isinstance(state, CommitteeState):
            step = committee.advance(state, given, CTX)
        elif isinstance(state, WishDraftState):
            step = draft.advance(state, given, CTX)
        else:
            raise AssertionError(f"no state to feed {given!r}")
    return step


def keys(step: Step) -> list[str]:
    """The catalog keys of the step's prompts."""
    return [p.key for p in step.prompts]


def test_report_in_asks_every_question_and_finishes_with_the_command() -> None:
    begun = report_in.start(7, "幸福里e支部", CTX, wish_id=3)
    assert keys(begun) == ["flow.report.start"] and begun.prompts[0].ask_contact
    rows: list[tuple[Input, ReportStep, str]] = [
        (Text("李娜"), ReportStep.WORKPLACE, "flow.report.workplace"),
        (Text(" 市税务局 "), ReportStep.WORKPLACE_BRANCH, "flow.report.workplace_branch"),
        (Text("第二党支部"), ReportStep.SKILLS, "flow.report.skills"),
        (Pick(Act.SKILL, 9), ReportStep.SKILLS, "flow.report.skills"),
        (Pick(Act.SKILL, 7), ReportStep.SKILLS, "flow.report.skills"),
        (Pick(Act.SKILL, 9), ReportStep.SKILLS, "flow.report.skills"),
        (Pick(Act.SKILLS_DONE), ReportStep.COMMITMENT, "flow.report.commitment"),
        (Text("每月服务一次"), ReportStep.EMERGENCY_POST, "flow.report.post"),
        (Pick(Act.EMERGENCY_POST, 5), ReportStep.GRID, "flow.report.grid"),
        (Text("3号楼"), ReportStep.CONFIRM, "flow.report.summary"),
    ]
    step = begun
    for given, expected_step, key in rows:
        step = feed(step, given)
        assert isinstance(step.state, ReportState) and step.state.step == expected_step, given
        assert keys(step) == [key], given
    summary = step.prompts[0].kwargs()
    assert summary["workplace_branch"] == "第二党支部"
    assert (summary["emergency_post"], summary["grid"]) == ("医疗救护", "3号楼")
    finished = feed(step, Pick(Act.REPORT_CONFIRM, 7))
    assert finished.command == cmd.ReportIn(
        ME, 7, "李娜", "市税务局", "第二党支部", ("维修",), "每月服务一次", "医疗救护", "3号楼"
    )
    assert isinstance(finished.state, ReportState) and finished.state.wish_id == 3


def test_a_platform_name_is_not_asked_and_typed_skills_and_none_are_read() -> None:
    begun = report_in.start(7, "幸福里e支部", CTX, name="张三")
    assert keys(begun) == ["flow.report.start_named"]
    step = feed(begun, Text("区教育局"), Text("无"), Text("助学、家教 8"), Skip(), Skip(), Text("跳过"), Text("确认"))
    assert step.command == cmd.ReportIn(ME, 7, "张三", "区教育局", "", ("助学", "家教", "维修"), "")


@pytest.mark.parametrize(
    ("text", "skills"),
    [
        ("维修、助老", ("维修", "助老")),
        ("1，10", ("矛盾调解", "助学")),
        ("无", ()),
        ("Repairs, 维修", ("维修",)),
        ("1、²", ("矛盾调解", "²")),  # a superscript digit, which int() refuses: kept as typed, not a traceback
        ("١٢、8", ("١٢", "维修")),  # digits of another script are no number of the list
    ],
)
def test_typed_skills(text: str, skills: tuple[str, ...]) -> None:
    assert report_in.read_skills(text) == skills


def test_report_in_refuses_photos_and_foreign_buttons_and_cancels() -> None:
    step = feed(report_in.start(7, "b", CTX), Text("李娜"))
    assert keys(feed(step, Photo("AgAC"))) == ["flow.needs_text"]
    outdated = feed(step, Pick(Act.REPORT_CONFIRM, 7))
    assert outdated.outdated and outdated.state == step.state
    assert feed(step, Cancel()).state is None


def test_the_report_form_feeds_the_same_questions() -> None:
    form = report_in.report_form("", "市税务局", "", "维修、助老", "每月一次")
    step = report_in.fill(report_in.start(7, "b", CTX, name="王五"), form, CTX)
    assert step.command == cmd.ReportIn(ME, 7, "王五", "市税务局", "", ("维修", "助老"), "每月一次")
    with_post = report_in.report_form("", "市税务局", "", "维修", "每月一次", "2", "一网格")
    step = report_in.fill(report_in.start(7, "b", CTX, name="王五"), with_post, CTX)
    assert step.command == cmd.ReportIn(ME, 7, "王五", "市税务局", "", ("维修",), "每月一次", "秩序维护", "一网格")
    unfinished = report_in.fill(report_in.start(7, "b", CTX), report_in.report_form("李娜", "", "", "", ""), CTX)
    assert unfinished.command is None and isinstance(unfinished.state, ReportState)
    assert unfinished.state.step == ReportStep.WORKPLACE


@pytest.mark.parametrize(
    ("answer", "hours", "note"),
    [
        ("1.5", 1.5, ""),
        ("2小时", 2.0, ""),
        ("1,5 h", 1.5, ""),
        ("2小时 老人很满意", 2.0, "老人很满意"),
        ("2小时老人很满意", 2.0, "老人很满意"),
        ("3 hours", 3.0, ""),
    ],
)
def test_hours_are_read_leniently(answer: str, hours: float, note: str) -> None:
    assert done.split_hours(answer) == (hours, note)


def test_done_hours_then_note_photo_or_skip() -> None:
    begun = done.start(5)
    assert keys(begun) == ["flow.done.hours"]
    assert keys(feed(begun, Text("不记得"))) == ["flow.done.bad_hours"]
    assert keys(feed(begun, Text("30"))) == ["flow.done.bad_hours"]
    asked = feed(begun, Text("2小时"))
    assert asked.state == DoneState(5, DoneStep.NOTE, 2.0) and keys(asked) == ["flow.done.note"]
    assert feed(asked, Text("老人很满意")).command == cmd.MarkDone(ME, 5, 2.0, "老人很满意")
    assert feed(asked, Photo("AgACphoto", "修好了")).command == cmd.MarkDone(ME, 5, 2.0, "修好了", "AgACphoto")
    assert feed(asked, Skip()).command == cmd.MarkDone(ME, 5, 2.0)
    assert feed(begun, Text("1.5 已送达")).command == cmd.MarkDone(ME, 5, 1.5, "已送达")
    assert feed(begun, Pick(Act.SKILL, 1)).outdated


def test_return_asks_a_reason() -> None:
    begun = returning.start(5, "card-handle")
    assert keys(feed(begun, Text("  "))) == ["flow.return.reason"]
    assert feed(begun, Text("请补充照片")).command == cmd.ReturnService(ME, 5, "请补充照片")


def test_branch_choice_for_a_wish_and_committee_choice_for_a_branch() -> None:
    branches = [
        Branch(1, 1, "幸福里e支部", ChatRef("telegram", "-1"), True, False, EPOCH),
        Branch(2, 1, "和平里e支部", ChatRef("telegram", "-2"), True, False, EPOCH),
    ]
    asked = wish_branch.start("#微心愿 送书包", branches)
    assert [b.label for row in asked.prompts[0].buttons for b in row] == ["幸福里e支部", "和平里e支部"]
    assert feed(asked, Pick(Act.PICK_BRANCH, 2)).command == cmd.PostWish(ME, 2, "#微心愿 送书包")
    assert feed(asked, Pick(Act.PICK_COMMITTEE, 2)).outdated

    begun = committee.begin("新e支部", "-300", CTX)
    assert begun.command == cmd.CreateBranch(ME, "新e支部", ChatRef("telegram", "-300"), None, False)
    waiting = committee.choose(CommitteeState("新e支部", "-300"), [Committee(4, "南湖区e党委", None, EPOCH)])
    assert keys(waiting) == ["flow.branch.pick_committee"]
    chosen = feed(waiting, Pick(Act.PICK_COMMITTEE, 4))
    assert chosen.command == cmd.CreateBranch(ME, "新e支部", ChatRef("telegram", "-300"), 4, False)


def test_a_draft_lists_its_problems() -> None:
    prompt = draft.needs_fix([ParseProblem("parse.title_missing")], "zh")
    assert prompt.key == "flow.wish.needs_fix" and prompt.kwargs()["problems"].startswith("· ")


def test_a_draft_that_lacks_only_its_count_asks_for_it_and_a_number_posts_it() -> None:
    missing = [ParseProblem("parse.slots_missing")]
    assert draft.needs_fix(missing, "zh").key == "flow.wish.ask_slots"
    command = cmd.PostWish(ME, 7, "社区义诊", ChatRef("telegram", "-200"))
    state = draft.start(command, missing)
    assert state == WishDraftState(7, "社区义诊", "-200")
    assert draft.start(command, [*missing, ParseProblem("parse.title_missing")]) is None
    asked = Step(state)
    assert keys(feed(asked, Text("很多"))) == ["flow.wish.slots_again"]
    assert keys(feed(asked, Text("0"))) == ["flow.wish.slots_again"]
    assert feed(asked, Photo("p")).state == state
    assert feed(asked, Pick(Act.PICK_BRANCH, 1)).outdated
    assert keys(feed(asked, Cancel())) == ["flow.wish.draft_kept"] and feed(asked, Cancel()).state is None
    assert feed(asked, Text("两人")).command == cmd.PostWish(ME, 7, "社区义诊", ChatRef("telegram", "-200"), slots=2)
    assert feed(Step(WishDraftState(7, "社区义诊")), Text("3")).command == cmd.PostWish(ME, 7, "社区义诊", slots=3)


STATES: list[FlowState] = [
    ReportState(1, "幸福里e支部", ReportStep.SKILLS, "李娜", "市税务局", "", ("维修", "助学"), "", 3),
    ReportState(1, "幸福里e支部", ReportStep.GRID, "李娜", "市税务局", "", (), "", None, "物资配送", "一网格"),
    DoneState(2, DoneStep.NOTE, 1.5),
    ReturnState(3, origin="task|code|1.0"),
    WishBranchState("#微心愿 送书包"),
    WishDraftState(7, "社区义诊", "-200"),
    CommitteeState("新e支部", "-300", ("zhangsan", "lisi")),
]


@pytest.mark.parametrize("state", STATES, ids=lambda s: type(s).__name__)
def test_codec_round_trip_through_json(state: FlowState) -> None:
    stored = json.loads(json.dumps(encode(state)))
    assert decode(stored) == state


def test_the_emergency_post_is_a_button_a_number_free_text_or_skipped_and_a_recorded_one_is_kept() -> None:
    ctx = Ctx(ME, "zh", posts=("物资配送", "巡逻"))
    at_post = feed(report_in.start(7, "b", CTX, name="王五"), Text("区教育局"), Text("无"), Text("助学"), Skip())
    assert isinstance(at_post.state, ReportState) and at_post.state.step == ReportStep.EMERGENCY_POST
    asked = report_in.post_prompt(ctx)
    labels = [[b.label for b in row] for row in asked.buttons]
    assert labels == [["物资配送", "巡逻"], ["跳过"]] and "1 物资配送、2 巡逻" in asked.kwargs()["choices"]
    state = at_post.state

    def post_after(given: Input) -> str:
        step = report_in.advance(state, given, ctx)
        assert isinstance(step.state, ReportState) and step.state.step == ReportStep.GRID, given
        return step.state.emergency_post

    assert post_after(Pick(Act.EMERGENCY_POST, 2)) == "巡逻"
    assert post_after(Text("1")) == "物资配送"
    assert post_after(Text("心理疏导")) == "心理疏导"
    assert post_after(Text("3")) == "3"  # no third post: the number is kept as written
    assert post_after(Skip()) == post_after(Pick(Act.EMERGENCY_POST, 0)) == post_after(Text("跳过")) == ""
    assert report_in.advance(state, Pick(Act.EMERGENCY_POST, 3), ctx).outdated
    too_long = report_in.advance(state, Text("岗" * 41), ctx)
    assert keys(too_long) == ["flow.report.too_long"] and too_long.state == state

    known = report_in.start(7, "b", ctx, name="王五", post=EmergencyPost("医疗救护", "3号楼"))
    kept = report_in.fill(known, report_in.report_form("", "区教育局", "", "", ""), ctx)
    assert kept.command == cmd.ReportIn(ME, 7, "王五", "区教育局", "", (), "", "医疗救护", "3号楼")
    none_given = feed(known, Text("区教育局"), Text("无"), Text("无"), Skip(), Text("无"), Text("无"), Text("确认"))
    assert none_given.command == cmd.ReportIn(ME, 7, "王五", "区教育局", "", (), "")


def test_a_report_in_stored_before_the_emergency_questions_reads_and_continues_to_them() -> None:
    old = {
        "flow": "report",
        "v": 1,
        "branch_id": 7,
        "branch_name": "幸福里e支部",
        "step": "commitment",
        "name": "李娜",
        "workplace": "市税务局",
        "workplace_branch": "",
        "skills": ["维修"],
        "commitment": "",
        "wish_id": None,
    }
    state = decode(json.loads(json.dumps(old)))
    assert state == ReportState(7, "幸福里e支部", ReportStep.COMMITMENT, "李娜", "市税务局", "", ("维修",))
    step = feed(Step(state), Text("每月服务一次"))
    assert keys(step) == ["flow.report.post"]
    finished = feed(step, Text("物资配送"), Text("一网格"), Text("确认"))
    assert finished.command == cmd.ReportIn(
        ME, 7, "李娜", "市税务局", "", ("维修",), "每月服务一次", "物资配送", "一网格"
    )
    at_confirm = decode({**old, "step": "confirm", "commitment": "每月一次"})
    assert isinstance(at_confirm, ReportState)
    assert feed(Step(at_confirm), Text("确认")).command == cmd.ReportIn(
        ME, 7, "李娜", "市税务局", "", ("维修",), "每月一次"
    )


@pytest.mark.parametrize(
    "stored",
    [
        None,
        [],
        {"flow": "report", "branch": 1, "step": "name"},  # the old, untagged-version shape
        {"flow": "nope", "v": 1},
        {"flow": "done", "v": 2, "claim_id": 1, "step": "hours"},
        {"flow": "done", "v": 1, "claim_id": "1", "step": "hours"},
        {"flow": "done", "v": 1, "claim_id": 1, "step": "later"},
        {"flow": "done", "v": 1, "step": "hours"},
        {"flow": "report", "v": 1, "branch_id": 1, "branch_name": "b", "step": "skills", "skills": "维修"},
        {"flow": "branch", "v": 1, "name": "n", "chat_id": "-1", "members": [1, 2]},
        {"flow": "report", "v": 1, "branch_id": 1, "branch_name": "b", "step": "grid", "emergency_post": 3},
    ],
)
def test_a_malformed_stored_state_is_no_conversation(stored: object) -> None:
    assert decode(stored) is None
