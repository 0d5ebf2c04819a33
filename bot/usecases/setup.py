"""Use cases that set up the e-party-committee: committees, branches, secretaries, chats and rosters of a chat."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from bot.domain import errors
from bot.domain.model import Account, Branch, ChatRef, Committee
from bot.i18n import Phrase
from bot.ports.storage import Unit
from bot.usecases import commands as cmd
from bot.usecases import outcomes
from bot.usecases.base import MAX_NAME, Base, clean_text, platform_name
from bot.usecases.structure import StructureRow


class Setup(Base):
    """Committees, branches and secretaries, and following their chats."""

    async def create_committee(self, c: cmd.CreateCommittee) -> outcomes.CommitteeSet:
        """A bot admin makes a chat the committee's chat (creating the committee by name if needed)."""
        if not c.by_bot_admin:
            raise errors.NotAdmin()
        name = clean_text(c.name, MAX_NAME, "name")
        if not name:
            raise errors.InvalidInput(field="name")

        async def work(unit: Unit, now: datetime) -> outcomes.CommitteeSet:
            person = await self._person(unit, now, c.actor)
            if c.chat is not None:
                other = await unit.committees.by_chat(c.chat.platform, c.chat.chat_id)
                if other is not None and other.name != name:
                    raise errors.ChatAlreadyBound(name=other.name)
                if await unit.branches.by_chat(c.chat.platform, c.chat.chat_id) is not None:
                    raise errors.ChatAlreadyBound(name=name)
            existing = await unit.committees.by_name(name)
            if existing is None:
                committee_id = await unit.committees.create(now, name, c.chat)
                created = True
            else:
                committee_id = existing.id
                await unit.committees.set_chat(committee_id, c.chat)
                created = False
            await unit.committees.add_admin(now, committee_id, person.id)
            await unit.audit.record(now, person.id, "committee.set", "committee", committee_id, name=name)
            committee = await unit.committees.get(committee_id)
            assert committee is not None
            return outcomes.CommitteeSet(committee, created)

        return await self._tx(work)

    async def create_branch(self, c: cmd.CreateBranch) -> outcomes.BranchCreated | outcomes.ChooseCommittee:
        """A bot or committee admin binds a group chat to a new e-branch and becomes its secretary; a branch of that
        name set up offline (``ebranch setup``) is bound instead, by an admin or by its own secretary."""
        name = clean_text(c.name, MAX_NAME, "name")
        if not name:
            raise errors.InvalidInput(field="name")

        async def work(unit: Unit, now: datetime) -> outcomes.BranchCreated | outcomes.ChooseCommittee:
            person = await self._person(unit, now, c.actor)
            bound = await unit.branches.by_chat(c.chat.platform, c.chat.chat_id)
            if bound is not None:
                raise errors.ChatAlreadyBound(name=bound.name)
            committee_here = await unit.committees.by_chat(c.chat.platform, c.chat.chat_id)
            if committee_here is not None:
                raise errors.ChatAlreadyBound(name=committee_here.name)
            waiting = [b for b in await unit.branches.without_chat(name) if c.committee_id in (None, b.committee_id)]
            mine = [b for b in waiting if c.by_bot_admin or await self._may_bind(unit, b, person.id)]
            if len(mine) > 1:
                return outcomes.ChooseCommittee(tuple([await self._committee(unit, b.committee_id) for b in mine]))
            if mine:
                return await self._bind(unit, now, person.id, mine[0], c.chat)
            if c.committee_id is not None:
                candidates = [await self._committee(unit, c.committee_id)]
            elif c.by_bot_admin:
                candidates = await unit.committees.all()
            else:
                candidates = await unit.committees.administered_by(person.id)
            if not candidates:
                if waiting:
                    raise errors.BranchAwaitsSecretary(name=name)
                raise errors.NotCommitteeAdmin() if not c.by_bot_admin else errors.CommitteeNotFound()
            if len(candidates) > 1:
                return outcomes.ChooseCommittee(tuple(candidates))
            committee = candidates[0]
            if not c.by_bot_admin and not await unit.committees.is_admin(committee.id, person.id):
                raise errors.NotCommitteeAdmin()
            if await unit.branches.by_name(name, committee.id) is not None:
                raise errors.InvalidInput(field="name_taken")
            branch_id = await unit.branches.create(now, committee.id, name, c.chat)
            if self.done_counts_default:
                await unit.branches.set_options(branch_id, done_counts_as_served=True)
            await unit.branches.add_secretary(now, branch_id, person.id)
            await unit.audit.record(now, person.id, "branch.create", "branch", branch_id, name=name)
            return outcomes.BranchCreated(await self._branch(unit, branch_id), committee)

        return await self._tx(work)

    @staticmethod
    async def _may_bind(unit: Unit, branch: Branch, member_id: int) -> bool:
        """Who may give a branch set up offline its group: its committee's admins and its own secretaries."""
        return await unit.committees.is_admin(branch.committee_id, member_id) or await unit.branches.is_secretary(
            branch.id, member_id
        )

    @staticmethod
    async def _committee(unit: Unit, committee_id: int) -> Committee:
        committee = await unit.committees.get(committee_id)
        if committee is None:
            raise errors.CommitteeNotFound()
        return committee

    async def _bind(
        self, unit: Unit, now: datetime, member_id: int, branch: Branch, chat: ChatRef
    ) -> outcomes.BranchCreated:
        """The group becomes the chat of a branch that waited for it; its binder becomes its secretary only if it
        has none (the secretaries set up for it stay)."""
        await unit.branches.bind_chat(branch.id, chat)
        if not await unit.branches.secretaries(branch.id):
            await unit.branches.add_secretary(now, branch.id, member_id)
        await unit.audit.record(now, member_id, "branch.bind", "branch", branch.id, chat=chat.chat_id)
        return outcomes.BranchCreated(
            await self._branch(unit, branch.id),
            await self._committee(unit, branch.committee_id),
            bound=True,
            members=len(await unit.people.of_branch(branch.id)),
            secretary=await unit.branches.is_secretary(branch.id, member_id),
        )

    async def set_up_structure(self, rows: Sequence[StructureRow]) -> outcomes.StructureSet:
        """``ebranch setup``: create what the rows name and is missing (committees, branches without a chat yet,
        their secretaries by phone), all in one transaction; what exists already is left as it is."""

        async def work(unit: Unit, now: datetime) -> outcomes.StructureSet:
            committees: dict[str, int] = {}
            branches: dict[tuple[str, str], Branch] = {}
            count = dict.fromkeys(("c_new", "c_old", "b_new", "b_old", "s_new", "s_old", "people"), 0)
            notes: list[tuple[Phrase, str, str]] = []
            for row in rows:
                if row.committee not in committees:
                    committee = await unit.committees.by_name(row.committee)
                    if committee is None:
                        committees[row.committee] = await unit.committees.create(now, row.committee, None)
                        count["c_new"] += 1
                    else:
                        committees[row.committee] = committee.id
                        count["c_old"] += 1
                if not row.branch:
                    continue
                key = (row.committee, row.branch)
                if key not in branches:
                    committee_id = committees[row.committee]
                    branch = await unit.branches.by_name(row.branch, committee_id)
                    if branch is None:
                        branch_id = await unit.branches.create(now, committee_id, row.branch, None)
                        if self.done_counts_default:
                            await unit.branches.set_options(branch_id, done_counts_as_served=True)
                        branch = await self._branch(unit, branch_id)
                        count["b_new"] += 1
                    else:
                        count["b_old"] += 1
                    branches[key] = branch
                if row.secretary is None:
                    continue
                person = await unit.people.by_phone(row.secretary.phone)
                if person is None:
                    person_id = await unit.people.create(now, row.secretary.name, phone=row.secretary.phone)
                    count["people"] += 1
                else:
                    person_id = person.id
                    if person.name != row.secretary.name:
                        notes.append((row.where, row.secretary.phone, person.name))
                added = await unit.branches.add_secretary(now, branches[key].id, person_id)
                count["s_new" if added else "s_old"] += 1
            await unit.audit.record(now, None, "structure.setup", "committee", None, **count)
            waiting = [(committee, b.name) for (committee, _), b in branches.items() if b.chat is None]
            return outcomes.StructureSet(
                count["c_new"],
                count["c_old"],
                count["b_new"],
                count["b_old"],
                count["s_new"],
                count["s_old"],
                count["people"],
                tuple(waiting),
                tuple(notes),
            )

        return await self._tx(work)

    async def add_secretary(self, c: cmd.AddSecretary) -> outcomes.SecretaryAdded:
        """A secretary (or admin) makes another person a secretary of the branch."""

        async def work(unit: Unit, now: datetime) -> outcomes.SecretaryAdded:
            branch = await self._branch(unit, c.branch_id)
            person = await self._person(unit, now, c.actor)
            allowed = (
                c.by_bot_admin
                or await unit.branches.is_secretary(branch.id, person.id)
                or await unit.committees.is_admin(branch.committee_id, person.id)
            )
            if not allowed:
                raise errors.NotSecretary(branch_id=branch.id)
            target = await self._person(unit, now, c.target)
            added = await unit.branches.add_secretary(now, branch.id, target.id)
            await unit.audit.record(now, person.id, "branch.secretary", "member", target.id, branch_id=branch.id)
            return outcomes.SecretaryAdded(branch, target, already=not added)

        return await self._tx(work)

    async def chat_migrated(self, platform: str, old_chat_id: str, new_chat_id: str) -> None:
        """Follow a chat whose id changed (a Telegram group upgraded to a supergroup): keep everything."""

        async def work(unit: Unit, now: datetime) -> None:
            await unit.branches.move_chat(platform, old_chat_id, new_chat_id)
            await unit.audit.record(now, None, "chat.migrate", "chat", None, old=old_chat_id, new=new_chat_id)

        await self._tx(work)

    async def bot_membership(self, chat: ChatRef, present: bool) -> Branch | None:
        """The bot was removed from (or added back to) a chat: the branch goes inactive (data kept) or returns."""

        async def work(unit: Unit, now: datetime) -> Branch | None:
            branch = await unit.branches.by_chat(chat.platform, chat.chat_id)
            if branch is None or branch.active == present:
                return branch
            await unit.branches.set_active(branch.id, present)
            await unit.audit.record(now, None, "branch.active" if present else "branch.inactive", "branch", branch.id)
            return await unit.branches.get(branch.id)

        return await self._tx(work)

    async def branch(self, branch_id: int) -> Branch:
        """A branch by id (for deep links that carry it); BranchNotFound if there is none."""
        async with self.store.unit() as unit:
            return await self._branch(unit, branch_id)

    async def branch_of_chat(self, chat: ChatRef) -> Branch | None:
        """The branch bound to a chat, if any."""
        async with self.store.unit() as unit:
            return await unit.branches.by_chat(chat.platform, chat.chat_id)

    async def committee_of_chat(self, chat: ChatRef) -> Committee | None:
        """The committee whose chat this is, if any."""
        async with self.store.unit() as unit:
            return await unit.committees.by_chat(chat.platform, chat.chat_id)

    async def roles(self, actor: Account) -> outcomes.Roles:
        """What this person may do (for /help and the command menu)."""
        async with self.store.unit() as unit:
            member = await unit.people.by_account(actor.platform, actor.user_id)
            if member is None:
                return outcomes.Roles(None, (), ())
            return outcomes.Roles(
                member,
                tuple(await unit.branches.led_by(member.id)),
                tuple(await unit.committees.administered_by(member.id)),
                grid_worker_of=tuple(await unit.grid_workers.branches_of(member.id)),
            )

    async def enroll(self, branch_id: int, accounts: Sequence[Account]) -> int:
        """Put people on a branch's list by their chat accounts (a directory list); they report in later."""

        async def work(unit: Unit, now: datetime) -> int:
            branch = await self._branch(unit, branch_id)
            added = 0
            for account in accounts:
                member = await unit.people.by_account(account.platform, account.user_id)
                if member is None:
                    name = platform_name(account)
                    member_id = await unit.people.create(now, name, home_branch_id=branch.id, language=account.language)
                    await unit.people.link_account(now, account, member_id)
                elif member.left_at is not None:
                    continue
                elif member.home_branch_id is None:
                    await unit.people.save(replace(member, home_branch_id=branch.id))
                elif await unit.people.belongs_to(branch.id, member.id):
                    continue
                else:
                    await unit.people.add_activity_branch(member.id, branch.id)
                added += 1
            await unit.audit.record(now, None, "branch.enroll", "branch", branch.id, added=added)
            return added

        return await self._tx(work)
