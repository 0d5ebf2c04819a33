"""Texts of the workflow itself: cards, notices, personal views and domain refusals."""

MESSAGES: dict[str, dict[str, str]] = {
    "member.anonymous": {"zh": "已退出党员", "en": "former member"},
    "list.sep": {"zh": "、", "en": ", "},
    # wish cards
    "card.head": {"zh": "🙋 <b>微心愿 #{id}</b>", "en": "🙋 <b>Micro-wish #{id}</b>"},
    "card.emergency": {"zh": "🚨 <b>应急 · 微心愿 #{id}</b>", "en": "🚨 <b>Emergency · micro-wish #{id}</b>"},
    "card.deadline": {"zh": "⏰ 截止：{date}", "en": "⏰ Deadline: {date}"},
    "card.team_wish": {"zh": "👥 可组团认领", "en": "👥 Teams may claim"},
    "card.taken": {"zh": "已认领 {taken}/{slots}", "en": "Claimed {taken}/{slots}"},
    "card.full": {"zh": "已认领 {taken}/{slots} · 已满", "en": "Claimed {taken}/{slots} · full"},
    "card.completed": {"zh": "✅ 已完成 {taken}/{slots}", "en": "✅ Completed {taken}/{slots}"},
    "card.cancelled": {"zh": "❌ 已取消", "en": "❌ Cancelled"},
    "card.ended": {"zh": "⏹ 已结束认领 {taken}/{slots}", "en": "⏹ Claiming ended {taken}/{slots}"},
    "card.expired": {
        "zh": "⌛ 已截止 · 已认领 {taken}/{slots}",
        "en": "⌛ Deadline passed · claimed {taken}/{slots}",
    },
    "card.claim.cancelled": {"zh": "❌ 心愿已取消，认领已释放", "en": "❌ Wish cancelled; claim released"},
    "card.claim.withdrawn": {"zh": "↩️ 已取消认领（已放弃）", "en": "↩️ Withdrawn (given up)"},
    "card.claim.released": {"zh": "⌛ 已被释放（超期未完成）", "en": "⌛ Released (overdue)"},
    "card.claim.done": {"zh": "⏳ 已完成，待确认", "en": "⏳ Done, awaiting confirmation"},
    "card.claim.confirmed": {"zh": "✅ 已确认", "en": "✅ Confirmed"},
    "card.review.confirmed": {"zh": "✅ 已确认", "en": "✅ Confirmed"},
    "card.review.returned": {"zh": "↩️ 已退回", "en": "↩️ Returned"},
    "card.claimers_sep": {"zh": "：", "en": ": "},
    "card.waitlist": {"zh": "候补：{names}", "en": "Waiting: {names}"},
    "btn.claim": {"zh": "认领", "en": "Claim"},
    "btn.withdraw": {"zh": "取消认领", "en": "Withdraw"},
    "btn.team_claim": {"zh": "组团认领", "en": "Team claim"},
    "btn.waitlist": {"zh": "候补", "en": "Join waitlist"},
    "btn.done": {"zh": "已完成", "en": "Done"},
    "btn.give_up": {"zh": "放弃", "en": "Give up"},
    "btn.close_wish": {"zh": "结束认领", "en": "End claiming"},
    "btn.cancel_wish": {"zh": "取消心愿", "en": "Cancel wish"},
    "btn.extend": {"zh": "延长截止", "en": "Extend deadline"},
    "btn.confirm": {"zh": "确认", "en": "Confirm"},
    "btn.return": {"zh": "退回", "en": "Return"},
    # claim states
    "claim.claimed": {"zh": "进行中", "en": "in progress"},
    "claim.done": {"zh": "待确认", "en": "awaiting confirmation"},
    "claim.confirmed": {"zh": "已确认", "en": "confirmed"},
    "claim.withdrawn": {"zh": "已放弃", "en": "withdrawn"},
    "claim.released": {"zh": "已释放", "en": "released"},
    # private notices
    "notice.claimed": {
        "zh": "您已认领微心愿 #{id}，谢谢！完成后请点“已完成”并填写服务时长。",
        "en": "You claimed micro-wish #{id}, thank you! When it is done, tap “Done” and give the hours.",
    },
    "notice.promoted": {
        "zh": "有名额空出，您已从候补转为认领微心愿 #{id}。如不能参加，请点“放弃”。",
        "en": "A slot freed up: you moved from the waitlist to a claim on micro-wish #{id}. "
        "If you cannot do it, tap “Give up”.",
    },
    "notice.review": {
        "zh": "📝 {name} 报告已完成微心愿 #{id}「{title}」，服务 {hours} 小时。请确认或退回：",
        "en": "📝 {name} reports micro-wish #{id} “{title}” done, {hours} hours. Please confirm or return:",
    },
    "notice.review_note": {"zh": "说明：{note}", "en": "Note: {note}"},
    "notice.review_photo": {"zh": "（附照片）", "en": "(photo attached)"},
    "notice.confirmed": {
        "zh": "✅ 您在微心愿 #{id}「{title}」中的服务已确认，计入本季度。感谢您的付出！",
        "en": "✅ Your service on micro-wish #{id} “{title}” is confirmed and counts for this quarter. Thank you!",
    },
    "notice.returned": {
        "zh": "↩️ 微心愿 #{id} 的完成报告被退回：{reason}。请补充后再次点“已完成”。",
        "en": "↩️ Your report on micro-wish #{id} was returned: {reason}. Please complete it and tap “Done” again.",
    },
    "notice.cancelled": {
        "zh": "微心愿 #{id}「{title}」已被支部书记取消（{reason}），您的认领已释放。",
        "en": "Micro-wish #{id} “{title}” was cancelled by the secretary ({reason}); your claim is released.",
    },
    "notice.cancelled.done": {
        "zh": "微心愿 #{id}「{title}」已被支部书记取消（{reason}）。您已报告的服务仍等待书记确认。",
        "en": "Micro-wish #{id} “{title}” was cancelled by the secretary ({reason}). "
        "The service you reported still awaits confirmation.",
    },
    "notice.cancelled.waitlist": {
        "zh": "微心愿 #{id}「{title}」已被支部书记取消（{reason}），候补名单已清空。",
        "en": "Micro-wish #{id} “{title}” was cancelled by the secretary ({reason}); the waitlist is cleared.",
    },
    "notice.ended": {
        "zh": "微心愿 #{id}「{title}」已由支部书记结束认领。您的认领仍有效，完成后请点“已完成”。",
        "en": "The secretary ended claiming of micro-wish #{id} “{title}”. Your claim stays; tap “Done” when done.",
    },
    "notice.ended.waitlist": {
        "zh": "微心愿 #{id}「{title}」已结束认领，候补名单已清空。",
        "en": "Claiming of micro-wish #{id} “{title}” has ended; the waitlist is cleared.",
    },
    "notice.extended": {
        "zh": "微心愿 #{id}「{title}」的截止时间已延长至 {deadline}。您的认领仍有效，完成后请点“已完成”。",
        "en": "The deadline of micro-wish #{id} “{title}” is extended to {deadline}. Your claim stays; tap “Done”"
        " when done.",
    },
    "notice.extended.waitlist": {
        "zh": "微心愿 #{id}「{title}」的截止时间已延长至 {deadline}，您仍在候补名单中。",
        "en": "The deadline of micro-wish #{id} “{title}” is extended to {deadline}; you are still on the waitlist.",
    },
    "notice.wish_extended": {
        "zh": "微心愿 #{id} 的截止时间已改为 {deadline}，重新接受认领，已通知 {n} 人。",
        "en": "Micro-wish #{id} now closes {deadline} and takes claims again; {n} people were told.",
    },
    "notice.wish_cancelled": {
        "zh": "已取消微心愿 #{id}，已通知 {n} 人。",
        "en": "Micro-wish #{id} is cancelled; {n} people were told.",
    },
    "notice.wish_closed": {
        "zh": "微心愿 #{id} 已结束认领，已通知 {n} 人。",
        "en": "Claiming of micro-wish #{id} has ended; {n} people were told.",
    },
    "notice.reported_public": {
        "zh": "🎖 {name}（{workplace}）已到本支部报到。",
        "en": "🎖 {name} ({workplace}) reported in to this branch.",
    },
    "notice.start_bot": {
        "zh": "{name}，机器人无法给您发私信。请点开机器人并发送 /start，以便接收认领和提醒消息。",
        "en": "{name}, the bot cannot message you privately. Open the bot and send /start to get claim notices.",
    },
    "notice.reported_skills": {"zh": "特长：{skills}", "en": "Skills: {skills}"},
    "notice.reported_commitment": {"zh": "承诺：{commitment}", "en": "Commitment: {commitment}"},
    # personal views
    "me.head": {"zh": "<b>{name}</b> · {quarter}", "en": "<b>{name}</b> · {quarter}"},
    "me.served": {"zh": "✅ 本季度已参加志愿服务。", "en": "✅ You have served this quarter."},
    "me.not_served": {
        "zh": "⏳ 本季度尚未参加志愿服务（每季度至少1次）。",
        "en": "⏳ No service yet this quarter (at least one per quarter).",
    },
    "me.counts": {
        "zh": "本季度服务 {hours} 小时{of_which}，共 {services} 次",
        "en": "This quarter: {hours} hours of service{of_which}, {services} services",
    },
    "me.pending": {"zh": "待书记确认：{n} 次", "en": "Awaiting confirmation: {n}"},
    "me.open_claims": {"zh": "进行中的认领：", "en": "Open claims:"},
    "me.commitment": {"zh": "我的承诺：{commitment}", "en": "My commitment: {commitment}"},
    "mine.none": {"zh": "您还没有认领微心愿。", "en": "You have no claims yet."},
    "mine.head": {"zh": "我的认领：", "en": "My claims:"},
    "wishes.none": {"zh": "{branch} 目前没有待认领的微心愿。", "en": "{branch} has no open micro-wishes."},
    "wishes.head": {"zh": "{branch} 的微心愿：", "en": "Micro-wishes of {branch}:"},
    "wishes.open": {"zh": "待认领（{n}）：", "en": "Open, with free slots ({n}):"},
    "wishes.open_none": {"zh": "待认领：暂无", "en": "Open, with free slots: none"},
    "wishes.full": {"zh": "已满（{n}）：", "en": "Full ({n}):"},
    "wishes.expired": {"zh": "已截止（{n}）：", "en": "Deadline passed ({n}):"},
    "wishes.deadline": {"zh": " · 截止 {date}", "en": " · due {date}"},
    "atrisk.none": {
        "zh": "👍 {branch} 所有已报到党员{quarter}均已参加服务。",
        "en": "👍 Every reported member of {branch} has served in {quarter}.",
    },
    "atrisk.head": {
        "zh": "{branch} · {quarter}尚未参加服务：{n}/{total} 人",
        "en": "{branch} · not yet served in {quarter}: {n} of {total}",
    },
    "atrisk.never": {"zh": "从未", "en": "never"},
    "atrisk.last": {"zh": "上次服务：{date}", "en": "last served: {date}"},
    "atrisk.open_claims": {"zh": "（进行中 {n}）", "en": " ({n} open)"},
    "atrisk.more": {"zh": "……另有 {n} 人", "en": "… and {n} more"},
    "wish.deadline_time_past": {
        "zh": "截止时间 {date} 已经过去了，请写一个以后的时间。",
        "en": "The deadline {date} has already passed; please give a later time.",
    },
    # refusals
    "error.generic": {"zh": "操作未能完成，请稍后再试。", "en": "That did not work; please try again later."},
    "error.not_found": {"zh": "没有找到相关记录。", "en": "Nothing found."},
    "error.not_found.phone": {
        "zh": "名册中没有这个手机号，请联系支部书记导入，或直接报到。",
        "en": "This phone number is not on the roster; ask your secretary, or report in directly.",
    },
    "error.not_found.member": {"zh": "没有找到这位党员。", "en": "No such member."},
    "error.wish_not_found": {"zh": "没有找到这条微心愿。", "en": "No such micro-wish."},
    "error.branch_not_found": {"zh": "没有找到这个支部。", "en": "No such branch."},
    "error.committee_not_found": {
        "zh": "还没有e党委。请机器人管理员先在党委群里发送 /committee 名称。",
        "en": "There is no committee yet. A bot admin must first send /committee NAME in the committee's chat.",
    },
    "error.claim_not_found": {"zh": "没有找到这条认领记录。", "en": "No such claim."},
    "error.not_reported": {
        "zh": "请先报到（报到后即可认领）。",
        "en": "Please report in first; then you can claim.",
    },
    "error.not_branch_member": {
        "zh": "您不是「{branch}」的党员。请先在本群报到。",
        "en": "You are not a member of “{branch}”. Please report in to this branch first.",
    },
    "error.not_secretary": {"zh": "只有支部书记可以这样做。", "en": "Only a branch secretary can do that."},
    "error.not_committee_admin": {
        "zh": "只有e党委管理员可以这样做。",
        "en": "Only a committee admin can do that.",
    },
    "error.not_admin": {"zh": "只有机器人管理员可以这样做。", "en": "Only a bot admin can do that."},
    "error.wish_full": {"zh": "名额已满，可以点“候补”排队。", "en": "All slots are taken; tap “Join waitlist”."},
    "error.wish_closed": {"zh": "这条微心愿已完成。", "en": "This micro-wish is already completed."},
    "error.wish_closed.ended": {"zh": "这条微心愿已结束认领。", "en": "Claiming of this micro-wish has ended."},
    "error.wish_cancelled": {"zh": "这条微心愿已取消。", "en": "This micro-wish was cancelled."},
    "error.deadline_passed": {
        "zh": "已过截止时间，这条微心愿不再接受认领。",
        "en": "The deadline has passed; this micro-wish takes no new claims.",
    },
    "error.deadline_unreadable": {
        "zh": "没看懂新的截止时间“{seen}”。请写成例如 12月25日、下周五 或 明天18点。",
        "en": "I could not read the new deadline “{seen}”. Write it like 2026-12-25, 12月25日 or 明天18点.",
    },
    "error.deadline_in_past": {
        "zh": "新的截止时间“{seen}”已经过去了，请给一个以后的时间。",
        "en": "The new deadline “{seen}” has already passed; please give a later one.",
    },
    "error.already_claimed": {"zh": "您已认领过这条微心愿。", "en": "You have already claimed this micro-wish."},
    "error.already_waitlisted": {"zh": "您已在候补名单中。", "en": "You are already on the waitlist."},
    "error.not_your_claim": {"zh": "您没有认领这条微心愿。", "en": "You have not claimed this micro-wish."},
    "error.invalid_transition": {
        "zh": "当前状态下不能这样操作。",
        "en": "That is not possible in the current state.",
    },
    "error.invalid_transition.claimed": {
        "zh": "这项服务已退回，正等待重新完成。",
        "en": "This service was returned and is waiting to be done again.",
    },
    "error.invalid_transition.done": {
        "zh": "已完成，正等待书记确认。",
        "en": "Already reported done; waiting for confirmation.",
    },
    "error.invalid_transition.confirmed": {"zh": "这项服务已确认。", "en": "This service is already confirmed."},
    "error.invalid_transition.withdrawn": {
        "zh": "您已取消认领（已放弃）这条微心愿。",
        "en": "You withdrew (gave up) this claim.",
    },
    "error.invalid_transition.released": {
        "zh": "这次认领已被释放，名额已还给支部。",
        "en": "This claim was released back to the branch.",
    },
    "error.own_service": {"zh": "不能确认自己的服务。", "en": "Nobody confirms their own service."},
    "error.not_team_leader": {
        "zh": "只有服务队队长可以组团认领。",
        "en": "Only a volunteer team leader can claim for a team.",
    },
    "error.invalid_input": {"zh": "输入有误，请检查后重试。", "en": "That input is not valid; please check it."},
    "error.invalid_input.hours": {
        "zh": "服务时长请填写 0 到 24 之间的数字，例如 1.5。",
        "en": "Hours must be a number above 0 and at most 24, e.g. 1.5.",
    },
    "error.invalid_input.rating": {"zh": "评分为 1 到 5 星。", "en": "A rating is 1 to 5 stars."},
    "error.invalid_input.name": {"zh": "请填写名称。", "en": "Please give a name."},
    "error.invalid_input.name_taken": {
        "zh": "本党委已有同名支部，请换一个名称。",
        "en": "This committee already has a branch of that name.",
    },
    "error.invalid_input.phone": {
        "zh": "请填写11位手机号码。",
        "en": "Please give an 11-digit mainland mobile number.",
    },
    "error.invalid_input.team": {
        "zh": "这条微心愿不需要组团认领，请直接认领。",
        "en": "This micro-wish is not a team wish; claim it yourself.",
    },
    "error.invalid_input.not_full": {
        "zh": "还有名额，可以直接认领。",
        "en": "There are still free slots; just claim it.",
    },
    "error.invalid_input.days": {"zh": "暂停天数为 1 到 60 天。", "en": "Pause for 1 to 60 days."},
    "error.invalid_input.chat": {
        "zh": "这个e党委还没有群聊，请先用 /committee 设置。",
        "en": "This committee has no group chat yet; set one with /committee first.",
    },
    "error.invalid_input.served_on": {
        "zh": "服务日期不能晚于今天。",
        "en": "The service date cannot be in the future.",
    },
    "error.text_too_long": {
        "zh": "内容太长（最多 {limit} 字），请精简后再发。",
        "en": "Too long (at most {limit} characters); please shorten it.",
    },
    "error.already_member": {
        "zh": "您的账号已关联到另一位党员。",
        "en": "Your account is already linked to another member.",
    },
    "error.member_left": {"zh": "您已退出，如需重新加入请报到。", "en": "You left; report in again to rejoin."},
    "error.branch_inactive": {
        "zh": "这个支部已停用（机器人已被移出群聊）。",
        "en": "This branch is inactive (the bot was removed from its chat).",
    },
    "error.chat_already_bound": {
        "zh": "这个群已绑定到「{name}」。",
        "en": "This chat is already bound to “{name}”.",
    },
    "error.branch_not_bound": {
        "zh": "「{name}」还没有绑定支部群：请把机器人拉进支部群，在群里发送 /branch {name}。",
        "en": "“{name}” has no group yet: add the bot to the branch group and send /branch {name} there.",
    },
    "error.branch_awaits_secretary": {
        "zh": "「{name}」已由党委建好，正等它的书记来绑定本群。如果您是书记：请先私聊机器人发送 /start，"
        "点“分享手机号”（用党委登记的号码），然后在本群再发一次 /branch {name}。",
        "en": "“{name}” was set up by the committee and waits for its secretary to bind this group. If that is you:"
        " send /start to the bot privately, tap “Share my phone number” (the one the committee listed), then send"
        " /branch {name} here again.",
    },
    "error.storage_unavailable": {
        "zh": "暂时无法保存，请稍后再试。刚才的操作没有生效。",
        "en": "Could not save right now; please try again later. What you just did has not taken effect.",
    },
    "error.storage_busy": {
        "zh": "系统繁忙，请稍后再试，数据没有丢失。",
        "en": "Busy right now; please try again. Nothing was lost.",
    },
}
