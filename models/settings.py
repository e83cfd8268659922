"""Settings: environment `LICENSEDESK_*`, then a TOML file, then defaults.

Every value is checked when the settings load, and a bad one stops start-up with
`SettingsError`: one line that names the setting as the person wrote it (the environment
variable, or the key and the config file) and says what would be accepted. Nothing is
silently rewritten to something the person did not type.
"""

from __future__ import annotations

import json
import os
import re
import tomllib
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import (
    BaseSettings,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from models.errors import DomainError
from models.location import APP, config_path, default_data_dir
from models.timeutil import parse_duration

__all__ = [
    "APP", "Settings", "SettingsError", "check_mail_from", "config_path", "default_data_dir",
    "load_settings", "quote", "remember",
]

ENV_PREFIX = "LICENSEDESK_"
MAX_DURATION = timedelta(days=3650)
DURATIONS = (
    "overdue_after", "invite_expiry", "rate_limit_window", "scan_period", "smtp_timeout",
    "smtp_retry_base", "smtp_retry_cap", "smtp_give_up_after", "outbox_lease",
)
# Retrying at once is a choice (tests and local relays make it); every other period is > 0.
ZERO_ALLOWED = frozenset({"smtp_retry_base"})
SECRET_FIELDS = frozenset({"smtp_password"})
# The words a bool setting takes (pydantic's), for the settings that also take a word.
_ON = frozenset({"1", "true", "t", "yes", "y", "on"})
_OFF = frozenset({"0", "false", "f", "no", "n", "off"})
DATABASE_SCHEMES = ("sqlite", "postgresql", "postgres", "postgresql+psycopg")


class SettingsError(Exception):
    """A setting that cannot be used. `str(err)` is one line: which setting, what is wrong,
    what would be accepted. `field` names the setting when there is one."""

    def __init__(self, message: str, field: str | None = None, problem: str = "") -> None:
        super().__init__(message)
        self.field = field
        self.problem = problem or message


def quote(value: object, limit: int = 80) -> str:
    """`repr` of user text, cut to `limit` characters: printable, one line, always quoted."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 4] + "...'"


def _nonprintable(value: str) -> str | None:
    """The first character that must not be in a setting (control, line break, format,
    surrogate from bytes that were not UTF-8), escaped; None when there is none."""
    for ch in value:
        if ch != " " and not ch.isprintable():
            return quote(ch)
    return None


def check_mail_from(value: str) -> str:
    """LICENSEDESK_MAIL_FROM: exactly one mailbox, `Name <addr@domain>` or `addr@domain`.

    No control or line-break character of any kind, no RFC 2047 encoded word (`=?`), and an
    address email-validator accepts; `localhost` is allowed as the domain (the default's,
    for the local catcher). The value is kept as written, spaces at either end aside.
    """
    text = value.strip(" ")
    bad = _nonprintable(text)
    if bad is not None:
        raise ValueError(f"contains the character {bad}; a From is one line of plain text")
    if "=?" in text:
        raise ValueError("contains '=?': encoded words are not allowed, write the name as is")
    if not text:
        raise ValueError("is empty; use e.g. 'Partner Support <support@partner.example>'")
    from email.utils import parseaddr

    from email_validator import EmailNotValidError, validate_email

    # email-validator refuses special-use names such as localhost; the default's local
    # catcher needs it, so that one domain is checked as if it were a real one.
    probe = re.sub(r"@localhost(>?)$", r"@localhost.example\1", text, flags=re.IGNORECASE)
    try:
        info = validate_email(probe, check_deliverability=False, allow_display_name=True)
    except EmailNotValidError as err:
        raise ValueError(f"is not one mailbox like 'Name <addr@domain>': {err}") from None
    # The mail composer reads it with the standard library: it must see the same thing.
    if parseaddr(probe) != (info.display_name or "", info.original):
        raise ValueError("is not one mailbox like 'Name <addr@domain>'; quote a name that "
                         "holds punctuation: '\"Doe, Jo\" <jo@partner.example>'")
    return text


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="ignore",
                                      env_ignore_empty=True)

    data_dir: Path = default_data_dir()
    database_url: str | None = None
    staff_email: str | None = None
    staff_name: str | None = None
    theme: str | None = None
    # The text cursor blinks; None: not over SSH (SSH_CONNECTION set), where each blink is
    # bytes on the wire. Read once at start by the console (`tui.prefs.cursor_blink`).
    blink: bool | None = None
    # Mouse tracking in the console: "on" (clicks, wheel, drags), "hover" (pointer motion too)
    # or "off" (the terminal's own selection); yes/no, true/false, 1/0 are on/off. Read once
    # at start by the console (`tui.prefs.mouse_mode`), switched there at run time.
    mouse: Literal["on", "hover", "off"] = "on"

    overdue_after: timedelta = timedelta(hours=48)
    invite_expiry: timedelta = timedelta(days=7)
    rate_limit_per_org: int = Field(default=200, ge=1, le=1_000_000_000)
    rate_limit_window: timedelta = timedelta(hours=24)
    scan_period: timedelta = timedelta(seconds=30)
    # Automatic reminders at these ages of each send, e.g. "24h,72h"; empty: off (issue 13).
    auto_remind: Annotated[tuple[timedelta, ...], NoDecode] = ()

    signup_url: str = "http://127.0.0.1:8080/invite/"
    secret_file: Path | None = None

    mail_from: str = "licensedesk <licensedesk@localhost>"
    smtp_host: str | None = None
    smtp_port: int | None = Field(default=None, ge=1, le=65535)
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_password_file: Path | None = None
    smtp_security: Literal["starttls", "tls", "none"] = "starttls"
    smtp_allow_insecure: bool = False
    smtp_ca_file: Path | None = None  # trust this CA bundle for the relay (a private CA)
    smtp_timeout: timedelta = timedelta(seconds=30)
    smtp_retry_base: timedelta = timedelta(seconds=30)
    smtp_retry_cap: timedelta = timedelta(hours=1)
    smtp_give_up_after: timedelta = timedelta(days=4)
    smtp_connections: int = Field(default=1, ge=1, le=64)
    # Renewed by a live relay every third of it (heartbeat): a killed relay's mails go back
    # to the queue within this long.
    outbox_lease: timedelta = timedelta(seconds=12)

    def __init__(self, **values: Any) -> None:
        try:
            super().__init__(**values)
        except ValidationError as err:
            field, problem = _explain(err)
            raise SettingsError(f"{_where(field, set(values))}: {problem}", field,
                                problem) from None

    @field_validator(*DURATIONS, mode="before")
    @classmethod
    def _duration(cls, value: Any) -> timedelta:
        return parse_duration(value)

    @field_validator(*DURATIONS)
    @classmethod
    def _duration_bounds(cls, value: timedelta, info: Any) -> timedelta:
        if value > MAX_DURATION:
            raise ValueError(f"is longer than {MAX_DURATION.days} days")
        if value <= timedelta(0) and not (info.field_name in ZERO_ALLOWED and not value):
            raise ValueError("must be more than 0 (use e.g. 90s, 15m, 48h, 7d)")
        return value

    @field_validator("mouse", mode="before")
    @classmethod
    def _mouse(cls, value: Any) -> Any:
        word = str(value).strip().lower()
        if isinstance(value, bool) or word in _ON | _OFF:
            return "on" if word in _ON else "off"
        return word if isinstance(value, str) else value

    @field_validator("auto_remind", mode="before")
    @classmethod
    def _auto_remind(cls, value: Any) -> tuple[timedelta, ...]:
        from models.reminders import parse_schedule

        return parse_schedule(value)

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        scheme, sep, rest = value.partition("://")
        if not sep or scheme.lower() not in DATABASE_SCHEMES or not rest:
            raise ValueError(
                f"{quote(value)} is not a database this program uses; use "
                "sqlite:////path/to/licensedesk.db or postgresql://user@host/dbname")
        if scheme.lower() == "sqlite" and (not rest.startswith("/") or rest[1:].partition(
                "?")[0] in ("", ":memory:")):
            raise ValueError("a SQLite URL names a file: sqlite:////absolute/path.db "
                             "or sqlite:///relative/path.db")
        return value

    @field_validator("mail_from")
    @classmethod
    def _mail_from(cls, value: str) -> str:
        return check_mail_from(value)

    @field_validator("staff_email")
    @classmethod
    def _staff_email(cls, value: str | None) -> str | None:
        """Only pre-fills the first lead's profile, but a bad one is said here, by name."""
        if value is None or not value.isprintable():
            return value  # None, or refused below with every setting's control-character rule
        from models.text import normalize_email

        try:
            return normalize_email(value)[0]
        except DomainError as err:
            raise ValueError(str(err)) from None

    @field_validator("signup_url")
    @classmethod
    def _signup_url(cls, value: str) -> str:
        from urllib.parse import urlsplit

        try:
            url = urlsplit(value)
            url.port  # noqa: B018  (raises ValueError for a port out of range)
        except ValueError as err:
            raise ValueError(f"{quote(value)} is not a URL: {err}") from None
        if url.scheme not in ("http", "https") or not url.hostname:
            raise ValueError(f"{quote(value)} must be an http:// or https:// URL; links are "
                             "this plus the token")
        return value

    @field_validator("*")
    @classmethod
    def _plain_text(cls, value: Any, info: Any) -> Any:
        """No setting holds control characters, line breaks, or bytes that were not UTF-8."""
        if isinstance(value, str | Path):
            bad = _nonprintable(str(value))
            if bad is not None:
                raise ValueError(f"contains the character {bad} (a control, line-break or "
                                 "invisible character, or bytes that are not UTF-8); write "
                                 "it without")
        return value

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'licensedesk.db'}"

    @property
    def resolved_secret_file(self) -> Path:
        if self.secret_file:
            return self.secret_file
        url = self.resolved_database_url
        if url.startswith("sqlite:///"):
            # Beside the database, so a team sharing one file shares the key too.
            return Path(url.removeprefix("sqlite:///") + ".key")
        return self.data_dir / "secret.key"

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        path = config_path()
        try:
            if path.exists() and not path.is_file():
                raise IsADirectoryError(0, "not a file")
            toml = TomlConfigSettingsSource(settings_cls, toml_file=path)
        except (OSError, ValueError) as err:  # TOMLDecodeError and UnicodeDecodeError too
            reason = err.strerror if isinstance(err, OSError) and err.strerror else str(err)
            raise SettingsError(
                f"config file {quote(str(path))}: {reason}; fix it, or set "
                "LICENSEDESK_CONFIG to another file") from None
        return (init_settings, env_settings, toml)


def _toml_keys() -> set[str]:
    try:
        return set(tomllib.loads(config_path().read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return set()


def _where(field: str, given: set[str]) -> str:
    """The setting as the person wrote it: init argument, environment variable, TOML key."""
    if field in given:
        return f"setting {field}"
    env = f"{ENV_PREFIX}{field}".upper()
    if any(k.upper() == env and v for k, v in os.environ.items()):
        return env
    if field in _toml_keys():
        return f"{field} in {quote(str(config_path()))}"
    return f"setting {field} ({env})"


def _explain(err: ValidationError) -> tuple[str, str]:
    """The first problem of a ValidationError: the setting, and what is wrong with it."""
    first = err.errors(include_url=False)[0]
    field = str(first["loc"][0]) if first["loc"] else "settings"
    msg = str(first["msg"]).removeprefix("Value error, ")
    if first["type"] != "value_error" and field not in SECRET_FIELDS:
        msg = f"{msg[:1].lower()}{msg[1:]}, got {quote(first.get('input'))}"
    return field, msg


def load_settings(labels: dict[str, str] | None = None, **overrides: Any) -> Settings:
    """The settings, checked; SettingsError (one line naming the setting) when one is bad.

    `overrides` win over every other source; `labels` says how the person gave each one
    (`{"staff_email": "--as"}`), for the message when it is refused.
    """
    given = {k: v for k, v in overrides.items() if v is not None}
    try:
        return Settings(**given)
    except SettingsError as err:
        if err.field in given and labels and err.field in labels:
            raise SettingsError(f"{labels[err.field]}: {err.problem}", err.field,
                                err.problem) from None
        raise


def remember(**values: str) -> Path:
    """Write flat string keys into the TOML config, keeping what is already there."""
    path = config_path()
    current: dict[str, Any] = {}
    if path.exists():
        current = tomllib.loads(path.read_text(encoding="utf-8"))
    current.update(values)
    path.parent.mkdir(parents=True, exist_ok=True)
    # JSON string escapes are valid TOML basic strings.
    lines = [f"{k} = {json.dumps(v) if isinstance(v, str) else json.dumps(str(v))}"
             for k, v in current.items() if isinstance(v, str | int | float)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
