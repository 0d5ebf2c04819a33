"""Text of pairings (结对帮扶): rhythms, lists, notices, reminders, refusals and the visit conversation."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "pair.rhythm.weekly": {"zh": "每周", "en": "weekly"},
    "pair.rhythm.fortnightly": {"zh": "每两周", "en": "fortnightly"},
    "pair.rhythm.monthly": {"zh": "每月", "en": "monthly"},
    "pair.rhythm.quarterly": {"zh": "每季度", "en": "quarterly"},
    "pair.rhythm.days": {"zh": "每{n}天", "en": "every {n} days"},
    "pair.day": {"zh": "{y}年{m}月{d}日", "en": "{y}-{m:02d}-{d:02d}"},
    "pair.status.active": {"zh": "进行中", "en": "active"},
    "pair.status.paused": {"zh": "已暂停", "en": "paused"},
    "pair.status.ended": {"zh": "已结束", "en": "ended"},
    "pair.due_on": {"zh": "下次走访 {day} 前", "en": "next visit by {day}"},
    "pair.overdue_since": {"zh": "⚠️ 已逾期 {days} 天（应于 {day} 前走访）", "en": "⚠️ {days} days overdue (due {day})"},
    "pair.line": {
        "zh": "结对 #{id} 「{alias}」 — {member} · {rhythm} · {state}",
        "en": "Pairing #{id} “{alias}” — {member} · {rhythm} · {state}",
    },
    "pair.contact": {"zh": "\n    联系方式：{contact}", "en": "\n    contact: {contact}"},
    "pair.list.none": {"zh": "{branch}还没有结对。", "en": "{branch} has no pairings yet."},
    "pair.list.head": {
        "zh": "{branch}的结对：共 {n} 个，逾期 {overdue} 个",
        "en": "Pairings of {branch}: {n}, {overdue} overdue",
    },
    "pair.mine.none": {"zh": "您目前没有结对。", "en": "You have no pairings."},
    "pair.mine.head": {
        "zh": "您的结对（走访后发送 /visit 编号 报告）：",
        "en": "Your pairings (send /visit NUMBER after a visit):",
    },
    "pair.atrisk.head": {"zh": "逾期未走访的结对：", "en": "Pairings with an overdue visit:"},
    "pair.service_note": {"zh": "结对走访「{alias}」", "en": "Pairing visit “{alias}”"},
    "pair.made": {
        "zh": "✅ 已建立结对 #{id}：{member} 与「{alias}」，{rhythm}走访，首次走访请在 {day} 前完成。",
        "en": "✅ Pairing #{id} made: {member} with “{alias}”, visits {rhythm}, the first one by {day}.",
    },
    "pair.changed.pause": {
        "zh": "⏸ 结对 #{id}「{alias}」已暂停，暂停期间不再提醒。",
        "en": "⏸ Pairing #{id} “{alias}” paused; no reminders meanwhile.",
    },
    "pair.changed.resume": {
        "zh": "▶️ 结对 #{id}「{alias}」已恢复，下次走访 {day} 前。",
        "en": "▶️ Pairing #{id} “{alias}” resumed; next visit by {day}.",
    },
    "pair.changed.end": {
        "zh": "结对 #{id}「{alias}」已结束，走访记录保留在台账中。",
        "en": "Pairing #{id} “{alias}” ended; its visits stay in the ledger.",
    },
    "pair.changed.handover": {
        "zh": "🔁 结对 #{id}「{alias}」已移交给 {member}。",
        "en": "🔁 Pairing #{id} “{alias}” handed over to {member}.",
    },
    "pair.visit.confirmed": {
        "zh": "✅ 已确认 {member} 对「{alias}」的走访（记录 {visit}），计入服务。",
        "en": "✅ Confirmed {member}'s visit to “{alias}” (record {visit}); it counts as service.",
    },
    "pair.visit.already": {"zh": "这次走访已确认过。", "en": "That visit was confirmed before."},
    "pair.notice.paired": {
        "zh": "🤝 {name}您好，支部书记为您安排了结对帮扶：结对 #{id}「{alias}」，{rhythm}走访一次，"
        "首次走访请在 {day} 前完成。走访后发送 /visit {id} 报告时长和情况。",
        "en": "🤝 Hello {name}, your secretary paired you with a household: pairing #{id} “{alias}”, a visit "
        "{rhythm}, the first by {day}. After a visit send /visit {id} with the hours and a note.",
    },
    "pair.notice.confirmed": {
        "zh": "✅ 您对「{alias}」的走访已由支部书记确认，计入本季度服务。下次走访 {day} 前。",
        "en": "✅ Your visit to “{alias}” was confirmed and counts as service. Next visit by {day}.",
    },
    "pair.notice.pause": {
        "zh": "⏸ 结对 #{id}「{alias}」已暂停，暂停期间不再提醒您走访。",
        "en": "⏸ Pairing #{id} “{alias}” is paused; no visit reminders meanwhile.",
    },
    "pair.notice.resume": {
        "zh": "▶️ 结对 #{id}「{alias}」已恢复，{rhythm}走访，下次走访请在 {day} 前。",
        "en": "▶️ Pairing #{id} “{alias}” resumed, visits {rhythm}; next visit by {day}.",
    },
    "pair.notice.end": {
        "zh": "结对 #{id}「{alias}」已结束，感谢您的长期帮扶！",
        "en": "Pairing #{id} “{alias}” has ended. Thank you for your long care!",
    },
    "pair.notice.handed_away": {
        "zh": "🔁 结对 #{id}「{alias}」已移交给其他同志，感谢您的帮扶！",
        "en": "🔁 Pairing #{id} “{alias}” was handed over to someone else. Thank you for your care!",
    },
    "pair.notice.handed_to": {
        "zh": "🤝 {name}您好，结对 #{id}「{alias}」已移交给您，{rhythm}走访一次，下次走访请在 {day} 前。"
        "走访后发送 /visit {id} 报告。",
        "en": "🤝 Hello {name}, pairing #{id} “{alias}” was handed over to you: a visit {rhythm}, the next by {day}. "
        "After a visit send /visit {id}.",
    },
    "pair.remind.due": {
        "zh": "🤝 {name}您好，结对 #{id}「{alias}」的走访（{rhythm}）将于 {day} 到期，还有 {days} 天。"
        "走访后发送 /visit {id} 报告。",
        "en": "🤝 Hello {name}, the visit of pairing #{id} “{alias}” ({rhythm}) is due {day}, in {days} days. "
        "After it send /visit {id}.",
    },
    "pair.remind.overdue": {
        "zh": "⚠️ {name}您好，结对 #{id}「{alias}」的走访已逾期 {days} 天（应于 {day} 前）。"
        "请尽快走访，走访后发送 /visit {id} 报告；如有困难请联系支部书记。",
        "en": "⚠️ {name}, the visit of pairing #{id} “{alias}” is {days} days overdue (due {day}). "
        "Please visit soon and send /visit {id}; tell your secretary if you cannot.",
    },
    "pair.usage.pair": {
        "zh": "用法：/pair 成员姓名 住户别名 节奏 [联系方式]\n节奏：每周、每两周、每月、每季度、每N天（默认每月）。"
        "群里只显示别名，请勿使用住户真实姓名或地址；联系方式只在书记私聊中显示。\n例：/pair 张伟 王奶奶 每月",
        "en": "Usage: /pair MEMBER ALIAS RHYTHM [contact]\nRhythm: weekly, fortnightly, monthly, quarterly, every N "
        "days (monthly if left out). Groups see only the alias: never a resident's real name or address; the "
        "contact shows only in the secretary's private chat.\nE.g. /pair Zhang Grandma-Wang monthly",
    },
    "pair.usage.number": {
        "zh": "请写结对编号，例如：{command} 3",
        "en": "Please give the pairing number, e.g. {command} 3",
    },
    "pair.usage.handover": {
        "zh": "用法：/handover 结对编号 成员姓名，例如：/handover 3 李娜",
        "en": "Usage: /handover NUMBER MEMBER, e.g. /handover 3 Li",
    },
    "pair.usage.confirm": {
        "zh": "请写走访记录编号，例如：/confirmvisit 5",
        "en": "Please give the visit record number, e.g. /confirmvisit 5",
    },
    "flow.visit.hours": {
        "zh": "请回复本次走访「{alias}」的时长，例如 1.5、两个半小时、90分钟。（发送 /cancel 取消）",
        "en": "How long was your visit to “{alias}”? E.g. 1.5, 2h 30m or 90 minutes. (/cancel to stop)",
    },
    "flow.visit.sent": {
        "zh": "👍 已报告结对 #{id} 的走访，等待支部书记确认。下次走访 {day} 前。",
        "en": "👍 Visit of pairing #{id} reported; waiting for the secretary to confirm. Next visit by {day}.",
    },
    "error.pairing_not_found": {"zh": "没有找到这个结对。", "en": "No such pairing."},
    "error.visit_not_found": {"zh": "没有找到这条走访记录。", "en": "No such visit record."},
    "error.not_your_pairing": {
        "zh": "结对 #{id} 不由您负责，只有结对的党员可以报告走访。",
        "en": "Pairing #{id} is not yours; only its member reports visits.",
    },
    "error.pairing_not_active": {
        "zh": "结对 #{id} 已暂停或已结束。",
        "en": "Pairing #{id} is paused or ended.",
    },
    "error.pair_member_unknown": {
        "zh": "本支部没有唯一一位已报到的“{name}”（找到 {n} 位），也没有这个名称的服务队。请写花名册上的姓名。",
        "en": "This branch has no single reported-in member “{name}” ({n} found) and no team of that name. "
        "Use the name on the roster.",
    },
    "error.invalid_input.pair_usage": {
        "zh": "请写成员姓名和住户别名，例如：/pair 张伟 王奶奶 每月",
        "en": "Give the member and the household's alias, e.g. /pair Zhang Grandma-Wang monthly",
    },
    "error.invalid_input.rhythm": {
        "zh": "没看懂走访节奏“{text}”：可写每周、每两周、每月、每季度或每N天。",
        "en": "“{text}” is no rhythm: use weekly, fortnightly, monthly, quarterly or every N days.",
    },
    "error.invalid_input.alias_private": {
        "zh": "别名会显示在群里，不能含电话号码等个人信息，请换一个称呼（如“王奶奶”）。",
        "en": "The alias is shown in groups and cannot hold a phone number or other personal data; choose another.",
    },
    "error.invalid_input.pair_action": {"zh": "无法这样修改结对。", "en": "A pairing cannot be changed that way."},
    # visit review cards (确认走访 / 退回)
    "pair.card.review": {
        "zh": "🤝 结对 #{id}「{alias}」走访待确认\n{name} 报告了走访（记录 {visit}）：{day}，{hours} 小时。",
        "en": "🤝 Pairing #{id} “{alias}”: a visit to confirm\n{name} reported a visit (record {visit}): {day}, "
        "{hours} h.",
    },
    "pair.card.hint": {
        "zh": "点按钮确认或退回，也可发送 /confirmvisit {visit}",
        "en": "Tap to confirm or return it, or send /confirmvisit {visit}",
    },
    "pair.card.confirmed": {"zh": "✅ 走访已确认（{by}）", "en": "✅ Visit confirmed ({by})"},
    "pair.card.returned": {"zh": "↩️ 走访已退回（{by}）：{reason}", "en": "↩️ Visit returned ({by}): {reason}"},
    "pair.btn.confirm": {"zh": "确认走访", "en": "Confirm visit"},
    "pair.btn.return": {"zh": "退回", "en": "Return"},
    "pair.notice.returned": {
        "zh": "↩️ 您对「{alias}」的走访被支部书记退回：{reason}\n核实后请重新发送 /visit {id} 报告。",
        "en": "↩️ Your visit to “{alias}” was returned by the secretary: {reason}\nPlease report it again with "
        "/visit {id}.",
    },
    "pair.visit.returned": {
        "zh": "↩️ 已退回 {member} 对「{alias}」的走访（记录 {visit}）：{reason}",
        "en": "↩️ Returned {member}'s visit to “{alias}” (record {visit}): {reason}",
    },
    "flow.visit_return.reason": {
        "zh": "请回复退回走访记录 {visit} 的原因（例如“请补充走访照片”），党员会收到。（发送 /cancel 取消）",
        "en": "Please reply with the reason for returning visit record {visit} (e.g. “please add a photo”); the "
        "member will see it. (/cancel to stop)",
    },
    "error.visit_decided": {"zh": "这条走访记录已处理过了。", "en": "That visit was already decided."},
    "error.visit_decided.confirmed": {
        "zh": "这条走访记录已确认过了，不能再退回。",
        "en": "That visit was confirmed already; it cannot be returned now.",
    },
    "error.visit_decided.returned": {
        "zh": "这条走访记录已被退回，等待党员重新报告。",
        "en": "That visit was returned; the member is to report it again.",
    },
    "error.invalid_input.return_reason": {"zh": "请写明退回原因。", "en": "Please give the reason for returning it."},
}
