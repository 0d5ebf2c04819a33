"""What flows through the sandbox: the update queue, live events, the API call log and its statistics."""

from __future__ import annotations

import asyncio
import bisect
import contextlib
import json
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

REPLAY_MEMORY = 10_000  # delivered updates kept for replay()
DEFAULT_ALLOWED_UPDATES = frozenset(
    {
        "message",
        "edited_message",
        "channel_post",
        "edited_channel_post",
        "business_connection",
        "business_message",
        "edited_business_message",
        "deleted_business_messages",
        "inline_query",
        "chosen_inline_result",
        "callback_query",
        "shipping_query",
        "pre_checkout_query",
        "purchased_paid_media",
        "poll",
        "poll_answer",
        "my_chat_member",
        "chat_join_request",
        "chat_boost",
        "removed_chat_boost",
    }
)


@dataclass(frozen=True)
class ApiCall:
    """One Bot API request as the server saw and answered it."""

    method: str
    params: dict[str, Any]
    status: int
    description: str | None
    at: float

    @property
    def ok(self) -> bool:
        """Whether the call succeeded."""
        return self.status == 200

    @property
    def chat_id(self) -> int | str | None:
        """The chat_id parameter, if the call had one (as an int when numeric)."""
        value = self.params.get("chat_id")
        if value is None:
            return None
        try:
            return int(value)
        except (TypeError, ValueError):
            return str(value)


@dataclass
class Stats:
    """Counts of answers by HTTP status, for assertions and benchmark reports."""

    by_status: Counter[int] = field(default_factory=Counter)
    by_method: Counter[str] = field(default_factory=Counter)

    @property
    def calls(self) -> int:
        """All requests answered."""
        return sum(self.by_status.values())

    @property
    def too_many_requests(self) -> int:
        """429 answers."""
        return self.by_status[429]

    @property
    def bad_requests(self) -> int:
        """400 answers."""
        return self.by_status[400]

    @property
    def forbidden(self) -> int:
        """403 answers."""
        return self.by_status[403]

    def count(self, call: ApiCall) -> None:
        """Account for one answered call."""
        self.by_status[call.status] += 1
        self.by_method[call.method] += 1


class Signal:
    """A broadcast "something changed" that any number of coroutines can wait on."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def notify(self) -> None:
        """Wake every current waiter."""
        self._event.set()
        self._event = asyncio.Event()

    async def wait(self, seconds: float) -> None:
        """Wait for the next notification or ``seconds``, whichever comes first."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._event.wait(), max(seconds, 0.0))


class UpdateQueue:
    """Pending updates with getUpdates semantics: kept until confirmed by a higher offset."""

    def __init__(self, first_update_id: int = 1) -> None:
        self.next_update_id = first_update_id
        self.allowed: frozenset[str] = DEFAULT_ALLOWED_UPDATES
        self._pending: list[dict[str, Any]] = []
        self._recent: OrderedDict[int, dict[str, Any]] = OrderedDict()
        self.changed = Signal()

    def push(self, kind: str, payload: dict[str, Any]) -> dict[str, Any] | None:
        """Queue an update unless the bot's allowed_updates exclude its kind."""
        if kind not in self.allowed:
            return None
        update_id = self.next_update_id
        update = {"update_id": update_id, kind: payload}
        self.next_update_id += 1
        self._pending.append(update)
        self._recent[update_id] = update
        while len(self._recent) > REPLAY_MEMORY:
            self._recent.popitem(last=False)
        self.changed.notify()
        return update

    def replay(self, update_ids: Iterable[int]) -> int:
        """Queue already-confirmed updates again, as Telegram does when a bot died before confirming them.

        Only a bot that has not polled with a higher offset since (a freshly restarted one) receives them again.
        Returns how many were queued; unknown, forgotten or still pending ids are ignored.
        """
        pending = {u["update_id"] for u in self._pending}
        again = [self._recent[i] for i in update_ids if i in self._recent and i not in pending]
        if again:
            self._pending = sorted([*self._pending, *again], key=lambda u: int(u["update_id"]))
            self.changed.notify()
        return len(again)

    def find(self, match: Callable[[dict[str, Any]], bool]) -> int | None:
        """The id of the newest remembered update that ``match`` accepts."""
        return next((i for i, update in reversed(self._recent.items()) if match(update)), None)

    def set_allowed(self, kinds: Iterable[str]) -> None:
        """Apply a getUpdates allowed_updates list; an empty list restores the default."""
        chosen = frozenset(kinds)
        self.allowed = chosen or DEFAULT_ALLOWED_UPDATES

    def confirm(self, offset: int) -> None:
        """Forget updates below a positive offset, or all but the last -offset ones."""
        if offset > 0:
            self._pending = [u for u in self._pending if u["update_id"] >= offset]
        elif offset < 0:
            self._pending = self._pending[offset:]

    def remove(self, update_id: int) -> None:
        """Forget one update the bot answered (a webhook confirms each update on its own)."""
        at = bisect.bisect_left(self._pending, update_id, key=lambda u: int(u["update_id"]))
        if at < len(self._pending) and self._pending[at]["update_id"] == update_id:
            del self._pending[at]

    def peek(self, limit: int) -> list[dict[str, Any]]:
        """The oldest unconfirmed updates, without confirming them."""
        return self._pending[:limit]

    def clear(self) -> None:
        """Drop every pending update."""
        self._pending.clear()

    @property
    def pending(self) -> int:
        """How many updates wait for confirmation."""
        return len(self._pending)


class EventHub:
    """Fan-out of state changes to live viewers (tests, the browser demo)."""

    def __init__(self) -> None:
        self._queues: list[asyncio.Queue[dict[str, Any]]] = []

    def subscribe(self) -> asyncio.Queue[dict[str, Any]]:
        """A new queue that receives every later event."""
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._queues.append(queue)
        return queue

    def unsubscribe(self, queue: asyncio.Queue[dict[str, Any]]) -> None:
        """Stop delivering events to ``queue``."""
        with contextlib.suppress(ValueError):
            self._queues.remove(queue)

    def publish(self, event: dict[str, Any]) -> None:
        """Deliver an event to all subscribers."""
        for queue in self._queues:
            queue.put_nowait(event)


def summarise(params: dict[str, Any]) -> dict[str, Any]:
    """Parameters made log-friendly: nested JSON strings decoded, uploads reduced to name and size."""
    summary: dict[str, Any] = {}
    for key, value in params.items():
        if isinstance(value, str) and value[:1] in "[{":
            try:
                summary[key] = json.loads(value)
                continue
            except ValueError:
                pass
        summary[key] = value
    return summary
