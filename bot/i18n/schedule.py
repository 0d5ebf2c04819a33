"""Text of what the bot sends on its own: quarterly nudges, reminders, releases, digests and feedback."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "sched.nudge.gentle": {
        "zh": "{name}您好！{quarter}您还没有参加志愿服务。每季度至少服务一次，"
        "下面是本支部适合您的微心愿，点按钮即可认领：",
        "en": "Hello {name}! You have not served yet in {quarter}. Members serve at least once a quarter; "
        "here are wishes of your branch that fit you, tap to claim:",
    },
    "sched.nudge.firm": {
        "zh": "{name}您好，{quarter}只剩{days}天了，您本季度还没有服务记录。"
        "请尽快认领一个微心愿，完成每季度至少一次的志愿服务：",
        "en": "{name}, only {days} days are left in {quarter} and you have no service yet this quarter. "
        "Please claim a wish soon to serve at least once this quarter:",
    },
    "sched.nudge.no_wishes": {
        "zh": "本支部暂时没有空缺的微心愿，可以联系支部书记安排服务。",
        "en": "Your branch has no open wish right now; ask your branch secretary how you can serve.",
    },
    "sched.nudge.wish": {"zh": "· #{id} {title}", "en": "· #{id} {title}"},
    "sched.btn.claim": {"zh": "认领 #{id} {title}", "en": "Claim #{id} {title}"},
    "sched.btn.pause": {"zh": "两周内不再提醒", "en": "Pause reminders for two weeks"},
    "sched.unreachable": {
        "zh": "{name}本季度尚未参加服务，但无法接收机器人私信（未启动或已屏蔽机器人），请当面提醒。",
        "en": "{name} has not served this quarter and cannot receive private messages from the bot "
        "(never started it or blocked it); please remind them in person.",
    },
    "sched.atrisk.intro": {
        "zh": "<b>每周提醒</b>：以下党员本季度尚未服务，可以点名鼓励一下。",
        "en": "<b>Weekly reminder</b>: these members have not served this quarter yet.",
    },
    "sched.unclaimed": {
        "zh": "微心愿 #{id}「{title}」发布已{days}天，仍无人认领。可以在群里再推荐一下，或直接联系合适的党员。",
        "en": "Wish #{id} \u201c{title}\u201d was posted {days} days ago and nobody has claimed it yet. "
        "Mention it in the group again or ask a member who fits.",
    },
    "sched.overdue": {
        "zh": "您认领的微心愿 #{id}「{title}」已过截止日期（{date}）。"
        "已完成请点“已完成”，做不了请点“放弃”，让其他党员接手。",
        "en": "The wish you claimed, #{id} \u201c{title}\u201d, is past its deadline ({date}). "
        "Tap Done if you did it, or Give up so someone else can.",
    },
    "sched.released.member": {
        "zh": "您认领的微心愿 #{id}「{title}」截止日期（{date}）已过{days}天仍未完成，已释放回支部，其他党员可以认领。",
        "en": "Wish #{id} \u201c{title}\u201d was still not done {days} days after its deadline ({date}), "
        "so your claim was released back to the branch for others to take.",
    },
    "sched.released.secretary": {
        "zh": "{name}认领的微心愿 #{id}「{title}」截止日期（{date}）后{days}天仍未完成，已释放回支部重新认领。",
        "en": "{name}'s claim on wish #{id} \u201c{title}\u201d was still not done {days} days after its deadline "
        "({date}) and has been released back to the branch.",
    },
    "sched.feedback.text": {
        "zh": "<b>{workplace}</b>：{quarter}双报到服务反馈，共{count}名党员，其中{served}人已参加社区服务，详见附件。",
        "en": "<b>{workplace}</b>: community service in {quarter} (double report-in feedback): {served} of "
        "{count} members served; details attached.",
    },
    "sched.file.chart": {"zh": "服务情况_{week}.png", "en": "service_{week}.png"},
    "sched.file.ledger": {"zh": "台账_{name}_{date}.xlsx", "en": "ledger_{name}_{date}.xlsx"},
    "sched.file.feedback": {"zh": "双报到反馈_{name}_{quarter}.xlsx", "en": "feedback_{name}_{quarter}.xlsx"},
    "sched.export.caption": {"zh": "{name}台账（{date}）", "en": "Ledger of {name} ({date})"},
    "sched.file.too_large": {
        "zh": "（文件「{file}」有 {size} MB，超过本平台 {limit} MB 的上限，未能附上。"
        "请在各支部群里发 /export 分别导出，或由管理员在服务器上运行 ebranch export。）",
        "en": '(The file "{file}" is {size} MB, over this platform\'s {limit} MB limit, so it is not attached. '
        "Send /export in each branch group for its own ledger, or have an admin run ebranch export on the server.)",
    },
}
