"""Start-up configuration: the example file works, and every mistake stops start-up with one clear line."""

from __future__ import annotations

import re
from dataclasses import fields
from datetime import time
from pathlib import Path

import pytest

from bot.config import (
    Config,
    ConfigError,
    EmergencyConfig,
    HealthConfig,
    SchedulerConfig,
    TelegramConfig,
    WebhookConfig,
    WeComConfig,
    default_config,
    load_config,
)

EXAMPLE = Path(__file__).resolve().parent.parent / "config.example.toml"
TOKEN = "123456789:AAEabcdefghijklmnopqrstuvwxyz0123456"
AES_KEY = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJ0123456"
WECOM_ENV = {
    "EBRANCH_WECOM_SECRET": "wecom-app-secret",
    "EBRANCH_WECOM_TOKEN": "CallbackToken42",
    "EBRANCH_WECOM_AES_KEY": AES_KEY,
}

TELEGRAM = f'[telegram]\ntoken = "{TOKEN}"\n'
WECOM = f"""[wecom]
corp_id = "ww0123456789abcdef"
agent_id = 1000002
secret = "s3cret"
token = "CallbackToken42"
aes_key = "{AES_KEY}"
"""


def write(tmp_path: Path, text: str, name: str = "config.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def config_error(path: Path, env: dict[str, str] | None = None) -> str:
    with pytest.raises(ConfigError) as caught:
        load_config(path, env or {})
    message = str(caught.value)
    assert "\n" not in message
    assert "Traceback" not in message
    return message


def enable_wecom(example_text: str) -> str:
    head, wecom = example_text.split("\n[wecom]\n")
    return head + "\n[wecom]\n" + wecom.replace("enabled = false", "enabled = true", 1)


def uncomment_settings(example_text: str) -> str:
    return re.sub(r"^# (\[telegram\.webhook\]|\[health\]|\w+ = .*)$", r"\1", example_text, flags=re.MULTILINE)


# The example file


def test_the_example_file_loads_with_the_bot_token_from_the_environment() -> None:
    config = load_config(EXAMPLE, {"EBRANCH_TELEGRAM_TOKEN": TOKEN})

    assert config.telegram is not None
    assert config.telegram.token == TOKEN
    assert config.telegram.webhook is None
    assert config.wecom is None
    assert config.locale == "zh"
    assert str(config.timezone) == "Asia/Shanghai"
    assert config.database == EXAMPLE.parent / "ebranch.sqlite3"
    assert config.scheduler == SchedulerConfig(at_risk_weekday=4, at_risk_time=time(10, 0))


def test_the_example_file_without_secrets_names_the_token_and_its_environment_variable() -> None:
    message = config_error(EXAMPLE)

    assert str(EXAMPLE) in message
    assert "telegram.token" in message
    assert "EBRANCH_TELEGRAM_TOKEN" in message


def test_the_example_wecom_section_works_once_enabled_with_secrets_from_the_environment(
    tmp_path: Path,
) -> None:
    path = write(tmp_path, enable_wecom(EXAMPLE.read_text(encoding="utf-8")))

    config = load_config(path, {"EBRANCH_TELEGRAM_TOKEN": TOKEN, **WECOM_ENV})

    assert config.wecom is not None
    assert config.wecom.corp_id == "ww0000000000000000"
    assert config.wecom.agent_id == 1000002
    assert config.wecom.secret == "wecom-app-secret"
    assert config.wecom.aes_key == AES_KEY
    assert (config.wecom.listen, config.wecom.port, config.wecom.path) == ("0.0.0.0", 8081, "/wecom/callback")
    assert config.wecom.max_clock_skew_seconds == 300


def test_the_settings_commented_out_in_the_example_are_real_settings(tmp_path: Path) -> None:
    path = write(tmp_path, uncomment_settings(EXAMPLE.read_text(encoding="utf-8")))

    config = load_config(path, {"EBRANCH_TELEGRAM_TOKEN": TOKEN})

    assert config.telegram is not None
    assert config.telegram.base_url == "http://localhost:8081/bot"
    assert config.telegram.webhook is not None
    assert config.telegram.webhook.url == "https://bot.example.org/telegram"
    assert config.telegram.webhook.secret_token is None
    assert config.instance_name == "bot-1"
    assert config.health == HealthConfig(host="127.0.0.1", port=8090)


def test_every_setting_is_explained_in_the_example_file() -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    settings = set(re.findall(r"^(?:# )?(\w+) = ", text, flags=re.MULTILINE))

    for section in ("[general]", "[telegram]", "# [telegram.webhook]", "[wecom]", "[scheduler]", "# [health]"):
        assert f"\n{section}\n" in text
    for settings_type in (TelegramConfig, WebhookConfig, WeComConfig, SchedulerConfig):
        assert {field.name for field in fields(settings_type)} - {"webhook"} <= settings
    assert {"timezone", "locale", "database", "log_level", "done_counts_as_served", "instance_name"} <= settings
    assert "listen" in settings


# Defaults and where things are found


def test_an_empty_file_gives_the_defaults_and_no_platform(tmp_path: Path) -> None:
    path = write(tmp_path, "")

    config = load_config(path, {})

    assert config == Config(path=path.resolve(), database=tmp_path.resolve() / "ebranch.sqlite3")
    assert config.scheduler.quiet_start == time(21, 0)
    assert config.scheduler.quiet_end == time(8, 0)
    assert config.scheduler.nudge_after_days == (30, 60)
    assert config.scheduler.digest_weekday == 0
    assert config.scheduler.reminder_time == time(10, 0)
    assert config.scheduler.feedback_time == time(9, 30)
    assert config.log_level == "INFO"
    assert config.done_counts_as_served is False


def test_a_relative_database_path_is_taken_from_the_config_folder_not_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "etc"
    folder.mkdir()
    path = write(folder, '[general]\ndatabase = "data/branches.sqlite3"\n')
    monkeypatch.chdir(tmp_path)

    assert load_config(path, {}).database == folder / "data" / "branches.sqlite3"


def test_without_a_path_the_file_named_by_ebranch_config_is_read(tmp_path: Path) -> None:
    path = write(tmp_path, '[general]\nlocale = "en"\n', name="elsewhere.toml")

    assert load_config(None, {"EBRANCH_CONFIG": str(path)}).locale == "en"


def test_without_a_path_or_variable_config_toml_in_the_working_directory_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path, '[general]\nlog_level = "debug"\n')
    monkeypatch.chdir(tmp_path)

    assert load_config(None, {}).log_level == "DEBUG"


def test_a_missing_file_says_how_to_start(tmp_path: Path) -> None:
    message = config_error(tmp_path / "config.toml")

    assert "not found" in message
    assert str(tmp_path / "config.toml") in message
    assert "config.example.toml" in message


def test_default_config_needs_no_file(tmp_path: Path) -> None:
    config = default_config(tmp_path / "demo.sqlite3", timezone="Europe/Berlin")

    assert config.database == tmp_path / "demo.sqlite3"
    assert str(config.timezone) == "Europe/Berlin"
    assert config.telegram is None and config.wecom is None
    assert config.scheduler == SchedulerConfig()


def test_default_config_refuses_an_unknown_time_zone(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"general\.timezone"):
        default_config(tmp_path / "demo.sqlite3", timezone="Mars/Olympus")


# Secrets from the environment


def test_the_environment_wins_over_the_file_for_every_secret(tmp_path: Path) -> None:
    path = write(tmp_path, TELEGRAM + WECOM)
    env = {"EBRANCH_TELEGRAM_TOKEN": "42:fromTheEnvironment", **WECOM_ENV, "EBRANCH_WECOM_TOKEN": "EnvToken"}

    config = load_config(path, env)

    assert config.telegram is not None and config.wecom is not None
    assert config.telegram.token == "42:fromTheEnvironment"
    assert config.wecom.secret == "wecom-app-secret"
    assert config.wecom.token == "EnvToken"
    assert config.wecom.aes_key == AES_KEY


def test_secrets_in_the_file_are_used_when_the_environment_has_none(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, TELEGRAM + WECOM), {})

    assert config.telegram is not None and config.wecom is not None
    assert config.telegram.token == TOKEN
    assert config.wecom.secret == "s3cret"


def test_ebranch_database_overrides_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, '[general]\ndatabase = "ignored.sqlite3"\n')
    target = tmp_path / "elsewhere" / "live.sqlite3"

    assert load_config(path, {"EBRANCH_DATABASE": str(target)}).database == target


@pytest.mark.parametrize(
    ("missing", "variable"),
    [
        ("secret", "EBRANCH_WECOM_SECRET"),
        ("token", "EBRANCH_WECOM_TOKEN"),
        ("aes_key", "EBRANCH_WECOM_AES_KEY"),
    ],
)
def test_an_enabled_wecom_without_a_secret_names_the_key_and_the_variable(
    tmp_path: Path, missing: str, variable: str
) -> None:
    text = "\n".join(line for line in WECOM.splitlines() if not line.startswith(f"{missing} ="))
    path = write(tmp_path, text)

    message = config_error(path)

    assert f"wecom.{missing}" in message
    assert variable in message
    assert str(path) in message


def test_a_malformed_secret_from_the_environment_is_named_but_never_shown(tmp_path: Path) -> None:
    path = write(tmp_path, "[telegram]\n")

    message = config_error(path, {"EBRANCH_TELEGRAM_TOKEN": "bot123456:leakedSecretValue"})

    assert "telegram.token" in message
    assert "EBRANCH_TELEGRAM_TOKEN" in message
    assert "leakedSecretValue" not in message


def test_secrets_do_not_appear_when_the_config_is_printed(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, TELEGRAM + WECOM), {})

    shown = repr(config)

    assert TOKEN not in shown
    assert AES_KEY not in shown
    assert "s3cret" not in shown


# Platforms switched off


def test_a_disabled_platform_is_none_and_needs_no_secrets(tmp_path: Path) -> None:
    path = write(tmp_path, '[telegram]\nenabled = false\ntoken = ""\n[wecom]\nenabled = false\n')

    config = load_config(path, {})

    assert config.telegram is None
    assert config.wecom is None


def test_a_typo_in_a_disabled_section_is_still_an_error(tmp_path: Path) -> None:
    message = config_error(write(tmp_path, "[wecom]\nenabled = false\ncorpid = 'x'\n"))

    assert "wecom.corpid" in message
    assert "did you mean wecom.corp_id?" in message


# Accepted spellings


@pytest.mark.parametrize(
    ("written", "weekday"), [("0", 0), ('"mon"', 0), ('"Friday"', 4), ('"SUN"', 6), ("3", 3), ('"周三"', 2)]
)
def test_weekdays_may_be_written_as_numbers_or_names(tmp_path: Path, written: str, weekday: int) -> None:
    path = write(tmp_path, f"[scheduler]\ndigest_weekday = {written}\n")

    assert load_config(path, {}).scheduler.digest_weekday == weekday


def test_times_may_be_quoted_or_toml_times(tmp_path: Path) -> None:
    path = write(tmp_path, '[scheduler]\ndigest_time = 07:30:00\nat_risk_time = "7:45"\n')

    scheduler = load_config(path, {}).scheduler

    assert scheduler.digest_time == time(7, 30)
    assert scheduler.at_risk_time == time(7, 45)


def test_the_daily_reminder_and_quarterly_feedback_times_are_settings(tmp_path: Path) -> None:
    path = write(tmp_path, '[scheduler]\nreminder_time = "8:15"\nfeedback_time = 14:00:00\n')

    scheduler = load_config(path, {}).scheduler

    assert (scheduler.reminder_time, scheduler.feedback_time) == (time(8, 15), time(14, 0))


def test_how_often_deadlines_are_looked_at_is_a_setting(tmp_path: Path) -> None:
    assert load_config(write(tmp_path, ""), {}).scheduler.deadline_check_minutes == 5
    path = write(tmp_path, "[scheduler]\ndeadline_check_minutes = 15\n")
    assert load_config(path, {}).scheduler.deadline_check_minutes == 15


def test_telegram_pacing_is_on_unless_turned_off(tmp_path: Path) -> None:
    assert load_config(write(tmp_path, TELEGRAM), {}).telegram == TelegramConfig(token=TOKEN, pace=True)
    off = load_config(write(tmp_path, TELEGRAM + "pace = false\n"), {}).telegram
    assert off is not None and off.pace is False


def test_nudge_days_are_kept_in_order(tmp_path: Path) -> None:
    path = write(tmp_path, "[scheduler]\nnudge_after_days = [60, 30, 75]\n")

    assert load_config(path, {}).scheduler.nudge_after_days == (30, 60, 75)


def test_a_telegram_webhook_with_its_secret_from_the_environment(tmp_path: Path) -> None:
    path = write(tmp_path, TELEGRAM + '[telegram.webhook]\nurl = "https://bot.example.org/hook"\nport = 443\n')

    config = load_config(path, {"EBRANCH_TELEGRAM_WEBHOOK_SECRET": "hook_secret-1"})

    assert config.telegram is not None
    assert config.telegram.webhook is not None
    assert config.telegram.webhook.port == 443
    assert config.telegram.webhook.listen == "0.0.0.0"
    assert config.telegram.webhook.secret_token == "hook_secret-1"


# Every mistake: one line naming the key and the file


def test_the_largest_telegram_user_id_is_accepted(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, TELEGRAM + f"admins = [1, {2**52}]\n"), {})

    assert config.telegram is not None and config.telegram.admins == (1, 2**52)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[general\n", "not valid TOML"),
        ("[telegarm]\n", "unknown section [telegarm] (did you mean [telegram]?)"),
        ('[general]\ntimezon = "UTC"\n', "unknown key general.timezon (did you mean general.timezone?)"),
        ('timezone = "UTC"\n', "unknown key timezone (it belongs in the [general] section)"),
        ('general = "x"\n', "general: expected a table [general]"),
        ('[general]\ntimezone = "Mars/Olympus"\n', "general.timezone: unknown time zone"),
        ('[general]\nlocale = "fr"\n', "general.locale: expected one of zh, en"),
        ('[general]\nlog_level = "loud"\n', "general.log_level"),
        (
            '[general]\ndone_counts_as_served = "yes"\n',
            "general.done_counts_as_served: expected true or false",
        ),
        ('[general]\ndatabase = ""\n', "general.database: must not be empty"),
        ('[telegram]\ntoken = "not a token"\n', "telegram.token"),
        ("[telegram]\nenabled = 1\n", "telegram.enabled: expected true or false"),
        (TELEGRAM + 'admins = ["alice"]\n', "telegram.admins"),
        (TELEGRAM + "admins = [1234567890123456789012345678901]\n", "telegram.admins: 1234567890123456789012345678901"),
        (TELEGRAM + f"admins = [{2**52 + 1}]\n", "telegram.admins"),
        (TELEGRAM + "admins = [0]\n", "telegram.admins"),
        (TELEGRAM + "admins = [-5]\n", "telegram.admins"),
        (TELEGRAM + 'base_url = "ftp://example.org"\n', "telegram.base_url"),
        (TELEGRAM + "card_edit_interval = 0\n", "telegram.card_edit_interval"),
        (TELEGRAM + 'webhook = "yes"\n', "telegram.webhook: expected a table"),
        (TELEGRAM + '[telegram.webhook]\nurl = "http://plain.example.org"\n', "telegram.webhook.url"),
        (TELEGRAM + "[telegram.webhook]\nport = 443\n", "telegram.webhook.url: missing"),
        (TELEGRAM + '[telegram.webhook]\nurl = "https://a.b/c"\nport = 70000\n', "telegram.webhook.port"),
        (
            TELEGRAM + '[telegram.webhook]\nurl = "https://a.b/c"\nprot = 8443\n',
            "did you mean telegram.webhook.port?",
        ),
        (WECOM.replace('corp_id = "ww0123456789abcdef"\n', ""), "wecom.corp_id: missing"),
        (
            WECOM.replace("agent_id = 1000002", 'agent_id = "1000002"'),
            "wecom.agent_id: expected a whole number",
        ),
        (WECOM.replace(AES_KEY, AES_KEY[:-1]), "wecom.aes_key"),
        (WECOM.replace('token = "CallbackToken42"', 'token = "has spaces"'), "wecom.token"),
        (WECOM + "port = 0\n", "wecom.port: must be between 1 and 65535"),
        (WECOM + 'path = "callback"\n', "wecom.path"),
        (WECOM + "admins = [1, 2]\n", "wecom.admins"),
        (WECOM + "max_clock_skew_seconds = 0\n", "wecom.max_clock_skew_seconds"),
        (WECOM + 'max_clock_skew_seconds = "5m"\n', "wecom.max_clock_skew_seconds"),
        ('[scheduler]\nquiet_start = "25:00"\n', "scheduler.quiet_start"),
        ('[scheduler]\nquiet_start = "08:00"\n', "scheduler.quiet_end: must differ from quiet_start"),
        ("[scheduler]\nnudge_after_days = [0, 30]\n", "scheduler.nudge_after_days"),
        ("[scheduler]\nnudge_after_days = 30\n", "scheduler.nudge_after_days"),
        ("[scheduler]\npause_days = 0\n", "scheduler.pause_days"),
        ("[scheduler]\nunclaimed_reminder_days = -2\n", "scheduler.unclaimed_reminder_days"),
        ("[scheduler]\nrelease_after_days = 1.5\n", "scheduler.release_after_days"),
        ("[scheduler]\nweekly_in_last_weeks = -1\n", "scheduler.weekly_in_last_weeks"),
        ('[scheduler]\ndigest_weekday = "someday"\n', "scheduler.digest_weekday"),
        ("[scheduler]\nat_risk_weekday = 7\n", "scheduler.at_risk_weekday"),
        ('[scheduler]\ndigest_time = "9am"\n', "scheduler.digest_time"),
        ('[scheduler]\nreminder_time = "10"\n', "scheduler.reminder_time"),
        ("[scheduler]\nfeedback_time = 930\n", "scheduler.feedback_time"),
        ("[scheduler]\ndeadline_check_minutes = 0\n", "scheduler.deadline_check_minutes: must be between 1 and 30"),
        ("[scheduler]\ndeadline_check_minutes = 60\n", "scheduler.deadline_check_minutes: must be between 1 and 30"),
        (TELEGRAM + 'pace = "yes"\n', "telegram.pace"),
        ('[scheduler]\nenabled = "no"\n', "scheduler.enabled"),
    ],
)
def test_each_mistake_stops_start_up_with_one_line_naming_the_key_and_the_file(
    tmp_path: Path, text: str, expected: str
) -> None:
    path = write(tmp_path, text)

    message = config_error(path)

    assert message.startswith(f"{path}: ")
    assert expected in message


def test_a_file_that_is_not_utf8_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_bytes('[general]\nlocale = "中文"\n'.encode("gbk"))

    assert "UTF-8" in config_error(path)


def test_a_folder_instead_of_a_file_is_one_line(tmp_path: Path) -> None:
    assert "directory" in config_error(tmp_path)


# Emergency mode (战时应急)


def test_the_emergency_section_uncommented_in_the_example_gives_its_defaults(tmp_path: Path) -> None:
    path = write(tmp_path, uncomment_settings(EXAMPLE.read_text(encoding="utf-8")))

    config = load_config(path, {"EBRANCH_TELEGRAM_TOKEN": TOKEN})

    assert config.emergency == EmergencyConfig()
    assert {field.name for field in fields(EmergencyConfig)} <= set(
        re.findall(r"^(?:# )?(\w+) = ", EXAMPLE.read_text(encoding="utf-8"), flags=re.MULTILINE)
    )


def test_emergency_posts_and_reprompts_are_read_and_a_list_before_the_last_reprompt_is_refused(tmp_path: Path) -> None:
    good = write(
        tmp_path, '[emergency]\nposts = [" 物资配送 ", "核酸采样"]\nreprompt_minutes = [5]\nlist_after_minutes = 15\n'
    )
    config = load_config(good, {})
    assert config.emergency.posts == ("物资配送", "核酸采样") and config.emergency.reprompt_minutes == (5,)

    bad = write(tmp_path, "[emergency]\nreprompt_minutes = [10, 30]\nlist_after_minutes = 20\n", "bad.toml")
    message = config_error(bad)
    assert "list_after_minutes" in message and "30" in message
    assert "reprompt_minute" in config_error(write(tmp_path, "[emergency]\nreprompt_minute = [5]\n", "typo.toml"))


def test_emergency_prompts_reach_paused_members_unless_respect_pauses_is_set(tmp_path: Path) -> None:
    assert not load_config(write(tmp_path, "[emergency]\n"), {}).emergency.respect_pauses
    config = load_config(write(tmp_path, "[emergency]\nrespect_pauses = true\n", "pauses.toml"), {})
    assert config.emergency.respect_pauses and not config.emergency.respect_quiet_hours
    assert "respect_pauses" in config_error(write(tmp_path, '[emergency]\nrespect_pauses = "yes"\n', "bad.toml"))
