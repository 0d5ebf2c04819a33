"""[verification], [certificate] and [points]: defaults, the example file's values, and clear refusals."""

from __future__ import annotations

import re
from dataclasses import fields
from pathlib import Path

import pytest

from bot.config import ConfigError, RecordsConfig, load_config
from tests.test_config import EXAMPLE, TOKEN, uncomment_settings, write


def test_defaults_keep_points_off_and_codes_short_lived(tmp_path: Path) -> None:
    records = load_config(write(tmp_path, "")).records

    assert records == RecordsConfig()
    assert (records.signin_minutes, records.checkin_tries, records.points_enabled) == (30, 5, False)


def test_the_example_files_commented_values_load(tmp_path: Path) -> None:
    path = write(tmp_path, uncomment_settings(EXAMPLE.read_text(encoding="utf-8")))

    records = load_config(path, {"EBRANCH_TELEGRAM_TOKEN": TOKEN}).records

    assert (records.responsible, records.contact) == ("张主任", "0573-12345678")
    assert records.points_per_self_reported_hour == 0.0 and records.activity_hours == 2.0


def test_every_records_setting_is_explained_in_the_example_file() -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    settings = set(re.findall(r"^(?:# )?(\w+) = ", text, flags=re.MULTILINE))
    for section in ("[verification]", "[certificate]", "[points]"):
        assert f"\n{section}\n" in text
    names = {f.name.removeprefix("points_") for f in fields(RecordsConfig)}
    assert names <= settings


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("[verification]\nsignin_minutes = 0\n", "verification.signin_minutes"),
        ("[verification]\nactivity_hours = 30\n", "verification.activity_hours"),
        ('[verification]\ncheckin_tries = "5"\n', "verification.checkin_tries"),
        ('[points]\nenabled = "yes"\n', "points.enabled"),
        ("[points]\nper_verified_hour = -1\n", "points.per_verified_hour"),
        ("[certificate]\ncontact = 12345\n", "certificate.contact"),
        ('[certificate]\nseal = "x"\n', "certificate.seal"),
    ],
)
def test_a_wrong_value_names_its_key(tmp_path: Path, text: str, named: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, text), {})
    assert named in str(caught.value)
