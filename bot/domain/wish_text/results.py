"""What the wish-text parser returns: the parsed wish, the problems and notes, and the limits it enforces."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time

from bot.domain.model import Urgency
from bot.domain.wish_text.shift import Shift

MAX_WISH_TEXT = 1000
MAX_SLOTS = 500
YEARLESS_TYPO_DAYS = 60
MAX_TITLE = 60
MAX_TAG = 12


@dataclass(frozen=True, slots=True)
class ParseProblem:
    """Something the parser could not accept (or, as a note, an assumption it made): an i18n key and its args."""

    key: str
    args: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class ParsedWish:
    """The fields read from a wish text; the title and description still carry raw phone numbers."""

    title: str
    description: str
    slots: int
    deadline: date | None
    category: str
    team_claim: bool
    urgency: Urgency
    notes: tuple[ParseProblem, ...] = ()
    deadline_time: time | None = None
    """The time of day the wish closes on ``deadline`` (local); None closes it at the end of that day."""
    shift: Shift | None = None
    """An hour-by-hour shift the text gives (8:00-12:00), for emergency tasks."""


@dataclass(frozen=True, slots=True)
class ParseResult:
    """Either a wish (and no problems) or the problems that stop it from being posted."""

    wish: ParsedWish | None
    problems: tuple[ParseProblem, ...]

    @property
    def ok(self) -> bool:
        """Whether the text could be read into a wish."""
        return self.wish is not None and not self.problems
