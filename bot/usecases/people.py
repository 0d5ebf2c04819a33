"""Use cases about people: report-in (报到), roster import, language, reminders paused, data access and leaving."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, replace
from datetime import datetime, timedelta
from typing import Any

from bot.domain import errors
from bot.domain.emergency import MAX_POST, EmergencyPost
from bot.domain.model import Account, ChatRef, ClaimStatus, Member
from bot.i18n import normalize_language
from bot.notices import views
from bot.notices.outbox import Text
from bot.ports.chat import OutgoingMessage
from bot.ports.storage import Unit
from bot.usecases import commands as cmd
from bot.usecases import outcomes
from bot.usecases.base import MAX_FIELD, MAX_NAME, Base, clean_text, plain_data, record, require_phone
from bot.usecases.roster import RosterRow


class People(Base):
    """Members: report-in, roster, preferences, their data (PIPL) and leaving."""

    async def report_in(self, c: cmd.ReportIn) -> outcomes.ReportedIn:
        """Report in (报到): fill in the profile; the group sees a public note the first time."""
        name = clean_text(c.name, MAX_NAME, "name")
        if not name:
            raise errors.InvalidInput(field="name")
        workplace = clean_text(c.workplace, MAX_FIELD, "workplace")
        workplace_branch = clean_text(c.workplace_branch, MAX_FIELD, "workplace_branch")
        commitment = clean_text(c.commitment, MAX_FIELD, "commitment")
        skills = tuple(dict.fromkeys(clean_text(s, MAX_NAME, "skills") for s in c.skills if s.strip()))[:12]
        post = EmergencyPost(clean_text(c.emergency_post, MAX_POST, "post"), clean_text(c.grid, MAX_POST, "grid"))

        async def work(unit: Unit, now: datetime) -> outcomes.ReportedIn:
            branch = await self._branch(unit, c.branch_id)
            if not branch.active:
                raise errors.BranchInactive()
            member = await self._person(unit, now, c.actor)
            first_time = member.reported_at is None
            also_serving = member.home_branch_id is not None and member.home_branch_id != branch.id
            await unit.people.save(
                replace(
                    member,
                    name=name,
                    workplace=workplace,
                    workplace_branch=workplace_branch,
                    skills=skills,
                    commitment=commitment,
                    home_branch_id=member.home_branch_id or branch.id,
                    reported_at=member.reported_at or now,
                )
            )
            if also_serving:
                await unit.people.add_activity_branch(member.id, branch.id)
            if post.post or post.grid:
                await unit.emergencies.set_post(now, member.id, post)
            await unit.audit.record(now, member.id, "member.report_in", "member", member.id, branch_id=branch.id)
            updated = await unit.people.get(member.id)
            assert updated is not None
            if (first_time or also_serving) and branch.chat is not None:
                await record(
                    unit,
                    now,
                    key=f"report_note:{member.id}:{branch.id}",
                    kind="report_note",
                    chat=branch.chat,
                    member_id=None,
                    notice=Text.of(views.report_note(updated, normalize_language(None))),
                )
            return outcomes.ReportedIn(updated, branch, first_time, also_serving)

        return await self._tx(work)

    async def link_phone(self, c: cmd.LinkPhone) -> outcomes.PhoneLinked:
        """Match a chat account to a roster entry by the phone number the person shared."""
        phone = require_phone(c.phone)

        async def work(unit: Unit, now: datetime) -> outcomes.PhoneLinked:
            entry = await unit.people.by_phone(phone)
            if entry is None:
                raise errors.NotFound(field="phone")
            current = await unit.people.by_account(c.actor.platform, c.actor.user_id)
            if current is not None and current.id != entry.id:
                if current.reported_at is not None:
                    if entry.reported_at is not None or await unit.people.accounts_of(entry.id):
                        raise errors.AlreadyMember()
                    return await self._adopt_entry(unit, now, current, entry)
                await unit.people.merge_into(current.id, entry.id)
            await unit.people.link_account(now, c.actor, entry.id)
            if entry.reported_at is None:
                await unit.people.save(replace(entry, reported_at=now))
            await unit.audit.record(now, entry.id, "member.link_phone", "member", entry.id, platform=c.actor.platform)
            linked = await unit.people.get(entry.id)
            assert linked is not None
            return outcomes.PhoneLinked(linked)

        return await self._tx(work)

    @staticmethod
    async def _adopt_entry(unit: Unit, now: datetime, current: Member, entry: Member) -> outcomes.PhoneLinked:
        """Someone who reported in without a phone shares the one an entry was listed under (a secretary set up
        by ``ebranch setup``, a roster line): the entry's roles and branch join the person, the entry goes."""
        await unit.people.save(replace(entry, phone=None))
        await unit.people.merge_into(entry.id, current.id)
        await unit.people.save(
            replace(current, phone=entry.phone, home_branch_id=current.home_branch_id or entry.home_branch_id)
        )
        await unit.audit.record(now, current.id, "member.link_phone", "member", current.id, merged=entry.id)
        linked = await unit.people.get(current.id)
        assert linked is not None
        return outcomes.PhoneLinked(linked)

    async def import_roster(
        self, branch_name: str, rows: Sequence[RosterRow], committee_name: str | None = None
    ) -> outcomes.RosterImported:
        """Pre-register members of a branch from a roster so they are matched by phone when they link an account."""

        async def work(unit: Unit, now: datetime) -> outcomes.RosterImported:
            committee_id = None
            if committee_name is not None:
                committee = await unit.committees.by_name(committee_name)
                if committee is None:
                    raise errors.CommitteeNotFound(name=committee_name)
                committee_id = committee.id
            branch = await unit.branches.by_name(branch_name, committee_id)
            if branch is None:
                raise errors.BranchNotFound(name=branch_name)
            created = updated = 0
            conflicts: list[tuple[int, str]] = []
            for row in rows:
                existing = await unit.people.by_phone(row.phone)
                name, workplace = row.name[:MAX_NAME], row.workplace[:MAX_FIELD]
                workplace_branch, commitment = row.workplace_branch[:MAX_FIELD], row.commitment[:MAX_FIELD]
                skills = row.skills[:12]
                if existing is None:
                    member_id = await unit.people.create(
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
                    await unit.people.save(
                        replace(
                            existing,
                            name=name,
                            home_branch_id=branch.id,
                            workplace=workplace,
                            workplace_branch=workplace_branch,
                            skills=tuple(skills),
                            commitment=commitment,
                        )
                    )
                    updated += 1
                if row.emergency_post or row.grid:
                    post = EmergencyPost(row.emergency_post[:MAX_NAME], row.grid[:MAX_NAME])
                    await unit.emergencies.set_post(now, member_id, post)
                if row.team:
                    team = await unit.teams.by_name(branch.id, row.team[:MAX_NAME])
                    team_id = team.id if team else await unit.teams.create(now, branch.id, row.team[:MAX_NAME], None)
                    await unit.teams.add_member(team_id, member_id)
                if row.grid_worker and await unit.grid_workers.appoint(now, branch.id, member_id, None):
                    await unit.audit.record(now, None, "gridworker.appoint", "member", member_id, branch_id=branch.id)
            await unit.audit.record(now, None, "roster.import", "branch", branch.id, created=created, updated=updated)
            return outcomes.RosterImported(branch, created, updated, tuple(conflicts))

        return await self._tx(work)

    async def set_language(self, c: cmd.SetLanguage) -> str:
        """Remember the language this person wants."""
        language = normalize_language(c.language)

        async def work(unit: Unit, now: datetime) -> str:
            member = await self._person(unit, now, c.actor)
            await unit.people.save(replace(member, language=language))
            return language

        return await self._tx(work)

    async def language_of(self, actor: Account) -> str:
        """The language to use with this person: chosen, else their platform's, else Chinese."""
        member = await self._read(lambda unit: unit.people.by_account(actor.platform, actor.user_id))
        if member is not None and member.language:
            return normalize_language(member.language)
        return normalize_language(actor.language)

    async def conversation(self, actor: Account) -> dict[str, Any] | None:
        """Where this person is in a multi-step chat conversation (report-in, reporting done...), if anywhere."""
        async with self.store.unit() as unit:
            return await unit.conversations.get(actor)

    async def set_conversation(self, actor: Account, state: dict[str, Any] | None) -> None:
        """Remember the conversation step so a restart in the middle of it loses nothing; None ends it."""
        await self._tx(lambda unit, now: unit.conversations.set(now, actor, state))

    async def pause_nudges(self, c: cmd.PauseNudges) -> datetime:
        """Pause quarterly reminders for ``days`` (1-60)."""
        if not 1 <= c.days <= 60:
            raise errors.InvalidInput(field="days")

        async def work(unit: Unit, now: datetime) -> datetime:
            member = await self._reported(unit, c.actor)
            until = now + timedelta(days=c.days)
            await unit.people.save(replace(member, nudges_paused_until=until))
            await unit.audit.record(now, member.id, "member.pause_nudges", "member", member.id, days=c.days)
            return until

        return await self._tx(work)

    async def my_data(self, actor: Account) -> outcomes.MyData:
        """Everything stored about the person (PIPL access right)."""
        async with self.store.unit() as unit:
            member = await unit.people.by_account(actor.platform, actor.user_id)
            if member is None:
                return outcomes.MyData({})
            data: dict[str, Any] = {"member": plain_data(asdict(member))}
            data["accounts"] = [plain_data(asdict(a)) for a in await unit.people.accounts_of(member.id)]
            data["secretary_of"] = [b.name for b in await unit.branches.led_by(member.id)]
            data["teams"] = [tm.name for tm in await unit.teams.of_member(member.id)]
            data["claims"] = [
                {"wish_id": w.id, "wish": w.title, **plain_data(asdict(cl))}
                for cl, w in await unit.claims.of_member(member.id, tuple(ClaimStatus))
            ]
            data["services"] = [plain_data(asdict(s)) for s in await unit.services.of_member(member.id)]
            data["audit"] = await unit.audit.of_member(member.id)
            post = await unit.emergencies.post_of(member.id)
            if post.post or post.grid:
                data["emergency_post"] = plain_data(asdict(post))
            return outcomes.MyData(data)

    async def leave(self, c: cmd.Leave) -> outcomes.Left:
        """Remove the person's personal data; open claims are released to the waitlist or the branch."""

        async def work(unit: Unit, now: datetime) -> outcomes.Left:
            member = await unit.people.by_account(c.actor.platform, c.actor.user_id)
            if member is None:
                raise errors.NotReported()
            released = []
            for claim, wish in await unit.claims.of_member(member.id, (ClaimStatus.CLAIMED,)):
                await unit.claims.save(replace(claim, status=ClaimStatus.WITHDRAWN, ended_at=now))
                await self._promote(unit, now, wish)
                await unit.wishes.touch(wish.id)
                released.append(wish.id)
            accounts = await unit.people.accounts_of(member.id)
            await unit.outbox.erase_for_member(member.id, [a.user_id for a in accounts])
            await unit.people.forget(now, member.id)
            await unit.audit.record(now, member.id, "member.leave", "member", member.id)
            return outcomes.Left(tuple(released))

        return await self._tx(work)

    async def welcome_once(self, actor: Account, message: OutgoingMessage) -> bool:
        """Record a welcome to this person's private chat, once ever per account; False if they were welcomed."""

        async def work(unit: Unit, now: datetime) -> bool:
            member = await unit.people.by_account(actor.platform, actor.user_id)
            return await record(
                unit,
                now,
                key=f"welcome:{actor.platform}:{actor.user_id}",
                kind="welcome",
                chat=ChatRef(actor.platform, actor.user_id),
                member_id=member.id if member is not None else None,
                notice=Text.of(message),
            )

        return await self._tx(work)

    async def first_time(self, platform: str, key: str) -> bool:
        """Record an incoming update; False when it was already handled (a replay after a restart)."""
        return await self._tx(lambda unit, now: unit.events.first_time(platform, key, now))
