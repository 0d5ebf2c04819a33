"""Rendering followed private cards (claim, review, overdue, a secretary's wish card) from the current state."""

from __future__ import annotations

from bot.domain.pairings import VisitStatus
from bot.notices import views
from bot.notices.outbox import ClaimCard, FollowedCard, ManageCard, NudgeCard, OverdueCard, ReviewCard, VisitReviewCard
from bot.ports.chat import OutgoingMessage
from bot.ports.storage import Unit


async def render_claim_card(unit: Unit, notice: FollowedCard) -> tuple[OutgoingMessage, int] | None:
    """The card as it must look now, with the version of the wish it shows; None when the claim or wish is gone."""
    if isinstance(notice, NudgeCard):
        wishes = [v for v in [await unit.wishes.view(i) for i in notice.wish_ids] if v is not None]
        if not wishes:
            return None
        return views.nudge_card(notice.intro, wishes, notice.pause_days, notice.lang), wishes[0].wish.version
    if isinstance(notice, ManageCard):
        shown = await unit.wishes.view(notice.wish_id)
        return (views.manage_card(shown, notice.lang), shown.wish.version) if shown is not None else None
    claim = await unit.claims.get(notice.claim_id)
    if claim is None:
        return None
    view = await unit.wishes.view(claim.wish_id)
    if view is None:
        return None
    if isinstance(notice, ClaimCard):
        return views.claim_card(view, claim, notice.lang, intro=notice.intro, reason=notice.reason), view.wish.version
    if isinstance(notice, OverdueCard):
        if view.wish.deadline is None:
            return None
        return views.overdue_notice(claim, view.wish, notice.lang), view.wish.version
    assert isinstance(notice, ReviewCard)
    member = await unit.people.get(claim.member_id)
    if member is None:
        return None
    card = views.review_card(member, view.wish, claim, notice.lang, reported_at=notice.reported_at)
    return card, view.wish.version


async def render_visit_card(unit: Unit, notice: VisitReviewCard) -> tuple[OutgoingMessage, int] | None:
    """A visit's review card as the visit stands now, with the visit's version; None when it is gone."""
    visit = await unit.pairings.visit(notice.visit_id)
    if visit is None:
        return None
    pairing = await unit.pairings.get(visit.pairing_id)
    member = await unit.people.get(visit.member_id)
    if pairing is None or member is None:
        return None
    by = visit.confirmed_by if visit.status == VisitStatus.CONFIRMED else visit.returned_by
    decider = await unit.people.get(by) if by is not None else None
    card = views.visit_review_card(visit, pairing, member, notice.lang, decided_by=decider.name if decider else "")
    return card, visit.version
