"""Issue 10: settings are checked when they load; a bad one is SettingsError, one line that
names it as the person wrote it. LICENSEDESK_MAIL_FROM in detail; durations never raise
anything but ValueError, whatever they are given."""

from __future__ import annotations

import math
import os
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from models.settings import Settings, SettingsError, check_mail_from, load_settings
from models.timeutil import parse_duration

LINE_BREAKS = ["\r", "\n", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"]


def refused(**env: str) -> str:
    for name, value in env.items():
        os.environ[name] = value
    try:
        with pytest.raises(SettingsError) as caught:
            load_settings()
    finally:
        for name in env:
            del os.environ[name]
    message = str(caught.value)
    assert "\n" not in message and message.isprintable(), message
    return message


@pytest.mark.parametrize(("name", "value", "says"), [
    ("OVERDUE_AFTER", "bogus", "not a duration"),
    ("OVERDUE_AFTER", "-1h", "not a duration"),
    ("OVERDUE_AFTER", "999999999999d", "too long"),
    ("OVERDUE_AFTER", "3651d", "longer than 3650 days"),
    ("OVERDUE_AFTER", "0s", "more than 0"),
    ("RATE_LIMIT_PER_ORG", "abc", "valid integer"),
    ("RATE_LIMIT_PER_ORG", "0", "greater than or equal to 1"),
    ("SMTP_SECURITY", "bogus", "'starttls', 'tls' or 'none'"),
    ("SMTP_PORT", "abc", "valid integer"),
    ("SMTP_PORT", "70000", "less than or equal to 65535"),
    ("DATABASE_URL", "bogus://x", "not a database this program uses"),
    ("MAIL_FROM", "x\u2028 <a@b.example>", "'\\u2028'"),
])
def test_each_bad_setting_is_named(name: str, value: str, says: str) -> None:
    message = refused(**{f"LICENSEDESK_{name}": value})
    assert message.startswith(f"LICENSEDESK_{name}: ") and says in message


def test_the_defaults_load_and_are_kept_as_written() -> None:
    s = load_settings()
    assert s.mail_from == "licensedesk <licensedesk@localhost>"
    assert s.overdue_after == timedelta(hours=48) and s.smtp_security == "starttls"


def test_an_empty_variable_is_unset() -> None:
    os.environ["LICENSEDESK_SMTP_PORT"] = ""
    try:
        assert load_settings().smtp_port is None
    finally:
        del os.environ["LICENSEDESK_SMTP_PORT"]


def test_zero_is_allowed_where_it_means_at_once() -> None:
    os.environ["LICENSEDESK_SMTP_RETRY_BASE"] = "0s"
    try:
        assert load_settings().smtp_retry_base == timedelta(0)
    finally:
        del os.environ["LICENSEDESK_SMTP_RETRY_BASE"]


def test_a_bad_value_in_the_config_file_names_the_key_and_the_file(
        short_config: Path) -> None:
    config = short_config
    config.write_text('invite_expiry = "soon"\n')
    with pytest.raises(SettingsError, match=r"^invite_expiry in '.*config\.toml': not a dur"):
        load_settings()
    config.write_text("invite_expiry = \n")
    with pytest.raises(SettingsError, match=r"^config file '.*config\.toml': "):
        load_settings()


def test_an_override_is_named_as_the_person_gave_it() -> None:
    with pytest.raises(SettingsError, match=r"^--as: contains the character '\\n'"):
        load_settings(labels={"staff_email": "--as"}, staff_email="a\n@b.example")


def test_settings_made_in_code_are_checked_too() -> None:
    with pytest.raises(SettingsError, match=r"^setting smtp_port: "):
        Settings(smtp_port=0)


# LICENSEDESK_MAIL_FROM ---------------------------------------------------------------------

@pytest.mark.parametrize("value", [
    "licensedesk <licensedesk@localhost>",
    "support@partner.example",
    "Partner Support <support@partner.example>",
    '"Doe, Jo" <jo@partner.example>',
    '"Zoë Ünal" <zoe@partner.example>',
    "<support@partner.example>",
])
def test_a_plain_mailbox_is_kept_as_written(value: str) -> None:
    assert check_mail_from(value) == value
    assert Settings(mail_from=value).mail_from == value


@pytest.mark.parametrize(("value", "says"), [
    ("a@partner.example, b@partner.example", "one mailbox"),
    ("Doe, Jo <jo@partner.example>", "one mailbox"),
    ("group: a@partner.example;", "one mailbox"),
    ("Jo <jo@partner.example> trailing", "one mailbox"),
    ("Jo <jo@partner.example", "one mailbox"),
    ("jo@", "one mailbox"),
    ("", "is empty"),
    ("=?utf-8?q?Jo?= <jo@partner.example>", "'=?'"),
    ("Jo <jo=?x?=@partner.example>", "'=?'"),
    ("Jo\t<jo@partner.example>", "'\\t'"),
    ("Jo\u202e <jo@partner.example>", "'\\u202e'"),
    (os.fsdecode(b"Jo\xff <jo@partner.example>"), "'\\udcff'"),
])
def test_anything_else_is_refused_with_the_reason(value: str, says: str) -> None:
    with pytest.raises(ValueError) as caught:
        check_mail_from(value)
    assert says in str(caught.value)
    message = refused(LICENSEDESK_MAIL_FROM=value) if value else ""
    assert not value or message.startswith("LICENSEDESK_MAIL_FROM: ")


@given(st.text(max_size=20), st.sampled_from(LINE_BREAKS), st.text(max_size=20))
def test_no_line_break_of_any_kind_gets_through(head: str, brk: str, tail: str) -> None:
    with pytest.raises(ValueError, match="character"):
        check_mail_from(f"{head} <jo@partner.example>{brk}{tail}")
    with pytest.raises(ValueError, match=r"character|=\?"):
        check_mail_from(f"{head}{brk}{tail} <jo@partner.example>")


# Durations ------------------------------------------------------------------------------------

@given(st.one_of(st.integers(), st.floats(allow_nan=True, allow_infinity=True),
                 st.text(max_size=30), st.booleans(), st.lists(st.integers(), max_size=2)))
def test_a_duration_is_a_timedelta_or_a_value_error(value: object) -> None:
    try:
        out = parse_duration(value)  # type: ignore[arg-type]
    except ValueError:
        return
    assert isinstance(out, timedelta) and out >= timedelta(0)
    if isinstance(value, float):
        assert math.isfinite(value)


@pytest.mark.parametrize("value", ["999999999999d", "9" * 400 + "w", 10**30, 10**400,
                                   float("inf"), float("nan"), -1, "-1h", True])
def test_durations_out_of_range_are_value_errors(value: object) -> None:
    with pytest.raises(ValueError, match="duration"):
        parse_duration(value)  # type: ignore[arg-type]
