"""The saved theme, read before the first frame without loading the settings machinery.

models.settings pulls in pydantic (as slow to import as Textual), so the console reads the
one key it needs at start-up straight from the same TOML file; everything else is loaded in
a worker after the first paint. Keep `_config_path` in step with models.settings.config_path.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path


def _config_path() -> Path:
    explicit = os.environ.get("LICENSEDESK_CONFIG")
    if explicit:
        return Path(explicit).expanduser()
    import platformdirs

    return Path(platformdirs.user_config_dir("licensedesk")) / "config.toml"


def saved_theme() -> str | None:
    env = os.environ.get("LICENSEDESK_THEME")
    if env:
        return env
    try:
        value = tomllib.loads(_config_path().read_text(encoding="utf-8")).get("theme")
    except (OSError, tomllib.TOMLDecodeError):
        return None
    return value if isinstance(value, str) else None
