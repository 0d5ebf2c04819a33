"""Categories, urgency and team-claim flags: bracketed flags, #tags and the known category words."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.domain.wish_text.results import (
    MAX_TAG,
)
from bot.domain.wish_text.spans import Span, overlaps

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
URGENT_WORDS = ("紧急", "加急", "应急", "战时", "急需", "特急", "火急")
TEAM_WORDS = ("组团认领", "组团", "团队认领", "服务队认领", "集体认领")
FLAG_WORDS = frozenset((*URGENT_WORDS, *TEAM_WORDS, "急", "急急", "十万火急"))

_TAG = re.compile(r"#([^\s#，,。；;、：:！!？?【】\[\]（）()]{1,30})#?")
_BRACKET_FLAG = re.compile(r"[【\[（(]\s*(" + "|".join(sorted(FLAG_WORDS, key=len, reverse=True)) + r")\s*[】\]）)]")

URGENT = re.compile(
    "(?:" + "|".join(URGENT_WORDS) + ")"
    r"(?!呼叫|按钮|按键|联系|电话|铃|包|灯|箱|手电|通道|预案|演练|知识|救护|避险)"
)
TEAM = re.compile("|".join(TEAM_WORDS))


def text_category(text: str) -> str:
    tiers = (
        [(word, word) for word in KNOWN_CATEGORIES if word not in URGENT_WORDS],
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


@dataclass(frozen=True, slots=True)
class _Marks:
    urgent: bool
    team: bool
    categories: tuple[str, ...]
    spans: tuple[Span, ...]


def read_marks(text: str, protected: list[Span]) -> _Marks:
    """Bracketed flags (``【紧急】``) and ``#tags``: what they say and where they are."""
    urgent = team = False
    categories: list[str] = []
    spans: list[Span] = []
    for match in _BRACKET_FLAG.finditer(text):
        word = match.group(1)
        urgent = urgent or word not in TEAM_WORDS
        team = team or word in TEAM_WORDS
        spans.append((match.start(), match.end()))
    for match in _TAG.finditer(text):
        if overlaps((match.start(), match.end()), protected):
            continue
        name = match.group(1)
        known = max((c for c in KNOWN_CATEGORIES if name.startswith(c)), key=len, default="")
        if name in FLAG_WORDS:
            urgent = urgent or name not in TEAM_WORDS
            team = team or name in TEAM_WORDS
        if name == POSTING_MARKER or (name in FLAG_WORDS and name not in KNOWN_CATEGORIES):
            spans.append((match.start(), match.end()))
        elif known and name != known:
            categories.append(known)
            spans.append((match.start(), match.start() + 1 + len(known)))
        elif len(name) <= MAX_TAG:
            categories.append(name)
            spans.append((match.start(), match.end()))
    return _Marks(urgent, team, tuple(categories), tuple(spans))
