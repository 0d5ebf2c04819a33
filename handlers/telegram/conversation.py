"""Shows a conversation's reply on Telegram: prompts as HTML with inline or reply keyboards, refusals as toasts."""

from __future__ import annotations

from html import escape

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)

from bot.flows.base import Prompt
from bot.flows.runner import Reply
from handlers.telegram.context import Adapter, Markup, Tap, reply
from handlers.telegram.render import error_text
from handlers.telegram.texts import t

ALERT_OVER = 60


def prompt_text(prompt: Prompt, lang: str) -> str:
    """The prompt's text in HTML (what people typed is escaped)."""
    return t(prompt.key, lang, **{k: escape(v) for k, v in prompt.args})


def inline(prompt: Prompt) -> InlineKeyboardMarkup | None:
    """The prompt's buttons as an inline keyboard."""
    if not prompt.buttons:
        return None
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(b.label, url=b.url)
                if b.url
                else InlineKeyboardButton(b.label, callback_data=b.payload)
                for b in row
            ]
            for row in prompt.buttons
        ]
    )


def share_phone_keyboard(lang: str) -> ReplyKeyboardMarkup:
    """The reply keyboard whose one button shares the person's own phone number (matched against the roster)."""
    share = KeyboardButton(t("flow.report.share_phone", lang), request_contact=True)
    return ReplyKeyboardMarkup([[share]], one_time_keyboard=True, resize_keyboard=True)


def markup(prompt: Prompt, lang: str) -> Markup | None:
    """Inline buttons, the "share my phone number" reply keyboard, or its removal."""
    if prompt.ask_contact:
        return share_phone_keyboard(lang)
    found = inline(prompt)
    if found is not None:
        return found
    return ReplyKeyboardRemove() if prompt.clear_keyboard else None


async def show(adapter: Adapter, answer: Reply, lang: str, message: Message | None, tap: Tap | None = None) -> None:
    """Answer a tap (toast), reply with each prompt (or edit the tapped message in place), poke delivery."""
    if answer.outdated:
        if tap is not None:
            await tap.answer(t("flow.outdated", lang))
        elif message is not None:
            await reply(message, t("flow.outdated", lang))
        return
    if answer.outcome is not None or answer.claimed is not None:
        adapter.changed()
    if answer.error is not None:
        text = error_text(answer.error, lang)
        if tap is not None:
            await tap.answer(text, alert=len(text) > ALERT_OVER)
        if message is not None and (tap is None or answer.prompts):
            await reply(message, text)
    for prompt in answer.prompts:
        text = prompt_text(prompt, lang)
        if prompt.in_place and tap is not None:
            await tap.answer()
            await tap.edit_text(text, inline(prompt))
        elif message is not None:
            await reply(message, text, markup(prompt, lang))
