"""The one codec for button payloads: short, versioned, self-contained, never more than 64 bytes."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

VERSION = "1"
MAX_BYTES = 64


class Act(StrEnum):
    """What a button does; one or two letters keep payloads short."""

    CLAIM = "c"
    TEAM_CLAIM = "t"
    WITHDRAW = "w"
    WAITLIST = "q"
    DONE = "d"
    CONFIRM = "y"
    RETURN = "r"
    RATE = "s"
    PICK_BRANCH = "b"
    PICK_COMMITTEE = "m"
    LEAVE = "L"
    PAUSE_NUDGES = "p"
    SKILL = "k"
    SKILLS_DONE = "K"
    REPORT_CONFIRM = "R"
    CANCEL = "x"
    CLOSE_WISH = "z"
    CANCEL_WISH = "Z"


@dataclass(frozen=True, slots=True)
class Payload:
    """A decoded button press: the action, its target id and an optional short argument."""

    act: Act
    target: int
    arg: str = ""


class PayloadError(ValueError):
    """A payload that cannot be encoded (too long, bad argument)."""


def encode(act: Act, target: int, arg: str = "") -> str:
    """``v:act:target[:arg]``; refuses anything over 64 bytes or with a separator in ``arg``."""
    if ":" in arg:
        raise PayloadError("argument must not contain ':'")
    if target < 0:
        raise PayloadError("target must not be negative")
    text = f"{VERSION}:{act.value}:{target}" + (f":{arg}" if arg else "")
    if len(text.encode("utf-8")) > MAX_BYTES:
        raise PayloadError(f"payload longer than {MAX_BYTES} bytes")
    return text


def decode(text: str | None) -> Payload | None:
    """The payload of a button, or None when it is not ours or from an unknown version (an outdated button)."""
    if not text or len(text.encode("utf-8")) > MAX_BYTES:
        return None
    parts = text.split(":", 3)
    if len(parts) < 3 or parts[0] != VERSION:
        return None
    try:
        act = Act(parts[1])
        target = int(parts[2])
    except ValueError:
        return None
    if target < 0:
        return None
    return Payload(act, target, parts[3] if len(parts) == 4 else "")
