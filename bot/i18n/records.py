"""Texts of service records (issue 15): sign-in codes, the 志愿服务记录证明, corrections and points."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    # refusals
    "error.checkin_code_wrong": {
        "zh": "签到码不对，或已过签到时间。请核对现场出示的6位数字（还可再试 {left} 次）。",
        "en": "That sign-in code is wrong or its time is over. Check the 6 digits shown at the place ({left} tries"
        " left).",
    },
    "error.checkin_limited": {
        "zh": "签到码输错次数过多，请 {minutes} 分钟后再试。",
        "en": "Too many wrong sign-in codes; try again in {minutes} minutes.",
    },
    "error.not_a_member": {
        "zh": "请先报到成为支部党员，再使用这个命令。",
        "en": "Please report in to a branch first.",
    },
    "error.certificate_unknown": {
        "zh": "❌ 查无此证明：验证码不存在，证明可能是伪造的，或验证码输错了。",
        "en": "❌ No certificate has this code: it may be forged, or the code was mistyped.",
    },
    "error.certificate_altered": {
        "zh": "❌ 证明 {number} 的内容与验证码不符：记录在出具后被改动过，此证明无效。",
        "en": "❌ Certificate {number} no longer matches its code: it was altered after issue and is not valid.",
    },
    "error.nothing_to_certify": {
        "zh": "这段时间内没有已核验或已确认的服务时长，无法出具证明（本人自报、尚未确认的时长不计入）。",
        "en": "No verified or confirmed hours in that period, so there is nothing to certify (hours not yet confirmed"
        " do not count).",
    },
    "error.record_not_found": {
        "zh": "没有找到您的第 {id} 号服务记录。/me 可查看记录编号。",
        "en": "You have no service record number {id}. /me shows your record numbers.",
    },
    "error.correction_pending": {
        "zh": "第 {id} 号记录已有一条更正申请在等待书记处理。",
        "en": "A correction of record {id} is already waiting for the secretary.",
    },
    "error.correction_decided": {"zh": "这条更正申请已处理过了。", "en": "This correction was already decided."},
    "error.invalid_input.period": {
        "zh": "日期范围不对：开始日期不能晚于结束日期，且最长三年。",
        "en": "The period is wrong: it must not end before it starts, and covers at most three years.",
    },
    "error.invalid_input.reason": {"zh": "请写明更正理由。", "en": "Please give a reason."},
    "error.invalid_input.points": {
        "zh": "积分未启用，或积分不足。",
        "en": "Points are off, or the balance is too low.",
    },
    "error.not_found.correction": {"zh": "没有找到这条更正申请。", "en": "No such correction request."},
    # reporting done after a check-in
    "flow.done.verified": {
        "zh": "✅ 已报告完成微心愿 #{id}：您已现场签到，时长已核验，直接计入本季度服务。",
        "en": "✅ Reported micro-wish #{id} done: you signed in at the place, so the hours are verified and count"
        " at once.",
    },
    # /me
    "me.provenance": {
        "zh": "其中：现场核验 {verified} 小时，书记确认 {confirmed} 小时，本人自报 {self_reported} 小时",
        "en": "Of which verified at the place {verified} h, confirmed by the secretary {confirmed} h, self-reported"
        " {self_reported} h",
    },
    "me.points": {"zh": "积分余额：{points} 分", "en": "Points balance: {points}"},
    "me.recent": {
        "zh": "最近的服务记录（/correct 编号 理由 可申请更正）：",
        "en": "Latest service records (/correct N REASON asks for a correction):",
    },
    "me.recent_line": {"zh": "· 第{id}号 {date} {hours}小时（{kind}）", "en": "· No. {id} {date} {hours} h ({kind})"},
    "provenance.verified": {"zh": "现场核验", "en": "verified"},
    "provenance.confirmed": {"zh": "书记确认", "en": "confirmed"},
    "provenance.self_reported": {"zh": "本人自报", "en": "self-reported"},
    # sign-in codes
    "records.signin.usage": {
        "zh": "用法：/signin 心愿编号 [活动时长]，例如 /signin 3 2小时",
        "en": "Usage: /signin WISH [LENGTH], e.g. /signin 3 2h",
    },
    "records.signin.opened": {
        "zh": "微心愿 #{id}「{title}」现场签到码：<b>{code}</b>\n有效至 {until}（{minutes} 分钟）。"
        "请参加的党员发送 /checkin {code}（或“签到 {code}”）{link}。\n活动时长 {hours} 小时：不超过这个时长的服务"
        "直接计为“现场核验”，超出部分需您确认。",
        "en": "Sign-in code of micro-wish #{id} “{title}”: <b>{code}</b>\nValid until {until} ({minutes} minutes)."
        " Members present send /checkin {code}{link}.\nThe activity lasts {hours} h: up to that, reported hours"
        " count as verified; more needs your confirmation.",
    },
    "records.signin.link": {"zh": "，或扫码/点链接：{url}", "en": ", or scan the QR / open {url}"},
    "records.checkin.usage": {
        "zh": "用法：/checkin 6位签到码（或发送“签到 123456”）",
        "en": "Usage: /checkin 6-DIGIT-CODE",
    },
    "records.checkin.done": {
        "zh": "✅ 已签到：微心愿 #{id}「{title}」。完成后报告时长，{hours} 小时以内直接计为现场核验。",
        "en": "✅ Signed in to micro-wish #{id} “{title}”. Report your hours when done: up to {hours} h count as"
        " verified.",
    },
    "records.checkin.already": {
        "zh": "您已签到过微心愿 #{id}「{title}」。",
        "en": "You had already signed in to micro-wish #{id} “{title}”.",
    },
    "records.checkin.no_claim": {
        "zh": "提示：您还没有认领这条微心愿，认领后才能报告完成。",
        "en": "Note: you have not claimed this micro-wish; claim it to report it done.",
    },
    # corrections
    "records.correction.usage": {
        "zh": "用法：/correct 记录编号 [正确时长] 理由，例如 /correct 12 1.5 实际服务了一个半小时。"
        "/me 可查看记录编号。",
        "en": "Usage: /correct RECORD [HOURS] REASON, e.g. /correct 12 1.5 I served an hour and a half. /me shows"
        " record numbers.",
    },
    "records.correction.requested": {
        "zh": "已提交第 {id} 号记录的更正申请，已通知 {n} 位支部书记。",
        "en": "Correction of record {id} asked; {n} secretaries were told.",
    },
    "records.correction.ask": {
        "zh": "📝 <b>{name}</b> 申请更正第 {id} 号服务记录：{date}「{content}」{hours} 小时，{wanted}。\n"
        "理由：{reason}",
        "en": "📝 <b>{name}</b> asks to correct service record {id}: {date} “{content}”, {hours} h, {wanted}.\n"
        "Reason: {reason}",
    },
    "records.correction.to_hours": {"zh": "改为 {hours} 小时", "en": "to {hours} h"},
    "records.correction.no_hours": {"zh": "时长不变", "en": "hours unchanged"},
    "records.correction.accept": {"zh": "接受更正", "en": "Accept"},
    "records.correction.refuse": {"zh": "拒绝", "en": "Refuse"},
    "records.correction.accepted": {
        "zh": "✅ 您对第 {id} 号服务记录的更正申请已被接受。",
        "en": "✅ Your correction of service record {id} was accepted.",
    },
    "records.correction.refused": {
        "zh": "您对第 {id} 号服务记录的更正申请未被接受，如有疑问请联系支部书记。",
        "en": "Your correction of service record {id} was refused; ask your secretary if in doubt.",
    },
    "records.correction.decided_accepted": {"zh": "已接受更正。", "en": "Correction accepted."},
    "records.correction.decided_refused": {"zh": "已拒绝更正。", "en": "Correction refused."},
    # certificates
    "records.certificate.usage": {
        "zh": "用法：/certificate [姓名] [开始日期 结束日期]，默认本人、今年。例如 /certificate 2026-01-01 2026-12-31",
        "en": "Usage: /certificate [NAME] [FROM TO], default yourself and this year, e.g. /certificate 2026-01-01"
        " 2026-12-31",
    },
    "records.certificate.caption": {
        "zh": "志愿服务记录证明 {number}，共 {hours} 小时。验证码 {code}（发送 /verify {code} 可核验）。",
        "en": "Volunteer service certificate {number}, {hours} hours in all. Verification code {code} (check it with"
        " /verify {code}).",
    },
    "records.verify.usage": {"zh": "用法：/verify 验证码", "en": "Usage: /verify CODE"},
    "records.verify.ok": {
        "zh": "✅ 证明有效：{number}\n志愿者：{name}\n出具单位：{committee}\n"
        "服务期间：{period}，共 {hours} 小时\n出具日期：{issued}",
        "en": "✅ Valid certificate {number}\nVolunteer: {name}\nIssued by: {committee}\nPeriod: {period}, {hours}"
        " hours in all\nIssued on: {issued}",
    },
    # the certificate document
    "cert.title": {"zh": "志愿服务记录证明", "en": "Volunteer Service Record Certificate"},
    "cert.number": {"zh": "证明编号：{number}", "en": "Certificate no.: {number}"},
    "cert.statement": {
        "zh": "兹证明 {name}（手机号 {phone}）于 {start} 至 {end} 期间在{branch}参加志愿服务，经记录核实，"
        "累计志愿服务时长 {hours} 小时，具体如下：",
        "en": "This certifies that {name} (phone {phone}) served as a volunteer with {branch} from {start} to {end};"
        " as recorded and checked, {hours} hours in all, as follows:",
    },
    "cert.no_phone": {"zh": "未登记", "en": "not on record"},
    "cert.col.no": {"zh": "记录号", "en": "Record"},
    "cert.col.date": {"zh": "服务日期", "en": "Date"},
    "cert.col.content": {"zh": "服务内容", "en": "Service"},
    "cert.col.hours": {"zh": "时长(小时)", "en": "Hours"},
    "cert.col.kind": {"zh": "记录方式", "en": "Recorded"},
    "cert.total": {"zh": "合计：{hours} 小时", "en": "Total: {hours} hours"},
    "cert.issuer": {"zh": "出具单位：{committee}（盖章）", "en": "Issued by: {committee} (seal)"},
    "cert.responsible": {"zh": "负责人：{name}", "en": "Responsible: {name}"},
    "cert.contact": {"zh": "联系方式：{contact}", "en": "Contact: {contact}"},
    "cert.issued": {"zh": "出具日期：{date}", "en": "Date of issue: {date}"},
    "cert.code": {"zh": "验证码：{code}", "en": "Verification code: {code}"},
    "cert.verify_hint": {
        "zh": "本证明依据《志愿服务记录与证明出具办法》免费出具。向机器人发送 /verify 验证码 即可核验真伪。",
        "en": "Issued free of charge under the Measures for Volunteer Service Records and Certificates. Send /verify"
        " CODE to the bot to check it.",
    },
    # the CLI
    "cli.certificate.help": {
        "zh": "出具志愿服务记录证明（PDF 和 PNG）",
        "en": "issue a volunteer service certificate (PDF and PNG)",
    },
    "cli.certificate.member": {
        "zh": "党员：编号、手机号或姓名",
        "en": "the member: id, phone or name",
    },
    "cli.certificate.from": {"zh": "开始日期 YYYY-MM-DD", "en": "first day, YYYY-MM-DD"},
    "cli.certificate.to": {"zh": "结束日期 YYYY-MM-DD", "en": "last day, YYYY-MM-DD"},
    "cli.certificate.out": {"zh": "输出文件夹（默认当前文件夹）", "en": "folder to write to (default: here)"},
    "cli.certificate.written": {
        "zh": "已出具 {number}（{hours} 小时），验证码 {code}：{pdf}，{png}",
        "en": "Issued {number} ({hours} hours), verification code {code}: {pdf}, {png}",
    },
    "cli.certificate.no_member": {"zh": "没有找到党员：{member}", "en": "No member matches: {member}"},
    "cli.certificate.many": {
        "zh": "有多位党员叫 {member}，请用编号或手机号：{ids}",
        "en": "Several members are called {member}; use an id or a phone: {ids}",
    },
    "cli.verify.help": {"zh": "核验证明的验证码", "en": "check a certificate's verification code"},
    "cli.verify.code": {"zh": "证明上的验证码", "en": "the code printed on the certificate"},
    "cli.points.help": {"zh": "记录积分消费（时间银行、爱心超市）", "en": "record points spent"},
    "cli.points.spent": {"zh": "已扣除 {points} 分，余额 {balance} 分", "en": "Spent {points}; balance {balance}"},
    # the ledger
    "report.ledger.col.provenance": {"zh": "记录方式", "en": "Recorded"},
    "report.ledger.col.points": {"zh": "积分", "en": "Points"},
    # grid workers (网格员)
    "error.not_signin_issuer": {
        "zh": "只有本支部书记或网格员可以为这条微心愿开签到码。",
        "en": "Only the branch's secretaries and grid workers open sign-in codes for this micro-wish.",
    },
    "error.gridworker_unknown": {
        "zh": "本支部没有唯一一位已报到的“{name}”（找到 {n} 位）。请写花名册上的姓名。",
        "en": "This branch has no single reported-in member “{name}” ({n} found). Use the name on the roster.",
    },
    "records.gridworker.usage": {
        "zh": "用法：/gridworker 姓名（任命本支部网格员，可为本支部活动开签到码）；/gridworker off 姓名（取消）。"
        "本支部网格员：{names}",
        "en": "Usage: /gridworker NAME appoints a grid worker of the branch (they open sign-in codes for its"
        " activities); /gridworker off NAME ends it. Grid workers now: {names}",
    },
    "records.gridworker.none": {"zh": "暂无", "en": "none"},
    "records.gridworker.appointed": {
        "zh": "✅ 已任命 {name} 为{branch}网格员：可用 /signin 心愿编号 为本支部活动开现场签到码。",
        "en": "✅ {name} is now a grid worker of {branch}: they can open sign-in codes with /signin N.",
    },
    "records.gridworker.already": {
        "zh": "{name} 已是{branch}网格员。",
        "en": "{name} is already a grid worker of {branch}.",
    },
    "records.gridworker.removed": {
        "zh": "已取消 {name} 的{branch}网格员身份。",
        "en": "{name} is no longer a grid worker of {branch}.",
    },
    "records.gridworker.not_one": {
        "zh": "{name} 不是{branch}网格员。",
        "en": "{name} is not a grid worker of {branch}.",
    },
    "records.gridworker.told_appointed": {
        "zh": "您已被任命为{branch}网格员：在活动现场可发送 /signin 心愿编号 开签到码，请参加的党员签到。",
        "en": "You are now a grid worker of {branch}: at an activity, send /signin N to open its sign-in code.",
    },
    "records.gridworker.told_removed": {
        "zh": "您已不再担任{branch}网格员。",
        "en": "You are no longer a grid worker of {branch}.",
    },
    "me.grid_worker": {
        "zh": "网格员：{branches}（可开现场签到码 /signin）",
        "en": "Grid worker of {branches} (/signin)",
    },
    # /me: the quarter's 战时 and 演练 hours (issue 14)
    "me.of_which.emergency": {"zh": "（其中战时 {emergency} 小时）", "en": " ({emergency} in emergencies)"},
    "me.of_which.drill": {"zh": "（其中演练 {drill} 小时）", "en": " ({drill} in drills)"},
    "me.of_which.both": {
        "zh": "（其中战时 {emergency} 小时，演练 {drill} 小时）",
        "en": " ({emergency} in emergencies, {drill} in drills)",
    },
}
