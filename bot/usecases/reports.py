"""Use cases of reports: the weekly digest and 双报到 feedback decided in the outbox, /digest now, and the ledger."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace
from datetime import date, datetime

from bot.domain import errors
from bot.domain.model import Account, ChatRef
from bot.domain.quarters import local_date, quarter_of
from bot.domain.reports import LedgerData
from bot.i18n import t
from bot.notices.outbox import Digest, FeedbackFile
from bot.ports.chat import Attachment
from bot.ports.reports import ReportQueries
from bot.reports.ledger import build_ledger_xlsx
from bot.reports.render import week_key
from bot.usecases.base import Base, record
from bot.usecases.records import points_rule


def feedback_chat(setting: str | None, default_platform: str) -> ChatRef | None:
    """The configured workplace-feedback chat: "platform:chat_id", or a bare id on the committee's platform."""
    if not setting:
        return None
    platform, sep, chat_id = setting.partition(":")
    if sep and platform.isalpha():
        return ChatRef(platform, chat_id)
    return ChatRef(default_platform, setting)


@dataclass(frozen=True, slots=True)
class LedgerExport:
    """A ledger to write: whose it is (committee or branch name), the local day, and its rows (streamed)."""

    name: str
    day: date
    data: LedgerData

    def filename(self, lang: str) -> str:
        """The workbook's file name, such as 台账_南湖区e党委_2026-12-02.xlsx."""
        return t("sched.file.ledger", lang, name=self.name, date=self.day.isoformat())


class Reports(Base):
    """Who may see which report, and the report decisions the scheduler's jobs take."""

    def _queries(self) -> ReportQueries:
        if self.reports is None:
            raise errors.InvalidInput(field="reports")
        return self.reports

    async def record_digests(self, now: datetime) -> int:
        """Record this week's digest for every committee with a chat, once per committee and week."""
        week = week_key(local_date(now, self.tz))
        recorded = 0
        async with self.store.unit() as unit:
            for committee in await unit.committees.all():
                if committee.chat is None:
                    continue
                recorded += await record(
                    unit,
                    now,
                    key=f"digest:{committee.id}:{week}",
                    kind="digest",
                    chat=committee.chat,
                    member_id=None,
                    notice=Digest(committee.id, now),
                )
        return recorded

    async def record_workplace_feedback(self, now: datetime, chat_setting: str | None) -> int:
        """At a quarter's start, record last quarter's 双报到 feedback per workplace branch to the configured chat."""
        quarter = quarter_of(local_date(now, self.tz)).previous()
        recorded = 0
        async with self.store.read() as unit:
            committees = await unit.committees.all()
        for committee in committees:
            chat = feedback_chat(chat_setting, committee.chat.platform if committee.chat else "")
            if chat is None:
                return 0
            if not chat.platform:  # a bare chat id, and this committee has no chat to take the platform from
                continue
            feedback = await self._queries().workplace_feedback(
                committee.id, quarter.start, quarter.end, quarter.key, now
            )
            async with self.store.unit() as unit:
                for item in feedback:
                    notice = FeedbackFile(
                        committee.id, item.workplace_branch, quarter.year, quarter.number, now, item.workplace
                    )
                    at_workplace = f"@{item.workplace}" if item.workplace else ""
                    recorded += await record(
                        unit,
                        now,
                        key=f"feedback:{committee.id}:{quarter.key}:{item.workplace_branch}{at_workplace}",
                        kind="workplace_feedback",
                        chat=chat,
                        member_id=None,
                        notice=notice,
                    )
        return recorded

    async def digest_now(self, actor: Account, chat: ChatRef | None) -> bool:
        """/digest: a committee admin has it sent now here (privately: to their committee chat); False if just asked."""
        now = self.clock.now()
        async with self.store.unit() as unit:
            member = await unit.people.by_account(actor.platform, actor.user_id)
            if chat is not None:
                committee = await unit.committees.by_chat(chat.platform, chat.chat_id)
                if committee is None:
                    raise errors.CommitteeNotFound()
                if member is None or not await unit.committees.is_admin(committee.id, member.id):
                    raise errors.NotCommitteeAdmin()
            else:
                administered = await unit.committees.administered_by(member.id) if member else []
                if not administered:
                    raise errors.NotCommitteeAdmin()
                committee = next((c for c in administered if c.chat is not None), administered[0])
                if committee.chat is None:
                    raise errors.InvalidInput(field="chat")
                chat = committee.chat
            key = f"digest_now:{committee.id}:{now.replace(second=0, microsecond=0).isoformat()}"
            return await record(
                unit, now, key=key, kind="digest", chat=chat, member_id=None, notice=Digest(committee.id, now)
            )

    async def enqueue_digest(self, committee_name: str) -> bool:
        """Record the committee's digest for sending to its chat now (the CLI without --out)."""
        now = self.clock.now()
        async with self.store.unit() as unit:
            committee = await unit.committees.by_name(committee_name)
            if committee is None:
                raise errors.CommitteeNotFound(name=committee_name)
            if committee.chat is None:
                raise errors.InvalidInput(field="chat")
            return await record(
                unit,
                now,
                key=f"digest_now:{committee.id}:{now.isoformat()}",
                kind="digest",
                chat=committee.chat,
                member_id=None,
                notice=Digest(committee.id, now),
            )

    async def ledger_of(
        self, actor: Account | None, *, committee_id: int | None = None, branch_id: int | None = None
    ) -> LedgerExport:
        """The ledger's rows of a committee (its admins) or a branch (also its secretaries); no actor means the CLI."""
        now = self.clock.now()
        async with self.store.read() as unit:
            branch = await unit.branches.get(branch_id) if branch_id is not None else None
            if branch_id is not None and branch is None:
                raise errors.BranchNotFound(branch_id=branch_id)
            scope_committee = branch.committee_id if branch else committee_id
            committee = await unit.committees.get(scope_committee) if scope_committee is not None else None
            if committee is None:
                raise errors.CommitteeNotFound()
            if actor is not None:
                member = await unit.people.by_account(actor.platform, actor.user_id)
                admin = member is not None and await unit.committees.is_admin(committee.id, member.id)
                secretary = (
                    branch is not None and member is not None and await unit.branches.is_secretary(branch.id, member.id)
                )
                if not (admin or secretary):
                    raise errors.NotSecretary(branch_id=branch.id) if branch else errors.NotCommitteeAdmin()
        ledger = await self._queries().ledger(
            committee.id, branch.id if branch else None, now.astimezone(self.tz), self.tz
        )
        if self.records.points_enabled:
            ledger = replace(ledger, points=points_rule(self.records))
        return LedgerExport(branch.name if branch else committee.name, local_date(now, self.tz), ledger)

    async def export_ledger(
        self, actor: Account | None, *, committee_id: int | None = None, branch_id: int | None = None
    ) -> Attachment:
        """The ledger workbook of a committee (its admins) or a branch (also its secretaries); no actor: the CLI."""
        found = await self.ledger_of(actor, committee_id=committee_id, branch_id=branch_id)
        workbook = await asyncio.to_thread(build_ledger_xlsx, found.data, self.lang)
        return Attachment(found.filename(self.lang), workbook)

    async def export_here(self, actor: Account, chat: ChatRef | None) -> Attachment:
        """/export: the ledger of this committee chat or branch group; privately, of what the person administers."""
        async with self.store.read() as unit:
            if chat is not None:
                committee = await unit.committees.by_chat(chat.platform, chat.chat_id)
                branch = None if committee else await unit.branches.by_chat(chat.platform, chat.chat_id)
                if committee is None and branch is None:
                    raise errors.BranchNotFound()
            else:
                member = await unit.people.by_account(actor.platform, actor.user_id)
                administered = await unit.committees.administered_by(member.id) if member else []
                committee = administered[0] if administered else None
                led = await unit.branches.led_by(member.id) if member and not committee else []
                branch = led[0] if led else None
                if committee is None and branch is None:
                    raise errors.NotSecretary()
        if branch is not None:
            return await self.export_ledger(actor, branch_id=branch.id)
        assert committee is not None
        return await self.export_ledger(actor, committee_id=committee.id)
