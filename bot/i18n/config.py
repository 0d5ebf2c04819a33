"""Texts of the config file's checks: each names the file and the key, says what is wrong and what to write."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "config.at": {"zh": "{file}：{key}：{problem}", "en": "{file}: {key}: {problem}"},
    "config.at_key": {"zh": "{key}：{problem}", "en": "{key}: {problem}"},
    # the file itself
    "config.file_not_found": {
        "zh": "找不到配置文件 {file}：请把 {example} 复制为 {file} 并填写（或用环境变量 {env} 指向您的配置文件）",
        "en": "config file {file} not found: copy {example} to {file} and fill it in"
        " (or point {env} at your config file)",
    },
    "config.file_is_dir": {
        "zh": "配置文件 {file} 是一个文件夹，不是 TOML 文件：请用 --config 指向 config.toml 文件本身",
        "en": "config file {file} is a directory, not a TOML file: point --config at the config.toml file itself",
    },
    "config.file_unreadable": {
        "zh": "无法读取配置文件 {file}：{reason}（请检查文件权限）",
        "en": "config file {file} cannot be read: {reason} (check the file's permissions)",
    },
    "config.file_not_utf8": {
        "zh": "{file}：不是 UTF-8 编码，请把配置文件另存为 UTF-8",
        "en": "{file}: not valid UTF-8; save the config file as UTF-8",
    },
    "config.file_bad_toml": {
        "zh": "{file}：第 {line} 行第 {column} 列不是有效的 TOML 写法（{what}）：请检查这一行的引号、等号和方括号",
        "en": "{file}: not valid TOML at line {line}, column {column} ({what}): check the quotes, = signs and"
        " brackets on that line",
    },
    "config.file_bad_toml_end": {
        "zh": "{file}：文件末尾不是有效的 TOML 写法（{what}）：请检查是否缺少结尾的引号或方括号",
        "en": "{file}: not valid TOML at the end of the file ({what}): check for a missing closing quote or bracket",
    },
    "config.toml.invalid_value": {
        "zh": "值无效，文字要加引号",
        "en": "invalid value; text needs quotes",
    },
    "config.toml.expected_equals": {"zh": "名称后面缺少 =", "en": "expected '=' after a key"},
    "config.toml.unclosed_array": {"zh": "列表缺少结尾的 ]", "en": "unclosed array"},
    "config.toml.unclosed_table": {"zh": "花括号里的内联表没有结尾", "en": "unclosed inline table"},
    "config.toml.unterminated_string": {"zh": "文字缺少结尾的引号", "en": "unterminated string"},
    "config.toml.twice": {"zh": "同一项或同一节写了两次", "en": "the same key or section is written twice"},
    "config.toml.bad_character": {"zh": "有不允许的字符", "en": "a character that is not allowed"},
    "config.toml.bad_date": {"zh": "日期或时间无效", "en": "invalid date or time"},
    "config.toml.bad_statement": {"zh": "无法识别这一行", "en": "invalid statement"},
    "config.toml.bad_key": {"zh": "名称的第一个字符不允许", "en": "invalid first character of a key"},
    "config.toml.bracket": {"zh": "节名缺少结尾的 ]", "en": "expected ']' at the end of a section name"},
    "config.unknown_section": {
        "zh": "{file}：未知的配置节 [{name}]{hint}",
        "en": "{file}: unknown section [{name}]{hint}",
    },
    "config.unknown_key": {"zh": "{file}：未知的配置项 {name}{hint}", "en": "{file}: unknown key {name}{hint}"},
    "config.hint_did_you_mean": {"zh": "（您是不是想写 {name}？）", "en": " (did you mean {name}?)"},
    "config.hint_belongs": {"zh": "（它应写在 [{section}] 节里）", "en": " (it belongs in the [{section}] section)"},
    "config.expected_table": {
        "zh": "应是一个配置节 [{name}]，实际是 {got}",
        "en": "expected a table [{name}], got {got}",
    },
    "config.no_platform": {
        "zh": "{file}：没有启用任何平台：请设置 [telegram] enabled = true 或 [wecom] enabled = true"
        "（或先试试本地演示：ebranch demo）",
        "en": "{file}: no platform is enabled: set [telegram] enabled = true or [wecom] enabled = true"
        " (or try the local demo: ebranch demo)",
    },
    # one key
    "config.missing": {"zh": "缺少此项；请在 [{section}] 中添加", "en": "missing; add it to [{section}]"},
    "config.top_level": {"zh": "顶层", "en": "top level"},
    "config.expected_bool": {"zh": "应为 true 或 false，实际是 {got}", "en": "expected true or false, got {got}"},
    "config.expected_text": {
        "zh": "应为带引号的文字，实际是 {got}",
        "en": "expected text in quotes, got {got}",
    },
    "config.expected_quoted": {"zh": "应为带引号的文字", "en": "expected text in quotes"},
    "config.empty": {"zh": "不能为空", "en": "must not be empty"},
    "config.expected_url": {
        "zh": "应为 http:// 或 https:// 开头的地址，实际是 {got}",
        "en": "expected an http:// or https:// address, got {got}",
    },
    "config.expected_https": {
        "zh": "应为 https:// 开头的地址，实际是 {got}",
        "en": "expected an https:// address, got {got}",
    },
    "config.expected_choice": {
        "zh": "应为 {options} 之一，实际是 {got}",
        "en": "expected one of {options}, got {got}",
    },
    "config.integer_quoted": {
        "zh": "应为整数，实际是 {got}；请去掉引号",
        "en": "expected a whole number, got {got}; write it without quotes",
    },
    "config.expected_integer": {"zh": "应为整数，实际是 {got}", "en": "expected a whole number, got {got}"},
    "config.out_of_range": {
        "zh": "应在 {low} 到 {high} 之间，实际是 {value}",
        "en": "must be between {low} and {high}, got {value}",
    },
    "config.expected_number": {"zh": "应为数字，实际是 {got}", "en": "expected a number, got {got}"},
    "config.number_range": {
        "zh": "应大于 {low} 且不超过 {high}，实际是 {value}",
        "en": "must be more than {low} and at most {high}, got {value}",
    },
    "config.expected_clock": {
        "zh": '应为 "HH:MM" 格式的时刻，例如 "09:00"，实际是 {got}',
        "en": 'expected a time of day "HH:MM" such as "09:00", got {got}',
    },
    "config.expected_weekday": {
        "zh": '应为星期几：0-6（0 是周一）或 "mon"、"周一" 这样的名称，实际是 {got}',
        "en": 'expected a weekday: 0-6 (0 is Monday) or a name such as "mon", got {got}',
    },
    "config.expected_int_list": {
        "zh": "应为整数列表，例如 [30, 60]，实际是 {got}",
        "en": "expected a list of whole numbers such as [30, 60], got {got}",
    },
    "config.list_out_of_range": {
        "zh": "每个值都应在 {low} 到 {high} 之间，实际有 {value}",
        "en": "every value must be between {low} and {high}, got {value}",
    },
    "config.expected_text_list": {
        "zh": '应为文字列表，例如 ["zhangsan"]，实际是 {got}',
        "en": 'expected a list of texts such as ["zhangsan"], got {got}',
    },
    "config.secret_missing": {
        "zh": "缺少此项；请在 [{section}] 中填写，或设置环境变量 {env}",
        "en": "missing; set it in [{section}] or in the environment variable {env}",
    },
    "config.secret_bad": {"zh": "{origin} 中的值不是{shape}", "en": "the value from {origin} is not {shape}"},
    "config.origin_env": {"zh": "环境变量 {env}", "en": "the environment variable {env}"},
    "config.origin_file": {"zh": "[{section}] {key}", "en": "[{section}] {key}"},
    "config.shape_telegram_token": {
        "zh": '从 @BotFather 获得的机器人令牌（形如 "123456789:AAE..."）',
        "en": 'a bot token from @BotFather, which looks like "123456789:AAE..."',
    },
    "config.shape_webhook_secret": {
        "zh": "1-256 个字母、数字、_ 或 -",
        "en": "1-256 letters, digits, _ or -",
    },
    "config.shape_wecom_token": {"zh": "1-32 个字母或数字", "en": "1-32 letters or digits"},
    "config.shape_aes_key": {
        "zh": "恰好 43 个字母和数字组成的 EncodingAESKey",
        "en": "an EncodingAESKey of exactly 43 letters and digits",
    },
    "config.postgres_url": {
        "zh": "{got} 不是可用的 PostgreSQL 地址；应形如 postgresql://用户:密码@主机:5432/数据库名",
        "en": "{got} is not a usable PostgreSQL URL; it looks like postgresql://user:password@host:5432/dbname",
    },
    "config.unknown_zone": {
        "zh": '未知的时区 {got}；请使用 IANA 时区名，例如 "Asia/Shanghai"',
        "en": 'unknown time zone {got}; use an IANA name such as "Asia/Shanghai"',
    },
    "config.expected_telegram_admins": {
        "zh": "应为 Telegram 数字用户 ID 的列表，实际是 {got}",
        "en": "expected a list of numeric Telegram user ids, got {got}",
    },
    "config.bad_telegram_admin": {
        "zh": "{value} 不是 Telegram 用户 ID（应在 1 到 {high} 之间）",
        "en": "{value} is not a Telegram user id (those are between 1 and {high})",
    },
    "config.expected_proxy": {
        "zh": "应为 http://、https://、socks5:// 或 socks5h://主机:端口，实际是 {got}",
        "en": "expected http://, https://, socks5:// or socks5h://host:port, got {got}",
    },
    "config.webhook_url_missing": {
        "zh": "缺少此项；Telegram 需要一个公网 https:// 地址来推送消息",
        "en": "missing; Telegram needs the public https:// address it should post updates to",
    },
    "config.expected_path": {
        "zh": '应为以 "/" 开头的路径，实际是 {got}',
        "en": 'expected a path starting with "/", got {got}',
    },
    "config.expected_instance_name": {
        "zh": "应为最多 63 个字母、数字或 .-_:@ 组成的名称，实际是 {got}",
        "en": "expected a name of at most 63 letters, digits or .-_:@, got {got}",
    },
    "config.expected_listen": {
        "zh": '应为 "主机:端口"，例如 "127.0.0.1:8090"，实际是 {got}',
        "en": 'expected "HOST:PORT", such as "127.0.0.1:8090", got {got}',
    },
    "config.health_cannot_listen": {
        "zh": "{file}：[health] listen 无法监听 {where}（{reason}）：换一个端口，或删掉 [health] 一节",
        "en": "{file}: [health] listen cannot listen on {where} ({reason}); pick another port or remove [health]",
    },
    "config.emergency_list_after": {
        "zh": "须晚于最后一次再提醒（reprompt_minutes 的最后一项是 {last} 分钟）",
        "en": "must come after the last re-prompt (reprompt_minutes ends at {last} minutes)",
    },
    "config.quiet_same": {
        "zh": "不能与 quiet_start 相同（免打扰时段从 quiet_start 到 quiet_end）",
        "en": "must differ from quiet_start (quiet hours run from start to end)",
    },
}
