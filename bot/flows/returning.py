"""A secretary returns a reported service (or a pairing's visit): the reason is asked, then the member is told."""

from __future__ import annotations

from bot.flows.base import Cancel, Ctx, Input, Pick, Prompt, Step, Text
from bot.flows.states import ReturnState, VisitReturnState
from bot.usecases import commands as cmd


def start(claim_id: int, origin: str = "") -> Step:
    """Ask for the reason; ``origin`` is the platform's handle of the review message, closed afterwards."""
    return Step(ReturnState(claim_id, origin=origin), (Prompt("flow.return.reason"),))


def advance(state: ReturnState, given: Input, ctx: Ctx) -> Step:
    """The reason (text) returns the service; anything else asks again."""
    if isinstance(given, Cancel):
        return Step(None, (Prompt("flow.cancelled"),))
    if isinstance(given, Pick):
        return Step(state, (Prompt("flow.outdated"),), outdated=True)
    if isinstance(given, Text) and given.text.strip():
        return Step(state, (), cmd.ReturnService(ctx.actor, state.claim_id, given.text.strip()))
    return Step(state, (Prompt("flow.return.reason"),))


def start_visit(visit_id: int) -> Step:
    """Ask for the reason a reported visit is returned."""
    return Step(VisitReturnState(visit_id), (Prompt("flow.visit_return.reason", (("visit", str(visit_id)),)),))


def advance_visit(state: VisitReturnState, given: Input, ctx: Ctx) -> Step:
    """The reason (text) returns the visit; anything else asks again."""
    if isinstance(given, Cancel):
        return Step(None, (Prompt("flow.cancelled"),))
    if isinstance(given, Pick):
        return Step(state, (Prompt("flow.outdated"),), outdated=True)
    if isinstance(given, Text) and given.text.strip():
        return Step(state, (), cmd.ReturnVisit(ctx.actor, state.visit_id, given.text.strip()))
    return Step(state, (Prompt("flow.visit_return.reason", (("visit", str(state.visit_id)),)),))
