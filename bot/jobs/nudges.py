"""Quarterly nudges and deadline reminders: platform-free decisions recorded in the outbox before anything is sent."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from html import escape
from typing import Any
from zoneinfo import ZoneInfo

from bot.config import SchedulerConfig
from bot.domain.model import Branch, ChatRef, Member, Wish
from bot.domain.quarters import Quarter, current_quarter, local_date
from bot.i18n import normalize_language, t
from bot.notices.callbacks import Act, encode
from bot.notices.views import at_risk_text, format_date
from bot.ports.chat import Button, OutgoingMessage
from bot.ports.reports import NudgeCandidate, ReportQueries
from bot.ports.storage import Store, Unit
from bot.usecases import UseCases, message_payload

SUGGESTIONS = 3
PAGE = 2000  # members read per page of the sweep: fewer round trips to the report connection
UNIT = 500  # members recorded per transaction: a unit runs on the event loop, so it stays short
BUTTON_TITLE = 12


@dataclass(frozen=True, slots=True)
class JobDeps:
    """What every scheduled job needs: storage, the report queries, the use cases and the schedule settings."""

    store: Store
    reports: ReportQueries
    usecases: UseCases
    tz: ZoneInfo
    settings: SchedulerConfig
    lang: str = "zh"


def quiet_until(now: datetime, tz: ZoneInfo, start: time, end: time) -> datetime | None:
    """The end of the quiet hours ``now`` falls in (in UTC, as the outbox stores times), or None outside them."""
    local = now.astimezone(tz)
    clock = local.time().replace(tzinfo=None)
    if start > end:
        quiet = clock >= start or clock < end
        day = local.date() + timedelta(days=1) if clock >= start else local.date()
    else:
        quiet = start <= clock < end
        day = local.date()
    return datetime.combine(day, end, tzinfo=tz).astimezone(UTC) if quiet else None


def send_time(deps: JobDeps, now: datetime) -> datetime | None:
    """When a private message decided now may go out: None for right away, else the end of quiet hours."""
    return quiet_until(now, deps.tz, deps.settings.quiet_start, deps.settings.quiet_end)


def nudge_steps(quarter: Quarter, settings: SchedulerConfig) -> list[tuple[str, date]]:
    """The quarter's reminder steps and the day each becomes due: after day N, then weekly in the last weeks."""
    steps: dict[str, date] = {}
    for after in settings.nudge_after_days:
        if after < quarter.days:
            steps[f"d{after}"] = quarter.start + timedelta(days=after)
    for weeks_left in range(settings.weekly_in_last_weeks, 0, -1):
        day = quarter.end - timedelta(weeks=weeks_left)
        if day > quarter.start:
            steps[f"w{weeks_left}"] = day
    return sorted(steps.items(), key=lambda item: (item[1], item[0]))


def due_step(today: date, settings: SchedulerConfig) -> tuple[Quarter, str, bool] | None:
    """The latest step due on ``today`` (quarter, step name, firm?) or None before the first one."""
    quarter = Quarter(today.year, (today.month - 1) // 3 + 1)
    due = [(name, day) for name, day in nudge_steps(quarter, settings) if day <= today]
    if not due:
        return None
    name = due[-1][0]
    return quarter, name, name.startswith("w")


def fits(wish: Wish, skills: Sequence[str]) -> bool:
    """Whether a wish suits a member: anyone fits a wish without a category, and a member without skills fits all."""
    if not skills or not wish.category:
        return True
    text = wish.category + wish.title
    return any(skill in text or (wish.category and wish.category in skill) for skill in skills)


def suggest(
    wishes: Sequence[tuple[Wish, int]],
    skills: Sequence[str],
    limit: int = SUGGESTIONS,
    exclude: Collection[int] = (),
) -> list[Wish]:
    """Up to ``limit`` open wishes the member has not claimed: fitting ones first, nobody's first within each."""
    candidates = [(wish, taken) for wish, taken in wishes if wish.id not in exclude]
    candidates.sort(
        key=lambda item: (
            not fits(item[0], skills),
            item[1],
            item[0].deadline is None,
            item[0].deadline or date.max,
            item[0].id,
        )
    )
    return [wish for wish, _ in candidates[:limit]]


def _short(title: str) -> str:
    return title if len(title) <= BUTTON_TITLE else title[: BUTTON_TITLE - 1] + "…"


def nudge_message(
    member: Member, quarter: Quarter, firm: bool, days_left: int, wishes: Sequence[Wish], pause_days: int, lang: str
) -> OutgoingMessage:
    """The private reminder: polite, firmer near the quarter's end, with claim buttons and a pause button."""
    key = "sched.nudge.firm" if firm else "sched.nudge.gentle"
    lines = [t(key, lang, name=escape(member.name), quarter=quarter.label(lang), days=days_left)]
    if wishes:
        lines += [t("sched.nudge.wish", lang, id=w.id, title=escape(w.title)) for w in wishes]
    else:
        lines.append(t("sched.nudge.no_wishes", lang))
    buttons = [
        (Button(t("sched.btn.claim", lang, id=w.id, title=_short(w.title)), encode(Act.CLAIM, w.id)),) for w in wishes
    ]
    buttons.append((Button(t("sched.btn.pause", lang), encode(Act.PAUSE_NUDGES, pause_days)),))
    return OutgoingMessage("\n".join(lines), tuple(buttons))


async def private_chat(unit: Unit, member: Member, platform: str) -> ChatRef | None:
    """The member's private chat on a platform, if they have one that has not failed permanently."""
    for account in await unit.people.accounts_of(member.id):
        if account.platform == platform and await unit.people.reachable(platform, account.user_id):
            return ChatRef(platform, account.user_id)
    return None


async def tell(
    unit: Unit,
    now: datetime,
    member: Member,
    platform: str,
    key: str,
    kind: str,
    message: OutgoingMessage,
    not_before: datetime | None,
    **extra: object,
) -> bool:
    """Record a private message to a member; False when they cannot be reached or it was already recorded."""
    chat = await private_chat(unit, member, platform)
    if chat is None:
        return False
    payload = {**message_payload(message), **extra}
    return await unit.outbox.enqueue(
        now,
        dedupe_key=key,
        kind=kind,
        platform=platform,
        chat=chat,
        member_id=member.id,
        payload=payload,
        not_before=not_before,
    )


def language(member: Member, default: str) -> str:
    """The language to write to a member in."""
    return normalize_language(member.language) if member.language else default


async def send_nudges(deps: JobDeps, now: datetime) -> int:
    """Record the reminder due now for every member who has not served this quarter; returns how many were new."""
    step = due_step(local_date(now, deps.tz), deps.settings)
    if step is None:
        return 0
    quarter, name, firm = step
    today = local_date(now, deps.tz)
    not_before = send_time(deps, now)
    suggestions: dict[int, list[tuple[Wish, int]]] = {}
    secretaries: dict[int, list[tuple[Member, ChatRef]]] = {}
    recorded = 0
    async for page in deps.reports.nudge_candidates(quarter.start, quarter.end, now, batch=PAGE):
        for first in range(0, len(page), UNIT):
            async with deps.store.unit() as unit:
                for candidate in page[first : first + UNIT]:
                    branch = candidate.branch
                    if branch.id not in suggestions:
                        suggestions[branch.id] = await unit.wishes.with_free_slots(branch.id, limit=50)
                        secretaries[branch.id] = await _secretary_chats(unit, branch)
                    recorded += await _nudge_one(
                        deps, unit, now, candidate, quarter, name, firm, (quarter.end - today).days, not_before,
                        suggestions[branch.id], secretaries[branch.id],
                    )  # fmt: skip
    return recorded


async def _secretary_chats(unit: Unit, branch: Branch) -> list[tuple[Member, ChatRef]]:
    found = []
    for secretary in await unit.branches.secretaries(branch.id):
        chat = await private_chat(unit, secretary, branch.chat.platform)
        if chat is not None:
            found.append((secretary, chat))
    return found


async def _nudge_one(
    deps: JobDeps,
    unit: Unit,
    now: datetime,
    candidate: NudgeCandidate,
    quarter: Quarter,
    step: str,
    firm: bool,
    days_left: int,
    not_before: datetime | None,
    wishes: list[tuple[Wish, int]],
    secretaries: list[tuple[Member, ChatRef]],
) -> int:
    member, platform = candidate.member, candidate.branch.chat.platform
    hooks: list[dict[str, Any]] = [
        {
            "dedupe_key": f"nudge_unreachable:{member.id}:{quarter.key}:{secretary.id}",
            "kind": "nudge_unreachable",
            "chat_id": chat.chat_id,
            "member_id": secretary.id,
            "text": t("sched.unreachable", language(secretary, deps.lang), name=escape(member.name)),
        }
        for secretary, chat in secretaries
        if secretary.id != member.id
    ]
    if candidate.user_id is not None and candidate.reachable:
        lang = language(member, deps.lang)
        message = nudge_message(
            member,
            quarter,
            firm,
            days_left,
            suggest(wishes, member.skills, exclude={w.id for _, w in await unit.claims.of_member(member.id)}),
            deps.settings.pause_days,
            lang,
        )
        return int(
            await unit.outbox.enqueue(
                now,
                dedupe_key=f"nudge:{member.id}:{quarter.key}:{step}",
                kind="nudge",
                platform=platform,
                chat=ChatRef(platform, candidate.user_id),
                member_id=member.id,
                payload={**message_payload(message), "on_unreachable": hooks},
                not_before=not_before,
            )
        )
    for hook in hooks:
        await unit.outbox.enqueue(
            now,
            dedupe_key=hook["dedupe_key"],
            kind="nudge_unreachable",
            platform=platform,
            chat=ChatRef(platform, str(hook["chat_id"])),
            member_id=int(hook["member_id"]),
            payload={"text": hook["text"], "buttons": []},
            not_before=not_before,
        )
    return 0


async def remind_at_risk(deps: JobDeps, now: datetime) -> int:
    """Each week, send every branch secretary the private list of members who have not served this quarter."""
    quarter = current_quarter(now, deps.tz)
    week = local_date(now, deps.tz).isocalendar()
    not_before = send_time(deps, now)
    recorded = 0
    async with deps.store.unit() as unit:
        for committee in await unit.committees.all():
            for branch in await unit.branches.of_committee(committee.id):
                if not branch.active:
                    continue
                members = await unit.services.at_risk(
                    branch.id, quarter.start, quarter.end, branch.done_counts_as_served
                )
                if not members:
                    continue
                reported = len(await unit.people.of_branch(branch.id, reported_only=True))
                for secretary in await unit.branches.secretaries(branch.id):
                    lang = language(secretary, deps.lang)
                    text = at_risk_text(branch.name, quarter.label(lang), members, reported, lang)
                    recorded += await tell(
                        unit,
                        now,
                        secretary,
                        branch.chat.platform,
                        f"at_risk:{branch.id}:{secretary.id}:{week.year}W{week.week:02d}",
                        "at_risk",
                        OutgoingMessage(t("sched.atrisk.intro", lang) + "\n\n" + text),
                        not_before,
                    )
    return recorded


async def remind_unclaimed(deps: JobDeps, now: datetime) -> int:
    """One reminder to the branch secretaries (else the branch chat) for each wish nobody claimed for N days."""
    days = deps.settings.unclaimed_reminder_days
    not_before = send_time(deps, now)
    recorded = 0
    for wish in await deps.reports.unclaimed_wishes(now - timedelta(days=days)):
        async with deps.store.unit() as unit:
            branch = await unit.branches.get(wish.branch_id)
            if branch is None:
                continue
            age = (local_date(now, deps.tz) - local_date(wish.created_at, deps.tz)).days
            chats = await _secretary_chats(unit, branch)
            for secretary, _chat in chats:
                lang = language(secretary, deps.lang)
                message = OutgoingMessage(t("sched.unclaimed", lang, id=wish.id, title=escape(wish.title), days=age))
                key = f"unclaimed:{wish.id}:{secretary.id}"
                recorded += await tell(
                    unit, now, secretary, branch.chat.platform, key, "unclaimed", message, not_before
                )
            if not chats:
                text = t("sched.unclaimed", deps.lang, id=wish.id, title=escape(wish.title), days=age)
                recorded += await unit.outbox.enqueue(
                    now,
                    dedupe_key=f"unclaimed:{wish.id}:group",
                    kind="unclaimed",
                    platform=branch.chat.platform,
                    chat=branch.chat,
                    member_id=None,
                    payload={"text": text, "buttons": []},
                    not_before=not_before,
                )
    return recorded


async def remind_overdue(deps: JobDeps, now: datetime) -> int:
    """One private reminder to each member whose claim is past its wish's deadline and not reported done."""
    today = local_date(now, deps.tz)
    not_before = send_time(deps, now)
    recorded = 0
    for claim, wish in await deps.reports.overdue_claims(today):
        async with deps.store.unit() as unit:
            member = await unit.people.get(claim.member_id)
            branch = await unit.branches.get(wish.branch_id)
            if member is None or branch is None or wish.deadline is None:
                continue
            lang = language(member, deps.lang)
            text = t("sched.overdue", lang, id=wish.id, title=escape(wish.title), date=format_date(wish.deadline, lang))
            buttons = (
                (
                    Button(t("btn.done", lang), encode(Act.DONE, claim.id)),
                    Button(t("btn.give_up", lang), encode(Act.WITHDRAW, wish.id)),
                ),
            )
            message = OutgoingMessage(text, buttons)
            key = f"overdue:{claim.id}"
            recorded += await tell(unit, now, member, branch.chat.platform, key, "overdue", message, not_before)
    return recorded


async def release_stale(deps: JobDeps, now: datetime) -> int:
    """Release claims still not done ``release_after_days`` after the deadline (and after the claim) to the branch."""
    days = deps.settings.release_after_days
    cutoff = local_date(now, deps.tz) - timedelta(days=days)
    released = 0
    for claim, _wish in await deps.reports.overdue_claims(cutoff):
        if local_date(claim.claimed_at, deps.tz) < cutoff:
            released += await deps.usecases.release_stale_claim(claim.id, days, not_before=send_time(deps, now))
    return released


async def daily_reminders(deps: JobDeps, now: datetime) -> int:
    """The daily pass: release stale claims, then remind overdue claimers and secretaries of unclaimed wishes."""
    return await release_stale(deps, now) + await remind_overdue(deps, now) + await remind_unclaimed(deps, now)
