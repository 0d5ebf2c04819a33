"""Report-in (报到): name (unless the platform gives one), workplace, 单位党支部, skills, commitment, the emergency
post (战时应急岗位) and where one can serve (网格 / 楼栋), confirm."""

from __future__ import annotations

import dataclasses
import re

from bot.domain.emergency import MAX_POST, EmergencyPost
from bot.flows.base import Cancel, Ctx, Input, Photo, Pick, Prompt, Skip, Step, Text, clean, is_none, is_skip
from bot.flows.states import ReportState, ReportStep
from bot.i18n import t
from bot.i18n.flows import SKILL_COUNT
from bot.notices.callbacks import Act, encode
from bot.ports.chat import Button
from bot.usecases import commands as cmd

_LIST_SEP = re.compile(r"[,，、;；/\s]+")
_YES = frozenset({"确认", "确定", "是", "好", "yes", "y", "ok"})
ACTS = frozenset({Act.SKILL, Act.SKILLS_DONE, Act.REPORT_CONFIRM, Act.EMERGENCY_POST})


def skill_value(index: int) -> str:
    """A fixed skill as stored (the Chinese term the ledger uses)."""
    return t(f"skill.{index}", "zh")


def skill_label(value: str, lang: str) -> str:
    """A stored skill in the reader's language (a free-text skill as written)."""
    for i in range(SKILL_COUNT):
        if skill_value(i) == value:
            return t(f"skill.{i}", lang)
    return value


def read_skills(text: str) -> tuple[str, ...]:
    """Skills typed as text: names ("维修、助老") or numbers of the fixed list ("1、8"); "无" is none."""
    if is_none(text):
        return ()
    found: list[str] = []
    for item in _LIST_SEP.split(text.strip()):
        if not item:
            continue
        if item.isascii() and item.isdigit() and 1 <= int(item) <= SKILL_COUNT:
            item = skill_value(int(item) - 1)
        else:
            item = next(
                (skill_value(i) for i in range(SKILL_COUNT) if t(f"skill.{i}", "en").lower() == item.lower()), item
            )
        if item not in found:
            found.append(item)
    return tuple(found)


def start(
    branch_id: int,
    branch_name: str,
    ctx: Ctx,
    *,
    name: str | None = None,
    wish_id: int | None = None,
    post: EmergencyPost | None = None,
) -> Step:
    """Begin report-in; a name the platform vouches for (a WeCom directory name) is not asked again; ``post`` is
    the emergency post and grid recorded already (a roster's), kept when those questions are skipped."""
    known = post or EmergencyPost()
    first = ReportStep.WORKPLACE if name else ReportStep.NAME
    state = ReportState(
        branch_id, branch_name, first, name=name or "", wish_id=wish_id, emergency_post=known.post, grid=known.grid
    )
    if name:
        return Step(state, (Prompt("flow.report.start_named", (("branch", branch_name), ("name", name))),))
    return Step(state, (Prompt("flow.report.start", (("branch", branch_name),), ask_contact=True),))


def advance(state: ReportState, given: Input, ctx: Ctx) -> Step:
    """The next move of report-in for one input."""
    if isinstance(given, Cancel):
        return Step(None, (Prompt("flow.cancelled", clear_keyboard=True),))
    if isinstance(given, Photo):
        return Step(state, (Prompt("flow.needs_text"),))
    if isinstance(given, Pick):
        return _pick(state, given, ctx)
    step = state.step
    value = clean(given.text) if isinstance(given, Text) else ""
    if step == ReportStep.NAME:
        if not value:
            return Step(state, (Prompt("flow.needs_text"),))
        return Step(
            _to(state, ReportStep.WORKPLACE, name=value), (Prompt("flow.report.workplace", clear_keyboard=True),)
        )
    if step == ReportStep.WORKPLACE:
        if not value:
            return Step(state, (Prompt("flow.needs_text"),))
        return Step(_to(state, ReportStep.WORKPLACE_BRANCH, workplace=value), (Prompt("flow.report.workplace_branch"),))
    if step == ReportStep.WORKPLACE_BRANCH:
        branch = "" if not value or is_none(value) or is_skip(value) else value
        moved = _to(state, ReportStep.SKILLS, workplace_branch=branch)
        return Step(moved, (skills_prompt(moved, ctx.lang),))
    if step == ReportStep.SKILLS:
        if isinstance(given, Skip) or is_skip(value):
            return _commitment(state, ctx, in_place=False)
        return _commitment(dataclasses.replace(state, skills=read_skills(value)), ctx, in_place=False)
    if step == ReportStep.COMMITMENT:
        commitment = "" if isinstance(given, Skip) or is_skip(value) else value
        moved = _to(state, ReportStep.EMERGENCY_POST, commitment=commitment)
        return Step(moved, (post_prompt(ctx),))
    if step == ReportStep.EMERGENCY_POST:
        if isinstance(given, Skip) or is_skip(value):
            return _grid(state, state.emergency_post, in_place=False)
        if is_none(value):
            return _grid(state, "", in_place=False)
        if not value:
            return Step(state, (Prompt("flow.needs_text"),))
        post = read_post(value, ctx.posts)
        if len(post) > MAX_POST:
            return Step(state, (Prompt("flow.report.too_long", (("limit", str(MAX_POST)),)),))
        return _grid(state, post, in_place=False)
    if step == ReportStep.GRID:
        grid = state.grid if isinstance(given, Skip) or is_skip(value) else "" if is_none(value) else value
        if len(grid) > MAX_POST:
            return Step(state, (Prompt("flow.report.too_long", (("limit", str(MAX_POST)),)),))
        moved = dataclasses.replace(state, step=ReportStep.CONFIRM, grid=grid)
        return Step(moved, (summary_prompt(moved, ctx.lang),))
    if value.lower() in _YES:
        return _finish(state, ctx)
    return Step(state, (summary_prompt(state, ctx.lang),))


def _pick(state: ReportState, given: Pick, ctx: Ctx) -> Step:
    if given.act == Act.SKILL and state.step == ReportStep.SKILLS:
        skills = list(state.skills)
        if 0 <= given.target < SKILL_COUNT:
            value = skill_value(given.target)
            skills = [s for s in skills if s != value] if value in skills else [*skills, value]
        moved = dataclasses.replace(state, skills=tuple(skills))
        return Step(moved, (dataclasses.replace(skills_prompt(moved, ctx.lang), in_place=True),))
    if given.act == Act.SKILLS_DONE and state.step == ReportStep.SKILLS:
        return _commitment(state, ctx, in_place=True)
    if given.act == Act.REPORT_CONFIRM and state.step == ReportStep.CONFIRM:
        return _finish(state, ctx)
    if given.act == Act.EMERGENCY_POST and state.step == ReportStep.EMERGENCY_POST:
        if given.target == 0:
            return _grid(state, state.emergency_post, in_place=True)
        if given.target <= len(ctx.posts):
            return _grid(state, ctx.posts[given.target - 1], in_place=True)
    return Step(state, (Prompt("flow.outdated"),), outdated=True)


def read_post(text: str, posts: tuple[str, ...]) -> str:
    """An emergency post typed as text: the number of one of ``posts`` ("1") or the post in one's own words."""
    value = clean(text)
    if value.isascii() and value.isdigit() and 1 <= int(value) <= len(posts):
        return posts[int(value) - 1]
    return value


def _grid(state: ReportState, post: str, *, in_place: bool) -> Step:
    moved = dataclasses.replace(state, step=ReportStep.GRID, emergency_post=post)
    return Step(moved, (Prompt("flow.report.grid", in_place=in_place),))


def _finish(state: ReportState, ctx: Ctx) -> Step:
    command = cmd.ReportIn(
        ctx.actor,
        state.branch_id,
        state.name,
        state.workplace,
        state.workplace_branch,
        state.skills,
        state.commitment,
        state.emergency_post,
        state.grid,
    )
    return Step(state, (), command)


def _commitment(state: ReportState, ctx: Ctx, *, in_place: bool) -> Step:
    moved = _to(state, ReportStep.COMMITMENT)
    prompt = Prompt("flow.report.commitment", (("skills", skills_text(moved, ctx.lang)),), in_place=in_place)
    return Step(moved, (prompt,))


def _to(
    state: ReportState,
    step: ReportStep,
    *,
    name: str | None = None,
    workplace: str | None = None,
    workplace_branch: str | None = None,
    commitment: str | None = None,
) -> ReportState:
    return dataclasses.replace(
        state,
        step=step,
        name=state.name if name is None else name,
        workplace=state.workplace if workplace is None else workplace,
        workplace_branch=state.workplace_branch if workplace_branch is None else workplace_branch,
        commitment=state.commitment if commitment is None else commitment,
    )


def skills_text(state: ReportState, lang: str) -> str:
    """The chosen skills, listed in the reader's language."""
    chosen = t("list.sep", lang).join(skill_label(s, lang) for s in state.skills)
    return chosen or t("flow.report.none", lang)


def skills_prompt(state: ReportState, lang: str) -> Prompt:
    """The skill toggles (✅ when chosen) in rows of two, and Done; numbered in the text for typed answers."""
    buttons = [
        Button(("✅ " if skill_value(i) in state.skills else "") + t(f"skill.{i}", lang), encode(Act.SKILL, i))
        for i in range(SKILL_COUNT)
    ]
    rows = [tuple(buttons[i : i + 2]) for i in range(0, len(buttons), 2)]
    rows.append((Button(t("flow.report.skills_done", lang), encode(Act.SKILLS_DONE, 0)),))
    choices = t("list.sep", lang).join(f"{i + 1} {t(f'skill.{i}', lang)}" for i in range(SKILL_COUNT))
    return Prompt("flow.report.skills", (("choices", choices),), tuple(rows))


def post_prompt(ctx: Ctx) -> Prompt:
    """The emergency posts to choose from, in rows of two, and Skip; numbered in the text for typed answers."""
    buttons = [Button(post, encode(Act.EMERGENCY_POST, i + 1)) for i, post in enumerate(ctx.posts)]
    rows = [tuple(buttons[i : i + 2]) for i in range(0, len(buttons), 2)]
    rows.append((Button(t("flow.report.skip", ctx.lang), encode(Act.EMERGENCY_POST, 0)),))
    choices = t("list.sep", ctx.lang).join(f"{i + 1} {post}" for i, post in enumerate(ctx.posts))
    return Prompt("flow.report.post", (("choices", choices),), tuple(rows))


def summary_prompt(state: ReportState, lang: str) -> Prompt:
    """What will be recorded, for the person to check, with confirm and cancel."""
    none = t("flow.report.none", lang)
    args = (
        ("name", state.name),
        ("workplace", state.workplace),
        ("workplace_branch", state.workplace_branch or none),
        ("skills", skills_text(state, lang)),
        ("commitment", state.commitment or none),
        ("emergency_post", state.emergency_post or none),
        ("grid", state.grid or none),
    )
    buttons = (
        (
            Button(t("flow.report.confirm", lang), encode(Act.REPORT_CONFIRM, state.branch_id)),
            Button(t("flow.cancel", lang), encode(Act.CANCEL, 0)),
        ),
    )
    return Prompt("flow.report.summary", args, buttons)


def report_form(
    name: str,
    workplace: str,
    workplace_branch: str,
    skills: str,
    commitment: str,
    emergency_post: str = "",
    grid: str = "",
) -> tuple[Input, ...]:
    """A one-message form (``/register``, ``/报到 a | b | c``) as the answers the questions would get, confirmed;
    an empty optional answer skips its question."""
    answers: list[Input] = [Text(name)] if name else []
    answers += [Text(workplace), Text(workplace_branch or "无"), Text(skills or "无")]
    answers += [Text(value) if value else Skip() for value in (commitment, emergency_post, grid)]
    answers.append(Text("确认"))
    return tuple(answers)


def fill(start_step: Step, answers: tuple[Input, ...], ctx: Ctx) -> Step:
    """Feed a form's answers to a started report-in; stops at the first one not accepted (that question stays)."""
    step = start_step
    for given in answers:
        if not isinstance(step.state, ReportState) or step.command is not None:
            break
        before = step.state.step
        step = advance(step.state, given, ctx)
        if step.command is None and isinstance(step.state, ReportState) and step.state.step == before:
            break
    return step
