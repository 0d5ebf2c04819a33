"""A secretary of several branches sends a wish text privately: which branch does it go to?"""

from __future__ import annotations

from collections.abc import Sequence

from bot.domain.model import Branch
from bot.flows.base import Cancel, Ctx, Input, Pick, Prompt, Step
from bot.flows.states import WishBranchState
from bot.notices.callbacks import Act, encode
from bot.ports.chat import Button
from bot.usecases import commands as cmd


def start(text: str, branches: Sequence[Branch]) -> Step:
    """Keep the text and offer one button per branch."""
    buttons = tuple((Button(b.name, encode(Act.PICK_BRANCH, b.id)),) for b in branches)
    return Step(WishBranchState(text), (Prompt("flow.wish.pick_branch", buttons=buttons),))


def advance(state: WishBranchState, given: Input, ctx: Ctx) -> Step:
    """The branch button posts the wish there; a text answer asks again."""
    if isinstance(given, Cancel):
        return Step(None, (Prompt("flow.cancelled"),))
    if isinstance(given, Pick):
        if given.act != Act.PICK_BRANCH:
            return Step(state, (Prompt("flow.outdated"),), outdated=True)
        return Step(None, (), cmd.PostWish(ctx.actor, given.target, state.text))
    return Step(state, (Prompt("flow.wish.pick_branch"),))
