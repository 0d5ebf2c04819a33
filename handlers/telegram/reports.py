"""/digest and /export: the committee's digest sent now through the outbox, and the ledger (台账) as a document."""

from __future__ import annotations

from html import escape

from telegram import InputFile, Update
from telegram.ext import ContextTypes

from bot.delivery.outbox import too_large
from bot.domain.errors import DomainError
from handlers.telegram.context import Adapter, privately, reply
from handlers.telegram.gateway import TelegramGateway
from handlers.telegram.render import error_text
from handlers.telegram.texts import t
from handlers.telegram.updates import chat_of, is_private


class Reports:
    """Handlers of the report commands; who may see what is decided by the use cases."""

    def __init__(self, adapter: Adapter) -> None:
        self.adapter = adapter

    async def digest(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/digest in the committee chat (or privately): a committee admin has this week's digest posted there now."""
        message, user = update.effective_message, update.effective_user
        if message is None or user is None:
            return
        account, lang = await self.adapter.who(user)
        reports = self.adapter.usecases
        try:
            queued = await reports.digest_now(account, None if is_private(message) else chat_of(message))
        except DomainError as error:
            await reply(message, error_text(error, lang))
            return
        await reply(message, t("tg.digest.queued" if queued else "tg.digest.already", lang))
        self.adapter.changed()

    async def export(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/export: the ledger of this committee chat or branch group (privately: of what I administer)."""
        message, user = update.effective_message, update.effective_user
        if message is None or user is None:
            return
        account, lang = await self.adapter.who(user)
        reports = self.adapter.usecases
        try:
            ledger = await reports.export_here(account, None if is_private(message) else chat_of(message))
        except DomainError as error:
            await reply(message, error_text(error, lang))
            return
        limit = TelegramGateway.max_file_bytes
        if len(ledger.content) > limit:
            await reply(message, too_large(ledger, limit, lang))
            return

        async def send(chat_id: int) -> None:
            await self.adapter.bot.send_document(
                chat_id,
                InputFile(ledger.content, filename=ledger.filename),
                caption=t("tg.export.caption", lang, file=escape(ledger.filename)),
                parse_mode="HTML",
            )

        await privately(self.adapter, message, user, lang, send)
