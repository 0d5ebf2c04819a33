"""Reads a branch secretary's free-text micro-wish (微心愿) post into fields, or says exactly what it could not read.

A secretary writes naturally, e.g. ``为独居老人王奶奶安装一键通 名额2 截止12月31日 #居家养老`` or
``帮留守儿童辅导功课，3人，下周五前，组团``. The parser recognises:

* slots (名额): ``名额2``, ``名额：2``, ``3人``, ``2个名额``, ``需要5名``, ``10名志愿者``, Arabic or Chinese numerals.
  ``90岁老人``, ``3号楼``, ``2个书包`` are not slots. Several different numbers are refused, not guessed.
* deadline: see :func:`parse_wish_text` for the conventions.
* category: the first ``#tag`` (``#微心愿`` is only the posting marker), else a known category word in the text.
* team claim (组团认领) and emergency (紧急/加急/应急/战时/急需) flags.
* title: the first clause that is left once the recognised phrases are taken out; the rest is the description.

Phone numbers are never read as slots or dates, and are left unmasked here (see :mod:`bot.privacy`).
"""

from bot.domain.wish_text.marks import KNOWN_CATEGORIES, POSTING_MARKER
from bot.domain.wish_text.parse import parse_wish_text
from bot.domain.wish_text.results import (
    MAX_SLOTS,
    MAX_TAG,
    MAX_TITLE,
    MAX_WISH_TEXT,
    YEARLESS_TYPO_DAYS,
    ParsedWish,
    ParseProblem,
    ParseResult,
)

__all__ = [
    "KNOWN_CATEGORIES",
    "MAX_SLOTS",
    "MAX_TAG",
    "MAX_TITLE",
    "MAX_WISH_TEXT",
    "POSTING_MARKER",
    "YEARLESS_TYPO_DAYS",
    "ParseProblem",
    "ParseResult",
    "ParsedWish",
    "parse_wish_text",
]
