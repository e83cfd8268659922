"""Settings: environment `LICENSEDESK_*`, then a TOML file, then defaults."""

from __future__ import annotations

import json
import tomllib
from datetime import timedelta
from pathlib import Path
from typing import Any, Literal

from pydantic import SecretStr, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from models.location import APP, config_path, default_data_dir
from models.timeutil import parse_duration

__all__ = ["APP", "Settings", "config_path", "default_data_dir", "load_settings", "remember"]

class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LICENSEDESK_", extra="ignore")

    data_dir: Path = default_data_dir()
    database_url: str | None = None
    staff_email: str | None = None
    staff_name: str | None = None
    theme: str | None = None

    overdue_after: timedelta = timedelta(hours=48)
    invite_expiry: timedelta = timedelta(days=7)
    rate_limit_per_org: int = 200
    rate_limit_window: timedelta = timedelta(hours=24)
    scan_period: timedelta = timedelta(seconds=30)

    signup_url: str = "http://127.0.0.1:8080/invite/"
    secret_file: Path | None = None

    mail_from: str = "licensedesk <licensedesk@localhost>"
    smtp_host: str | None = None
    smtp_port: int | None = None
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
    smtp_connections: int = 1
    outbox_lease: timedelta = timedelta(minutes=2)

    @field_validator(
        "overdue_after", "invite_expiry", "rate_limit_window", "scan_period", "smtp_timeout",
        "smtp_retry_base", "smtp_retry_cap", "smtp_give_up_after", "outbox_lease",
        mode="before",
    )
    @classmethod
    def _duration(cls, value: Any) -> timedelta:
        return parse_duration(value)

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
        toml = TomlConfigSettingsSource(settings_cls, toml_file=config_path())
        return (init_settings, env_settings, toml)


def load_settings(**overrides: Any) -> Settings:
    return Settings(**{k: v for k, v in overrides.items() if v is not None})


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
