"""A secretary extends a wish's deadline from its card (延长截止): the new deadline is asked, then the wish reopens."""

from __future__ import annotations

from bot.flows.base import Cancel, Ctx, Input, Pick, Prompt, Step, Text, clean
from bot.flows.states import ExtendState
from bot.notices.views import wish_deadline
from bot.usecases import commands as cmd
from bot.usecases import outcomes


def start(wish_id: int) -> Step:
    """Ask for the new deadline of a wish the person may extend (checked before by ``may_extend``)."""
    return Step(ExtendState(wish_id), (Prompt("flow.extend.ask", (("id", str(wish_id)),)),))


def advance(state: ExtendState, given: Input, ctx: Ctx) -> Step:
    """A text answer is the new deadline (read by the use case); anything else asks again."""
    if isinstance(given, Cancel):
        return Step(None, (Prompt("flow.cancelled"),))
    if isinstance(given, Pick):
        return Step(state, (Prompt("flow.outdated"),), outdated=True)
    if isinstance(given, Text) and clean(given.text):
        return Step(state, (), cmd.ExtendDeadline(ctx.actor, state.wish_id, clean(given.text)))
    return again(state)


def again(state: ExtendState) -> Step:
    """The new deadline could not be used: ask for it once more, keeping the conversation."""
    return Step(state, (Prompt("flow.extend.again", (("id", str(state.wish_id)),)),))


def extended(outcome: outcomes.DeadlineExtended, lang: str) -> Prompt:
    """The answer once the wish has its new deadline: until when, and how many were told."""
    wish = outcome.view.wish
    args = (("id", str(wish.id)), ("deadline", wish_deadline(wish, lang)), ("n", str(outcome.told)))
    return Prompt("notice.wish_extended", args)
