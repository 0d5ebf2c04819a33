"""Reporting a claimed service done: the hours (read leniently), then a note, a photo or /skip."""

from __future__ import annotations

import re

from bot.flows.base import Cancel, Ctx, Input, Photo, Pick, Prompt, Skip, Step, Text, is_none, is_skip
from bot.flows.states import DoneState, DoneStep
from bot.usecases import commands as cmd
from bot.usecases.base import MAX_HOURS

_NUMBER = re.compile(r"\d+(?:[.,，]\d+)?")
_UNIT = re.compile(r"^\s*(?:个?小时|(?:hours?|hrs?|h)\b)", re.IGNORECASE)


def read_hours(text: str) -> float | None:
    """The first number in a reply like "1.5", "2小时" or "1,5 h"; None when there is none."""
    found = _NUMBER.search(text)
    return float(found.group().replace(",", ".").replace("，", ".")) if found else None


def split_hours(text: str) -> tuple[float | None, str]:
    """The hours and whatever note follows them in the same reply ("2小时 老人很满意")."""
    found = _NUMBER.search(text)
    if found is None:
        return None, ""
    rest = text[found.end() :]
    rest = _UNIT.sub("", rest, count=1).strip()
    return read_hours(found.group()), rest


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
        hours, note = split_hours(text)
        if hours is None or not 0 < hours <= MAX_HOURS:
            return Step(state, (Prompt("flow.done.bad_hours"),))
        if isinstance(given, Photo):
            return Step(state, (), cmd.MarkDone(ctx.actor, state.claim_id, hours, note, given.ref))
        if note:
            return Step(state, (), cmd.MarkDone(ctx.actor, state.claim_id, hours, note))
        return Step(DoneState(state.claim_id, DoneStep.NOTE, hours), (Prompt("flow.done.note"),))
    if isinstance(given, Photo):
        return Step(state, (), cmd.MarkDone(ctx.actor, state.claim_id, state.hours, given.caption.strip(), given.ref))
    if isinstance(given, Skip) or (isinstance(given, Text) and (is_skip(given.text) or is_none(given.text))):
        return Step(state, (), cmd.MarkDone(ctx.actor, state.claim_id, state.hours))
    return Step(state, (), cmd.MarkDone(ctx.actor, state.claim_id, state.hours, given.text.strip()))
