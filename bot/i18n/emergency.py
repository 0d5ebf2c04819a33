"""Texts of emergency mode (战时应急): the call, the prompt, the board, the summary and its refusals."""

MESSAGES: dict[str, dict[str, str]] = {
    "em.head": {"zh": "🚨 <b>应急召集 #{id}</b>", "en": "🚨 <b>Emergency call #{id}</b>"},
    "em.head.drill": {"zh": "🧪 <b>应急演练 #{id}</b>", "en": "🧪 <b>Emergency drill #{id}</b>"},
    "em.scope.committee": {"zh": "范围：{name}全体党员", "en": "Called: every member of {name}"},
    "em.scope.branch": {"zh": "范围：{name}", "en": "Called: {name}"},
    "em.call.group": {
        "zh": "请各位党员亮明身份、立即响应：私聊中点“可到 / 稍后可到 / 不可”回复。",
        "en": "Members, please answer in your private chat with the bot: coming / later / cannot.",
    },
    "em.ended": {"zh": "⏹ 本次召集已结束", "en": "⏹ This call has ended"},
    "em.total": {
        "zh": "✅ 可到 {yes} · 🕒 稍后可到 {later} · ❌ 不可 {no} · ⏳ 未回复 {none}（共 {total} 人）",
        "en": "✅ Coming {yes} · 🕒 Later {later} · ❌ Cannot {no} · ⏳ No answer {none} (of {total})",
    },
    "em.line": {
        "zh": "· {label}：可到 {yes} · 稍后 {later} · 不可 {no} · 未回复 {none}",
        "en": "· {label}: coming {yes} · later {later} · cannot {no} · no answer {none}",
    },
    "em.by_post": {"zh": "<b>按应急岗位</b>", "en": "<b>By emergency post</b>"},
    "em.by_grid": {"zh": "<b>按网格 / 楼栋</b>", "en": "<b>By grid / building</b>"},
    "em.unset": {"zh": "未填写", "en": "not given"},
    "em.more": {"zh": "· 另有 {n} 组", "en": "· {n} more groups"},
    "em.prompt": {
        "zh": "请问您能否到岗？您的应急岗位：{post}；网格 / 楼栋：{grid}。",
        "en": "Can you come? Your emergency post: {post}; grid / building: {grid}.",
    },
    "em.prompt.again": {"zh": "（第 {n} 次提醒，请尽快回复）", "en": "(reminder {n}: please answer)"},
    "em.prompt.note": {
        "zh": "点按钮，或直接回复“可到”“稍后可到”“不可”，后面可加备注（如“可到 30分钟后到”）；之后也可以这样更改。",
        "en": "Tap a button, or reply “coming”, “later” or “cannot”, a note after it if you like (e.g. “coming, there"
        " in 30 minutes”); you can change it the same way.",
    },
    "em.prompt.ended": {"zh": "⏹ 本次应急召集已结束，感谢您的响应。", "en": "⏹ This call has ended. Thank you."},
    "em.prompt.answered": {"zh": "您的回复：{answer}", "en": "Your answer: {answer}"},
    "em.answer.yes": {"zh": "可到", "en": "Coming"},
    "em.answer.later": {"zh": "稍后可到", "en": "Later"},
    "em.answer.no": {"zh": "不可", "en": "Cannot"},
    "em.toast": {
        "zh": "已记录：{answer}。可直接回复一句备注；如需更改，回复“可到”“稍后可到”或“不可”。",
        "en": "Recorded: {answer}. You may reply with a note; to change it, reply “coming”, “later” or “cannot”.",
    },
    "em.note_saved": {"zh": "备注已记录。", "en": "Note recorded."},
    "em.started": {
        "zh": "已发起{what} #{id}：{branches} 个支部群、{members} 名党员（私聊提醒 {reached} 人）。",
        "en": "Started {what} #{id}: {branches} branch groups, {members} members ({reached} reachable privately).",
    },
    "em.what.call": {"zh": "应急召集", "en": "emergency call"},
    "em.what.drill": {"zh": "应急演练", "en": "emergency drill"},
    "em.unanswered": {
        "zh": "🚨 应急召集 #{id}：以下 {n} 名党员经 {times} 次提醒仍未回复：\n{names}",
        "en": "🚨 Emergency call #{id}: {n} members have not answered after {times} prompts:\n{names}",
    },
    "em.unanswered.board": {"zh": "未回复：{names}", "en": "No answer: {names}"},
    "em.summary.head": {"zh": "📋 <b>{what} #{id} 总结</b>", "en": "📋 <b>{what} #{id}: summary</b>"},
    "em.summary.time": {
        "zh": "从 {start} 到 {end}，历时 {minutes} 分钟",
        "en": "From {start} to {end}, {minutes} minutes",
    },
    "em.summary.reach": {
        "zh": "召集 {total} 人，私聊送达 {reached} 人，回复 {answered} 人（{rate}%）",
        "en": "Called {total}, reached privately {reached}, answered {answered} ({rate}%)",
    },
    "em.summary.speed": {
        "zh": "回复用时：5分钟内 {m5} 人，10分钟内 {m10} 人，30分钟内 {m30} 人；中位数 {median} 分钟",
        "en": "Answered within 5 min {m5}, 10 min {m10}, 30 min {m30}; median {median} min",
    },
    "em.summary.tasks": {
        "zh": "应急任务：发布 {posted}，认领 {claimed}，完成 {done}，服务 {hours} 小时",
        "en": "Emergency tasks: posted {posted}, claimed {claimed}, done {done}, {hours} hours served",
    },
    "em.ended_reply": {"zh": "{what} #{id} 已结束，总结已发送党委群。", "en": "{what} #{id} ended; summary sent."},
    "em.post.saved": {
        "zh": "应急岗位已记录：{post}；网格 / 楼栋：{grid}。",
        "en": "Emergency post recorded: {post}; grid / building: {grid}.",
    },
    "em.post.show": {
        "zh": "🚨 应急岗位：{post}；网格 / 楼栋：{grid}",
        "en": "🚨 Emergency post: {post}; grid / building: {grid}",
    },
    "em.unanswered.now": {
        "zh": "🚨 应急召集 #{id}：尚未回复 {n} 人：\n{names}",
        "en": "🚨 Emergency call #{id}: {n} not answered yet:\n{names}",
    },
    "em.usage": {
        "zh": "在党委群（全体支部）或支部群（本支部）发送：\n/emergency 内容（或 /应急 内容）发起应急召集\n"
        "/emergency drill 内容（或 /应急演练 内容）发起演练\n/emergency end（或 /应急结束）结束\n"
        "/headcount（或 /人数）查看人数",
        "en": "In the committee chat (all branches) or a branch group (that branch):\n/emergency TEXT starts a call\n"
        "/emergency drill TEXT starts a drill\n/emergency end ends it\n/headcount shows the board",
    },
    "em.headcount.usage": {
        "zh": "请在党委群或支部群里发送 /headcount。",
        "en": "Send /headcount in the committee chat or a branch group.",
    },
    "em.post.usage": {
        "zh": "设置：/post 岗位 网格（或 /应急岗位 岗位 网格），岗位可选：{posts}，也可自填。",
        "en": "Set it: /post POST GRID; posts: {posts}, or your own words.",
    },
    "em.chart.none": {"zh": "未回复", "en": "No answer"},
    "em.chart.minutes": {"zh": "召集后分钟数", "en": "Minutes after the call"},
    "em.chart.answered": {"zh": "已回复人数", "en": "Answered"},
    "em.sheet.title": {"zh": "应急台账", "en": "Emergency ledger"},
    "em.sheet.name": {"zh": "姓名", "en": "Name"},
    "em.sheet.branch": {"zh": "支部", "en": "Branch"},
    "em.sheet.post": {"zh": "应急岗位", "en": "Emergency post"},
    "em.sheet.grid": {"zh": "网格 / 楼栋", "en": "Grid / building"},
    "em.sheet.answer": {"zh": "回复", "en": "Answer"},
    "em.sheet.minutes": {"zh": "回复用时（分钟）", "en": "Answered after (minutes)"},
    "em.sheet.note": {"zh": "备注", "en": "Note"},
    "em.sheet.total": {"zh": "合计", "en": "Totals"},
    "em.sheet.kind": {"zh": "类型", "en": "Kind"},
    "em.file.chart": {"zh": "应急召集_{id}.png", "en": "emergency_{id}.png"},
    "em.file.ledger": {"zh": "应急台账_{id}_{date}.xlsx", "en": "emergency_ledger_{id}_{date}.xlsx"},
    "error.no_emergency": {"zh": "现在没有正在进行的应急召集。", "en": "There is no emergency call going on."},
    "error.emergency_running": {
        "zh": "应急召集 #{id} 正在进行，请先发送 /emergency end 结束它。",
        "en": "Emergency call #{id} is going on; end it first with /emergency end.",
    },
    "error.emergency_ended": {"zh": "这次应急召集已结束。", "en": "This emergency call has ended."},
    "error.not_called": {"zh": "您不在这次应急召集的名单中。", "en": "You are not on this call's list."},
    "error.emergency_where": {
        "zh": "请在党委群（全体支部）或支部群（本支部）里发送这条命令。",
        "en": "Send this in the committee chat (all branches) or a branch group (that branch).",
    },
    # session 7: answers typed as text, a committee-wide call ended only by its admins
    "em.answered_text": {
        "zh": "✅ 已记录您对{what} #{id} 的回复：{answer}。",
        "en": "✅ Your answer to {what} #{id} is recorded: {answer}.",
    },
    "em.answered_note": {"zh": "备注：{note}", "en": "Note: {note}"},
    "em.answer.usage": {
        "zh": "回复应急召集：发送“可到”“稍后可到”或“不可”，后面可加备注，如“可到 30分钟后到”"
        "（或 /answer 可到 30分钟后到）。",
        "en": "To answer a call, send “coming”, “later” or “cannot”, a note after it if you like, e.g. “coming, there"
        " in 30 minutes” (or /answer coming there in 30 minutes).",
    },
    "error.committee_call_end": {
        "zh": "应急召集 #{id} 是「{committee}」发起的全体召集，只能由党委管理员结束：在党委群发送 /emergency end"
        "（企业微信：/应急结束）。",
        "en": "Emergency call #{id} was called by {committee} for all its branches; only a committee admin can end it,"
        " with /emergency end in the committee chat (WeCom: /应急结束).",
    },
}
