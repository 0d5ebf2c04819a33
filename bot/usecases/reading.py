"""Use cases that only read: a member's quarter and claims, a branch's open wishes and members at risk."""

from __future__ import annotations

from datetime import datetime

from bot.domain.deadlines import expired
from bot.domain.model import Account, ClaimStatus, QuarterStatus, ServiceKind, WishView
from bot.domain.quarters import current_quarter
from bot.domain.records import Provenance
from bot.i18n import normalize_language
from bot.ports.storage import Unit
from bot.usecases import outcomes
from bot.usecases.base import Base
from bot.usecases.records import points_balance, points_rule


class Reading(Base):
    """What people see about themselves and their branch."""

    async def my_quarter(self, actor: Account) -> QuarterStatus:
        """/me: services and hours this quarter (of them 战时 and 演练), open claims, commitment."""
        now = self.clock.now()
        quarter = current_quarter(now, self.tz)
        async with self.store.unit() as unit:
            member = await self._reported(unit, actor)
            done_counts = self.done_counts_default
            if member.home_branch_id is not None:
                branch = await unit.branches.get(member.home_branch_id)
                done_counts = branch.done_counts_as_served if branch else done_counts
            services = await unit.services.of_member(member.id, quarter.start, quarter.end)
            counted = [s for s in services if s.confirmed or done_counts]
            open_claims = await unit.claims.of_member(member.id, (ClaimStatus.CLAIMED, ClaimStatus.DONE))
            lang = normalize_language(member.language or actor.language)
            by_kind = {kind: sum(s.hours for s in services if s.provenance == kind) for kind in Provenance}
            return QuarterStatus(
                member=member,
                quarter_label=quarter.label(lang),
                services=len(counted),
                hours=sum(s.hours for s in counted),
                served=bool(counted),
                open_claims=tuple(open_claims),
                pending_confirmation=sum(1 for s in services if not s.confirmed),
                verified_hours=by_kind[Provenance.VERIFIED],
                confirmed_hours=by_kind[Provenance.CONFIRMED],
                self_reported_hours=by_kind[Provenance.SELF_REPORTED],
                points=await points_balance(unit, points_rule(self.records), member.id),
                recent=tuple((await unit.services.of_member(member.id))[-5:]),
                grid_worker_of=tuple(b.name for b in await unit.grid_workers.branches_of(member.id)),
                emergency_hours=sum(s.hours for s in counted if s.kind == ServiceKind.EMERGENCY),
                drill_hours=sum(s.hours for s in counted if s.kind == ServiceKind.DRILL),
            )

    async def my_claims(self, actor: Account) -> outcomes.MyClaims:
        """/mine: the member's claims, open first."""
        async with self.store.unit() as unit:
            member = await self._reported(unit, actor)
            claims = await unit.claims.of_member(
                member.id, (ClaimStatus.CLAIMED, ClaimStatus.DONE, ClaimStatus.CONFIRMED)
            )
            return outcomes.MyClaims(member, tuple(claims[:30]))

    async def open_wishes(self, branch_id: int) -> list[WishView]:
        """/wishes: a branch's open wishes."""
        async with self.store.unit() as unit:
            await self._branch(unit, branch_id)
            return await unit.wishes.open_views(branch_id)

    async def wish_lists(self, branch_id: int) -> outcomes.WishLists:
        """/wishes: a branch's open wishes, those with free slots apart from the full ones and those past their
        deadline (which take no claims, full or not)."""
        now = self.clock.now()
        async with self.store.unit() as unit:
            branch = await self._branch(unit, branch_id)
            shown = await unit.wishes.open_views(branch_id)
        past = {v.wish.id for v in shown if v.wish.expired_at is not None or expired(v.wish, now, self.tz)}
        return outcomes.WishLists(
            branch.name,
            tuple(v for v in shown if v.wish.id not in past and not v.full),
            tuple(v for v in shown if v.wish.id not in past and v.full),
            tuple(v for v in shown if v.wish.id in past),
        )

    async def at_risk(self, actor: Account, branch_id: int, lang: str = "zh") -> outcomes.AtRiskList:
        """/atrisk: members of the branch without counted service this quarter (secretaries only)."""

        async def work(unit: Unit, now: datetime) -> outcomes.AtRiskList:
            branch = await self._branch(unit, branch_id)
            await self._secretary(unit, now, actor, branch.id)
            quarter = current_quarter(now, self.tz)
            members = await unit.services.at_risk(branch.id, quarter.start, quarter.end, branch.done_counts_as_served)
            reported = len(await unit.people.of_branch(branch.id, reported_only=True))
            return outcomes.AtRiskList(branch, quarter.label(lang), tuple(members), reported)

        return await self._tx(work)
