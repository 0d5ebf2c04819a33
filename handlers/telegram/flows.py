"""What command and message handlers route to: the adapter and wish posting (conversations run in bot.flows)."""

from __future__ import annotations

from handlers.telegram.context import Adapter
from handlers.telegram.wishes import WishPosting


class Flows:
    """The adapter and the wish-posting handler a command or message handler hands work to."""

    def __init__(self, adapter: Adapter, wishes: WishPosting) -> None:
        self.adapter = adapter
        self.wishes = wishes
