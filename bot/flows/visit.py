"""Reporting a pairing's visit: the questions of reporting a claim done (``bot.flows.done``), for a pairing."""

from __future__ import annotations

from bot.flows import done
from bot.flows.base import Ctx, Input, Prompt, Step
from bot.flows.states import DoneState, DoneStep, VisitState
from bot.usecases import commands as cmd


def start(pairing_id: int, alias: str) -> Step:
    """Ask for the hours of a visit that may be reported (checked before by ``ready_to_visit``)."""
    return Step(VisitState(pairing_id, DoneStep.HOURS), (Prompt("flow.visit.hours", (("alias", alias),)),))


def advance(state: VisitState, given: Input, ctx: Ctx) -> Step:
    """The done flow's move, its claim read as the pairing and its MarkDone as a ReportVisit."""
    moved = done.advance(DoneState(state.pairing_id, state.step, state.hours), given, ctx)
    after = (
        VisitState(state.pairing_id, moved.state.step, moved.state.hours)
        if isinstance(moved.state, DoneState)
        else None
    )
    command = moved.command
    if isinstance(command, cmd.MarkDone):
        visit = cmd.ReportVisit(command.actor, state.pairing_id, command.hours, command.note, command.photo_ref)
        return Step(after, moved.prompts, visit, outdated=moved.outdated)
    return Step(after, moved.prompts, command, outdated=moved.outdated)


def again(state: VisitState) -> Step:
    """After a refused report, the hours are asked again."""
    return Step(VisitState(state.pairing_id, DoneStep.HOURS), (Prompt("flow.done.hours"),))
