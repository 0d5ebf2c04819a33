"""The one codec for button payloads: short, versioned, self-contained, never more than 64 bytes."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

VERSION = "1"
MAX_BYTES = 64
MAX_TARGET = 2**53
"""The largest target id a payload carries: far inside SQLite's signed 64-bit INTEGER (and exact in a float)."""

_TARGET = re.compile(r"[0-9]{1,16}")
_ARG = re.compile(r"[ -9;-~]*")  # printable ASCII without ':'


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
    EXTEND = "e"
    EMERGENCY_ANSWER = "E"
    CORRECTION_ACCEPT = "A"
    CORRECTION_REFUSE = "X"
    VISIT_CONFIRM = "Vy"
    VISIT_RETURN = "Vr"
    LEAVE_SERIES = "Vl"
    EMERGENCY_POST = "G"
    """Report-in's emergency post choice: target 1..n is the n-th of ``[emergency] posts``, 0 skips the question."""


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
    if not _ARG.fullmatch(arg):
        raise PayloadError("argument must be printable ASCII")
    if not 0 <= target <= MAX_TARGET:
        raise PayloadError(f"target must be between 0 and {MAX_TARGET}")
    text = f"{VERSION}:{act.value}:{target}" + (f":{arg}" if arg else "")
    if len(text.encode("utf-8")) > MAX_BYTES:
        raise PayloadError(f"payload longer than {MAX_BYTES} bytes")
    return text


def decode(text: str | None) -> Payload | None:
    """The payload of a button, or None (never an exception) when not ours, outdated, malformed or out of range."""
    if not isinstance(text, str) or not text or not text.isascii() or len(text) > MAX_BYTES:
        return None
    parts = text.split(":", 3)
    if len(parts) < 3 or parts[0] != VERSION or not _TARGET.fullmatch(parts[2]):
        return None
    arg = parts[3] if len(parts) == 4 else ""
    if not _ARG.fullmatch(arg):
        return None
    try:
        act = Act(parts[1])
    except ValueError:
        return None
    target = int(parts[2])
    if target > MAX_TARGET:
        return None
    return Payload(act, target, arg)
