"""Runs a conversation for a platform: loads the stored state, moves it, runs the finished command, stores it."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

from bot.domain.errors import DomainError, InvalidInput
from bot.domain.model import Account, Branch
from bot.flows import committee, done, draft, extend, report_in, returning, visit, wish_branch
from bot.flows.base import Cancel, Ctx, Finish, Input, Pick, Prompt, Step, Text
from bot.flows.codec import decode, encode
from bot.flows.states import (
    CommitteeState,
    DoneState,
    DoneStep,
    ExtendState,
    FlowState,
    ReportState,
    ReturnState,
    VisitReturnState,
    VisitState,
    WishBranchState,
    WishDraftState,
)
from bot.i18n import t
from bot.usecases import UseCases, outcomes
from bot.usecases import commands as cmd

Outcome = (
    outcomes.ReportedIn
    | outcomes.DoneReported
    | outcomes.ServiceReturned
    | outcomes.WishPosted
    | outcomes.WishNeedsFix
    | outcomes.BranchCreated
    | outcomes.ChooseCommittee
    | outcomes.DeadlineExtended
    | outcomes.VisitReported
    | outcomes.VisitReturned
)


@dataclass(frozen=True, slots=True)
class Reply:
    """What a platform shows after one input: prompts, the finished command's outcome, a refusal, or "outdated".

    ``finished`` is the state the finished command came from (e.g. the review message to close after a return);
    ``claimed`` the claim made after report-in for the wish that sent the person there.
    """

    prompts: tuple[Prompt, ...] = ()
    outcome: Outcome | None = None
    error: DomainError | None = None
    outdated: bool = False
    finished: FlowState | None = None
    claimed: outcomes.Claimed | None = None


class Conversations:
    """The only reader and writer of stored conversation state, through the use cases' unit of work."""

    def __init__(self, usecases: UseCases) -> None:
        self.usecases = usecases

    async def current(self, actor: Account) -> FlowState | None:
        """The conversation this person is in (a malformed or unknown stored state is none)."""
        return decode(await self.usecases.conversation(actor))

    async def save(self, actor: Account, state: FlowState | None) -> None:
        """Store the state (None ends the conversation)."""
        await self.usecases.set_conversation(actor, encode(state))

    async def cancel(self, ctx: Ctx) -> Reply:
        """/cancel: end whatever conversation there is."""
        await self.save(ctx.actor, None)
        return Reply((Prompt("flow.cancelled", clear_keyboard=True),))

    def _offering(self, ctx: Ctx) -> Ctx:
        """The context with the emergency posts the config offers."""
        return dataclasses.replace(ctx, posts=self.usecases.emergency_settings.posts)

    async def feed(self, ctx: Ctx, given: Input) -> Reply | None:
        """One input to the stored conversation; None when there is none (a button press: "outdated")."""
        ctx = self._offering(ctx)
        state = await self.current(ctx.actor)
        if state is None:
            if isinstance(given, Pick):
                return Reply((Prompt("flow.outdated"),), outdated=True)
            if isinstance(given, Cancel):
                return await self.cancel(ctx)
            return None
        step = _advance(state, given, ctx)
        if step.outdated:
            return Reply(step.prompts, outdated=True)
        return await self.run(ctx, step, origin=state, pressed=isinstance(given, Pick))

    async def begin_report(
        self, ctx: Ctx, branch_id: int, *, name: str | None = None, wish_id: int | None = None
    ) -> Reply:
        """Start (or restart) report-in to a branch, remembering a wish to claim afterwards."""
        try:
            branch = await self.usecases.branch(branch_id)
        except DomainError as error:
            return Reply(error=error)
        post = await self.usecases.emergency_post(ctx.actor)
        return await self.run(ctx, report_in.start(branch.id, branch.name, ctx, name=name, wish_id=wish_id, post=post))

    async def fill_report(
        self, ctx: Ctx, branch_id: int, answers: tuple[Input, ...], *, name: str | None = None
    ) -> Reply:
        """A one-message report-in form, fed to the same questions; an answer not accepted leaves that question open."""
        try:
            branch = await self.usecases.branch(branch_id)
        except DomainError as error:
            return Reply(error=error)
        ctx = self._offering(ctx)
        post = await self.usecases.emergency_post(ctx.actor)
        begun = report_in.start(branch.id, branch.name, ctx, name=name, post=post)
        return await self.run(ctx, report_in.fill(begun, answers, ctx))

    async def begin_done(self, ctx: Ctx, claim_id: int) -> Reply:
        """Start reporting a claim done, only when it can be (not withdrawn, released, done or cancelled)."""
        try:
            await self.usecases.ready_to_report(ctx.actor, claim_id)
        except DomainError as error:
            return Reply(error=error)
        return await self.run(ctx, done.start(claim_id))

    async def begin_visit(self, ctx: Ctx, pairing_id: int) -> Reply:
        """Start reporting a pairing's visit, only when this person may (its member, the pairing active)."""
        try:
            pairing = await self.usecases.ready_to_visit(ctx.actor, pairing_id)
        except DomainError as error:
            return Reply(error=error)
        return await self.run(ctx, visit.start(pairing.id, pairing.alias))

    async def begin_extend(self, ctx: Ctx, wish_id: int) -> Reply:
        """Start giving a wish a new deadline, only when this person may (a secretary of its branch, wish open)."""
        try:
            await self.usecases.may_extend(ctx.actor, wish_id)
        except DomainError as error:
            return Reply(error=error)
        return await self.run(ctx, extend.start(wish_id))

    async def begin_return(self, ctx: Ctx, claim_id: int, origin: str = "") -> Reply:
        """Start returning a reported service: ask the reason."""
        return await self.run(ctx, returning.start(claim_id, origin))

    async def begin_visit_return(self, ctx: Ctx, visit_id: int) -> Reply:
        """Start returning a reported visit: ask the reason."""
        return await self.run(ctx, returning.start_visit(visit_id))

    async def begin_wish(self, ctx: Ctx, text: str, branches: Sequence[Branch]) -> Reply:
        """A wish text of a secretary of several branches: ask which branch."""
        return await self.run(ctx, wish_branch.start(text, branches))

    async def post_wish(self, ctx: Ctx, command: cmd.PostWish) -> outcomes.WishPosted | outcomes.WishNeedsFix:
        """Post a wish text; when all it lacks is one answer (how many people), keep the draft and wait for it.
        Another conversation in progress is left alone unless it is an earlier draft's question."""
        outcome = await self.usecases.post_wish(command)
        asked = draft.start(command, outcome.problems) if isinstance(outcome, outcomes.WishNeedsFix) else None
        if asked is not None or isinstance(await self.current(ctx.actor), WishDraftState):
            await self.save(ctx.actor, asked)
        return outcome

    async def answer_draft(self, ctx: Ctx, text: str) -> Reply | None:
        """A message sent where conversations are not fed (a group) that answers this person's draft question;
        None when there is no such question or the text is not an answer."""
        if not draft.is_count(text) or not isinstance(await self.current(ctx.actor), WishDraftState):
            return None
        return await self.feed(ctx, Text(text))

    async def begin_branch(self, ctx: Ctx, name: str, chat_id: str, members: Sequence[str] = ()) -> Reply:
        """Create a branch, asking for the committee first when there is a choice."""
        return await self.run(
            ctx, committee.begin(name, chat_id, ctx, members), origin=CommitteeState(name, chat_id, tuple(members))
        )

    async def linked(self, ctx: Ctx) -> Reply:
        """A roster entry was linked by phone: report-in is over; the wish that sent the person here is claimed."""
        state = await self.current(ctx.actor)
        await self.save(ctx.actor, None)
        if isinstance(state, ReportState) and state.wish_id is not None:
            return await self._claim_after(ctx, state.wish_id, Reply())
        return Reply()

    async def run(self, ctx: Ctx, step: Step, *, origin: FlowState | None = None, pressed: bool = False) -> Reply:
        """Store the step's state, or run its finished command and store what follows."""
        if step.command is None:
            await self.save(ctx.actor, step.state)
            return Reply(step.prompts)
        before = step.state or origin
        try:
            outcome = await self._execute(step.command)
        except DomainError as error:
            after = _after_error(before, ctx, error)
            await self.save(ctx.actor, after.state)
            return Reply(after.prompts, error=error, finished=before)
        if isinstance(outcome, outcomes.ChooseCommittee) and isinstance(before, CommitteeState):
            chosen = committee.choose(before, outcome.committees)
            await self.save(ctx.actor, chosen.state)
            return Reply(chosen.prompts, outcome=outcome)
        asked = None
        if isinstance(outcome, outcomes.WishNeedsFix) and isinstance(step.command, cmd.PostWish):
            asked = draft.start(step.command, outcome.problems)
        await self.save(ctx.actor, asked)
        reply = Reply(_finished_prompts(outcome, ctx, pressed), outcome=outcome, finished=before)
        if isinstance(outcome, outcomes.ReportedIn) and isinstance(before, ReportState) and before.wish_id:
            return await self._claim_after(ctx, before.wish_id, reply)
        return reply

    async def _claim_after(self, ctx: Ctx, wish_id: int, reply: Reply) -> Reply:
        try:
            claimed = await self.usecases.claim(cmd.ClaimWish(ctx.actor, wish_id))
        except DomainError as error:
            return Reply(reply.prompts, reply.outcome, error, finished=reply.finished)
        return Reply(reply.prompts, reply.outcome, finished=reply.finished, claimed=claimed)

    async def _execute(self, command: Finish) -> Outcome:
        u = self.usecases
        if isinstance(command, cmd.ReportIn):
            return await u.report_in(command)
        if isinstance(command, cmd.MarkDone):
            return await u.mark_done(command)
        if isinstance(command, cmd.ReturnService):
            return await u.return_service(command)
        if isinstance(command, cmd.PostWish):
            return await u.post_wish(command)
        if isinstance(command, cmd.ExtendDeadline):
            return await u.extend_deadline(command)
        if isinstance(command, cmd.ReportVisit):
            return await u.report_visit(command)
        if isinstance(command, cmd.ReturnVisit):
            return await u.return_visit(command)
        return await u.create_branch(command)


def _advance(state: FlowState, given: Input, ctx: Ctx) -> Step:
    """The machine of the stored flow moves one input."""
    if isinstance(state, ReportState):
        return report_in.advance(state, given, ctx)
    if isinstance(state, DoneState):
        return done.advance(state, given, ctx)
    if isinstance(state, ReturnState):
        return returning.advance(state, given, ctx)
    if isinstance(state, WishBranchState):
        return wish_branch.advance(state, given, ctx)
    if isinstance(state, ExtendState):
        return extend.advance(state, given, ctx)
    if isinstance(state, WishDraftState):
        return draft.advance(state, given, ctx)
    if isinstance(state, VisitState):
        return visit.advance(state, given, ctx)
    if isinstance(state, VisitReturnState):
        return returning.advance_visit(state, given, ctx)
    return committee.advance(state, given, ctx)


def _after_error(state: FlowState | None, ctx: Ctx, error: DomainError) -> Step:
    """Where a refused command leaves the conversation: hours or a deadline that could not be used may be given
    again, report-in starts over."""
    if isinstance(state, ExtendState):
        return extend.again(state) if isinstance(error, InvalidInput) else Step(None)
    if isinstance(state, DoneState):
        return Step(DoneState(state.claim_id, DoneStep.HOURS), (Prompt("flow.done.hours"),))
    if isinstance(state, VisitState):
        return visit.again(state) if isinstance(error, InvalidInput) else Step(None)
    if isinstance(state, ReportState):
        return report_in.start(state.branch_id, state.branch_name, ctx, wish_id=state.wish_id)
    return Step(None)


def _finished_prompts(outcome: Outcome, ctx: Ctx, pressed: bool) -> tuple[Prompt, ...]:
    """The answer to a finished conversation (a posted wish, a kept draft or a new branch are the platform's to show:
    each does more there, like member cards or menus; :func:`bot.flows.draft.needs_fix` words the draft)."""
    if isinstance(outcome, outcomes.ReportedIn):
        args = (("name", outcome.member.name), ("branch", outcome.branch.name))
        return (Prompt("flow.report.done", args, in_place=pressed, clear_keyboard=not pressed),)
    if isinstance(outcome, outcomes.DoneReported):
        if outcome.verified:
            return (Prompt("flow.done.verified", (("id", str(outcome.wish.id)),)),)
        return (Prompt("flow.done.sent", (("id", str(outcome.wish.id)),)),)
    if isinstance(outcome, outcomes.ServiceReturned):
        return (Prompt("flow.return.returned", (("reason", outcome.claim.return_reason),)),)
    if isinstance(outcome, outcomes.DeadlineExtended):
        return (extend.extended(outcome, ctx.lang),)
    if isinstance(outcome, outcomes.VisitReported):
        due = outcome.pairing.next_due
        day = t("pair.day", ctx.lang, y=due.year, m=due.month, d=due.day)
        return (Prompt("flow.visit.sent", (("id", str(outcome.pairing.id)), ("day", day))),)
    if isinstance(outcome, outcomes.VisitReturned):
        returned = (
            ("member", outcome.member.name),
            ("alias", outcome.pairing.alias),
            ("visit", str(outcome.visit.id)),
            ("reason", outcome.visit.return_reason),
        )
        return (Prompt("pair.visit.returned", returned),)
    return ()
