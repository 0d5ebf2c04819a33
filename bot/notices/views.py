"""Platform-neutral renderings: wish cards and the private notices the use cases decide to send."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time
from html import escape

from bot.domain.errors import DomainError
from bot.domain.model import (
    AtRiskMember,
    Claim,
    ClaimStatus,
    Member,
    QuarterStatus,
    Urgency,
    Wish,
    WishStatus,
    WishView,
)
from bot.domain.pairings import Pairing, Visit, VisitStatus
from bot.domain.privacy import mask_phones
from bot.domain.quarters import Quarter
from bot.domain.records import CertificateContent
from bot.i18n import has, t
from bot.notices.callbacks import Act, encode
from bot.ports.chat import Button, OutgoingMessage

_WEEKDAYS = {"zh": "一二三四五六日", "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")}


def format_date(day: date, lang: str) -> str:
    """A deadline as people write it: "12月31日（周四）" or "Thu 31 Dec"."""
    if lang == "en":
        return f"{_WEEKDAYS['en'][day.weekday()]} {day.day} {day.strftime('%b')} {day.year}"
    return f"{day.year}年{day.month}月{day.day}日（周{_WEEKDAYS['zh'][day.weekday()]}）"


def format_deadline(day: date, at: time | None, lang: str) -> str:
    """A deadline with its time of day when it has one: "12月20日（周日）15:00" or "Sun 20 Dec 2026, 15:00"."""
    shown = format_date(day, lang)
    if at is None:
        return shown
    return f"{shown}, {at:%H:%M}" if lang == "en" else f"{shown}{at:%H:%M}"


def wish_deadline(wish: Wish, lang: str) -> str:
    """A wish's deadline as its cards show it ("" without one)."""
    return format_deadline(wish.deadline, wish.deadline_time, lang) if wish.deadline else ""


def format_hours(hours: float) -> str:
    """Hours without a pointless ".0"."""
    return f"{hours:g}"


def _names(claimers: Sequence[object], lang: str) -> str:
    parts = []
    for c in claimers:
        name = getattr(c, "name", "") or t("member.anonymous", lang)
        team = getattr(c, "team_name", None)
        mark = " ✓" if getattr(c, "status", None) == ClaimStatus.CONFIRMED else ""
        parts.append(escape(f"{team}（{name}）" if team else name) + mark)
    return t("list.sep", lang).join(parts)


def wish_status_line(view: WishView, lang: str) -> str:
    """ "已认领 k/n" or the wish's final state."""
    wish = view.wish
    if wish.status == WishStatus.CANCELLED:
        return t("card.cancelled", lang)
    if wish.status == WishStatus.CLOSED:
        key = "card.ended" if wish.closed_by is not None else "card.completed"
        return t(key, lang, taken=view.taken, slots=wish.slots)
    if wish.expired_at is not None:
        return t("card.expired", lang, taken=view.taken, slots=wish.slots)
    if view.full:
        return t("card.full", lang, taken=view.taken, slots=wish.slots)
    return t("card.taken", lang, taken=view.taken, slots=wish.slots)


def wish_card(view: WishView, lang: str, *, show_phones: bool = False, in_group: bool = False) -> OutgoingMessage:
    """A wish's card; phones are masked unless shown privately to a claimer. A group card of a wish past its
    deadline offers its secretaries 延长截止 / 结束认领 instead of the claim buttons."""
    wish = view.wish
    text_of = (lambda s: escape(s)) if show_phones else (lambda s: escape(mask_phones(s)))
    head = t("card.emergency" if wish.urgency == Urgency.EMERGENCY else "card.head", lang, id=wish.id)
    if wish.category:
        head += f" 【{escape(wish.category)}】"
    lines = [head, f"<b>{text_of(wish.title)}</b>"]
    if wish.description:
        lines.append(text_of(wish.description))
    if wish.deadline:
        lines.append(t("card.deadline", lang, date=wish_deadline(wish, lang)))
    if wish.team_claim:
        lines.append(t("card.team_wish", lang))
    status = wish_status_line(view, lang)
    if view.claimers:
        status += t("card.claimers_sep", lang) + _names(view.claimers, lang)
    lines.append(status)
    if view.waitlist:
        lines.append(t("card.waitlist", lang, names=_names(view.waitlist, lang)))
    return OutgoingMessage("\n".join(lines), wish_buttons(view, lang, in_group=in_group))


def posted_card(view: WishView, lang: str, *, in_group: bool) -> OutgoingMessage:
    """A wish's card as it is posted to a group or sent to a member; a member's card of a wish past its deadline
    (no buttons left) leads with 已截止 (on WeCom the first line is the card's title)."""
    card = wish_card(view, lang, in_group=in_group)
    if view.wish.status == WishStatus.OPEN and view.wish.expired_at is not None and not card.buttons:
        return OutgoingMessage(wish_status_line(view, lang) + "\n\n" + card.text)
    return card


def wish_buttons(view: WishView, lang: str, *, in_group: bool = False) -> tuple[tuple[Button, ...], ...]:
    """Claim / withdraw / team claim, or waitlist when full; none once closed or cancelled; past its deadline none
    but (on the group card) the secretary's 延长截止 / 结束认领."""
    wish = view.wish
    if wish.status != WishStatus.OPEN:
        return ()
    if wish.expired_at is not None:
        return (deadline_buttons(wish, lang),) if in_group else ()
    first = (
        Button(t("btn.waitlist", lang), encode(Act.WAITLIST, wish.id))
        if view.full
        else Button(t("btn.claim", lang), encode(Act.CLAIM, wish.id))
    )
    row = [first, Button(t("btn.withdraw", lang), encode(Act.WITHDRAW, wish.id))]
    if wish.team_claim and not view.full:
        row.insert(1, Button(t("btn.team_claim", lang), encode(Act.TEAM_CLAIM, wish.id)))
    return (tuple(row),)


def deadline_buttons(wish: Wish, lang: str) -> tuple[Button, ...]:
    """What a secretary may do with a wish past its deadline: extend it, or end its claiming."""
    return (
        Button(t("btn.extend", lang), encode(Act.EXTEND, wish.id)),
        Button(t("btn.close_wish", lang), encode(Act.CLOSE_WISH, wish.id)),
    )


def claim_notice(view: WishView, claim: Claim, lang: str, *, promoted: bool = False) -> OutgoingMessage:
    """Private message after a claim: the wish in full (phones visible to the claimer) and done / give up."""
    card = wish_card(view, lang, show_phones=True)
    key = "notice.promoted" if promoted else "notice.claimed"
    text = t(key, lang, id=view.wish.id) + "\n\n" + card.text
    buttons = (
        (
            Button(t("btn.done", lang), encode(Act.DONE, claim.id)),
            Button(t("btn.give_up", lang), encode(Act.WITHDRAW, view.wish.id)),
        ),
    )
    return OutgoingMessage(text, buttons)


def claim_state_line(claim: Claim, wish: Wish, lang: str) -> str | None:
    """Where a claim card's claim ended up, when its done / give up no longer apply; None while they do."""
    if wish.status == WishStatus.CANCELLED and claim.status in (ClaimStatus.CLAIMED, ClaimStatus.RELEASED):
        return t("card.claim.cancelled", lang)
    if claim.status == ClaimStatus.CLAIMED:
        return None
    return t(f"card.claim.{claim.status}", lang)


def claim_card(view: WishView, claim: Claim, lang: str, *, intro: str = "claimed", reason: str = "") -> OutgoingMessage:
    """A member's private claim card as the claim stands now: done / give up while it is open, else its end state.

    ``intro``: why it was sent ("claimed", "promoted" from the waitlist, or "returned" with the ``reason``).
    """
    card = wish_card(view, lang, show_phones=True)
    key = "notice.promoted" if intro == "promoted" else "notice.claimed"
    text = t(key, lang, id=view.wish.id) + "\n\n" + card.text
    if intro == "returned":
        text = t("notice.returned", lang, id=view.wish.id, reason=escape(reason) or "—") + "\n\n" + text
    state = claim_state_line(claim, view.wish, lang)
    if state is not None:
        return OutgoingMessage(state + "\n\n" + text)
    buttons = (
        (
            Button(t("btn.done", lang), encode(Act.DONE, claim.id)),
            Button(t("btn.give_up", lang), encode(Act.WITHDRAW, view.wish.id)),
        ),
    )
    return OutgoingMessage(text, buttons)


def review_card(
    member: Member, wish: Wish, claim: Claim, lang: str, *, reported_at: datetime | None = None
) -> OutgoingMessage:
    """A secretary's review card as the claim stands now: confirm / return / stars while the report waits;
    once confirmed its state (stars stay until it is rated); once returned (or reported again) 已退回, no buttons.
    A card whose buttons are gone leads with its state (on WeCom the state is the card's title).

    ``reported_at``: the report this card asked about (a later report of the same claim has a card of its own).
    """
    asked = review_notice(member, wish, claim, lang)
    if claim.status == ClaimStatus.DONE and (reported_at is None or claim.done_at == reported_at):
        return asked
    base = asked.text
    if claim.status == ClaimStatus.CONFIRMED:
        stars = " " + "★" * claim.rating if claim.rating else ""
        status = t("card.review.confirmed", lang) + stars
        buttons = () if claim.rating else asked.buttons[1:]
    elif claim.status in (ClaimStatus.CLAIMED, ClaimStatus.DONE):
        status, buttons = t("card.review.returned", lang), ()
    else:
        status, buttons = t(f"card.claim.{claim.status}", lang), ()
    if wish.status == WishStatus.CANCELLED and claim.status != ClaimStatus.CONFIRMED:
        status = t("card.cancelled", lang)
    return OutgoingMessage(status + "\n\n" + base, buttons, photo_ref=asked.photo_ref)


def manage_card(view: WishView, lang: str) -> OutgoingMessage:
    """The posting secretary's card of a wish: 结束认领 / 取消心愿 while it is open (and 延长截止 once its deadline
    passed, leading with 已截止); its final state after."""
    card = wish_card(view, lang, show_phones=True)
    wish = view.wish
    if wish.status != WishStatus.OPEN:
        return OutgoingMessage(wish_status_line(view, lang) + "\n\n" + card.text)
    cancel = Button(t("btn.cancel_wish", lang), encode(Act.CANCEL_WISH, wish.id))
    if wish.expired_at is not None:
        return OutgoingMessage(
            wish_status_line(view, lang) + "\n\n" + card.text, ((*deadline_buttons(wish, lang), cancel),)
        )
    return OutgoingMessage(card.text, ((Button(t("btn.close_wish", lang), encode(Act.CLOSE_WISH, wish.id)), cancel),))


def review_notice(member: Member, wish: Wish, claim: Claim, lang: str) -> OutgoingMessage:
    """Private message to a secretary: confirm or return a reported service."""
    lines = [
        t(
            "notice.review",
            lang,
            name=escape(member.name or t("member.anonymous", lang)),
            id=wish.id,
            title=escape(mask_phones(wish.title)),
            hours=format_hours(claim.hours or 0),
        )
    ]
    if claim.note:
        lines.append(t("notice.review_note", lang, note=escape(claim.note)))
    if claim.photo_ref:
        lines.append(t("notice.review_photo", lang))
    buttons = (
        (
            Button(t("btn.confirm", lang), encode(Act.CONFIRM, claim.id)),
            Button(t("btn.return", lang), encode(Act.RETURN, claim.id)),
        ),
        tuple(Button("★" * n, encode(Act.RATE, claim.id, str(n))) for n in range(1, 6)),
    )
    return OutgoingMessage("\n".join(lines), buttons, photo_ref=claim.photo_ref or None)


def visit_review_card(
    visit: Visit, pairing: Pairing, member: Member, lang: str, *, decided_by: str = ""
) -> OutgoingMessage:
    """A secretary's review card of a pairing visit: the household's alias (never its contact), the hours, the note
    and the photo, 确认走访 / 退回 while it waits; once decided, its state and who decided, no buttons."""
    lines = [
        t(
            "pair.card.review",
            lang,
            name=escape(member.name or t("member.anonymous", lang)),
            id=pairing.id,
            alias=escape(pairing.alias),
            day=format_date(visit.visited_on, lang),
            hours=format_hours(visit.hours),
            visit=visit.id,
        )
    ]
    if visit.note:
        lines.append(t("notice.review_note", lang, note=escape(visit.note)))
    if visit.photo_ref:
        lines.append(t("notice.review_photo", lang))
    body = "\n".join(lines)
    if visit.status == VisitStatus.REPORTED:
        body += "\n" + t("pair.card.hint", lang, visit=visit.id)
        buttons = (
            (
                Button(t("pair.btn.confirm", lang), encode(Act.VISIT_CONFIRM, visit.id)),
                Button(t("pair.btn.return", lang), encode(Act.VISIT_RETURN, visit.id)),
            ),
        )
        return OutgoingMessage(body, buttons, photo_ref=visit.photo_ref)
    if visit.status == VisitStatus.CONFIRMED:
        status = t("pair.card.confirmed", lang, by=escape(decided_by or "—"))
    else:
        status = t("pair.card.returned", lang, by=escape(decided_by or "—"), reason=escape(visit.return_reason))
    return OutgoingMessage(status + "\n\n" + body, photo_ref=visit.photo_ref)


def simple_notice(key: str, lang: str, **kwargs: object) -> OutgoingMessage:
    """A one-line private or group notice from the catalog."""
    return OutgoingMessage(t(key, lang, **kwargs))


def report_note(member: Member, lang: str) -> OutgoingMessage:
    """The public note after report-in (亮身份、亮承诺)."""
    lines = [t("notice.reported_public", lang, name=escape(member.name), workplace=escape(member.workplace))]
    if member.skills:
        lines.append(t("notice.reported_skills", lang, skills=escape(t("list.sep", lang).join(member.skills))))
    if member.commitment:
        lines.append(t("notice.reported_commitment", lang, commitment=escape(member.commitment)))
    return OutgoingMessage("\n".join(lines))


def _of_which(status: QuarterStatus, lang: str) -> str:
    """The 战时 and 演练 part of the quarter's hours, as "（其中战时 3 小时）"; empty when there is none."""
    emergency, drill = format_hours(status.emergency_hours), format_hours(status.drill_hours)
    if status.emergency_hours and status.drill_hours:
        return t("me.of_which.both", lang, emergency=emergency, drill=drill)
    if status.emergency_hours:
        return t("me.of_which.emergency", lang, emergency=emergency)
    return t("me.of_which.drill", lang, drill=drill) if status.drill_hours else ""


def quarter_text(status: QuarterStatus, lang: str) -> str:
    """/me: the member's quarter, hours, open claims and commitment."""
    m = status.member
    lines = [t("me.head", lang, name=escape(m.name), quarter=status.quarter_label)]
    lines.append(t("me.served" if status.served else "me.not_served", lang))
    lines.append(
        t(
            "me.counts",
            lang,
            services=status.services,
            hours=format_hours(status.hours),
            of_which=_of_which(status, lang),
        )
    )
    if status.pending_confirmation:
        lines.append(t("me.pending", lang, n=status.pending_confirmation))
    if status.open_claims:
        lines.append(t("me.open_claims", lang))
        for claim, wish in status.open_claims:
            lines.append(f"· #{wish.id} {escape(mask_phones(wish.title))}（{t('claim.' + claim.status, lang)}）")
    if status.verified_hours or status.self_reported_hours:
        lines.append(
            t(
                "me.provenance",
                lang,
                verified=format_hours(status.verified_hours),
                confirmed=format_hours(status.confirmed_hours),
                self_reported=format_hours(status.self_reported_hours),
            )
        )
    if status.points is not None:
        lines.append(t("me.points", lang, points=f"{status.points:g}"))
    if status.recent:
        lines.append(t("me.recent", lang))
        for record in status.recent:
            kind = t(f"provenance.{record.provenance}", lang)
            date_text = format_date(record.served_on, lang)
            lines.append(
                t("me.recent_line", lang, id=record.id, date=date_text, hours=format_hours(record.hours), kind=kind)
            )
    if m.commitment:
        lines.append(t("me.commitment", lang, commitment=escape(m.commitment)))
    if status.grid_worker_of:
        lines.append(t("me.grid_worker", lang, branches="、".join(escape(b) for b in status.grid_worker_of)))
    return "\n".join(lines)


def at_risk_text(
    branch_name: str, quarter_label: str, members: Sequence[AtRiskMember], reported: int, lang: str
) -> str:
    """/atrisk: who has not served this quarter, longest-idle first."""
    if not members:
        return t("atrisk.none", lang, branch=escape(branch_name), quarter=quarter_label)
    lines = [
        t(
            "atrisk.head",
            lang,
            branch=escape(branch_name),
            quarter=quarter_label,
            n=len(members),
            total=reported,
        )
    ]
    for item in members[:100]:
        last = format_date(item.last_served_on, lang) if item.last_served_on else t("atrisk.never", lang)
        extra = t("atrisk.open_claims", lang, n=item.open_claims) if item.open_claims else ""
        lines.append(f"· {escape(item.member.name)} — {t('atrisk.last', lang, date=last)}{extra}")
    if len(members) > 100:
        lines.append(t("atrisk.more", lang, n=len(members) - 100))
    return "\n".join(lines)


def wish_list_text(
    branch_name: str,
    claimable: Sequence[WishView],
    full: Sequence[WishView],
    expired: Sequence[WishView],
    lang: str,
) -> str:
    """/wishes: the branch's wishes with free slots (待认领), then the full ones (已满) and those past their deadline
    (已截止), one line each."""
    if not (claimable or full or expired):
        return t("wishes.none", lang, branch=escape(branch_name))
    lines = [t("wishes.head", lang, branch=escape(branch_name))]
    lines.append(t("wishes.open", lang, n=len(claimable)) if claimable else t("wishes.open_none", lang))
    lines += [_wish_line(v, lang) for v in claimable]
    for key, shown in (("wishes.full", full), ("wishes.expired", expired)):
        if shown:
            lines.append(t(key, lang, n=len(shown)))
            lines += [_wish_line(v, lang) for v in shown]
    return "\n".join(lines)


def _wish_line(view: WishView, lang: str) -> str:
    wish = view.wish
    deadline = t("wishes.deadline", lang, date=wish_deadline(wish, lang)) if wish.deadline else ""
    mark = "🚨 " if wish.urgency == Urgency.EMERGENCY else ""
    return f"{mark}#{wish.id} {escape(mask_phones(wish.title))} · {wish_status_line(view, lang)}{deadline}"


def claims_text(claims: Sequence[tuple[Claim, Wish]], lang: str) -> str:
    """/mine: the member's claims and where each stands."""
    if not claims:
        return t("mine.none", lang)
    lines = [t("mine.head", lang)]
    for claim, wish in claims:
        lines.append(f"· #{wish.id} {escape(mask_phones(wish.title))}（{t('claim.' + claim.status, lang)}）")
    return "\n".join(lines)


def describe_error(error: DomainError, lang: str) -> str:
    """The user text for a refusal: a field-specific message when there is one, else the general one."""
    key = error.key
    for detail in ("field", "status"):
        value = error.args_map.get(detail)
        if value and has(f"{error.key}.{value}"):
            key = f"{error.key}.{value}"
            break
    return t(key, lang, **{k: v for k, v in error.args_map.items() if k not in ("field", "status")})


BUTTON_TITLE = 12


def _short(title: str) -> str:
    return title if len(title) <= BUTTON_TITLE else title[: BUTTON_TITLE - 1] + "…"


def nudge_message(
    member: Member, quarter: Quarter, firm: bool, days_left: int, wishes: Sequence[Wish], pause_days: int, lang: str
) -> OutgoingMessage:
    """The private reminder: polite, firmer near the quarter's end, with claim buttons and a pause button."""
    lines = [nudge_intro(member, quarter, firm, days_left, lang)]
    if wishes:
        lines += [t("sched.nudge.wish", lang, id=w.id, title=escape(w.title)) for w in wishes]
    else:
        lines.append(t("sched.nudge.no_wishes", lang))
    buttons = [
        (Button(t("sched.btn.claim", lang, id=w.id, title=_short(w.title)), encode(Act.CLAIM, w.id)),) for w in wishes
    ]
    buttons.append((Button(t("sched.btn.pause", lang), encode(Act.PAUSE_NUDGES, pause_days)),))
    return OutgoingMessage("\n".join(lines), tuple(buttons))


def nudge_intro(member: Member, quarter: Quarter, firm: bool, days_left: int, lang: str) -> str:
    """The opening of a nudge: polite, firmer near the quarter's end."""
    key = "sched.nudge.firm" if firm else "sched.nudge.gentle"
    return t(key, lang, name=escape(member.name), quarter=quarter.label(lang), days=days_left)


def nudge_card(intro: str, shown: Sequence[WishView], pause_days: int, lang: str) -> OutgoingMessage:
    """A nudge as its wishes stand now: a claim button for each one still open with a free slot, the others marked
    with their state (已满 / 已截止 / 已取消 / 已结束 / 已完成), and the pause button."""
    lines = [intro]
    buttons: list[tuple[Button, ...]] = []
    for view in shown:
        w = view.wish
        line = t("sched.nudge.wish", lang, id=w.id, title=escape(w.title))
        if w.status == WishStatus.OPEN and w.expired_at is None and not view.full:
            buttons.append(
                (Button(t("sched.btn.claim", lang, id=w.id, title=_short(w.title)), encode(Act.CLAIM, w.id)),)
            )
        else:
            line += "（" + wish_status_line(view, lang) + "）"
        lines.append(line)
    buttons.append((Button(t("sched.btn.pause", lang), encode(Act.PAUSE_NUDGES, pause_days)),))
    return OutgoingMessage("\n".join(lines), tuple(buttons))


def overdue_notice(claim: Claim, wish: Wish, lang: str) -> OutgoingMessage:
    """The private reminder of a claim past its wish's deadline, with done / give up while they still apply."""
    assert wish.deadline is not None
    text = t("sched.overdue", lang, id=wish.id, title=escape(wish.title), date=wish_deadline(wish, lang))
    state = claim_state_line(claim, wish, lang)
    if state is not None:
        return OutgoingMessage(state + "\n\n" + text)
    buttons = (
        (
            Button(t("btn.done", lang), encode(Act.DONE, claim.id)),
            Button(t("btn.give_up", lang), encode(Act.WITHDRAW, wish.id)),
        ),
    )
    return OutgoingMessage(text, buttons)


def verified_text(content: CertificateContent, lang: str) -> str:
    """``/verify CODE``: what the certificate a valid code names says (HTML-escaped)."""
    return t(
        "records.verify.ok",
        lang,
        number=escape(content.number),
        name=escape(content.member_name),
        committee=escape(content.committee),
        period=f"{content.period_start.isoformat()} ~ {content.period_end.isoformat()}",
        hours=f"{content.total_hours:g}",
        issued=content.issued_on.isoformat(),
    )
