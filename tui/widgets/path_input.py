"""A file path typed with completion: the suggestion is the first entry of the directory
typed so far that starts with what follows the last slash (a directory gets its slash), taken
with → or end. The directory is listed off the event loop (a slow mount cannot stall keys)."""

from __future__ import annotations

import asyncio
import os

from textual.suggester import Suggester

from tui.widgets.safe_input import SafeInput


def complete(value: str, base: str = "") -> str | None:
    """`value` completed from its directory's listing (relative paths from `base`), or None."""
    if not value or "\x00" in value:
        return None
    expanded = os.path.expanduser(value)
    folder, stem = os.path.split(expanded)
    where = os.path.join(base, folder) if base and not os.path.isabs(folder) else folder
    try:
        with os.scandir(where or ".") as entries:
            names = sorted((e.name, e.is_dir()) for e in entries
                           if e.name.startswith(stem) and (stem or not e.name.startswith(".")))
    except (OSError, ValueError):
        return None
    if not names:
        return None
    name, is_dir = names[0]
    done = value[: len(value) - len(stem)] + name + ("/" if is_dir else "")
    return done if done != value else None


class PathSuggester(Suggester):
    def __init__(self, base: str = "") -> None:
        super().__init__(use_cache=False, case_sensitive=True)
        self.base = base

    async def get_suggestion(self, value: str) -> str | None:
        return await asyncio.to_thread(complete, value, self.base)


class PathInput(SafeInput):
    """A SafeInput whose suggestions complete file and directory names."""

    def __init__(self, value: str = "", *, base: str = "", placeholder: str = "",
                 id: str | None = None) -> None:
        super().__init__(value, placeholder=placeholder, id=id,
                         suggester=PathSuggester(base))
