"""Telegram's text rules for the sandbox: HTML parse mode, UTF-16 entity offsets, trimming, user entities."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

SUPPORTED_TAGS = frozenset(
    {
        "a",
        "b",
        "strong",
        "i",
        "em",
        "u",
        "ins",
        "s",
        "strike",
        "del",
        "span",
        "tg-spoiler",
        "tg-emoji",
        "code",
        "pre",
        "blockquote",
    }
)
_ENTITY_TYPES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "span": "spoiler",
    "tg-spoiler": "spoiler",
    "tg-emoji": "custom_emoji",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "a": "text_link",
}
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_COMMAND = re.compile(r"(?<![\w/@])/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?")
_MENTION = re.compile(r"(?<![\w@])@[A-Za-z0-9_]{5,32}\b")
_URL = re.compile(r"\bhttps?://[^\s<>\"]+")


class EntityParseError(ValueError):
    """The markup was rejected the way Telegram rejects it ("can't parse entities: ...")."""


def utf16_len(text: str) -> int:
    """Length of ``text`` in UTF-16 code units, the unit of Telegram entity offsets."""
    return len(text.encode("utf-16-le")) // 2


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


def _decode_entity(text: str, pos: int) -> tuple[str, int] | None:
    """Decode ``&...;`` at ``pos`` like tdlib: only lt/gt/amp/quot and numeric references."""
    end = pos + 1
    n = len(text)
    if end < n and text[end] == "#":
        end += 1
        value = 0
        if end < n and text[end] == "x":
            end += 1
            while end < n and text[end] in "0123456789abcdefABCDEF":
                value = value * 16 + int(text[end], 16)
                end += 1
        else:
            while end < n and text[end].isdigit() and text[end].isascii():
                value = value * 10 + int(text[end])
                end += 1
        if value == 0 or value >= 0x10FFFF or end - pos >= 10 or 0xD800 <= value <= 0xDFFF:
            return None
        char = chr(value)
    else:
        while end < n and text[end].isascii() and text[end].isalpha():
            end += 1
        name = text[pos + 1 : end]
        if name not in _NAMED_ENTITIES:
            return None
        char = _NAMED_ENTITIES[name]
    if end < n and text[end] == ";":
        end += 1
    return char, end


@dataclass
class _OpenTag:
    name: str
    start: int
    char_start: int
    attributes: dict[str, str] = field(default_factory=dict)
    language: str | None = None


def _normalise_url(url: str) -> str | None:
    url = url.strip()
    if not url:
        return None
    if re.match(r"^(tg|mailto|tel):", url, re.IGNORECASE):
        return url
    if "://" not in url:
        if "." not in url:
            return None
        url = "http://" + url
    scheme, _, rest = url.partition("://")
    if not rest or scheme.lower() not in {"http", "https", "ftp", "tonsite"}:
        return None
    if "/" not in rest:
        host, sep, tail = rest.partition("?")
        rest = host + "/" + (sep + tail if sep else "")
    return f"{scheme}://{rest}"


def _entity_for(tag: _OpenTag, offset: int, length: int, plain: str) -> dict[str, Any] | None:
    kind = _ENTITY_TYPES[tag.name]
    entity: dict[str, Any] = {"type": kind, "offset": offset, "length": length}
    if kind == "text_link":
        url = _normalise_url(tag.attributes.get("href") or plain)
        if url is None:
            return None
        entity["url"] = url
    elif kind == "custom_emoji":
        entity["custom_emoji_id"] = tag.attributes.get("emoji-id", "")
    elif kind == "pre" and tag.language:
        entity["language"] = tag.language
    elif kind == "blockquote" and "expandable" in tag.attributes:
        entity["type"] = "expandable_blockquote"
    return entity


def parse_html(markup: str) -> tuple[str, list[dict[str, Any]]]:
    """Turn Bot API HTML into (plain text, entities) or raise EntityParseError with Telegram's words."""
    out: list[str] = []
    utf16 = 0
    stack: list[_OpenTag] = []
    entities: list[dict[str, Any]] = []
    n = len(markup)
    i = 0
    while i < n:
        char = markup[i]
        if char == "&":
            decoded = _decode_entity(markup, i)
            if decoded is not None:
                out.append(decoded[0])
                utf16 += utf16_len(decoded[0])
                i = decoded[1]
                continue
        if char != "<":
            out.append(char)
            utf16 += utf16_len(char)
            i += 1
            continue
        begin = _byte_offset(markup, i)
        i += 1
        if i < n and markup[i] == "/":
            if not stack:
                raise EntityParseError(f"Unexpected end tag at byte offset {begin}")
            i += 1
            name_start = i
            while i < n and not markup[i].isspace() and markup[i] != ">":
                i += 1
            end_name = markup[name_start:i].lower()
            while i < n and markup[i].isspace():
                i += 1
            if i >= n or markup[i] != ">":
                raise EntityParseError(f"Unclosed end tag at byte offset {begin}")
            i += 1
            opened = stack.pop()
            if end_name and end_name != opened.name:
                raise EntityParseError(
                    f'Unmatched end tag at byte offset {begin}, expected "</{opened.name}>", found "</{end_name}>"'
                )
            if opened.name == "code" and stack and stack[-1].name == "pre":
                language = opened.attributes.get("class", "")
                if language.startswith("language-") and len(language) > len("language-"):
                    stack[-1].language = language.removeprefix("language-")
                    continue
            length = utf16 - opened.start
            if length > 0:
                entity = _entity_for(opened, opened.start, length, "".join(out[opened.char_start :]))
                if entity is not None:
                    entities.append(entity)
            continue
        name_start = i
        while i < n and not markup[i].isspace() and markup[i] != ">":
            i += 1
        if i >= n:
            raise EntityParseError(f"Unclosed start tag at byte offset {begin}")
        name = markup[name_start:i].lower()
        if name not in SUPPORTED_TAGS:
            raise EntityParseError(f'Unsupported start tag "{name}" at byte offset {begin}')
        attributes, i = _parse_attributes(markup, i, name, begin)
        if name == "span" and attributes.get("class") != "tg-spoiler":
            raise EntityParseError(f'Tag "span" must have class "tg-spoiler" at byte offset {begin}')
        if name == "tg-emoji" and not attributes.get("emoji-id"):
            raise EntityParseError(f'Tag "tg-emoji" must have attribute "emoji-id" at byte offset {begin}')
        stack.append(_OpenTag(name=name, start=utf16, char_start=len(out), attributes=attributes))
    if stack:
        raise EntityParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1].name}"')
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(out), entities


def _parse_attributes(markup: str, i: int, tag: str, begin: int) -> tuple[dict[str, str], int]:
    n = len(markup)
    attributes: dict[str, str] = {}
    while True:
        while i < n and markup[i].isspace():
            i += 1
        if i >= n:
            raise EntityParseError(f"Unclosed start tag at byte offset {begin}")
        if markup[i] == ">":
            return attributes, i + 1
        attr_start = i
        while i < n and not markup[i].isspace() and markup[i] not in "=>":
            i += 1
        attr_name = markup[attr_start:i].lower()
        if not attr_name:
            raise EntityParseError(f'Empty attribute name in the tag "{tag}" at byte offset {begin}')
        while i < n and markup[i].isspace():
            i += 1
        if i < n and markup[i] == ">" and attr_name == "expandable":
            attributes[attr_name] = ""
            continue
        if i >= n or markup[i] != "=":
            raise EntityParseError(
                f'Expected equal sign in declaration of an attribute of the tag "{tag}" at byte offset {begin}'
            )
        i += 1
        while i < n and markup[i].isspace():
            i += 1
        if i >= n:
            raise EntityParseError(f'Unclosed start tag "{tag}" at byte offset {begin}')
        if markup[i] not in "'\"":
            token_start = i
            while i < n and (markup[i].isalnum() or markup[i] in ".-"):
                i += 1
            if i < n and not markup[i].isspace() and markup[i] != ">":
                raise EntityParseError(
                    f"Unexpected end of name token at byte offset {_byte_offset(markup, token_start)}"
                )
            if i >= n:
                raise EntityParseError(f"Unclosed start tag at byte offset {begin}")
            attributes[attr_name] = markup[token_start:i].lower()
            continue
        quote = markup[i]
        i += 1
        value: list[str] = []
        while i < n and markup[i] != quote:
            if markup[i] == "&":
                decoded = _decode_entity(markup, i)
                if decoded is not None:
                    value.append(decoded[0])
                    i = decoded[1]
                    continue
            value.append(markup[i])
            i += 1
        if i >= n:
            raise EntityParseError(f"Unclosed start tag at byte offset {begin}")
        i += 1
        attributes[attr_name] = "".join(value)


def trim(text: str, entities: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    """Strip surrounding whitespace as Telegram does, moving and clipping entities to match."""
    stripped = text.strip()
    if stripped == text:
        return text, entities
    shift = utf16_len(text[: len(text) - len(text.lstrip())])
    limit = utf16_len(stripped)
    kept: list[dict[str, Any]] = []
    for entity in entities:
        start = max(entity["offset"] - shift, 0)
        end = min(entity["offset"] + entity["length"] - shift, limit)
        if end > start:
            kept.append({**entity, "offset": start, "length": end - start})
    return stripped, kept


def user_entities(text: str) -> list[dict[str, Any]]:
    """Entities a Telegram client attaches to typed text: /commands, @mentions and URLs."""
    found: list[dict[str, Any]] = []
    for kind, pattern in (("bot_command", _COMMAND), ("mention", _MENTION), ("url", _URL)):
        for match in pattern.finditer(text):
            found.append(
                {
                    "type": kind,
                    "offset": utf16_len(text[: match.start()]),
                    "length": utf16_len(match.group()),
                }
            )
    found.sort(key=lambda e: e["offset"])
    return found
