"""Use cases of emergency mode (战时应急): the call, the answers, re-prompts, the headcount and the end.

A call is one row; every member called is one row (``emergency_calls``), added in pages together with their
private prompt in the outbox, so a fan-out cut short by a crash is finished by the next ``resume_calls`` and nobody
is prompted twice (the prompt's dedupe key names the call, the member and the attempt).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, time, timedelta

from bot.config.sections import EmergencyConfig
from bot.domain import errors
from bot.domain.emergency import (
    MAX_POST,
    Answer,
    Emergency,
    EmergencyPost,
    EmergencySummary,
    Headcount,
    fits_post,
    headcount,
    summarize,
)
from bot.domain.model import Account, Branch, ChatRef, Member
from bot.domain.wish_text import ParsedWish
from bot.notices.outbox import (
    EmergencyBoard,
    EmergencyPrompt,
    EmergencyReport,
    EmergencyUnanswered,
    Text,
    WishCard,
)
from bot.ports.storage import Unit
from bot.reports.emergency import summary_text
from bot.usecases import commands as cmd
from bot.usecases import outcomes
from bot.usecases.base import MAX_FIELD, MAX_NOTE, Base, clean_text, private_chat, record

FAN_OUT_UNIT = 500
"""Members called per transaction: a unit runs on the event loop, so it stays short."""


def _quiet_until(now: datetime, tz_now: datetime, start: time, end: time) -> datetime | None:
    clock = tz_now.time().replace(tzinfo=None)
    if start > end:
        quiet = clock >= start or clock < end
        day = tz_now.date() + timedelta(days=1) if clock >= start else tz_now.date()
    else:
        quiet = start <= clock < end
        day = tz_now.date()
    return datetime.combine(day, end, tzinfo=tz_now.tzinfo).astimezone(UTC) if quiet else None


class Emergencies(Base):
    """The call to members in a crisis, written once for every platform."""

    @property
    def emergency_settings(self) -> EmergencyConfig:
        """The ``[emergency]`` options in force."""
        return self.emergency_config or EmergencyConfig()

    def _prompt_time(self, now: datetime) -> datetime | None:
        settings = self.emergency_settings
        if not settings.respect_quiet_hours or self.quiet_hours is None:
            return None
        return _quiet_until(now, now.astimezone(self.tz), *self.quiet_hours)

    async def _scope(
        self, unit: Unit, now: datetime, actor: Account, chat: ChatRef, by_bot_admin: bool
    ) -> tuple[int, Branch | None, Member]:
        """Who may call here: a committee admin in its chat (all branches), a secretary in their branch's group."""
        person = await self._person(unit, now, actor)
        committee = await unit.committees.by_chat(chat.platform, chat.chat_id)
        if committee is not None:
            if not by_bot_admin and not await unit.committees.is_admin(committee.id, person.id):
                raise errors.NotCommitteeAdmin()
            return committee.id, None, person
        branch = await unit.branches.by_chat(chat.platform, chat.chat_id)
        if branch is None:
            raise errors.EmergencyWhere()
        if not by_bot_admin and not await unit.branches.is_secretary(branch.id, person.id):
            raise errors.NotSecretary(branch_id=branch.id)
        return branch.committee_id, branch, person

    async def start_emergency(self, c: cmd.StartEmergency) -> outcomes.EmergencyStarted:
        """Open a call: a pinned board in every branch group and the committee chat, then a prompt to every member."""
        text = clean_text(c.text, MAX_NOTE, "text")
        if not text:
            raise errors.InvalidInput(field="text")

        async def work(unit: Unit, now: datetime) -> tuple[Emergency, list[Branch]]:
            committee_id, branch, person = await self._scope(unit, now, c.actor, c.chat, c.by_bot_admin)
            running = await unit.emergencies.open_covering(committee_id, branch.id if branch else None)
            if running:
                raise errors.EmergencyRunning(id=running[0].id)
            emergency_id = await unit.emergencies.start(
                now, committee_id, branch.id if branch else None, text, c.drill, person.id
            )
            emergency = await unit.emergencies.get(emergency_id)
            assert emergency is not None
            branches = [branch] if branch else await unit.branches.of_committee(committee_id)
            branches = [b for b in branches if b.active and b.chat is not None]
            for each in branches:
                assert each.chat is not None
                await record(
                    unit,
                    now,
                    key=f"emergency:{emergency_id}:board:{each.id}",
                    kind="emergency_board",
                    chat=each.chat,
                    member_id=None,
                    notice=EmergencyBoard(emergency_id, each.id, self.lang),
                )
            committee = await unit.committees.get(committee_id)
            if branch is None and committee is not None and committee.chat is not None:
                await record(
                    unit,
                    now,
                    key=f"emergency:{emergency_id}:board:c",
                    kind="emergency_board",
                    chat=committee.chat,
                    member_id=None,
                    notice=EmergencyBoard(emergency_id, None, self.lang),
                )
            await unit.audit.record(now, person.id, "emergency.start", "emergency", emergency_id, drill=c.drill)
            return emergency, branches

        emergency, branches = await self._tx(work)
        members, reached = await self.resume_calls(emergency.id)
        return outcomes.EmergencyStarted(emergency, len(branches), members, reached)

    fan_out_unit = FAN_OUT_UNIT
    """Members called per transaction (a test may make it small to cut a fan-out short)."""

    async def resume_calls(self, emergency_id: int, *, unit_size: int | None = None) -> tuple[int, int]:
        """Call every member of the call's branches not called yet, a page per transaction, each with their prompt;
        how many were called now and how many of them have a private chat. Safe to repeat after a crash."""
        size = unit_size or self.fan_out_unit
        called = reached = 0
        while True:

            async def page(unit: Unit, now: datetime) -> tuple[int, int]:
                emergency = await unit.emergencies.get(emergency_id)
                if emergency is None or not emergency.open:
                    return 0, 0
                branches = await self._branches_of(unit, emergency)
                by_id = {b.id: b for b in branches}
                added = await unit.emergencies.call_members(now, emergency_id, list(by_id), size)
                prompted = 0
                for member_id in added:
                    prompted += await self._prompt(unit, now, emergency, member_id, by_id, attempt=1)
                return len(added), prompted

            added, prompted = await self._tx(page)
            called += added
            reached += prompted
            if added < size:
                return called, reached

    async def _branches_of(self, unit: Unit, emergency: Emergency) -> list[Branch]:
        if emergency.branch_id is not None:
            branch = await unit.branches.get(emergency.branch_id)
            return [branch] if branch is not None and branch.chat is not None else []
        return [b for b in await unit.branches.of_committee(emergency.committee_id) if b.chat is not None]

    async def _prompt(
        self, unit: Unit, now: datetime, emergency: Emergency, member_id: int, branches: dict[int, Branch], attempt: int
    ) -> int:
        member = await unit.people.get(member_id)
        branch = branches.get(member.home_branch_id or 0) if member else None
        if member is None or branch is None or branch.chat is None:
            return 0
        paused = member.nudges_paused_until is not None and member.nudges_paused_until > now
        if paused and self.emergency_settings.respect_pauses:
            return 0
        accounts = await unit.people.accounts_of(member.id)
        chat = await private_chat(unit, member, branch.chat.platform, accounts=accounts, only_reachable=False)
        if chat is None:
            return 0
        lang = await self._language(unit, member, accounts)
        await record(
            unit,
            now,
            key=f"emergency:{emergency.id}:prompt:{member.id}:{attempt}",
            kind="emergency_prompt",
            chat=chat,
            member_id=member.id,
            notice=EmergencyPrompt(emergency.id, member.id, lang, attempt),
            not_before=self._prompt_time(now),
        )
        return 1

    async def answer_emergency(self, c: cmd.AnswerEmergency) -> outcomes.EmergencyAnswered:
        """Record a member's answer; the boards follow (their edits coalesced by the card sync)."""
        note = clean_text(c.note, MAX_FIELD, "note")

        async def work(unit: Unit, now: datetime) -> outcomes.EmergencyAnswered:
            member = await unit.people.by_account(c.actor.platform, c.actor.user_id)
            if member is None:
                raise errors.NotCalled()
            call = await unit.emergencies.answer(now, c.emergency_id, member.id, c.answer, note)
            if call is not None:
                return outcomes.EmergencyAnswered(c.emergency_id, c.answer, call.changes == 1)
            emergency = await unit.emergencies.get(c.emergency_id)
            if emergency is None:
                raise errors.NoEmergency()
            if not emergency.open:
                raise errors.EmergencyEnded()
            raise errors.NotCalled()

        return await self._tx(work)

    async def note_emergency(self, c: cmd.NoteEmergency) -> bool:
        """Add a note to one's answer of an open call one has answered; False when there is none to add it to."""
        note = clean_text(c.note, MAX_FIELD, "note")
        if not note:
            return False

        async def work(unit: Unit, now: datetime) -> bool:
            member = await unit.people.by_account(c.actor.platform, c.actor.user_id)
            if member is None:
                return False
            for emergency in reversed(await unit.emergencies.open_covering(None, None)):
                call = await unit.emergencies.call(emergency.id, member.id)
                if call is not None and call.answer is not None:
                    return await unit.emergencies.answer(now, emergency.id, member.id, call.answer, note) is not None
            return False

        return await self._tx(work)

    async def answer_open_emergency(self, c: cmd.AnswerOpenEmergency) -> outcomes.EmergencyAnswered:
        """Record an answer typed as text to the newest open call the member was called to (a later one replaces
        it, as a press would); NoEmergency when no open call has them on its list."""
        note = clean_text(c.note, MAX_FIELD, "note")

        async def work(unit: Unit, now: datetime) -> outcomes.EmergencyAnswered:
            member = await unit.people.by_account(c.actor.platform, c.actor.user_id)
            if member is None:
                raise errors.NoEmergency()
            for emergency in reversed(await unit.emergencies.open_covering(None, None)):
                call = await unit.emergencies.answer(now, emergency.id, member.id, c.answer, note)
                if call is not None:
                    return outcomes.EmergencyAnswered(emergency.id, c.answer, call.changes == 1, emergency.drill)
            raise errors.NoEmergency()

        return await self._tx(work)

    async def open_emergency_of(self, actor: Account) -> int | None:
        """The open call this person was called to and has answered (a note they send goes to it), if any."""

        async def work(unit: Unit) -> int | None:
            member = await unit.people.by_account(actor.platform, actor.user_id)
            if member is None:
                return None
            for emergency in reversed(await unit.emergencies.open_covering(None, None)):
                call = await unit.emergencies.call(emergency.id, member.id)
                if call is not None and call.answer is not None:
                    return emergency.id
            return None

        return await self._read(work)

    async def end_emergency(self, c: cmd.EndEmergency) -> outcomes.EmergencyClosed:
        """Close the open call of this chat: boards show the end, prompts lose their buttons, the committee gets the
        summary."""

        async def work(unit: Unit, now: datetime) -> outcomes.EmergencyClosed:
            committee_id, branch, person = await self._scope(unit, now, c.actor, c.chat, c.by_bot_admin)
            running = await unit.emergencies.open_covering(committee_id, branch.id if branch else None)
            mine = [e for e in running if e.branch_id == (branch.id if branch else None)] or (
                running if branch is None else []
            )
            if not mine and running:
                committee = await unit.committees.get(committee_id)
                raise errors.CommitteeCallEnd(id=running[-1].id, committee=committee.name if committee else "")
            if not mine:
                raise errors.NoEmergency()
            found = mine[-1]
            await unit.emergencies.get(found.id)
            await unit.emergencies.end(now, found.id, person.id)
            emergency = await unit.emergencies.get(found.id)
            assert emergency is not None
            summary = await self._summary(unit, emergency)
            committee = await unit.committees.get(committee_id)
            target = committee.chat if committee is not None and committee.chat is not None else c.chat
            await record(
                unit,
                now,
                key=f"emergency:{emergency.id}:summary",
                kind="emergency_summary",
                chat=target,
                member_id=None,
                notice=EmergencyReport(emergency.id, self.lang),
            )
            if branch is not None and branch.chat is not None and target != branch.chat:
                await record(
                    unit,
                    now,
                    key=f"emergency:{emergency.id}:summary:{branch.id}",
                    kind="emergency_summary",
                    chat=branch.chat,
                    member_id=None,
                    notice=Text(summary_text(summary, self.lang, self.tz)),
                )
            await unit.audit.record(now, person.id, "emergency.end", "emergency", emergency.id)
            return outcomes.EmergencyClosed(emergency, summary)

        return await self._tx(work)

    async def _summary(self, unit: Unit, emergency: Emergency) -> EmergencySummary:
        lines = await unit.emergencies.lines(emergency.id)
        names = {b.id: b.name for b in await self._branches_of(unit, emergency)}
        return summarize(emergency, lines, names, await unit.emergencies.stats(emergency.id))

    async def emergency_summary(self, emergency_id: int) -> EmergencySummary:
        """The summary of a call (open or ended) as of now."""

        async def work(unit: Unit) -> EmergencySummary:
            emergency = await unit.emergencies.get(emergency_id)
            if emergency is None:
                raise errors.NoEmergency()
            return await self._summary(unit, emergency)

        return await self._read(work)

    async def headcount(self, actor: Account, chat: ChatRef) -> outcomes.HeadcountShown:
        """The board of the newest call of this chat (the committee's, or covering the branch), as of now."""

        async def work(unit: Unit) -> outcomes.HeadcountShown:
            committee = await unit.committees.by_chat(chat.platform, chat.chat_id)
            branch = None if committee is not None else await unit.branches.by_chat(chat.platform, chat.chat_id)
            if committee is None and branch is None:
                raise errors.EmergencyWhere()
            committee_id = committee.id if committee is not None else branch.committee_id  # type: ignore[union-attr]
            emergency = await unit.emergencies.latest_covering(committee_id, branch.id if branch else None)
            if emergency is None:
                raise errors.NoEmergency()
            count = await self._board(unit, emergency, branch.id if branch else None)
            scope = branch.name if branch else committee.name if committee else ""
            return outcomes.HeadcountShown(count, scope, branch is None)

        return await self._read(work)

    @staticmethod
    async def _board(unit: Unit, emergency: Emergency, branch_id: int | None) -> Headcount:
        return headcount(emergency, await unit.emergencies.lines(emergency.id, branch_id))

    async def set_emergency_post(self, c: cmd.SetEmergencyPost) -> outcomes.EmergencyPostSet:
        """Record where a member serves in a crisis: their emergency post and their grid or building."""
        post = EmergencyPost(clean_text(c.post, MAX_POST, "post"), clean_text(c.grid, MAX_POST, "grid"))

        async def work(unit: Unit, now: datetime) -> outcomes.EmergencyPostSet:
            member = await self._person(unit, now, c.actor)
            await unit.emergencies.set_post(now, member.id, post)
            await unit.audit.record(now, member.id, "member.emergency_post", "member", member.id)
            return outcomes.EmergencyPostSet(post)

        return await self._tx(work)

    async def emergency_post(self, actor: Account) -> EmergencyPost:
        """A person's emergency post and grid (empty when never stated)."""

        async def work(unit: Unit) -> EmergencyPost:
            member = await unit.people.by_account(actor.platform, actor.user_id)
            return await unit.emergencies.post_of(member.id) if member is not None else EmergencyPost()

        return await self._read(work)

    async def record_reprompts(self, now: datetime) -> int:
        """Prompt again every member still unanswered when a re-prompt is due, and list to each secretary those
        who did not answer after them all; each recorded once (its dedupe key names the attempt)."""
        settings = self.emergency_settings
        recorded = 0
        async with self.store.read() as unit:
            running = await unit.emergencies.open_covering(None, None)
        for emergency in running:
            await self.resume_calls(emergency.id)
            for number, minutes in enumerate(settings.reprompt_minutes, start=1):
                recorded += await self._reprompt(emergency.id, now, number, timedelta(minutes=minutes))
            recorded += await self._list_unanswered(emergency.id, now, timedelta(minutes=settings.list_after_minutes))
        return recorded

    async def _reprompt(self, emergency_id: int, now: datetime, number: int, after: timedelta) -> int:
        recorded = 0
        while True:

            async def page(unit: Unit, moment: datetime) -> tuple[int, int]:
                emergency = await unit.emergencies.get(emergency_id)
                if emergency is None or not emergency.open:
                    return 0, 0
                due = await unit.emergencies.take_unanswered(
                    emergency_id, prompts=number, called_before=now - after, limit=FAN_OUT_UNIT
                )
                branches = {b.id: b for b in await self._branches_of(unit, emergency)}
                sent = 0
                for call in due:
                    sent += await self._prompt(unit, moment, emergency, call.member_id, branches, attempt=number + 1)
                return len(due), sent

            found, sent = await self._tx(page)
            recorded += sent
            if found < FAN_OUT_UNIT:
                return recorded

    async def _list_unanswered(self, emergency_id: int, now: datetime, after: timedelta) -> int:
        async def work(unit: Unit, moment: datetime) -> int:
            emergency = await unit.emergencies.get(emergency_id)
            if emergency is None or not emergency.open:
                return 0
            due = await unit.emergencies.to_list(emergency_id, now - after)
            if not due:
                return 0
            by_branch: dict[int, list[int]] = {}
            for call in due:
                by_branch.setdefault(call.branch_id, []).append(call.member_id)
            recorded = 0
            times = 1 + len(self.emergency_settings.reprompt_minutes)
            for branch_id, members in by_branch.items():
                branch = await unit.branches.get(branch_id)
                if branch is None or branch.chat is None:
                    continue
                for secretary in await unit.branches.secretaries(branch_id):
                    lang = await self._language(unit, secretary)
                    chat = await private_chat(unit, secretary, branch.chat.platform, only_reachable=False)
                    if chat is None:
                        continue
                    recorded += await record(
                        unit,
                        moment,
                        key=f"emergency:{emergency_id}:unanswered:{branch_id}:{secretary.id}",
                        kind="emergency_unanswered",
                        chat=chat,
                        member_id=secretary.id,
                        notice=EmergencyUnanswered(emergency_id, branch_id, tuple(members), times, lang),
                    )
            await unit.emergencies.listed(moment, emergency_id, [call.member_id for call in due])
            return recorded

        return await self._tx(work)


async def offer_task(
    unit: Unit, now: datetime, branch: Branch, wish_id: int, parsed: ParsedWish, posts: Sequence[str]
) -> int:
    """A wish a secretary posts while a call covers their branch is an emergency task (战时): marked with the post it
    names and its shift, and offered first, privately, to the branch's members who answered 可到 and whose post fits
    (their cards go ahead of everything queued, the group's card included); how many were offered it."""
    if branch.chat is None:
        return 0
    running = await unit.emergencies.open_covering(branch.committee_id, branch.id)
    if not running:
        return 0
    emergency = running[-1]
    text = f"{parsed.title} {parsed.description}"
    post = next((name for name in posts if name and name in text), "")
    await unit.emergencies.mark_task(wish_id, emergency.id, post, parsed.shift.label() if parsed.shift else "")
    offered = 0
    for line in await unit.emergencies.lines(emergency.id, branch.id):
        if line.answer != Answer.YES or not fits_post(post, line.post):
            continue
        member = await unit.people.get(line.member_id)
        if member is None or not member.reported:
            continue
        chat = await private_chat(unit, member, branch.chat.platform, only_reachable=False)
        if chat is None:
            continue
        offered += await record(
            unit,
            now,
            key=f"card:{wish_id}:{chat.platform}:{chat.chat_id}",  # the member's card of it, once, ahead of others
            kind="emergency_task",
            chat=chat,
            member_id=member.id,
            notice=WishCard(wish_id),
        )
    return offered
