"""Use cases of pairings (结对帮扶): pairing a member with a household, visits reported and confirmed like a done wish,
pausing, handing over and ending, and the reminders the daily sweep records before and after a visit is due."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from html import escape

from bot.domain import errors
from bot.domain.model import Account, Branch, ChatRef, Member
from bot.domain.pairings import Pairing, PairingStatus, Visit, VisitStatus, read_pair_request
from bot.domain.quarters import local_date
from bot.i18n import t
from bot.notices.outbox import Text, VisitReviewCard
from bot.ports.chat import OutgoingMessage
from bot.ports.storage import Unit
from bot.usecases import commands as cmd
from bot.usecases import outcomes
from bot.usecases.base import MAX_FIELD, MAX_HOURS, MAX_NOTE, Base, clean_text, record
from bot.usecases.pairing_lists import day_text, rhythm_text, view_of
from bot.usecases.reminders import language

SWEEP_PAGE = (
    500  # pairings recorded per transaction of the daily sweep: a unit runs on the event loop, so it stays short
)


def reminder_key(pairing: Pairing, today: date) -> str:
    """The outbox key of the reminder due for a pairing today: one before its due day, one once it is overdue."""
    kind = "pairing_overdue" if pairing.overdue(today) else "pairing_due"
    return f"{kind}:{pairing.id}:{pairing.next_due.isoformat()}"


class Pairs(Base):
    """Pairings and their visits; every notice recorded in the outbox."""

    async def create_pairing(self, c: cmd.CreatePairing) -> outcomes.PairingMade:
        """Pair a member (or a team, its leader responsible) with a household named by an alias."""
        request = read_pair_request(c.text)
        contact = clean_text(request.contact, MAX_FIELD, "contact")

        async def work(unit: Unit, now: datetime) -> outcomes.PairingMade:
            secretary = await self._secretary(unit, now, c.actor, c.branch_id)
            branch = await self._branch(unit, c.branch_id)
            member, team_id = await self._responsible(unit, branch, request.who)
            today = local_date(now, self.tz)
            pairing_id = await unit.pairings.add(
                now,
                branch_id=branch.id,
                member_id=member.id,
                team_id=team_id,
                alias=request.alias,
                contact=contact,
                rhythm=request.rhythm,
                started_on=today,
                next_due=request.rhythm.due_after(today),
                created_by=secretary.id,
            )
            await unit.audit.record(
                now, secretary.id, "pairing.create", "pairing", pairing_id, member_id=member.id, team_id=team_id
            )
            pairing = await self._pairing(unit, pairing_id)
            told = await self._tell_paired(
                unit, now, branch, member, pairing, "pair.notice.paired", f"paired:{pairing_id}"
            )
            return outcomes.PairingMade(outcomes.PairingView(pairing, member.name), told)

        return await self._tx(work)

    @staticmethod
    async def _responsible(unit: Unit, branch: Branch, who: str) -> tuple[Member, int | None]:
        """The reported-in member of the branch by that name, else the leader of the branch's team by that name."""
        named = [m for m in await unit.people.of_branch(branch.id, reported_only=True) if m.name == who]
        if len(named) == 1:
            return named[0], None
        if not named:
            team = await unit.teams.by_name(branch.id, who)
            if team is not None and team.leader_member_id is not None:
                leader = await unit.people.get(team.leader_member_id)
                if leader is not None and leader.reported:
                    return leader, team.id
        raise errors.PairMemberUnknown(name=who, n=len(named))

    @staticmethod
    async def _pairing(unit: Unit, pairing_id: int) -> Pairing:
        pairing = await unit.pairings.get(pairing_id)
        if pairing is None:
            raise errors.PairingNotFound(id=pairing_id)
        return pairing

    async def _tell_paired(
        self, unit: Unit, now: datetime, branch: Branch, member: Member, pairing: Pairing, key: str, dedupe: str
    ) -> int:
        """A private notice about a pairing to its member (by alias, rhythm and due day)."""
        if branch.chat is None:
            return 0
        lang = await self._language(unit, member)
        text = t(
            key,
            lang,
            id=pairing.id,
            alias=escape(pairing.alias),
            rhythm=rhythm_text(pairing.rhythm, lang),
            day=day_text(pairing.next_due, lang),
            name=escape(member.name),
        )
        return int(
            await self._notify(unit, now, member, branch.chat.platform, dedupe, "pairing", OutgoingMessage(text))
        )

    async def pairings_of_branch(self, actor: Account, branch_id: int) -> outcomes.PairingList:
        """/pairings: a secretary's view of the branch's pairings (with contacts, for a private chat)."""

        async def work(unit: Unit, now: datetime) -> outcomes.PairingList:
            await self._secretary(unit, now, actor, branch_id)
            branch = await self._branch(unit, branch_id)
            views = [await view_of(unit, p) for p in await unit.pairings.of_branch(branch_id)]
            return outcomes.PairingList(branch.name, tuple(views), local_date(now, self.tz))

        return await self._tx(work)

    async def my_pairings(self, actor: Account) -> outcomes.PairingList:
        """The pairings this member is responsible for (what /visit without a number lists)."""

        async def work(unit: Unit) -> outcomes.PairingList:
            member = await self._reported(unit, actor)
            views = [outcomes.PairingView(p, member.name) for p in await unit.pairings.of_member(member.id)]
            return outcomes.PairingList(member.name, tuple(views), self.today())

        return await self._read(work)

    async def ready_to_visit(self, actor: Account, pairing_id: int) -> Pairing:
        """The pairing if this person may report a visit on it now (checked before asking for hours)."""

        async def work(unit: Unit) -> Pairing:
            pairing = await self._pairing(unit, pairing_id)
            member = await unit.people.by_account(actor.platform, actor.user_id)
            if member is None or member.id != pairing.member_id:
                raise errors.NotYourPairing(id=pairing_id)
            if pairing.status != PairingStatus.ACTIVE:
                raise errors.PairingNotActive(id=pairing_id)
            return pairing

        return await self._read(work)

    async def report_visit(self, c: cmd.ReportVisit) -> outcomes.VisitReported:
        """The paired member reports a visit: a service waiting for confirmation, the next visit due one rhythm on."""
        if not 0 < c.hours <= MAX_HOURS:
            raise errors.InvalidInput(field="hours")
        note = clean_text(c.note, MAX_NOTE, "note")

        async def work(unit: Unit, now: datetime) -> outcomes.VisitReported:
            pairing = await self._pairing(unit, c.pairing_id)
            member = await unit.people.by_account(c.actor.platform, c.actor.user_id)
            if member is None or member.id != pairing.member_id:
                raise errors.NotYourPairing(id=pairing.id)
            if pairing.status != PairingStatus.ACTIVE:
                raise errors.PairingNotActive(id=pairing.id)
            branch = await self._branch(unit, pairing.branch_id)
            today = local_date(now, self.tz)
            service_id = await unit.services.add(
                now,
                member_id=member.id,
                branch_id=branch.id,
                served_on=today,
                hours=c.hours,
                note=" ".join(filter(None, (t("pair.service_note", self.lang, alias=pairing.alias), note))),
                wish_id=None,
                claim_id=None,
                confirmed=False,
                recorded_by=member.id,
            )
            visit_id = await unit.pairings.add_visit(
                now,
                pairing_id=pairing.id,
                member_id=member.id,
                visited_on=today,
                hours=c.hours,
                note=note,
                photo_ref=c.photo_ref,
                service_id=service_id,
            )
            await unit.pairings.set_due(pairing.id, today, pairing.rhythm.due_after(today))
            await unit.audit.record(now, member.id, "pairing.visit", "pairing", pairing.id, visit_id=visit_id)
            visit = await unit.pairings.visit(visit_id)
            assert visit is not None
            reviewers = 0
            for secretary in await unit.branches.secretaries(branch.id):
                if secretary.id == member.id or branch.chat is None:
                    continue
                lang = await self._language(unit, secretary)
                reviewers += await self._notify(
                    unit,
                    now,
                    secretary,
                    branch.chat.platform,
                    f"visit_review:{visit_id}:{secretary.id}",
                    "visit_review",
                    VisitReviewCard(visit_id, secretary.id, lang),
                )
            return outcomes.VisitReported(visit, await self._pairing(unit, pairing.id), reviewers)

        return await self._tx(work)

    async def confirm_visit(self, c: cmd.ConfirmVisit) -> outcomes.VisitConfirmed:
        """A secretary confirms a visit: it counts as service, and the member is told."""

        async def work(unit: Unit, now: datetime) -> outcomes.VisitConfirmed:
            visit = await unit.pairings.visit(c.visit_id)
            if visit is None:
                raise errors.VisitNotFound(id=c.visit_id)
            pairing = await self._pairing(unit, visit.pairing_id)
            reviewer = await self._secretary(unit, now, c.actor, pairing.branch_id)
            if reviewer.id == visit.member_id:
                raise errors.OwnService()
            member = await unit.people.get(visit.member_id)
            assert member is not None
            if visit.status == VisitStatus.CONFIRMED:
                return outcomes.VisitConfirmed(visit, pairing, member, already=True)
            if visit.status != VisitStatus.REPORTED:
                raise errors.VisitDecided(status=visit.status.value)
            await unit.pairings.confirm_visit(visit.id, reviewer.id, now)
            await unit.audit.record(now, reviewer.id, "pairing.visit_confirm", "pairing", pairing.id, visit_id=visit.id)
            branch = await self._branch(unit, pairing.branch_id)
            await self._tell_paired(
                unit, now, branch, member, pairing, "pair.notice.confirmed", f"visit_confirmed:{visit.id}"
            )
            confirmed = await unit.pairings.visit(visit.id)
            assert confirmed is not None
            return outcomes.VisitConfirmed(confirmed, pairing, member)

        return await self._tx(work)

    async def return_visit(self, c: cmd.ReturnVisit) -> outcomes.VisitReturned:
        """A secretary sends a reported visit back with a reason: it no longer counts as service, the pairing is due
        again as before that visit, and the member is told why."""
        reason = clean_text(c.reason, MAX_NOTE, "reason")
        if not reason:
            raise errors.InvalidInput(field="return_reason")

        async def work(unit: Unit, now: datetime) -> outcomes.VisitReturned:
            visit, pairing, reviewer = await self._returnable(unit, now, c.actor, c.visit_id)
            member = await unit.people.get(visit.member_id)
            assert member is not None
            await unit.pairings.return_visit(visit.id, reviewer.id, now, reason)
            counted = [
                v.visited_on
                for v in await unit.pairings.visits(pairing.id)
                if v.id != visit.id and v.status != VisitStatus.RETURNED
            ]
            last = max(counted, default=None)
            await unit.pairings.set_due(pairing.id, last, pairing.rhythm.due_after(last or pairing.started_on))
            await unit.audit.record(
                now, reviewer.id, "pairing.visit_return", "pairing", pairing.id, visit_id=visit.id, reason=reason
            )
            branch = await self._branch(unit, pairing.branch_id)
            if branch.chat is not None:
                lang = await self._language(unit, member)
                alias = escape(pairing.alias)
                text = t("pair.notice.returned", lang, alias=alias, id=pairing.id, reason=escape(reason))
                await self._notify(
                    unit, now, member, branch.chat.platform, f"visit_returned:{visit.id}", "pairing",
                    OutgoingMessage(text),
                )  # fmt: skip
            returned = await unit.pairings.visit(visit.id)
            assert returned is not None
            return outcomes.VisitReturned(returned, await self._pairing(unit, pairing.id), member)

        return await self._tx(work)

    async def may_return_visit(self, actor: Account, visit_id: int) -> Visit:
        """The visit if this person may return it now (checked before the reason is asked)."""

        async def work(unit: Unit, now: datetime) -> Visit:
            return (await self._returnable(unit, now, actor, visit_id))[0]

        return await self._tx(work)

    async def _returnable(
        self, unit: Unit, now: datetime, actor: Account, visit_id: int
    ) -> tuple[Visit, Pairing, Member]:
        """A reported visit, its pairing and the secretary of its branch (not its member) who may return it."""
        visit = await unit.pairings.visit(visit_id)
        if visit is None:
            raise errors.VisitNotFound(id=visit_id)
        pairing = await self._pairing(unit, visit.pairing_id)
        reviewer = await self._secretary(unit, now, actor, pairing.branch_id)
        if reviewer.id == visit.member_id:
            raise errors.OwnService()
        if visit.status != VisitStatus.REPORTED:
            raise errors.VisitDecided(status=visit.status.value)
        return visit, pairing, reviewer

    async def change_pairing(self, c: cmd.ChangePairing) -> outcomes.PairingMade:
        """Pause, resume or end a pairing; its member is told. A resumed pairing is due one rhythm from today at
        the latest, so a long pause does not come back overdue."""
        wanted = {"pause": PairingStatus.PAUSED, "resume": PairingStatus.ACTIVE, "end": PairingStatus.ENDED}
        if c.action not in wanted:
            raise errors.InvalidInput(field="pair_action")
        status = wanted[c.action]

        async def work(unit: Unit, now: datetime) -> outcomes.PairingMade:
            pairing = await self._pairing(unit, c.pairing_id)
            secretary = await self._secretary(unit, now, c.actor, pairing.branch_id)
            if pairing.status == PairingStatus.ENDED:
                raise errors.PairingNotActive(id=pairing.id)
            member = await unit.people.get(pairing.member_id)
            assert member is not None
            if pairing.status == status:
                return outcomes.PairingMade(outcomes.PairingView(pairing, member.name))
            await unit.pairings.set_status(pairing.id, status, now)
            if status == PairingStatus.ACTIVE:
                today = local_date(now, self.tz)
                due = min(pairing.next_due, pairing.rhythm.due_after(today))
                await unit.pairings.set_due(pairing.id, pairing.last_visit_on, max(due, today))
            await unit.audit.record(now, secretary.id, f"pairing.{c.action}", "pairing", pairing.id)
            changed = await self._pairing(unit, pairing.id)
            branch = await self._branch(unit, pairing.branch_id)
            told = await self._tell_paired(
                unit, now, branch, member, changed, f"pair.notice.{c.action}", f"pairing_{c.action}:{pairing.id}:{now}"
            )
            return outcomes.PairingMade(outcomes.PairingView(changed, member.name), told)

        return await self._tx(work)

    async def hand_over_pairing(self, c: cmd.HandOverPairing) -> outcomes.PairingMade:
        """Hand a pairing over to another member of the branch; both are told."""

        async def work(unit: Unit, now: datetime) -> outcomes.PairingMade:
            pairing = await self._pairing(unit, c.pairing_id)
            secretary = await self._secretary(unit, now, c.actor, pairing.branch_id)
            if pairing.status == PairingStatus.ENDED:
                raise errors.PairingNotActive(id=pairing.id)
            branch = await self._branch(unit, pairing.branch_id)
            to, _team = await self._responsible(unit, branch, c.to.strip().lstrip("@"))
            before = await unit.people.get(pairing.member_id)
            if to.id == pairing.member_id:
                return outcomes.PairingMade(outcomes.PairingView(pairing, to.name))
            await unit.pairings.set_member(pairing.id, to.id)
            await unit.audit.record(
                now, secretary.id, "pairing.handover", "pairing", pairing.id, from_id=pairing.member_id, to_id=to.id
            )
            changed = await self._pairing(unit, pairing.id)
            told = 0
            if before is not None and before.left_at is None:
                told += await self._tell_paired(
                    unit, now, branch, before, changed, "pair.notice.handed_away", f"handover_from:{pairing.id}:{now}"
                )
            told += await self._tell_paired(
                unit, now, branch, to, changed, "pair.notice.handed_to", f"handover_to:{pairing.id}:{now}"
            )
            return outcomes.PairingMade(outcomes.PairingView(changed, to.name), told)

        return await self._tx(work)

    async def record_pairing_reminders(
        self, now: datetime, *, remind_days_before: int, not_before: datetime | None, lang: str
    ) -> int:
        """The daily sweep: a reminder to each member whose visit is due within ``remind_days_before`` days, and a
        firmer one once it is overdue; each once per due day (the outbox key), in pages of one short unit each."""
        today = local_date(now, self.tz)
        horizon = today + timedelta(days=remind_days_before)
        branches: dict[int, Branch | None] = {}
        recorded, after = 0, 0
        while True:
            async with self.store.unit() as unit:
                page = await unit.pairings.due_by(horizon, after_id=after, limit=SWEEP_PAGE)
                reminded = await unit.outbox.existing_keys([reminder_key(p, today) for p in page])
                page_left = [p for p in page if reminder_key(p, today) not in reminded]  # reminded today already
                members = {m.id: m for m in await unit.people.many(sorted({p.member_id for p in page_left}))}
                chats: dict[str, dict[int, str]] = {}
                for pairing in page_left:
                    if pairing.branch_id not in branches:
                        branches[pairing.branch_id] = await unit.branches.get(pairing.branch_id)
                    branch = branches[pairing.branch_id]
                    member = members.get(pairing.member_id)
                    if branch is None or branch.chat is None or member is None or not member.reported:
                        continue
                    platform = branch.chat.platform
                    if platform not in chats:
                        chats[platform] = await unit.people.private_chats(list(members), platform)
                    user_id = chats[platform].get(member.id)
                    if user_id is None:
                        continue
                    chat = ChatRef(platform, user_id)
                    recorded += await self._remind(unit, now, today, chat, member, pairing, not_before, lang)
            if len(page) < SWEEP_PAGE:
                return recorded
            after = page[-1].id

    async def _remind(
        self,
        unit: Unit,
        now: datetime,
        today: date,
        chat: ChatRef,
        member: Member,
        pairing: Pairing,
        not_before: datetime | None,
        lang: str,
    ) -> int:
        overdue = pairing.overdue(today)
        reader = language(member, lang)
        key = "pair.remind.overdue" if overdue else "pair.remind.due"
        text = t(
            key,
            reader,
            name=escape(member.name),
            alias=escape(pairing.alias),
            id=pairing.id,
            rhythm=rhythm_text(pairing.rhythm, reader),
            day=day_text(pairing.next_due, reader),
            days=(today - pairing.next_due).days if overdue else (pairing.next_due - today).days,
        )
        kind = "pairing_overdue" if overdue else "pairing_due"
        return int(
            await record(
                unit,
                now,
                key=reminder_key(pairing, today),
                kind=kind,
                chat=chat,
                member_id=member.id,
                notice=Text.of(OutgoingMessage(text)),
                not_before=not_before,
            )
        )
