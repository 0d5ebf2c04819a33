"""The use cases: every rule of the e-branch workflow, each one method taking a command and returning an outcome."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import asdict
from datetime import date, datetime, timedelta
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from bot import commands as cmd
from bot import errors, outcomes, views
from bot.i18n import normalize_language
from bot.model import (
    Account,
    Branch,
    ChatRef,
    Claim,
    ClaimStatus,
    Committee,
    Member,
    QuarterStatus,
    Wish,
    WishStatus,
    WishView,
)
from bot.ports import Clock, OutgoingMessage
from bot.privacy import find_phones
from bot.quarters import current_quarter, local_date
from bot.roster import RosterRow
from bot.store import Store, Unit
from bot.wish_text import MAX_WISH_TEXT, parse_wish_text

T = TypeVar("T")

MAX_NAME = 40
MAX_FIELD = 200
MAX_NOTE = 500
MAX_HOURS = 24.0
_PHONE_DIGITS = re.compile(r"\D")


def _clean(value: str, limit: int, field: str) -> str:
    value = " ".join(value.split())
    if len(value) > limit:
        raise errors.TextTooLong(field=field, limit=limit)
    return value


def normalize_phone(raw: str) -> str:
    """Digits of a mainland mobile number without +86; refuses anything else."""
    digits = _PHONE_DIGITS.sub("", raw)
    if digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    if not re.fullmatch(r"1[3-9]\d{9}", digits):
        raise errors.InvalidInput(field="phone")
    return digits


class UseCases:
    """The application service: the only way the outside world changes e-branch state."""

    def __init__(self, store: Store, clock: Clock, tz: ZoneInfo, *, done_counts_default: bool = False) -> None:
        self.store = store
        self.clock = clock
        self.tz = tz
        self.done_counts_default = done_counts_default

    # -- helpers -----------------------------------------------------------------------------------------

    async def _tx(self, work: Callable[[Unit, datetime], Awaitable[T]]) -> T:
        now = self.clock.now()
        async with self.store.unit() as unit:
            return await work(unit, now)

    def today(self) -> date:
        """The local date now."""
        return local_date(self.clock.now(), self.tz)

    @staticmethod
    async def _person(unit: Unit, now: datetime, actor: Account) -> Member:
        """The member behind an account, created (not reported in) if the person is new."""
        member = await unit.member_by_account(actor.platform, actor.user_id)
        if member is not None:
            if member.left_at is not None:
                raise errors.MemberLeft()
            return member
        member_id = await unit.create_member(
            now, _clean(actor.display_name or actor.user_id, MAX_NAME * 2, "name"), language=actor.language
        )
        await unit.link_account(now, actor, member_id)
        found = await unit.get_member(member_id)
        assert found is not None
        return found

    @staticmethod
    async def _reported(unit: Unit, actor: Account, **context: object) -> Member:
        member = await unit.member_by_account(actor.platform, actor.user_id)
        if member is None or not member.reported:
            raise errors.NotReported(**context)
        return member

    @staticmethod
    async def _branch(unit: Unit, branch_id: int) -> Branch:
        branch = await unit.get_branch(branch_id)
        if branch is None:
            raise errors.BranchNotFound(branch_id=branch_id)
        return branch

    @staticmethod
    async def _wish(unit: Unit, wish_id: int) -> Wish:
        wish = await unit.get_wish(wish_id)
        if wish is None:
            raise errors.WishNotFound(wish_id=wish_id)
        return wish

    async def _secretary(self, unit: Unit, now: datetime, actor: Account, branch_id: int) -> Member:
        person = await self._person(unit, now, actor)
        if not await unit.is_secretary(branch_id, person.id):
            raise errors.NotSecretary(branch_id=branch_id)
        return person

    @staticmethod
    async def _view(unit: Unit, wish_id: int) -> WishView:
        view = await unit.wish_view(wish_id)
        assert view is not None
        return view

    @staticmethod
    async def _language(unit: Unit, member: Member) -> str:
        if member.language:
            return normalize_language(member.language)
        for account in await unit.accounts_of(member.id):
            if account.language:
                return normalize_language(account.language)
        return normalize_language(None)

    async def _notify(
        self,
        unit: Unit,
        now: datetime,
        member: Member,
        platform: str,
        key: str,
        kind: str,
        message: OutgoingMessage,
        *,
        fallback_chat: ChatRef | None = None,
        not_before: datetime | None = None,
    ) -> bool:
        """Record a private message to a member on ``platform``; False if they have no account there."""
        account = next((a for a in await unit.accounts_of(member.id) if a.platform == platform), None)
        if account is None:
            return False
        return await unit.enqueue(
            now,
            dedupe_key=key,
            kind=kind,
            platform=platform,
            chat=ChatRef(platform, account.user_id),
            member_id=member.id,
            payload=message_payload(message, fallback_chat=fallback_chat, mention=member.name),
            not_before=not_before,
        )

    # -- committees and branches -----------------------------------------------------------------------

    async def create_committee(self, c: cmd.CreateCommittee) -> outcomes.CommitteeSet:
        """A bot admin makes a chat the committee's chat (creating the committee by name if needed)."""
        if not c.by_bot_admin:
            raise errors.NotAdmin()
        name = _clean(c.name, MAX_NAME, "name")
        if not name:
            raise errors.InvalidInput(field="name")

        async def work(unit: Unit, now: datetime) -> outcomes.CommitteeSet:
            person = await self._person(unit, now, c.actor)
            if c.chat is not None:
                other = await unit.committee_by_chat(c.chat.platform, c.chat.chat_id)
                if other is not None and other.name != name:
                    raise errors.ChatAlreadyBound(name=other.name)
                if await unit.branch_by_chat(c.chat.platform, c.chat.chat_id) is not None:
                    raise errors.ChatAlreadyBound(name=name)
            existing = await unit.committee_by_name(name)
            if existing is None:
                committee_id = await unit.create_committee(now, name, c.chat)
                created = True
            else:
                committee_id = existing.id
                await unit.set_committee_chat(committee_id, c.chat)
                created = False
            await unit.add_committee_admin(now, committee_id, person.id)
            await unit.audit(now, person.id, "committee.set", "committee", committee_id, name=name)
            committee = await unit.get_committee(committee_id)
            assert committee is not None
            return outcomes.CommitteeSet(committee, created)

        return await self._tx(work)

    async def create_branch(self, c: cmd.CreateBranch) -> outcomes.BranchCreated | outcomes.ChooseCommittee:
        """A bot or committee admin binds a group chat to a new e-branch and becomes its secretary."""
        name = _clean(c.name, MAX_NAME, "name")
        if not name:
            raise errors.InvalidInput(field="name")

        async def work(unit: Unit, now: datetime) -> outcomes.BranchCreated | outcomes.ChooseCommittee:
            person = await self._person(unit, now, c.actor)
            if c.committee_id is not None:
                committee = await unit.get_committee(c.committee_id)
                if committee is None:
                    raise errors.CommitteeNotFound()
                candidates = [committee]
            elif c.by_bot_admin:
                candidates = await unit.list_committees()
            else:
                candidates = await unit.committees_administered(person.id)
            if not candidates:
                raise errors.NotCommitteeAdmin() if not c.by_bot_admin else errors.CommitteeNotFound()
            if len(candidates) > 1:
                return outcomes.ChooseCommittee(tuple(candidates))
            committee = candidates[0]
            if not c.by_bot_admin and not await unit.is_committee_admin(committee.id, person.id):
                raise errors.NotCommitteeAdmin()
            bound = await unit.branch_by_chat(c.chat.platform, c.chat.chat_id)
            if bound is not None:
                raise errors.ChatAlreadyBound(name=bound.name)
            if await unit.committee_by_chat(c.chat.platform, c.chat.chat_id) is not None:
                raise errors.ChatAlreadyBound(name=committee.name)
            if await unit.branch_by_name(name, committee.id) is not None:
                raise errors.InvalidInput(field="name_taken")
            branch_id = await unit.create_branch(now, committee.id, name, c.chat)
            if self.done_counts_default:
                await unit.set_branch_options(branch_id, done_counts_as_served=True)
            await unit.add_secretary(now, branch_id, person.id)
            await unit.audit(now, person.id, "branch.create", "branch", branch_id, name=name)
            return outcomes.BranchCreated(await self._branch(unit, branch_id), committee)

        return await self._tx(work)

    async def add_secretary(self, c: cmd.AddSecretary) -> outcomes.SecretaryAdded:
        """A secretary (or admin) makes another person a secretary of the branch."""

        async def work(unit: Unit, now: datetime) -> outcomes.SecretaryAdded:
            branch = await self._branch(unit, c.branch_id)
            person = await self._person(unit, now, c.actor)
            allowed = (
                c.by_bot_admin
                or await unit.is_secretary(branch.id, person.id)
                or await unit.is_committee_admin(branch.committee_id, person.id)
            )
            if not allowed:
                raise errors.NotSecretary(branch_id=branch.id)
            target = await self._person(unit, now, c.target)
            added = await unit.add_secretary(now, branch.id, target.id)
            await unit.audit(now, person.id, "branch.secretary", "member", target.id, branch_id=branch.id)
            return outcomes.SecretaryAdded(branch, target, already=not added)

        return await self._tx(work)

    async def chat_migrated(self, platform: str, old_chat_id: str, new_chat_id: str) -> None:
        """Follow a chat whose id changed (a Telegram group upgraded to a supergroup): keep everything."""

        async def work(unit: Unit, now: datetime) -> None:
            await unit.move_chat(platform, old_chat_id, new_chat_id)
            await unit.audit(now, None, "chat.migrate", "chat", None, old=old_chat_id, new=new_chat_id)

        await self._tx(work)

    async def bot_membership(self, chat: ChatRef, present: bool) -> Branch | None:
        """The bot was removed from (or added back to) a chat: the branch goes inactive (data kept) or returns."""

        async def work(unit: Unit, now: datetime) -> Branch | None:
            branch = await unit.branch_by_chat(chat.platform, chat.chat_id)
            if branch is None or branch.active == present:
                return branch
            await unit.set_branch_active(branch.id, present)
            await unit.audit(now, None, "branch.active" if present else "branch.inactive", "branch", branch.id)
            return await unit.get_branch(branch.id)

        return await self._tx(work)

    async def branch(self, branch_id: int) -> Branch:
        """A branch by id (for deep links that carry it); BranchNotFound if there is none."""
        async with self.store.unit() as unit:
            return await self._branch(unit, branch_id)

    async def branch_of_chat(self, chat: ChatRef) -> Branch | None:
        """The branch bound to a chat, if any."""
        async with self.store.unit() as unit:
            return await unit.branch_by_chat(chat.platform, chat.chat_id)

    async def committee_of_chat(self, chat: ChatRef) -> Committee | None:
        """The committee whose chat this is, if any."""
        async with self.store.unit() as unit:
            return await unit.committee_by_chat(chat.platform, chat.chat_id)

    async def roles(self, actor: Account) -> outcomes.Roles:
        """What this person may do (for /help and the command menu)."""
        async with self.store.unit() as unit:
            member = await unit.member_by_account(actor.platform, actor.user_id)
            if member is None:
                return outcomes.Roles(None, (), ())
            return outcomes.Roles(
                member,
                tuple(await unit.branches_as_secretary(member.id)),
                tuple(await unit.committees_administered(member.id)),
            )

    # -- people ----------------------------------------------------------------------------------------

    async def report_in(self, c: cmd.ReportIn) -> outcomes.ReportedIn:
        """Report in (报到): fill in the profile; the group sees a public note the first time."""
        name = _clean(c.name, MAX_NAME, "name")
        if not name:
            raise errors.InvalidInput(field="name")
        workplace = _clean(c.workplace, MAX_FIELD, "workplace")
        workplace_branch = _clean(c.workplace_branch, MAX_FIELD, "workplace_branch")
        commitment = _clean(c.commitment, MAX_FIELD, "commitment")
        skills = tuple(dict.fromkeys(_clean(s, MAX_NAME, "skills") for s in c.skills if s.strip()))[:12]

        async def work(unit: Unit, now: datetime) -> outcomes.ReportedIn:
            branch = await self._branch(unit, c.branch_id)
            if not branch.active:
                raise errors.BranchInactive()
            member = await self._person(unit, now, c.actor)
            first_time = member.reported_at is None
            also_serving = member.home_branch_id is not None and member.home_branch_id != branch.id
            await unit.update_member(
                member.id,
                name=name,
                workplace=workplace,
                workplace_branch=workplace_branch,
                skills=skills,
                commitment=commitment,
                home_branch_id=member.home_branch_id or branch.id,
                reported_at=member.reported_at or now,
            )
            if also_serving:
                await unit.add_activity_branch(member.id, branch.id)
            await unit.audit(now, member.id, "member.report_in", "member", member.id, branch_id=branch.id)
            updated = await unit.get_member(member.id)
            assert updated is not None
            if first_time or also_serving:
                await unit.enqueue(
                    now,
                    dedupe_key=f"report_note:{member.id}:{branch.id}",
                    kind="report_note",
                    platform=branch.chat.platform,
                    chat=branch.chat,
                    member_id=None,
                    payload=message_payload(views.report_note(updated, normalize_language(None))),
                )
            return outcomes.ReportedIn(updated, branch, first_time, also_serving)

        return await self._tx(work)

    async def link_phone(self, c: cmd.LinkPhone) -> outcomes.PhoneLinked:
        """Match a chat account to a roster entry by the phone number the person shared."""
        phone = normalize_phone(c.phone)

        async def work(unit: Unit, now: datetime) -> outcomes.PhoneLinked:
            entry = await unit.member_by_phone(phone)
            if entry is None:
                raise errors.NotFound(field="phone")
            current = await unit.member_by_account(c.actor.platform, c.actor.user_id)
            if current is not None and current.id != entry.id:
                if current.reported_at is not None:
                    raise errors.AlreadyMember()
                await unit.merge_roles(current.id, entry.id)
            await unit.link_account(now, c.actor, entry.id)
            if entry.reported_at is None:
                await unit.update_member(entry.id, reported_at=now)
            await unit.audit(now, entry.id, "member.link_phone", "member", entry.id, platform=c.actor.platform)
            linked = await unit.get_member(entry.id)
            assert linked is not None
            return outcomes.PhoneLinked(linked)

        return await self._tx(work)

    async def import_roster(
        self, branch_name: str, rows: Sequence[RosterRow], committee_name: str | None = None
    ) -> outcomes.RosterImported:
        """Pre-register members of a branch from a roster so they are matched by phone when they link an account."""

        async def work(unit: Unit, now: datetime) -> outcomes.RosterImported:
            committee_id = None
            if committee_name is not None:
                committee = await unit.committee_by_name(committee_name)
                if committee is None:
                    raise errors.CommitteeNotFound(name=committee_name)
                committee_id = committee.id
            branch = await unit.branch_by_name(branch_name, committee_id)
            if branch is None:
                raise errors.BranchNotFound(name=branch_name)
            created = updated = 0
            conflicts: list[tuple[int, str]] = []
            for row in rows:
                existing = await unit.member_by_phone(row.phone)
                name, workplace = row.name[:MAX_NAME], row.workplace[:MAX_FIELD]
                workplace_branch, commitment = row.workplace_branch[:MAX_FIELD], row.commitment[:MAX_FIELD]
                skills = row.skills[:12]
                if existing is None:
                    member_id = await unit.create_member(
                        now,
                        name,
                        phone=row.phone,
                        home_branch_id=branch.id,
                        workplace=workplace,
                        workplace_branch=workplace_branch,
                        skills=skills,
                        commitment=commitment,
                    )
                    created += 1
                elif existing.home_branch_id not in (None, branch.id):
                    conflicts.append((row.line, row.name))
                    continue
                else:
                    member_id = existing.id
                    await unit.update_member(
                        member_id,
                        name=name,
                        home_branch_id=branch.id,
                        workplace=workplace,
                        workplace_branch=workplace_branch,
                        skills=skills,
                        commitment=commitment,
                    )
                    updated += 1
                if row.team:
                    team = await unit.team_by_name(branch.id, row.team[:MAX_NAME])
                    team_id = team.id if team else await unit.create_team(now, branch.id, row.team[:MAX_NAME], None)
                    await unit.add_team_member(team_id, member_id)
            await unit.audit(now, None, "roster.import", "branch", branch.id, created=created, updated=updated)
            return outcomes.RosterImported(branch, created, updated, tuple(conflicts))

        return await self._tx(work)

    async def set_language(self, c: cmd.SetLanguage) -> str:
        """Remember the language this person wants."""
        language = normalize_language(c.language)

        async def work(unit: Unit, now: datetime) -> str:
            member = await self._person(unit, now, c.actor)
            await unit.update_member(member.id, language=language)
            return language

        return await self._tx(work)

    async def language_of(self, actor: Account) -> str:
        """The language to use with this person: chosen, else their platform's, else Chinese."""
        async with self.store.unit() as unit:
            member = await unit.member_by_account(actor.platform, actor.user_id)
        if member is not None and member.language:
            return normalize_language(member.language)
        return normalize_language(actor.language)

    async def conversation(self, actor: Account) -> dict[str, Any] | None:
        """Where this person is in a multi-step chat conversation (report-in, reporting done...), if anywhere."""
        async with self.store.unit() as unit:
            return await unit.get_conversation(actor)

    async def set_conversation(self, actor: Account, state: dict[str, Any] | None) -> None:
        """Remember the conversation step so a restart in the middle of it loses nothing; None ends it."""
        await self._tx(lambda unit, now: unit.set_conversation(now, actor, state))

    async def pause_nudges(self, c: cmd.PauseNudges) -> datetime:
        """Pause quarterly reminders for ``days`` (1-60)."""
        if not 1 <= c.days <= 60:
            raise errors.InvalidInput(field="days")

        async def work(unit: Unit, now: datetime) -> datetime:
            member = await self._reported(unit, c.actor)
            until = now + timedelta(days=c.days)
            await unit.update_member(member.id, nudges_paused_until=until)
            await unit.audit(now, member.id, "member.pause_nudges", "member", member.id, days=c.days)
            return until

        return await self._tx(work)

    async def my_data(self, actor: Account) -> outcomes.MyData:
        """Everything stored about the person (PIPL access right)."""
        async with self.store.unit() as unit:
            member = await unit.member_by_account(actor.platform, actor.user_id)
            if member is None:
                return outcomes.MyData({})
            data: dict[str, Any] = {"member": _plain(asdict(member))}
            data["accounts"] = [_plain(asdict(a)) for a in await unit.accounts_of(member.id)]
            data["secretary_of"] = [b.name for b in await unit.branches_as_secretary(member.id)]
            data["teams"] = [tm.name for tm in await unit.teams_of_member(member.id)]
            data["claims"] = [
                {"wish_id": w.id, "wish": w.title, **_plain(asdict(cl))}
                for cl, w in await unit.claims_of_member(member.id, tuple(ClaimStatus))
            ]
            data["services"] = [_plain(asdict(s)) for s in await unit.services_of_member(member.id)]
            data["audit"] = await unit.audit_of_member(member.id)
            return outcomes.MyData(data)

    async def leave(self, c: cmd.Leave) -> outcomes.Left:
        """Remove the person's personal data; open claims are released to the waitlist or the branch."""

        async def work(unit: Unit, now: datetime) -> outcomes.Left:
            member = await unit.member_by_account(c.actor.platform, c.actor.user_id)
            if member is None:
                raise errors.NotReported()
            released = []
            for claim, wish in await unit.claims_of_member(member.id, (ClaimStatus.CLAIMED,)):
                await unit.update_claim(claim.id, status=ClaimStatus.WITHDRAWN, ended_at=now)
                await self._promote(unit, now, wish)
                await unit.touch_wish(wish.id)
                released.append(wish.id)
            await unit.forget_member(now, member.id)
            await unit.audit(now, member.id, "member.leave", "member", member.id)
            return outcomes.Left(tuple(released))

        return await self._tx(work)

    # -- wishes and claims --------------------------------------------------------------------------------

    async def post_wish(self, c: cmd.PostWish) -> outcomes.WishPosted | outcomes.WishNeedsFix:
        """A secretary posts a wish by writing it naturally; unreadable text is kept as a draft and asked about."""
        if len(c.text) > MAX_WISH_TEXT:
            raise errors.TextTooLong(field="wish", limit=MAX_WISH_TEXT)

        async def work(unit: Unit, now: datetime) -> outcomes.WishPosted | outcomes.WishNeedsFix:
            branch = await self._branch(unit, c.branch_id)
            if not branch.active:
                raise errors.BranchInactive()
            secretary = await self._secretary(unit, now, c.actor, branch.id)
            result = parse_wish_text(c.text, local_date(now, self.tz))
            if result.wish is None:
                await unit.save_draft(now, c.actor, branch.id, c.text)
                return outcomes.WishNeedsFix(result.problems, c.text)
            parsed = result.wish
            wish_id = await unit.insert_wish(
                now,
                branch_id=branch.id,
                title=parsed.title,
                description=parsed.description,
                category=parsed.category,
                slots=parsed.slots,
                team_claim=parsed.team_claim,
                deadline=parsed.deadline,
                urgency=parsed.urgency,
                created_by=secretary.id,
            )
            await unit.delete_draft(c.actor)
            target = c.chat if c.chat is not None and c.chat.chat_id == branch.chat.chat_id else branch.chat
            await unit.enqueue(
                now,
                dedupe_key=f"card:{wish_id}:{target.chat_id}",
                kind="wish_card",
                platform=target.platform,
                chat=target,
                member_id=None,
                payload={"wish_card": wish_id},
            )
            await unit.audit(
                now,
                secretary.id,
                "wish.post",
                "wish",
                wish_id,
                slots=parsed.slots,
                phones=len(find_phones(c.text)),
            )
            return outcomes.WishPosted(await self._view(unit, wish_id), parsed.notes)

        return await self._tx(work)

    async def draft_of(self, actor: Account) -> tuple[int | None, str] | None:
        """The wish text this person sent that could not be read yet."""
        async with self.store.unit() as unit:
            return await unit.get_draft(actor)

    async def card_posted(self, wish_id: int, chat: ChatRef, message_id: str, kind: str = "group") -> None:
        """Remember a message showing a wish so later changes are edited into it."""

        async def work(unit: Unit, now: datetime) -> None:
            wish = await self._wish(unit, wish_id)
            await unit.add_card(now, wish_id, chat, message_id, kind, wish.version)

        await self._tx(work)

    async def wish_view(self, wish_id: int) -> WishView:
        """The current state of a wish, as its card shows it."""
        async with self.store.unit() as unit:
            await self._wish(unit, wish_id)
            return await self._view(unit, wish_id)

    async def claim(self, c: cmd.ClaimWish) -> outcomes.Claimed:
        """Claim a wish: one transaction that can neither over-fill the wish nor claim twice."""

        async def work(unit: Unit, now: datetime) -> outcomes.Claimed:
            wish = await self._claimable(unit, c.wish_id)
            member = await self._reported(unit, c.actor, wish_id=wish.id)
            branch = await self._branch(unit, wish.branch_id)
            if not await unit.is_branch_member(branch.id, member.id):
                raise errors.NotBranchMember(branch=branch.name)
            if await unit.active_claim(wish.id, member.id) is not None:
                raise errors.AlreadyClaimed(wish_id=wish.id)
            team_id, team_name = None, None
            if c.as_team:
                if not wish.team_claim:
                    raise errors.InvalidInput(field="team")
                teams = [tm for tm in await unit.teams_led_by(member.id) if tm.branch_id == branch.id]
                if not teams:
                    teams = await unit.teams_led_by(member.id)
                if not teams:
                    raise errors.NotTeamLeader()
                team_id, team_name = teams[0].id, teams[0].name
            claim_id = await unit.insert_claim(now, wish.id, member.id, team_id)
            await unit.remove_from_waitlist(wish.id, member.id)
            await unit.touch_wish(wish.id)
            await unit.audit(now, member.id, "claim.create", "claim", claim_id, wish_id=wish.id, team_id=team_id)
            claim = await unit.get_claim(claim_id)
            assert claim is not None
            view = await self._view(unit, wish.id)
            lang = await self._language(unit, member)
            await self._notify(
                unit,
                now,
                member,
                branch.chat.platform,
                f"claim:{claim_id}",
                "claim_notice",
                views.claim_notice(view, claim, lang),
                fallback_chat=branch.chat,
            )
            return outcomes.Claimed(view, claim, member, team_name)

        return await self._tx(work)

    @staticmethod
    async def _claimable(unit: Unit, wish_id: int) -> Wish:
        wish = await unit.get_wish(wish_id)
        if wish is None:
            raise errors.WishNotFound(wish_id=wish_id)
        if wish.status == WishStatus.CANCELLED:
            raise errors.WishCancelled(wish_id=wish_id)
        if wish.status == WishStatus.CLOSED:
            raise errors.WishClosed(wish_id=wish_id)
        branch = await unit.get_branch(wish.branch_id)
        if branch is None or not branch.active:
            raise errors.BranchInactive()
        return wish

    async def join_waitlist(self, c: cmd.JoinWaitlist) -> outcomes.Waitlisted:
        """Wait for a slot on a full wish; the first waiting member is promoted when a slot frees up."""

        async def work(unit: Unit, now: datetime) -> outcomes.Waitlisted:
            wish = await self._claimable(unit, c.wish_id)
            member = await self._reported(unit, c.actor, wish_id=wish.id)
            if not await unit.is_branch_member(wish.branch_id, member.id):
                branch = await self._branch(unit, wish.branch_id)
                raise errors.NotBranchMember(branch=branch.name)
            if await unit.active_claim(wish.id, member.id) is not None:
                raise errors.AlreadyClaimed(wish_id=wish.id)
            if await unit.count_active_claims(wish.id) < wish.slots:
                raise errors.InvalidInput(field="not_full")
            position = await unit.add_to_waitlist(now, wish.id, member.id, None)
            await unit.touch_wish(wish.id)
            await unit.audit(now, member.id, "waitlist.join", "wish", wish.id, position=position)
            return outcomes.Waitlisted(await self._view(unit, wish.id), position)

        return await self._tx(work)

    async def withdraw(self, c: cmd.WithdrawClaim) -> outcomes.Withdrawn:
        """Give up one's own claim (or waitlist place); the first on the waitlist takes the slot."""

        async def work(unit: Unit, now: datetime) -> outcomes.Withdrawn:
            wish = await self._wish(unit, c.wish_id)
            member = await unit.member_by_account(c.actor.platform, c.actor.user_id)
            if member is None:
                raise errors.NotYourClaim(wish_id=wish.id)
            claim = await unit.active_claim(wish.id, member.id)
            if claim is None:
                if await unit.remove_from_waitlist(wish.id, member.id):
                    await unit.touch_wish(wish.id)
                    await unit.audit(now, member.id, "waitlist.leave", "wish", wish.id)
                    return outcomes.Withdrawn(await self._view(unit, wish.id), was_waitlisted=True)
                raise errors.NotYourClaim(wish_id=wish.id)
            if claim.status != ClaimStatus.CLAIMED:
                raise errors.InvalidTransition(status=str(claim.status))
            await unit.update_claim(claim.id, status=ClaimStatus.WITHDRAWN, ended_at=now)
            await unit.audit(now, member.id, "claim.withdraw", "claim", claim.id, wish_id=wish.id)
            promoted = await self._promote(unit, now, wish) if wish.status == WishStatus.OPEN else None
            await unit.touch_wish(wish.id)
            return outcomes.Withdrawn(await self._view(unit, wish.id), was_waitlisted=False, promoted=promoted)

        return await self._tx(work)

    async def _promote(self, unit: Unit, now: datetime, wish: Wish) -> Member | None:
        """Give a freed slot to the first member still able to take it, and tell them."""
        while (entry := await unit.pop_waitlist(wish.id)) is not None:
            member_id, team_id = entry
            member = await unit.get_member(member_id)
            if member is None or not member.reported or await unit.active_claim(wish.id, member_id) is not None:
                continue
            claim_id = await unit.insert_claim(now, wish.id, member_id, team_id)
            await unit.audit(now, None, "claim.promote", "claim", claim_id, wish_id=wish.id, member_id=member_id)
            claim = await unit.get_claim(claim_id)
            branch = await unit.get_branch(wish.branch_id)
            assert claim is not None and branch is not None
            lang = await self._language(unit, member)
            view = await self._view(unit, wish.id)
            await self._notify(
                unit,
                now,
                member,
                branch.chat.platform,
                f"claim:{claim_id}",
                "claim_notice",
                views.claim_notice(view, claim, lang, promoted=True),
                fallback_chat=branch.chat,
            )
            return member
        return None

    async def release_stale_claim(self, claim_id: int, days_late: int, *, not_before: datetime | None = None) -> int:
        """Release a claim still not done ``days_late`` days after its wish's deadline back to the branch (1 if so)."""

        async def work(unit: Unit, now: datetime) -> int:
            claim = await unit.get_claim(claim_id)
            if claim is None or claim.status != ClaimStatus.CLAIMED:
                return 0
            wish = await self._wish(unit, claim.wish_id)
            if wish.status != WishStatus.OPEN or wish.deadline is None:
                return 0
            await unit.update_claim(claim.id, status=ClaimStatus.RELEASED, ended_at=now)
            await unit.audit(now, None, "claim.release", "claim", claim.id, wish_id=wish.id, days_late=days_late)
            await self._promote(unit, now, wish)
            await unit.touch_wish(wish.id)
            branch = await self._branch(unit, wish.branch_id)
            member = await unit.get_member(claim.member_id)
            facts: dict[str, object] = {"id": wish.id, "title": wish.title, "days": days_late}
            if member is not None:
                lang = await self._language(unit, member)
                await self._notify(
                    unit,
                    now,
                    member,
                    branch.chat.platform,
                    f"released:{claim.id}",
                    "released",
                    views.simple_notice(
                        "sched.released.member", lang, date=views.format_date(wish.deadline, lang), **facts
                    ),
                    not_before=not_before,
                )
            for secretary in await unit.secretaries_of(branch.id):
                lang = await self._language(unit, secretary)
                await self._notify(
                    unit,
                    now,
                    secretary,
                    branch.chat.platform,
                    f"released:{claim.id}:{secretary.id}",
                    "released",
                    views.simple_notice(
                        "sched.released.secretary",
                        lang,
                        name=member.name if member else "",
                        date=views.format_date(wish.deadline, lang),
                        **facts,
                    ),
                    not_before=not_before,
                )
            return 1

        return await self._tx(work)

    async def mark_done(self, c: cmd.MarkDone) -> outcomes.DoneReported:
        """The member reports the service done; the branch's secretaries are asked to confirm."""
        if not 0 < c.hours <= MAX_HOURS:
            raise errors.InvalidInput(field="hours")
        note = _clean(c.note, MAX_NOTE, "note")

        async def work(unit: Unit, now: datetime) -> outcomes.DoneReported:
            claim = await unit.get_claim(c.claim_id)
            if claim is None:
                raise errors.ClaimNotFound()
            member = await unit.member_by_account(c.actor.platform, c.actor.user_id)
            if member is None or member.id != claim.member_id:
                raise errors.NotYourClaim(wish_id=claim.wish_id)
            if claim.status != ClaimStatus.CLAIMED:
                raise errors.InvalidTransition(status=str(claim.status))
            wish = await self._wish(unit, claim.wish_id)
            if wish.status == WishStatus.CANCELLED:
                raise errors.WishCancelled(wish_id=wish.id)
            branch = await self._branch(unit, wish.branch_id)
            await unit.update_claim(
                claim.id,
                status=ClaimStatus.DONE,
                done_at=now,
                hours=c.hours,
                note=note,
                photo_ref=c.photo_ref,
                return_reason="",
            )
            await unit.insert_service(
                now,
                member_id=member.id,
                branch_id=branch.id,
                served_on=local_date(now, self.tz),
                hours=c.hours,
                note=note,
                wish_id=wish.id,
                claim_id=claim.id,
                confirmed=False,
                recorded_by=member.id,
            )
            await unit.touch_wish(wish.id)
            await unit.audit(now, member.id, "claim.done", "claim", claim.id, hours=c.hours)
            done = await unit.get_claim(claim.id)
            assert done is not None
            reviewers = 0
            for secretary in await unit.secretaries_of(branch.id):
                if secretary.id == member.id:
                    continue
                lang = await self._language(unit, secretary)
                reviewers += await self._notify(
                    unit,
                    now,
                    secretary,
                    branch.chat.platform,
                    f"review:{claim.id}:{now.isoformat()}:{secretary.id}",
                    "review",
                    views.review_notice(member, wish, done, lang),
                )
            return outcomes.DoneReported(done, wish, reviewers)

        return await self._tx(work)

    async def confirm(self, c: cmd.ConfirmService) -> outcomes.ServiceConfirmed:
        """A secretary confirms a reported service; it now counts for the member's quarter."""
        if c.rating is not None and not 1 <= c.rating <= 5:
            raise errors.InvalidInput(field="rating")

        async def work(unit: Unit, now: datetime) -> outcomes.ServiceConfirmed:
            claim, wish, member = await self._review_target(unit, now, c.actor, c.claim_id)
            if claim.status == ClaimStatus.CONFIRMED:
                return outcomes.ServiceConfirmed(claim, wish, member, wish.status == WishStatus.CLOSED, already=True)
            if claim.status != ClaimStatus.DONE:
                raise errors.InvalidTransition(status=str(claim.status))
            reviewer = await self._person(unit, now, c.actor)
            await unit.update_claim(
                claim.id,
                status=ClaimStatus.CONFIRMED,
                confirmed_by=reviewer.id,
                confirmed_at=now,
                rating=c.rating,
            )
            await unit.confirm_service_of_claim(claim.id, c.rating)
            completed = await self._complete_if_done(unit, now, wish)
            await unit.touch_wish(wish.id)
            await unit.audit(now, reviewer.id, "claim.confirm", "claim", claim.id, rating=c.rating)
            branch = await self._branch(unit, wish.branch_id)
            lang = await self._language(unit, member)
            await self._notify(
                unit,
                now,
                member,
                branch.chat.platform,
                f"confirmed:{claim.id}",
                "confirmed",
                views.simple_notice("notice.confirmed", lang, id=wish.id, title=wish.title),
            )
            confirmed = await unit.get_claim(claim.id)
            assert confirmed is not None
            return outcomes.ServiceConfirmed(confirmed, wish, member, completed)

        return await self._tx(work)

    async def rate(self, c: cmd.RateService) -> outcomes.ServiceConfirmed:
        """Rate a service 1-5, confirming it first if it was still waiting."""
        if not 1 <= c.rating <= 5:
            raise errors.InvalidInput(field="rating")

        async def work(unit: Unit, now: datetime) -> outcomes.ServiceConfirmed | None:
            claim, wish, member = await self._review_target(unit, now, c.actor, c.claim_id)
            if claim.status != ClaimStatus.CONFIRMED:
                return None
            await unit.update_claim(claim.id, rating=c.rating)
            await unit.confirm_service_of_claim(claim.id, c.rating)
            await unit.audit(now, None, "claim.rate", "claim", claim.id, rating=c.rating)
            rated = await unit.get_claim(claim.id)
            assert rated is not None
            return outcomes.ServiceConfirmed(rated, wish, member, wish.status == WishStatus.CLOSED, already=True)

        rated = await self._tx(work)
        if rated is not None:
            return rated
        return await self.confirm(cmd.ConfirmService(c.actor, c.claim_id, c.rating))

    async def _review_target(
        self, unit: Unit, now: datetime, actor: Account, claim_id: int
    ) -> tuple[Claim, Wish, Member]:
        claim = await unit.get_claim(claim_id)
        if claim is None:
            raise errors.ClaimNotFound()
        wish = await self._wish(unit, claim.wish_id)
        reviewer = await self._secretary(unit, now, actor, wish.branch_id)
        if reviewer.id == claim.member_id:
            raise errors.OwnService()
        member = await unit.get_member(claim.member_id)
        assert member is not None
        return claim, wish, member

    @staticmethod
    async def _complete_if_done(unit: Unit, now: datetime, wish: Wish) -> bool:
        """Close a wish once every slot is held by a confirmed claim."""
        active = await unit.claims_of_wish(wish.id)
        if len(active) >= wish.slots and all(cl.status == ClaimStatus.CONFIRMED for cl in active):
            await unit.set_wish_status(wish.id, WishStatus.CLOSED, now)
            await unit.clear_waitlist(wish.id)
            return True
        return False

    async def return_service(self, c: cmd.ReturnService) -> outcomes.ServiceReturned:
        """A secretary returns a reported service: the claim goes back to "claimed" with the reason."""
        reason = _clean(c.reason, MAX_NOTE, "reason")

        async def work(unit: Unit, now: datetime) -> outcomes.ServiceReturned:
            claim, wish, member = await self._review_target(unit, now, c.actor, c.claim_id)
            if claim.status != ClaimStatus.DONE:
                raise errors.InvalidTransition(status=str(claim.status))
            await unit.update_claim(claim.id, status=ClaimStatus.CLAIMED, return_reason=reason, done_at=None)
            await unit.delete_service_of_claim(claim.id)
            await unit.touch_wish(wish.id)
            await unit.audit(now, None, "claim.return", "claim", claim.id, reason=reason)
            branch = await self._branch(unit, wish.branch_id)
            lang = await self._language(unit, member)
            view = await self._view(unit, wish.id)
            returned = await unit.get_claim(claim.id)
            assert returned is not None
            notice = views.claim_notice(view, returned, lang)
            text = views.simple_notice("notice.returned", lang, id=wish.id, reason=reason or "—").text
            await self._notify(
                unit,
                now,
                member,
                branch.chat.platform,
                f"returned:{claim.id}:{now.isoformat()}",
                "returned",
                OutgoingMessage(text + "\n\n" + notice.text, notice.buttons),
            )
            return outcomes.ServiceReturned(returned, wish, member)

        return await self._tx(work)

    async def cancel_wish(self, c: cmd.CancelWish) -> outcomes.WishCancelled:
        """A secretary cancels a wish; claimers who had not finished are released and told."""
        reason = _clean(c.reason, MAX_NOTE, "reason")

        async def work(unit: Unit, now: datetime) -> outcomes.WishCancelled:
            wish = await self._wish(unit, c.wish_id)
            secretary = await self._secretary(unit, now, c.actor, wish.branch_id)
            if wish.status != WishStatus.OPEN:
                raise (
                    errors.WishCancelled(wish_id=wish.id)
                    if wish.status == WishStatus.CANCELLED
                    else (errors.WishClosed(wish_id=wish.id))
                )
            branch = await self._branch(unit, wish.branch_id)
            released = 0
            for claim in await unit.claims_of_wish(wish.id, (ClaimStatus.CLAIMED,)):
                await unit.update_claim(claim.id, status=ClaimStatus.RELEASED, ended_at=now)
                released += 1
                member = await unit.get_member(claim.member_id)
                if member is not None:
                    lang = await self._language(unit, member)
                    await self._notify(
                        unit,
                        now,
                        member,
                        branch.chat.platform,
                        f"cancelled:{wish.id}:{member.id}",
                        "cancelled",
                        views.simple_notice(
                            "notice.cancelled", lang, id=wish.id, title=wish.title, reason=reason or "—"
                        ),
                    )
            await unit.clear_waitlist(wish.id)
            await unit.set_wish_status(wish.id, WishStatus.CANCELLED, now)
            await unit.audit(now, secretary.id, "wish.cancel", "wish", wish.id, reason=reason)
            return outcomes.WishCancelled(await self._view(unit, wish.id), released)

        return await self._tx(work)

    async def log_service(self, c: cmd.LogService) -> outcomes.ServiceLogged:
        """A secretary records service done without a wish (a patrol, an emergency shift)."""
        if not 0 < c.hours <= MAX_HOURS:
            raise errors.InvalidInput(field="hours")
        note = _clean(c.note, MAX_NOTE, "note")

        async def work(unit: Unit, now: datetime) -> outcomes.ServiceLogged:
            secretary = await self._secretary(unit, now, c.actor, c.branch_id)
            if secretary.id == c.member_id:
                raise errors.OwnService()
            member = await unit.get_member(c.member_id)
            if member is None or member.left_at is not None:
                raise errors.NotFound(field="member")
            if not await unit.is_branch_member(c.branch_id, member.id):
                raise errors.NotBranchMember(branch=str(c.branch_id))
            if c.served_on > local_date(now, self.tz):
                raise errors.InvalidInput(field="served_on")
            service_id = await unit.insert_service(
                now,
                member_id=member.id,
                branch_id=c.branch_id,
                served_on=c.served_on,
                hours=c.hours,
                note=note,
                wish_id=None,
                claim_id=None,
                confirmed=True,
                recorded_by=secretary.id,
            )
            await unit.audit(now, secretary.id, "service.log", "service", service_id, member_id=member.id)
            return outcomes.ServiceLogged(member, service_id)

        return await self._tx(work)

    # -- what people see -----------------------------------------------------------------------------------

    async def my_quarter(self, actor: Account) -> QuarterStatus:
        """/me: services and hours this quarter, open claims, commitment."""
        now = self.clock.now()
        quarter = current_quarter(now, self.tz)
        async with self.store.unit() as unit:
            member = await self._reported(unit, actor)
            done_counts = self.done_counts_default
            if member.home_branch_id is not None:
                branch = await unit.get_branch(member.home_branch_id)
                done_counts = branch.done_counts_as_served if branch else done_counts
            services = await unit.services_of_member(member.id, quarter.start, quarter.end)
            counted = [s for s in services if s.confirmed or done_counts]
            open_claims = await unit.claims_of_member(member.id, (ClaimStatus.CLAIMED, ClaimStatus.DONE))
            lang = normalize_language(member.language or actor.language)
            return QuarterStatus(
                member=member,
                quarter_label=quarter.label(lang),
                services=len(counted),
                hours=sum(s.hours for s in counted),
                served=bool(counted),
                open_claims=tuple(open_claims),
                pending_confirmation=sum(1 for s in services if not s.confirmed),
            )

    async def my_claims(self, actor: Account) -> outcomes.MyClaims:
        """/mine: the member's claims, open first."""
        async with self.store.unit() as unit:
            member = await self._reported(unit, actor)
            claims = await unit.claims_of_member(
                member.id, (ClaimStatus.CLAIMED, ClaimStatus.DONE, ClaimStatus.CONFIRMED)
            )
            return outcomes.MyClaims(member, tuple(claims[:30]))

    async def open_wishes(self, branch_id: int) -> list[WishView]:
        """/wishes: a branch's open wishes."""
        async with self.store.unit() as unit:
            await self._branch(unit, branch_id)
            return await unit.open_wishes(branch_id)

    async def at_risk(self, actor: Account, branch_id: int, lang: str = "zh") -> outcomes.AtRiskList:
        """/atrisk: members of the branch without counted service this quarter (secretaries only)."""

        async def work(unit: Unit, now: datetime) -> outcomes.AtRiskList:
            branch = await self._branch(unit, branch_id)
            await self._secretary(unit, now, actor, branch.id)
            quarter = current_quarter(now, self.tz)
            members = await unit.at_risk(branch.id, quarter.start, quarter.end, branch.done_counts_as_served)
            reported = len(await unit.members_of_branch(branch.id, reported_only=True))
            return outcomes.AtRiskList(branch, quarter.label(lang), tuple(members), reported)

        return await self._tx(work)

    async def enroll(self, branch_id: int, accounts: Sequence[Account]) -> int:
        """Put people on a branch's list by their chat accounts (a directory list); they report in later."""

        async def work(unit: Unit, now: datetime) -> int:
            branch = await self._branch(unit, branch_id)
            added = 0
            for account in accounts:
                member = await unit.member_by_account(account.platform, account.user_id)
                if member is None:
                    name = _clean(account.display_name or account.user_id, MAX_NAME * 2, "name")
                    member_id = await unit.create_member(now, name, home_branch_id=branch.id, language=account.language)
                    await unit.link_account(now, account, member_id)
                elif member.left_at is not None:
                    continue
                elif member.home_branch_id is None:
                    await unit.update_member(member.id, home_branch_id=branch.id)
                elif await unit.is_branch_member(branch.id, member.id):
                    continue
                else:
                    await unit.add_activity_branch(member.id, branch.id)
                added += 1
            await unit.audit(now, None, "branch.enroll", "branch", branch.id, added=added)
            return added

        return await self._tx(work)

    async def send_member_cards(self, wish_id: int, platform: str) -> int:
        """Record the wish's private card for everyone serving in its branch (home or activity) on ``platform``."""

        async def work(unit: Unit, now: datetime) -> int:
            wish = await self._wish(unit, wish_id)
            queued = 0
            for member in await unit.members_serving_branch(wish.branch_id):
                for account in await unit.accounts_of(member.id):
                    if account.platform != platform:
                        continue
                    queued += await unit.enqueue(
                        now,
                        dedupe_key=f"card:{wish.id}:{platform}:{account.user_id}",
                        kind="wish_card",
                        platform=platform,
                        chat=ChatRef(platform, account.user_id),
                        member_id=member.id,
                        payload={"wish_card": wish.id},
                    )
            return queued

        return await self._tx(work)

    async def welcome_once(self, actor: Account, message: OutgoingMessage) -> bool:
        """Record a welcome to this person's private chat, once ever per account; False if they were welcomed."""

        async def work(unit: Unit, now: datetime) -> bool:
            member = await unit.member_by_account(actor.platform, actor.user_id)
            return await unit.enqueue(
                now,
                dedupe_key=f"welcome:{actor.platform}:{actor.user_id}",
                kind="welcome",
                platform=actor.platform,
                chat=ChatRef(actor.platform, actor.user_id),
                member_id=member.id if member is not None else None,
                payload=message_payload(message),
            )

        return await self._tx(work)

    async def first_time(self, platform: str, key: str) -> bool:
        """Record an incoming update; False when it was already handled (a replay after a restart)."""
        return await self._tx(lambda unit, now: unit.first_time(platform, key, now))


def message_payload(
    message: OutgoingMessage, *, fallback_chat: ChatRef | None = None, mention: str | None = None
) -> dict[str, Any]:
    """An outgoing message as JSON for the outbox (attachments are never stored here)."""
    payload: dict[str, Any] = {
        "text": message.text,
        "buttons": [[{"label": b.label, "payload": b.payload, "url": b.url} for b in row] for row in message.buttons],
    }
    if message.photo_ref:
        payload["photo_ref"] = message.photo_ref
    if fallback_chat is not None:
        payload["fallback"] = {
            "platform": fallback_chat.platform,
            "chat_id": fallback_chat.chat_id,
            "thread_id": fallback_chat.thread_id,
            "mention": mention or "",
        }
    return payload


def _plain(data: dict[str, Any]) -> dict[str, Any]:
    """Dataclass fields made JSON-friendly (dates as ISO text, enums as values)."""
    out: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, datetime | date):
            out[key] = value.isoformat()
        elif isinstance(value, tuple):
            out[key] = list(value)
        elif hasattr(value, "value"):
            out[key] = value.value
        else:
            out[key] = value
    return out
