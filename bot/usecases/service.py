"""Use cases of service: reported done, confirmed or returned by a secretary, rated, or logged without a wish."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from bot.domain import errors
from bot.domain.model import Account, Claim, ClaimStatus, Member, Wish, WishStatus
from bot.domain.quarters import local_date
from bot.notices import views
from bot.notices.outbox import ClaimCard, ReviewCard
from bot.ports.storage import Unit
from bot.usecases import commands as cmd
from bot.usecases import outcomes
from bot.usecases.base import MAX_HOURS, MAX_NOTE, Base, clean_text


class Services(Base):
    """Reporting, confirming, returning and logging service."""

    async def ready_to_report(self, actor: Account, claim_id: int) -> Claim:
        """The claim if its member may report it done now (checked before asking for hours)."""

        async def work(unit: Unit) -> Claim:
            claim = await unit.claims.get(claim_id)
            if claim is None:
                raise errors.ClaimNotFound()
            member = await unit.people.by_account(actor.platform, actor.user_id)
            if member is None or member.id != claim.member_id:
                raise errors.NotYourClaim(wish_id=claim.wish_id)
            wish = await self._wish(unit, claim.wish_id)
            if wish.status == WishStatus.CANCELLED:
                raise errors.WishCancelled(wish_id=wish.id)
            if claim.status != ClaimStatus.CLAIMED:
                raise errors.InvalidTransition(status=str(claim.status))
            return claim

        return await self._read(work)

    async def mark_done(self, c: cmd.MarkDone) -> outcomes.DoneReported:
        """The member reports the service done; the branch's secretaries are asked to confirm."""
        if not 0 < c.hours <= MAX_HOURS:
            raise errors.InvalidInput(field="hours")
        note = clean_text(c.note, MAX_NOTE, "note")

        async def work(unit: Unit, now: datetime) -> outcomes.DoneReported:
            claim = await unit.claims.get(c.claim_id)
            if claim is None:
                raise errors.ClaimNotFound()
            member = await unit.people.by_account(c.actor.platform, c.actor.user_id)
            if member is None or member.id != claim.member_id:
                raise errors.NotYourClaim(wish_id=claim.wish_id)
            if claim.status != ClaimStatus.CLAIMED:
                raise errors.InvalidTransition(status=str(claim.status))
            wish = await self._wish(unit, claim.wish_id)
            if wish.status == WishStatus.CANCELLED:
                raise errors.WishCancelled(wish_id=wish.id)
            branch = await self._branch(unit, wish.branch_id)
            signin = await unit.signins.checkin_of(wish.id, member.id)
            verified = signin is not None and c.hours <= signin.hours
            await unit.claims.save(
                replace(
                    claim,
                    status=ClaimStatus.CONFIRMED if verified else ClaimStatus.DONE,
                    done_at=now,
                    hours=c.hours,
                    note=note,
                    photo_ref=c.photo_ref,
                    return_reason="",
                    confirmed_at=now if verified else None,
                )
            )
            await unit.services.add(
                now,
                member_id=member.id,
                branch_id=branch.id,
                served_on=local_date(now, self.tz),
                hours=c.hours,
                note=note,
                wish_id=wish.id,
                claim_id=claim.id,
                confirmed=verified,
                recorded_by=member.id,
                provenance="verified" if verified else "self_reported",
            )
            await unit.wishes.touch(wish.id)
            await unit.audit.record(now, member.id, "claim.done", "claim", claim.id, hours=c.hours, verified=verified)
            done = await unit.claims.get(claim.id)
            assert done is not None
            if verified:
                await self._complete_if_done(unit, now, wish)
                return outcomes.DoneReported(done, wish, 0, verified=True)
            reviewers = 0
            for secretary in await unit.branches.secretaries(branch.id):
                if secretary.id == member.id:
                    continue
                lang = await self._language(unit, secretary)
                reviewers += await self._notify(
                    unit,
                    now,
                    secretary,
                    self._chat_of(branch).platform,
                    f"review:{claim.id}:{now.isoformat()}:{secretary.id}",
                    "review",
                    ReviewCard(claim.id, secretary.id, lang, reported_at=done.done_at),
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
            await unit.claims.save(
                replace(
                    claim,
                    status=ClaimStatus.CONFIRMED,
                    confirmed_by=reviewer.id,
                    confirmed_at=now,
                    rating=c.rating,
                )
            )
            await unit.services.confirm_of_claim(claim.id, c.rating)
            completed = await self._complete_if_done(unit, now, wish)
            await unit.wishes.touch(wish.id)
            await unit.audit.record(now, reviewer.id, "claim.confirm", "claim", claim.id, rating=c.rating)
            branch = await self._branch(unit, wish.branch_id)
            lang = await self._language(unit, member)
            await self._notify(
                unit,
                now,
                member,
                self._chat_of(branch).platform,
                f"confirmed:{claim.id}",
                "confirmed",
                views.simple_notice("notice.confirmed", lang, id=wish.id, title=wish.title),
            )
            confirmed = await unit.claims.get(claim.id)
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
            await unit.claims.save(replace(claim, rating=c.rating))
            await unit.services.confirm_of_claim(claim.id, c.rating)
            await unit.wishes.touch(wish.id)
            await unit.audit.record(now, None, "claim.rate", "claim", claim.id, rating=c.rating)
            rated = await unit.claims.get(claim.id)
            assert rated is not None
            return outcomes.ServiceConfirmed(rated, wish, member, wish.status == WishStatus.CLOSED, already=True)

        rated = await self._tx(work)
        if rated is not None:
            return rated
        return await self.confirm(cmd.ConfirmService(c.actor, c.claim_id, c.rating))

    async def _review_target(
        self, unit: Unit, now: datetime, actor: Account, claim_id: int
    ) -> tuple[Claim, Wish, Member]:
        claim = await unit.claims.get(claim_id)
        if claim is None:
            raise errors.ClaimNotFound()
        wish = await self._wish(unit, claim.wish_id)
        reviewer = await self._secretary(unit, now, actor, wish.branch_id)
        if reviewer.id == claim.member_id:
            raise errors.OwnService()
        member = await unit.people.get(claim.member_id)
        assert member is not None
        return claim, wish, member

    @staticmethod
    async def _complete_if_done(unit: Unit, now: datetime, wish: Wish) -> bool:
        """Close a wish once every slot is held by a confirmed claim."""
        active = await unit.claims.of_wish(wish.id)
        if len(active) >= wish.slots and all(cl.status == ClaimStatus.CONFIRMED for cl in active):
            await unit.wishes.set_status(wish.id, WishStatus.CLOSED, now)
            await unit.waitlist.clear(wish.id)
            return True
        return False

    async def return_service(self, c: cmd.ReturnService) -> outcomes.ServiceReturned:
        """A secretary returns a reported service: the claim goes back to "claimed" with the reason."""
        reason = clean_text(c.reason, MAX_NOTE, "reason")

        async def work(unit: Unit, now: datetime) -> outcomes.ServiceReturned:
            claim, wish, member = await self._review_target(unit, now, c.actor, c.claim_id)
            if claim.status != ClaimStatus.DONE:
                raise errors.InvalidTransition(status=str(claim.status))
            await unit.claims.save(replace(claim, status=ClaimStatus.CLAIMED, return_reason=reason, done_at=None))
            await unit.services.drop_unconfirmed_of_claim(claim.id)
            await unit.wishes.touch(wish.id)
            await unit.audit.record(now, None, "claim.return", "claim", claim.id, reason=reason)
            branch = await self._branch(unit, wish.branch_id)
            lang = await self._language(unit, member)
            returned = await unit.claims.get(claim.id)
            assert returned is not None
            await self._notify(
                unit,
                now,
                member,
                self._chat_of(branch).platform,
                f"returned:{claim.id}:{now.isoformat()}",
                "returned",
                ClaimCard(claim.id, lang, intro="returned", reason=reason),
            )
            return outcomes.ServiceReturned(returned, wish, member)

        return await self._tx(work)

    async def log_service(self, c: cmd.LogService) -> outcomes.ServiceLogged:
        """A secretary records service done without a wish (a patrol, an emergency shift)."""
        if not 0 < c.hours <= MAX_HOURS:
            raise errors.InvalidInput(field="hours")
        note = clean_text(c.note, MAX_NOTE, "note")

        async def work(unit: Unit, now: datetime) -> outcomes.ServiceLogged:
            secretary = await self._secretary(unit, now, c.actor, c.branch_id)
            if secretary.id == c.member_id:
                raise errors.OwnService()
            member = await unit.people.get(c.member_id)
            if member is None or member.left_at is not None:
                raise errors.NotFound(field="member")
            if not await unit.people.belongs_to(c.branch_id, member.id):
                raise errors.NotBranchMember(branch=str(c.branch_id))
            if c.served_on > local_date(now, self.tz):
                raise errors.InvalidInput(field="served_on")
            service_id = await unit.services.add(
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
            await unit.audit.record(now, secretary.id, "service.log", "service", service_id, member_id=member.id)
            return outcomes.ServiceLogged(member, service_id)

        return await self._tx(work)
