"""Use cases of a micro-wish (微心愿): post, claim (one transaction), waitlist, withdraw, release, deadlines, cancel."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time
from html import escape

from bot.config.sections import EmergencyConfig
from bot.domain import errors
from bot.domain.deadlines import deadline_passed, expired
from bot.domain.model import Account, Branch, ChatRef, ClaimStatus, Member, Wish, WishStatus, WishView
from bot.domain.privacy import find_phones
from bot.domain.quarters import local_date
from bot.domain.wish_text import MAX_WISH_TEXT, ParseProblem, parse_wish_text
from bot.domain.wish_text.deadlines import read_deadline_phrase
from bot.notices import views
from bot.notices.outbox import ClaimCard, ManageCard, WishCard
from bot.ports.storage import Unit
from bot.usecases import commands as cmd
from bot.usecases import outcomes
from bot.usecases.base import MAX_FIELD, MAX_NOTE, Base, clean_text, record
from bot.usecases.emergency import offer_task

EXPIRY_BATCH = 500  # wishes looked at per transaction of the deadline job


class Wishes(Base):
    """Posting wishes and claiming them."""

    async def post_wish(self, c: cmd.PostWish) -> outcomes.WishPosted | outcomes.WishNeedsFix:
        """A secretary posts a wish by writing it naturally; unreadable text is kept as a draft and asked about; a
        text stating a recurrence (每周六…) becomes a series (``_wish_as_series``)."""
        if len(c.text) > MAX_WISH_TEXT:
            raise errors.TextTooLong(field="wish", limit=MAX_WISH_TEXT)
        if (series := await self._wish_as_series(c)) is not None:
            return series

        async def work(unit: Unit, now: datetime) -> outcomes.WishPosted | outcomes.WishNeedsFix:
            branch = await self._branch(unit, c.branch_id)
            if not branch.active:
                raise errors.BranchInactive()
            secretary = await self._secretary(unit, now, c.actor, branch.id)
            self._chat_of(branch)
            local = now.astimezone(self.tz)
            result = parse_wish_text(c.text, local_date(now, self.tz), local.time(), slots=c.slots)
            if result.wish is None:
                await unit.drafts.save(now, c.actor, branch.id, c.text)
                return outcomes.WishNeedsFix(result.problems, c.text)
            parsed = result.wish
            if parsed.deadline is not None and deadline_passed(parsed.deadline, parsed.deadline_time, now, self.tz):
                await unit.drafts.save(now, c.actor, branch.id, c.text)
                moment = f"{parsed.deadline.isoformat()} {parsed.deadline_time or ''}".strip()
                return outcomes.WishNeedsFix((ParseProblem("wish.deadline_time_past", (("date", moment),)),), c.text)
            wish_id = await unit.wishes.add(
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
                deadline_time=parsed.deadline_time,
            )
            await unit.drafts.delete(c.actor)
            home = self._chat_of(branch)
            target = c.chat if c.chat is not None and c.chat.chat_id == home.chat_id else home
            await record(
                unit,
                now,
                key=f"card:{wish_id}:{target.chat_id}",
                kind="wish_card",
                chat=target,
                member_id=None,
                notice=WishCard(wish_id),
            )
            posts = (self.emergency_config or EmergencyConfig()).posts
            await offer_task(unit, now, branch, wish_id, parsed, posts)
            await unit.audit.record(
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
            return await unit.drafts.get(actor)

    async def card_posted(self, wish_id: int, chat: ChatRef, message_id: str, kind: str = "group") -> None:
        """Remember a message showing a wish so later changes are edited into it."""

        async def work(unit: Unit, now: datetime) -> None:
            wish = await self._wish(unit, wish_id)
            await unit.cards.add(now, wish_id, chat, message_id, kind, wish.version)

        await self._tx(work)

    async def send_manage_card(self, actor: Account, wish_id: int) -> bool:
        """Send a secretary of the wish's branch its private card with 结束认领 / 取消心愿 (a card that follows the
        wish); False if they have no private chat on this platform."""

        async def work(unit: Unit, now: datetime) -> bool:
            wish = await self._wish(unit, wish_id)
            secretary = await self._secretary(unit, now, actor, wish.branch_id)
            lang = await self._language(unit, secretary)
            return await self._notify(
                unit,
                now,
                secretary,
                actor.platform,
                f"manage:{wish.id}:{secretary.id}:{now.isoformat()}",
                "manage",
                ManageCard(wish.id, lang),
            )

        return await self._tx(work)

    async def card_pressed(self, chat: ChatRef, old_prefix: str, message_id: str, *, refresh: bool) -> bool:
        """A press on a known card handed out a fresh edit handle: the card is reached through it from now on (and,
        with ``refresh``, shown again as it stands). False when the card is not one the bot follows."""

        async def work(unit: Unit, now: datetime) -> bool:
            return await unit.cards.rehandle(chat, old_prefix, message_id, refresh=refresh)

        return await self._tx(work)

    async def wish_view(self, wish_id: int) -> WishView:
        """The current state of a wish, as its card shows it."""
        view = await self._read(lambda unit: unit.wishes.view(wish_id))
        if view is None:
            raise errors.WishNotFound(wish_id=wish_id)
        return view

    async def claim(self, c: cmd.ClaimWish) -> outcomes.Claimed:
        """Claim a wish: one transaction that can neither over-fill the wish nor claim twice, nor claim it past its
        deadline (whose cards are then brought up to date at once)."""

        async def work(unit: Unit, now: datetime) -> outcomes.Claimed:
            if c.event_key is not None and not await unit.events.first_time(c.actor.platform, c.event_key, now):
                raise errors.AlreadyHandled()
            wish, branch = await self._claimable_in(unit, now, c.wish_id)
            member = await self._reported(unit, c.actor, wish_id=wish.id)
            if not await unit.people.belongs_to(branch.id, member.id):
                raise errors.NotBranchMember(branch=branch.name)
            if await unit.claims.active(wish.id, member.id) is not None:
                raise errors.AlreadyClaimed(wish_id=wish.id)
            team_id, team_name = None, None
            if c.as_team:
                if not wish.team_claim:
                    raise errors.InvalidInput(field="team")
                teams = [tm for tm in await unit.teams.led_by(member.id) if tm.branch_id == branch.id]
                if not teams:
                    teams = await unit.teams.led_by(member.id)
                if not teams:
                    raise errors.NotTeamLeader()
                team_id, team_name = teams[0].id, teams[0].name
            claim = await unit.claims.add(now, wish.id, member.id, team_id)
            await unit.waitlist.remove(wish.id, member.id)
            await unit.wishes.touch(wish.id)
            await unit.audit.record(now, member.id, "claim.create", "claim", claim.id, wish_id=wish.id, team_id=team_id)
            view = await self._view(unit, wish.id)
            accounts = await unit.people.accounts_of(member.id)
            lang = await self._language(unit, member, accounts)
            await self._notify(
                unit,
                now,
                member,
                self._chat_of(branch).platform,
                f"claim:{claim.id}",
                "claim_notice",
                ClaimCard(claim.id, lang),
                fallback_chat=self._chat_of(branch),
                accounts=accounts,
            )
            return outcomes.Claimed(view, claim, member, team_name)

        try:
            return await self._tx(work)
        except errors.DeadlinePassed:
            await self.show_deadline_passed(c.wish_id)
            raise

    async def _claimable(self, unit: Unit, now: datetime, wish_id: int) -> Wish:
        return (await self._claimable_in(unit, now, wish_id))[0]

    async def _claimable_in(self, unit: Unit, now: datetime, wish_id: int) -> tuple[Wish, Branch]:
        """The wish if it can be claimed now (open, before its deadline), with its (active) branch."""
        wish = await unit.wishes.get(wish_id)
        if wish is None:
            raise errors.WishNotFound(wish_id=wish_id)
        if wish.status == WishStatus.CANCELLED:
            raise errors.WishCancelled(wish_id=wish_id)
        if wish.status == WishStatus.CLOSED:
            raise errors.WishClosed(wish_id=wish_id, status="ended" if wish.closed_by else "completed")
        if expired(wish, now, self.tz):
            raise errors.DeadlinePassed(wish_id=wish_id)
        branch = await unit.branches.get(wish.branch_id)
        if branch is None or not branch.active:
            raise errors.BranchInactive()
        return wish, branch

    async def join_waitlist(self, c: cmd.JoinWaitlist) -> outcomes.Waitlisted:
        """Wait for a slot on a full wish; the first waiting member is promoted when a slot frees up."""

        async def work(unit: Unit, now: datetime) -> outcomes.Waitlisted:
            wish = await self._claimable(unit, now, c.wish_id)
            member = await self._reported(unit, c.actor, wish_id=wish.id)
            if not await unit.people.belongs_to(wish.branch_id, member.id):
                branch = await self._branch(unit, wish.branch_id)
                raise errors.NotBranchMember(branch=branch.name)
            if await unit.claims.active(wish.id, member.id) is not None:
                raise errors.AlreadyClaimed(wish_id=wish.id)
            if await unit.claims.count_active(wish.id) < wish.slots:
                raise errors.InvalidInput(field="not_full")
            position = await unit.waitlist.add(now, wish.id, member.id, None)
            await unit.wishes.touch(wish.id)
            await unit.audit.record(now, member.id, "waitlist.join", "wish", wish.id, position=position)
            return outcomes.Waitlisted(await self._view(unit, wish.id), position)

        try:
            return await self._tx(work)
        except errors.DeadlinePassed:
            await self.show_deadline_passed(c.wish_id)
            raise

    async def withdraw(self, c: cmd.WithdrawClaim) -> outcomes.Withdrawn:
        """Give up one's own claim (or waitlist place); the first on the waitlist takes the slot."""

        async def work(unit: Unit, now: datetime) -> outcomes.Withdrawn:
            wish = await self._wish(unit, c.wish_id)
            member = await unit.people.by_account(c.actor.platform, c.actor.user_id)
            if member is None:
                raise errors.NotYourClaim(wish_id=wish.id)
            claim = await unit.claims.active(wish.id, member.id)
            if claim is None:
                if await unit.waitlist.remove(wish.id, member.id):
                    await unit.wishes.touch(wish.id)
                    await unit.audit.record(now, member.id, "waitlist.leave", "wish", wish.id)
                    return outcomes.Withdrawn(await self._view(unit, wish.id), was_waitlisted=True)
                ended = await unit.claims.of_wish(wish.id, (ClaimStatus.WITHDRAWN, ClaimStatus.RELEASED))
                mine = [cl for cl in ended if cl.member_id == member.id]
                if mine:
                    raise errors.InvalidTransition(status=str(mine[-1].status))
                raise errors.NotYourClaim(wish_id=wish.id)
            if claim.status != ClaimStatus.CLAIMED:
                raise errors.InvalidTransition(status=str(claim.status))
            await unit.claims.save(replace(claim, status=ClaimStatus.WITHDRAWN, ended_at=now))
            await unit.audit.record(now, member.id, "claim.withdraw", "claim", claim.id, wish_id=wish.id)
            promoted = await self._promote(unit, now, wish) if wish.status == WishStatus.OPEN else None
            await unit.wishes.touch(wish.id)
            return outcomes.Withdrawn(await self._view(unit, wish.id), was_waitlisted=False, promoted=promoted)

        return await self._tx(work)

    async def release_stale_claim(self, claim_id: int, days_late: int, *, not_before: datetime | None = None) -> int:
        """Release a claim still not done ``days_late`` days after its wish's deadline back to the branch (1 if so)."""

        async def work(unit: Unit, now: datetime) -> int:
            claim = await unit.claims.get(claim_id)
            if claim is None or claim.status != ClaimStatus.CLAIMED:
                return 0
            wish = await self._wish(unit, claim.wish_id)
            if wish.status != WishStatus.OPEN or wish.deadline is None:
                return 0
            await unit.claims.save(replace(claim, status=ClaimStatus.RELEASED, ended_at=now))
            await unit.audit.record(now, None, "claim.release", "claim", claim.id, wish_id=wish.id, days_late=days_late)
            await self._promote(unit, now, wish)
            await unit.wishes.touch(wish.id)
            branch = await self._branch(unit, wish.branch_id)
            member = await unit.people.get(claim.member_id)
            facts: dict[str, object] = {"id": wish.id, "title": wish.title, "days": days_late}
            if member is not None:
                lang = await self._language(unit, member)
                await self._notify(
                    unit,
                    now,
                    member,
                    self._chat_of(branch).platform,
                    f"released:{claim.id}",
                    "released",
                    views.simple_notice("sched.released.member", lang, date=views.wish_deadline(wish, lang), **facts),
                    not_before=not_before,
                )
            for secretary in await unit.branches.secretaries(branch.id):
                lang = await self._language(unit, secretary)
                await self._notify(
                    unit,
                    now,
                    secretary,
                    self._chat_of(branch).platform,
                    f"released:{claim.id}:{secretary.id}",
                    "released",
                    views.simple_notice(
                        "sched.released.secretary",
                        lang,
                        name=member.name if member else "",
                        date=views.wish_deadline(wish, lang),
                        **facts,
                    ),
                    not_before=not_before,
                )
            return 1

        return await self._tx(work)

    async def cancel_wish(self, c: cmd.CancelWish) -> outcomes.WishCancelled:
        """A secretary cancels a wish; open claims are released, and every claimer and waiting member is told."""
        reason = clean_text(c.reason, MAX_NOTE, "reason")

        async def work(unit: Unit, now: datetime) -> outcomes.WishCancelled:
            wish, secretary, branch = await self._ending(unit, now, c.actor, c.wish_id)
            released, told = 0, 0
            facts: dict[str, object] = {"id": wish.id, "title": wish.title, "reason": reason or "—"}
            for claim in await unit.claims.of_wish(wish.id, (ClaimStatus.CLAIMED, ClaimStatus.DONE)):
                key = "notice.cancelled"
                if claim.status == ClaimStatus.CLAIMED:
                    await unit.claims.save(replace(claim, status=ClaimStatus.RELEASED, ended_at=now))
                    released += 1
                else:
                    key = "notice.cancelled.done"
                told += await self._tell(unit, now, branch, claim.member_id, f"cancelled:{wish.id}", key, facts)
            for member_id in await unit.waitlist.clear(wish.id):
                told += await self._tell(
                    unit, now, branch, member_id, f"cancelled:{wish.id}", "notice.cancelled.waitlist", facts
                )
            await unit.wishes.set_status(wish.id, WishStatus.CANCELLED, now)
            await unit.audit.record(now, secretary.id, "wish.cancel", "wish", wish.id, reason=reason)
            return outcomes.WishCancelled(await self._view(unit, wish.id), released, told)

        return await self._tx(work)

    async def close_wish(self, c: cmd.CloseWish) -> outcomes.WishClosed:
        """A secretary ends a wish's claiming (结束认领): no new claims, the waitlist is cleared and told; claims
        already made stay (and can still be reported done), their members are told. The card says 已结束."""

        async def work(unit: Unit, now: datetime) -> outcomes.WishClosed:
            wish, secretary, branch = await self._ending(unit, now, c.actor, c.wish_id)
            facts: dict[str, object] = {"id": wish.id, "title": wish.title}
            told = 0
            for claim in await unit.claims.of_wish(wish.id, (ClaimStatus.CLAIMED, ClaimStatus.DONE)):
                told += await self._tell(unit, now, branch, claim.member_id, f"ended:{wish.id}", "notice.ended", facts)
            for member_id in await unit.waitlist.clear(wish.id):
                told += await self._tell(
                    unit, now, branch, member_id, f"ended:{wish.id}", "notice.ended.waitlist", facts
                )
            await unit.wishes.set_status(wish.id, WishStatus.CLOSED, now, closed_by=secretary.id)
            await unit.audit.record(now, secretary.id, "wish.close", "wish", wish.id)
            return outcomes.WishClosed(await self._view(unit, wish.id), told)

        return await self._tx(work)

    async def may_extend(self, actor: Account, wish_id: int) -> Wish:
        """The wish a secretary of its branch may give a new deadline (open: not completed, ended or cancelled)."""

        async def work(unit: Unit, now: datetime) -> Wish:
            return (await self._ending(unit, now, actor, wish_id))[0]

        return await self._tx(work)

    async def extend_deadline(self, c: cmd.ExtendDeadline) -> outcomes.DeadlineExtended:
        """A secretary gives a wish a new deadline: it takes claims again and its cards get their buttons back; those
        who claimed it (and any waiting for a slot) are told."""
        text = clean_text(c.text, MAX_FIELD, "deadline")

        async def work(unit: Unit, now: datetime) -> outcomes.DeadlineExtended:
            wish, secretary, branch = await self._ending(unit, now, c.actor, c.wish_id)
            day, at = self._new_deadline(text, now)
            await unit.wishes.set_deadline(wish.id, day, at)
            view = await self._view(unit, wish.id)
            extended = view.wish
            claims = await unit.claims.of_wish(wish.id, (ClaimStatus.CLAIMED, ClaimStatus.DONE))
            told = 0
            for member_id, key in [(cl.member_id, "notice.extended") for cl in claims] + [
                (w.member_id, "notice.extended.waitlist") for w in view.waitlist
            ]:
                member = await unit.people.get(member_id)
                if member is None:
                    continue
                lang = await self._language(unit, member)
                message = views.simple_notice(
                    key, lang, id=wish.id, title=escape(wish.title), deadline=views.wish_deadline(extended, lang)
                )
                told += await self._notify(
                    unit,
                    now,
                    member,
                    self._chat_of(branch).platform,
                    f"extended:{wish.id}:{extended.version}:{member.id}",
                    "extended",
                    message,
                )
            await unit.audit.record(
                now, secretary.id, "wish.extend", "wish", wish.id, deadline=day.isoformat(), at=str(at or "")
            )
            return outcomes.DeadlineExtended(view, told)

        return await self._tx(work)

    def _new_deadline(self, text: str, now: datetime) -> tuple[date, time | None]:
        """The deadline a secretary typed, read as wish texts are; refused if unreadable or already past."""
        reading = read_deadline_phrase(text, local_date(now, self.tz), now.astimezone(self.tz).time())
        if reading.problem is not None or reading.day is None:
            past = reading.problem is not None and reading.problem.key == "parse.deadline_past"
            raise (errors.DeadlineInPast if past else errors.DeadlineUnreadable)(seen=escape(text))
        if deadline_passed(reading.day, reading.at, now, self.tz):
            raise errors.DeadlineInPast(seen=escape(text))
        return reading.day, reading.at

    async def show_deadline_passed(self, wish_id: int) -> bool:
        """Have the cards of a wish whose deadline passed say 已截止 now (if they do not yet); True if they must."""

        async def work(unit: Unit, now: datetime) -> bool:
            wish = await unit.wishes.get(wish_id)
            return wish is not None and expired(wish, now, self.tz) and await unit.wishes.mark_expired(wish.id, now)

        return await self._tx(work)

    async def show_deadlines_passed(self, now: datetime) -> int:
        """The deadline job: every open wish whose deadline passed by ``now`` and whose cards do not show it yet is
        recorded as passed, so the card sync redraws its cards (已截止, no claim buttons); returns how many."""
        day = local_date(now, self.tz)
        marked = 0
        while True:
            async with self.store.unit() as unit:
                batch = await unit.wishes.unmarked_due(day, limit=EXPIRY_BATCH)
                newly = [wish for wish in batch if expired(wish, now, self.tz)]
                for wish in newly:
                    marked += await unit.wishes.mark_expired(wish.id, now)
            if len(batch) < EXPIRY_BATCH or not newly:
                return marked

    async def _ending(self, unit: Unit, now: datetime, actor: Account, wish_id: int) -> tuple[Wish, Member, Branch]:
        """The open wish a secretary of its branch cancels, closes or extends, with the secretary and the branch."""
        wish = await self._wish(unit, wish_id)
        secretary = await self._secretary(unit, now, actor, wish.branch_id)
        if wish.status == WishStatus.CANCELLED:
            raise errors.WishCancelled(wish_id=wish.id)
        if wish.status == WishStatus.CLOSED:
            raise errors.WishClosed(wish_id=wish.id, status="ended" if wish.closed_by else "completed")
        return wish, secretary, await self._branch(unit, wish.branch_id)

    async def _tell(
        self, unit: Unit, now: datetime, branch: Branch, member_id: int, key: str, text: str, facts: dict[str, object]
    ) -> int:
        """Tell one member (once per ``key``) about their wish's end; 1 if recorded."""
        member = await unit.people.get(member_id)
        if member is None:
            return 0
        lang = await self._language(unit, member)
        message = views.simple_notice(text, lang, **facts)
        return int(
            await self._notify(
                unit, now, member, self._chat_of(branch).platform, f"{key}:{member.id}", "ended", message
            )
        )

    async def send_member_cards(self, wish_id: int, platform: str) -> int:
        """Record the wish's private card for everyone serving in its branch (home or activity) on ``platform``."""

        async def work(unit: Unit, now: datetime) -> int:
            wish = await self._wish(unit, wish_id)
            queued = 0
            for member in await unit.people.serving_branch(wish.branch_id):
                for account in await unit.people.accounts_of(member.id):
                    if account.platform != platform:
                        continue
                    queued += await record(
                        unit,
                        now,
                        key=f"card:{wish.id}:{platform}:{account.user_id}",
                        kind="wish_card",
                        chat=ChatRef(platform, account.user_id),
                        member_id=member.id,
                        notice=WishCard(wish.id),
                    )
            return queued

        return await self._tx(work)
