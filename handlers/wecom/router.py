"""Typed WeCom events become typed commands for the use cases; replies go back as markdown or card updates."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable, Sequence

from bot.delivery.outbox import too_large
from bot.domain.errors import DomainError, NotSecretary
from bot.domain.model import Account, ChatRef
from bot.domain.privacy import mask_phones
from bot.flows import draft
from bot.flows import extend as extend_flow
from bot.flows.base import FLOW_ACTS, Cancel, Ctx, Input, Photo, Pick, Text, wish_number
from bot.flows.report_in import report_form
from bot.flows.runner import Conversations, Reply
from bot.flows.states import CommitteeState, ReturnState
from bot.notices import views
from bot.notices.callbacks import Act, Payload, decode, encode
from bot.ports.chat import Attachment, Button, DeliveryError, OutgoingMessage
from bot.usecases import UseCases, outcomes
from bot.usecases import commands as cmd
from bot.usecases.pairing_lists import (
    changed_text,
    confirmed_text,
    made_text,
    mine_text,
    number_and_rest,
    pairing_list_text,
)
from bot.usecases.recurring import series_joined_text, series_left_text, series_posted_text
from handlers.wecom import records
from handlers.wecom.api import WeComApi
from handlers.wecom.emergency import COMMANDS as EMERGENCY_COMMANDS
from handlers.wecom.emergency import EmergencyRouter
from handlers.wecom.events import EnterAgentEvent, ImageMessage, TemplateCardEvent, TextMessage, WeComEvent
from handlers.wecom.gateway import CARD_PREFIX, PLATFORM, CardHandle, WeComGateway
from handlers.wecom.records import RecordsCommands
from handlers.wecom.render import MAX_BUTTONS, error_text, problem_text
from handlers.wecom.texts import t

log = logging.getLogger(__name__)

WISH_MARKERS = ("#微心愿", "【微心愿】", "[微心愿]", "/wish")
_LIST_SEP = re.compile(r"[,，、;；\s]+")
_FIELD_SEP = re.compile(r"[|｜]")
_NONE_WORDS = frozenset({"无", "没有", "-", "none", "no"})
_WISH_ACTS = frozenset({Act.CLAIM, Act.TEAM_CLAIM, Act.WAITLIST, Act.WITHDRAW})
_VISIT_ACTS = frozenset({Act.VISIT_CONFIRM, Act.VISIT_RETURN, Act.LEAVE_SERIES})
PAIRING_COMMANDS = {
    "/pair": "pair",
    "结对": "pair",
    "/结对": "pair",
    "/pairings": "pairings",
    "结对列表": "pairings",
    "/visit": "visit",
    "走访": "visit",
    "/走访": "visit",
    "/confirmvisit": "confirmvisit",
    "确认走访": "confirmvisit",
    "/pausepair": "pause",
    "暂停结对": "pause",
    "/resumepair": "resume",
    "恢复结对": "resume",
    "/endpair": "end",
    "结束结对": "end",
    "/handover": "handover",
    "移交结对": "handover",
}
"""The pairing commands (结对帮扶) and their Chinese words, each to what it does."""
RECURRING_COMMANDS = {
    "/recurring": "recurring",
    "周期活动": "recurring",
    "/series": "series",
    "认领系列": "series",
    "/endseries": "endseries",
    "停止系列": "endseries",
    "/calendar": "calendar",
    "日历": "calendar",
    "/leaveseries": "leaveseries",
    "退出系列": "leaveseries",
}
"""The commands of recurring activities and their Chinese words."""
_NUMBERED_USAGE = {
    "confirmvisit": ("pair.usage.confirm", "/confirmvisit"),
    "pause": ("pair.usage.number", "/pausepair"),
    "resume": ("pair.usage.number", "/resumepair"),
    "end": ("pair.usage.number", "/endpair"),
    "handover": ("pair.usage.handover", "/handover"),
    "series": ("series.usage.number", "/series"),
    "endseries": ("series.usage.number", "/endseries"),
    "leaveseries": ("series.usage.number", "/leaveseries"),
}
"""The commands that take a number (the handover also a member), and the usage answered when it is missing."""


def allowed_commands(roles: outcomes.Roles, *, bot_admin: bool) -> tuple[str, ...]:
    """The commands (all sent privately to the app) a person may use: /报到 once on a branch's list, /me and /mine
    once reported in, a secretary's wish commands when one of their branches has its group chat, /digest for
    admins of a committee that has its chat, /committee for the configured admins; an emergency call (/应急) and its
    headcount (/人数) for whoever administers a committee or leads a branch that has its chat, the pairing and series
    commands that take a number for secretaries, /series for reported-in members, /应急岗位 for everyone."""
    member = roles.member
    names = ["/help"]
    if member is not None and member.home_branch_id is not None:
        names.append("/报到")
    if member is not None and member.reported:
        names += ["/me", "/mine"]
    if (member is not None and member.home_branch_id is not None) or roles.secretary_of:
        names.append("/wishes")
    names.append("/cancel")
    if any(b.chat is not None for b in roles.secretary_of):
        names += ["/wish", "/manage", "/extend", "/close"]
    if roles.secretary_of:
        names.append("/atrisk")
    if bot_admin or roles.admin_of or any(b.chat is None for b in roles.secretary_of):
        names.append("/branch")
    if bot_admin:
        names.append("/committee")
    if any(c.chat is not None for c in roles.admin_of):
        names.append("/digest")
    if roles.secretary_of or roles.admin_of:
        names.append("/export")
    if member is not None and member.reported:  # pairings and recurring activities
        names += ["/visit", "/calendar"]
    if roles.secretary_of:
        names += ["/pair", "/pairings"]
    if any(b.chat is not None for b in roles.secretary_of):
        names.append("/recurring")
    if member is not None and member.reported:
        names += ["/签到", "/证明", "/更正"]
    names.append("/verify")
    if roles.secretary_of:
        names.append("/signin")
    if any(c.chat is not None for c in roles.admin_of) or any(b.chat is not None for b in roles.secretary_of):
        names += ["/应急", "/人数"]  # on the chat of the committee one administers, else of the branch one leads
    names += ["/应急岗位", "/answer"]
    if member is not None and member.reported:
        names += ["/series", "/leaveseries"]
    if roles.secretary_of:
        names += ["/confirmvisit", "/pausepair", "/resumepair", "/handover", "/endpair", "/endseries"]
    if roles.grid_worker_of and not roles.secretary_of:  # grid workers (网格员)
        names.append("/signin")
    if roles.secretary_of:
        names.append("/网格员")
    return tuple(names)


ALIASES = {
    "/help": "/start",
    "/报到": "/report",
    "/应急": "/emergency",
    "/人数": "/headcount",
    "/应急岗位": "/post",
    "/签到": "/checkin",
    "/证明": "/certificate",
    "/更正": "/correct",
    "/verify": "/核验",
    "/pair": "/结对",
    "/visit": "/走访",
    "/网格员": "/gridworker",
    "/leaveseries": "退出系列",
    "/answer": "/回复",
}
"""The other spelling of a command, shown beside it in /help."""


def help_text(names: tuple[str, ...], lang: str, *, points: bool = False) -> str:
    """/help: one line per command, with its other spelling where it has one; /me names the points when
    ``[points]`` is enabled."""
    lines = [t("wc.help", lang)]
    for name in names:
        alias = t("wc.help.alias", lang, alias=ALIASES[name]) if name in ALIASES else ""
        key = "wc.help.me_points" if name == "/me" and points else f"wc.cmd.{name}"
        lines.append(f"{name}{alias} — {t(key, lang)}")
    return "\n".join(lines)


def _split_list(text: str) -> list[str]:
    items = [item for item in _LIST_SEP.split(text.strip()) if item]
    return [] if len(items) == 1 and items[0].lower() in _NONE_WORDS else items


class WeComRouter:
    """Handles one callback event at a time; all state changes (conversation steps too) go through :class:`UseCases`."""

    def __init__(
        self,
        usecases: UseCases,
        api: WeComApi,
        gateway: WeComGateway,
        *,
        admins: Sequence[str] = (),
        changed: Callable[[], None] = lambda: None,
    ) -> None:
        self.usecases = usecases
        self.api = api
        self.gateway = gateway
        self.admins = tuple(admins)
        self.changed = changed
        self._names: dict[str, str] = {}
        self.conversations = Conversations(usecases)
        self.emergency = EmergencyRouter(usecases, gateway, self._reply, admins=self.admins, changed=changed)
        self.records = RecordsCommands(usecases, gateway, lambda: self.changed())

    async def handle(self, event: WeComEvent) -> None:
        """React to one decrypted, deduplicated callback event."""
        if not getattr(event, "user_id", ""):
            return
        account, lang = await self._actor(event.user_id)
        try:
            if isinstance(event, TextMessage):
                await self._text(account, lang, event.content.strip())
            elif isinstance(event, TemplateCardEvent):
                await self._press(account, lang, event)
            elif isinstance(event, ImageMessage):
                await self._image(account, lang, event)
            elif isinstance(event, EnterAgentEvent):
                await self._enter(account, lang)
        except DomainError as error:
            await self._reply(account, error_text(error, lang))
        except DeliveryError as error:
            log.warning("WeCom call failed while handling %s: %s", event.dedupe_key, error)

    # -- people -------------------------------------------------------------------------------------------

    async def _actor(self, user_id: str) -> tuple[Account, str]:
        name = self._names.get(user_id)
        if name is None:
            try:
                name = (await self.api.get_user(user_id)).name or user_id
            except DeliveryError:
                name = user_id
            self._names[user_id] = name
        account = Account(PLATFORM, user_id, name)
        return account, await self.usecases.language_of(account)

    async def _reply(self, account: Account, text: str) -> None:
        await self.gateway.send_text(account.user_id, text)

    async def _ask(self, account: Account, text: str, buttons: Sequence[Button]) -> None:
        await self.gateway.send_card(account.user_id, OutgoingMessage(text, (tuple(buttons[:MAX_BUTTONS]),)))

    def _ctx(self, account: Account, lang: str) -> Ctx:
        return Ctx(account, lang, account.user_id in self.admins)

    async def _show(self, account: Account, lang: str, answer: Reply) -> None:
        """A conversation's reply: refusals and prompts as markdown, prompts with a few buttons as a card."""
        if answer.outdated:
            await self._reply(account, t("flow.outdated", lang))
            return
        if answer.outcome is not None or answer.claimed is not None:
            self.changed()
        if answer.error is not None:
            await self._reply(account, error_text(answer.error, lang))
        for prompt in answer.prompts:
            text = t(prompt.key, lang, **prompt.kwargs())
            buttons = [b for row in prompt.buttons for b in row if b.payload]
            if buttons and len(buttons) <= MAX_BUTTONS:
                await self._ask(account, text, buttons)
            else:
                await self._reply(account, text)

    # -- text -----------------------------------------------------------------------------------------------

    async def _text(self, account: Account, lang: str, text: str) -> None:
        parts = text.split(maxsplit=1)
        command = parts[0].lower() if parts else ""
        rest = parts[1].strip() if len(parts) > 1 else ""
        wish_id = wish_number(rest) if rest else None
        if command in EMERGENCY_COMMANDS:
            await self.emergency.text(account, lang, command, rest)
        elif command in ("/cancel", "取消", "/close", "结束") and wish_id is not None:
            await self._end_wish(account, lang, wish_id, close=command in ("/close", "结束"))
        elif command in ("/extend", "延期"):
            await self._extend(account, lang, rest)
        elif command in ("/manage", "管理") and wish_id is not None:
            await self.usecases.send_manage_card(account, wish_id)
            self.changed()
        elif command in ("/cancel", "取消"):
            await self._show(account, lang, await self.conversations.cancel(self._ctx(account, lang)))
        elif command == "/wishes":  # before the wish markers, one of which ("/wish") it starts with
            await self._wishes(account, lang)
        elif text.startswith(WISH_MARKERS):
            await self._wish_text(account, lang, text)
        elif command == "/committee":
            await self._committee(account, lang, rest)
        elif command == "/branch":
            await self._branch(account, lang, rest)
        elif command in ("/报到", "/report", "报到"):
            await self._report(account, lang, rest)
        elif command == "/me":
            status = await self.usecases.my_quarter(account)
            post = await self.usecases.emergency_post(account)
            unset = t("em.unset", lang)
            shown = t("em.post.show", lang, post=post.post or unset, grid=post.grid or unset)
            await self._reply(account, views.quarter_text(status, lang) + "\n" + shown)
        elif command == "/mine":
            mine = await self.usecases.my_claims(account)
            await self._reply(account, views.claims_text(mine.claims, lang))
        elif command == "/atrisk":
            await self._at_risk(account, lang)
        elif command in ("/digest", "简报"):
            await self._digest(account, lang)
        elif command in ("/export", "台账"):
            await self._export(account, lang)
        elif command in ("/help", "/start", "帮助"):
            await self._reply(account, await self._help_text(account, lang))
        elif command in PAIRING_COMMANDS:
            await self._pairing(account, lang, PAIRING_COMMANDS[command], rest)
        elif command in RECURRING_COMMANDS:
            await self._recurring(account, lang, RECURRING_COMMANDS[command], rest)
        elif command in records.COMMANDS:
            await self.records.text(account, lang, command, rest)
        elif await self.emergency.answer_text(account, lang, text):
            return
        else:
            answer = await self.conversations.feed(self._ctx(account, lang), Text(text))
            if answer is None:
                if not await self.emergency.note(account, lang, text):
                    await self._reply(account, t("wc.unknown", lang))
            else:
                await self._show(account, lang, answer)
                await self._finished(account, lang, answer)

    async def _help_text(self, account: Account, lang: str) -> str:
        """One line per command this person may use: what the router and the use cases would not refuse them."""
        commands = allowed_commands(await self.usecases.roles(account), bot_admin=account.user_id in self.admins)
        return help_text(commands, lang, points=self.usecases.records.points_enabled)

    async def _enter(self, account: Account, lang: str) -> None:
        """A person opened the app: the welcome and help, the first time only."""
        text = t("wc.welcome", lang) + "\n\n" + await self._help_text(account, lang)
        if await self.usecases.welcome_once(account, OutgoingMessage(text)):
            self.changed()

    async def _image(self, account: Account, lang: str, event: ImageMessage) -> None:
        """A picture is the done note's photo when one is asked for; elsewhere in a conversation text is wanted."""
        if not event.media_id:
            return
        answer = await self.conversations.feed(self._ctx(account, lang), Photo(event.media_id))
        if answer is not None:
            await self._show(account, lang, answer)

    # -- committees and branches ----------------------------------------------------------------------------

    async def _committee(self, account: Account, lang: str, rest: str) -> None:
        args = rest.split()
        if not args:
            await self._reply(account, t("wc.committee.usage", lang))
            return
        by_admin = account.user_id in self.admins
        if not by_admin:
            await self._reply(account, t("wc.not_admin", lang))
            return
        name = args[0]
        chat_id = args[1] if len(args) > 1 else None
        if chat_id is None and len(self.admins) >= 2:
            members = list(dict.fromkeys([account.user_id, *self.admins]))
            chat_id = await self.api.appchat_create(name, account.user_id, members)
        chat = ChatRef(PLATFORM, chat_id) if chat_id else None
        result = await self.usecases.create_committee(cmd.CreateCommittee(account, name, chat, by_admin))
        key = "wc.committee.set" if chat else "wc.committee.no_chat"
        await self._reply(account, t(key, lang, name=result.committee.name))

    async def _branch(self, account: Account, lang: str, rest: str) -> None:
        name, _, listed = rest.partition(" ")
        user_ids = _split_list(listed)
        if not name or not user_ids:
            await self._reply(account, t("wc.branch.usage", lang))
            return
        members = list(dict.fromkeys([account.user_id, *user_ids]))
        chat_id = await self.api.appchat_create(name, account.user_id, members)
        answer = await self.conversations.begin_branch(self._ctx(account, lang), name, chat_id, members)
        await self._show(account, lang, answer)
        await self._finished(account, lang, answer)

    async def _finished(self, account: Account, lang: str, answer: Reply) -> None:
        """What only WeCom does after a conversation: enroll a new branch, send a posted wish's member cards."""
        outcome = answer.outcome
        if isinstance(outcome, outcomes.BranchCreated) and isinstance(answer.finished, CommitteeState):
            members = await asyncio.gather(*(self._actor(user_id) for user_id in answer.finished.members))
            await self.usecases.enroll(outcome.branch.id, [member for member, _ in members])
            chat = outcome.branch.chat or ChatRef(PLATFORM, answer.finished.chat_id)
            await self.gateway.send(chat, OutgoingMessage(t("wc.branch.welcome", lang, name=outcome.branch.name)))
            if outcome.bound:
                said = t("wc.branch.bound", lang, name=outcome.branch.name, n=outcome.members, chat_n=len(members))
            else:
                said = t("wc.branch.created", lang, name=outcome.branch.name, n=len(members))
            await self._reply(account, said)
        elif isinstance(outcome, outcomes.WishPosted | outcomes.WishNeedsFix):
            await self._posted(account, lang, outcome)
        elif isinstance(outcome, outcomes.ServiceReturned) and isinstance(answer.finished, ReturnState):
            handle = CardHandle.decode(answer.finished.origin)
            label, wish = t("wc.card.returned", lang), outcome.wish
            await self._close_card(account, handle, f"{label}\n#{wish.id} {mask_phones(wish.title)}", label)

    # -- reports ------------------------------------------------------------------------------------------------

    async def _digest(self, account: Account, lang: str) -> None:
        """/digest: a committee admin has this week's digest posted to the committee's appchat now."""
        queued = await self.usecases.digest_now(account, None)
        self.changed()
        await self._reply(account, t("wc.digest.queued" if queued else "wc.digest.already", lang))

    async def _export(self, account: Account, lang: str) -> None:
        """/export: the ledger of what the person administers (committee or branch), sent privately as a file."""
        ledger = await self.usecases.export_here(account, None)
        if len(ledger.content) > self.gateway.max_file_bytes:
            await self._reply(account, too_large(ledger, self.gateway.max_file_bytes, lang))
            return
        await self._reply(account, t("wc.export.caption", lang, file=ledger.filename))
        await self.gateway.send_attachment(account.user_id, ledger)

    # -- wishes -----------------------------------------------------------------------------------------------

    async def _wish_text(self, account: Account, lang: str, text: str) -> None:
        roles = await self.usecases.roles(account)
        if not roles.secretary_of:
            raise NotSecretary()
        if len(roles.secretary_of) == 1:
            await self._post(account, lang, roles.secretary_of[0].id, text)
            return
        answer = await self.conversations.begin_wish(self._ctx(account, lang), text, roles.secretary_of)
        await self._show(account, lang, answer)

    async def _post(self, account: Account, lang: str, branch_id: int, text: str) -> None:
        command = cmd.PostWish(account, branch_id, text)
        await self._posted(account, lang, await self.conversations.post_wish(self._ctx(account, lang), command))

    async def _posted(self, account: Account, lang: str, result: outcomes.WishPosted | outcomes.WishNeedsFix) -> None:
        if isinstance(result, outcomes.WishNeedsFix):
            prompt = draft.needs_fix(result.problems, lang)
            await self._reply(account, t(prompt.key, lang, **prompt.kwargs()))
            return
        if result.series is not None:
            self.changed()
            await self._reply(account, series_posted_text(result.series, lang))
            return
        wish_id = result.view.wish.id
        sent_to = await self.usecases.send_member_cards(wish_id, PLATFORM)
        self.changed()
        lines = [t("wc.wish.posted", lang, id=wish_id, n=sent_to)]
        lines += [t("wc.wish.note", lang, text=problem_text(p, lang)) for p in result.notes]
        await self._reply(account, "\n".join(lines))

    async def _wishes(self, account: Account, lang: str) -> None:
        roles = await self.usecases.roles(account)
        branch_ids = [b.id for b in roles.secretary_of]
        if roles.member is not None and roles.member.home_branch_id is not None:
            branch_ids.insert(0, roles.member.home_branch_id)
        if not branch_ids:
            await self._reply(account, t("wc.report.no_branch", lang))
            return
        for branch_id in dict.fromkeys(branch_ids):
            found = await self.usecases.wish_lists(branch_id)
            text = views.wish_list_text(found.branch_name, found.claimable, found.full, found.expired, lang)
            await self._reply(account, text)

    async def _at_risk(self, account: Account, lang: str) -> None:
        roles = await self.usecases.roles(account)
        if not roles.secretary_of:
            raise NotSecretary()
        for branch in roles.secretary_of:
            found = await self.usecases.at_risk(account, branch.id, lang)
            text = views.at_risk_text(found.branch.name, found.quarter_label, found.members, found.reported, lang)
            await self._reply(account, text)

    # -- pairings (结对帮扶) -----------------------------------------------------------------------------------

    async def _pairing(self, account: Account, lang: str, name: str, rest: str) -> None:
        """The pairing commands, sent privately to the app: a secretary's for the first branch they run."""
        usecases = self.usecases
        number, after = number_and_rest(rest)
        if name == "visit":
            if number is None:
                await self._reply(account, mine_text(await usecases.my_pairings(account), lang))
                return
            await self._show(account, lang, await self.conversations.begin_visit(self._ctx(account, lang), number))
            return
        if name in _NUMBERED_USAGE and (number is None or (name == "handover" and not after)):
            key, command = _NUMBERED_USAGE[name]
            await self._reply(account, t(key, lang, command=command))
            return
        if number is not None and name == "confirmvisit":
            confirmed = await usecases.confirm_visit(cmd.ConfirmVisit(account, number))
            self.changed()
            await self._reply(account, confirmed_text(confirmed, lang))
            return
        if number is not None and name in ("pause", "resume", "end", "handover"):
            if name == "handover":
                made = await usecases.hand_over_pairing(cmd.HandOverPairing(account, number, after))
            else:
                made = await usecases.change_pairing(cmd.ChangePairing(account, number, name))
            self.changed()
            await self._reply(account, changed_text(name, made, lang))
            return
        roles = await usecases.roles(account)
        if not roles.secretary_of:
            raise NotSecretary()
        branch = roles.wish_branches[0]
        if name == "pairings":
            found = await usecases.pairings_of_branch(account, branch.id)
            await self._reply(account, pairing_list_text(found, lang, private=True))
            return
        if not rest:
            await self._reply(account, t("pair.usage.pair", lang))
            return
        made = await usecases.create_pairing(cmd.CreatePairing(account, branch.id, rest))
        self.changed()
        await self._reply(account, made_text(made, lang))

    async def _recurring(self, account: Account, lang: str, name: str, rest: str) -> None:
        """A recurring activity posted (its occurrences' cards go to every member privately), a series claimed or
        ended, or the .ics file of what the person claimed."""
        usecases = self.usecases
        number, _after = number_and_rest(rest)
        if name == "calendar":
            found = await usecases.calendar(account)
            if not found.events:
                await self._reply(account, t("series.calendar.none", lang))
                return
            await self._reply(account, t("series.calendar.caption", lang, n=found.events))
            await self.gateway.send_attachment(account.user_id, Attachment(found.filename, found.content))
            return
        if name in _NUMBERED_USAGE and number is None:
            key, command = _NUMBERED_USAGE[name]
            await self._reply(account, t(key, lang, command=command))
            return
        if number is not None and name == "series":
            joined = await usecases.join_series(cmd.JoinSeries(account, number))
            self.changed()
            leave = Button(t("series.btn.leave", lang), encode(Act.LEAVE_SERIES, number))
            await self._ask(account, series_joined_text(joined, lang), [leave])
            return
        if number is not None and name == "leaveseries":
            left = await usecases.leave_series(cmd.LeaveSeries(account, number))
            self.changed()
            await self._reply(account, series_left_text(left, lang))
            return
        if number is not None and name == "endseries":
            ended = await usecases.end_series(cmd.EndSeries(account, number))
            await self._reply(account, t("series.ended", lang, id=ended.series_id, title=ended.title))
            return
        if not rest:
            await self._reply(account, t("series.usage.post", lang))
            return
        roles = await usecases.roles(account)
        if not roles.secretary_of:
            raise NotSecretary()
        posted = await usecases.post_series(cmd.PostSeries(account, roles.wish_branches[0].id, rest))
        self.changed()
        await self._reply(account, series_posted_text(posted, lang))

    # -- report-in (报到) -----------------------------------------------------------------------------------

    async def _report(self, account: Account, lang: str, rest: str) -> None:
        """/报到: the questions one by one, or a form ``单位 | 技能 | 承诺`` (``单位 | 单位党支部 | 技能 | 承诺``, then
        optionally ``| 应急岗位`` and ``| 网格``)."""
        roles = await self.usecases.roles(account)
        member = roles.member
        branch_id = member.home_branch_id if member is not None else None
        if branch_id is None:
            await self._reply(account, t("wc.report.no_branch", lang))
            return
        ctx = self._ctx(account, lang)
        fields = [f.strip() for f in _FIELD_SEP.split(rest)] if rest else []
        if len(fields) >= 4:
            post, grid = [*fields[4:], "", ""][:2]
            answers = report_form("", fields[0], fields[1], fields[2], fields[3], post, "|".join([grid, *fields[6:]]))
        elif len(fields) == 3:
            answers = report_form("", fields[0], "", fields[1], fields[2])
        else:
            await self._show(
                account, lang, await self.conversations.begin_report(ctx, branch_id, name=account.display_name)
            )
            return
        await self._show(
            account, lang, await self.conversations.fill_report(ctx, branch_id, answers, name=account.display_name)
        )

    async def _extend(self, account: Account, lang: str, rest: str) -> None:
        """/extend N 日期 from a secretary: the wish closes at the new deadline and takes claims again."""
        number, when = [*rest.split(maxsplit=1), "", ""][:2]
        wish_id = wish_number(number)
        if wish_id is None or not when.strip():
            await self._reply(account, t("wc.extend.usage", lang))
            return
        extended = await self.usecases.extend_deadline(cmd.ExtendDeadline(account, wish_id, when))
        self.changed()
        prompt = extend_flow.extended(extended, lang)
        await self._reply(account, t(prompt.key, lang, **prompt.kwargs()))

    async def _end_wish(self, account: Account, lang: str, wish_id: int, *, close: bool) -> None:
        """/cancel N or /close N from a secretary: the wish ends, its people are told, its cards follow."""
        if close:
            told = (await self.usecases.close_wish(cmd.CloseWish(account, wish_id))).told
        else:
            told = (await self.usecases.cancel_wish(cmd.CancelWish(account, wish_id))).told
        self.changed()
        await self._reply(
            account, t("notice.wish_closed" if close else "notice.wish_cancelled", lang, id=wish_id, n=told)
        )

    # -- card buttons ------------------------------------------------------------------------------------------

    async def _press(self, account: Account, lang: str, event: TemplateCardEvent) -> None:
        payload = decode(event.event_key)
        if payload is None:
            return
        handle = (
            CardHandle(event.task_id, event.response_code, self.gateway.clock.now().timestamp())
            if event.response_code
            else None
        )
        followed = await self._adopt(account, event.task_id, handle, refresh=False)
        try:
            # a card the bot follows is drawn by the card sync, through this press's fresh code: never twice here
            await self._card_press(account, lang, payload, None if followed else handle)
        except DomainError as error:
            # a stale button: the card shows where things stand (or, if not followed, why), without its buttons
            if followed:
                await self._adopt(account, event.task_id, handle, refresh=True)
                self.changed()
            else:
                await self._close_card(account, handle, error_text(error, lang), t("wc.card.closed", lang))
            raise

    async def _adopt(self, account: Account, task_id: str, handle: CardHandle | None, *, refresh: bool) -> bool:
        """Hand a followed card this press's response code (the one it was sent with may be spent); False if the
        card is not one the bot follows (a choice card) or the press carried no code."""
        if handle is None:
            return False
        chat = ChatRef(PLATFORM, account.user_id)
        prefix = f"{CARD_PREFIX}|{task_id}|"
        return await self.usecases.card_pressed(chat, prefix, handle.encode(), refresh=refresh)

    async def _card_press(self, account: Account, lang: str, payload: Payload, handle: CardHandle | None) -> None:
        if payload.act in _WISH_ACTS:
            await self._wish_press(account, lang, payload, handle)
        elif payload.act == Act.DONE:
            begun = await self.conversations.begin_done(self._ctx(account, lang), payload.target)
            if begun.error is None:
                await self._close_card(account, handle, t("wc.card.waiting_hours", lang), t("wc.card.pending", lang))
            await self._show(account, lang, begun)
        elif payload.act in (Act.CONFIRM, Act.RATE, Act.RETURN):
            await self._review_press(account, lang, payload, handle)
        elif payload.act in (Act.CLOSE_WISH, Act.CANCEL_WISH):
            await self._end_wish(account, lang, payload.target, close=payload.act == Act.CLOSE_WISH)
        elif payload.act == Act.EXTEND:
            await self._show(
                account, lang, await self.conversations.begin_extend(self._ctx(account, lang), payload.target)
            )
        elif payload.act == Act.EMERGENCY_ANSWER:
            await self.emergency.press(account, lang, payload, handle)
        elif payload.act in records.ACTS:
            await self.records.press(account, lang, payload, handle)
        elif payload.act in FLOW_ACTS:
            given: Input = Cancel() if payload.act == Act.CANCEL else Pick(payload.act, payload.target)
            answer = await self.conversations.feed(self._ctx(account, lang), given)
            if answer is None:
                return
            if not answer.outdated:
                await self._close_card(account, handle, t("wc.card.closed", lang), t("wc.card.closed", lang))
            await self._show(account, lang, answer)
            await self._finished(account, lang, answer)
        elif payload.act in _VISIT_ACTS:
            await self._visit_press(account, lang, payload, handle)

    async def _visit_press(self, account: Account, lang: str, payload: Payload, handle: CardHandle | None) -> None:
        """确认走访 / 退回 on a visit's review card (a followed card: the card sync redraws it), and 退出系列."""
        if payload.act == Act.VISIT_CONFIRM:
            confirmed = await self.usecases.confirm_visit(cmd.ConfirmVisit(account, payload.target))
            self.changed()
            await self._reply(account, confirmed_text(confirmed, lang))
        elif payload.act == Act.VISIT_RETURN:
            await self.usecases.may_return_visit(account, payload.target)
            begun = await self.conversations.begin_visit_return(self._ctx(account, lang), payload.target)
            await self._show(account, lang, begun)
        else:
            left = await self.usecases.leave_series(cmd.LeaveSeries(account, payload.target))
            self.changed()
            text = series_left_text(left, lang)
            await self._close_card(account, handle, text, t("wc.card.closed", lang))
            await self._reply(account, text)

    async def _wish_press(self, account: Account, lang: str, payload: Payload, handle: CardHandle | None) -> None:
        wish_id = payload.target
        note = ""
        try:
            if payload.act in (Act.CLAIM, Act.TEAM_CLAIM):
                await self.usecases.claim(cmd.ClaimWish(account, wish_id, as_team=payload.act == Act.TEAM_CLAIM))
                note = t("wc.claimed", lang, id=wish_id)
            elif payload.act == Act.WAITLIST:
                waiting = await self.usecases.join_waitlist(cmd.JoinWaitlist(account, wish_id))
                note = t("wc.waitlisted", lang, id=wish_id, n=waiting.position)
            else:
                await self.usecases.withdraw(cmd.WithdrawClaim(account, wish_id))
                note = t("wc.withdrawn", lang, id=wish_id)
            self.changed()
        except DomainError as error:
            note = error_text(error, lang)
        if handle is not None:
            view = await self.usecases.wish_view(wish_id)
            await self._update_card(account, handle, views.posted_card(view, lang, in_group=False))
        await self._reply(account, note)

    async def _review_press(self, account: Account, lang: str, payload: Payload, handle: CardHandle | None) -> None:
        if payload.act == Act.RETURN:
            origin = handle.encode() if handle is not None else ""
            await self._show(
                account, lang, await self.conversations.begin_return(self._ctx(account, lang), payload.target, origin)
            )
            return
        pending = await self.conversations.current(account)
        if isinstance(pending, ReturnState) and pending.claim_id == payload.target:
            await self.conversations.save(account, None)
        if payload.act == Act.RATE and payload.arg.isdigit():
            rated = await self.usecases.rate(cmd.RateService(account, payload.target, int(payload.arg)))
            state, wish = t("wc.card.rated", lang, n=payload.arg), rated.wish
        else:
            confirmed = await self.usecases.confirm(cmd.ConfirmService(account, payload.target))
            state, wish = t("wc.card.confirmed", lang), confirmed.wish
        self.changed()
        await self._close_card(account, handle, f"{state}\n#{wish.id} {mask_phones(wish.title)}", state)

    async def _close_card(self, account: Account, handle: CardHandle | None, text: str, label: str) -> None:
        if handle is not None:
            await self._update_card(account, handle, OutgoingMessage(text), closed_label=label)

    async def _update_card(
        self, account: Account, handle: CardHandle, message: OutgoingMessage, *, closed_label: str | None = None
    ) -> None:
        try:
            await self.gateway.update_card(account.user_id, handle, message, closed_label=closed_label)
        except DeliveryError as error:
            log.info("could not update %s's card %s: %s", account.user_id, handle.task_id, error)
