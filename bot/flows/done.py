"""Reporting a claimed service done: the hours (read leniently), then a note, a photo or /skip."""

from __future__ import annotations

from bot.domain.hours import read_duration
from bot.flows.base import Cancel, Ctx, Input, Photo, Pick, Prompt, Skip, Step, Text, is_none, is_skip
from bot.flows.states import DoneState, DoneStep
from bot.usecases import commands as cmd
from bot.usecases.base import MAX_HOURS


def read_hours(text: str) -> float | None:
    """The hours in a reply like "1.5", "2小时", "两个半小时", "90分钟" or "1,5 h"; None when there are none."""
    found = read_duration(text)
    return found.hours if found else None


def split_hours(text: str) -> tuple[float | None, str]:
    """The hours and whatever note follows them in the same reply ("2小时 老人很满意")."""
    found = read_duration(text)
    return (found.hours, found.rest) if found else (None, "")


def start(claim_id: int) -> Step:
    """Ask for the hours of a claim that may be reported done (checked before by ``ready_to_report``)."""
    return Step(DoneState(claim_id, DoneStep.HOURS), (Prompt("flow.done.hours"),))


def advance(state: DoneState, given: Input, ctx: Ctx) -> Step:
    """The next move of reporting done for one input."""
    if isinstance(given, Cancel):
        return Step(None, (Prompt("flow.cancelled"),))
    if isinstance(given, Pick):
        return Step(state, (Prompt("flow.outdated"),), outdated=True)
    if state.step == DoneStep.HOURS or state.hours is None:
        text = given.text if isinstance(given, Text) else given.caption if isinstance(given, Photo) else ""
        found = read_duration(text)
        if found is None or not 0 < found.hours <= MAX_HOURS:
            return Step(state, (Prompt("flow.done.bad_hours"),))
        hours, note = found.hours, found.rest
        said = (Prompt(found.meaning, (("hours", f"{hours:g}"),)),) if found.meaning else ()
        if isinstance(given, Photo):
            return Step(state, said, cmd.MarkDone(ctx.actor, state.claim_id, hours, note, given.ref))
        if note:
            return Step(state, said, cmd.MarkDone(ctx.actor, state.claim_id, hours, note))
        return Step(DoneState(state.claim_id, DoneStep.NOTE, hours), (*said, Prompt("flow.done.note")))
    if isinstance(given, Photo):
        return Step(state, (), cmd.MarkDone(ctx.actor, state.claim_id, state.hours, given.caption.strip(), given.ref))
    if isinstance(given, Skip) or (isinstance(given, Text) and (is_skip(given.text) or is_none(given.text))):
        return Step(state, (), cmd.MarkDone(ctx.actor, state.claim_id, state.hours))
    return Step(state, (), cmd.MarkDone(ctx.actor, state.claim_id, state.hours, given.text.strip()))
