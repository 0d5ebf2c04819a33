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

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

from bot.domain.model import Urgency
from bot.domain.privacy import phone_spans

MAX_WISH_TEXT = 1000
MAX_SLOTS = 500
YEARLESS_TYPO_DAYS = 60
MAX_TITLE = 60
MAX_TAG = 12

KNOWN_CATEGORIES: tuple[str, ...] = (
    "居家养老",
    "助老",
    "助学",
    "关爱儿童",
    "助残",
    "医疗健康",
    "法律服务",
    "矛盾调解",
    "治安巡逻",
    "政策宣讲",
    "文体活动",
    "环境整治",
    "维修",
    "帮困",
    "结对帮扶",
    "心理疏导",
    "生活服务",
    "疫情防控",
    "应急",
)

_CATEGORY_HINTS: tuple[tuple[str, str], ...] = (
    ("养老", "居家养老"),
    ("留守儿童", "关爱儿童"),
    ("辅导功课", "助学"),
    ("课业辅导", "助学"),
    ("书包", "助学"),
    ("残疾", "助残"),
    ("义诊", "医疗健康"),
    ("体检", "医疗健康"),
    ("量血压", "医疗健康"),
    ("法律咨询", "法律服务"),
    ("法律援助", "法律服务"),
    ("调解", "矛盾调解"),
    ("纠纷", "矛盾调解"),
    ("巡逻", "治安巡逻"),
    ("宣讲", "政策宣讲"),
    ("文艺", "文体活动"),
    ("广场舞", "文体活动"),
    ("垃圾", "环境整治"),
    ("卫生", "环境整治"),
    ("修理", "维修"),
    ("困难", "帮困"),
    ("五保", "帮困"),
    ("送药", "医疗健康"),
    ("心理", "心理疏导"),
    ("送菜", "生活服务"),
    ("代购", "生活服务"),
    ("年货", "生活服务"),
    ("核酸", "疫情防控"),
    ("消杀", "疫情防控"),
    ("防疫", "疫情防控"),
)

_GENERIC_HINTS: tuple[tuple[str, str], ...] = (("老人", "助老"), ("爷爷", "助老"), ("奶奶", "助老"))

POSTING_MARKER = "微心愿"
_URGENT_WORDS = ("紧急", "加急", "应急", "战时", "急需", "特急", "火急")
_TEAM_WORDS = ("组团认领", "组团", "团队认领", "服务队认领", "集体认领")
_FLAG_WORDS = frozenset((*_URGENT_WORDS, *_TEAM_WORDS, "急", "急急", "十万火急"))

_FULL_WIDTH = str.maketrans("０１２３４５６７８９＃／．－\u3000", "0123456789#/.- ")


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


@dataclass(frozen=True, slots=True)
class ParseResult:
    """Either a wish (and no problems) or the problems that stop it from being posted."""

    wish: ParsedWish | None
    problems: tuple[ParseProblem, ...]

    @property
    def ok(self) -> bool:
        """Whether the text could be read into a wish."""
        return self.wish is not None and not self.problems


_CN_DIGITS = dict(zip("零〇一二两三四五六七八九", (0, 0, 1, 2, 2, 3, 4, 5, 6, 7, 8, 9), strict=True))
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}


def _number(text: str) -> int | None:
    digits = re.sub(r"[\s日号]", "", text)
    if not digits:
        return None
    if all("0" <= ch <= "9" for ch in digits):
        return int(digits)
    if any(ch not in _CN_DIGITS and ch not in _CN_UNITS for ch in digits):
        return None
    if not any(ch in _CN_UNITS for ch in digits):
        return int("".join(str(_CN_DIGITS[ch]) for ch in digits))
    total = current = 0
    for ch in digits:
        if ch in _CN_DIGITS:
            current = _CN_DIGITS[ch]
        else:
            total += (current or 1) * _CN_UNITS[ch]
            current = 0
    return total + current


Span = tuple[int, int]


def _overlaps(span: Span, others: list[Span] | tuple[Span, ...]) -> bool:
    return any(span[0] < end and start < span[1] for start, end in others)


_PREFIX = re.compile(
    r"^\s*(?:/wish(?:@[A-Za-z0-9_]+)?(?![A-Za-z0-9_])|#微心愿#?|【微心愿】|\[微心愿\]|微心愿\s*[:：])[\s:：]*"
)
_TAG = re.compile(r"#([^\s#，,。；;、：:！!？?【】\[\]（）()]{1,30})#?")
_BRACKET_FLAG = re.compile(r"[【\[（(]\s*(" + "|".join(sorted(_FLAG_WORDS, key=len, reverse=True)) + r")\s*[】\]）)]")


def _strip_prefix(text: str) -> str:
    for _ in range(3):
        match = _PREFIX.match(text)
        if not match or not match.group(0):
            break
        text = text[match.end() :]
    return text


_M = r"(?:[0-9]{1,2}|[一二三四五六七八九十]{1,3})"
_D = r"(?:[0-9]{1,2}(?![0-9])\s*[日号]?|[一二三四五六七八九十]{1,3}\s*[日号])"
_N = r"(?:[0-9]{1,3}|[一二两三四五六七八九十][零〇一二两三四五六七八九十百]{0,3})"
_WEEK_LOOKBEHIND = r"(?<![每上0-9零〇一二两三四五六七八九十几])"
_DATE_FORMS = "|".join(
    (
        rf"(?P<ymd>(?<![0-9])(?P<ymd_y>[0-9]{{4}}|[零〇一二三四五六七八九]{{4}})\s*年\s*(?P<ymd_m>{_M})\s*月\s*(?P<ymd_d>{_D}))",
        r"(?P<iso>(?<![0-9])(?P<iso_y>[0-9]{4})[-/.](?P<iso_m>[0-9]{1,2})[-/.](?P<iso_d>[0-9]{1,2})(?![0-9]))",
        r"(?P<yend>(?P<yend_y>(?<![0-9])[0-9]{4}\s*|今|本|明)?年(?:底|末))",
        rf"(?P<mend>(?<![0-9])(?P<mend_m>{_M})\s*月(?:底|末))",
        rf"(?P<md>(?<![0-9])(?P<md_m>{_M})\s*月\s*(?P<md_d>{_D}))",
        rf"(?P<rmday>(?P<rmday_p>本|这个?|当|下个?)月\s*(?P<rmday_d>{_D}))",
        r"(?P<rmend>(?P<rmend_p>本|这个?|当|下个?)?月(?:底|末))",
        rf"(?P<within>(?P<within_n>{_N})\s*个?\s*(?P<within_u>天|日|周|星期|礼拜|月)\s*(?:之内|以内|内))",
        r"(?P<period>(?P<period_p>本|这个?|今)(?P<period_u>周|星期|礼拜|月|年)\s*(?:之内|以内|内))",
        r"(?P<rel>大后天|后天|明天|明日|今天|今日|今晚)",
        rf"(?P<weekend>{_WEEK_LOOKBEHIND}(?P<weekend_p>下下个?|下个?|本|这个?)?周末)",
        rf"(?P<week>{_WEEK_LOOKBEHIND}(?P<week_p>下下个?|下个?|本|这个?)?(?:周|星期|礼拜)(?P<week_d>[一二三四五六日天1-7]))",
        r"(?P<dot>(?<![0-9./])(?P<dot_m>[0-9]{1,2})[./](?P<dot_d>[0-9]{1,2})(?![0-9./]))",
        r"(?P<day>(?<![0-9月第每零〇一二两三四五六七八九十])(?P<day_d>[0-9]{1,2}|[一二三四五六七八九十]{1,3})\s*[日号])",
    )
)
_KINDS = (
    "ymd",
    "iso",
    "yend",
    "mend",
    "md",
    "rmday",
    "rmend",
    "within",
    "period",
    "rel",
    "weekend",
    "week",
    "dot",
    "day",
)
_ALWAYS_MARKED = frozenset(("within", "period"))
_NEEDS_MARKER = frozenset(("dot", "day"))
_PRE = (
    r"(?P<pre>(?:截止|截至|最晚|最迟|不晚于|期限)(?:日期|时间)?\s*(?:到|至|为|是|于|在)?\s*[:：]?\s*)?"
    r"(?:(?:请|需|须|务必|要)?(?:于|在))?"
)
_TIME = (
    r"(?:\s*(?:上午|下午|中午|晚上|早上|傍晚|凌晨|白天)?\s*"
    r"(?:[0-9]{1,2}\s*[:：]\s*[0-9]{2}"
    r"|(?:[0-9]{1,2}|[一二两三四五六七八九十]{1,3})\s*[点时](?:半|\s*[0-9]{1,2}\s*分|[一二三四五六七八九十]{1,3}分)?)?)?"
)
_SUF = (
    r"(?P<suf>\s*(?:之前|以前|前(?![往去来进面方台门排后天夕院线期])|为止|截止|截至)"
    r"(?:\s*(?:完成|办结))?)?"
)
_DEADLINE = re.compile(_PRE + "(?:" + _DATE_FORMS + ")" + _TIME + _SUF)

_WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}
_WEEKDAYS.update({str(n): n - 1 for n in range(1, 8)})


@dataclass(frozen=True, slots=True)
class _DateHit:
    span: Span
    seen: str
    marked: bool
    value: date | None
    problem: ParseProblem | None = None
    note: ParseProblem | None = None


def _make_date(year: int | None, month: int | None, day: int | None) -> date | None:
    if year is None or month is None or day is None:
        return None
    try:
        return date(year, month, day)
    except (ValueError, OverflowError):
        return None


def _month_end(year: int, month: int) -> date | None:
    year, month = year + (month - 1) // 12, (month - 1) % 12 + 1
    if not 1 <= year <= 9999:
        return None
    return date(year, month, calendar.monthrange(year, month)[1])


def _shift(today: date, days: int) -> date | None:
    try:
        return today + timedelta(days=days)
    except OverflowError:
        return None


def _ahead(prefix: str | None) -> int:
    """How many weeks (or months) ahead a ``下``/``下下`` prefix points; ``本``/``这`` or none is zero."""
    if not prefix:
        return 0
    if prefix.startswith("下下"):
        return 2
    if prefix.startswith("下"):
        return 1
    return 0


class _Reading:
    """One date phrase being turned into a date, a problem, and maybe a note."""

    def __init__(self, match: re.Match[str], today: date) -> None:
        self.match = match
        self.today = today
        self.seen = match.group(0).strip()
        self.note: ParseProblem | None = None

    def invalid(self) -> ParseProblem:
        return ParseProblem("parse.deadline_invalid", (("seen", self.seen),))

    def past(self, value: date) -> ParseProblem:
        return ParseProblem("parse.deadline_past", (("seen", self.seen), ("date", value.isoformat())))

    def checked(self, value: date | None) -> date | ParseProblem:
        if value is None:
            return self.invalid()
        if value < self.today:
            return self.past(value)
        return value

    def yearless(self, month: int | None, day: int | None) -> date | ParseProblem:
        this_year = _make_date(self.today.year, month, day)
        if this_year is None:
            return self.invalid()
        if this_year >= self.today:
            return this_year
        if (self.today - this_year).days <= YEARLESS_TYPO_DAYS:
            return self.past(this_year)
        return self.next_year(_make_date(self.today.year + 1, month, day))

    def next_year(self, value: date | None) -> date | ParseProblem:
        if value is None:
            return self.invalid()
        self.note = ParseProblem(
            "parse.year_assumed", (("seen", self.seen), ("year", str(value.year)), ("date", value.isoformat()))
        )
        return value

    def monthless(self, day: int | None) -> date | ParseProblem:
        this_month = _make_date(self.today.year, self.today.month, day)
        if this_month is not None and this_month >= self.today:
            return this_month
        end = _month_end(self.today.year, self.today.month + 1)
        if end is None or day is None or not 1 <= day <= end.day:
            return self.invalid()
        value = end.replace(day=day)
        self.note = ParseProblem("parse.month_assumed", (("seen", self.seen), ("date", value.isoformat())))
        return value

    def resolve(self) -> date | ParseProblem:
        g = self.match.group
        today = self.today
        kind = next((k for k in _KINDS if g(k) is not None), "")
        if kind == "ymd":
            return self.checked(_make_date(_number(g("ymd_y")), _number(g("ymd_m")), _number(g("ymd_d"))))
        if kind == "iso":
            return self.checked(_make_date(int(g("iso_y")), int(g("iso_m")), int(g("iso_d"))))
        if kind == "yend":
            marker = (g("yend_y") or "").strip()
            year = _number(marker) if marker.isdigit() else today.year + (marker == "明")
            return self.checked(_make_date(year, 12, 31))
        if kind == "mend":
            month = _number(g("mend_m"))
            if month is None or not 1 <= month <= 12:
                return self.invalid()
            end = _month_end(today.year, month)
            if end is not None and end >= today:
                return end
            return self.next_year(_month_end(today.year + 1, month))
        if kind == "md":
            return self.yearless(_number(g("md_m")), _number(g("md_d")))
        if kind == "dot":
            return self.yearless(int(g("dot_m")), int(g("dot_d")))
        if kind == "rmday":
            base = _month_end(today.year, today.month + _ahead(g("rmday_p")))
            if base is None:
                return self.invalid()
            return self.checked(_make_date(base.year, base.month, _number(g("rmday_d"))))
        if kind == "rmend":
            return self.checked(_month_end(today.year, today.month + _ahead(g("rmend_p"))))
        if kind == "within":
            return self.checked(self.within(_number(g("within_n")), g("within_u")))
        if kind == "period":
            unit = g("period_u")
            if unit == "月":
                return self.checked(_month_end(today.year, today.month))
            if unit == "年":
                return self.checked(_make_date(today.year, 12, 31))
            return self.checked(_shift(today, 6 - today.weekday()))
        if kind == "rel":
            offsets = {"今天": 0, "今日": 0, "今晚": 0, "明天": 1, "明日": 1, "后天": 2, "大后天": 3}
            return self.checked(_shift(today, offsets[g("rel")]))
        if kind == "weekend":
            return self.checked(_shift(today, 6 - today.weekday() + 7 * _ahead(g("weekend_p"))))
        if kind == "week":
            return self.checked(self.weekday(g("week_p"), _WEEKDAYS[g("week_d")]))
        if kind == "day":
            return self.monthless(_number(g("day_d")))
        return self.invalid()

    def within(self, count: int | None, unit: str) -> date | None:
        if not count:
            return None
        if unit in ("天", "日"):
            return _shift(self.today, count) if count <= 366 else None
        if unit == "月":
            if count > 12:
                return None
            end = _month_end(self.today.year, self.today.month + count)
            return None if end is None else end.replace(day=min(self.today.day, end.day))
        return _shift(self.today, 7 * count) if count <= 52 else None

    def weekday(self, prefix: str | None, target: int) -> date | None:
        if not prefix:
            return _shift(self.today, (target - self.today.weekday()) % 7)
        return _shift(self.today, target - self.today.weekday() + 7 * _ahead(prefix))


def _date_hits(text: str, today: date, protected: list[Span]) -> list[_DateHit]:
    hits: list[_DateHit] = []
    for match in _DEADLINE.finditer(text):
        span = (match.start(), match.end())
        if _overlaps(span, protected):
            continue
        kind = next((k for k in _KINDS if match.group(k) is not None), "")
        marked = bool(match.group("pre") or match.group("suf")) or kind in _ALWAYS_MARKED
        if kind in _NEEDS_MARKER and not marked:
            continue
        reading = _Reading(match, today)
        outcome = reading.resolve()
        if isinstance(outcome, ParseProblem):
            hits.append(_DateHit(span, reading.seen, marked, None, outcome))
        else:
            hits.append(_DateHit(span, reading.seen, marked, outcome, None, reading.note))
    return hits


@dataclass(frozen=True, slots=True)
class _Deadline:
    value: date | None
    problems: tuple[ParseProblem, ...]
    notes: tuple[ParseProblem, ...]
    spans: tuple[Span, ...]


def _deadline(hits: list[_DateHit]) -> _Deadline:
    chosen = [hit for hit in hits if hit.marked]
    spans = tuple(hit.span for hit in chosen)
    if not chosen:
        distinct = {hit.value if hit.problem is None else hit.seen for hit in hits}
        if len(distinct) > 1:
            seen = "、".join(dict.fromkeys(hit.seen for hit in hits))
            return _Deadline(None, (), (ParseProblem("parse.deadline_ambiguous", (("seen", seen),)),), ())
        chosen = hits[:1]
    problems = tuple(dict.fromkeys(hit.problem for hit in chosen if hit.problem is not None))
    if problems:
        return _Deadline(None, problems, (), spans)
    if len({hit.value for hit in chosen}) > 1:
        seen = "、".join(dict.fromkeys(hit.seen for hit in chosen))
        return _Deadline(None, (ParseProblem("parse.deadline_conflicting", (("seen", seen),)),), (), spans)
    notes = tuple(dict.fromkeys(hit.note for hit in chosen if hit.note is not None))
    return _Deadline(chosen[0].value if chosen else None, (), notes, spans)


_CN_NUMERAL = "零〇一二两三四五六七八九十"
_SLOT_NUM = (
    rf"(?<![0-9{_CN_NUMERAL}百千第每])"
    rf"(?P<n>[0-9]{{1,6}}|[{_CN_NUMERAL}][{_CN_NUMERAL}百千]{{0,5}})"
)
_SLOT_LEAD = r"(?:(?:需要|急需|需|招募|招|征集|募集|共需|共|限|仅限)\s*)?"
_SLOT_STOP = r"(?=[\s，,。；;、！!？?)）】]|$)"
_SLOT_VOLUNTEER = r"(?:党员志愿者|志愿者|党员|队员|人员|同志)"
_SLOT_PATTERNS: tuple[tuple[re.Pattern[str], bool], ...] = (
    (re.compile(r"名额\s*[:：]?\s*(?:为|是|共)?\s*" + _SLOT_NUM + r"\s*(?:个|名|人|位)?"), True),
    (re.compile(_SLOT_LEAD + _SLOT_NUM + r"\s*个?名额"), True),
    (re.compile(_SLOT_LEAD + _SLOT_NUM + r"\s*(?:名|位|个)?\s*" + _SLOT_VOLUNTEER), True),
    (re.compile(_SLOT_LEAD + _SLOT_NUM + r"\s*个?人(?![次民口家份户间独在生居住之一员])"), True),
    (re.compile(r"(?:需要|急需|需|招募|招|征集|募集)\s*" + _SLOT_NUM + r"\s*[名位]" + _SLOT_STOP), True),
    (re.compile(r"(?:^|(?<=[\s，,。；;、：:]))" + _SLOT_NUM + r"\s*[名位]" + _SLOT_STOP), True),
    (re.compile(_SLOT_NUM + r"\s*[名位][^\s，,。；;、！!？?0-9人需要为给帮]{1,5}?" + _SLOT_VOLUNTEER), False),
)
_SLOT_JUNK = re.compile(r"名额\s*[:：]\s*(?P<junk>[^\s，,。；;、]{1,8})")


@dataclass(frozen=True, slots=True)
class _Slots:
    value: int
    problems: tuple[ParseProblem, ...]
    spans: tuple[Span, ...]


def _slots(text: str, protected: list[Span]) -> _Slots:
    found: list[tuple[re.Match[str], bool]] = []
    for pattern, cut in _SLOT_PATTERNS:
        found.extend((match, cut) for match in pattern.finditer(text))
    found.sort(key=lambda item: (item[0].start(), -(item[0].end() - item[0].start())))
    accepted: list[re.Match[str]] = []
    spans: tuple[Span, ...] = ()
    taken = list(protected)
    for match, cut in found:
        span = (match.start(), match.end())
        if not _overlaps(span, taken):
            accepted.append(match)
            taken.append(span)
            spans += (span,) if cut else ()
    seen = [m.group(0).strip() for m in accepted]
    for junk in _SLOT_JUNK.finditer(text):
        if not _overlaps((junk.start(), junk.end()), taken):
            seen.append(junk.group(0).strip())
            spans += ((junk.start(), junk.end()),)
    values = {_number(m.group("n")) for m in accepted}
    readable = all(value is not None and 1 <= value <= MAX_SLOTS for value in values)
    if len(seen) > len(accepted) or len(values) > 1 or not readable:
        problem = ParseProblem("parse.slots_unreadable", (("seen", "、".join(seen)), ("max", str(MAX_SLOTS))))
        return _Slots(1, (problem,), spans)
    value = next(iter(values), None)
    return _Slots(value or 1, (), spans)


_URGENT = re.compile(
    "(?:" + "|".join(_URGENT_WORDS) + ")"
    r"(?!呼叫|按钮|按键|联系|电话|铃|包|灯|箱|手电|通道|预案|演练|知识|救护|避险)"
)
_TEAM = re.compile("|".join(_TEAM_WORDS))


def _text_category(text: str) -> str:
    tiers = (
        [(word, word) for word in KNOWN_CATEGORIES if word not in _URGENT_WORDS],
        list(_CATEGORY_HINTS),
        list(_GENERIC_HINTS),
    )
    for candidates in tiers:
        found = [
            (position, -len(word), category) for word, category in candidates if (position := text.find(word)) >= 0
        ]
        if found:
            return min(found)[2]
    return ""


_SEPARATORS = re.compile(r"[，,。；;、！!？?#\s]+")
_FLAG_RUN = "(?:" + "|".join(sorted(_FLAG_WORDS, key=len, reverse=True)) + ")+"
_FLAG_CLAUSE = re.compile(_FLAG_RUN)
_FLAG_LABEL = re.compile("^" + _FLAG_RUN + r"\s*[:：]\s*")


def _clauses(text: str) -> list[tuple[str, str]]:
    """Split into (clause, separator-after) pairs; a space beside a Latin letter or digit does not split."""
    pieces: list[tuple[str, str]] = []
    start = 0
    for match in _SEPARATORS.finditer(text):
        before = text[match.start() - 1] if match.start() > 0 else ""
        after = text[match.end()] if match.end() < len(text) else ""
        if match.group(0).strip(" ") == "" and (_latin(before) or _latin(after)):
            continue
        pieces.append((text[start : match.start()], match.group(0)))
        start = match.end()
    pieces.append((text[start:], ""))
    return [(clause.strip(), separator) for clause, separator in pieces if clause.strip()]


def _latin(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def _joined(pieces: list[tuple[str, str]]) -> str:
    out: list[str] = []
    for index, (clause, separator) in enumerate(pieces):
        out.append(clause)
        if index == len(pieces) - 1:
            break
        if "\n" in separator:
            out.append("\n")
        else:
            marks = [ch for ch in separator if not ch.isspace() and ch != "#"]
            out.append(marks[0] if marks else " ")
    return "".join(out).strip()


def _cut(text: str, spans: list[Span]) -> str:
    keep = [True] * len(text)
    for start, end in spans:
        for index in range(max(0, start), min(len(text), end)):
            keep[index] = False
    return "".join(ch for ch, kept in zip(text, keep, strict=True) if kept)


@dataclass(frozen=True, slots=True)
class _Marks:
    urgent: bool
    team: bool
    categories: tuple[str, ...]
    spans: tuple[Span, ...]


def _read_marks(text: str, protected: list[Span]) -> _Marks:
    """Bracketed flags (``【紧急】``) and ``#tags``: what they say and where they are."""
    urgent = team = False
    categories: list[str] = []
    spans: list[Span] = []
    for match in _BRACKET_FLAG.finditer(text):
        word = match.group(1)
        urgent = urgent or word not in _TEAM_WORDS
        team = team or word in _TEAM_WORDS
        spans.append((match.start(), match.end()))
    for match in _TAG.finditer(text):
        if _overlaps((match.start(), match.end()), protected):
            continue
        name = match.group(1)
        known = max((c for c in KNOWN_CATEGORIES if name.startswith(c)), key=len, default="")
        if name in _FLAG_WORDS:
            urgent = urgent or name not in _TEAM_WORDS
            team = team or name in _TEAM_WORDS
        if name == POSTING_MARKER or (name in _FLAG_WORDS and name not in KNOWN_CATEGORIES):
            spans.append((match.start(), match.end()))
        elif known and name != known:
            categories.append(known)
            spans.append((match.start(), match.start() + 1 + len(known)))
        elif len(name) <= MAX_TAG:
            categories.append(name)
            spans.append((match.start(), match.end()))
    return _Marks(urgent, team, tuple(categories), tuple(spans))


def parse_wish_text(text: str, today: date) -> ParseResult:
    """Read a secretary's wish post into a :class:`ParsedWish`, or return the problems that stop it.

    Deadline conventions (the result is never earlier than ``today``):

    * A date counts as the deadline when it is marked (``截止``/``截至``/``最晚`` before it, ``前``/``之前``/
      ``以前``/``为止`` after it, or ``N天内``/``本周内``). Without any marked date, a single unmarked date
      (``明天上午``, ``12月31日``) is taken, but left in the title; several different unmarked dates set no
      deadline and leave a note. ``12.31``, ``12/31`` and a bare day (``20号``) count only when marked.
    * Month and day without a year: this year, or next year if already passed (with note ``parse.year_assumed``);
      a date that passed only recently (within ``YEARLESS_TYPO_DAYS``) is more likely a slip than next year's, so
      it is refused as past and asked about.
      A bare day: this month, or next month if passed (note ``parse.month_assumed``).
    * Weeks run Monday to Sunday. ``周五``/``星期五``/``礼拜五`` is the next Friday on or after today (said on
      a Friday it means today). ``本周五``/``这周五`` is this week's Friday, refused if already past.
      ``下周五`` is always the Friday of next week, ``下下周五`` the week after; ``周末`` is the Sunday.
    * ``N天内``/``N日内`` is today + N days, ``N周内`` today + 7N, ``N个月内`` the same day N months on.
      ``月底``/``本月底`` the last day of this month, ``下月底`` of next month, ``年底`` 31 December.
    * An explicit date in the past is refused (``parse.deadline_past``), an impossible one (``2月30日``) too
      (``parse.deadline_invalid``), and two different marked deadlines (``parse.deadline_conflicting``).
    """
    if len(text) > MAX_WISH_TEXT:
        problem = ParseProblem("parse.too_long", (("length", str(len(text))), ("max", str(MAX_WISH_TEXT))))
        return ParseResult(None, (problem,))
    text = _strip_prefix(text.translate(_FULL_WIDTH))
    protected = list(phone_spans(text))
    problems: list[ParseProblem] = []
    notes: list[ParseProblem] = []
    marks = _read_marks(text, protected)
    removed: list[Span] = list(marks.spans)

    date_hits = _date_hits(text, today, protected + removed)
    deadline = _deadline(date_hits)
    problems.extend(deadline.problems)
    notes.extend(deadline.notes)
    removed.extend(deadline.spans)

    slots = _slots(text, protected + removed + [hit.span for hit in date_hits])
    problems.extend(slots.problems)
    removed.extend(slots.spans)

    rest = _cut(text, removed)
    clauses = _clauses(rest)
    flag_only = [clause for clause, _ in clauses if _FLAG_CLAUSE.fullmatch(clause)]
    urgent = marks.urgent or any(_TEAM.sub("", clause) for clause in flag_only)
    urgent = urgent or _URGENT.search(_cut(text, protected)) is not None
    team = marks.team or _TEAM.search(text) is not None
    clauses = [
        (_FLAG_LABEL.sub("", clause, count=1), separator)
        for clause, separator in clauses
        if not _FLAG_CLAUSE.fullmatch(clause) and _FLAG_LABEL.sub("", clause, count=1)
    ]

    category = marks.categories[0] if marks.categories else _text_category(rest)
    if len(marks.categories) > 1:
        notes.append(ParseProblem("parse.tags_ignored", (("tags", "、".join(marks.categories[1:])),)))

    title = clauses[0][0] if clauses else ""
    description = _joined(clauses[1:])
    if len(title) > MAX_TITLE:
        title = title[: MAX_TITLE - 1] + "…"
        description = _joined(clauses)
        notes.append(ParseProblem("parse.title_trimmed", (("max", str(MAX_TITLE)),)))
    if not title:
        problems.append(ParseProblem("parse.title_missing"))

    if problems:
        return ParseResult(None, tuple(dict.fromkeys(problems)))
    wish = ParsedWish(
        title=title,
        description=description,
        slots=slots.value,
        deadline=deadline.value,
        category=category,
        team_claim=team,
        urgency=Urgency.EMERGENCY if urgent else Urgency.NORMAL,
        notes=tuple(dict.fromkeys(notes)),
    )
    return ParseResult(wish, ())
