"""The WeCom adapter's own texts, in front of the core catalog."""

from bot.i18n import Texts

MESSAGES: dict[str, dict[str, str]] = {
    "wc.source": {"zh": "e党委", "en": "e-party-committee"},
    "wc.welcome": {
        "zh": "您好，这里是e党委：支部发布的微心愿会推送给您，点“认领”即可参与服务。",
        "en": "Welcome to the e-party-committee: your branch's micro-wishes come here; tap “Claim” to serve.",
    },
    "wc.help": {"zh": "您可以使用的指令：", "en": "Commands you can use:"},
    "wc.cmd./报到": {
        "zh": "报到或更新资料：/报到 工作单位 | [单位党支部 |] 特长（顿号分隔） | 服务承诺 [| 应急岗位 | 网格]，"
        "或只发 /报到 按步骤填写",
        "en": "report in or update: /report workplace | [workplace branch |] skills (comma-separated) | commitment"
        " [| emergency post | grid], or just /report, step by step",
    },
    "wc.cmd./me": {"zh": "我的本季度服务", "en": "your quarter"},
    "wc.cmd./签到": {"zh": "现场签到：/签到 签到码", "en": "sign in at the place: /签到 CODE"},
    "wc.cmd./证明": {"zh": "志愿服务记录证明", "en": "your volunteer service certificate"},
    "wc.cmd./更正": {"zh": "申请更正记录：/更正 编号 理由", "en": "ask to correct a record: /更正 N REASON"},
    "wc.cmd./verify": {"zh": "核验证明：/verify 验证码", "en": "check a certificate: /verify CODE"},
    "wc.cmd./signin": {"zh": "现场签到码：/signin 编号 [时长]", "en": "a sign-in code: /signin N [LENGTH]"},
    "wc.cmd./mine": {"zh": "我的认领", "en": "your claims"},
    "wc.cmd./wishes": {"zh": "支部待认领的微心愿", "en": "your branch's open micro-wishes"},
    "wc.cmd./cancel": {
        "zh": "取消当前步骤（书记：/cancel 编号 取消微心愿）",
        "en": "stop the current step (secretaries: /cancel N cancels wish N)",
    },
    "wc.cmd./help": {"zh": "我能用的指令", "en": "the commands you can use"},
    "wc.cmd./wish": {
        "zh": "发布微心愿：“#微心愿 内容”或“/wish 内容”",
        "en": "post a micro-wish: “#微心愿 text” or “/wish text”",
    },
    "wc.cmd./manage": {"zh": "管理微心愿：/manage 编号", "en": "manage a wish: /manage N"},
    "wc.cmd./extend": {
        "zh": "延长截止：/extend 编号 日期，例如 /extend 3 12月25日",
        "en": "a new deadline: /extend N DATE, e.g. /extend 3 12月25日",
    },
    "wc.cmd./close": {"zh": "结束认领：/close 编号", "en": "stop taking claims: /close N"},
    "wc.cmd./atrisk": {"zh": "本季度未服务的党员", "en": "members without service this quarter"},
    "wc.cmd./committee": {
        "zh": "设置e党委：/committee 名称 [群聊ID]",
        "en": "set up a committee: /committee name [chat id]",
    },
    "wc.cmd./branch": {
        "zh": "建立或绑定支部并建群：/branch 支部名称 userid1,userid2,...",
        "en": "set up or bind a branch and its group chat: /branch name userid1,userid2,...",
    },
    "wc.cmd./digest": {
        "zh": "立即把本周简报（含图表和台账）发到e党委群聊",
        "en": "post this week's digest (chart and ledger) to the committee chat now",
    },
    "wc.cmd./export": {"zh": "导出台账（以文件私信发给您）", "en": "your ledger, sent to you as a file"},
    # pairings (结对) and recurring activities
    "wc.cmd./pair": {"zh": "结对：结对 成员 别名 每月", "en": "pair: /pair MEMBER ALIAS monthly"},
    "wc.cmd./pairings": {"zh": "本支部的结对（结对列表）", "en": "your branch's pairings"},
    "wc.cmd./recurring": {
        "zh": "周期活动：周期活动 每周六上午 巡逻 名额4",
        "en": "recurring activity: /recurring every Saturday 9:00 patrol 4 people",
    },
    "wc.cmd./visit": {"zh": "报告结对走访：走访 编号", "en": "report a pairing visit: /visit N"},
    "wc.cmd./calendar": {"zh": "我的认领日历（日历）", "en": "your claims as a calendar file"},
    "wc.digest.queued": {
        "zh": "正在生成本周简报（含图表和台账），稍后发到e党委群聊。",
        "en": "Preparing this week's digest (with the chart and the ledger); it will be posted to the committee chat"
        " shortly.",
    },
    "wc.digest.already": {
        "zh": "简报刚刚已在生成，请稍候。",
        "en": "The digest is already on its way; please wait a moment.",
    },
    "wc.export.caption": {"zh": "台账已导出：{file}", "en": "Ledger exported: {file}"},
    "wc.group_hint": {
        "zh": "（请在“e党委”应用消息中点“认领”）",
        "en": "(Tap “Claim” on the card the app sent you.)",
    },
    "wc.not_admin": {"zh": "只有管理员可以这样做。", "en": "Only admins can do this."},
    "wc.committee.usage": {"zh": "格式：/committee 名称 [群聊ID]", "en": "Format: /committee name [chat id]"},
    "wc.committee.set": {
        "zh": "✅ 已设置“{name}”，周报将发到它的群聊。",
        "en": "✅ “{name}” is set up; its weekly digest goes to its group chat.",
    },
    "wc.committee.no_chat": {
        "zh": "✅ 已设置“{name}”。管理员不足两人，未建群聊；可发送 /committee {name} 群聊ID 指定。",
        "en": "✅ “{name}” is set up. Fewer than two admins, so no group chat; send /committee {name} chat-id.",
    },
    "wc.branch.usage": {
        "zh": "格式：/branch 支部名称 userid1,userid2,...",
        "en": "Format: /branch branch-name userid1,userid2,...",
    },
    "wc.branch.created": {
        "zh": "✅ 已建立“{name}”（{n} 名党员）并创建群聊，您是支部书记。",
        "en": "✅ “{name}” is set up with {n} members and its group chat; you are its secretary.",
    },
    "wc.branch.bound": {
        "zh": "✅ 已绑定已有支部“{name}”（{n} 名成员）并创建群聊（{chat_n} 人）。",
        "en": "✅ Bound the existing branch “{name}” ({n} members) to a new group chat ({chat_n} people).",
    },
    "wc.branch.welcome": {
        "zh": "欢迎加入“{name}”！请私信应用发送 /报到 完成报到（亮身份、亮承诺），之后即可认领微心愿。",
        "en": "Welcome to “{name}”! Send /report to the app privately to report in, then you can claim micro-wishes.",
    },
    "wc.wish.posted": {
        "zh": "✅ 微心愿 #{id} 已发布到支部群，并推送给 {n} 名党员。",
        "en": "✅ Micro-wish #{id} is posted to the branch chat and sent to {n} members.",
    },
    "wc.wish.note": {"zh": "注意：{text}", "en": "Note: {text}"},
    "wc.extend.usage": {
        "zh": "格式：/extend 心愿编号 新的截止时间，例如 /extend 3 12月25日 或 /extend 3 明天18点",
        "en": "Format: /extend wish-number new-deadline, e.g. /extend 3 2026-12-25 or /extend 3 12月25日",
    },
    "wc.wish.usage": {"zh": "格式：#微心愿 内容", "en": "Format: #微心愿 text"},
    "wc.report.no_branch": {
        "zh": "您还不在任何支部的名单中，请联系支部书记。",
        "en": "You are not on any branch's list yet; please ask your branch secretary.",
    },
    "wc.card.waiting_hours": {"zh": "⏳ 请回复服务时长", "en": "⏳ Reply with the hours"},
    "wc.card.confirmed": {"zh": "✅ 已确认", "en": "✅ Confirmed"},
    "wc.card.rated": {"zh": "✅ 已评 {n} 星", "en": "✅ Rated {n} stars"},
    "wc.card.returned": {"zh": "↩️ 已退回", "en": "↩️ Returned"},
    "wc.card.closed": {"zh": "已结束", "en": "Closed"},
    "wc.card.pending": {"zh": "处理中…", "en": "Working…"},
    "wc.claimed": {"zh": "✅ 认领成功：微心愿 #{id}", "en": "✅ Claimed micro-wish #{id}"},
    "wc.withdrawn": {"zh": "已取消认领 #{id}。", "en": "Your claim on #{id} is withdrawn."},
    "wc.waitlisted": {"zh": "已加入 #{id} 的候补，第 {n} 位。", "en": "On the waitlist of #{id}, number {n}."},
    "wc.unknown": {"zh": "没看懂。发送 /help 查看可用指令。", "en": "I did not understand. Send /help for commands."},
    # /help: the commands of emergencies, pairings, recurring activities and service records
    "wc.help.alias": {"zh": "（{alias}）", "en": " ({alias})"},
    "wc.help.me_points": {"zh": "我的本季度服务与积分", "en": "your quarter and points"},
    "wc.cmd./应急": {
        "zh": "应急召集（您管理的e党委或支部）：/应急 内容；演练：/应急演练 内容；结束：/应急结束",
        "en": "an emergency call (your committee or branch): /emergency TEXT; a drill: /应急演练 TEXT;"
        " end it: /应急结束",
    },
    "wc.cmd./人数": {
        "zh": "应急召集的人数看板，未回复的名单私信给您",
        "en": "the emergency call's headcount, with who has not answered",
    },
    "wc.cmd./应急岗位": {"zh": "我的应急岗位：/应急岗位 岗位 网格", "en": "your emergency post: /post POST GRID"},
    "wc.cmd./answer": {
        "zh": "回复应急召集（可改）：可到｜稍后可到｜不可 [备注]",
        "en": "answer an emergency call (or change it): coming|later|cannot [note]",
    },
    "wc.cmd./confirmvisit": {
        "zh": "确认结对走访：确认走访 编号",
        "en": "confirm a pairing visit: /confirmvisit N",
    },
    "wc.cmd./pausepair": {"zh": "暂停结对提醒：暂停结对 编号", "en": "pause a pairing's reminders: /pausepair N"},
    "wc.cmd./resumepair": {"zh": "恢复结对提醒：恢复结对 编号", "en": "resume a pairing: /resumepair N"},
    "wc.cmd./handover": {"zh": "移交结对：移交结对 编号 成员", "en": "hand a pairing over: /handover N MEMBER"},
    "wc.cmd./endpair": {"zh": "结束结对：结束结对 编号", "en": "end a pairing: /endpair N"},
    "wc.cmd./series": {"zh": "认领周期活动的每一次：认领系列 编号", "en": "claim every occurrence: /series N"},
    "wc.cmd./leaveseries": {
        "zh": "退出周期活动（之后的每一次）：退出系列 编号",
        "en": "leave a series (its coming occurrences): /leaveseries N",
    },
    "wc.cmd./endseries": {"zh": "停止周期活动：停止系列 编号", "en": "stop a recurring activity: /endseries N"},
    # grid workers (网格员)
    "wc.cmd./网格员": {
        "zh": "任命网格员：/网格员 姓名（/网格员 取消 姓名）",
        "en": "appoint a grid worker: /网格员 NAME (/网格员 off NAME ends it)",
    },
    # the sign-in QR
    "wc.signin.qr": {
        "zh": "，或扫下方二维码，按扫出的文字发送",
        "en": ", or scan the QR below and send the text it shows",
    },
}

TEXTS = Texts(MESSAGES)
t = TEXTS.t
