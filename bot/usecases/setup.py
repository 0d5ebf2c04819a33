"""Use cases that set up the e-party-committee: committees, branches, secretaries, chats and rosters of a chat."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from bot.domain import errors
from bot.domain.model import Account, Branch, ChatRef, Committee
from bot.ports.storage import Unit
from bot.usecases import commands as cmd
from bot.usecases import outcomes
from bot.usecases.base import MAX_NAME, Base, clean_text, platform_name


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
        """A bot or committee admin binds a group chat to a new e-branch and becomes its secretary."""
        name = clean_text(c.name, MAX_NAME, "name")
        if not name:
            raise errors.InvalidInput(field="name")

        async def work(unit: Unit, now: datetime) -> outcomes.BranchCreated | outcomes.ChooseCommittee:
            person = await self._person(unit, now, c.actor)
            if c.committee_id is not None:
                committee = await unit.committees.get(c.committee_id)
                if committee is None:
                    raise errors.CommitteeNotFound()
                candidates = [committee]
            elif c.by_bot_admin:
                candidates = await unit.committees.all()
            else:
                candidates = await unit.committees.administered_by(person.id)
            if not candidates:
                raise errors.NotCommitteeAdmin() if not c.by_bot_admin else errors.CommitteeNotFound()
            if len(candidates) > 1:
                return outcomes.ChooseCommittee(tuple(candidates))
            committee = candidates[0]
            if not c.by_bot_admin and not await unit.committees.is_admin(committee.id, person.id):
                raise errors.NotCommitteeAdmin()
            bound = await unit.branches.by_chat(c.chat.platform, c.chat.chat_id)
            if bound is not None:
                raise errors.ChatAlreadyBound(name=bound.name)
            if await unit.committees.by_chat(c.chat.platform, c.chat.chat_id) is not None:
                raise errors.ChatAlreadyBound(name=committee.name)
            if await unit.branches.by_name(name, committee.id) is not None:
                raise errors.InvalidInput(field="name_taken")
            branch_id = await unit.branches.create(now, committee.id, name, c.chat)
            if self.done_counts_default:
                await unit.branches.set_options(branch_id, done_counts_as_served=True)
            await unit.branches.add_secretary(now, branch_id, person.id)
            await unit.audit.record(now, person.id, "branch.create", "branch", branch_id, name=name)
            return outcomes.BranchCreated(await self._branch(unit, branch_id), committee)

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
