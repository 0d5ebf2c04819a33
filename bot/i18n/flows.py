"""Texts of the multi-step conversations (report-in, done, return, choices), asked the same on every platform."""

SKILL_COUNT = 10

MESSAGES: dict[str, dict[str, str]] = {
    # the fixed skills offered at report-in (stored as the Chinese term the ledger uses)
    "skill.0": {"zh": "矛盾调解", "en": "Dispute mediation"},
    "skill.1": {"zh": "治安巡逻", "en": "Security patrol"},
    "skill.2": {"zh": "政策宣讲", "en": "Policy explaining"},
    "skill.3": {"zh": "文体活动", "en": "Culture and sports"},
    "skill.4": {"zh": "医疗健康", "en": "Medical"},
    "skill.5": {"zh": "法律服务", "en": "Legal"},
    "skill.6": {"zh": "居家养老", "en": "Elderly care"},
    "skill.7": {"zh": "维修", "en": "Repairs"},
    "skill.8": {"zh": "环境整治", "en": "Environment"},
    "skill.9": {"zh": "助学", "en": "Tutoring"},
    # report-in (报到)
    "flow.report.start": {
        "zh": "欢迎到「{branch}」报到（亮身份、亮承诺）。\n随时发送 /cancel 可取消。\n\n请发送您的<b>姓名</b>。"
        "\n如果支部已导入名册，也可以点下方按钮分享手机号直接关联。",
        "en": "Welcome! Let's report you in to “{branch}”. Send /cancel at any time to stop.\n\n"
        "Please send your <b>name</b>.\nIf your branch imported a roster, you can share your phone number instead.",
    },
    "flow.report.start_named": {
        "zh": "{name}，欢迎到「{branch}」报到（亮身份、亮承诺）。\n随时发送 /cancel 可取消。\n\n"
        "请发送您的<b>工作单位</b>。",
        "en": "Welcome, {name}! Let's report you in to “{branch}”. Send /cancel at any time to stop.\n\n"
        "Please send your <b>workplace</b>.",
    },
    "flow.report.share_phone": {"zh": "📱 分享手机号", "en": "📱 Share my phone number"},
    "flow.report.workplace": {"zh": "请发送您的<b>工作单位</b>。", "en": "Please send your <b>workplace</b>."},
    "flow.report.workplace_branch": {
        "zh": "请发送您所在的<b>单位党支部</b>（没有请发“无”）。",
        "en": "Please send your <b>workplace Party branch</b> (or “-” if none).",
    },
    "flow.report.skills": {
        "zh": "请选择您的<b>特长</b>（可多选），选好后点“完成”；"
        "也可以直接回复，如“维修、助老”或编号“1、8”。\n{choices}",
        "en": "Choose your <b>skills</b> (several are fine), then tap “Done”; or reply with them, e.g. "
        "“repairs, tutoring” or numbers “1, 8”.\n{choices}",
    },
    "flow.report.skills_done": {"zh": "完成 ✔", "en": "Done ✔"},
    "flow.report.commitment": {
        "zh": "特长：{skills}\n\n请发送您的<b>服务承诺</b>，例如“每月为社区独居老人服务一次”。",
        "en": "Skills: {skills}\n\nPlease send your <b>public commitment</b>, e.g. “I will help elderly neighbours"
        " once a month”.",
    },
    "flow.report.post": {
        "zh": "平时服务、急时应急：请选择您的<b>战时应急岗位</b>，点下方按钮，或回复编号、岗位名称，也可以自填；"
        "不需要请发 /skip（或“跳过”）。\n{choices}",
        "en": "Your <b>emergency post</b> (where you serve in a crisis): tap one, or reply with its number, its name or"
        " your own words; send /skip to leave it open.\n{choices}",
    },
    "flow.report.grid": {
        "zh": "应急时您可以在哪里就近服务？请发送<b>网格或楼栋</b>，例如“一网格”“3号楼”；"
        "不需要请发 /skip（或“跳过”）。",
        "en": "Where can you serve in a crisis? Send your <b>grid or building</b>, e.g. “Grid 1” or “Building 3”; send"
        " /skip to leave it open.",
    },
    "flow.report.skip": {"zh": "跳过", "en": "Skip"},
    "flow.report.too_long": {
        "zh": "太长了，请不超过 {limit} 个字。",
        "en": "That is too long; please keep it within {limit} characters.",
    },
    "flow.report.summary": {
        "zh": "请确认报到信息：\n姓名：{name}\n工作单位：{workplace}\n单位党支部：{workplace_branch}\n特长：{skills}\n"
        "承诺：{commitment}\n战时应急岗位：{emergency_post}\n网格 / 楼栋：{grid}\n\n（也可以回复“确认”）",
        "en": "Please check:\nName: {name}\nWorkplace: {workplace}\nWorkplace branch: {workplace_branch}\n"
        "Skills: {skills}\nCommitment: {commitment}\nEmergency post: {emergency_post}\nGrid / building: {grid}\n\n"
        "(or reply “yes”)",
    },
    "flow.report.confirm": {"zh": "确认报到", "en": "Report in"},
    "flow.report.done": {
        "zh": "✅ {name}，您已到「{branch}」报到。群里可以看到您的身份和承诺，现在可以认领微心愿了。",
        "en": "✅ {name}, you reported in to “{branch}”. The group sees your commitment; you can claim micro-wishes"
        " now.",
    },
    "flow.report.none": {"zh": "无", "en": "none"},
    "flow.needs_text": {"zh": "请用文字回复。", "en": "Please answer with text."},
    "flow.cancel": {"zh": "取消", "en": "Cancel"},
    "flow.cancelled": {"zh": "已取消。", "en": "Cancelled."},
    "flow.outdated": {"zh": "这个按钮已过期。", "en": "This button is outdated."},
    # reporting a service done
    "flow.done.hours": {
        "zh": "请回复本次服务时长，例如 1.5、两个半小时、90分钟。（发送 /cancel 取消）",
        "en": "How long did it take? E.g. 1.5, 2h 30m or 90 minutes. (/cancel to stop)",
    },
    "flow.done.bad_hours": {
        "zh": "请先写时长，例如 1.5、两个半小时、90分钟（不超过 24 小时）。",
        "en": "Please give the hours first, e.g. 1.5, 2h 30m or 90 minutes (at most 24 hours).",
    },
    "hours.half_day": {
        "zh": "“半天”按 {hours} 小时记录；如不对，请取消后重新填写。",
        "en": "“Half a day” is recorded as {hours} hours; if that is wrong, cancel and report again.",
    },
    "hours.whole_day": {
        "zh": "“一天”按 {hours} 小时记录；如不对，请取消后重新填写。",
        "en": "“A whole day” is recorded as {hours} hours; if that is wrong, cancel and report again.",
    },
    "flow.done.note": {
        "zh": "可以再发一句说明或一张照片；不需要请发 /skip。",
        "en": "You may send a short note or a photo; send /skip if not.",
    },
    "flow.done.sent": {
        "zh": "👍 已报告完成微心愿 #{id}，等待支部书记确认。",
        "en": "👍 Reported micro-wish #{id} done; waiting for the secretary to confirm.",
    },
    # a secretary returns a reported service
    "flow.return.reason": {
        "zh": "请回复退回原因（例如“请补充服务照片”），党员会收到。（发送 /cancel 取消）",
        "en": "Please reply with the reason for returning it (e.g. “please add a photo”); the member will see it."
        " (/cancel to stop)",
    },
    "flow.return.returned": {"zh": "↩️ 已退回：{reason}", "en": "↩️ Returned: {reason}"},
    # a secretary extends a wish's deadline
    "flow.extend.ask": {
        "zh": "请回复微心愿 #{id} 新的截止时间，例如“12月25日”“下周五”或“明天18点”。（发送 /cancel 取消）",
        "en": "Please reply with the new deadline of micro-wish #{id}, e.g. 2026-12-25, 12月25日 or 明天18点."
        " (/cancel to stop)",
    },
    "flow.extend.again": {
        "zh": "请再回复一次微心愿 #{id} 新的截止时间。（发送 /cancel 取消）",
        "en": "Please reply again with the new deadline of micro-wish #{id}. (/cancel to stop)",
    },
    # choices
    "flow.wish.pick_branch": {"zh": "发布到哪个支部？", "en": "Post it to which branch?"},
    "flow.wish.ask_slots": {
        "zh": "这条微心愿需要几个人？请回复人数（1 到 {max}），例如“2”或“3人”；在群里请回复本条消息。"
        "草稿已保存，发 /cancel 可以先放着。",
        "en": "How many people does this micro-wish need? Reply with a number from 1 to {max}, e.g. “2” or"
        " “3 people” (in a group, reply to this message). The draft is kept; /cancel leaves it for now.",
    },
    "flow.wish.slots_again": {
        "zh": "没看懂人数“{seen}”。请回复 1 到 {max} 之间的一个数字，例如“2”或“两人”。",
        "en": "I could not read “{seen}” as a number of people. Reply with one number from 1 to {max}, e.g. “2”.",
    },
    "flow.wish.draft_kept": {
        "zh": "好的，草稿已保存。修改后重新发送（或编辑原消息）即可发布。",
        "en": "All right, the draft is kept. Send it again corrected (or edit your message) to post it.",
    },
    "flow.wish.needs_fix": {
        "zh": "这条微心愿还不能发布：\n{problems}\n草稿已保存，请修改后重新发送（也可以直接编辑原消息）。",
        "en": "This micro-wish cannot be posted yet:\n{problems}\nThe draft is kept; send it again corrected"
        " (or edit your message).",
    },
    "flow.branch.pick_committee": {"zh": "请选择所属e党委：", "en": "Which committee does it belong to?"},
}
