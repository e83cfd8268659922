"""Where the configuration and the data live, found without pydantic or SQLAlchemy.

The console reads these before its first frame (the saved theme, the first page of
clients); models.settings uses the same functions, so the two cannot drift apart.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

import platformdirs

APP = "licensedesk"


def config_path() -> Path:
    explicit = os.environ.get("LICENSEDESK_CONFIG")
    if explicit:
        return Path(explicit).expanduser()
    return Path(platformdirs.user_config_dir(APP)) / "config.toml"


def default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP))


def config_values() -> dict[str, Any]:
    try:
        return tomllib.loads(config_path().read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return {}


def setting(name: str) -> Any:
    """One setting as Settings would find it: environment first, then the TOML file."""
    env = os.environ.get(f"LICENSEDESK_{name.upper()}")
    return env if env else config_values().get(name)


def sqlite_file() -> Path | None:
    """The SQLite file Settings.resolved_database_url names, or None for another database."""
    url = setting("database_url")
    if url:
        return Path(url.removeprefix("sqlite:///")) if url.startswith("sqlite:///") else None
    data_dir = setting("data_dir")
    return (Path(data_dir) if data_dir else default_data_dir()) / "licensedesk.db"
