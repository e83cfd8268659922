"""The saved theme, the cursor blink and the mouse, read before the first frame without
loading the settings machinery.

models.settings pulls in pydantic (as slow to import as Textual), so the console reads the
keys it needs at start-up straight from the same TOML file; everything else is loaded in
a worker after the first paint.
"""

from __future__ import annotations

import os
from typing import Literal

from models.location import config_values, setting


def saved_theme() -> str | None:
    env = os.environ.get("LICENSEDESK_THEME")
    if env:
        return env
    value = config_values().get("theme")
    return value if isinstance(value, str) else None


# What pydantic accepts for a bool setting, so the quick read agrees with `Settings.blink`.
_TRUE = frozenset({"1", "true", "t", "yes", "y", "on"})
_FALSE = frozenset({"0", "false", "f", "no", "n", "off"})


def cursor_blink() -> bool:
    """Whether text cursors blink (`LICENSEDESK_BLINK`, or `blink` in the config file);
    unset: off over SSH (`SSH_CONNECTION` in the environment), on elsewhere."""
    value = setting("blink")
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    return not os.environ.get("SSH_CONNECTION")


MouseMode = Literal["on", "hover", "off"]


def mouse_mode() -> MouseMode:
    """Mouse tracking (`LICENSEDESK_MOUSE`, or `mouse` in the config file; `tui.mouse`):
    "on" (clicks, wheel, drags; also yes/true/1), "hover" (pointer motion too) or "off"
    (also no/false/0: the terminal's own selection). Unset or unknown: on."""
    value = setting("mouse")
    if isinstance(value, bool):
        return "on" if value else "off"
    word = value.strip().lower() if isinstance(value, str) else ""
    if word == "hover":
        return "hover"
    return "off" if word in _FALSE else "on"
