"""What every conversation shares: the inputs a platform feeds in, the prompt it shows, and one step's result."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.emergency import DEFAULT_POSTS
from bot.domain.model import Account
from bot.flows.states import FlowState
from bot.notices.callbacks import Act
from bot.ports.chat import Button
from bot.usecases import commands as cmd

NONE_WORDS = frozenset({"无", "没有", "-", "—", "none", "no", "n/a"})
SKIP_WORDS = frozenset({"/skip", "跳过", "skip"})
FLOW_ACTS = frozenset(
    {
        Act.SKILL,
        Act.SKILLS_DONE,
        Act.REPORT_CONFIRM,
        Act.PICK_BRANCH,
        Act.PICK_COMMITTEE,
        Act.CANCEL,
        Act.EMERGENCY_POST,
    }
)
"""Buttons that belong to a stored conversation step (pressed without that step, they are outdated)."""


@dataclass(frozen=True, slots=True)
class Text:
    """A text answer."""

    text: str


@dataclass(frozen=True, slots=True)
class Photo:
    """A photo the platform holds under ``ref`` (Telegram file_id, WeCom media_id), with its caption."""

    ref: str
    caption: str = ""


@dataclass(frozen=True, slots=True)
class Pick:
    """A press of a conversation button (decoded from its payload)."""

    act: Act
    target: int = 0


@dataclass(frozen=True, slots=True)
class Skip:
    """/skip: leave the current (optional) question empty."""


@dataclass(frozen=True, slots=True)
class Cancel:
    """/cancel: leave the conversation."""


Input = Text | Photo | Pick | Skip | Cancel


@dataclass(frozen=True, slots=True)
class Ctx:
    """Who is answering, in which language, and whether they are a configured bot admin of the platform;
    ``posts`` are the emergency posts report-in offers (``[emergency] posts``, set by the runner)."""

    actor: Account
    lang: str
    by_bot_admin: bool = False
    posts: tuple[str, ...] = DEFAULT_POSTS


@dataclass(frozen=True, slots=True)
class Prompt:
    """A question or answer to show: a catalog key with its arguments, buttons in rows and rendering hints.

    ``ask_contact`` offers the "share my phone number" reply keyboard (Telegram; WeCom ignores it);
    ``clear_keyboard`` removes such a keyboard; ``in_place`` replaces the message the pressed button was on.
    """

    key: str
    args: tuple[tuple[str, str], ...] = ()
    buttons: tuple[tuple[Button, ...], ...] = ()
    ask_contact: bool = False
    clear_keyboard: bool = False
    in_place: bool = False

    def kwargs(self) -> dict[str, str]:
        """The arguments as keyword arguments of ``t``."""
        return dict(self.args)


Finish = (
    cmd.ReportIn
    | cmd.MarkDone
    | cmd.ReturnService
    | cmd.PostWish
    | cmd.CreateBranch
    | cmd.ExtendDeadline
    | cmd.ReportVisit
    | cmd.ReturnVisit
)


@dataclass(frozen=True, slots=True)
class Step:
    """One move of a conversation: the state to store (None ends it), what to show, and a command to run."""

    state: FlowState | None
    prompts: tuple[Prompt, ...] = ()
    command: Finish | None = None
    outdated: bool = False


def clean(text: str) -> str:
    """Whitespace collapsed."""
    return " ".join(text.split())


def is_none(text: str) -> bool:
    """Whether an answer means "none"."""
    return clean(text).lower() in NONE_WORDS


def wish_number(text: str) -> int | None:
    """The wish number a person typed ("3" or "#3", as cards show it); None when it is not one."""
    digits = text.strip().lstrip("#")
    return int(digits) if digits.isascii() and digits.isdigit() and len(digits) <= 12 else None


def is_skip(text: str) -> bool:
    """Whether an answer means "skip this question"."""
    return clean(text).lower() in SKIP_WORDS
