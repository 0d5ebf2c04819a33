"""Texts of the `ebranch` command: its help, what each subcommand did, and every failure with what to do next."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "cli.error": {"zh": "ebranch：{message}", "en": "ebranch: {message}"},
    "cli.none": {"zh": "（还没有）", "en": "(none yet)"},
    "cli.more": {"zh": "{names} 等，共 {n} 个", "en": "{names} … ({n} in all)"},
    # help
    "cli.help.description": {
        "zh": "e支部机器人（e党委）：在 Telegram 和企业微信上发布微心愿、认领、记录每季度服务。",
        "en": "e-branch bot (e-party-committee): micro-wishes, claims and quarterly service on Telegram and WeCom.",
    },
    "cli.help.config": {
        "zh": "配置文件（默认：$EBRANCH_CONFIG 或 ./config.toml）",
        "en": "config file (default: $EBRANCH_CONFIG or ./config.toml)",
    },
    "cli.help.command": {"zh": "命令", "en": "COMMAND"},
    "cli.help.run": {"zh": "在配置启用的平台上运行机器人", "en": "run the bot on the platforms enabled in the config"},
    "cli.help.migrate": {"zh": "创建或升级数据库", "en": "create or upgrade the database"},
    "cli.help.setup": {
        "zh": "按 .xlsx/.csv/.toml 文件建好党委、支部和书记（不需要群，也不需要平台密钥）",
        "en": "create committees, branches and their secretaries from a .xlsx/.csv/.toml file (no chat or platform"
        " secret needed)",
    },
    "cli.help.setup_file": {
        "zh": "设置文件：党委, 支部, 书记, 书记手机号（模板：docs/setup-example.csv、docs/setup-example.toml）",
        "en": "setup file with the columns committee, branch, secretary and phone; templates in"
        " docs/setup-example.csv and docs/setup-example.toml",
    },
    "cli.help.roster": {
        "zh": "用 .csv 或 .xlsx 花名册预先登记党员",
        "en": "pre-register members from a .csv or .xlsx roster",
    },
    "cli.help.roster_file": {
        "zh": "花名册文件：姓名, 手机号, 工作单位, 单位党支部, 技能, 承诺, 服务队",
        "en": "roster file with the columns name, phone, workplace, workplace_branch, skills, commitment, team",
    },
    "cli.help.roster_branch": {
        "zh": "党员所属的e支部（可以还没有群）",
        "en": "the e-branch the members belong to (it may have no chat yet)",
    },
    "cli.help.roster_committee": {"zh": "党委（支部重名时需要）", "en": "the committee, when branch names repeat"},
    "cli.help.backup": {
        "zh": "安全地复制数据库（机器人运行时也可以）",
        "en": "copy the database safely while the bot runs",
    },
    "cli.help.backup_path": {
        "zh": "要写的文件，或一个文件夹（在其中写带日期的副本 ebranch-日期-时间.sqlite3）",
        "en": "a file to write, or a folder to write a dated copy into (ebranch-DATE-TIME.sqlite3)",
    },
    "cli.help.force": {"zh": "覆盖已存在的文件", "en": "overwrite PATH if it exists"},
    "cli.help.restore": {
        "zh": "用备份替换数据库（需先停止机器人）",
        "en": "replace the database with a backup (bot stopped)",
    },
    "cli.help.restore_file": {"zh": "由 ebranch backup 生成的备份", "en": "a copy made by ebranch backup"},
    "cli.help.digest": {
        "zh": "立即写出或发送党委的每周简报",
        "en": "write or send a committee's weekly digest now",
    },
    "cli.help.digest_committee": {"zh": "党委（e党委）名称", "en": "the committee (e-party-committee)"},
    "cli.help.digest_out": {
        "zh": "把文字、图表和台账写到这个文件夹，而不是发送",
        "en": "write text, chart and ledger here instead of sending",
    },
    "cli.help.export": {
        "zh": "导出台账（.xlsx 或 .csv），或按单位导出双报到反馈（.xlsx）",
        "en": "write the ledger as .xlsx or .csv, or workplace feedback as .xlsx",
    },
    "cli.help.export_committee": {"zh": "党委（默认：唯一的那个）", "en": "the committee (default: the only one)"},
    "cli.help.export_branch": {"zh": "只导出这个e支部", "en": "only this e-branch"},
    "cli.help.by_workplace": {
        "zh": "每个单位党支部一个双报到反馈文件",
        "en": "one double-report feedback file per workplace branch",
    },
    "cli.help.export_out": {
        "zh": "文件夹、.xlsx 文件或 .csv 文件：CSV 只能放一张表，所以 x.csv 会写出 x_汇总.csv、x_党员.csv、"
        "x_微心愿.csv、x_服务记录.csv、x_结对.csv 和 x_走访.csv（UTF-8 带 BOM）",
        "en": "a folder, an .xlsx file, or a .csv file: CSV holds one sheet, so x.csv writes x_Summary.csv,"
        " x_Members.csv, x_Micro-wishes.csv, x_Services.csv, x_Pairings.csv and x_Visits.csv (UTF-8 with BOM)",
    },
    "cli.help.demo": {
        "zh": "在浏览器里试用机器人：本地聊天沙盒、示例数据，不需要账号",
        "en": "try the bot in a browser: local chat sandbox, seeded data, no account needed",
    },
    "cli.help.demo_port": {
        "zh": "网页的端口（默认 8080；0 表示自动选一个）",
        "en": "port of the web page (default 8080; 0 picks one)",
    },
    "cli.help.demo_host": {"zh": "监听地址（默认 127.0.0.1）", "en": "address to serve on (default 127.0.0.1)"},
    "cli.help.no_browser": {"zh": "不要打开浏览器", "en": "do not open a browser"},
    "cli.help.copy_db": {
        "zh": "把 SQLite 数据库的数据复制到一个空的 PostgreSQL 数据库（从一台机器升级到多台；机器人运行时也可以）",
        "en": "copy a SQLite database's data into an empty PostgreSQL database (moving from one machine to several;"
        " safe while the bot runs)",
    },
    "cli.help.copy_from": {
        "zh": "要复制的 SQLite 文件（默认：配置中的 [general] database）",
        "en": "the SQLite file to copy (default: [general] database of the config)",
    },
    "cli.help.copy_to": {
        "zh": "空的目标数据库：postgresql://用户:密码@主机:端口/库名",
        "en": "the empty target database: postgresql://user:password@host:port/dbname",
    },
    "cli.meta.url": {"zh": "网址", "en": "URL"},
    "cli.meta.path": {"zh": "路径", "en": "PATH"},
    "cli.meta.file": {"zh": "文件", "en": "FILE"},
    "cli.meta.name": {"zh": "名称", "en": "NAME"},
    "cli.meta.dir": {"zh": "文件夹", "en": "DIR"},
    "cli.meta.out": {"zh": "文件或文件夹", "en": "FILE_OR_DIR"},
    "cli.meta.port": {"zh": "端口", "en": "PORT"},
    "cli.meta.host": {"zh": "地址", "en": "HOST"},
    # argparse's own words
    "cli.argparse.usage": {"zh": "用法：", "en": "usage: "},
    "cli.argparse.positionals": {"zh": "位置参数", "en": "positional arguments"},
    "cli.argparse.options": {"zh": "选项", "en": "options"},
    "cli.argparse.help": {"zh": "显示帮助并退出", "en": "show this help message and exit"},
    "cli.argparse.version": {"zh": "显示版本号并退出", "en": "show program's version number and exit"},
    "cli.argparse.argument": {"zh": "参数 {name}：{message}", "en": "argument {name}: {message}"},
    "cli.argparse.required": {
        "zh": "缺少必需的参数：{names}",
        "en": "the following arguments are required: {names}",
    },
    "cli.argparse.unrecognized": {"zh": "不认识的参数：{names}", "en": "unrecognized arguments: {names}"},
    "cli.argparse.invalid_choice": {
        "zh": "没有这个选项：{value}（可选：{choices}）",
        "en": "invalid choice: {value} (choose from {choices})",
    },
    "cli.argparse.invalid_value": {"zh": "{value} 不是有效的 {type} 值", "en": "invalid {type} value: {value}"},
    "cli.argparse.expected_one": {"zh": "需要一个值", "en": "expected one argument"},
    "cli.argparse.error": {
        "zh": "{prog}：错误：{message}（运行 {prog} --help 查看用法）",
        "en": "{prog}: error: {message} (run {prog} --help for the usage)",
    },
    # migrate
    "cli.migrate.applied": {
        "zh": "{db}：已升级（{names}），数据库结构版本 {version}",
        "en": "{db}: applied {names}; schema version {version}",
    },
    "cli.migrate.current": {
        "zh": "{db}：已是最新（数据库结构版本 {version}）",
        "en": "{db}: up to date (schema version {version})",
    },
    # naming a committee or branch
    "cli.no_branch": {
        "zh": "没有名为「{name}」的支部：请在该支部群里发送 /branch {name}，或用 ebranch setup 创建；已有支部：{known}",
        "en": "there is no branch named “{name}”: send /branch {name} in its group, or create it with ebranch setup;"
        " branches that exist: {known}",
    },
    "cli.no_branch_in": {
        "zh": "「{committee}」没有名为「{name}」的支部：请在该支部群里发送 /branch {name}，或用 ebranch setup 创建；"
        "「{committee}」已有支部：{known}",
        "en": "“{committee}” has no branch named “{name}”: send /branch {name} in its group, or create it with"
        " ebranch setup; its branches: {known}",
    },
    "cli.branch_ambiguous": {
        "zh": "有 {n} 个支部叫「{name}」：请加 --committee 指明是哪个党委的（{committees}）",
        "en": "{n} branches are named “{name}”: add --committee to say whose ({committees})",
    },
    "cli.no_committee": {
        "zh": "没有名为「{name}」的党委：请用 ebranch setup 创建，或由机器人管理员在党委群里发送 /committee {name}；"
        "已有党委：{known}",
        "en": "there is no committee named “{name}”: create it with ebranch setup, or have a bot admin send"
        " /committee {name} in its chat; committees that exist: {known}",
    },
    # import-roster
    "cli.roster.conflict": {
        "zh": "第 {line} 行：{name} 已登记在另一个支部，未改动：如需调到本支部，请先在原支部处理",
        "en": "line {line}: {name} is registered in another branch and was left unchanged: move them there first",
    },
    "cli.roster.summary": {
        "zh": "{branch}：新增 {created} 人，更新 {updated} 人，{refused} 行未导入",
        "en": "{branch}: {created} new, {updated} updated, {refused} rows refused",
    },
    "cli.roster.fix": {
        "zh": "请改正上面列出的行，再运行一次同样的命令：已导入的人不会重复。",
        "en": "Fix the lines listed above and run the same command again: those imported are not duplicated.",
    },
    "cli.roster.no_chat": {
        "zh": "「{branch}」还没有绑定群：党员已登记，"
        "等书记在支部群里发送 /branch {branch} 后，党员在群里发送 /join 报到。",
        "en": "“{branch}” has no group yet: the members are registered; once its secretary sends /branch {branch}"
        " in the branch group, members send /join there to report in.",
    },
    # setup
    "cli.setup.refused": {
        "zh": "没有写入任何内容：{n} 处有问题（见上）。请改正后重新运行 ebranch setup {file}：已存在的不会重复创建。",
        "en": "Nothing was written: {n} problems (above). Fix them and run ebranch setup {file} again: what exists"
        " is not created twice.",
    },
    "cli.setup.empty": {
        "zh": "“{file}”里没有党委或支部：请按模板填写（docs/setup-example.csv）。",
        "en": "“{file}” names no committee or branch: fill it in as the template shows (docs/setup-example.csv).",
    },
    "cli.setup.summary": {
        "zh": "已按“{file}”设置：新建党委 {c_new} 个、支部 {b_new} 个、书记 {s_new} 位；"
        "已存在未改动：党委 {c_old} 个、支部 {b_old} 个、书记 {s_old} 位。",
        "en": "Set up from “{file}”: {c_new} committees, {b_new} branches and {s_new} secretaries created; already"
        " there and left as they were: {c_old} committees, {b_old} branches, {s_old} secretaries.",
    },
    "cli.setup.new_people": {
        "zh": "其中 {n} 位书记还没用过机器人：他们私聊机器人发送 /start 并分享登记的手机号，就成为书记。",
        "en": "{n} of the secretaries have not used the bot yet: they become secretaries once they send /start to"
        " the bot privately and share the phone number listed.",
    },
    "cli.setup.note": {
        "zh": "{where}：手机号 {phone} 已登记为「{known}」，已把此人设为书记。",
        "en": "{where}: phone {phone} is registered as “{known}”; that person is made the secretary.",
    },
    "cli.setup.waiting": {
        "zh": "还没有群的支部（{n} 个）：{names}。"
        "请书记（或党委管理员）把机器人拉进支部群，在群里发送 /branch 支部名称。",
        "en": "Branches without a group yet ({n}): {names}. Their secretary (or a committee admin) adds the bot to"
        " the branch group and sends /branch NAME there.",
    },
    "cli.setup.next": {
        "zh": "下一步：用 ebranch import-roster 花名册.xlsx --branch 支部名称 导入党员（支部不必已有群）。",
        "en": "Next: import members with ebranch import-roster roster.xlsx --branch NAME (the branch needs no group"
        " yet).",
    },
    "setup.problem": {"zh": "{where}：{problem}", "en": "{where}: {problem}"},
    "setup.where_line": {"zh": "第 {line} 行", "en": "Line {line}"},
    "setup.where_committee": {"zh": "第 {committee} 个 [[committee]]", "en": "[[committee]] number {committee}"},
    "setup.where_branch": {
        "zh": "第 {committee} 个 [[committee]] 的第 {branch} 个 [[committee.branch]]",
        "en": "[[committee.branch]] number {branch} of [[committee]] number {committee}",
    },
    "setup.missing_committee": {
        "zh": "缺少党委名称：请在“党委”列写明（下面几行可以空着，表示同一个党委）",
        "en": "the committee is missing: write it in the committee column (rows below may leave it empty for the"
        " same one)",
    },
    "setup.too_long": {"zh": "“{name}”超过 {limit} 个字", "en": "“{name}” is longer than {limit} characters"},
    "setup.secretary_without_branch": {
        "zh": "写了书记却没写支部：请在“支部”列填写他/她所在的支部",
        "en": "a secretary without a branch: write their branch in the branch column",
    },
    "setup.missing_name": {
        "zh": "缺少书记姓名：请在“书记”列填写",
        "en": "the secretary's name is missing (secretary column)",
    },
    "setup.missing_phone": {
        "zh": "书记{name}缺少手机号：书记用这个手机号报到后才成为书记，请在“书记手机号”列填写",
        "en": "secretary {name} has no phone: they become secretary by reporting in with it; fill in the phone column",
    },
    "setup.bad_phone": {
        "zh": "手机号“{phone}”不是有效的 11 位大陆手机号",
        "en": "“{phone}” is not a valid 11-digit mainland mobile number",
    },
    "setup.phone_two_names": {
        "zh": "手机号 {phone} 这里写的是「{name}」，{first_where}写的却是「{first}」：一个手机号只能是一个人，请核对",
        "en": "phone {phone} is “{name}” here but “{first}” on {first_where}: one phone is one person; check which",
    },
    "setup.toml_key": {
        "zh": "不认识的写法“{key}”：[[committee]] 只有 name 和 [[committee.branch]]，支部只有 name 和 secretaries"
        "（每位书记写 name 和 phone），模板见 docs/setup-example.toml",
        "en": "unknown key “{key}”: a [[committee]] has name and [[committee.branch]], a branch has name and"
        " secretaries (each with name and phone); see docs/setup-example.toml",
    },
    "setup.file_unsupported": {
        "zh": "无法读取“{file}”：ebranch setup 只读 .xlsx、.csv 和 .toml 文件（模板见 docs/setup-example.csv）",
        "en": "cannot read “{file}”: ebranch setup reads .xlsx, .csv and .toml files (template:"
        " docs/setup-example.csv)",
    },
    "setup.file_no_columns": {
        "zh": "“{file}”缺少“党委”和“支部”两列：表头至少要有这两列（还可以有“书记”“书记手机号”），模板见"
        " docs/setup-example.csv",
        "en": "“{file}” has no committee and branch columns: the header needs both (and may have secretary and"
        " phone); see docs/setup-example.csv",
    },
    "setup.file_not_utf8": {
        "zh": "无法读取“{file}”：请把它另存为 UTF-8 编码",
        "en": "cannot read “{file}”: save it as UTF-8",
    },
    "setup.toml_shape": {
        "zh": '“{file}”的写法不对：每个党委写成一个 [[committee]]（name = "…"），其下每个支部写成'
        " [[committee.branch]]；模板见 docs/setup-example.toml",
        "en": '“{file}” is not laid out as expected: one [[committee]] (name = "...") per committee, one'
        " [[committee.branch]] per branch below it; see docs/setup-example.toml",
    },
    # backup, restore, digest, export, demo
    "cli.backup.postgres": {
        "zh": "{db} 是 PostgreSQL 数据库：请用 pg_dump 备份、pg_restore 恢复（见 docs/deploy.md），"
        "ebranch backup/restore 只用于 SQLite 文件",
        "en": "{db} is a PostgreSQL database: back it up with pg_dump and restore with pg_restore (see docs/deploy.md);"
        " ebranch backup/restore are for SQLite files",
    },
    "cli.backup.exists": {
        "zh": "{target} 已存在：换一个文件名，或加 --force 覆盖",
        "en": "{target} exists: choose another name, or pass --force to overwrite it",
    },
    "cli.backup.no_database": {
        "zh": "{db}：还没有数据库：请先运行 ebranch migrate",
        "en": "{db}: no database yet (run: ebranch migrate)",
    },
    "cli.backup.done": {
        "zh": "已把 {db} 备份到 {target}（{size} 字节）",
        "en": "backed up {db} to {target} ({size} bytes)",
    },
    "cli.restore.no_file": {
        "zh": "{file}：没有这个备份文件：请检查路径（备份由 ebranch backup 生成）",
        "en": "{file}: no such backup file: check the path (backups are made by ebranch backup)",
    },
    "cli.restore.done": {"zh": "已用 {file} 恢复 {db}{kept}", "en": "restored {db} from {file}{kept}"},
    "cli.restore.kept": {
        "zh": "；被替换的数据库保留为 {path}",
        "en": "; the database it replaced is kept as {path}",
    },
    "cli.digest.queued": {
        "zh": "{name}：简报已排队，运行中的机器人会把它发到党委群",
        "en": "{name}: digest queued for its chat; the running bot sends it",
    },
    "cli.digest.wrote": {"zh": "已把 {files} 写入 {out}", "en": "wrote {files} to {out}"},
    "cli.export.folder_for_workplaces": {
        "zh": "ebranch export：--by-workplace 为每个单位党支部各写一个 .xlsx：--out 请给一个文件夹，而不是 {name}",
        "en": "ebranch export: --by-workplace writes one .xlsx per workplace branch; give a folder, not {name}",
    },
    "cli.export.bad_suffix": {
        "zh": "ebranch export：不能写 {suffix} 文件；--out 可以是 .xlsx 文件（台账工作簿）、.csv 文件（每张表一个"
        " CSV：名称_汇总.csv、名称_党员.csv、名称_微心愿.csv、名称_服务记录.csv、名称_结对.csv、"
        "名称_走访.csv）或一个文件夹",
        "en": "ebranch export: cannot write {suffix} files; --out takes a .xlsx file (the ledger workbook), a .csv"
        " file (one CSV per sheet beside it: NAME_Summary.csv, NAME_Members.csv, NAME_Micro-wishes.csv,"
        " NAME_Services.csv, NAME_Pairings.csv, NAME_Visits.csv)"
        " or a folder",
    },
    "cli.export.which": {
        "zh": "请用 --committee（或 --branch）指明要导出哪个党委：已有党委：{known}",
        "en": "name the --committee (or --branch) to export; committees that exist: {known}",
    },
    "cli.export.csv": {
        "zh": "已写入 {n} 个 CSV 文件，每张表一个（UTF-8 带 BOM）：",
        "en": "wrote {n} CSV files, one per sheet (UTF-8 with BOM):",
    },
    "cli.export.wrote": {"zh": "已写入 {path}", "en": "wrote {path}"},
    "cli.export.feedback": {
        "zh": "已把 {n} 个单位反馈文件写入 {out}",
        "en": "wrote {n} workplace feedback files to {out}",
    },
    "cli.demo.cannot_serve": {
        "zh": "ebranch demo：无法在 {where} 上提供服务（{reason}）：换一个端口试试，例如 --port 0",
        "en": "ebranch demo: cannot serve on {where} ({reason}); try --port 0",
    },
    # copy-db
    "copydb.no_from": {
        "zh": "配置中的数据库 {db} 不是 SQLite 文件：请用 --from 指明要复制的 SQLite 文件",
        "en": "the config's database {db} is not a SQLite file: name the SQLite file to copy with --from",
    },
    "copydb.starting": {
        "zh": "正在把 {source} 此刻的数据复制到 {target}…",
        "en": "copying {source} as it is now into {target}…",
    },
    "copydb.upgraded": {
        "zh": "{source} 的结构版本是 {old}：复制时已把副本升级到 {version}（原文件没有改动）",
        "en": "{source} has schema version {old}: its copy was upgraded to {version} on the way (the file itself is"
        " unchanged)",
    },
    "copydb.table": {"zh": "  {table}：{rows} 行", "en": "  {table}: {rows} rows"},
    "copydb.done": {
        "zh": "已复制到 {target}：{tables} 张表共 {rows} 行，结构版本 {version}；每张表的行数与源数据库一致，"
        "没有超额认领的微心愿，也没有人重复认领同一个微心愿。",
        "en": "copied into {target}: {rows} rows in {tables} tables, schema version {version}; every table has as"
        " many rows as the source, no wish holds more claims than slots and nobody claims one wish twice.",
    },
    "copydb.next": {
        "zh": "下一步：把 [general] database（或 EBRANCH_DATABASE）改成这个网址，再启动各个实例（见 docs/deploy.md）。"
        "如果复制时机器人还在运行，之后记录的内容不在副本里：正式切换时请先停止机器人，重新建库后再复制一次。",
        "en": "Next: set [general] database (or EBRANCH_DATABASE) to this URL and start the instances (see"
        " docs/deploy.md). If the bot was running during the copy, what it recorded afterwards is not in the copy:"
        " for the switch itself, stop the bot, recreate the database and copy again.",
    },
    "copydb.target_not_postgres": {
        "zh": "--to {target} 不是 PostgreSQL 数据库：请写成 postgresql://用户:密码@主机:端口/库名",
        "en": "--to {target} is not a PostgreSQL database: write it as postgresql://user:password@host:port/dbname",
    },
    "copydb.no_source": {
        "zh": "{path}：没有这个 SQLite 数据库：请检查 --from 或 [general] database",
        "en": "{path}: no such SQLite database: check --from or [general] database",
    },
    "copydb.source_unusable": {
        "zh": "无法读取 {path}：{reason}（请检查 --from 是否为 ebranch 的 SQLite 数据库，以及读取权限）",
        "en": "cannot read {path}: {reason} (check that --from is ebranch's SQLite database and can be read)",
    },
    "copydb.source_damaged": {
        "zh": "{path} 已损坏（{detail}）：什么也没有复制；请先用 ebranch restore 恢复一个完好的备份",
        "en": "{path} is damaged ({detail}); nothing was copied: restore a healthy backup first (ebranch restore)",
    },
    "copydb.source_not_ebranch": {
        "zh": "{path} 不是 ebranch 的数据库（没有结构版本）：请用 --from 指明机器人使用的数据库文件",
        "en": "{path} is not an ebranch database (no schema version): name the bot's database file with --from",
    },
    "copydb.source_too_new": {
        "zh": "{path} 的结构版本是 {version}，比这个 ebranch 认识的（{latest}）更新：请先升级 ebranch 再复制",
        "en": "{path} has schema version {version}, newer than this ebranch knows ({latest}); upgrade ebranch before"
        " copying it",
    },
    "copydb.target_unusable": {
        "zh": "无法连接 {target}：{reason}（请检查 --to 网址、用户名和密码，以及数据库是否已建好）",
        "en": "cannot connect to {target}: {reason} (check the --to URL, its user and password, and that the"
        " database exists)",
    },
    "copydb.target_too_new": {
        "zh": "{target} 的结构版本是 {version}，比这个 ebranch 认识的（{latest}）更新：什么也没有复制；请升级 ebranch",
        "en": "{target} has schema version {version}, newer than this ebranch knows ({latest}); nothing was copied:"
        " upgrade ebranch",
    },
    "copydb.target_not_empty": {
        "zh": "{target} 里已经有数据（{table} 表有 {rows} 行），没有改动：copy-db 只往空数据库里复制，"
        "请换一个新建的数据库，或确认不再需要后删掉重建",
        "en": "{target} already holds data ({table}: {rows} rows) and was left as it is: copy-db only fills an empty"
        " database; use a new one, or drop and recreate this one if its data is not needed",
    },
    "copydb.tables_differ": {
        "zh": "{target} 缺少这些表：{tables}：什么也没有复制；它可能属于另一个程序，请换一个新建的数据库",
        "en": "{target} lacks the tables {tables}; nothing was copied: it may belong to another program; use a new"
        " database",
    },
    "copydb.columns_differ": {
        "zh": "{table} 表在源和目标中的列不同（{columns}）：什么也没有复制；"
        "请用同一版本的 ebranch 建一个新的目标数据库",
        "en": "table {table} has different columns in the source and the target ({columns}); nothing was copied:"
        " use a new target database made by this version of ebranch",
    },
    "copydb.failed": {
        "zh": "复制 {table} 时失败：{reason}；已全部撤销，{target} 仍是空的",
        "en": "copying {table} failed: {reason}; everything was rolled back and {target} is still empty",
    },
    "copydb.count_mismatch": {
        "zh": "{table} 表复制后有 {target} 行，源数据库有 {source} 行：已全部撤销，目标数据库仍是空的",
        "en": "table {table} has {target} rows after the copy but {source} in the source; everything was rolled back"
        " and the target is still empty",
    },
    "copydb.overfilled": {
        "zh": "微心愿 {wish} 有 {claims} 个有效认领，名额只有 {slots} 个：已全部撤销，目标数据库仍是空的；"
        "请先在源数据库里处理这个微心愿",
        "en": "wish {wish} holds {claims} active claims for {slots} slots; everything was rolled back and the target"
        " is still empty: settle that wish in the source first",
    },
    "copydb.double_claim": {
        "zh": "党员 {member} 对微心愿 {wish} 有 {claims} 个有效认领：已全部撤销，目标数据库仍是空的；"
        "请先在源数据库里处理",
        "en": "member {member} holds {claims} active claims on wish {wish}; everything was rolled back and the target"
        " is still empty: settle it in the source first",
    },
    # the demo
    "demo.starting": {
        "zh": "ebranch demo：正在启动沙盒、机器人和示例数据…",
        "en": "ebranch demo: starting the sandbox, the bot and the seed data…",
    },
    "demo.seeding": {"zh": "  正在准备：{what}…", "en": "  seeding: {what}…"},
    "demo.seed.people": {"zh": "人员和他们的私聊", "en": "people and their private chats"},
    "demo.seed.groups": {"zh": "e党委和三个e支部群", "en": "the committee and three e-branch groups"},
    "demo.seed.report_in": {"zh": "党员报到", "en": "members reporting in"},
    "demo.seed.wishes": {"zh": "书记发布微心愿", "en": "secretaries posting micro-wishes"},
    "demo.seed.claims": {"zh": "党员认领微心愿", "en": "members claiming them"},
    "demo.seed.done": {"zh": "服务完成、确认、记录", "en": "service reported done, confirmed, logged"},
    "demo.ready": {
        "zh": "\n  ebranch demo 已就绪：请打开 {url}\n  （按 Ctrl+C 停止；演示数据库会被删除）\n",
        "en": "\n  ebranch demo is ready: open {url}\n  (Ctrl+C to stop; the demo database is deleted)\n",
    },
    "demo.stopping": {
        "zh": "ebranch demo：正在停止并删除演示数据库…",
        "en": "ebranch demo: stopping and deleting the demo database…",
    },
    "demo.stopped": {"zh": "ebranch demo：已停止", "en": "ebranch demo: stopped"},
    # the database
    "db.lock_unusable": {
        "zh": "无法使用数据库 {path}："
        "{reason}（请检查 [general] database 或 EBRANCH_DATABASE：所在文件夹必须存在且可写）",
        "en": "cannot use the database {path}: {reason} (check [general] database / EBRANCH_DATABASE: its folder"
        " must exist and be writable)",
    },
    "db.in_use": {
        "zh": "{path} 正由一个运行中的 ebranch 使用（进程号 {pid}）：请先停止它——两个实例共用一个 SQLite"
        " 数据库会把每条消息回答两遍",
        "en": "{path} is already served by a running ebranch (pid {pid}); stop it first — two instances on one"
        " SQLite database would answer every update twice",
    },
    "db.unusable": {
        "zh": "无法使用数据库 {path}："
        "{reason}（请检查 [general] database 或 EBRANCH_DATABASE、文件夹权限和剩余磁盘空间，"
        "或用 ebranch restore 恢复备份）",
        "en": "cannot use the database {path}: {reason} (check [general] database / EBRANCH_DATABASE, the folder's"
        " permissions and free disk space, or restore a backup)",
    },
    "db.schema_too_new": {
        "zh": "数据库 {path} 的结构版本是 {version}，"
        "比这个 ebranch 认识的（{latest}）更新：请升级 ebranch，或恢复一个备份",
        "en": "database {path} has schema version {version}, newer than this ebranch knows ({latest}); upgrade"
        " ebranch or restore a backup",
    },
    "db.backup_damaged": {
        "zh": "{path} 已损坏（{detail}）：请换一个备份",
        "en": "{path} is damaged ({detail}); choose another backup",
    },
    "db.backup_too_new": {
        "zh": "{path} 的结构版本是 {version}，比这个 ebranch 认识的（{latest}）更新：请先升级 ebranch 再恢复",
        "en": "{path} has schema version {version}, newer than this ebranch knows ({latest}); upgrade ebranch"
        " before restoring it",
    },
    "db.backup_not_ebranch": {
        "zh": "{path} 不是 ebranch 的数据库：请选择由 ebranch backup 生成的文件",
        "en": "{path} is not an ebranch database; choose a file made by ebranch backup",
    },
    "platform.telegram_token": {
        "zh": "Telegram 拒绝了机器人令牌（{reason}）：请检查 [telegram] token 或 EBRANCH_TELEGRAM_TOKEN",
        "en": "Telegram refused the bot token ({reason}); check [telegram] token / EBRANCH_TELEGRAM_TOKEN",
    },
    # reasons the system gives in English
    "reason.no_such_file": {"zh": "文件或文件夹不存在", "en": "No such file or directory"},
    "reason.permission_denied": {"zh": "没有权限", "en": "Permission denied"},
    "reason.read_only_fs": {"zh": "文件系统是只读的", "en": "Read-only file system"},
    "reason.disk_full": {"zh": "磁盘已满", "en": "No space left on device"},
    "reason.is_directory": {"zh": "这是一个文件夹", "en": "Is a directory"},
    "reason.not_directory": {"zh": "路径中有一段不是文件夹", "en": "Not a directory"},
    "reason.not_a_database": {"zh": "这个文件不是数据库", "en": "file is not a database"},
    "reason.malformed": {"zh": "数据库文件已损坏", "en": "database disk image is malformed"},
    "reason.cannot_open": {"zh": "无法打开数据库文件", "en": "unable to open database file"},
    "reason.read_only_database": {"zh": "数据库是只读的", "en": "attempt to write a readonly database"},
    "reason.io_error": {"zh": "磁盘读写出错", "en": "disk I/O error"},
    "reason.locked": {"zh": "数据库被占用", "en": "database is locked"},
}
