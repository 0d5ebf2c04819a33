"""The weekly committee digest, the ledger export and 双报到 feedback: decided in the outbox, rendered on delivery."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.domain import errors
from bot.domain.model import Account, ChatRef, Committee
from bot.domain.quarters import local_date, quarter_of
from bot.i18n import t
from bot.jobs.nudges import JobDeps
from bot.ports.chat import Attachment, OutgoingMessage
from bot.ports.reports import ReportQueries
from bot.ports.storage import Store
from bot.reports import (
    DigestData,
    build_ledger_xlsx,
    build_workplace_feedback_xlsx,
    render_chart_png,
    render_digest_text,
)

Renderer = Callable[[dict[str, Any]], Awaitable[OutgoingMessage | None]]


def week_key(day: date) -> str:
    """ISO week of a local day, such as "2026W48" (used in dedupe keys)."""
    iso = day.isocalendar()
    return f"{iso.year}W{iso.week:02d}"


async def build_digest(reports: ReportQueries, committee: Committee, as_of: datetime, tz: ZoneInfo) -> DigestData:
    """A committee's digest for the seven full days before ``as_of``, compared with the seven before those."""
    end_day = local_date(as_of, tz)
    start_day = end_day - timedelta(days=7)
    last_day = end_day - timedelta(days=1)
    quarter = quarter_of(last_day)
    branches = await reports.branch_stats(committee.id, quarter.start, start_day, end_day, tz)
    previous = {}
    if quarter_of(start_day - timedelta(days=1)) == quarter:
        before = await reports.branch_stats(committee.id, quarter.start, start_day - timedelta(days=7), start_day, tz)
        previous = {stats.branch_id: stats for stats in before}
    return DigestData(
        committee_name=committee.name,
        generated_at=as_of.astimezone(tz),
        week_start=start_day,
        week_end=last_day,
        quarter_label=quarter.label(),
        quarter_elapsed=quarter.elapsed(last_day),
        branches=tuple(branches),
        previous=previous,
    )


@dataclass(frozen=True, slots=True)
class DigestFiles:
    """A rendered digest: the message text, the chart and the ledger."""

    text: str
    chart: Attachment
    ledger: Attachment

    def message(self) -> OutgoingMessage:
        """The digest as one message with both files attached."""
        return OutgoingMessage(self.text, attachments=(self.chart, self.ledger))


async def render_digest_files(
    store: Store, reports: ReportQueries, committee_id: int, as_of: datetime, tz: ZoneInfo, lang: str
) -> DigestFiles | None:
    """Render a committee's digest text, chart PNG and ledger .xlsx as of a moment."""
    async with store.unit() as unit:
        committee = await unit.committees.get(committee_id)
    if committee is None:
        return None
    data = await build_digest(reports, committee, as_of, tz)
    data = replace(data, quarter_label=quarter_of(data.week_end).label(lang))
    ledger = await reports.ledger(committee.id, None, as_of.astimezone(tz), tz)
    day = local_date(as_of, tz)
    chart = Attachment(t("sched.file.chart", lang, week=week_key(day)), render_chart_png(data, lang), is_image=True)
    workbook = await asyncio.to_thread(build_ledger_xlsx, ledger, lang)
    return DigestFiles(
        render_digest_text(data, lang),
        chart,
        Attachment(t("sched.file.ledger", lang, name=committee.name, date=day.isoformat()), workbook),
    )


def digest_payload(committee_id: int, as_of: datetime) -> dict[str, Any]:
    """The outbox payload of a digest decision; the files are rendered when it is delivered."""
    return {"render": "digest", "committee_id": committee_id, "as_of": as_of.isoformat()}


async def decide_digests(deps: JobDeps, now: datetime) -> int:
    """Record this week's digest for every committee with a chat, once per committee and week."""
    week = week_key(local_date(now, deps.tz))
    recorded = 0
    async with deps.store.unit() as unit:
        for committee in await unit.committees.all():
            if committee.chat is None:
                continue
            recorded += await unit.outbox.enqueue(
                now,
                dedupe_key=f"digest:{committee.id}:{week}",
                kind="digest",
                platform=committee.chat.platform,
                chat=committee.chat,
                member_id=None,
                payload=digest_payload(committee.id, now),
            )
    return recorded


def feedback_chat(setting: str | None, default_platform: str) -> ChatRef | None:
    """The configured workplace-feedback chat: "platform:chat_id", or a bare id on the committee's platform."""
    if not setting:
        return None
    platform, sep, chat_id = setting.partition(":")
    if sep and platform.isalpha():
        return ChatRef(platform, chat_id)
    return ChatRef(default_platform, setting)


async def decide_workplace_feedback(deps: JobDeps, now: datetime) -> int:
    """At a quarter's start, record last quarter's 双报到 feedback per workplace branch to the configured chat."""
    quarter = quarter_of(local_date(now, deps.tz)).previous()
    recorded = 0
    async with deps.store.unit() as unit:
        committees = await unit.committees.all()
    for committee in committees:
        chat = feedback_chat(deps.settings.workplace_feedback_chat, committee.chat.platform if committee.chat else "")
        if chat is None or not chat.platform:
            return 0
        feedback = await deps.reports.workplace_feedback(committee.id, quarter.start, quarter.end, quarter.key, now)
        async with deps.store.unit() as unit:
            for item in feedback:
                recorded += await unit.outbox.enqueue(
                    now,
                    dedupe_key=f"feedback:{committee.id}:{quarter.key}:{item.workplace_branch}",
                    kind="workplace_feedback",
                    platform=chat.platform,
                    chat=chat,
                    member_id=None,
                    payload={
                        "render": "workplace_feedback",
                        "committee_id": committee.id,
                        "workplace_branch": item.workplace_branch,
                        "quarter": [quarter.year, quarter.number],
                        "as_of": now.isoformat(),
                    },
                )
    return recorded


def renderers(store: Store, reports: ReportQueries, tz: ZoneInfo, lang: str) -> dict[str, Renderer]:
    """The outbox renderers of scheduled reports, by payload "render" type, for OutboxDelivery."""

    async def digest(payload: dict[str, Any]) -> OutgoingMessage | None:
        files = await render_digest_files(
            store, reports, int(payload["committee_id"]), datetime.fromisoformat(payload["as_of"]), tz, lang
        )
        return files.message() if files else None

    async def workplace(payload: dict[str, Any]) -> OutgoingMessage | None:
        year, number = payload["quarter"]
        quarter = quarter_of(date(year, 3 * (number - 1) + 1, 1))
        as_of = datetime.fromisoformat(payload["as_of"])
        found = await reports.workplace_feedback(
            int(payload["committee_id"]), quarter.start, quarter.end, quarter.label(lang), as_of.astimezone(tz)
        )
        item = next((f for f in found if f.workplace_branch == payload["workplace_branch"]), None)
        if item is None:
            return None
        text = t(
            "sched.feedback.text",
            lang,
            workplace=item.workplace_branch,
            quarter=item.quarter_label,
            count=len(item.members),
            served=sum(1 for m in item.members if m.served),
        )
        name = t("sched.file.feedback", lang, name=item.workplace_branch, quarter=quarter.key)
        return OutgoingMessage(text, attachments=(Attachment(name, build_workplace_feedback_xlsx(item, lang)),))

    return {"digest": digest, "workplace_feedback": workplace}


class ReportService:
    """What /digest and /export (and the CLI) call: reports with the permission rules of who may see what."""

    def __init__(self, deps: JobDeps) -> None:
        self.deps = deps

    async def digest_now(self, actor: Account, chat: ChatRef | None) -> bool:
        """/digest: a committee admin has it sent now here (privately: to their committee chat); False if just asked."""
        now = self.deps.usecases.clock.now()
        async with self.deps.store.unit() as unit:
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
            return await unit.outbox.enqueue(
                now,
                dedupe_key=f"digest_now:{committee.id}:{now.replace(second=0, microsecond=0).isoformat()}",
                kind="digest",
                platform=chat.platform,
                chat=chat,
                member_id=None,
                payload=digest_payload(committee.id, now),
            )

    async def enqueue_digest(self, committee_name: str) -> bool:
        """Record the committee's digest for sending to its chat now (the CLI without --out)."""
        now = self.deps.usecases.clock.now()
        async with self.deps.store.unit() as unit:
            committee = await unit.committees.by_name(committee_name)
            if committee is None:
                raise errors.CommitteeNotFound(name=committee_name)
            if committee.chat is None:
                raise errors.InvalidInput(field="chat")
            return await unit.outbox.enqueue(
                now,
                dedupe_key=f"digest_now:{committee.id}:{now.isoformat()}",
                kind="digest",
                platform=committee.chat.platform,
                chat=committee.chat,
                member_id=None,
                payload=digest_payload(committee.id, now),
            )

    async def export_ledger(
        self, actor: Account | None, *, committee_id: int | None = None, branch_id: int | None = None
    ) -> Attachment:
        """The ledger of a committee (its admins) or a branch (also its secretaries); no actor means the CLI."""
        deps = self.deps
        now = deps.usecases.clock.now()
        async with deps.store.unit() as unit:
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
        ledger = await deps.reports.ledger(
            committee.id, branch.id if branch else None, now.astimezone(deps.tz), deps.tz
        )
        name = branch.name if branch else committee.name
        day = local_date(now, deps.tz).isoformat()
        workbook = await asyncio.to_thread(build_ledger_xlsx, ledger, deps.lang)
        return Attachment(t("sched.file.ledger", deps.lang, name=name, date=day), workbook)

    async def export_here(self, actor: Account, chat: ChatRef | None) -> Attachment:
        """/export: the ledger of this committee chat or branch group; privately, of what the person administers."""
        async with self.deps.store.unit() as unit:
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
