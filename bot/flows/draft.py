"""A wish text the parser could not read: the draft is kept (by the use case) and what it lacks is asked.

When all that is missing is the count of people, the secretary is asked for it and answers with a number
(``2``, ``两名``, ``3人``, ``1 person``); the kept text is then posted with that count. Anything else is listed, and
the next message (or an edit of the first) is read again.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.domain.model import ChatRef
from bot.domain.wish_text import MAX_SLOTS, ParseProblem, read_count
from bot.flows.base import Cancel, Ctx, Input, Pick, Prompt, Step, Text
from bot.flows.states import DraftStep, WishDraftState
from bot.i18n import t
from bot.usecases import commands as cmd

_ASKED: dict[tuple[ParseProblem, ...], DraftStep] = {(ParseProblem("parse.slots_missing"),): DraftStep.SLOTS}


def asks(problems: Sequence[ParseProblem]) -> DraftStep | None:
    """The question that would complete the draft, when a single thing it lacks can be asked on its own."""
    return _ASKED.get(tuple(problems))


def needs_fix(problems: Sequence[ParseProblem], lang: str) -> Prompt:
    """The question for what the draft lacks, or what could not be read, one line each."""
    if asks(problems) == DraftStep.SLOTS:
        return Prompt("flow.wish.ask_slots", (("max", str(MAX_SLOTS)),))
    lines = "\n".join(f"· {t(p.key, lang, **dict(p.args))}" for p in problems)
    return Prompt("flow.wish.needs_fix", (("problems", lines),))


def start(command: cmd.PostWish, problems: Sequence[ParseProblem]) -> WishDraftState | None:
    """The state that waits for the answer, if the draft's problems are one question."""
    step = asks(problems)
    if step is None:
        return None
    chat_id = command.chat.chat_id if command.chat is not None else ""
    return WishDraftState(command.branch_id, command.text, chat_id, step)


def is_count(text: str) -> bool:
    """Whether a message reads as just a count (an answer to the question, also when sent in a group)."""
    return len(text) <= 40 and read_count(text) is not None


def advance(state: WishDraftState, given: Input, ctx: Ctx) -> Step:
    """A count posts the kept text with it; anything else asks again; /cancel leaves the draft kept."""
    if isinstance(given, Cancel):
        return Step(None, (Prompt("flow.wish.draft_kept"),))
    if isinstance(given, Pick):
        return Step(state, (Prompt("flow.outdated"),), outdated=True)
    answer = given.text.strip() if isinstance(given, Text) else ""
    count = read_count(answer)
    if count is None or not 1 <= count <= MAX_SLOTS:
        args = (("seen", answer[:40]), ("max", str(MAX_SLOTS)))
        return Step(state, (Prompt("flow.wish.slots_again", args),))
    chat = ChatRef(ctx.actor.platform, state.chat_id) if state.chat_id else None
    return Step(None, (), cmd.PostWish(ctx.actor, state.branch_id, state.text, chat, slots=count))
