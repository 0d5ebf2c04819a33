"""/branch when the creator may choose among several committees: which one does the new branch belong to?"""

from __future__ import annotations

from collections.abc import Sequence

from bot.domain.model import ChatRef, Committee
from bot.flows.base import Cancel, Ctx, Input, Pick, Prompt, Step
from bot.flows.states import CommitteeState
from bot.notices.callbacks import Act, encode
from bot.ports.chat import Button
from bot.usecases import commands as cmd


def begin(name: str, chat_id: str, ctx: Ctx, members: Sequence[str] = ()) -> Step:
    """Try to create the branch at once (the use case answers with the committees to choose from if needed)."""
    state = CommitteeState(name, chat_id, tuple(members))
    return Step(None, (), create(state, ctx, None))


def create(state: CommitteeState, ctx: Ctx, committee_id: int | None) -> cmd.CreateBranch:
    """The command creating the branch the state describes."""
    return cmd.CreateBranch(
        ctx.actor, state.name, ChatRef(ctx.actor.platform, state.chat_id), committee_id, ctx.by_bot_admin
    )


def choose(state: CommitteeState, committees: Sequence[Committee]) -> Step:
    """Keep the branch waiting and offer one button per committee."""
    buttons = tuple((Button(c.name, encode(Act.PICK_COMMITTEE, c.id)),) for c in committees)
    return Step(state, (Prompt("flow.branch.pick_committee", buttons=buttons),))


def advance(state: CommitteeState, given: Input, ctx: Ctx) -> Step:
    """The committee button creates the branch; a text answer asks again."""
    if isinstance(given, Cancel):
        return Step(None, (Prompt("flow.cancelled"),))
    if isinstance(given, Pick):
        if given.act != Act.PICK_COMMITTEE:
            return Step(state, (Prompt("flow.outdated"),), outdated=True)
        return Step(None, (), create(state, ctx, given.target))
    return Step(state, (Prompt("flow.branch.pick_committee"),))
