"""The one codec of stored conversation state: typed flow state <-> the JSON dict the use cases persist."""

from __future__ import annotations

import dataclasses
import types
import typing
from enum import StrEnum
from typing import Any

from bot.flows.states import (
    CommitteeState,
    DoneState,
    ExtendState,
    FlowState,
    ReportState,
    ReturnState,
    VisitReturnState,
    VisitState,
    WishBranchState,
    WishDraftState,
)

VERSION = 1
TAGS: dict[str, type[Any]] = {
    "report": ReportState,
    "done": DoneState,
    "return": ReturnState,
    "wish": WishBranchState,
    "wish_draft": WishDraftState,
    "branch": CommitteeState,
    "extend": ExtendState,
    "visit": VisitState,
    "visit_return": VisitReturnState,
}
_TAG_OF = {cls: tag for tag, cls in TAGS.items()}


class Malformed(ValueError):
    """A stored value that does not fit the state's field."""


def tag_of(state: FlowState) -> str:
    """The flow tag a state is stored under."""
    return _TAG_OF[type(state)]


def encode(state: FlowState | None) -> dict[str, Any] | None:
    """The JSON-ready dict of a state (None: no conversation)."""
    if state is None:
        return None
    data: dict[str, Any] = {"flow": tag_of(state), "v": VERSION}
    for f in dataclasses.fields(state):
        value = getattr(state, f.name)
        data[f.name] = list(value) if isinstance(value, tuple) else value
    return data


def decode(data: object) -> FlowState | None:
    """The state stored in ``data``; an unknown flow, another version or a malformed value is no conversation."""
    if not isinstance(data, dict) or data.get("v") != VERSION:
        return None
    cls = TAGS.get(str(data.get("flow")))
    if cls is None:
        return None
    hints = typing.get_type_hints(cls)
    values: dict[str, Any] = {}
    try:
        for f in dataclasses.fields(cls):
            if f.name in data:
                values[f.name] = _value(hints[f.name], data[f.name])
            elif f.default is dataclasses.MISSING:
                return None
        state: FlowState = cls(**values)
    except (Malformed, TypeError, ValueError):
        return None
    return state


def _value(hint: Any, raw: object) -> object:
    """``raw`` checked (and converted) against a field's type hint."""
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        options = typing.get_args(hint)
        if raw is None and type(None) in options:
            return None
        for option in options:
            if option is not type(None):
                return _value(option, raw)
    if origin is tuple:
        if not isinstance(raw, list):
            raise Malformed(hint)
        (item, _) = typing.get_args(hint)
        return tuple(_value(item, x) for x in raw)
    if isinstance(hint, type) and issubclass(hint, StrEnum):
        if not isinstance(raw, str):
            raise Malformed(hint)
        return hint(raw)
    if hint is float and isinstance(raw, int | float) and not isinstance(raw, bool):
        return float(raw)
    if hint in (int, str, bool) and type(raw) is hint:
        return raw
    raise Malformed(hint)
