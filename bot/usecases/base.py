"""Shared machinery of the use cases: transactions, who is acting, and recording private notices."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, datetime, time
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from bot.config import RecordsConfig
from bot.config.sections import EmergencyConfig
from bot.domain import errors
from bot.domain.model import Account, Branch, ChatRef, Member, Wish, WishView
from bot.domain.privacy import normalize_phone
from bot.domain.quarters import local_date
from bot.i18n import normalize_language
from bot.notices.outbox import ClaimCard, Envelope, Fallback, Followup, Notice, Text, encode
from bot.ports.chat import OutgoingMessage
from bot.ports.clock import Clock
from bot.ports.reports import ReportQueries
from bot.ports.storage import Store, Unit
from bot.usecases import commands as cmd
from bot.usecases import outcomes

T = TypeVar("T")

MAX_NAME = 40
MAX_FIELD = 200
MAX_NOTE = 500
MAX_HOURS = 24.0


def clean_text(value: str, limit: int, field: str) -> str:
    """Whitespace folded; refuses text longer than ``limit`` with a message naming ``field``."""
    value = " ".join(value.split())
    if len(value) > limit:
        raise errors.TextTooLong(field=field, limit=limit)
    return value


def platform_name(account: Account) -> str:
    """The name a chat platform shows for an account, whitespace folded and trimmed to fit; never refused."""
    name = " ".join((account.display_name or account.user_id).split())
    limit = MAX_NAME * 2
    return name if len(name) <= limit else name[: limit - 1] + "…"


def require_phone(raw: str) -> str:
    """The mainland mobile number a person shared (any way the roster accepts it), or InvalidInput."""
    phone = normalize_phone(raw)
    if phone is None:
        raise errors.InvalidInput(field="phone")
    return phone


class Base:
    """The use cases' common state and helpers; each group of use cases builds on it."""

    emergency_config: EmergencyConfig | None = None
    """``[emergency]``, set by the composition root; None reads the defaults."""
    quiet_hours: tuple[time, time] | None = None
    """The scheduler's quiet hours, respected by emergency prompts only with ``[emergency] respect_quiet_hours``."""

    def __init__(
        self,
        store: Store,
        clock: Clock,
        tz: ZoneInfo,
        *,
        done_counts_default: bool = False,
        reports: ReportQueries | None = None,
        lang: str = "zh",
        records: RecordsConfig | None = None,
    ) -> None:
        self.records = records or RecordsConfig()
        self.store = store
        self.clock = clock
        self.tz = tz
        self.done_counts_default = done_counts_default
        self.reports = reports
        self.lang = lang

    async def _tx(self, work: Callable[[Unit, datetime], Awaitable[T]]) -> T:
        now = self.clock.now()
        async with self.store.unit() as unit:
            return await work(unit, now)

    async def _read(self, work: Callable[[Unit], Awaitable[T]]) -> T:
        """Run a read-only use case between write transactions, without a transaction of its own."""
        async with self.store.read() as unit:
            return await work(unit)

    def today(self) -> date:
        """The local date now."""
        return local_date(self.clock.now(), self.tz)

    @staticmethod
    async def _person(unit: Unit, now: datetime, actor: Account) -> Member:
        """The member behind an account, created (not reported in) if the person is new."""
        member = await unit.people.by_account(actor.platform, actor.user_id)
        if member is not None:
            if member.left_at is not None:
                raise errors.MemberLeft()
            return member
        # The platform's name is not typed by the person: it is trimmed, never refused (Telegram allows 64 + 64).
        member_id = await unit.people.create(now, platform_name(actor), language=actor.language)
        await unit.people.link_account(now, actor, member_id)
        found = await unit.people.get(member_id)
        assert found is not None
        return found

    @staticmethod
    async def _reported(unit: Unit, actor: Account, **context: object) -> Member:
        member = await unit.people.by_account(actor.platform, actor.user_id)
        if member is None or not member.reported:
            raise errors.NotReported(**context)
        return member

    @staticmethod
    async def _branch(unit: Unit, branch_id: int) -> Branch:
        branch = await unit.branches.get(branch_id)
        if branch is None:
            raise errors.BranchNotFound(branch_id=branch_id)
        return branch

    @staticmethod
    def _chat_of(branch: Branch) -> ChatRef:
        """The branch's group chat; a branch set up offline has none until ``/branch NAME`` binds its group, and
        nothing can be posted in it before (wishes, claims and their notices all live in bound branches)."""
        if branch.chat is None:
            raise errors.BranchNotBound(name=branch.name)
        return branch.chat

    @staticmethod
    async def _wish(unit: Unit, wish_id: int) -> Wish:
        wish = await unit.wishes.get(wish_id)
        if wish is None:
            raise errors.WishNotFound(wish_id=wish_id)
        return wish

    async def _secretary(self, unit: Unit, now: datetime, actor: Account, branch_id: int) -> Member:
        person = await self._person(unit, now, actor)
        if not await unit.branches.is_secretary(branch_id, person.id):
            raise errors.NotSecretary(branch_id=branch_id)
        return person

    @staticmethod
    async def _view(unit: Unit, wish_id: int) -> WishView:
        view = await unit.wishes.view(wish_id)
        assert view is not None
        return view

    @staticmethod
    async def _language(unit: Unit, member: Member, accounts: list[Account] | None = None) -> str:
        if member.language:
            return normalize_language(member.language)
        for account in accounts if accounts is not None else await unit.people.accounts_of(member.id):
            if account.language:
                return normalize_language(account.language)
        return normalize_language(None)

    async def _notify(
        self,
        unit: Unit,
        now: datetime,
        member: Member,
        platform: str,
        key: str,
        kind: str,
        message: OutgoingMessage | Notice,
        *,
        fallback_chat: ChatRef | None = None,
        not_before: datetime | None = None,
        accounts: list[Account] | None = None,
        followups: tuple[Followup, ...] = (),
        only_reachable: bool = False,
    ) -> bool:
        """Record a private notice to a member on ``platform``; False if they have no account there (or, with
        ``only_reachable``, none that still takes private messages) or it was recorded before."""
        chat = await private_chat(unit, member, platform, accounts=accounts, only_reachable=only_reachable)
        if chat is None:
            return False
        notice = Text.of(message) if isinstance(message, OutgoingMessage) else message
        fallback = Fallback(fallback_chat, member.name) if fallback_chat is not None else None
        return await record(
            unit,
            now,
            key=key,
            kind=kind,
            chat=chat,
            member_id=member.id,
            notice=notice,
            fallback=fallback,
            followups=followups,
            not_before=not_before,
        )

    async def _promote(self, unit: Unit, now: datetime, wish: Wish) -> Member | None:
        """Give a freed slot to the first member still able to take it, and tell them."""
        while (entry := await unit.waitlist.pop(wish.id)) is not None:
            member_id, team_id = entry
            member = await unit.people.get(member_id)
            if member is None or not member.reported or await unit.claims.active(wish.id, member_id) is not None:
                continue
            claim = await unit.claims.add(now, wish.id, member_id, team_id)
            await unit.audit.record(now, None, "claim.promote", "claim", claim.id, wish_id=wish.id, member_id=member_id)
            branch = await unit.branches.get(wish.branch_id)
            assert branch is not None
            lang = await self._language(unit, member)
            await self._notify(
                unit,
                now,
                member,
                self._chat_of(branch).platform,
                f"claim:{claim.id}",
                "claim_notice",
                ClaimCard(claim.id, lang, intro="promoted"),
                fallback_chat=self._chat_of(branch),
            )
            return member
        return None

    async def _wish_as_series(self, c: cmd.PostWish) -> outcomes.WishPosted | None:
        """A wish text that states a recurrence, posted as a series (its first occurrence the wish); None for a
        one-off wish. Defined by the recurring use cases."""
        return None


async def record(
    unit: Unit,
    now: datetime,
    *,
    key: str,
    kind: str,
    chat: ChatRef,
    member_id: int | None,
    notice: Notice,
    fallback: Fallback | None = None,
    followups: tuple[Followup, ...] = (),
    not_before: datetime | None = None,
) -> bool:
    """The one way a decision to send is recorded: a typed notice in the outbox; False if recorded before."""
    return await unit.outbox.enqueue(
        now,
        dedupe_key=key,
        kind=kind,
        platform=chat.platform,
        chat=chat,
        member_id=member_id,
        payload=encode(Envelope(notice, fallback, followups)),
        not_before=not_before,
    )


async def private_chat(
    unit: Unit, member: Member, platform: str, *, accounts: list[Account] | None = None, only_reachable: bool = True
) -> ChatRef | None:
    """The member's private chat on a platform (with ``only_reachable``, only one not known to fail)."""
    for account in accounts if accounts is not None else await unit.people.accounts_of(member.id):
        if account.platform != platform:
            continue
        if only_reachable and not await unit.people.reachable(platform, account.user_id):
            return None
        return ChatRef(platform, account.user_id)
    return None


def plain_data(data: dict[str, Any]) -> dict[str, Any]:
    """Dataclass fields made JSON-friendly (dates as ISO text, enums as values)."""
    out: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, datetime | date):
            out[key] = value.isoformat()
        elif isinstance(value, tuple):
            out[key] = list(value)
        elif hasattr(value, "value"):
            out[key] = value.value
        else:
            out[key] = value
    return out
