"""The saved theme, read before the first frame without loading the settings machinery.

models.settings pulls in pydantic (as slow to import as Textual), so the console reads the
one key it needs at start-up straight from the same TOML file; everything else is loaded in
a worker after the first paint.
"""

from __future__ import annotations

import os

from models.location import config_values


def saved_theme() -> str | None:
    env = os.environ.get("LICENSEDESK_THEME")
    if env:
        return env
    value = config_values().get("theme")
    return value if isinstance(value, str) else None
