"""Use cases of service records: sign-in codes and check-ins, certificates and their verification, corrections,
points. Written once; the platforms and the CLI only translate."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bot.config import RecordsConfig
from bot.domain import errors
from bot.domain.model import Account, Member, ServiceRecord, WishStatus
from bot.domain.privacy import mask_phones
from bot.domain.records import (
    CERTIFIED,
    CODE_DIGITS,
    CertificateContent,
    CertificateLine,
    CorrectionStatus,
    PointsRule,
    certificate_number,
    code_hash,
    mask_name,
    normalize_verification_code,
    read_code,
    verification_code,
)
from bot.i18n import t
from bot.notices.callbacks import Act, encode
from bot.ports.chat import Button, OutgoingMessage
from bot.ports.storage import Unit
from bot.usecases import commands as cmd
from bot.usecases import outcomes
from bot.usecases.base import MAX_HOURS, MAX_NOTE, Base, clean_text

MAX_CERTIFICATE_DAYS = 3 * 366


@dataclass(frozen=True, slots=True)
class _CheckinResult:
    """What a check-in found, returned out of its transaction so a wrong code's count is committed."""

    done: outcomes.CheckedIn | None = None
    wrong_left: int | None = None


class Records(Base):
    """Verified hours, certificates, corrections and points."""

    # -- sign-in codes ---------------------------------------------------------------------------------------

    async def open_signin(self, c: cmd.OpenSignin) -> outcomes.SigninOpened:
        """A secretary opens a sign-in code for a wish: 6 random digits, valid ``[verification] signin_minutes``."""
        hours = self.records.activity_hours if c.hours is None else c.hours
        if not 0 < hours <= MAX_HOURS:
            raise errors.InvalidInput(field="hours")

        async def work(unit: Unit, now: datetime) -> outcomes.SigninOpened:
            wish = await self._wish(unit, c.wish_id)
            issuer, by_grid_worker = await self._signin_issuer(unit, now, c.actor, wish.branch_id)
            if wish.status == WishStatus.CANCELLED:
                raise errors.WishCancelled(wish_id=wish.id)
            taken = await unit.signins.open_at(now)
            while True:
                code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
                if not any(s.matches(code) for s in taken if s.wish_id != wish.id):
                    break
            salt = secrets.token_hex(16)
            expires = now + timedelta(minutes=self.records.signin_minutes)
            signin_id = await unit.signins.open(
                now,
                wish_id=wish.id,
                salt=salt,
                code_hash=code_hash(salt, code),
                hours=hours,
                opened_by=issuer.id,
                expires_at=expires,
            )
            role = "grid_worker" if by_grid_worker else "secretary"
            await unit.audit.record(
                now, issuer.id, "signin.open", "wish", wish.id, signin=signin_id, hours=hours, role=role
            )
            return outcomes.SigninOpened(wish, code, hours, expires, by_grid_worker)

        return await self._tx(work)

    async def _signin_issuer(self, unit: Unit, now: datetime, actor: Account, branch_id: int) -> tuple[Member, bool]:
        """Who opens a sign-in code for the branch's activity: one of its secretaries, or (True) a grid worker."""
        person = await self._person(unit, now, actor)
        if await unit.branches.is_secretary(branch_id, person.id):
            return person, False
        if await unit.grid_workers.is_grid_worker(branch_id, person.id):
            return person, True
        raise errors.NotSigninIssuer(branch_id=branch_id)

    async def check_in(self, c: cmd.CheckIn) -> outcomes.CheckedIn:
        """A member enters a sign-in code. Wrong codes are counted per person: after ``checkin_tries`` of them within
        ``checkin_try_minutes`` the person waits (CheckinLimited) — with codes valid a few minutes, 5 tries in 10
        minutes give a guesser about one chance in 200,000 per window."""
        code = read_code(c.code)
        limit, window = self.records.checkin_tries, timedelta(minutes=self.records.checkin_try_minutes)

        async def work(unit: Unit, now: datetime) -> _CheckinResult:
            member = await unit.people.by_account(c.actor.platform, c.actor.user_id)
            if member is None or not member.reported:
                raise errors.NotAMember()
            failures = await unit.signins.failures_since(member.id, now - window)
            if len(failures) >= limit:
                wait = failures[len(failures) - limit] + window - now
                raise errors.CheckinLimited(minutes=max(1, int(wait.total_seconds() // 60) + 1))
            found = None
            if code is not None:
                found = next((s for s in await unit.signins.open_at(now) if s.matches(code)), None)
            if found is None:
                await unit.signins.add_failure(now, member.id)
                return _CheckinResult(wrong_left=limit - len(failures) - 1)
            wish = await self._wish(unit, found.wish_id)
            added = await unit.signins.add_checkin(now, wish.id, member.id, found.id)
            if added:
                await unit.audit.record(now, member.id, "signin.checkin", "wish", wish.id, signin=found.id)
            claimed = await unit.claims.active(wish.id, member.id) is not None
            return _CheckinResult(outcomes.CheckedIn(wish, member, found.hours, not added, claimed))

        result = await self._tx(work)
        if result.done is None:
            raise errors.CheckinCodeWrong(left=max(0, result.wrong_left or 0))
        return result.done

    # -- certificates ------------------------------------------------------------------------------------------

    async def issue_certificate(self, c: cmd.IssueCertificate) -> outcomes.CertificateIssued:
        """Issue a numbered 志愿服务记录证明 of a member's verified and confirmed hours over [start, end]: for
        themselves, by a secretary of their branch or an admin of its committee, or by the operator (CLI)."""
        if c.end < c.start or (c.end - c.start).days > MAX_CERTIFICATE_DAYS:
            raise errors.InvalidInput(field="period")

        async def work(unit: Unit, now: datetime) -> outcomes.CertificateIssued:
            actor = await unit.people.by_account(c.actor.platform, c.actor.user_id) if c.actor else None
            if c.actor is not None and (actor is None or (c.member_id is None and not actor.reported)):
                raise errors.NotAMember()
            member_id = c.member_id if c.member_id is not None else (actor.id if actor else None)
            member = await unit.people.get(member_id) if member_id is not None else None
            if member is None or member.home_branch_id is None:
                raise errors.NotFound(field="member")
            branch = await self._branch(unit, member.home_branch_id)
            if actor is not None and actor.id != member.id:
                allowed = await unit.branches.is_secretary(branch.id, actor.id) or await unit.committees.is_admin(
                    branch.committee_id, actor.id
                )
                if not allowed:
                    raise errors.NotSecretary(branch_id=branch.id)
            committee = await unit.committees.get(branch.committee_id)
            assert committee is not None
            records = await unit.services.of_member(member.id, c.start, c.end + timedelta(days=1))
            lines = []
            for record in records:
                if record.provenance not in CERTIFIED:
                    continue
                lines.append(
                    CertificateLine(
                        record.id, record.served_on, await self._content(unit, record), record.hours, record.provenance
                    )
                )
            if not lines:
                raise errors.NothingToCertify()
            responsible = self.records.responsible
            if not responsible:
                issuer = actor if actor is not None and actor.id != member.id else None
                secretaries = await unit.branches.secretaries(branch.id)
                responsible = issuer.name if issuer else (secretaries[0].name if secretaries else "")
            issued_on = self.today()
            serial = await unit.certificates.count_of_committee(committee.id) + 1
            content = CertificateContent(
                number=certificate_number(issued_on, committee.id, serial),
                member_name=mask_name(member.name),
                member_phone=mask_phones(member.phone) if member.phone else "",
                committee=committee.name,
                branch=branch.name,
                period_start=c.start,
                period_end=c.end,
                lines=tuple(lines),
                total_hours=round(sum(line.hours for line in lines), 2),
                responsible=responsible,
                contact=self.records.contact,
                issued_on=issued_on,
            )
            key = await unit.certificates.key(now, secrets.token_urlsafe(32))
            code = verification_code(key, content.number, content.digest())
            certificate_id = await unit.certificates.add(
                now,
                content=content,
                code=code,
                member_id=member.id,
                committee_id=committee.id,
                issued_by=actor.id if actor else None,
            )
            await unit.audit.record(
                now,
                actor.id if actor else None,
                "certificate.issue",
                "certificate",
                certificate_id,
                member_id=member.id,
                number=content.number,
                hours=content.total_hours,
            )
            return outcomes.CertificateIssued(certificate_id, content, code, member)

        return await self._tx(work)

    @staticmethod
    async def _content(unit: Unit, record: ServiceRecord) -> str:
        """What a service was: its wish's title, else the note the secretary logged, phones masked."""
        if record.wish_id is not None:
            wish = await unit.wishes.get(record.wish_id)
            if wish is not None:
                return mask_phones(wish.title)
        return mask_phones(record.note)

    async def verify_certificate(self, typed: str) -> outcomes.CertificateVerified:
        """Check a verification code against the database: the certificate it names, recomputed from the stored
        content with the stored key. Unknown codes (forged, mistyped) and altered content are refused."""
        code = normalize_verification_code(typed)
        if code is None:
            raise errors.CertificateUnknown()

        async def work(unit: Unit) -> outcomes.CertificateVerified:
            found = await unit.certificates.by_code(code)
            if found is None:
                raise errors.CertificateUnknown()
            key = await unit.certificates.key(found.issued_at, "")  # reads only
            digest = found.content.digest()
            expected = verification_code(key, found.content.number, digest) if key else ""
            if digest != found.digest or expected != code or found.content.number != found.number:
                raise errors.CertificateAltered(number=found.number)
            return outcomes.CertificateVerified(found.content, code, found.issued_at)

        return await self._read(work)

    async def member_named(self, actor: Account, name: str) -> int:
        """The member of one of the actor's branches (as secretary) with this name, for ``/certificate 姓名``."""

        async def work(unit: Unit) -> int:
            me = await unit.people.by_account(actor.platform, actor.user_id)
            if me is None:
                raise errors.NotAMember()
            wanted = " ".join(name.split())
            for branch in await unit.branches.led_by(me.id):
                for member in await unit.people.of_branch(branch.id):
                    if member.name == wanted and member.left_at is None:
                        return member.id
            raise errors.NotFound(field="member")

        return await self._read(work)

    # -- corrections -------------------------------------------------------------------------------------------

    async def request_correction(self, c: cmd.RequestCorrection) -> outcomes.CorrectionRequested:
        """A member asks for one of their records to be corrected; the branch's secretaries get 接受 / 拒绝."""
        reason = clean_text(c.reason, MAX_NOTE, "reason")
        if not reason:
            raise errors.InvalidInput(field="reason")
        if c.hours is not None and not 0 <= c.hours <= MAX_HOURS:
            raise errors.InvalidInput(field="hours")

        async def work(unit: Unit, now: datetime) -> outcomes.CorrectionRequested:
            member = await unit.people.by_account(c.actor.platform, c.actor.user_id)
            if member is None or not member.reported:
                raise errors.NotAMember()
            record = await unit.certificates.service(c.service_id)
            if record is None or record.member_id != member.id:
                raise errors.RecordNotFound(id=c.service_id)
            if await unit.certificates.pending_correction(record.id) is not None:
                raise errors.CorrectionPending(id=record.id)
            correction_id = await unit.certificates.add_correction(
                now, service_id=record.id, member_id=member.id, hours=c.hours, reason=reason
            )
            await unit.audit.record(
                now, member.id, "correction.request", "service", record.id, correction=correction_id, hours=c.hours
            )
            correction = await unit.certificates.correction(correction_id)
            assert correction is not None
            branch = await self._branch(unit, record.branch_id)
            content = await self._content(unit, record)
            reviewers = 0
            for secretary in await unit.branches.secretaries(branch.id):
                if secretary.id == member.id or branch.chat is None:
                    continue
                lang = await self._language(unit, secretary)
                wanted = (
                    t("records.correction.to_hours", lang, hours=f"{c.hours:g}")
                    if c.hours is not None
                    else t("records.correction.no_hours", lang)
                )
                text = t(
                    "records.correction.ask",
                    lang,
                    name=member.name,
                    id=record.id,
                    date=record.served_on.isoformat(),
                    content=content,
                    hours=f"{record.hours:g}",
                    wanted=wanted,
                    reason=reason,
                )
                buttons = (
                    (
                        Button(t("records.correction.accept", lang), encode(Act.CORRECTION_ACCEPT, correction_id)),
                        Button(t("records.correction.refuse", lang), encode(Act.CORRECTION_REFUSE, correction_id)),
                    ),
                )
                reviewers += await self._notify(
                    unit,
                    now,
                    secretary,
                    branch.chat.platform,
                    f"correction:{correction_id}:{secretary.id}",
                    "correction",
                    OutgoingMessage(text, buttons),
                )
            return outcomes.CorrectionRequested(correction, record, reviewers)

        return await self._tx(work)

    async def decide_correction(self, c: cmd.DecideCorrection) -> outcomes.CorrectionDecided:
        """A secretary accepts (the record takes the asked hours, when some were asked) or refuses a correction;
        the request, the decision and the old and new hours stay in the corrections table and the audit log."""
        answer = clean_text(c.answer, MAX_NOTE, "answer")

        async def work(unit: Unit, now: datetime) -> outcomes.CorrectionDecided:
            correction = await unit.certificates.correction(c.correction_id)
            if correction is None:
                raise errors.NotFound(field="correction")
            record = await unit.certificates.service(correction.service_id)
            assert record is not None
            secretary = await self._secretary(unit, now, c.actor, record.branch_id)
            if secretary.id == correction.member_id:
                raise errors.OwnService()
            if correction.status != CorrectionStatus.PENDING:
                raise errors.CorrectionDecided(status=correction.status.value)
            status = CorrectionStatus.ACCEPTED if c.accept else CorrectionStatus.REFUSED
            if c.accept and correction.hours is not None:
                await unit.certificates.set_hours(record.id, correction.hours)
            await unit.certificates.decide(correction.id, status, secretary.id, now, answer)
            await unit.audit.record(
                now,
                secretary.id,
                f"correction.{status.value}",
                "service",
                record.id,
                correction=correction.id,
                old_hours=record.hours,
                new_hours=correction.hours if c.accept and correction.hours is not None else record.hours,
                answer=answer,
            )
            member = await unit.people.get(correction.member_id)
            assert member is not None
            branch = await self._branch(unit, record.branch_id)
            if branch.chat is not None:
                lang = await self._language(unit, member)
                await self._notify(
                    unit,
                    now,
                    member,
                    branch.chat.platform,
                    f"correction-decided:{correction.id}",
                    "correction_decided",
                    OutgoingMessage(t(f"records.correction.{status.value}", lang, id=record.id)),
                )
            decided = await unit.certificates.correction(correction.id)
            updated = await unit.certificates.service(record.id)
            assert decided is not None and updated is not None
            return outcomes.CorrectionDecided(decided, updated, member)

        return await self._tx(work)

    # -- points ------------------------------------------------------------------------------------------------

    async def spend_points(self, member_id: int, points: float, note: str) -> float:
        """The operator records points spent (``ebranch points spend``); the balance after, never below zero."""
        if not self.records.points_enabled:
            raise errors.InvalidInput(field="points")
        if not 0 < points <= 100_000:
            raise errors.InvalidInput(field="points")
        note = clean_text(note, MAX_NOTE, "note")

        async def work(unit: Unit, now: datetime) -> float:
            member = await unit.people.get(member_id)
            if member is None:
                raise errors.NotFound(field="member")
            balance = await points_balance(unit, points_rule(self.records), member.id) or 0.0
            if points > balance:
                raise errors.InvalidInput(field="points")
            await unit.certificates.spend(now, member.id, points, note)
            await unit.audit.record(now, None, "points.spend", "member", member.id, points=points, note=note)
            return round(balance - points, 2)

        return await self._tx(work)

    # -- grid workers (网格员) ------------------------------------------------------------------------------------

    async def set_grid_worker(self, c: cmd.SetGridWorker) -> outcomes.GridWorkerSet:
        """A secretary appoints a reported-in member of their branch, by the roster's name, as its grid worker (or
        ends it); the member is told privately and the audit log keeps who did it."""
        wanted = " ".join(c.name.split())
        if not wanted:
            raise errors.InvalidInput(field="name")

        async def work(unit: Unit, now: datetime) -> outcomes.GridWorkerSet:
            secretary = await self._secretary(unit, now, c.actor, c.branch_id)
            branch = await self._branch(unit, c.branch_id)
            named = [m for m in await unit.people.of_branch(branch.id, reported_only=True) if m.name == wanted]
            if len(named) != 1:
                raise errors.GridWorkerUnknown(name=wanted, n=len(named))
            member = named[0]
            if c.off:
                changed = await unit.grid_workers.remove(branch.id, member.id)
            else:
                changed = await unit.grid_workers.appoint(now, branch.id, member.id, secretary.id)
            told = False
            if changed:
                action = "gridworker.remove" if c.off else "gridworker.appoint"
                await unit.audit.record(now, secretary.id, action, "member", member.id, branch_id=branch.id)
                if branch.chat is not None and member.id != secretary.id:
                    lang = await self._language(unit, member)
                    key = "records.gridworker.told_removed" if c.off else "records.gridworker.told_appointed"
                    told = await self._notify(
                        unit,
                        now,
                        member,
                        branch.chat.platform,
                        f"gridworker:{branch.id}:{member.id}:{now.isoformat()}",
                        "gridworker",
                        OutgoingMessage(t(key, lang, branch=branch.name)),
                    )
            return outcomes.GridWorkerSet(branch, member, not c.off, changed, told)

        return await self._tx(work)

    async def grid_workers(self, actor: Account, branch_id: int) -> tuple[Member, ...]:
        """A branch's grid workers, for its secretaries."""

        async def work(unit: Unit, now: datetime) -> tuple[Member, ...]:
            await self._secretary(unit, now, actor, branch_id)
            return tuple(await unit.grid_workers.of_branch(branch_id))

        return await self._tx(work)


def points_rule(config: RecordsConfig) -> PointsRule:
    """The configured points rule (``[points]``)."""
    return PointsRule(
        config.points_enabled,
        config.points_per_verified_hour,
        config.points_per_confirmed_hour,
        config.points_per_self_reported_hour,
    )


async def points_balance(unit: Unit, rule: PointsRule, member_id: int) -> float | None:
    """A member's points balance (None when points are off): what all their records earn by provenance, less what
    they spent."""
    if not rule.enabled:
        return None
    earned = sum(rule.points(s.hours, s.provenance) for s in await unit.services.of_member(member_id))
    return round(earned - await unit.certificates.points_spent(member_id), 2)


def period_of_year(year: int) -> tuple[date, date]:
    """1 January to 31 December of ``year``."""
    return date(year, 1, 1), date(year, 12, 31)
