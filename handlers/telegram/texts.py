"""The Telegram adapter's own texts, in front of the core catalog."""

from bot.i18n import Texts

MESSAGES: dict[str, dict[str, str]] = {
    # staff-only answers asked for in a group
    "tg.private.sent": {"zh": "已私信发给您。", "en": "Sent to you privately."},
    "tg.private.open_first": {
        "zh": "这份内容只私信发送。请先打开与机器人的私聊并点“开始”：{link}，然后再发一次。",
        "en": "This is sent privately only. Open a private chat with the bot and press Start first: {link},"
        " then ask again.",
    },
    # toasts
    "tg.toast.claimed": {"zh": "认领成功！详情已私信给您。", "en": "Claimed! Details were sent to you privately."},
    "tg.toast.team_claimed": {"zh": "已以「{team}」名义组团认领。", "en": "Claimed for team “{team}”."},
    "tg.toast.withdrawn": {"zh": "已取消认领。", "en": "Your claim is withdrawn."},
    "tg.toast.left_waitlist": {"zh": "已退出候补。", "en": "You left the waitlist."},
    "tg.toast.waitlisted": {"zh": "已加入候补，第 {n} 位。", "en": "You are on the waitlist, number {n}."},
    "tg.toast.report_first": {
        "zh": "请先报到：点这里打开与机器人的私聊，报到后自动完成认领。",
        "en": "Please report in first: this opens a private chat with the bot; the claim follows.",
    },
    "tg.toast.ok": {"zh": "好的。", "en": "OK."},
    "tg.toast.confirmed": {"zh": "已确认，计入本季度服务。", "en": "Confirmed; it counts for the quarter."},
    "tg.toast.rated": {"zh": "已评 {n} 星。", "en": "Rated {n} stars."},
    "tg.toast.see_private": {"zh": "请看私聊消息。", "en": "Please see your private chat with the bot."},
    "tg.toast.reply_here": {"zh": "请在下方回复。", "en": "Please reply below."},
    # the report-in conversation
    "tg.report.linked": {
        "zh": "✅ 已关联名册：{name}。现在可以认领微心愿了。",
        "en": "✅ Linked to the roster entry of {name}. You can claim micro-wishes now.",
    },
    "tg.report.secretary_of": {
        "zh": "您是「{branch}」的支部书记：在支部群里发送 /wish 发布微心愿，/help 查看书记的命令。",
        "en": "You are a secretary of “{branch}”: send /wish in its group to post a micro-wish, /help for your"
        " commands.",
    },
    "tg.report.secretary_waiting": {
        "zh": "您是「{branch}」的支部书记，它还没有群：请把机器人拉进支部群，在群里发送 /branch {branch}。",
        "en": "You are a secretary of “{branch}”, which has no group yet: add the bot to the branch group and send"
        " /branch {branch} there.",
    },
    "tg.register.usage": {
        "zh": "格式：/register 姓名 | 工作单位 | 承诺",
        "en": "Format: /register name | workplace | commitment",
    },
    "tg.register.no_branch": {
        "zh": "请先在您的支部群里发送 /join，点“报到”按钮后再登记。",
        "en": "Please send /join in your branch group and tap “Report in” first.",
    },
    "tg.cancelled": {"zh": "已取消。", "en": "Cancelled."},
    "tg.manage.usage": {
        "zh": "用法：/manage 心愿编号，例如 /manage 3",
        "en": "Usage: /manage wish number, e.g. /manage 3",
    },
    "tg.extend.usage": {
        "zh": "用法：/extend 心愿编号 新的截止时间，例如 /extend 3 12月25日 或 /extend 3 明天18点",
        "en": "Usage: /extend wish-number new-deadline, e.g. /extend 3 2026-12-25 or /extend 3 12月25日",
    },
    "tg.extend.open_private": {
        "zh": "请先打开与机器人的私聊并点“开始”，再点“延长截止”；也可以在群里发送 /extend {id} 新的截止时间。",
        "en": "Open a private chat with the bot and press Start first, then tap “Extend deadline” again; or send"
        " /extend {id} NEW-DEADLINE here.",
    },
    "tg.close.usage": {"zh": "用法：/close 心愿编号，例如 /close 3", "en": "Usage: /close wish number, e.g. /close 3"},
    # reporting done, reviewing
    "tg.review.confirmed": {"zh": "✅ 已确认", "en": "✅ Confirmed"},
    # wishes
    "tg.wish.posted": {"zh": "已发布微心愿 #{id}。", "en": "Micro-wish #{id} is posted."},
    "tg.wish.note": {"zh": "提示：{text}", "en": "Note: {text}"},
    "tg.wish.usage": {
        "zh": "用法：/wish 心愿内容，例如 /wish 为独居老人王奶奶安装一键通 名额2 截止12月31日",
        "en": "Usage: /wish TEXT, e.g. /wish 为独居老人王奶奶安装一键通 名额2 截止12月31日",
    },
    "tg.anonymous_admin": {
        "zh": "您正在以群身份匿名发言，机器人无法识别您。请切换为以个人身份发送。",
        "en": "You are posting anonymously as the group, so the bot cannot tell who you are. Please post as yourself.",
    },
    "tg.not_branch": {
        "zh": "本群还不是e支部。管理员可以发送 /branch 支部名称 来绑定。",
        "en": "This chat is not an e-branch yet. An admin can send /branch NAME to bind it.",
    },
    "tg.group_only": {"zh": "请在支部群里使用这个命令。", "en": "Please use this command in a branch group."},
    "tg.private_only": {
        "zh": "请在与机器人的私聊中使用这个命令。",
        "en": "Please use this command in your private chat with the bot.",
    },
    "tg.no_home_branch": {"zh": "您还没有报到到任何支部。", "en": "You have not reported in to any branch."},
    # setup
    "tg.committee.set": {
        "zh": "✅ 本群已设为「{name}」的党委群，每周汇总会发到这里。",
        "en": "✅ This chat is now the committee chat of “{name}”; weekly digests come here.",
    },
    "tg.branch.created": {
        "zh": "✅ 本群已绑定为「{branch}」（{committee}），您是支部书记。党员可以发送 /join 报到。",
        "en": "✅ This chat is now “{branch}” ({committee}) and you are its secretary. "
        "Members send /join to report in.",
    },
    "tg.branch.bound": {
        "zh": "✅ 已绑定已有支部「{branch}」（{n} 名成员，{committee}），您是支部书记。党员可以发送 /join 报到。",
        "en": "✅ Bound the existing branch “{branch}” ({n} members, {committee}); you are its secretary."
        " Members send /join to report in.",
    },
    "tg.branch.bound_for_secretaries": {
        "zh": "✅ 已绑定已有支部「{branch}」（{n} 名成员，{committee}）。"
        "它的书记已由党委设好。党员可以发送 /join 报到。",
        "en": "✅ Bound the existing branch “{branch}” ({n} members, {committee}); its secretaries were set up by the"
        " committee. Members send /join to report in.",
    },
    "tg.branch.usage": {"zh": "用法：/branch 支部名称", "en": "Usage: /branch NAME"},
    "tg.committee.usage": {"zh": "用法：/committee 党委名称", "en": "Usage: /committee NAME"},
    "tg.secretary.usage": {
        "zh": "请回复某位党员的消息并发送 /secretary。",
        "en": "Reply to a member's message with /secretary.",
    },
    "tg.secretary.added": {
        "zh": "✅ {name} 现在是「{branch}」的支部书记。",
        "en": "✅ {name} is now a secretary of “{branch}”.",
    },
    "tg.secretary.already": {"zh": "{name} 已经是支部书记。", "en": "{name} is already a secretary."},
    "tg.join.text": {
        "zh": "在职党员请点下方按钮，在私聊中完成到「{branch}」的报到。",
        "en": "Members: tap the button to report in to “{branch}” in a private chat.",
    },
    "tg.join.button": {"zh": "报到", "en": "Report in"},
    "tg.bot_back": {
        "zh": "机器人已回到本群，「{branch}」恢复使用。",
        "en": "The bot is back; “{branch}” is active again.",
    },
    # personal
    "tg.start.already": {
        "zh": "{name}，您已在{branch}报到，不用再报到。/me 查看本季度服务，/wishes 查看待认领的微心愿，"
        "/help 查看命令。",
        "en": "{name}, you have reported in to {branch} already. /me shows your quarter, /wishes the open micro-wishes,"
        " /help the commands.",
    },
    "tg.start.welcome": {
        "zh": "您好！这里是e支部机器人：认领微心愿、报告服务、查看本季度情况。\n"
        "请在您的支部群里发送 /join 报到，或发送 /help 查看命令。",
        "en": "Hello! This is the e-branch bot: claim micro-wishes, report service, see your quarter.\n"
        "Send /join in your branch group to report in, or /help for the commands.",
    },
    "tg.start.share_phone": {
        "zh": "党委已登记您的手机号（支部书记，或花名册中的党员）？点下方“分享手机号”即可关联，不用再填写。",
        "en": "Did the committee list your phone number (as a branch secretary, or on a roster)? Tap “Share my phone"
        " number” below to be matched; nothing else to fill in.",
    },
    "tg.lang.set": {"zh": "好的，我会用中文和您交流。", "en": "OK, I will speak English with you."},
    "tg.lang.usage": {"zh": "用法：/lang zh 或 /lang en", "en": "Usage: /lang zh or /lang en"},
    "tg.leave.ask": {
        "zh": "确定要退出吗？您的个人信息将被删除，已完成的服务仍匿名计入统计。",
        "en": "Do you really want to leave? Your personal data is deleted; "
        "past service stays in the totals anonymously.",
    },
    "tg.leave.nothing": {
        "zh": "机器人没有保存您的任何信息，无需退出。",
        "en": "The bot stores nothing about you; there is nothing to leave.",
    },
    "tg.leave.button": {"zh": "确认退出", "en": "Yes, leave"},
    "tg.leave.done": {"zh": "您已退出，个人信息已删除。", "en": "You left; your personal data is deleted."},
    "tg.mydata.caption": {"zh": "这是机器人保存的您的全部信息。", "en": "This is everything the bot stores about you."},
    "tg.mydata.none": {"zh": "机器人没有保存您的任何信息。", "en": "The bot stores nothing about you."},
    "tg.help.head": {"zh": "您可以使用的命令：", "en": "Commands you can use:"},
    # command descriptions (menu and /help)
    "tg.cmd.start": {"zh": "开始 / 报到", "en": "Start / report in"},
    "tg.cmd.help": {"zh": "我能用的命令", "en": "Commands I can use"},
    "tg.cmd.me": {"zh": "我的本季度服务", "en": "My quarter"},
    "tg.cmd.mine": {"zh": "我的认领", "en": "My claims"},
    "tg.cmd.wishes": {"zh": "待认领的微心愿", "en": "Open micro-wishes"},
    "tg.cmd.join": {"zh": "报到按钮", "en": "Report-in button"},
    "tg.cmd.register": {"zh": "一句话报到：姓名 | 单位 | 承诺", "en": "Report in: name | workplace | commitment"},
    "tg.cmd.lang": {"zh": "语言 zh / en", "en": "Language zh / en"},
    "tg.cmd.mydata": {"zh": "导出我的数据", "en": "Export my data"},
    "tg.cmd.leave": {"zh": "退出并删除个人信息", "en": "Leave and delete my data"},
    "tg.cmd.cancel": {
        "zh": "取消当前操作（书记：/cancel 编号 取消微心愿）",
        "en": "Cancel the current step (secretaries: /cancel N cancels wish N)",
    },
    "tg.cmd.manage": {"zh": "管理微心愿：/manage 编号", "en": "Manage a wish: /manage N"},
    "tg.cmd.extend": {"zh": "延长截止：/extend 编号 日期", "en": "Extend a deadline: /extend N DATE"},
    "tg.cmd.close": {"zh": "结束认领：/close 编号", "en": "Stop taking claims: /close N"},
    "tg.cmd.signin": {"zh": "现场签到码：/signin 编号 [时长]", "en": "Sign-in code: /signin N [LENGTH]"},
    "tg.cmd.checkin": {"zh": "现场签到：/checkin 签到码", "en": "Sign in at the place: /checkin CODE"},
    "tg.cmd.certificate": {"zh": "志愿服务记录证明", "en": "My volunteer service certificate"},
    "tg.cmd.correct": {"zh": "申请更正记录：/correct 编号 理由", "en": "Ask to correct a record: /correct N REASON"},
    "tg.cmd.verify": {"zh": "核验证明：/verify 验证码", "en": "Check a certificate: /verify CODE"},
    "tg.cmd.wish": {"zh": "发布微心愿", "en": "Post a micro-wish"},
    "tg.cmd.atrisk": {"zh": "本季度未服务党员", "en": "Members without service this quarter"},
    "tg.cmd.secretary": {"zh": "（回复消息）设为支部书记", "en": "(as a reply) make a secretary"},
    "tg.cmd.branch": {"zh": "绑定本群为e支部", "en": "Bind this chat as an e-branch"},
    "tg.cmd.committee": {"zh": "设为党委群", "en": "Make this the committee chat"},
    "tg.cmd.digest": {"zh": "立即发送本周简报", "en": "Send this week's digest now"},
    "tg.cmd.export": {"zh": "导出台账（Excel）", "en": "Export the ledger (Excel)"},
    # pairings (结对) and recurring activities
    "tg.cmd.pair": {"zh": "结对：/pair 成员 别名 每月", "en": "Pair: /pair MEMBER ALIAS monthly"},
    "tg.cmd.pairings": {"zh": "本支部的结对（逾期在前）", "en": "The branch's pairings (overdue first)"},
    "tg.cmd.recurring": {
        "zh": "周期活动：/recurring 每周六上午 巡逻 名额4",
        "en": "Recurring activity: /recurring every Saturday 9:00 patrol 4 people",
    },
    "tg.cmd.visit": {"zh": "报告结对走访：/visit 编号", "en": "Report a pairing visit: /visit N"},
    "tg.cmd.calendar": {"zh": "我的认领日历（.ics）", "en": "My claims as a calendar (.ics)"},
    # /digest and /export
    "tg.digest.queued": {
        "zh": "正在生成本周简报（含图表和台账），稍后发到本群。",
        "en": "Preparing this week's digest (with the chart and the ledger); it will be posted here shortly.",
    },
    "tg.digest.already": {
        "zh": "简报刚刚已在生成，请稍候。",
        "en": "The digest is already on its way; please wait a moment.",
    },
    "tg.export.caption": {"zh": "台账已导出：{file}", "en": "Ledger exported: {file}"},
    # /help and the menus: the commands of emergencies, pairings, recurring activities and service records
    "tg.help.alias": {"zh": "（{alias}）", "en": " ({alias})"},
    "tg.help.me_points": {"zh": "我的本季度服务与积分", "en": "My quarter and points"},
    "tg.cmd.emergency": {
        "zh": "应急召集：/emergency 内容；演练：/emergency drill 内容（/应急演练）；结束：/emergency end（/应急结束）",
        "en": "Emergency call: /emergency TEXT; a drill: /emergency drill TEXT; end it: /emergency end",
    },
    "tg.cmd.headcount": {"zh": "应急召集的人数看板", "en": "The emergency call's headcount"},
    "tg.cmd.post": {"zh": "我的应急岗位：/post 岗位 网格", "en": "My emergency post: /post POST GRID"},
    "tg.cmd.answer": {
        "zh": "回复应急召集（可改）：/answer 可到｜稍后可到｜不可 [备注]，私聊也可直接发送",
        "en": "Answer an emergency call (or change it): /answer coming|later|cannot [note], or just send it privately",
    },
    "tg.cmd.confirmvisit": {"zh": "确认结对走访：/confirmvisit 编号", "en": "Confirm a pairing visit: /confirmvisit N"},
    "tg.cmd.pausepair": {"zh": "暂停结对提醒：/pausepair 编号", "en": "Pause a pairing's reminders: /pausepair N"},
    "tg.cmd.resumepair": {"zh": "恢复结对提醒：/resumepair 编号", "en": "Resume a pairing: /resumepair N"},
    "tg.cmd.handover": {"zh": "移交结对：/handover 编号 成员", "en": "Hand a pairing over: /handover N MEMBER"},
    "tg.cmd.endpair": {"zh": "结束结对：/endpair 编号", "en": "End a pairing: /endpair N"},
    "tg.cmd.series": {"zh": "认领周期活动的每一次：/series 编号", "en": "Claim every occurrence: /series N"},
    "tg.cmd.leaveseries": {
        "zh": "退出周期活动（之后的每一次）：/leaveseries 编号",
        "en": "Leave a series (its coming occurrences): /leaveseries N",
    },
    "tg.cmd.endseries": {"zh": "停止周期活动：/endseries 编号", "en": "Stop a recurring activity: /endseries N"},
    "tg.cmd.skip": {"zh": "跳过可不填的一步（备注或照片）", "en": "Skip an optional step (a note or photo)"},
    # grid workers (网格员)
    "tg.cmd.gridworker": {
        "zh": "任命网格员：/gridworker 姓名（/gridworker off 姓名 取消）",
        "en": "Appoint a grid worker: /gridworker NAME (/gridworker off NAME ends it)",
    },
}

TEXTS = Texts(MESSAGES)
t = TEXTS.t
