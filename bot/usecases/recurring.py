"""Use cases of recurring activities: a series posts each occurrence as its own wish and card, some days ahead;
members claim one occurrence (its card) or the whole series; /calendar is an .ics of what a member claimed."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from html import escape

from bot.domain import errors
from bot.domain.deadlines import expired
from bot.domain.model import ACTIVE_CLAIM_STATUSES, Account, Branch, ChatRef, ClaimStatus, WishStatus
from bot.domain.privacy import find_phones
from bot.domain.quarters import local_date
from bot.domain.recurring import read_recurrence, stated_schedule
from bot.domain.wish_text import parse_wish_text
from bot.i18n import t
from bot.notices.outbox import ClaimCard, WishCard
from bot.ports.storage import Unit
from bot.ports.storage.recurring import Series
from bot.reports.calendar_ics import claims_calendar
from bot.usecases import commands as cmd
from bot.usecases import outcomes
from bot.usecases.base import Base, record

PRIVATE_CARDS = frozenset({"wecom"})
"""Platforms whose group chats carry no buttons, so every member of the branch gets the wish's card privately."""
SHOWN_AHEAD = 4
"""How many coming days a new series names in the secretary's answer."""
_WEEKDAY_KEYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MAX_SERIES_TEXT = 1000


def occurrence_day(day: date, lang: str) -> str:
    """An occurrence's day as a title shows it: 12月5日（周六）."""
    return t(
        "series.day", lang, m=day.month, d=day.day, weekday=t(f"series.weekday.{_WEEKDAY_KEYS[day.weekday()]}", lang)
    )


class Recurring(Base):
    """Series of recurring activities and their occurrences."""

    async def post_series(self, c: cmd.PostSeries) -> outcomes.SeriesPosted:
        """Start a series: the text must state a recurrence and read as a wish (a count of people); the first
        occurrence is posted at once, the next ones by the daily job as they come within its days ahead."""
        if len(c.text) > MAX_SERIES_TEXT:
            raise errors.TextTooLong(field="wish", limit=MAX_SERIES_TEXT)

        async def work(unit: Unit, now: datetime) -> outcomes.SeriesPosted:
            return await self._start_series(unit, now, c)

        return await self._tx(work)

    async def _wish_as_series(self, c: cmd.PostWish) -> outcomes.WishPosted | None:
        """A plain wish whose text states a weekly or monthly rule (每周六…, 每月第一个周日…, every Saturday) becomes
        a series exactly as ``/recurring`` would make it, its first occurrence the wish posted. A text that does not
        yet read as a wish (no count) is left to the one-off path, which keeps the draft and asks; the count
        answered (``c.slots``) then goes into the series' text, as each occurrence reads it again."""
        today = local_date(self.clock.now(), self.tz)
        if len(c.text) > MAX_SERIES_TEXT or stated_schedule(c.text, today) is None:
            return None
        text = c.text if c.slots is None else f"{c.text} 名额{c.slots}"
        if parse_wish_text(text, today).wish is None:
            return None

        async def work(unit: Unit, now: datetime) -> outcomes.WishPosted | None:
            posted = await self._start_series(unit, now, cmd.PostSeries(c.actor, c.branch_id, text))
            if not posted.posted:
                return None
            await unit.drafts.delete(c.actor)
            view = await unit.wishes.view(posted.posted[0][1])
            assert view is not None
            return outcomes.WishPosted(view, series=posted)

        return await self._tx(work)

    async def _start_series(self, unit: Unit, now: datetime, c: cmd.PostSeries) -> outcomes.SeriesPosted:
        """Record the series and post its first occurrence (one unit)."""
        branch = await self._branch(unit, c.branch_id)
        secretary = await self._secretary(unit, now, c.actor, branch.id)
        self._chat_of(branch)
        today = local_date(now, self.tz)
        recurrence = read_recurrence(c.text, today)
        if recurrence is None:
            raise errors.InvalidInput(field="series_rule")
        parsed = parse_wish_text(c.text, today).wish
        if parsed is None:
            raise errors.InvalidInput(field="series_wish")
        series_id = await unit.recurring.add(
            now,
            branch_id=branch.id,
            text=c.text,
            title=parsed.title,
            recurrence=recurrence,
            starts_on=today,
            created_by=secretary.id,
        )
        await unit.audit.record(now, secretary.id, "series.post", "series", series_id)
        series = await unit.recurring.get(series_id)
        assert series is not None
        days = [d for d in recurrence.days(today, today + timedelta(days=400))[: SHOWN_AHEAD + 1]]
        days = [d for d in days if not self._started(series, d, now)]
        posted: list[tuple[date, int]] = []
        if days:
            wish_id = await self._post_occurrence(unit, now, series, branch, days[0])
            if wish_id is not None:
                posted.append((days[0], wish_id))
        return outcomes.SeriesPosted(series_id, parsed.title, tuple(posted), tuple(days[1:SHOWN_AHEAD]))

    def _started(self, series: Series, day: date, now: datetime) -> bool:
        """Whether the occurrence on ``day`` has begun (or, without a time of day, the day is over)."""
        at = series.recurrence.at
        local = now.astimezone(self.tz)
        if day != local.date():
            return day < local.date()
        return at is not None and local.time() >= at

    async def post_occurrences(self, now: datetime, *, days_ahead: int) -> int:
        """The daily job: every occurrence of an active series from today to ``days_ahead`` days on, posted once
        each (its own wish, card and slots); members who claimed the series are claimed into it. One unit per
        series, so a failure leaves the others posted."""
        today = local_date(now, self.tz)
        async with self.store.read() as unit:
            every = await unit.recurring.active()
        posted = 0
        for found in every:
            async with self.store.unit() as unit:
                series = await unit.recurring.get(found.id)
                branch = await unit.branches.get(found.branch_id)
                if series is None or series.ended_at is not None or branch is None or branch.chat is None:
                    continue
                if not branch.active:
                    continue
                done = await unit.recurring.posted_days(series.id, today)
                for day in series.recurrence.days(max(today, series.starts_on), today + timedelta(days=days_ahead)):
                    if day in done or self._started(series, day, now):
                        continue
                    posted += await self._post_occurrence(unit, now, series, branch, day) is not None
        return posted

    async def _post_occurrence(
        self, unit: Unit, now: datetime, series: Series, branch: Branch, day: date
    ) -> int | None:
        """One occurrence as its own wish: the series' text read again, its day the deadline (claims close when
        it starts), its card in the branch chat; None when the day was posted before."""
        parsed = parse_wish_text(series.text, local_date(now, self.tz)).wish
        if parsed is None:
            return None
        chat = self._chat_of(branch)
        lang = self.lang
        title = f"{parsed.title} · {occurrence_day(day, lang)}"
        about = t("series.description", lang, id=series.id)
        description = f"{parsed.description}\n{about}".strip() if parsed.description else about
        wish_id = await unit.wishes.add(
            now,
            branch_id=branch.id,
            title=title,
            description=description,
            category=parsed.category,
            slots=parsed.slots,
            team_claim=parsed.team_claim,
            deadline=day,
            urgency=parsed.urgency,
            created_by=series.created_by or 0,
            deadline_time=series.recurrence.at,
        )
        if not await unit.recurring.add_occurrence(series.id, day, wish_id):
            raise errors.InvalidTransition(status="posted")
        await record(
            unit, now, key=f"card:{wish_id}:{chat.chat_id}", kind="wish_card", chat=chat, member_id=None,
            notice=WishCard(wish_id),
        )  # fmt: skip
        if chat.platform in PRIVATE_CARDS:
            await self._private_cards(unit, now, wish_id, branch, chat.platform)
        await unit.audit.record(
            now, None, "wish.post", "wish", wish_id, series_id=series.id, phones=len(find_phones(series.text))
        )
        for member_id in await unit.recurring.members(series.id):
            await self._claim_into(unit, now, member_id, wish_id, branch)
        return wish_id

    async def _private_cards(self, unit: Unit, now: datetime, wish_id: int, branch: Branch, platform: str) -> None:
        for member in await unit.people.serving_branch(branch.id):
            for account in await unit.people.accounts_of(member.id):
                if account.platform == platform:
                    await record(
                        unit, now, key=f"card:{wish_id}:{platform}:{account.user_id}", kind="wish_card",
                        chat=ChatRef(platform, account.user_id), member_id=member.id, notice=WishCard(wish_id),
                    )  # fmt: skip

    async def _claim_into(self, unit: Unit, now: datetime, member_id: int, wish_id: int, branch: Branch) -> bool:
        """Claim a series member into one occurrence while it is open, not past and has a free slot."""
        member = await unit.people.get(member_id)
        wish = await unit.wishes.get(wish_id)
        if member is None or not member.reported or wish is None or wish.status != WishStatus.OPEN:
            return False
        if expired(wish, now, self.tz) or await unit.claims.active(wish_id, member_id) is not None:
            return False
        if len([c for c in await unit.claims.of_wish(wish_id) if c.status in ACTIVE_CLAIM_STATUSES]) >= wish.slots:
            return False
        claim = await unit.claims.add(now, wish_id, member_id, None)
        await unit.wishes.touch(wish_id)
        await unit.audit.record(now, member_id, "claim.series", "claim", claim.id, wish_id=wish_id)
        lang = await self._language(unit, member)
        await self._notify(
            unit, now, member, self._chat_of(branch).platform, f"claim:{claim.id}", "claim_notice",
            ClaimCard(claim.id, lang), fallback_chat=self._chat_of(branch),
        )  # fmt: skip
        return True

    async def join_series(self, c: cmd.JoinSeries) -> outcomes.SeriesJoined:
        """Claim a whole series: every posted occurrence still open with a free slot now, later ones as posted."""

        async def work(unit: Unit, now: datetime) -> outcomes.SeriesJoined:
            series = await unit.recurring.get(c.series_id)
            if series is None or series.ended_at is not None:
                raise errors.NotFound(field="series")
            member = await self._reported(unit, c.actor, branch_id=series.branch_id)
            if not await unit.people.belongs_to(series.branch_id, member.id):
                raise errors.NotBranchMember(branch=str(series.branch_id))
            branch = await self._branch(unit, series.branch_id)
            joined = await unit.recurring.join(now, series.id, member.id)
            claimed = []
            for _day, wish_id in sorted(
                (await unit.recurring.posted_days(series.id, local_date(now, self.tz))).items()
            ):
                if await self._claim_into(unit, now, member.id, wish_id, branch):
                    claimed.append(wish_id)
            if joined:
                await unit.audit.record(now, member.id, "series.join", "series", series.id)
            return outcomes.SeriesJoined(series.id, series.title, tuple(claimed), already=not joined)

        return await self._tx(work)

    async def leave_series(self, c: cmd.LeaveSeries) -> outcomes.SeriesLeft:
        """A member leaves a series: no longer claimed into new occurrences, their claims (and waitlist places) on
        occurrences still to come withdrawn, each freed slot going to the waitlist as any withdrawal; claims on
        occurrences that began or passed stay."""

        async def work(unit: Unit, now: datetime) -> outcomes.SeriesLeft:
            series = await unit.recurring.get(c.series_id)
            if series is None:
                raise errors.NotFound(field="series")
            member = await self._reported(unit, c.actor)
            left = await unit.recurring.leave(series.id, member.id)
            withdrawn: list[int] = []
            for day, wish_id in sorted((await unit.recurring.posted_days(series.id, local_date(now, self.tz))).items()):
                if self._started(series, day, now):
                    continue
                wish = await unit.wishes.get(wish_id)
                if wish is None:
                    continue
                claim = await unit.claims.active(wish_id, member.id)
                if claim is not None and claim.status == ClaimStatus.CLAIMED:
                    await unit.claims.save(replace(claim, status=ClaimStatus.WITHDRAWN, ended_at=now))
                    await unit.audit.record(now, member.id, "claim.withdraw", "claim", claim.id, wish_id=wish_id)
                    if wish.status == WishStatus.OPEN:
                        await self._promote(unit, now, wish)
                    await unit.wishes.touch(wish_id)
                    withdrawn.append(wish_id)
                elif await unit.waitlist.remove(wish_id, member.id):
                    await unit.wishes.touch(wish_id)
            if not left and not withdrawn:
                raise errors.NotInSeries(id=series.id)
            await unit.audit.record(now, member.id, "series.leave", "series", series.id, withdrawn=len(withdrawn))
            return outcomes.SeriesLeft(series.id, series.title, tuple(withdrawn))

        return await self._tx(work)

    async def end_series(self, c: cmd.EndSeries) -> outcomes.SeriesPosted:
        """A secretary ends a series; the occurrences already posted stay."""

        async def work(unit: Unit, now: datetime) -> outcomes.SeriesPosted:
            series = await unit.recurring.get(c.series_id)
            if series is None:
                raise errors.NotFound(field="series")
            secretary = await self._secretary(unit, now, c.actor, series.branch_id)
            if series.ended_at is None:
                await unit.recurring.end(series.id, now)
                await unit.audit.record(now, secretary.id, "series.end", "series", series.id)
            posted = await unit.recurring.posted_days(series.id, local_date(now, self.tz))
            return outcomes.SeriesPosted(series.id, series.title, tuple(sorted(posted.items())), ())

        return await self._tx(work)

    async def calendar(self, actor: Account) -> outcomes.CalendarFile:
        """An .ics file of the member's active claims that have a day (occurrences carry their time of day)."""

        async def work(unit: Unit) -> outcomes.CalendarFile:
            member = await self._reported(unit, actor)
            claims = await unit.claims.of_member(member.id)
            open_claims = [(claim, wish) for claim, wish in claims if wish.status != WishStatus.CANCELLED]
            content = claims_calendar(open_claims, self.clock.now(), self.tz, t("series.calendar_name", self.lang))
            events = sum(1 for _, wish in open_claims if wish.deadline is not None)
            return outcomes.CalendarFile(f"ebranch-{member.id}.ics", content, events)

        return await self._read(work)


def series_posted_text(posted: outcomes.SeriesPosted, lang: str) -> str:
    """The secretary's answer to a new series: its number, the occurrence posted, the days coming next."""
    first = ", ".join(f"#{wish_id} {occurrence_day(day, lang)}" for day, wish_id in posted.posted) or "—"
    coming = "、".join(occurrence_day(day, lang) for day in posted.next_days) or "—"
    return t("series.posted", lang, id=posted.series_id, title=escape(posted.title), first=first, next=coming)


def series_joined_text(joined: outcomes.SeriesJoined, lang: str) -> str:
    """A member's answer to /series N."""
    wishes = "、".join(f"#{wish_id}" for wish_id in joined.claimed) or "—"
    key = "series.joined_before" if joined.already else "series.joined"
    return t(key, lang, id=joined.series_id, title=escape(joined.title), wishes=wishes)


def series_left_text(left: outcomes.SeriesLeft, lang: str) -> str:
    """A member's answer to /leaveseries N."""
    wishes = "、".join(f"#{wish_id}" for wish_id in left.withdrawn) or "—"
    return t("series.left", lang, id=left.series_id, title=escape(left.title), wishes=wishes)
