"""Reads a branch secretary's free-text micro-wish (微心愿) post into fields, or says exactly what it could not read.

A secretary writes naturally, in Chinese or English, e.g. ``为独居老人王奶奶安装一键通 名额2 截止12月31日 #居家养老``,
``帮留守儿童辅导功课，3人，下周五前，组团``, ``12月15日下午2点 社区义诊 需要医生2名`` or
``Tutoring for left-behind children, 3 volunteers, by next Friday 6pm``. The parser recognises:

* slots (名额): ``名额2``, ``3人``, ``需要医生2名``, ``医生两名``, ``10名志愿者``, ``2 people``, ``quota 2``,
  ``need 4``, Arabic, Chinese or English numerals. ``90岁老人``, ``3号楼``, ``2个书包``, ``2小时`` are not slots.
  Several different numbers are refused, not guessed; none at all is asked about (``parse.slots_missing``), and
  :func:`read_count` reads the answer.
* deadline and its time of day, Chinese festivals and lunar dates: see :func:`parse_wish_text` for the conventions;
  :func:`read_deadline_phrase` reads a deadline typed on its own.
* category: the first ``#tag`` (``#微心愿`` is only the posting marker), else a known category word in the text.
* team claim (组团认领) and emergency (紧急/加急/应急/战时/急需) flags.
* title: the first clause that is left once the recognised phrases, dates and times are taken out; the rest is the
  description.

Phone numbers are never read as slots or dates, and are left unmasked here (see :mod:`bot.privacy`).
"""

from bot.domain.wish_text.deadlines import DeadlineReading, read_deadline_phrase
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
from bot.domain.wish_text.slots import read_count

__all__ = [
    "KNOWN_CATEGORIES",
    "MAX_SLOTS",
    "MAX_TAG",
    "MAX_TITLE",
    "MAX_WISH_TEXT",
    "POSTING_MARKER",
    "YEARLESS_TYPO_DAYS",
    "DeadlineReading",
    "ParseProblem",
    "ParseResult",
    "ParsedWish",
    "parse_wish_text",
    "read_count",
    "read_deadline_phrase",
]
