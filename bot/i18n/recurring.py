"""Text of recurring activities: occurrence days, answers to /recurring, /series and /endseries, /calendar."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "series.day": {"zh": "{m}月{d}日（{weekday}）", "en": "{m}/{d} ({weekday})"},
    "series.weekday.mon": {"zh": "周一", "en": "Mon"},
    "series.weekday.tue": {"zh": "周二", "en": "Tue"},
    "series.weekday.wed": {"zh": "周三", "en": "Wed"},
    "series.weekday.thu": {"zh": "周四", "en": "Thu"},
    "series.weekday.fri": {"zh": "周五", "en": "Fri"},
    "series.weekday.sat": {"zh": "周六", "en": "Sat"},
    "series.weekday.sun": {"zh": "周日", "en": "Sun"},
    "series.description": {
        "zh": "周期活动 系列 #{id}：认领本次点按钮；每次都参加请发送 /series {id}",
        "en": "Recurring activity, series #{id}: tap to claim this one; to join every one send /series {id}",
    },
    "series.posted": {
        "zh": "🔁 已建立周期活动 系列 #{id}「{title}」。本次已发布：{first}；之后：{next}……"
        "每次活动提前发布，各有名额；党员可认领单次，或发送 /series {id} 认领全部。",
        "en": "🔁 Recurring activity series #{id} “{title}” set up. Posted now: {first}; then: {next}… "
        "Each occurrence is posted ahead with its own slots; members claim one, or all with /series {id}.",
    },
    "series.ended": {
        "zh": "系列 #{id}「{title}」已停止，不再发布新的活动；已发布的保留。",
        "en": "Series #{id} “{title}” stopped: no more occurrences; those posted stay.",
    },
    "series.joined": {
        "zh": "✅ 您已认领系列 #{id}「{title}」的每一次活动。已为您认领：{wishes}；"
        "以后发布的将自动为您认领（有名额时）。",
        "en": "✅ You joined every occurrence of series #{id} “{title}”. Claimed now: {wishes}; later ones are "
        "claimed for you as they are posted (while slots are free).",
    },
    "series.joined_before": {
        "zh": "您之前已认领系列 #{id}「{title}」。本次补认领：{wishes}。",
        "en": "You had joined series #{id} “{title}”. Claimed now: {wishes}.",
    },
    "series.usage.post": {
        "zh": "用法：/recurring 周期 内容 名额，例如：/recurring 每周六上午 小区巡逻 名额4，"
        "或 /recurring 每月第一个周日 义诊 名额3",
        "en": "Usage: /recurring RULE TEXT SLOTS, e.g. /recurring every Saturday 9:00 patrol 4 people",
    },
    "series.usage.number": {
        "zh": "请写系列编号，例如：{command} 2",
        "en": "Please give the series number, e.g. {command} 2",
    },
    "series.calendar_name": {"zh": "e支部 · 我的认领", "en": "e-branch · my claims"},
    "series.calendar.caption": {
        "zh": "📅 您认领的 {n} 项活动（可导入手机日历）",
        "en": "📅 The {n} activities you claimed (import into your phone's calendar)",
    },
    "series.calendar.none": {
        "zh": "您目前没有带日期的认领。",
        "en": "You have no claims with a date right now.",
    },
    "error.not_found.series": {
        "zh": "没有找到这个周期活动系列（或已停止）。",
        "en": "No such series (or it was stopped).",
    },
    "error.invalid_input.series_rule": {
        "zh": "没看出活动周期：请写“每周六”“每月第一个周日”“每月15号”或“每天”。",
        "en": "No recurrence found: write “every Saturday”, “first Sunday of every month” or “every day”.",
    },
    "error.invalid_input.series_wish": {
        "zh": "请写明活动内容和名额，例如：每周六上午 小区巡逻 名额4",
        "en": "Say what the activity is and how many people, e.g. every Saturday 9:00 patrol 4 people",
    },
    # leaving a series
    "series.left": {
        "zh": "已退出系列 #{id}「{title}」：以后的活动不再为您认领。已取消认领：{wishes}（已进行的活动保留）。",
        "en": "You left series #{id} “{title}”: later occurrences are no longer claimed for you. Withdrawn: "
        "{wishes} (past ones stay).",
    },
    "series.btn.leave": {"zh": "退出系列", "en": "Leave series"},
    "error.not_in_series": {
        "zh": "您没有认领系列 #{id}，也没有认领它以后的活动。",
        "en": "You did not join series #{id}, nor claim any of its coming occurrences.",
    },
}
