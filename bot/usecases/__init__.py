"""The use cases: every rule of the e-branch workflow, each one method taking a command and returning an outcome."""

from __future__ import annotations

from bot.usecases.base import MAX_FIELD, MAX_HOURS, MAX_NAME, MAX_NOTE
from bot.usecases.emergency import Emergencies
from bot.usecases.housekeeping import Housekeeping
from bot.usecases.pairings import Pairs
from bot.usecases.people import People
from bot.usecases.reading import Reading
from bot.usecases.records import Records
from bot.usecases.recurring import Recurring
from bot.usecases.reminders import Reminders
from bot.usecases.reports import Reports
from bot.usecases.service import Services
from bot.usecases.setup import Setup
from bot.usecases.shared import Shared
from bot.usecases.wishes import Wishes

__all__ = [
    "MAX_FIELD",
    "MAX_HOURS",
    "MAX_NAME",
    "MAX_NOTE",
    "UseCases",
]


class UseCases(
    Setup,
    People,
    Wishes,
    Services,
    Reading,
    Reminders,
    Reports,
    Housekeeping,
    Shared,
    Pairs,
    Recurring,
    Emergencies,
    Records,
):
    """The application service: the only way the outside world changes e-branch state."""
