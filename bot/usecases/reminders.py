"""Use cases of reminding: quarterly nudges, at-risk lists, unclaimed wishes and overdue claims, each recorded once."""

from __future__ import annotations

from collections.abc import AsyncIterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from html import escape

from bot.domain.deadlines import expired
from bot.domain.model import Branch, ChatRef, Member, Wish
from bot.domain.quarters import Quarter, current_quarter, local_date
from bot.i18n import normalize_language, t
from bot.notices import views
from bot.notices.outbox import Followup, NudgeCard, OverdueCard, Text
from bot.ports.chat import OutgoingMessage
from bot.ports.reports import NudgeCandidate
from bot.ports.storage import Unit
from bot.usecases.base import Base, private_chat, record
from bot.usecases.pairing_lists import overdue_pairings, overdue_pairings_text

SUGGESTIONS = 3
UNIT = 500  # members recorded per transaction: a unit runs on the event loop, so it stays short


@dataclass(frozen=True, slots=True)
class NudgeStep:
    """The reminder step due now in a quarter: its name (the dedupe key's part), firmness and days left."""

    quarter: Quarter
    name: str
    firm: bool
    days_left: int


def fits(wish: Wish, skills: Sequence[str]) -> bool:
    """Whether a wish suits a member: anyone fits a wish without a category, and a member without skills fits all."""
    if not skills or not wish.category:
        return True
    text = wish.category + wish.title
    return any(skill in text or (wish.category and wish.category in skill) for skill in skills)


def suggest(
    wishes: Sequence[tuple[Wish, int]], skills: Sequence[str], limit: int = SUGGESTIONS, exclude: set[int] | None = None
) -> list[Wish]:
    """Up to ``limit`` open wishes the member has not claimed: fitting ones first, nobody's first within each."""
    candidates = [(wish, taken) for wish, taken in wishes if wish.id not in (exclude or set())]
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


def language(member: Member, default: str) -> str:
    """The language to write to a member in."""
    return normalize_language(member.language) if member.language else default


class Reminders(Base):
    """Reminders the scheduled jobs decide: every one recorded in the outbox with a key that makes it once-only."""

    async def record_nudges(
        self,
        now: datetime,
        pages: AsyncIterable[list[NudgeCandidate]],
        step: NudgeStep,
        *,
        not_before: datetime | None,
        pause_days: int,
        lang: str,
    ) -> int:
        """Record this step's reminder for every candidate (or tell their secretaries they cannot be reached)."""
        suggestions: dict[int, list[tuple[Wish, int]]] = {}
        secretaries: dict[int, list[tuple[Member, ChatRef]]] = {}
        recorded = 0
        today = local_date(now, self.tz)
        async for page in pages:
            for first in range(0, len(page), UNIT):
                async with self.store.unit() as unit:
                    for candidate in page[first : first + UNIT]:
                        branch = candidate.branch
                        if branch.id not in suggestions:
                            open_now = await unit.wishes.with_free_slots(branch.id, limit=50, due_from=today)
                            suggestions[branch.id] = [(w, n) for w, n in open_now if not expired(w, now, self.tz)]
                            secretaries[branch.id] = await _secretary_chats(unit, branch)
                        recorded += await self._nudge_one(
                            unit,
                            now,
                            candidate,
                            step,
                            not_before,
                            pause_days,
                            lang,
                            suggestions[branch.id],
                            secretaries[branch.id],
                        )
        return recorded

    async def _nudge_one(
        self,
        unit: Unit,
        now: datetime,
        candidate: NudgeCandidate,
        step: NudgeStep,
        not_before: datetime | None,
        pause_days: int,
        lang: str,
        wishes: list[tuple[Wish, int]],
        secretaries: list[tuple[Member, ChatRef]],
    ) -> int:
        member, platform = candidate.member, self._chat_of(candidate.branch).platform
        quarter = step.quarter
        hooks = tuple(
            Followup(
                dedupe_key=f"nudge_unreachable:{member.id}:{quarter.key}:{secretary.id}",
                kind="nudge_unreachable",
                chat=chat,
                member_id=secretary.id,
                notice=Text(t("sched.unreachable", language(secretary, lang), name=escape(member.name))),
            )
            for secretary, chat in secretaries
            if secretary.id != member.id
        )
        if candidate.user_id is not None and candidate.reachable:
            claimed = {w.id for _, w in await unit.claims.of_member(member.id)}
            suggested = suggest(wishes, member.skills, exclude=claimed)
            reader = language(member, lang)
            message: Text | NudgeCard = Text.of(
                views.nudge_message(member, quarter, step.firm, step.days_left, suggested, pause_days, reader)
            )
            if suggested:  # claim buttons: a card that follows its wishes
                intro = views.nudge_intro(member, quarter, step.firm, step.days_left, reader)
                message = NudgeCard(intro, tuple(w.id for w in suggested), pause_days, reader)
            return int(
                await record(
                    unit,
                    now,
                    key=f"nudge:{member.id}:{quarter.key}:{step.name}",
                    kind="nudge",
                    chat=ChatRef(platform, candidate.user_id),
                    member_id=member.id,
                    notice=message,
                    followups=hooks,
                    not_before=not_before,
                )
            )
        for hook in hooks:
            await record(
                unit,
                now,
                key=hook.dedupe_key,
                kind=hook.kind,
                chat=hook.chat,
                member_id=hook.member_id,
                notice=hook.notice,
                not_before=not_before,
            )
        return 0

    async def record_at_risk_lists(self, now: datetime, *, not_before: datetime | None, lang: str) -> int:
        """Each week, every branch secretary's private list of members who have not served this quarter."""
        quarter = current_quarter(now, self.tz)
        week = local_date(now, self.tz).isocalendar()
        recorded = 0
        async with self.store.unit() as unit:
            for committee in await unit.committees.all():
                for branch in await unit.branches.of_committee(committee.id):
                    if not branch.active or branch.chat is None:
                        continue
                    members = await unit.services.at_risk(
                        branch.id, quarter.start, quarter.end, branch.done_counts_as_served
                    )
                    overdue = await overdue_pairings(unit, branch.id, local_date(now, self.tz))
                    if not members and not overdue:
                        continue
                    reported = len(await unit.people.of_branch(branch.id, reported_only=True))
                    for secretary in await unit.branches.secretaries(branch.id):
                        text_lang = language(secretary, lang)
                        text = views.at_risk_text(branch.name, quarter.label(text_lang), members, reported, text_lang)
                        if overdue:  # pairings (结对) whose visit is past due
                            today = local_date(now, self.tz)
                            text += "\n\n" + overdue_pairings_text(overdue, today, text_lang)
                        recorded += await self._notify(
                            unit,
                            now,
                            secretary,
                            branch.chat.platform,
                            f"at_risk:{branch.id}:{secretary.id}:{week.year}W{week.week:02d}",
                            "at_risk",
                            OutgoingMessage(t("sched.atrisk.intro", text_lang) + "\n\n" + text),
                            not_before=not_before,
                            only_reachable=True,
                        )
        return recorded

    async def record_unclaimed(
        self, now: datetime, wishes: Sequence[Wish], *, not_before: datetime | None, lang: str
    ) -> int:
        """One reminder to the branch secretaries (else the branch chat) for each wish nobody claimed for days; a wish
        past its deadline takes no claims, so nobody is asked to mention it again (extended, it is again)."""
        recorded = 0
        for wish in wishes:
            if expired(wish, now, self.tz):
                continue
            async with self.store.unit() as unit:
                branch = await unit.branches.get(wish.branch_id)
                if branch is None or branch.chat is None:
                    continue
                age = (local_date(now, self.tz) - local_date(wish.created_at, self.tz)).days
                chats = await _secretary_chats(unit, branch)
                for secretary, _chat in chats:
                    text_lang = language(secretary, lang)
                    message = OutgoingMessage(
                        t("sched.unclaimed", text_lang, id=wish.id, title=escape(wish.title), days=age)
                    )
                    recorded += await self._notify(
                        unit,
                        now,
                        secretary,
                        branch.chat.platform,
                        f"unclaimed:{wish.id}:{secretary.id}",
                        "unclaimed",
                        message,
                        not_before=not_before,
                        only_reachable=True,
                    )
                if not chats:
                    text = t("sched.unclaimed", lang, id=wish.id, title=escape(wish.title), days=age)
                    recorded += await record(
                        unit,
                        now,
                        key=f"unclaimed:{wish.id}:group",
                        kind="unclaimed",
                        chat=branch.chat,
                        member_id=None,
                        notice=Text(text),
                        not_before=not_before,
                    )
        return recorded

    async def record_overdue(
        self, now: datetime, overdue: Sequence[tuple[int, Wish]], *, not_before: datetime | None, lang: str
    ) -> int:
        """One private reminder to each member whose claim (by id) is past its wish's deadline and not done."""
        recorded = 0
        for claim_id, wish in overdue:
            async with self.store.unit() as unit:
                claim = await unit.claims.get(claim_id)
                member = await unit.people.get(claim.member_id) if claim is not None else None
                branch = await unit.branches.get(wish.branch_id)
                if claim is None or member is None or branch is None or branch.chat is None or wish.deadline is None:
                    continue
                message = OverdueCard(claim.id, language(member, lang))
                recorded += await self._notify(
                    unit,
                    now,
                    member,
                    branch.chat.platform,
                    f"overdue:{claim.id}",
                    "overdue",
                    message,
                    not_before=not_before,
                    only_reachable=True,
                )
        return recorded


async def _secretary_chats(unit: Unit, branch: Branch) -> list[tuple[Member, ChatRef]]:
    found: list[tuple[Member, ChatRef]] = []
    if branch.chat is None:
        return found
    for secretary in await unit.branches.secretaries(branch.id):
        chat = await private_chat(unit, secretary, branch.chat.platform)
        if chat is not None:
            found.append((secretary, chat))
    return found


def release_cutoff(today: date, days: int) -> date:
    """Claims whose deadline (and claim day) is before this day are released."""
    return today - timedelta(days=days)
