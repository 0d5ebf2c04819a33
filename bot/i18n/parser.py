"""What the wish-text parser tells a secretary about a post it could not read, or an assumption it made."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "parse.too_long": {
        "zh": "心愿内容太长了（{length} 字），请精简到 {max} 字以内。",
        "en": "The wish is too long ({length} characters); please keep it within {max}.",
    },
    "parse.title_missing": {
        "zh": "没找到要做什么。请在第一句写明心愿，例如“为独居老人王奶奶安装一键通 名额2 截止12月31日”。",
        "en": "I could not find what needs doing. Put the wish in the first sentence, e.g. "
        "“为独居老人王奶奶安装一键通 名额2 截止12月31日”.",
    },
    "parse.slots_unreadable": {
        "zh": "没看懂名额：{seen}。请只写一个 1 到 {max} 之间的人数，例如“名额2”或“3人”。",
        "en": "I could not read the number of slots: {seen}. Write a single number from 1 to {max}, "
        "e.g. “名额2” or “3人”.",
    },
    "parse.slots_missing": {
        "zh": "没写需要几个人。请写明人数，例如“名额2”或“3人”。",
        "en": "The number of people needed is missing; write it, e.g. “名额2”, “3人” or “2 people”.",
    },
    "parse.time_invalid": {
        "zh": "“{seen}”里的时间不对，请写 0 到 24 点之间的时间，例如“下午3点”或“18:30”。",
        "en": "The time in “{seen}” is not a valid time of day; write e.g. “下午3点”, “18:30” or “6pm”.",
    },
    "parse.deadline_past": {
        "zh": "截止日期“{seen}”（{date}）已经过去了，请写今天或以后的日期。",
        "en": "The deadline “{seen}” ({date}) has already passed; please give today or a later date.",
    },
    "parse.deadline_invalid": {
        "zh": "“{seen}”不是有效的日期，请检查月份和日子。",
        "en": "“{seen}” is not a valid date; please check the month and day.",
    },
    "parse.deadline_conflicting": {
        "zh": "写了不止一个截止日期：{seen}。请只保留一个。",
        "en": "More than one deadline was given: {seen}. Please keep just one.",
    },
    "parse.year_assumed": {
        "zh": "“{seen}”今年已过，按 {year} 年处理（{date}）。",
        "en": "“{seen}” has passed this year, so I took it as {year} ({date}).",
    },
    "parse.month_assumed": {
        "zh": "“{seen}”本月已过，按下个月处理（{date}）。",
        "en": "“{seen}” has passed this month, so I took it as next month ({date}).",
    },
    "parse.deadline_ambiguous": {
        "zh": "文中有几个日期（{seen}），没有设截止日期；如需截止，请写“截止……”或“……前”。",
        "en": "The text names several dates ({seen}), so no deadline was set; to set one, write “截止…” or “…前”.",
    },
    "parse.tags_ignored": {
        "zh": "只用第一个标签作分类，其余标签未使用：{tags}。",
        "en": "Only the first tag is used as the category; these were not used: {tags}.",
    },
    "parse.title_trimmed": {
        "zh": "第一句超过 {max} 字，标题已截短，全文保留在说明里。",
        "en": "The first sentence is longer than {max} characters, so the title was shortened; "
        "the full text is kept in the description.",
    },
}
