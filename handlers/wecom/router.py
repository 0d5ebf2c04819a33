"""Typed WeCom events become typed commands for the use cases; replies go back as markdown or card updates."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable, Sequence
from typing import Any

from bot.delivery.outbox import too_large
from bot.domain.errors import DomainError, InvalidInput, NotSecretary
from bot.domain.model import Account, ChatRef
from bot.domain.privacy import mask_phones
from bot.notices import views
from bot.notices.callbacks import Act, Payload, decode, encode
from bot.ports.chat import Button, DeliveryError, OutgoingMessage
from bot.usecases import UseCases, outcomes
from bot.usecases import commands as cmd
from handlers.wecom.api import WeComApi
from handlers.wecom.events import EnterAgentEvent, ImageMessage, TemplateCardEvent, TextMessage, WeComEvent
from handlers.wecom.gateway import CARD_PREFIX, PLATFORM, CardHandle, WeComGateway
from handlers.wecom.render import MAX_BUTTONS, error_text, problem_text
from handlers.wecom.texts import t

log = logging.getLogger(__name__)

WISH_MARKERS = ("#微心愿", "【微心愿】", "[微心愿]", "/wish")
_LIST_SEP = re.compile(r"[,，、;；\s]+")
_FIELD_SEP = re.compile(r"[|｜]")
_NONE_WORDS = frozenset({"无", "没有", "-", "none", "no"})
_WISH_ACTS = frozenset({Act.CLAIM, Act.TEAM_CLAIM, Act.WAITLIST, Act.WITHDRAW})
_SKIP_WORDS = frozenset({"/skip", "跳过", "无"})


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

    async def _state(self, account: Account) -> dict[str, Any] | None:
        """The stored conversation step of this person, if any (it survives a restart)."""
        return await self.usecases.conversation(account)

    async def _remember(self, account: Account, state: dict[str, Any] | None) -> None:
        """Store (or, with None, end) this person's conversation step."""
        await self.usecases.set_conversation(account, state)

    # -- text -----------------------------------------------------------------------------------------------

    async def _text(self, account: Account, lang: str, text: str) -> None:
        parts = text.split(maxsplit=1)
        command = parts[0].lower() if parts else ""
        rest = parts[1].strip() if len(parts) > 1 else ""
        if command in ("/cancel", "取消", "/close", "结束") and rest.lstrip("#").isdigit():
            await self._end_wish(account, lang, int(rest.lstrip("#")), close=command in ("/close", "结束"))
        elif command in ("/manage", "管理") and rest.lstrip("#").isdigit():
            await self.usecases.send_manage_card(account, int(rest.lstrip("#")))
            self.changed()
        elif command in ("/cancel", "取消"):
            await self._remember(account, None)
            await self._reply(account, t("wc.cancelled", lang))
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
            await self._reply(account, views.quarter_text(status, lang))
        elif command == "/mine":
            mine = await self.usecases.my_claims(account)
            await self._reply(account, views.claims_text(mine.claims, lang))
        elif command == "/wishes":
            await self._wishes(account, lang)
        elif command == "/atrisk":
            await self._at_risk(account, lang)
        elif command in ("/digest", "简报"):
            await self._digest(account, lang)
        elif command in ("/export", "台账"):
            await self._export(account, lang)
        elif command in ("/help", "/start", "帮助"):
            await self._reply(account, await self._help_text(account, lang))
        else:
            state = await self._state(account)
            if state is not None:
                await self._step(account, lang, state, text)
            else:
                await self._reply(account, t("wc.unknown", lang))

    async def _help_text(self, account: Account, lang: str) -> str:
        roles = await self.usecases.roles(account)
        lines = [t("wc.help", lang)]
        if roles.secretary_of:
            lines.append(t("wc.help.secretary", lang))
        if account.user_id in self.admins or roles.admin_of:
            lines.append(t("wc.help.admin", lang))
        if roles.admin_of:
            lines.append(t("wc.help.reports.admin", lang))
        elif roles.secretary_of:
            lines.append(t("wc.help.reports.secretary", lang))
        return "\n\n".join(lines)

    async def _enter(self, account: Account, lang: str) -> None:
        """A person opened the app: the welcome and help, the first time only."""
        text = t("wc.welcome", lang) + "\n\n" + await self._help_text(account, lang)
        if await self.usecases.welcome_once(account, OutgoingMessage(text)):
            self.changed()

    async def _step(self, account: Account, lang: str, state: dict[str, Any], text: str) -> None:
        flow = state.get("flow")
        if flow == "report":
            await self._report_step(account, lang, state, text)
        elif flow == "done":
            await self._done_input(account, lang, state, text, None)
        elif flow == "return":
            await self._return_reason(account, lang, state, text)
        else:
            await self._reply(account, t("wc.unknown", lang))

    async def _image(self, account: Account, lang: str, event: ImageMessage) -> None:
        """A picture is the done note's photo when one is asked for; elsewhere in a conversation text is wanted."""
        state = await self._state(account)
        if state is None:
            return
        if state.get("flow") == "done" and state.get("step") == "note" and event.media_id:
            await self._finish_done(account, lang, state, note="", photo=event.media_id)
        else:
            await self._reply(account, t("wc.text_only", lang))

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
        step = {"flow": "branch", "name": name, "chat_id": chat_id, "members": members}
        await self._create_branch(account, lang, step, None)

    async def _create_branch(self, account: Account, lang: str, step: dict[str, Any], committee_id: int | None) -> None:
        chat = ChatRef(PLATFORM, step["chat_id"])
        by_admin = account.user_id in self.admins
        result = await self.usecases.create_branch(
            cmd.CreateBranch(account, step["name"], chat, committee_id, by_admin)
        )
        if isinstance(result, outcomes.ChooseCommittee):
            await self._remember(account, step)
            buttons = [Button(c.name, encode(Act.PICK_COMMITTEE, c.id)) for c in result.committees]
            await self._ask(account, t("wc.branch.pick_committee", lang), buttons)
            return
        members = await asyncio.gather(*(self._actor(user_id) for user_id in step["members"]))
        await self.usecases.enroll(result.branch.id, [member for member, _ in members])
        await self.gateway.send(chat, OutgoingMessage(t("wc.branch.welcome", lang, name=result.branch.name)))
        await self._reply(account, t("wc.branch.created", lang, name=result.branch.name, n=len(members)))

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
        await self._remember(account, {"flow": "wish", "text": text})
        buttons = [Button(b.name, encode(Act.PICK_BRANCH, b.id)) for b in roles.secretary_of]
        await self._ask(account, t("wc.wish.pick_branch", lang), buttons)

    async def _post(self, account: Account, lang: str, branch_id: int, text: str) -> None:
        result = await self.usecases.post_wish(cmd.PostWish(account, branch_id, text))
        if isinstance(result, outcomes.WishNeedsFix):
            lines = [t("wc.wish.needs_fix", lang)]
            lines += [f"· {problem_text(p, lang)}" for p in result.problems]
            lines.append(t("wc.wish.draft_kept", lang))
            await self._reply(account, "\n".join(lines))
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
            found = await self.usecases.open_wishes(branch_id)
            name = found[0].branch_name if found else ""
            await self._reply(account, views.wish_list_text(found, name, lang))

    async def _at_risk(self, account: Account, lang: str) -> None:
        roles = await self.usecases.roles(account)
        if not roles.secretary_of:
            raise NotSecretary()
        for branch in roles.secretary_of:
            found = await self.usecases.at_risk(account, branch.id, lang)
            text = views.at_risk_text(found.branch.name, found.quarter_label, found.members, found.reported, lang)
            await self._reply(account, text)

    # -- report-in (报到) -----------------------------------------------------------------------------------

    async def _report(self, account: Account, lang: str, rest: str) -> None:
        roles = await self.usecases.roles(account)
        member = roles.member
        branch_id = member.home_branch_id if member is not None else None
        if branch_id is None:
            await self._reply(account, t("wc.report.no_branch", lang))
            return
        fields = [f.strip() for f in _FIELD_SEP.split(rest)] if rest else []
        if len(fields) >= 3:
            await self._report_in(account, lang, branch_id, fields[0], _split_list(fields[1]), "|".join(fields[2:]))
            return
        await self._remember(account, {"flow": "report", "branch_id": branch_id, "step": "workplace"})
        await self._reply(account, t("wc.report.workplace", lang, branch=""))

    async def _report_step(self, account: Account, lang: str, step: dict[str, Any], text: str) -> None:
        if step["step"] == "workplace":
            await self._remember(account, {**step, "step": "skills", "workplace": text})
            await self._reply(account, t("wc.report.skills", lang))
        elif step["step"] == "skills":
            await self._remember(account, {**step, "step": "commitment", "skills": _split_list(text)})
            await self._reply(account, t("wc.report.commitment", lang))
        else:
            await self._remember(account, None)
            await self._report_in(account, lang, step["branch_id"], step["workplace"], step["skills"], text)

    async def _report_in(
        self, account: Account, lang: str, branch_id: int, workplace: str, skills: Sequence[str], commitment: str
    ) -> None:
        result = await self.usecases.report_in(
            cmd.ReportIn(
                account,
                branch_id,
                account.display_name,
                workplace,
                skills=tuple(skills),
                commitment=commitment,
            )
        )
        self.changed()
        await self._reply(account, t("wc.report.done", lang, name=result.member.name, branch=result.branch.name))

    # -- done / confirm ----------------------------------------------------------------------------------------

    async def _done_input(
        self, account: Account, lang: str, state: dict[str, Any], text: str, photo: str | None
    ) -> None:
        """Hours (with an optional note in the same reply) first; hours alone ask for a photo or a note."""
        if state.get("step") == "note":
            note = "" if text.strip().lower() in _SKIP_WORDS else text
            await self._finish_done(account, lang, state, note=note, photo=photo)
            return
        hours_text, _, note = text.partition(" ")
        try:
            hours = float(hours_text.rstrip("小时hH").replace("，", "."))
        except ValueError:
            await self._reply(account, t("wc.done.bad_hours", lang))
            return
        if note.strip():
            await self._finish_done(account, lang, {**state, "hours": hours}, note=note.strip(), photo=None)
            return
        await self._remember(account, {**state, "step": "note", "hours": hours})
        await self._reply(account, t("wc.done.note", lang))

    async def _finish_done(
        self, account: Account, lang: str, state: dict[str, Any], *, note: str, photo: str | None
    ) -> None:
        """Report the claim done with what was collected; refused hours can be given again."""
        claim_id = int(state["claim_id"])
        await self._remember(account, None)
        try:
            result = await self.usecases.mark_done(cmd.MarkDone(account, claim_id, float(state["hours"]), note, photo))
        except InvalidInput:
            await self._remember(account, {"flow": "done", "step": "hours", "claim_id": claim_id})
            raise
        self.changed()
        await self._reply(account, t("wc.done.sent", lang, n=result.reviewers))

    async def _return_reason(self, account: Account, lang: str, state: dict[str, Any], text: str) -> None:
        """The secretary's reason for returning a service: the member is told, the review card is closed."""
        await self._remember(account, None)
        returned = await self.usecases.return_service(cmd.ReturnService(account, int(state["claim_id"]), text))
        self.changed()
        handle = CardHandle.decode(str(state.get("card") or ""))
        label, wish = t("wc.card.returned", lang), returned.wish
        await self._close_card(account, handle, f"{label}\n#{wish.id} {mask_phones(wish.title)}", label)
        await self._reply(account, t("wc.review.returned", lang, reason=text))

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
            await self.usecases.ready_to_report(account, payload.target)
            await self._remember(account, {"flow": "done", "step": "hours", "claim_id": payload.target})
            await self._close_card(account, handle, t("wc.card.waiting_hours", lang), t("wc.card.pending", lang))
            await self._reply(account, t("wc.done.hours", lang))
        elif payload.act in (Act.CONFIRM, Act.RATE, Act.RETURN):
            await self._review_press(account, lang, payload, handle)
        elif payload.act in (Act.CLOSE_WISH, Act.CANCEL_WISH):
            await self._end_wish(account, lang, payload.target, close=payload.act == Act.CLOSE_WISH)
        elif payload.act == Act.PICK_BRANCH:
            step = await self._state(account)
            if step is None or step.get("flow") != "wish":
                return
            await self._remember(account, None)
            await self._close_card(account, handle, t("wc.wish.pick_branch", lang), t("wc.card.closed", lang))
            await self._post(account, lang, payload.target, step["text"])
        elif payload.act == Act.PICK_COMMITTEE:
            step = await self._state(account)
            if step is None or step.get("flow") != "branch":
                return
            await self._remember(account, None)
            await self._close_card(account, handle, t("wc.branch.pick_committee", lang), t("wc.card.closed", lang))
            await self._create_branch(account, lang, step, payload.target)

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
            await self._update_card(account, handle, views.wish_card(view, lang))
        await self._reply(account, note)

    async def _review_press(self, account: Account, lang: str, payload: Payload, handle: CardHandle | None) -> None:
        if payload.act == Act.RETURN:
            card = handle.encode() if handle is not None else None
            await self._remember(account, {"flow": "return", "claim_id": payload.target, "card": card})
            await self._reply(account, t("wc.review.reason", lang))
            return
        pending = await self._state(account)
        if pending is not None and pending.get("flow") == "return" and pending.get("claim_id") == payload.target:
            await self._remember(account, None)
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
